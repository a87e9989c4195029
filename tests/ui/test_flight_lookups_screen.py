"""A passenger's flight lookups on the real kiosk window, tapped as a passenger would over a real FlightStore:
opening a flight sends one ``flights.looked_up`` event, a search sends one once it settles on a few flights
after a pause in typing, and during a call the flight opened reaches the agent over the data channel."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from bus.link import BusLink
from bus.messages.call import Push, PushKind
from bus.topics import Topics
from config.sections import BusSection
from demo.agent_peer import AgentPeer
from demo.desk import SignallingDesk
from device.events import DeviceEvents
from kiosk.session import LOOKED_UP
from kiosk.ui.call.flow import VideoHelpFlow
from tests.peers.wait import until
from tests.ui.test_flights_screen import open_flights, shown_numbers, store_with_boards, tap, tap_row
from video.session import SessionPhase
from video.settings import VideoSection
from video.signalling import MemorySignallingPair


class Sent:
    """Stands in for the device's outbox (``DeviceEvents.emit``)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, name: str, data: dict[str, Any]) -> None:
        self.events.append((name, data))


def test_opening_a_flights_details_sends_one_event_however_often_it_is_opened(qtbot, make_window, tmp_path):
    window = make_window(language="en")
    sent = Sent()
    window.session.report_lookups_to(sent)
    open_flights(qtbot, window, store_with_boards(tmp_path))
    screen = window.flights
    tap_row(qtbot, screen.board_list, 2)
    assert screen.detail.title.text() == "HU7181"
    assert sent.events == [(LOOKED_UP, {"flights": ["HU7181"], "via": "detail"})]
    for _ in range(3):  # back and in again, as a passenger does
        tap(qtbot, screen.detail.back_button)
        tap_row(qtbot, screen.board_list, 2)
    assert len(sent.events) == 1
    window.go_home()  # the next passenger
    open_flights(qtbot, window, window.flights.boards)
    tap_row(qtbot, screen.board_list, 2)
    assert sent.events[-1] == (LOOKED_UP, {"flights": ["HU7181"], "via": "detail"}) and len(sent.events) == 2


def test_an_agents_card_opened_is_no_lookup_of_the_passengers(qtbot, make_window, tmp_path):
    window = make_window(language="en")
    sent = Sent()
    window.session.report_lookups_to(sent)
    window.flights.set_boards(store_with_boards(tmp_path))
    window.show_screen(window.in_call)
    card = window.in_call.show_push(Push(call="c1", kind=PushKind.FLIGHT, data={"number": "HU7181"}))
    tap(qtbot, card.details_button)
    assert window.flights.detail.title.text() == "HU7181"
    assert sent.events == []


def test_a_search_sends_its_few_flights_once_typing_pauses(qtbot, make_window, tmp_path):
    window = make_window(language="en")
    sent = Sent()
    window.session.report_lookups_to(sent)
    open_flights(qtbot, window, store_with_boards(tmp_path))
    screen = window.flights
    screen.search_pause.pause_s = 0.3  # the real pause is 1.5 s
    tap(qtbot, screen.search_button)
    for key in "BJ":
        tap(qtbot, screen.keyboard.keys[key])
    assert shown_numbers(screen.result_list) == ["HU7180", "HU7181", "CA1376"]
    assert sent.events == [], "not on a keystroke"
    qtbot.waitUntil(lambda: bool(sent.events), timeout=3000)
    assert sent.events == [(LOOKED_UP, {"flights": ["HU7180", "HU7181", "CA1376"], "via": "search"})]
    tap(qtbot, screen.keyboard.clear_key)
    tap(qtbot, screen.keyboard.keys["Z"])
    assert screen.result_rows.rowCount() == 40, "forty ZH flights: a browse, nothing waits to be sent"
    assert screen.search_pause.settled(time.monotonic() + 60) == []
    for key in "H9001":
        tap(qtbot, screen.keyboard.keys[key])
    assert shown_numbers(screen.result_list) == ["ZH9001"]
    tap(qtbot, screen.search_back)  # gone before the pause: the search never settles
    assert screen.search_pause.settled(time.monotonic() + 60) == []
    assert len(sent.events) == 1


@pytest.mark.slow  # a real call: aiortc both ways
def test_a_flight_opened_during_a_call_reaches_the_agents_context(qtbot, make_window, qt_loop, tmp_path):
    window = make_window(language="en")
    window.flights.set_boards(store_with_boards(tmp_path))
    pair = MemorySignallingPair()
    desk = SignallingDesk(pair.device, VideoSection(width=320, height=240, fps=15))
    flow = VideoHelpFlow(window, desk)

    async def scenario() -> None:
        async with AgentPeer(pair.switchboard, width=320, height=240) as agent:
            window.show_screen(window.call_choice)
            tap(qtbot, window.call_choice.tiles["lang_en"])
            await until(lambda: flow.session is not None and flow.session.phase is SessionPhase.IN_CALL, "in call")
            first = json.loads(await agent.wait_channel_message())
            assert first["flight"] is None, "nothing looked at before the call"
            assert agent.call_id is not None
            card = Push(call=agent.call_id, kind=PushKind.FLIGHT, data={"number": "HU7181", "gate": "12"})
            agent.push_raw(card.model_dump_json())
            await until(lambda: window.in_call.push_panel.cards, "the flight card on screen")
            tap(qtbot, window.in_call.push_panel.cards[-1].details_button)
            assert window.current_screen is window.flights
            await until(lambda: len(agent.channel_messages) >= 2, "the context again, with the flight")
            context = json.loads(agent.channel_messages[-1])
            assert context["flight"] == window.session.flight and context["flight"].startswith("HU7181 → 北京 Beijing")
            assert context["location"] == "T1 Hall B" and context["language"] == "en"
            tap(qtbot, window.flights.detail.back_button)
            assert window.current_screen is window.in_call
            await flow.close()
        await desk.stop()

    qt_loop.run_until_complete(scenario())


def test_the_event_goes_into_the_devices_outbox_while_the_broker_is_away(qtbot, make_window, tmp_path):
    window = make_window(language="en")
    link = BusLink(BusSection(), "kiosk-demo-1")  # never started: the broker is away
    events = DeviceEvents(link, Topics("airport/HAK"), "kiosk-demo-1", tmp_path)
    try:
        window.session.report_lookups_to(events.emit)
        open_flights(qtbot, window, store_with_boards(tmp_path / "flights"))
        tap_row(qtbot, window.flights.board_list, 2)
        tap(qtbot, window.flights.detail.back_button)
        tap_row(qtbot, window.flights.board_list, 2)
        assert len(events.outbox) == 1, "stored once, to be sent when the broker is back"
    finally:
        events.close()
