"""What the kiosk's screens say: waits that agree, the agent's name, outside text shown as typed, the
connection light's dot in every state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from bus.messages.call import Push, PushKind
from bus.messages.central import QueueSummary, SkillQueue
from kiosk.ui.theme import HIGH_CONTRAST, NORMAL
from kiosk.ui.tour import settle


def queue_of(**skill: SkillQueue) -> QueueSummary:
    return QueueSummary(skills=skill, service_hours="06:00–24:00")


@pytest.mark.parametrize(
    ("eta_s", "english", "chinese"),
    [
        (0, "An agent is free now", "现在有服务人员空闲"),
        (20, "An agent is free now", "现在有服务人员空闲"),
        (45, "Expected wait: about 1 min", "预计等待约 1 分钟"),
        (170, "Expected wait: about 3 min", "预计等待约 3 分钟"),
        (26 * 60, "Expected wait: about 25 min", "预计等待约 25 分钟"),
        (2 * 3600, "Expected wait: more than an hour", "预计等待超过 1 小时"),
    ],
)
def test_the_choice_and_the_waiting_screen_say_the_same_wait(make_window, eta_s, english, chinese):
    window = make_window(language="en")
    # one caller ahead and nobody free: the wait comes from the forecast on both screens
    window.call_choice.set_queue(queue_of(en=SkillQueue(waiting=1, agents_staffed=1, expected_wait_s=eta_s)))
    window.waiting.set_queue(1, eta_s)
    assert window.call_choice.tiles["lang_en"].detail.text() == english
    assert window.waiting.eta.text() == english
    window.top_bar.language_button.click()
    assert window.call_choice.tiles["lang_en"].detail.text() == chinese
    assert window.waiting.eta.text() == chinese


def test_the_agents_name_has_a_line_of_its_own_and_is_never_broken(make_window):
    window = make_window(language="zh-CN", width=800, height=1280)
    window.top_bar.large_text_button.click()
    screen = window.in_call
    screen.set_agent("Demo Agent 演示坐席")
    screen.set_connected()
    window.show_screen(screen)
    settle()
    assert screen.agent_intro.text() == "正在为您服务"
    assert screen.agent_name.full_text == "Demo Agent 演示坐席"
    assert screen.agent_name.text() == "Demo Agent 演示坐席", "it fits the width: shown whole"
    line = screen.agent_name.fontMetrics().lineSpacing()
    assert screen.agent_name.height() < 2 * line, "one line, never wrapped"

    very_long = "Demo Agent 演示坐席" * 6
    screen.set_agent(very_long)
    settle()
    shown = screen.agent_name.text()
    assert shown.endswith("…") and len(shown) > 10, f"elided to the width, not cut to a character: {shown!r}"
    assert screen.agent_name.height() < 2 * line


HOSTILE = "Alice <b>A</b> <img src=x>"


def test_text_from_outside_is_shown_as_typed_never_as_markup(make_window):
    window = make_window(language="en")
    screen = window.in_call
    screen.set_agent(HOSTILE)
    screen.set_connected()
    card = screen.show_push(Push(call="c-1", kind=PushKind.TEXT, text=HOSTILE))
    flight = screen.show_push(
        Push(call="c-1", kind=PushKind.FLIGHT, data={"number": "<b>HU1</b>", "airport": "<i>PEK</i>"})
    )
    window.call_choice.set_queue(QueueSummary(skills={}, service_hours="<b>06:00</b>–24:00"))
    window.show_screen(screen)
    settle()
    assert screen.agent_name.text() == HOSTILE
    assert card.body.text() == HOSTILE
    assert "<b>HU1</b>" in flight.title.text()
    assert "<b>06:00</b>" in window.call_choice.closed_body.text()
    marked_up = [
        f"{label.objectName()}: {label.text()!r}"
        for label in window.findChildren(QLabel)
        if "<" in label.text() and label.textFormat() != Qt.TextFormat.PlainText
    ]
    assert not marked_up, f"labels that would draw outside text as markup: {marked_up}"
    # and no label anywhere is left to guess: every text on the kiosk is plain
    guessing = [
        f"{label.objectName()}: {label.text()!r}"
        for label in window.findChildren(QLabel)
        if label.text() and label.textFormat() != Qt.TextFormat.PlainText
    ]
    assert not guessing, f"labels that would render markup: {guessing}"


def test_the_location_and_site_from_the_settings_are_plain_text(make_window):
    window = make_window(language="en")
    assert window.home.location.textFormat() == Qt.TextFormat.PlainText
    assert window.top_bar.site.textFormat() == Qt.TextFormat.PlainText


@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "high-contrast"])
def test_the_connection_light_shows_its_dot_in_every_state(make_window, large_text):
    window = make_window(language="en")
    if large_text:
        window.top_bar.large_text_button.click()
    palette = HIGH_CONTRAST if large_text else NORMAL
    expected = {
        "online": palette.online,
        "connecting": palette.waiting,
        "offline": palette.offline,
        "refused": palette.offline,
    }
    light = window.top_bar.connection
    for state, colour in expected.items():
        window.set_connection(state)
        settle()
        picture = light.dot.grab().toImage()
        centre = picture.pixelColor(picture.width() // 2, picture.height() // 2)
        assert centre.name() == QColor(colour).name(), f"the {state} dot is {centre.name()}, not {colour}"
        assert light.dot.isVisible()
