"""A follow-up case on the kiosk, against central's real web app on loopback: the agent's case push shows
the case's QR (it decodes to the case's page), Print asks for the slip, and a passenger who chooses to
types a number on the keypad that reaches the case and leaves the screen; a number too short is not
sent, and a case central does not know says so on screen."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest
from PySide6.QtCore import Qt

import central.accounts
from bus.messages.call import Push, PushKind
from central.cases.desk import Actor
from hardware.scanner.decoder import decode
from kiosk.ui.case_qr import CallbackState, CaseCard
from tests.peers.case_site import CaseSite
from tests.peers.wait import until


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def qr_on_screen(card: CaseCard, path: Path) -> str:
    card.image.pixmap().save(str(path))
    codes = decode(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))  # the project's scanner, as a phone would
    return codes[0].text if len(codes) == 1 else ""


def case_push(url: str, number: int) -> Push:
    return Push(call="call-0001", kind=PushKind.QR, text=f"Your case {number}", url=url, data={"case": number})


def test_a_passenger_takes_the_case_qr_and_chooses_a_callback(qtbot, make_window, qt_loop, tmp_path):
    window = make_window(language="en")
    (tmp_path / "central").mkdir()
    site = CaseSite(tmp_path / "central")
    printed: list[object] = []
    window.in_call.print_requested.connect(printed.append)

    async def scenario() -> None:
        await site.start()
        try:
            case = site.cases.open(Actor("wu"), "lost_property", "a black umbrella at gate 5", "call-0001")
            url = str(site.server.make_url(f"/c/{case.token}"))
            window.show_screen(window.in_call)
            card = window.in_call.show_push(case_push(url, case.number))
            assert isinstance(card, CaseCard) and printed == [], "a case prints only when the passenger asks"
            assert qr_on_screen(card, tmp_path / "qr.png") == url
            assert card.title.text() == f"Your case {case.number}"
            assert not card.keypad.isVisibleTo(window), "the number is a choice, not a question in the way"

            tap(qtbot, card.print_button)
            assert printed == [card] and card.print_status is card.case_print_status

            tap(qtbot, card.callback_button)
            assert card.keypad.isVisibleTo(window) and not card.send_button.isEnabled()
            for digit in "12345":
                tap(qtbot, card.keypad.keys[digit])
            assert not card.send_button.isEnabled(), "five digits are no phone number"
            for digit in "678":
                tap(qtbot, card.keypad.keys[digit])
            window.grab().save(str(tmp_path / "case-callback-typing.png"))
            tap(qtbot, card.send_button)
            await until(lambda: card.callback_state is CallbackState.SENT, "the number sent")
            assert site.cases.get(case.number).phone == "12345678"
            assert card.keypad.number == "" and card.phone_shown.text() == "", "the number leaves the screen"
            assert card.callback_line.text() == "Thank you. We will call you back."

            gone = window.in_call.show_push(case_push(str(site.server.make_url("/c/" + "x" * 32)), 99))
            assert isinstance(gone, CaseCard)
            gone.offer_keypad()
            for digit in "13800138000":
                gone.keypad.press(digit)
            gone.send_number()
            await until(lambda: gone.callback_state is CallbackState.FAILED, "the refusal shown")
            assert gone.keypad.isVisibleTo(window), "the passenger may try again"
        finally:
            await site.close()

    qt_loop.run_until_complete(scenario())


@pytest.mark.slow
def test_print_puts_the_case_qr_on_a_receipt(qtbot, make_window, qt_loop, tmp_path):
    from kiosk.ui.print_status import PrintStatus
    from tests.ui.test_print_actions import kiosk_with_printer

    window = make_window(language="en")
    url = "https://hak.example/c/q2x7VbQ0mE9rT4yU1oP8aS5dF3gH6jK2"
    with kiosk_with_printer(window, tmp_path) as kiosk:

        async def scenario() -> None:
            await kiosk.service.start()
            try:
                await until(lambda: window.home.printer_available, "the printer ready")
                window.show_screen(window.in_call)
                card = window.in_call.show_push(case_push(url, 1042))
                assert isinstance(card, CaseCard) and not card.case_print_status.isVisibleTo(window)
                tap(qtbot, card.print_button)
                status = card.case_print_status
                assert status.isVisibleTo(window)
                await until(lambda: status.status is PrintStatus.PRINTED, lambda: f"printed, not {status.text()}")
            finally:
                await kiosk.service.stop()

        qt_loop.run_until_complete(scenario())
        receipts = kiosk.emulator.wait_for_receipts(1)
    assert receipts[0]["qr"] == [url] and receipts[0]["complete"]


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_keypad_for_a_callback_fits_a_short_screen_with_send_in_view(qtbot, make_window, language):
    window = make_window(language=language, width=800, height=1280)
    window.show_screen(window.in_call)
    card = window.in_call.show_push(case_push("https://hak.example/c/abc", 1042))
    assert isinstance(card, CaseCard)
    video_before = window.in_call.agent_video.height()
    tap(qtbot, card.callback_button)
    assert card.callback_state is CallbackState.TYPING
    area = window.in_call.push_panel.scroll_area
    for key in (card.send_button, card.cancel_button, card.keypad.keys["0"], card.keypad.keys["1"]):
        # each key whole inside the visible part of the panel: nothing to scroll to before tapping it
        qtbot.waitUntil(
            lambda key=key: (
                area.viewport()
                .rect()
                .contains(key.geometry().translated(key.parentWidget().mapTo(area.viewport(), key.pos()) - key.pos()))
            )
        )
    assert window.in_call.agent_video.height() < video_before, "the agent's picture made room"
    assert window.size().width() == 800 and window.size().height() == 1280, "the window did not grow"
    tap(qtbot, card.cancel_button)
    qtbot.waitUntil(lambda: window.in_call.agent_video.height() == video_before)
