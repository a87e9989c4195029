"""The case state machine and its figures, over any order of people's actions: no case is lost, a closed
case is reopened only with a recorded note, due times follow the category, and the on-time rate adds up."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.cases import model
from central.cases.figures import case_figures
from central.cases.model import ALLOWED, CaseRefused, Category, EntryKind, Status

CATEGORIES = [
    Category("lost_property", "lost_found", 48 * 3600, "Lost property", "遗失物品"),
    Category("complaint", "service", 3600, "Complaint", "投诉"),
]

actions = st.lists(
    st.tuples(
        st.integers(0, 4),  # which case
        st.sampled_from(["status", "note", "reassign", "rate"]),
        st.sampled_from(list(Status)),
        st.sampled_from(["", "found at gate 12", "  "]),
        st.floats(1, 7200),  # seconds since the last action
    ),
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(actions)
def test_any_order_of_actions_keeps_every_case_and_its_story(steps) -> None:
    now = 1_000_000.0
    cases = {n: model.open_case(n, f"token-{n:012d}", CATEGORIES[n % 2], "chen", f"case {n}", now) for n in range(5)}
    for case in cases.values():
        assert case.due_at == case.opened_at + CATEGORIES[case.number % 2].limit_s
    for which, action, status, note, wait in steps:
        now += wait
        before = cases[which]
        try:
            if action == "status":
                after = model.change_status(before, status, "fang", now, note or None)
            elif action == "note":
                after = model.add_note(before, "fang", note, public=bool(which % 2), now=now)
            elif action == "reassign":
                after = model.reassign(before, "li", "fang", now)
            else:
                after = model.rate(before, 1 + which, resolved=True, now=now)
        except CaseRefused as refused:
            if action == "status" and status not in ALLOWED[before.status]:
                assert refused.reason == "transition_not_allowed"
            if action == "status" and before.status is Status.CLOSED and status in ALLOWED[before.status]:
                assert refused.reason == "reopen_needs_note"
            continue
        # a change adds to the story and loses nothing of it
        assert after.timeline[: len(before.timeline)] == before.timeline
        assert after.number == before.number and after.token == before.token
        cases[which] = after
    assert sorted(cases) == list(range(5))
    for case in cases.values():
        for earlier, later in zip(case.timeline, case.timeline[1:], strict=False):
            assert earlier.at <= later.at
        # every reopening of a closed case carries its note
        status = Status.OPEN
        for entry in case.timeline:
            if entry.kind is EntryKind.STATUS:
                if status is Status.CLOSED:
                    assert entry.text.strip()
                assert entry.status is not None
                status = entry.status
        assert status is case.status
    figures = case_figures(cases.values(), now)
    total = figures.total
    assert total.opened == 5
    assert total.on_time + total.late == total.finished
    assert sum(tally.opened for tally in figures.by_group.values()) == 5
    assert sum(tally.finished for tally in figures.by_group.values()) == total.finished
    if total.finished:
        assert total.on_time_rate == pytest.approx(total.on_time / total.finished)
    else:
        assert total.on_time_rate is None


def test_a_closed_case_is_rated_once_and_reopened_only_with_a_note() -> None:
    case = model.open_case(1, "t" * 32, CATEGORIES[0], "chen", "black suitcase", 0.0)
    with pytest.raises(CaseRefused, match="not_closed"):
        model.rate(case, 5, True, 1.0)
    closed = model.change_status(case, Status.CLOSED, "chen", 2.0)
    rated = model.rate(closed, 4, True, 3.0)
    assert rated.rating == 4
    with pytest.raises(CaseRefused) as again:
        model.rate(rated, 1, False, 4.0)
    assert again.value.reason == "already_rated"
    with pytest.raises(CaseRefused) as bare:
        model.change_status(rated, Status.IN_PROGRESS, "chen", 5.0)
    assert bare.value.reason == "reopen_needs_note"
    reopened = model.change_status(rated, Status.IN_PROGRESS, "chen", 5.0, "the wrong bag was returned")
    assert reopened.timeline[-1].text == "the wrong bag was returned" and reopened.rating is None


@pytest.mark.parametrize("bad", ["12", "call me", "+12 34 56 78 90 12 34 56", "1" * 50, 12345678])
def test_a_phone_number_is_checked(bad) -> None:
    with pytest.raises(CaseRefused, match="phone"):
        model.checked_phone(bad)


def test_a_phone_number_is_kept_compact_and_erased_after_the_closing_plus_its_time() -> None:
    assert model.checked_phone("+86 (898) 6575-1234") == "+8689865751234"
    case = model.open_case(1, "t" * 32, CATEGORIES[0], "chen", "bag", 0.0, phone="138 0013 8000")
    closed = model.change_status(case, Status.CLOSED, "chen", 100.0)
    assert model.erase_phone(closed, 100.0 + 86399, 86400).phone == "13800138000"
    assert model.erase_phone(closed, 100.0 + 86400, 86400).phone is None
    assert model.erase_phone(case, 10**9, 86400).phone == "13800138000"  # never while it is open


def test_summaries_must_be_there_and_fit() -> None:
    for bad in ("", "   ", "x" * (model.MAX_SUMMARY_CHARS + 1), None):
        with pytest.raises(CaseRefused, match="summary"):
            model.open_case(1, "t" * 32, CATEGORIES[0], "chen", bad, 0.0)  # type: ignore[arg-type]
