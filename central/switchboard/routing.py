"""Routing: who rings next.

The longest-waiting queue is the one whose oldest waiting call has waited longest; the longest-idle agent
is the one available longest. What the callers still waiting hear of it is :mod:`.telling`'s, later.

Escalation tiers (``[calls] tiers``): a queue with a second tier whose oldest call has waited its
``after_s``, while no agent of its own skill is free, offers its head to the longest-idle agent of the
tier's skill, competing with that skill's own queue by age like any other queue. Its own agents always
come first: the tier is only asked when none of them is free.
"""

from __future__ import annotations

from central.switchboard.state import SwitchboardState
from central.switchboard.transitions import ring


def route(sb: SwitchboardState) -> None:
    """Offer the head of the longest-waiting queue to the longest-idle available agent who can take it.

    Looks at each skill once per offer (a handful), never at every caller or agent.
    """
    tiers = sb.settings.tiers
    while True:
        best_skill: str | None = None
        best_agents = ""
        best_arrival = 0.0
        now = sb.clock() if tiers else 0.0
        for skill, queue in sb.queues.items():
            if not queue:
                continue
            agents = skill
            if not sb.agents.idle(skill):
                tier = tiers.get(skill)
                if tier is None or not sb.agents.idle(tier.skill):
                    continue
                agents = tier.skill
            oldest = queue.oldest_arrival()
            if oldest is None or (agents != skill and oldest + tiers[skill].after_s > now):
                continue
            if best_skill is None or oldest < best_arrival:
                best_skill, best_agents, best_arrival = skill, agents, oldest
        if best_skill is None:
            return
        agent_id = sb.agents.idle(best_agents).first()
        assert agent_id is not None
        call_id = sb.queues[best_skill].pop_head()
        ring(sb, sb.calls[call_id], sb.agents[agent_id])


def next_escalation(sb: SwitchboardState) -> float | None:
    """When a waiting call next reaches its queue's second tier while that tier has a free agent, or None."""
    due: float | None = None
    for skill, tier in sb.settings.tiers.items():
        queue = sb.queues[skill]
        if not queue or sb.agents.idle(skill) or not sb.agents.idle(tier.skill):
            continue
        oldest = queue.oldest_arrival()
        if oldest is not None and (due is None or oldest + tier.after_s < due):
            due = oldest + tier.after_s
    return due
