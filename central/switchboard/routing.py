"""Routing: who rings next.

The longest-waiting queue is the one whose oldest waiting call has waited longest; the longest-idle agent
is the one available longest. What the callers still waiting hear of it is :mod:`.telling`'s, later.
"""

from __future__ import annotations

from central.switchboard.state import SwitchboardState
from central.switchboard.transitions import ring


def route(sb: SwitchboardState) -> None:
    """Offer the head of the longest-waiting queue to the longest-idle available agent who can take it.

    Looks at each skill once per offer (a handful), never at every caller or agent.
    """
    while True:
        best_skill: str | None = None
        best_arrival = 0.0
        for skill, queue in sb.queues.items():
            if not queue or not sb.agents.idle(skill):
                continue
            oldest = queue.oldest_arrival()
            if oldest is not None and (best_skill is None or oldest < best_arrival):
                best_skill, best_arrival = skill, oldest
        if best_skill is None:
            return
        agent_id = sb.agents.idle(best_skill).first()
        assert agent_id is not None
        call_id = sb.queues[best_skill].pop_head()
        ring(sb, sb.calls[call_id], sb.agents[agent_id])
