"""The kiosk's Flights screen on the real window, tapped as a passenger would, over a real FlightStore
(boards applied as central's snapshots and updates, cached on disk in the test's folder)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import pytest
from PySide6.QtCore import QPoint, Qt

from bus.messages.call import CallRequest, Push, PushKind
from bus.messages.flights import Direction, Flight, FlightBoard, FlightStatus, FlightUpdate
from demo.agent_peer import AgentPeer
from demo.desk import SignallingDesk
from device.flights.store import FlightStore
from hardware.printer.settings import PrinterSection
from kiosk.printing.service import PrinterService
from kiosk.printing.setup import open_printer, open_wifi_codes
from kiosk.printing.wifi import WifiCodes
from kiosk.ui.call.flow import VideoHelpFlow
from kiosk.ui.flights.words import delay_minutes, find_pushed, hour_start, zone
from kiosk.ui.print_actions import PrintActions
from kiosk.ui.print_status import PrintStatus
from kiosk.ui.window import KioskWindow
from tests.peers.printer import printer_emulator
from tests.peers.wait import until
from video.settings import VideoSection
from video.signalling import MemorySignallingPair

TZ = "Asia/Shanghai"
CENTRAL = "http://127.0.0.1:8080"  # the default [info] central_url


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def tap_row(qtbot, table, row: int) -> None:
    table.scrollTo(table.model().index(row, 0))
    rect = table.visualRect(table.model().index(row, 2))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# The screen's "now" is pinned to the moment the boards were made, or a test running as the hour turns
# would find another hour at the top than the one its flights were made for.
NOW = datetime.now(UTC)


def flight(number: str, other: str, minutes: int, direction: Direction = Direction.DEPARTURES, **more) -> Flight:
    """A flight ``minutes`` after the start of the current hour at HAK."""
    start = hour_start(NOW, zone(TZ))
    day = start.strftime("%Y%m%d")
    return Flight(
        id=f"{number}-{day}-{'D' if direction is Direction.DEPARTURES else 'A'}",
        number=number,
        direction=direction,
        other_airport=other,
        scheduled=start + timedelta(minutes=minutes),
        **more,
    )


DELAYED = dict(
    status=FlightStatus.DELAYED, gate="12", terminal="T1", check_in="A01-A12", codeshares=["CA5167", "MU3011"]
)
DEPARTURES = [
    flight("CZ6712", "CAN", -150, status=FlightStatus.DEPARTED, gate="3"),
    flight("MU5324", "PVG", -70, gate="7"),
    flight("HU7181", "PEK", 20, estimated=None, **DELAYED),
    flight("CA1376", "PEK", 35, status=FlightStatus.BOARDING, gate="5"),
    flight("3U8726", "CTU", 45, gate="9"),
    *(flight(f"ZH{9000 + n}", "SZX", 60 + 5 * n, gate=str(n % 30)) for n in range(40)),
]
ARRIVALS = [flight("HU7180", "PEK", 10, Direction.ARRIVALS, belt="2"), flight("KE877", "ICN", 40, Direction.ARRIVALS)]


def with_delay(flights: list[Flight], minutes: int) -> list[Flight]:
    return [
        f.model_copy(update={"estimated": f.scheduled + timedelta(minutes=minutes)}) if f.number == "HU7181" else f
        for f in flights
    ]


def board(direction: Direction, flights: list[Flight], revision: int = 1) -> FlightBoard:
    return FlightBoard(direction=direction, revision=revision, flights=flights, site="HAK", tz=TZ)


def store_with_boards(folder: Path, clock=None) -> FlightStore:
    store = FlightStore(folder, clock=clock) if clock else FlightStore(folder)
    store.apply_snapshot(board(Direction.DEPARTURES, with_delay(DEPARTURES, 35)))
    store.apply_snapshot(board(Direction.ARRIVALS, ARRIVALS))
    return store


def open_flights(qtbot, window: KioskWindow, store: FlightStore) -> None:
    window.flights._now = lambda: NOW
    window.flights.set_boards(store)
    tap(qtbot, window.home.flights_tile)
    assert window.current_screen is window.flights


def shown_numbers(table) -> list[str]:
    return [table.model().index(row, 1).data() for row in range(table.model().rowCount())]


def qr_on_screen(label, path: Path) -> str:
    """Decode the QR code a label shows, as a phone's camera would read it off the screen."""
    assert label.isVisible() and not label.pixmap().isNull(), "no QR code on screen"
    assert label.pixmap().save(str(path))
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
    return text


def test_the_home_tile_opens_departures_with_the_current_hour_at_the_top(qtbot, make_window, tmp_path):
    window = make_window(language="en")
    open_flights(qtbot, window, store_with_boards(tmp_path))
    screen = window.flights
    assert screen.title.text() == "Flights" and screen.departures_button.isChecked()
    numbers = shown_numbers(screen.board_list)
    assert numbers[:3] == ["CZ6712", "MU5324", "HU7181"], "in time order"
    qtbot.waitUntil(lambda: screen.board_list.first_visible_row() == 2)  # HU7181, the first of this hour
    assert screen.board_list.rowHeight(0) >= 64, "rows large enough for a finger"
    tap(qtbot, screen.arrivals_button)
    assert shown_numbers(screen.board_list) == ["HU7180", "KE877"]
    assert screen.board_rows.headerData(3, Qt.Orientation.Horizontal) == "Belt"


def test_typing_b_j_on_the_keyboard_finds_the_beijing_flights(qtbot, make_window, tmp_path):
    window = make_window(language="zh-CN")
    open_flights(qtbot, window, store_with_boards(tmp_path))
    screen = window.flights
    tap(qtbot, screen.search_button)
    assert screen.pages.currentWidget() is screen.search_page
    tap(qtbot, screen.keyboard.keys["B"])
    assert screen.query_line.text() == "B" and screen.result_rows.rowCount() > 0, "results on every key"
    tap(qtbot, screen.keyboard.keys["J"])
    assert screen.query_line.text() == "BJ"
    assert shown_numbers(screen.result_list) == ["HU7180", "HU7181", "CA1376"]
    cities = {screen.result_rows.index(row, 2).data() for row in range(3)}
    assert cities == {"前往北京", "来自北京"}
    tap(qtbot, screen.keyboard.delete_key)
    tap(qtbot, screen.keyboard.keys["Q"])
    assert screen.result_rows.rowCount() == 0 and screen.search_hint.text().startswith("没有相符的航班")
    tap(qtbot, screen.keyboard.clear_key)
    assert screen.query_line.text().startswith("输入航班号") and screen.cities.isVisible()


def test_a_city_button_shows_that_citys_flights_in_the_passengers_language(qtbot, make_window, tmp_path):
    window = make_window(language="en")
    open_flights(qtbot, window, store_with_boards(tmp_path))
    screen = window.flights
    tap(qtbot, screen.search_button)
    names = [button.text() for button in screen.cities.buttons if button.isVisibleTo(screen.cities)]
    assert names[0] == "Shenzhen" and "Beijing" in names, "the most-served first, in English"
    beijing = screen.cities.button_for("Beijing")
    assert beijing is not None and beijing.height() >= 64
    tap(qtbot, beijing)
    assert screen.query_line.text() == "Beijing"
    assert shown_numbers(screen.result_list) == ["HU7180", "HU7181", "CA1376"]
    window.top_bar.language_button.click()
    assert screen.cities.button_for("北京") is not None


def test_a_flights_details_show_gate_times_delay_and_a_qr_of_its_page(qtbot, make_window, tmp_path):
    window = make_window(language="en")
    open_flights(qtbot, window, store_with_boards(tmp_path))
    screen = window.flights
    tap_row(qtbot, screen.board_list, 2)
    detail = screen.detail
    assert screen.pages.currentWidget() is detail
    assert detail.title.text() == "HU7181" and detail.route.text() == "To Beijing"
    start = hour_start(NOW, zone(TZ))
    scheduled, expected = start + timedelta(minutes=20), start + timedelta(minutes=55)
    assert detail.values["scheduled"].text() == scheduled.strftime("%H:%M")
    assert detail.values["expected"].text() == expected.strftime("%H:%M")
    assert detail.values["delay"].text() == "35 min late"
    assert detail.values["gate"].text() == "12" and detail.values["check_in"].text() == "A01-A12"
    assert detail.values["codeshares"].text() == "CA5167  MU3011"
    assert detail.status.text() == f"Delayed {expected.strftime('%H:%M')}"
    assert not detail.values["belt"].isVisibleTo(detail), "a departure has no belt"
    url = f"{CENTRAL}/flight/HU7181-{start.strftime('%Y%m%d')}-D"
    assert detail.url == url
    assert qr_on_screen(detail.qr, tmp_path / "qr.png") == url
    assert window.session.flight is not None and "HU7181" in window.session.flight
    assert url.rsplit("/", 1)[1] in window.session.flight, "the agent can open the same page"
    tap(qtbot, detail.back_button)
    assert screen.pages.currentWidget() is screen.browse_page


def test_the_detail_follows_a_board_update_without_blocking(qtbot, make_window, tmp_path):
    window = make_window(language="en")
    store = store_with_boards(tmp_path)
    open_flights(qtbot, window, store)
    screen = window.flights
    tap_row(qtbot, screen.board_list, 2)
    moved = with_delay(DEPARTURES, 35)[2].model_copy(update={"gate": "27"})
    assert store.apply_update(
        FlightUpdate(direction=Direction.DEPARTURES, base_revision=1, revision=2, changed=[moved])
    )
    assert screen.detail.values["gate"].text() == "12", "redrawn on the next turn of the loop, not inside the store"
    qtbot.waitUntil(lambda: screen.detail.values["gate"].text() == "27")


def test_offline_the_cached_board_says_how_old_it_is(qtbot, make_window, tmp_path):
    heard = 1_800_000_000.0
    store_with_boards(tmp_path, clock=lambda: heard).close()  # written to disk as central's last word
    window = make_window(language="en")
    open_flights(qtbot, window, FlightStore(tmp_path, clock=lambda: heard + 12 * 60 + 5))
    screen = window.flights
    assert screen.freshness.isVisible()
    assert screen.freshness.text() == "Last updated 12 min ago — no connection"
    assert "HU7181" in shown_numbers(screen.board_list), "the last board stays readable"
    window.top_bar.language_button.click()
    assert screen.freshness.text() == "12分钟前更新 — 网络未连接"


def test_before_any_board_the_screen_says_there_is_none_yet(qtbot, make_window, tmp_path):
    window = make_window(language="en")
    open_flights(qtbot, window, FlightStore(tmp_path))
    screen = window.flights
    assert screen.empty.isVisible() and not screen.board_list.isVisible()
    assert screen.empty.text() == "No flight information yet. Please ask at an information desk."


def test_a_scanned_pass_or_an_agents_card_opens_the_flight_and_back_returns(qtbot, make_window, tmp_path):
    window = make_window(language="en")
    store = store_with_boards(tmp_path)
    window.flights.set_boards(store)
    tap(qtbot, window.home.flights_tile)
    with qtbot.waitSignal(window.flights.scan_requested):
        tap(qtbot, window.flights.scan_button)
    assert window.current_screen is window.scan, "Scan boarding pass opens the Scan screen"
    window.show_screen(window.flights)
    assert not window.flights.show_flight("XX1-20000101-D"), "not on the board: nothing changes"
    assert window.current_screen is window.flights
    window.show_screen(window.in_call)
    card = window.in_call.show_push(Push(call="c1", kind=PushKind.FLIGHT, data={"number": "HU 7181", "gate": "12"}))
    assert card.details_button is not None and card.details_button.text() == "Show details"
    tap(qtbot, card.details_button)
    assert window.current_screen is window.flights
    assert window.flights.detail.title.text() == "HU7181"
    tap(qtbot, window.flights.detail.back_button)
    assert window.current_screen is window.in_call, "back to the call"
    other = window.in_call.show_push(Push(call="c1", kind=PushKind.FLIGHT, data={"number": "ZZ1"}))
    assert other.details_button is None, "a flight not on the board offers nothing to open"


def test_print_is_disabled_with_the_reason_while_the_printer_cannot_print(qtbot, make_window, tmp_path):
    window = make_window(language="en")
    open_flights(qtbot, window, store_with_boards(tmp_path))
    window.flights.set_printer_available(False)
    tap_row(qtbot, window.flights.board_list, 2)
    detail = window.flights.detail
    assert not detail.print_button.isEnabled()
    assert detail.print_reason.isVisible()
    assert detail.print_reason.text() == "Printer unavailable — scan the code instead"


@dataclass
class Printing:
    service: PrinterService
    wifi_codes: WifiCodes


@contextmanager
def printing_kiosk(window: KioskWindow, folder: Path) -> Iterator[tuple[PrinterService, object]]:
    with printer_emulator(folder / "emulator", baud=38400) as emulator:
        settings = PrinterSection(
            enabled=True,
            port=str(emulator.link),
            baud=emulator.baud,
            paper_mm=58,
            status_interval_s=0.2,
            reply_timeout_s=0.5,
            reopen_max_s=0.5,
        )
        service = open_printer(settings, folder / "state", lambda *_: None)
        codes = open_wifi_codes(settings, folder / "state")
        actions = PrintActions(window, Printing(service, codes), "Airport-Free-WiFi")
        try:
            yield service, emulator
        finally:
            actions.close()
            codes.close()


@pytest.mark.slow
def test_print_prints_the_flight_slip_with_the_flights_page(qtbot, make_window, qt_loop, tmp_path):
    window = make_window(language="en")
    open_flights(qtbot, window, store_with_boards(tmp_path / "flights"))
    with printing_kiosk(window, tmp_path) as (service, emulator):

        async def scenario() -> None:
            await service.start()
            try:
                await until(lambda: window.home.printer_available, "the printer ready")
                tap_row(qtbot, window.flights.board_list, 2)
                detail = window.flights.detail
                assert detail.print_button.isEnabled() and not detail.print_reason.isVisible()
                tap(qtbot, detail.print_button)
                status = detail.print_status
                assert status.status is PrintStatus.PRINTING
                await until(lambda: status.status is PrintStatus.PRINTED, lambda: f"printed, not {status.text()}")
            finally:
                await service.stop()

        qt_loop.run_until_complete(scenario())
        receipts = emulator.wait_for_receipts(1)
    assert receipts[0]["qr"] == [window.flights.detail.url]
    assert "HU7181" in receipts[0]["text"] and receipts[0]["complete"]
    text = "\n".join(receipts[0]["text"])
    assert "To: Beijing" in text and "Gate: 12" in text and "目的地：北京" in text


@pytest.mark.slow
def test_the_call_request_carries_the_flight_the_passenger_looked_at(qtbot, make_window, qt_loop, tmp_path):
    window = make_window(language="en")
    open_flights(qtbot, window, store_with_boards(tmp_path))
    tap_row(qtbot, window.flights.board_list, 2)
    looked_at = window.session.flight
    pair = MemorySignallingPair()
    desk = SignallingDesk(pair.device, VideoSection(width=320, height=240, fps=15))
    VideoHelpFlow(window, desk)

    async def scenario() -> None:
        async with AgentPeer(pair.switchboard, hold_connect=True, eta_s=60) as agent:
            window.show_screen(window.call_choice)
            tap(qtbot, window.call_choice.tiles["lang_en"])
            request = await agent.wait_for_message(CallRequest)
            assert request.context.flight == looked_at
            tap(qtbot, window.waiting.cancel_button)
            await until(lambda: window.current_screen is window.call_choice, "the choice again")
        await desk.stop()

    qt_loop.run_until_complete(scenario())
    assert looked_at is not None and looked_at.startswith("HU7181 → 北京 Beijing")
    window.go_home()
    assert window.session.flight is None, "the next passenger starts afresh"


def test_a_tap_lands_on_the_row_under_the_finger(qtbot, make_window, tmp_path):
    window = make_window(language="en", width=800, height=1280)
    window.top_bar.large_text_button.click()
    open_flights(qtbot, window, store_with_boards(tmp_path))
    table = window.flights.board_list
    assert table.rowHeight(0) >= 90, "large text: taller rows"
    row = table.rowAt(table.viewport().height() // 2)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(20, table.rowViewportPosition(row) + 5))
    assert window.flights.detail.flight is not None
    assert window.flights.detail.flight.number == shown_numbers(table)[row]


def test_a_board_change_while_the_screen_is_hidden_is_drawn_when_it_shows(qtbot, make_window, tmp_path):
    window = make_window(language="en")
    store = store_with_boards(tmp_path)
    open_flights(qtbot, window, store)
    window.go_home()
    added = flight("HU7999", "SYX", 30, gate="30")
    update = FlightUpdate(direction=Direction.DEPARTURES, base_revision=1, revision=2, changed=[added])
    assert store.apply_update(update)
    qtbot.waitUntil(lambda: window.flights.stale)  # the change came, and waits for the screen to show
    assert "HU7999" not in shown_numbers(window.flights.board_list)
    window.flights.open_board()
    window.show_screen(window.flights)
    assert "HU7999" in shown_numbers(window.flights.board_list)


def test_an_agents_card_finds_the_flight_by_id_number_or_codeshare_nearest_now():
    now = datetime.now(UTC)
    early = flight("HU7181", "PEK", -600, codeshares=["CA5167"])
    late = flight("HU7181", "PEK", 30, codeshares=["CA5167"]).model_copy(update={"id": "HU7181-later-D"})
    flights = [early, late]
    assert find_pushed(flights, {"id": early.id}, now) is early
    assert find_pushed(flights, {"number": "hu 7181"}, now) is late, "the one nearest now"
    assert find_pushed(flights, {"number": "CA5167"}, now) is late, "a codeshare number too"
    assert find_pushed(flights, {"number": "ZZ1"}, now) is None
    assert find_pushed(flights, {}, now) is None
    assert delay_minutes(late.model_copy(update={"estimated": late.scheduled + timedelta(minutes=35)})) == 35
    assert delay_minutes(late.model_copy(update={"estimated": late.scheduled - timedelta(minutes=5)})) == 0
    assert delay_minutes(late) == 0


def test_two_thousand_flights_long_names_and_many_codeshares_never_grow_the_window(qtbot, make_window, tmp_path):
    window = make_window(language="en", width=800, height=1280)
    long_city = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch International"
    many = [f"ZZ{1000 + n}" for n in range(12)]
    flights = [
        flight(f"HU{1000 + n}", "PEK", n - 600, city_en=long_city, codeshares=many, remarks_en=long_city)
        for n in range(2000)
    ]
    store = FlightStore(tmp_path)
    store.apply_snapshot(board(Direction.DEPARTURES, flights))
    open_flights(qtbot, window, store)
    table = window.flights.board_list
    assert table.model().rowCount() == 2000
    assert table.verticalScrollBar().maximum() > 0, "the list scrolls"
    tap_row(qtbot, table, table.rowAt(0))
    detail = window.flights.detail
    assert detail.values["codeshares"].text() == "  ".join(many)
    assert window.size().toTuple() == (800, 1280)
    assert detail.values["codeshares"].width() <= detail.scroll_area.viewport().width()
    tap(qtbot, detail.back_button)
    tap(qtbot, window.flights.search_button)
    for char in "HU1":
        tap(qtbot, window.flights.keyboard.keys[char])
    assert window.flights.result_rows.rowCount() == 200, "at most 200 results on screen"
    assert window.size().toTuple() == (800, 1280)
