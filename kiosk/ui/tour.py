"""Every screen a passenger can meet, set up on a kiosk window without a broker, a camera or a call.

The screenshot command (kiosk.screenshots) saves each scene as a PNG, and the layout tests drive the same
scenes in every screen size, language and text size, so what the docs show is what the tests check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import cv2
from PySide6.QtWidgets import QApplication

from bus.messages.call import Push, PushKind
from bus.messages.central import QueueSummary, SkillQueue
from bus.messages.flights import Direction, Flight, FlightStatus
from hardware.camera import SyntheticSource
from hardware.scanner.bcbp import BoardingPass, Leg, encode
from kiosk.case_callback import FeedbackCategory
from kiosk.printing.slips import WifiVoucher
from kiosk.scanning.codes import shown_text
from kiosk.scanning.flight import find_flight
from kiosk.scanning.points import Bilingual, PointInfo
from kiosk.ui.call.frames import camera_picture, camera_unavailable_picture
from kiosk.ui.flights.board import FixedBoards
from kiosk.ui.flights.sample import TZ, delayed_flight_id, sample_flights
from kiosk.ui.print_status import PrintStatus
from kiosk.ui.scan.result import (
    FlightFound,
    OtherText,
    Outcome,
    PointLoading,
    PointShown,
    PointUnavailableShown,
    Unreadable,
)
from kiosk.ui.video_help_state import VideoHelp
from kiosk.ui.window import KioskWindow

DEMO_AGENT = "Demo Agent 演示坐席"
DEMO_CALL = "tour-call"


@dataclass(frozen=True)
class Scene:
    """One screen in one state: ``name`` is used for file names, ``show`` puts the window there."""

    name: str
    show: Callable[[KioskWindow], None]


def note(text: str) -> Push:
    return Push(call=DEMO_CALL, kind=PushKind.TEXT, text=text)


def qr(text: str, url: str) -> Push:
    return Push(call=DEMO_CALL, kind=PushKind.QR, text=text, url=url)


def flight(number: str, airport: str, time: str, gate: str, status: str) -> Push:
    data = {"number": number, "airport": airport, "time": time, "gate": gate, "status": status}
    return Push(call=DEMO_CALL, kind=PushKind.FLIGHT, data=data)


NOTE = note("Gate 12 is on the second floor. Take the escalator on your left, then follow the green signs.")
QR = qr("Map to gate 12", "https://hak.example/map/gate-12")
FLIGHT = flight("HU7181", "Beijing", "14:35", "12", "Boarding")
LONG_URL = qr(
    "Your booking",
    "https://booking.hak.example/manage/reservation?ref=ABCDEF123456&passenger=ZHANG%20SAN&lang=zh-CN"
    "&return=https%3A%2F%2Fhak.example%2Fkiosk%2Fhelp%2Fvideo%2Fthank-you&session=0123456789abcdef0123456789",
)
UNBROKEN = note("BAGGAGE-CLAIM-REFERENCE:" + "HAK" * 5 + "0123456789" * 6 + "-ENDS-HERE")
MAP = Push(call=DEMO_CALL, kind=PushKind.MAP, text="Pharmacy: departures level, next to gate 5")
PRINT = Push(
    call=DEMO_CALL,
    kind=PushKind.PRINT,
    text="Your bag is at baggage services, desk 3, arrivals level. 您的行李在到达层3号行李服务台。",
    url="https://hak.example/bag/4711",
)
PRINT_TEXT = Push(call=DEMO_CALL, kind=PushKind.PRINT, text="Taxi rank: exit 4. Fixed fare to Haikou city: 60 CNY.")
VOUCHER = WifiVoucher(ssid="Airport-Free-WiFi", code="K7PX2QMA9R")

OPEN_QUEUE = QueueSummary(
    skills={
        "zh": SkillQueue(waiting=4, agents_staffed=2, expected_wait_s=170),
        "en": SkillQueue(agents_staffed=1, agents_available=1, expected_wait_s=0),
        "sign": SkillQueue(waiting=1, agents_staffed=1, expected_wait_s=420),
    },
    service_hours="06:00–24:00",
)
CLOSED_QUEUE = QueueSummary(skills={}, service_hours="06:00–24:00")


def settle() -> None:
    """Let the layouts and style sheets apply before anything is measured or grabbed."""
    for _ in range(3):
        QApplication.processEvents()


def show_pictures(window: KioskWindow, source: SyntheticSource) -> None:
    """A synthetic picture in the agent's view and the self-view, each sized to its view as in a call."""
    settle()
    screen = window.in_call
    picture = source.read()
    # camera_picture mirrors, as people expect of their own picture; the agent's is shown as sent
    screen.agent_video.show_frame(camera_picture(cv2.flip(picture, 1), screen.agent_video.size()))
    screen.self_view.show_frame(camera_picture(picture, screen.self_view.size()))


def set_video_help(window: KioskWindow, state: VideoHelp) -> None:
    """The window as the bus would leave it for ``state``: the kiosk's link down, or central gone. Back to
    available only from another state, so the other scenes keep the connection they had."""
    if state is VideoHelp.AVAILABLE and window.video_help is VideoHelp.AVAILABLE:
        return
    window.set_connection("offline" if state is VideoHelp.KIOSK_OFFLINE else "online")
    window.set_central_online(False if state is VideoHelp.CENTRAL_OFFLINE else None)


def _home(printer_available: bool, video_help: VideoHelp = VideoHelp.AVAILABLE) -> Callable[[KioskWindow], None]:
    def show(window: KioskWindow) -> None:
        set_video_help(window, video_help)
        window.home.set_printer_available(printer_available)
        window.show_screen(window.home)

    return show


def _wifi(status: PrintStatus, printer_state: str = "") -> Callable[[KioskWindow], None]:
    """The Wi-Fi screen after a tap, the voucher in ``status`` (the printer in ``printer_state``)."""

    def show(window: KioskWindow) -> None:
        if status is PrintStatus.NO_CODES:
            window.wifi.show_no_codes(VOUCHER.ssid)
        else:
            window.wifi.show_voucher(VOUCHER.ssid, VOUCHER.code, VOUCHER.qr)
            window.wifi.status.show_status(status, printer_state)
        window.show_screen(window.wifi)

    return show


def print_push(push: Push, status: PrintStatus, printer_state: str = "") -> Callable[[KioskWindow], None]:
    """The call screen after a ``print`` push, its slip in ``status``."""

    def show(window: KioskWindow) -> None:
        in_call(push)(window)
        card = window.in_call.push_cards[0]
        assert card.print_status is not None
        card.print_status.show_status(status, printer_state)

    return show


NOTICE_ZH = "因台风天气，今日下午部分航班可能延误。请留意航班信息屏幕和广播，如需帮助请点击视频帮助。"
NOTICE_EN = (
    "Because of the typhoon, some afternoon flights may be delayed. Please watch the flight screens and "
    "listen for announcements; tap Video help if you need assistance."
)


def with_notice(then: Callable[[KioskWindow], None]) -> Callable[[KioskWindow], None]:
    """A notice from facilities staff over a screen. It stays up for the scenes after it (they come last)."""

    def show(window: KioskWindow) -> None:
        window.notices.show(NOTICE_ZH, NOTICE_EN, minutes=60)
        then(window)

    return show


def _info(window: KioskWindow) -> None:
    window.show_screen(window.info)


def _choose(summary: QueueSummary | None, video_help: VideoHelp = VideoHelp.AVAILABLE) -> Callable[[KioskWindow], None]:
    def show(window: KioskWindow) -> None:
        set_video_help(window, video_help)
        window.call_choice.set_queue(summary)
        window.show_screen(window.call_choice)

    return show


def _waiting(
    position: int | None, eta_s: float | None, monitoring_notice: bool = True
) -> Callable[[KioskWindow], None]:
    def show(window: KioskWindow) -> None:
        window.waiting.show_monitoring_notice(monitoring_notice)
        window.waiting.set_passed_on(False)
        window.waiting.set_handover(None)
        window.waiting.set_queue(position, eta_s)
        window.show_screen(window.waiting)

    return show


def _passed_on(window: KioskWindow) -> None:
    window.waiting.set_handover(None)
    window.waiting.set_queue(1, 0)
    window.waiting.set_passed_on(True)
    window.show_screen(window.waiting)


def _held(window: KioskWindow) -> None:
    window.waiting.set_handover(None)
    window.waiting.set_passed_on(True, held=True)
    window.show_screen(window.waiting)


HANDOVER_URL = "https://hak.example/h/Q2sV8l0bWq3uXo9Jf7cTz1RkA4pYmN6e"
"""A "continue on your phone" link as central makes them: its address and a one-time token."""


def _waiting_with_phone(position: int, eta_s: float) -> Callable[[KioskWindow], None]:
    def show(window: KioskWindow) -> None:
        window.waiting.show_monitoring_notice(True)
        window.waiting.set_passed_on(False)
        window.waiting.set_queue(position, eta_s)
        window.waiting.set_handover(HANDOVER_URL)
        window.show_screen(window.waiting)

    return show


def in_call(*pushes: Push, connected: bool = True, name: str = DEMO_AGENT) -> Callable[[KioskWindow], None]:
    """The call screen with ``pushes`` sent in this order (the last one on top)."""

    def show(window: KioskWindow) -> None:
        screen = window.in_call
        screen.reset()
        screen.set_agent(name)
        if connected:
            screen.set_connected()
        window.show_screen(screen)
        for push in pushes:
            screen.show_push(push)
        if connected:
            show_pictures(window, SyntheticSource(640, 480))

    return show


def _rating(stars: int, answered: bool | None) -> Callable[[KioskWindow], None]:
    def show(window: KioskWindow) -> None:
        window.rating.reset()
        window.rating.stars = stars
        window.rating.answered = answered
        window.rating.retranslate()
        window.show_screen(window.rating)

    return show


def _ended(reason: str, requeue_offered: bool) -> Callable[[KioskWindow], None]:
    def show(window: KioskWindow) -> None:
        window.call_ended.show_reason(reason, requeue_offered)
        window.show_screen(window.call_ended)

    return show


SCAN_DAY = date(2026, 11, 22)
SCAN_TZ = "Asia/Shanghai"
SCAN_LEG = Leg("DEF456", "HAK", "PEK", "HU", "7181", 326, "Y", "012A", "0012", "1")
SCAN_PASS = BoardingPass(name="ZHANG/SANFENG MR", electronic_ticket="E", legs=(SCAN_LEG,))
SCAN_FLIGHT = Flight(
    id="HU7181-20261122-D",
    number="HU7181",
    direction=Direction.DEPARTURES,
    other_airport="PEK",
    city_en="Beijing",
    city_zh="北京",
    scheduled=datetime.fromisoformat("2026-11-22T14:35:00+08:00"),
    estimated=datetime.fromisoformat("2026-11-22T15:10:00+08:00"),
    gate="12",
    status=FlightStatus.BOARDING,
)
SCAN_POINT = PointInfo(
    id="t1-a12",
    name=Bilingual(zh="T1 出发大厅 A12 问询柜台", en="T1 Departures Hall, desk A12"),
    terminal="T1",
    area="Departures",
    floor="3",
    services=[
        Bilingual(zh="洗手间", en="Toilets"),
        Bilingual(zh="母婴室", en="Baby care room"),
        Bilingual(zh="充电站", en="Phone charging"),
        Bilingual(zh="饮水处", en="Drinking water"),
    ],
)
HOSTILE_CODE = "javascript:alert(document.cookie)<script>\x1b[2J\u202e" + "https://evil.example/" + "A" * 300


def _scan(camera: bool) -> Callable[[KioskWindow], None]:
    """The Scan screen, with a boarding pass in the camera's picture or with no camera at all."""

    def show(window: KioskWindow) -> None:
        from hardware.scanner.decoder import CodeFormat
        from hardware.scanner.samples import CodeSource, code_image

        window.show_screen(window.scan)
        window.scan.reset()
        if not camera:
            window.scan.show_no_camera()
            return
        source = CodeSource(code_image(encode(SCAN_PASS), CodeFormat.PDF417, 3), appears_at=0)
        window.scan.show_picture(camera_picture(source.read(), window.scan.preview_size))

    return show


def _flights_board(*, live: bool = True, age_s: float = 0.0, empty: bool = False) -> FixedBoards:
    return FixedBoards([] if empty else sample_flights(), TZ, live=live, age_s=age_s)


def flights_list(direction: str = "dep", **board: object) -> Callable[[KioskWindow], None]:
    """The Flights screen as the home tile opens it, on the sample board (offline, or before any board)."""

    def show(window: KioskWindow) -> None:
        window.flights.set_boards(_flights_board(**board))  # type: ignore[arg-type]
        window.flights.open_board()
        window.flights.set_direction(direction)
        window.show_screen(window.flights)

    return show


def _scan_result(outcome: Outcome) -> Callable[[KioskWindow], None]:
    def show(window: KioskWindow) -> None:
        window.scan_result.show_outcome(outcome)
        window.show_screen(window.scan_result)

    return show


def flights_search(typed: str = "") -> Callable[[KioskWindow], None]:
    """The search with ``typed`` tapped on the on-screen keyboard (nothing: the city buttons)."""

    def show(window: KioskWindow) -> None:
        flights_list()(window)
        window.flights.open_search()
        for char in typed:
            window.flights.keyboard.keys[char].click()

    return show


def _pass_on(flights: tuple[Flight, ...]) -> Outcome:
    return FlightFound(find_flight(SCAN_PASS, flights, "HAK", SCAN_TZ, SCAN_DAY), SCAN_TZ, SCAN_DAY)


def flights_detail(printer_available: bool | None = True) -> Callable[[KioskWindow], None]:
    """The details of the sample's delayed flight with many codeshares."""

    def show(window: KioskWindow) -> None:
        flights_list()(window)
        if printer_available is not None:
            window.flights.set_printer_available(printer_available)
        window.flights.show_flight(delayed_flight_id(sample_flights()))

    return show


CASE = Push(
    call=DEMO_CALL,
    kind=PushKind.QR,
    text="Your case 1042: scan to follow it / 您的服务单 1042：扫码查看进度",
    url="https://hak.example/c/q2x7VbQ0mE9rT4yU1oP8aS5dF3gH6jK2",
    data={"case": 1042},
)


def case_card(state: str = "offered", typed: str = "") -> Callable[[KioskWindow], None]:
    """The case card of a call: as it comes, with the keypad (``typed`` on it), or the number sent."""

    def show(window: KioskWindow) -> None:
        from kiosk.ui.case_qr import CallbackState, CaseCard

        in_call(CASE)(window)
        card = window.in_call.push_cards[0]
        assert isinstance(card, CaseCard)
        if state != "offered":
            card.offer_keypad()
            for digit in typed:
                card.keypad.press(digit)
        if state == "sent":
            card.keypad._set("")
            card.callback_state = CallbackState.SENT
            card._show()

    return show


def _feedback_categories() -> list[FeedbackCategory]:
    named = [("lost_property", "Lost property", "遗失物品"), ("damaged_bag", "Damaged baggage", "行李损坏"),
             ("delayed_bag", "Delayed baggage", "行李延误"), ("complaint", "Complaint", "投诉"),
             ("other", "Other request", "其他诉求")]  # fmt: skip
    return [FeedbackCategory(*entry) for entry in named]  # central's defaults ([cases] categories)


def feedback(step: str, typed: str = "", phone: str = "", error: str = "") -> Callable[[KioskWindow], None]:
    """The suggestion or complaint form at ``step`` (its categories as central's defaults give them)."""

    def show(window: KioskWindow) -> None:
        from kiosk.case_callback import FeedbackAnswer
        from kiosk.ui.feedback.screen import Step

        screen = window.feedback
        screen.fetch_categories = None
        screen.start()
        window.show_screen(screen)
        if step == "unavailable":
            return
        screen.set_categories(_feedback_categories())
        screen.show_step(Step.WRITE)
        screen.choose("complaint")
        for char in typed:
            screen.keyboard.press(char)
        if step in ("contact", "sent", "failed"):
            screen.show_step(Step.CONTACT)
            for digit in phone:
                screen.keypad.press(digit)
        if step == "sent":
            screen.show_answer(FeedbackAnswer(number=1043))
        elif step == "failed":
            screen.show_answer(FeedbackAnswer(error=error))

    return show


FEEDBACK_TEXT = "THE QUEUE AT SECURITY WAS LONG AND NOBODY SAID WHY PAIDUI TAI JIU"


def _camera_lost(window: KioskWindow) -> None:
    """In a call whose camera stopped giving pictures: the self-view shows the card the agent gets."""
    in_call(NOTE)(window)
    self_view = window.in_call.self_view
    self_view.show_frame(camera_unavailable_picture(self_view.size()))


SCENES: tuple[Scene, ...] = (
    Scene("home", _home(True)),
    Scene("home-printer-unavailable", _home(False)),
    Scene("info", _info),
    Scene("flights", flights_list()),
    Scene("flights-arrivals", flights_list("arr")),
    Scene("flights-offline", flights_list(live=False, age_s=12 * 60)),
    Scene("flights-empty", flights_list(empty=True)),
    Scene("flights-search", flights_search()),
    Scene("flights-search-bj", flights_search("BJ")),
    Scene("flights-search-none", flights_search("QQQ")),
    Scene("flights-detail", flights_detail()),
    Scene("flights-detail-printer-unavailable", flights_detail(printer_available=False)),
    Scene("wifi-printing", _wifi(PrintStatus.PRINTING)),
    Scene("wifi-printed", _wifi(PrintStatus.PRINTED)),
    Scene("wifi-printer-unavailable", _wifi(PrintStatus.UNAVAILABLE, "offline")),
    Scene("wifi-paper-out", _wifi(PrintStatus.HELD, "paper_out")),
    Scene("wifi-no-codes", _wifi(PrintStatus.NO_CODES)),
    Scene("choose", _choose(OPEN_QUEUE)),
    Scene("choose-unknown-wait", _choose(None)),
    Scene("choose-closed", _choose(CLOSED_QUEUE)),
    Scene("waiting", _waiting(3, 170)),
    Scene("waiting-next", _waiting(1, 0)),
    Scene("waiting-not-monitored", _waiting(2, 60, monitoring_notice=False)),
    Scene("waiting-continue-on-phone", _waiting_with_phone(2, 90)),
    Scene("waiting-long-continue-on-phone", _waiting_with_phone(14, 1500)),
    Scene("in-call-transfer", _passed_on),
    Scene("in-call-hold", _held),
    Scene("in-call-connecting", in_call(connected=False)),
    Scene("in-call", in_call()),
    Scene("in-call-note", in_call(NOTE)),
    Scene("in-call-qr", in_call(QR)),
    Scene("in-call-flight", in_call(FLIGHT)),
    Scene("in-call-long-url", in_call(LONG_URL)),
    Scene("in-call-unbroken-text", in_call(UNBROKEN)),
    Scene("in-call-map", in_call(MAP)),
    Scene("in-call-print", print_push(PRINT, PrintStatus.PRINTING)),
    Scene("in-call-print-paper-out", print_push(PRINT, PrintStatus.HELD, "paper_out")),
    Scene("in-call-print-text-unavailable", print_push(PRINT_TEXT, PrintStatus.UNAVAILABLE, "cover_open")),
    Scene("in-call-several", in_call(NOTE, QR, FLIGHT, LONG_URL, UNBROKEN, QR, NOTE)),
    Scene("rating", _rating(0, None)),
    Scene("rating-chosen", _rating(4, True)),
    Scene("thanks", lambda window: window.show_screen(window.thanks)),
    Scene("ended-failed", _ended("failed", False)),
    Scene("ended-agent-lost", _ended("agent_lost", True)),
    Scene("scan", _scan(camera=True)),
    Scene("scan-no-camera", _scan(camera=False)),
    Scene("scan-flight", _scan_result(_pass_on((SCAN_FLIGHT,)))),
    Scene("scan-flight-not-on-board", _scan_result(_pass_on(()))),
    Scene("scan-unreadable-pass", _scan_result(Unreadable())),
    Scene("scan-info-point", _scan_result(PointShown(SCAN_POINT))),
    Scene("scan-info-point-loading", _scan_result(PointLoading("t1-a12"))),
    Scene("scan-info-point-unavailable", _scan_result(PointUnavailableShown("t1-a12"))),
    Scene("scan-other-code", _scan_result(OtherText(shown_text(HOSTILE_CODE)))),
    Scene("in-call-case", case_card()),
    Scene("in-call-case-callback", case_card("typing", "13800138000")),
    Scene("in-call-case-callback-sent", case_card("sent")),
    Scene("feedback", feedback("write")),
    Scene("feedback-typed", feedback("write", FEEDBACK_TEXT)),
    Scene("feedback-contact", feedback("contact", FEEDBACK_TEXT, "13800138000")),
    Scene("feedback-sent", feedback("sent", FEEDBACK_TEXT)),
    Scene("feedback-too-many", feedback("failed", FEEDBACK_TEXT, error="too_many")),
    Scene("feedback-unavailable", feedback("unavailable")),
    Scene("home-offline", _home(True, VideoHelp.KIOSK_OFFLINE)),
    Scene("choose-offline", _choose(OPEN_QUEUE, VideoHelp.KIOSK_OFFLINE)),
    Scene("home-central-offline", _home(True, VideoHelp.CENTRAL_OFFLINE)),
    Scene("choose-central-offline", _choose(OPEN_QUEUE, VideoHelp.CENTRAL_OFFLINE)),
    Scene("in-call-camera-lost", _camera_lost),
    # last: the notice stays up until it is cleared
    Scene("home-notice", with_notice(_home(True))),
    Scene("in-call-notice", with_notice(in_call(NOTE, QR))),
)
