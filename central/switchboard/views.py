"""What the switchboard shows: the queue summary, a caller's queue state, live calls, agents, the wallboard.

- The summary's ``waiting`` counts queued and ringing calls; ``agents_staffed`` means signed in and not
  away, as for the estimate; its overall expected wait is the longest of the language queues'.
- Before calling, when the offered load reaches the staffed agents (Erlang C has no answer) the estimate
  is that of the next place in the queue.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bus.messages.central import QueueSummary, SkillQueue
from bus.messages.device import CallPhase, DeviceQueue
from central.switchboard.console.wallboard import Wallboard, WallboardAgent, WallboardSkill
from central.switchboard.eta import before_call_eta_s
from central.switchboard.model import PHONE_KIND, AgentState, AgentView, LiveCall, LivePhase
from central.switchboard.state import SwitchboardState


def expected_wait_s(sb: SwitchboardState, skill: str) -> float | None:
    """The expected wait of a passenger who calls now for ``skill``; None when nobody is staffed for it."""
    if skill not in sb.queues:
        return None
    now = sb.clock()
    return before_call_eta_s(
        staffed=sb.agents.staffed(skill),
        available=len(sb.agents.idle(skill)),
        arrivals_per_s=sb.arrivals[skill].per_s(now),
        aht_s=sb.handle_times[skill].mean_s(),
        waiting=len(sb.queues[skill]),
    )


def queue_summary(sb: SwitchboardState) -> QueueSummary:
    now = sb.clock()
    skills = {
        skill: SkillQueue(
            waiting=len(sb.queues[skill]) + len(sb.ringing[skill]),
            agents_staffed=sb.agents.staffed(skill),
            longest_wait_s=round(_longest_wait_s(sb, skill, now), 1),
            agents_available=len(sb.agents.idle(skill)),
            expected_wait_s=_rounded(expected_wait_s(sb, skill)),
        )
        for skill in sb.skills
    }
    # Overall: the longest of the language queues (sign-language callers read their own entry).
    language_waits = [wait for lang in sb.settings.languages if (wait := skills[lang].expected_wait_s) is not None]
    return QueueSummary(
        ts=datetime.fromtimestamp(now, UTC),
        skills=skills,
        agents_available=sb.agents.count(AgentState.AVAILABLE),
        agents_staffed=sb.agents.staffed_total(),
        expected_wait_s=max(language_waits) if language_waits else None,
        service_level_today=sb.log.kpis(now).service_level,
        service_hours=sb.settings.service_hours,
    )


def caller_queue_state(sb: SwitchboardState, caller_id: str) -> DeviceQueue:
    ts = datetime.fromtimestamp(sb.clock(), UTC)
    call_id = sb.caller_calls.get(caller_id)
    if call_id is None:
        return DeviceQueue(ts=ts)
    call = sb.calls[call_id]
    if call.phase is LivePhase.WAITING:
        return DeviceQueue(
            ts=ts,
            call=CallPhase.WAITING,
            call_id=call_id,
            position=sb.queues[call.skill].position(call_id),
            eta_s=call.sent_eta_s,  # what the caller was last told, which their screen shows
        )
    phase = CallPhase.RINGING if call.phase is LivePhase.RINGING else CallPhase.IN_CALL
    return DeviceQueue(ts=ts, call=phase, call_id=call_id)


def live_calls(sb: SwitchboardState) -> list[LiveCall]:
    places = {call_id: place for queue in sb.queues.values() for place, call_id in enumerate(queue, start=1)}
    return [
        LiveCall(c.call_id, c.caller_id, c.skill, c.phase, c.agent_id, c.arrived_at, places.get(c.call_id))
        for c in sb.calls.values()
    ]


def agents(sb: SwitchboardState) -> list[AgentView]:
    return [
        AgentView(a.agent_id, a.card.name, tuple(sorted(a.skills)), a.state, a.since, a.call_id or a.wrap_call_id)
        for a in sb.agents
    ]


def available_others(views: list[AgentView], asking: str) -> list[AgentView]:
    """The agents a call can be passed on to by name right now: available, not the one asking; by name."""
    chosen = [v for v in views if v.state is AgentState.AVAILABLE and v.agent_id != asking]
    return sorted(chosen, key=lambda v: (v.name.casefold(), v.agent_id))


def wallboard(sb: SwitchboardState) -> Wallboard:
    now = sb.clock()
    summary = queue_summary(sb)
    by_state: dict[str, list[WallboardAgent]] = {
        state.value: [] for state in AgentState if state is not AgentState.OFFLINE
    }
    for view in sorted(agents(sb), key=lambda v: (v.since, v.agent_id)):
        live = sb.calls.get(view.call_id) if view.call_id else None
        by_state[view.state.value].append(
            WallboardAgent(
                id=view.agent_id,
                name=view.name,
                skills=list(view.skills),
                in_state_s=round(now - view.since, 1),
                call=view.call_id,
                caller_kind=live.caller_kind if live else None,
                location=live.context.location if live else "",
            )
        )
    return Wallboard(
        ts=summary.ts,
        service_hours=sb.settings.service_hours,
        service_level_s=sb.settings.service_level_s,
        skills={
            skill: WallboardSkill(**dict(entry), aht_s=round(sb.handle_times[skill].mean_s(), 1))
            for skill, entry in summary.skills.items()
        },
        agents_available=summary.agents_available,
        agents_staffed=summary.agents_staffed,
        expected_wait_s=summary.expected_wait_s,
        phones_waiting=sum(
            1 for call in sb.calls.values() if call.caller_kind == PHONE_KIND and call.phase is not LivePhase.CONNECTED
        ),
        agents=by_state,
        today=sb.log.kpis(now),
    )


def _longest_wait_s(sb: SwitchboardState, skill: str, now: float) -> float:
    arrivals = list(sb.ringing[skill].values())
    oldest_queued = sb.queues[skill].oldest_arrival()
    if oldest_queued is not None:
        arrivals.append(oldest_queued)
    return max(0.0, now - min(arrivals)) if arrivals else 0.0


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
