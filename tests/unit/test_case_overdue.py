"""A case that runs past its time limit raises ``case_overdue`` in the alert book once, however often the
desk looks, and clears it once when the case is resolved; the callback number is erased when its time is
up. A fake clock moves time."""

from __future__ import annotations

from central.alerts.book import AlertBook, BookChange
from central.cases.desk import Actor, CaseDesk, overdue_alert_id
from central.cases.model import CaseRefused, Category, Status
from central.cases.store import SqliteCaseStore

HOUR = 3600.0
CATEGORIES = [Category("damaged_bag", "baggage", 2 * HOUR, "Damaged baggage", "行李损坏")]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_an_overdue_case_raises_and_clears_its_alert_once(tmp_path) -> None:
    clock = FakeClock()
    book = AlertBook(clock=clock)
    changes: list[tuple[BookChange, str]] = []
    book.add_listener(lambda change, view: changes.append((change, view["id"])))
    store = SqliteCaseStore(tmp_path / "cases.sqlite3")
    desk = CaseDesk(store, CATEGORIES, clock, book, phone_keep_s=HOUR)
    chen = Actor("chen", "baggage")
    case = desk.open(chen, "damaged_bag", "torn handle", phone="13800138000")
    alert = overdue_alert_id(case.number)

    clock.now += 2 * HOUR - 1
    desk.check()
    assert changes == [] and desk.overdue_count() == 0

    clock.now += 2
    for _ in range(3):
        desk.check()
    assert changes == [(BookChange.RAISED, alert)]
    assert book.get(alert)["kind"] == "case_overdue"  # type: ignore[index]
    assert desk.overdue_count() == 1

    desk.set_status(chen, case.number, Status.IN_PROGRESS)  # still overdue: nothing new
    desk.set_status(chen, case.number, Status.RESOLVED)
    desk.check()
    desk.check()
    assert changes == [(BookChange.RAISED, alert), (BookChange.CLEARED, alert)]
    assert desk.overdue_count() == 0

    desk.set_status(chen, case.number, Status.CLOSED)
    clock.now += HOUR
    desk.check()
    assert desk.get(case.number).phone is None
    assert changes == [(BookChange.RAISED, alert), (BookChange.CLEARED, alert)]
    store.close()


def test_only_the_owner_their_department_or_a_supervisor_may_change_a_case(tmp_path) -> None:
    clock = FakeClock()
    store = SqliteCaseStore(tmp_path / "cases.sqlite3")
    desk = CaseDesk(store, CATEGORIES, clock)
    case = desk.open(Actor("chen", "service"), "damaged_bag", "torn handle")
    assert case.department == "baggage" and case.owner == "chen"
    for stranger in (Actor("li", "service"), Actor("li", "")):
        try:
            desk.note(stranger, case.number, "hello", public=False)
        except CaseRefused as refused:
            assert refused.reason == "not_your_case"
        else:
            raise AssertionError("a stranger changed the case")
    assert desk.take(Actor("wu", "baggage"), case.number).owner == "wu"
    assert desk.reassign(Actor("boss", supervisor=True), case.number, "chen").owner == "chen"
    assert [entry.kind.value for entry in desk.get(case.number).timeline] == ["opened", "owner", "owner"]
    store.close()
