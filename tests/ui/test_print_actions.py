"""The Wi-Fi tile and the agent's print push on the real kiosk window, tapped as a passenger would, against
the printer emulator on a real pseudo-terminal: printing, paper out before the tap, paper out after it.
Whatever the printer does, the QR is on screen and decodes to what the slip carries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import pytest
from PySide6.QtCore import Qt

from bus.messages.call import Push, PushKind
from hardware.printer.settings import PrinterSection
from hardware.scanner.decoder import decode
from kiosk.printing.service import PrinterService
from kiosk.printing.setup import open_printer, open_wifi_codes
from kiosk.printing.wifi import WifiCodes
from kiosk.ui.print_actions import PrintActions
from kiosk.ui.print_status import PrintStatus
from kiosk.ui.window import KioskWindow
from tests.peers.printer import PrinterEmulator, printer_emulator
from tests.peers.wait import until

SSID = "Airport-Free-WiFi"  # the default [info] wifi_ssid


@dataclass
class Printing:
    service: PrinterService
    wifi_codes: WifiCodes


@dataclass
class Kiosk:
    window: KioskWindow
    emulator: PrinterEmulator
    service: PrinterService
    actions: PrintActions


@contextmanager
def kiosk_with_printer(window: KioskWindow, folder: Path, pool: list[str] | None = None) -> Iterator[Kiosk]:
    """The window with its print actions on a printer service talking to the emulator (not yet started)."""
    pool_file = None
    if pool is not None:
        pool_file = folder / "wifi-codes.txt"
        folder.mkdir(parents=True, exist_ok=True)
        pool_file.write_text("\n".join(pool) + "\n", encoding="utf-8")
    with printer_emulator(folder / "emulator", baud=38400) as emulator:
        settings = PrinterSection(
            enabled=True,
            port=str(emulator.link),
            baud=emulator.baud,
            paper_mm=58,
            status_interval_s=0.2,
            reply_timeout_s=0.5,
            reopen_max_s=0.5,
            wifi_codes_file=pool_file,
        )
        service = open_printer(settings, folder / "state", lambda *_: None)
        codes = open_wifi_codes(settings, folder / "state")
        actions = PrintActions(window, Printing(service, codes), SSID)
        try:
            yield Kiosk(window, emulator, service, actions)
        finally:
            actions.close()
            codes.close()


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def qr_on_screen(label, path: Path) -> str:
    """Decode the QR code a label shows, as a phone's camera would read it off the screen."""
    assert label.isVisible() and not label.pixmap().isNull(), "no QR code on screen"
    assert label.pixmap().save(str(path))
    # the project's scanner (zxing-cpp), as a phone's would: OpenCV's own detector misses some codes
    codes = decode(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
    return codes[0].text if len(codes) == 1 else ""


def test_the_wifi_tile_prints_a_voucher_and_shows_the_same_qr_on_screen(qtbot, make_window, qt_loop, tmp_path):
    window = make_window(language="en")
    with kiosk_with_printer(window, tmp_path, pool=["K7PX2QMA9R", "M4QZ8WTE2N"]) as kiosk:

        async def scenario() -> None:
            tile = window.home.wifi_tile
            assert tile.detail.text() == "No printer: scan the code on screen"  # not yet asked
            await kiosk.service.start()
            try:
                await until(lambda: window.home.printer_available, "the printer ready")
                assert tile.isEnabled() and tile.detail.text() == "Print a code, or scan it on screen"
                tap(qtbot, tile)
                assert window.current_screen is window.wifi
                status = window.wifi.status
                assert status.status is PrintStatus.PRINTING
                assert status.text() == "Printing… please take your slip from the printer."
                assert window.wifi.code_line.text() == "Password: K7PX2QMA9R"
                await until(lambda: status.status is PrintStatus.PRINTED, lambda: f"printed, not {status.text()}")
                assert status.text() == "Printed. Please take your slip from the printer."
                window.top_bar.language_button.click()
                assert status.text() == "打印完成，请从打印机取走凭条。"
            finally:
                await kiosk.service.stop()

        qt_loop.run_until_complete(scenario())
        receipts = kiosk.emulator.wait_for_receipts(1)
    expected = "WIFI:T:WPA;S:Airport-Free-WiFi;P:K7PX2QMA9R;;"
    assert [receipt["qr"] for receipt in receipts] == [[expected]]
    assert receipts[0]["complete"] and receipts[0]["cut"]
    assert window.wifi.qr_text == expected
    assert qr_on_screen(window.wifi.qr, tmp_path / "screen-qr.png") == expected


def test_paper_out_before_the_tap_the_tile_says_so_and_the_qr_is_on_screen(qtbot, make_window, qt_loop, tmp_path):
    window = make_window(language="zh-CN")
    with kiosk_with_printer(window, tmp_path) as kiosk:

        async def scenario() -> None:
            tile = window.home.wifi_tile
            await kiosk.service.start()
            try:
                await until(lambda: window.home.printer_available, "the printer ready")
                kiosk.emulator.fault("paper_out")
                await until(lambda: window.home.printer_available is False, "the tile told of the paper")
                assert tile.isEnabled()
                assert tile.detail.text() == "打印机暂不可用，请扫描屏幕上的二维码"
                tap(qtbot, tile)
                assert window.current_screen is window.wifi
                status = window.wifi.status
                assert status.status is PrintStatus.UNAVAILABLE and status.property("problem") is True
                assert status.text() == "打印机缺纸。请改为扫描屏幕上的二维码。"
                window.top_bar.language_button.click()
                assert status.text() == "The printer is out of paper. Scan the code on screen instead."
                assert kiosk.service.health().jobs_pending == 0, "nothing queued to print for nobody later"
                assert qr_on_screen(window.wifi.qr, tmp_path / "screen-qr.png") == window.wifi.qr_text
                assert window.wifi.qr_text.startswith("WIFI:T:WPA;S:Airport-Free-WiFi;P:")
                kiosk.emulator.fault("refill")
                await until(lambda: window.home.printer_available, "the tile back after the refill")
                assert tile.detail.text() == "Print a code, or scan it on screen"
            finally:
                await kiosk.service.stop()

        qt_loop.run_until_complete(scenario())
        assert kiosk.emulator.receipts() == []


def test_paper_out_after_the_tap_says_so_and_the_voucher_prints_after_the_refill(qtbot, make_window, qt_loop, tmp_path):
    window = make_window(language="en")
    window.top_bar.large_text_button.click()
    with kiosk_with_printer(window, tmp_path) as kiosk:

        async def scenario() -> None:
            await kiosk.service.start()
            try:
                await until(lambda: window.home.printer_available, "the printer ready")
                kiosk.emulator.fault("paper_out_after", lines=4)  # out half-way through the voucher
                tap(qtbot, window.home.wifi_tile)
                status = window.wifi.status
                assert status.status is PrintStatus.PRINTING
                await until(lambda: status.status is PrintStatus.HELD, lambda: f"held, not {status.text()}")
                assert status.text() == "The printer is out of paper. Scan the code on screen instead."
                assert window.home.wifi_tile.detail.text() == "No printer: scan the code on screen"
                assert qr_on_screen(window.wifi.qr, tmp_path / "screen-qr.png") == window.wifi.qr_text
                kiosk.emulator.fault("refill")
                await until(lambda: status.status is PrintStatus.PRINTED, lambda: f"printed, not {status.text()}")
            finally:
                await kiosk.service.stop()

        qt_loop.run_until_complete(scenario())
        receipts = kiosk.emulator.wait_for_receipts(2)
    torn, whole = receipts
    assert not torn["complete"]
    assert whole["complete"] and whole["qr"] == [window.wifi.qr_text]


def test_no_codes_left_sends_the_passenger_to_a_desk(qtbot, make_window, qt_loop, tmp_path):
    window = make_window(language="en")
    with kiosk_with_printer(window, tmp_path, pool=["ONLYONE234"]) as kiosk:

        async def scenario() -> None:
            await kiosk.service.start()
            try:
                await until(lambda: window.home.printer_available, "the printer ready")
                tap(qtbot, window.home.wifi_tile)
                assert window.wifi.code_line.text() == "Password: ONLYONE234"
                status = window.wifi.status
                await until(lambda: status.status is PrintStatus.PRINTED, lambda: f"printed, not {status.text()}")
                tap(qtbot, window.wifi.home_button)
                tap(qtbot, window.home.wifi_tile)
                assert window.current_screen is window.wifi
                assert window.wifi.status.status is PrintStatus.NO_CODES
                assert window.wifi.status.text().endswith("Please ask at an information desk.")
                assert not window.wifi.qr.isVisible() and not window.wifi.code_line.isVisible()
            finally:
                await kiosk.service.stop()

        qt_loop.run_until_complete(scenario())
        receipts = kiosk.emulator.wait_for_receipts(1)
    assert len(receipts) == 1


@pytest.mark.parametrize("paper", ["loaded", "out"])
def test_an_agents_print_push_prints_the_slip_or_says_it_cannot(qtbot, make_window, qt_loop, tmp_path, paper):
    window = make_window(language="en")
    push = Push(
        call="c1", kind=PushKind.PRINT, text="Desk 3, arrivals level. 3号服务台。", url="https://hak.example/bag/1"
    )
    with kiosk_with_printer(window, tmp_path) as kiosk:

        async def scenario() -> None:
            await kiosk.service.start()
            try:
                await until(lambda: window.home.printer_available, "the printer ready")
                if paper == "out":
                    kiosk.emulator.fault("paper_out")
                    await until(lambda: window.home.printer_available is False, "the printer out of paper")
                window.in_call.reset()
                window.show_screen(window.in_call)
                card = window.in_call.show_push(push)
                assert card.print_status is not None
                assert card.title.text() == "To take with you"
                assert qr_on_screen(card.image, tmp_path / "card-qr.png") == push.url
                if paper == "out":
                    assert card.print_status.status is PrintStatus.UNAVAILABLE
                    assert card.print_status.text() == "The printer is out of paper. Scan the code on screen instead."
                else:
                    assert card.print_status.text() == "Printing… please take your slip from the printer."
                    await until(lambda: card.print_status.status is PrintStatus.PRINTED, "the slip printed")
            finally:
                await kiosk.service.stop()

        qt_loop.run_until_complete(scenario())
        if paper == "loaded":
            receipts = kiosk.emulator.wait_for_receipts(1)
            assert receipts[0]["qr"] == [push.url] and receipts[0]["complete"]
            assert "3号服务台" in "".join(receipts[0]["text"]), receipts[0]["text"]
        else:
            assert kiosk.emulator.receipts() == []


def test_a_text_only_print_push_without_a_printer_asks_to_read_it_on_screen(make_window):
    window = make_window(language="zh-CN")  # no print actions: a kiosk whose printing has not started
    card = window.in_call.show_push(Push(call="c1", kind=PushKind.PRINT, text="出租车在4号门。"))
    assert card.print_status is not None and card.print_status.status is PrintStatus.UNAVAILABLE
    assert card.print_status.text() == "打印机暂时无法使用。请直接在屏幕上查看。"
    assert card.body.text() == "出租车在4号门。" and card.image.isHidden()
    assert not window.home.wifi_tile.isEnabled(), "no Wi-Fi codes to hand out before the printing starts"


def test_an_agent_prints_a_slip_during_a_real_call(qtbot, make_window, qt_loop, tmp_path):
    """The ``print`` push over the call's data channel from a real aiortc agent peer, to paper."""
    from demo.agent_peer import AgentPeer
    from tests.ui.test_video_help import Kiosk as CallKiosk

    window = make_window(language="en")
    call = CallKiosk(window)
    with kiosk_with_printer(window, tmp_path) as kiosk:

        async def scenario() -> None:
            await kiosk.service.start()
            try:
                await until(lambda: window.home.printer_available, "the printer ready")
                async with AgentPeer(call.pair.switchboard, width=320, height=240) as agent:
                    tap(qtbot, window.home.video_tile)
                    tap(qtbot, window.call_choice.tiles["lang_en"])
                    await until(lambda: window.current_screen is window.in_call, "the call screen")
                    await agent.wait_channel_open()
                    agent.push(PushKind.PRINT, text="Taxi rank: exit 4", url="https://hak.example/taxi")
                    await until(lambda: len(window.in_call.push_cards) == 1, "the slip's card")
                    card = window.in_call.push_cards[0]
                    assert card.print_status is not None
                    await until(lambda: card.print_status.status is PrintStatus.PRINTED, "the slip printed")
                    assert card.print_status.text() == "Printed. Please take your slip from the printer."
                    await agent.hang_up()
                    await until(lambda: window.current_screen is window.rating, "the rating screen")
                await until(lambda: call.camera.subscriber_count == 0, "the camera released")
                await call.camera.stop()
            finally:
                await kiosk.service.stop()

        qt_loop.run_until_complete(scenario())
        receipts = kiosk.emulator.wait_for_receipts(1)
    assert receipts[0]["qr"] == ["https://hak.example/taxi"] and receipts[0]["complete"]
    assert "Taxi rank: exit 4" in receipts[0]["text"]
