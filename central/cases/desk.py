"""The case desk: opens cases and applies people's changes to them through the store, tells listeners
(the pages' live streams) of every change, raises and clears ``case_overdue`` alerts, and erases callback
numbers once their time is up. No I/O of its own beyond the store; the clock is passed in."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from bus.messages.central import AlertSeverity
from central.alerts.book import AlertSink
from central.cases import model
from central.cases.feedback import Feedback
from central.cases.model import Case, CaseRefused, Category, Status
from central.cases.store import CaseStore

log = logging.getLogger(__name__)

Clock = Callable[[], float]
CaseListener = Callable[[Case], None]
OVERDUE_KIND = "case_overdue"
FEEDBACK_OWNER = "passenger"  # a case left without a call is nobody's until its department takes it
TOKEN_BYTES = 24  # 192 random bits: the passenger page's address cannot be guessed


def overdue_alert_id(number: int) -> str:
    return f"{OVERDUE_KIND}:{number}"


class UnknownCase(KeyError):
    """No case has this number (or token)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: an agent id, and whether they may act on any case (a supervisor)."""

    agent_id: str
    department: str = ""
    supervisor: bool = False


class CaseDesk:
    def __init__(
        self,
        store: CaseStore,
        categories: Iterable[Category],
        clock: Clock,
        alerts: AlertSink | None = None,
        phone_keep_s: float = 30 * 86400,
    ) -> None:
        self.store = store
        self.categories: Mapping[str, Category] = {category.id: category for category in categories}
        self._clock = clock
        self._alerts = alerts
        self._phone_keep_s = phone_keep_s
        self._listeners: list[CaseListener] = []
        self._overdue: set[int] = set()

    def add_listener(self, listener: CaseListener) -> None:
        self._listeners.append(listener)

    def now(self) -> float:
        return self._clock()

    # --- changes ---------------------------------------------------------------------------------------

    def open(
        self, actor: Actor, category_id: str, summary: str, call_id: str | None = None, phone: str | None = None
    ) -> Case:
        category = self.categories.get(category_id)
        if category is None:
            raise CaseRefused("unknown_category")
        calls = [call_id] if call_id else []
        case = model.open_case(
            self.store.next_number(),
            secrets.token_urlsafe(TOKEN_BYTES),
            category,
            actor.agent_id,
            summary,
            self._clock(),
            calls,
            phone,
        )
        self._save(case)
        log.info("case %d opened by %s (%s, %s)", case.number, actor.agent_id, case.category, case.department)
        return case

    def open_feedback(self, feedback: Feedback) -> Case:
        """A suggestion or complaint left at a kiosk or a QR point: a case in its category's department,
        owned by nobody yet (the department takes it), its source in an internal note."""
        category = self.categories.get(feedback.category)
        if category is None:
            raise CaseRefused("unknown_category")
        now = self._clock()
        case = model.open_case(
            self.store.next_number(),
            secrets.token_urlsafe(TOKEN_BYTES),
            category,
            FEEDBACK_OWNER,
            feedback.summary,
            now,
            phone=feedback.phone,
        )
        case = model.add_note(case, FEEDBACK_OWNER, f"{feedback.source.value} {feedback.place}", False, now)
        self._save(case)
        log.info("case %d left at %s %s (%s)", case.number, feedback.source.value, feedback.place, case.category)
        return case

    def take(self, actor: Actor, number: int) -> Case:
        case = self.get(number)
        self._check_may_act(actor, case)
        return self._save(model.reassign(case, actor.agent_id, actor.agent_id, self._clock()))

    def reassign(self, actor: Actor, number: int, owner: str) -> Case:
        case = self.get(number)
        self._check_may_act(actor, case)
        return self._save(model.reassign(case, owner, actor.agent_id, self._clock()))

    def note(self, actor: Actor, number: int, text: str, public: bool) -> Case:
        case = self.get(number)
        self._check_may_act(actor, case)
        return self._save(model.add_note(case, actor.agent_id, text, public, self._clock()))

    def set_status(self, actor: Actor, number: int, status: Status, note: str | None = None) -> Case:
        case = self.get(number)
        self._check_may_act(actor, case)
        changed = model.change_status(case, status, actor.agent_id, self._clock(), note)
        self._save(changed)
        self._judge(changed, self._clock())
        return changed

    def add_callback(self, token: str, phone: object) -> Case:
        """The passenger's callback number, with the case only (see :func:`model.add_callback`)."""
        return self._save(model.add_callback(self.by_token(token), phone, self._clock()))

    def rate(self, token: str, rating: int, resolved: bool) -> Case:
        case = self.by_token(token)
        return self._save(model.rate(case, rating, resolved, self._clock()))

    # --- reading ---------------------------------------------------------------------------------------

    def get(self, number: int) -> Case:
        case = self.store.get(number)
        if case is None:
            raise UnknownCase(number)
        return case

    def by_token(self, token: str) -> Case:
        case = self.store.by_token(token)
        if case is None:
            raise UnknownCase(token)
        return case

    def unfinished(self) -> list[Case]:
        return self.store.unfinished()

    def overdue_count(self) -> int:
        now = self._clock()
        return sum(1 for case in self.store.unfinished() if case.overdue(now))

    # --- the watch -------------------------------------------------------------------------------------

    def check(self) -> None:
        """Raise an alert for each case that has run past its time, clear it for each that no longer is,
        and erase the callback numbers whose time is up. Called every few seconds."""
        now = self._clock()
        open_now = {case.number: case for case in self.store.unfinished()}
        for case in open_now.values():
            self._judge(case, now)
        for number in list(self._overdue - open_now.keys()):  # closed meanwhile
            self._clear(number)
        for case in self.store.with_phone_closed():
            erased = model.erase_phone(case, now, self._phone_keep_s)
            if erased is not case:
                self.store.save(erased)
                log.info("case %d: callback number erased", case.number)

    def _judge(self, case: Case, now: float) -> None:
        if case.overdue(now):
            if case.number not in self._overdue:
                self._overdue.add(case.number)
                if self._alerts is not None:
                    self._alerts.raised(
                        overdue_alert_id(case.number),
                        OVERDUE_KIND,
                        AlertSeverity.WARNING,
                        None,
                        f"Case {case.number} ({case.category}, {case.department}) is past its time limit",
                    )
                self._notify(case)
        elif case.number in self._overdue:
            self._clear(case.number)

    def _clear(self, number: int) -> None:
        self._overdue.discard(number)
        if self._alerts is not None:
            self._alerts.cleared(overdue_alert_id(number))

    def _check_may_act(self, actor: Actor, case: Case) -> None:
        if actor.supervisor or actor.agent_id == case.owner:
            return
        if actor.department and actor.department == case.department:
            return
        raise CaseRefused("not_your_case")

    def _save(self, case: Case) -> Case:
        self.store.save(case)
        self._notify(case)
        return case

    def _notify(self, case: Case) -> None:
        for listener in self._listeners:
            try:
                listener(case)
            except Exception:
                log.exception("case listener failed on case %d", case.number)
