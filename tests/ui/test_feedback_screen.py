"""The kiosk's "Suggestion or complaint", tapped as a passenger would, against central's real web app on
loopback: the categories come from central, the text is typed on the keyboard, the phone number is a
choice, and the case lands in the category's department; central's refusal (too many from this kiosk)
is said on screen and the passenger may try again with what they typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

import central.accounts
from kiosk.case_callback import fetch_categories, post_feedback
from kiosk.ui.feedback.screen import Step
from tests.peers.case_site import CaseSite
from tests.peers.wait import until


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_a_passenger_leaves_a_complaint_at_the_kiosk(qtbot, make_window, qt_loop, tmp_path: Path):
    window = make_window(language="zh-CN")
    (tmp_path / "central").mkdir()
    site = CaseSite(tmp_path / "central", posts_per_minute=1)
    form = window.feedback

    async def scenario() -> None:
        await site.start()
        try:
            central = str(site.server.make_url("/"))
            form.fetch_categories = lambda: fetch_categories(central)
            form.send_feedback = lambda c, text, phone: post_feedback(central, "kiosk-t1-01", c, text, phone)
            tap(qtbot, window.home.feedback_tile)
            assert window.current_screen is form
            await until(lambda: form.step is Step.WRITE, "the categories from central")
            names = [button.text() for button in form.category_group.buttons()]
            assert "投诉" in names and "遗失物品" in names
            assert not form.next_button.isEnabled()
            tap(qtbot, form.category_group.buttons()[names.index("投诉")])
            for key in "QUEUE":
                tap(qtbot, form.keyboard.keys[key])
            tap(qtbot, form.keyboard.space_key)
            for key in "TOO LONG":
                tap(qtbot, form.keyboard.space_key if key == " " else form.keyboard.keys[key])
            assert form.text_shown.text() == "queue too long"
            tap(qtbot, form.next_button)
            assert form.step is Step.CONTACT and not form.send_with.isEnabled()
            for digit in "13800138000":
                tap(qtbot, form.keypad.keys[digit])
            window.grab().save(str(tmp_path / "feedback-contact.png"))
            tap(qtbot, form.send_with)
            await until(lambda: form.step in (Step.DONE, Step.FAILED), "central's answer")
            assert form.step is Step.DONE and form.answer is not None
            case = site.cases.get(form.answer.number or 0)
            assert (case.category, case.department, case.summary) == ("complaint", "service", "queue too long")
            assert case.phone == "13800138000" and case.timeline[-1].text == "kiosk kiosk-t1-01"
            assert str(form.answer.number) in form.message.text()
            assert form.keypad.number == "" and form.keyboard.text == "", "nothing left for the next passenger"

            # the next passenger at once: one post a minute from this kiosk is all this central takes
            window.go_home()
            tap(qtbot, window.home.feedback_tile)
            await until(lambda: form.step is Step.WRITE, "the form again")
            form.choose("other")
            for key in "WIFI":
                form.keyboard.press(key)
            form.show_step(Step.CONTACT)
            tap(qtbot, form.send_without)
            await until(lambda: form.step is Step.FAILED, "the refusal")
            assert "一分钟后再试" in form.message.text() and form.retry_button.isVisibleTo(window)
            tap(qtbot, form.retry_button)
            assert form.step is Step.WRITE and form.keyboard.text == "wifi"
            assert len(site.store.unfinished()) == 1
        finally:
            await site.close()

    qt_loop.run_until_complete(scenario())


def test_without_central_the_form_says_it_is_unavailable(qtbot, make_window, qt_loop):
    window = make_window(language="en")
    form = window.feedback

    async def nothing() -> None:
        return None

    async def scenario() -> None:
        form.fetch_categories = nothing
        window.open_feedback()
        await until(lambda: form.step is Step.UNAVAILABLE, "the form giving up")
        assert "cannot be sent from this kiosk" in form.message.text()

    qt_loop.run_until_complete(scenario())


def in_view(area, widget) -> bool:
    """Whether the whole widget shows in the scroll area's visible part."""
    top_left = widget.mapTo(area.viewport(), widget.rect().topLeft())
    return area.viewport().rect().contains(widget.rect().translated(top_left))


@pytest.mark.parametrize(("language", "large"), [("en", False), ("zh-CN", False), ("en", True)])
def test_on_a_short_screen_choosing_a_category_brings_the_whole_keyboard_into_view(qtbot, make_window, language, large):
    from kiosk.case_callback import FeedbackCategory

    window = make_window(language=language, width=800, height=1280)
    if large:
        window.top_bar.large_text_button.click()
    screen = window.feedback
    screen.fetch_categories = None
    screen.start()
    window.show_screen(screen)
    named = [("lost_property", "Lost property", "遗失物品"), ("damaged_bag", "Damaged baggage", "行李损坏"),
             ("delayed_bag", "Delayed baggage", "行李延误"), ("complaint", "Complaint", "投诉"),
             ("other", "Other request", "其他诉求")]  # fmt: skip
    screen.set_categories([FeedbackCategory(*entry) for entry in named])
    screen.show_step(Step.WRITE)
    tap(qtbot, screen.category_group.button(3))
    assert screen.chosen is not None and screen.chosen.id == "complaint"
    for key in (screen.keyboard.space_key, screen.keyboard.keys["Q"], screen.keyboard.keys["M"]):
        qtbot.waitUntil(lambda key=key: in_view(screen._scroll, key))
    assert window.size().width() == 800 and window.size().height() == 1280, "the window did not grow"
