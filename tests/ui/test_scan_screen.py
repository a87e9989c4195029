"""The Scan screen on the real kiosk window with a synthetic camera (hardware.scanner.samples.CodeSource):
a boarding pass held up shows its flight; other codes are shown as text at most."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from hardware.camera import CameraOwner
from hardware.scanner.bcbp import encode
from hardware.scanner.decoder import CodeFormat
from hardware.scanner.samples import CodeSource, code_image
from kiosk.scanning.flight import Departures
from kiosk.scanning.points import PointUnavailable
from kiosk.ui.scan.flow import ScanFlow
from kiosk.ui.tour import SCAN_DAY, SCAN_FLIGHT, SCAN_PASS, SCAN_POINT, SCAN_TZ
from tests.peers.wait import until

CENTRAL = "https://help.hak.example"
BOARD = Departures(flights=(SCAN_FLIGHT,), site="HAK", tz=SCAN_TZ)


class Kiosk:
    """The window with a scan flow on a camera that shows ``text`` as ``format_`` from its 4th frame on."""

    def __init__(self, window, text: str | None, format_=CodeFormat.QR, camera=True) -> None:
        self.window = window
        self.source = CodeSource(code_image(text, format_) if text else None, appears_at=3)
        self.camera = CameraOwner(self.source, fps=30)
        self.fetched: list[str] = []
        self.fetch_threads: set[str] = set()

        async def open_camera():
            return self.camera if camera else None

        self.flow = ScanFlow(window, open_camera, lambda: BOARD, CENTRAL, fetch=self.fetch, today=lambda: SCAN_DAY)

    def fetch(self, central_url: str, point_id: str):
        self.fetch_threads.add(threading.current_thread().name)
        self.fetched.append(point_id)
        if point_id == SCAN_POINT.id:
            return SCAN_POINT
        raise PointUnavailable("central answered 404")

    async def scan(self) -> None:
        self.window.open_scan()
        assert self.window.current_screen is self.window.scan
        await until(lambda: self.window.current_screen is self.window.scan_result, "the scan's result")
        await until(lambda: self.camera.subscriber_count == 0, "the camera released after the scan")

    async def close(self) -> None:
        await self.flow.close()
        await self.camera.stop()


def shown_texts(screen) -> str:
    return "\n".join(label.text() for label in screen.findChildren(QLabel) if label.isVisibleTo(screen))


def test_a_boarding_pass_held_up_shows_its_flight_gate_and_initials(make_window, qt_loop):
    window = make_window(language="en")
    kiosk = Kiosk(window, encode(SCAN_PASS), CodeFormat.PDF417)

    async def scenario() -> None:
        window.open_scan()
        await until(
            lambda: window.scan.preview.pixmap() is not None and not window.scan.preview.pixmap().isNull(),
            "the preview",
        )
        assert "20 cm" in window.scan.guidance.text()
        await until(lambda: window.current_screen is window.scan_result, "the flight")
        await until(lambda: kiosk.camera.subscriber_count == 0, "the camera released")
        await kiosk.close()

    qt_loop.run_until_complete(scenario())
    result = window.scan_result
    assert result.title.text() == "Your flight"
    assert result.headline.text() == "HU7181 to Beijing"
    rows = dict(zip((n.text() for n in result.names), (v.text() for v in result.values), strict=True))
    assert rows["Gate"] == "12" and rows["Departs"] == "14:35 → 15:10" and rows["Status"] == "Boarding"
    assert rows["Passenger"] == "Z. S." and rows["Seat"] == "12A"
    texts = shown_texts(window)
    assert "ZHANG" not in texts and "SANFENG" not in texts  # the name only as initials
    assert "DEF456" not in texts  # nor the booking reference
    assert kiosk.fetched == []
    window.top_bar.language_button.click()
    assert result.headline.text() == "HU7181 前往 北京" and result.names[0].text() == "登机口"


def test_an_unreadable_pass_says_so_in_the_passengers_language(make_window, qt_loop):
    window = make_window(language="zh-CN")
    broken = encode(SCAN_PASS)[:50]
    kiosk = Kiosk(window, broken, CodeFormat.AZTEC)
    qt_loop.run_until_complete(kiosk.scan())
    qt_loop.run_until_complete(kiosk.close())
    assert window.scan_result.body.text() == "无法读取此登机牌。请重试，或到值机柜台咨询。"
    window.top_bar.language_button.click()
    assert window.scan_result.body.text().startswith("This boarding pass can't be read.")


def test_hostile_content_is_shown_as_plain_text_only_and_never_fetched(make_window, qt_loop):
    window = make_window(language="en")
    hostile = (
        "<img src=x onerror=alert(1)><b>bold</b>\x1b[31m\u202eevil https://help.hak.example.evil.example/p/t1 "
        + "A" * 400
    )
    kiosk = Kiosk(window, hostile, CodeFormat.QR)
    qt_loop.run_until_complete(kiosk.scan())
    result = window.scan_result
    shown_first = result.body.text()

    async def scan_again() -> None:
        result.again_button.click()
        assert window.current_screen is window.scan
        await until(lambda: kiosk.camera.subscriber_count == 2, "the camera on again for the next scan")
        await kiosk.close()

    qt_loop.run_until_complete(scan_again())
    assert result.body.text() == shown_first
    assert result.title.text() == "Scanned code"
    shown = result.body.text()
    assert shown.startswith(
        "<img src=x onerror=alert(1)><b>bold</b>[31mevil https://help.hak.example.evil.example/p/t1 "
    )
    assert len(shown) == 160 and shown.endswith("…")
    assert result.body.textFormat() == Qt.TextFormat.PlainText
    assert not any(ch in shown for ch in "\x1b\u202e")
    assert kiosk.fetched == []  # a look-alike host is not central: nothing is asked of anyone


def test_an_info_points_code_shows_the_point_fetched_off_the_ui_thread(make_window, qt_loop):
    window = make_window(language="en")
    kiosk = Kiosk(window, f"{CENTRAL}/p/{SCAN_POINT.id}")

    async def scenario() -> None:
        await kiosk.scan()
        await until(lambda: window.scan_result.headline.text() == "T1 Departures Hall, desk A12", "the point")
        await kiosk.close()

    qt_loop.run_until_complete(scenario())
    assert kiosk.fetched == [SCAN_POINT.id]
    assert threading.main_thread().name not in kiosk.fetch_threads
    assert "Nearby: Toilets, Baby care room" in window.scan_result.body.text()


def test_an_info_point_central_cannot_describe_shows_its_id_and_a_friendly_line(make_window, qt_loop):
    window = make_window(language="en")
    kiosk = Kiosk(window, f"{CENTRAL}/p/t9-gone")

    async def scenario() -> None:
        await kiosk.scan()
        await until(
            lambda: "t9-gone" in window.scan_result.body.text() and "can't be shown" in window.scan_result.body.text(),
            "the failure",
        )
        await kiosk.close()

    qt_loop.run_until_complete(scenario())
    assert kiosk.fetched == ["t9-gone"]


def test_no_camera_says_so_and_leaving_the_scan_screen_stops_the_camera(make_window, qt_loop):
    window = make_window(language="en")
    missing = Kiosk(window, None, camera=False)

    async def no_camera() -> None:
        window.open_scan()
        await until(lambda: window.scan.camera_missing, "the no-camera line")
        await missing.flow.close()

    qt_loop.run_until_complete(no_camera())
    assert window.scan.status.text().startswith("The camera is not available")

    window2 = make_window(language="en")
    nothing = Kiosk(window2, None)  # a camera with nothing in front of it

    async def walk_away() -> None:
        window2.open_scan()
        await until(lambda: nothing.camera.subscriber_count == 2, "preview and decoder on the camera")
        window2.go_home()
        await until(lambda: nothing.camera.subscriber_count == 0, "the camera released on leaving")
        await until(lambda: not nothing.camera.reading, "the camera off")
        assert not nothing.flow.scanning
        await nothing.close()

    qt_loop.run_until_complete(walk_away())


def test_a_pass_whose_flight_is_on_the_board_opens_its_details_to_take_away(make_window, qtbot):
    from kiosk.scanning.flight import find_flight
    from kiosk.ui.flights.board import FixedBoards
    from kiosk.ui.scan.result import FlightFound

    window = make_window(language="en")
    window.flights.set_boards(FixedBoards([SCAN_FLIGHT], SCAN_TZ))
    found = find_flight(SCAN_PASS, (SCAN_FLIGHT,), "HAK", SCAN_TZ, SCAN_DAY)
    window.scan_result.show_outcome(FlightFound(found, SCAN_TZ, SCAN_DAY))
    window.show_screen(window.scan_result)
    button = window.scan_result.details_button
    assert button.isVisible() and button.text() == "Flight details"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.current_screen is window.flights
    assert window.flights.detail.title.text() == "HU7181"
    qtbot.mouseClick(window.flights.detail.back_button, Qt.MouseButton.LeftButton)
    assert window.current_screen is window.scan_result, "Back returns to the scanned pass"
    not_here = find_flight(SCAN_PASS, (), "HAK", SCAN_TZ, SCAN_DAY)
    window.scan_result.show_outcome(FlightFound(not_here, SCAN_TZ, SCAN_DAY))
    assert not window.scan_result.details_button.isVisible(), "a flight not on the board offers nothing to open"
