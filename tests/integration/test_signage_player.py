"""The signage player on a real Mosquitto: a board published by central's own publisher appears on it and
an update changes only its row, a ``screen`` command darkens it and is answered on cmd/reply, and with the
broker gone it shows the last board with its age."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from bus.codec import encode
from bus.link import BusLink, Publication
from bus.messages.device import Command
from bus.messages.flights import Direction, FlightEvent
from bus.topics import Topics
from central.feeds.legs import EventTime, Leg, LegKey
from central.flights.board import FlightBoards
from central.flights.publisher import BoardPublisher
from config.sections import AppSection, BusSection
from signage.settings import DisplaySection, SignageBusSection, SignageSettings
from signage.ui.app import SignageApp
from signage.ui.flight_model import Column
from tests.peers.inbox import Inbox
from tests.peers.wait import until

ROOT = "airport/HAK"
DEVICE = "signage-t1-07"
DEP = Direction.DEPARTURES
SOON = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=1)


def leg(number: str, gate: str) -> Leg:
    times = {FlightEvent.OFF_BLOCK: EventTime(scheduled=SOON + timedelta(minutes=int(number)))}
    return Leg(key=LegKey("HU", number, "HAK", "PEK", date.today()), times=times, departure_gate=gate)


def reply_to(command_id: str):
    return lambda topic, body: topic.endswith("/cmd/reply") and body["id"] == command_id


def test_a_board_from_central_appears_on_the_player_and_follows_updates_commands_and_an_outage(
    mosquitto, qt_loop, qtbot, tmp_path
):
    settings = SignageSettings(
        app=AppSection(state_dir=tmp_path / "signage"),
        bus=SignageBusSection(url=mosquitto.url, device_id=DEVICE, reconnect_min_s=1, reconnect_max_s=1),
        display=DisplaySection(fullscreen=False, width=1280, height=720, rows=10),
    )
    central_link = BusLink(BusSection(url=mosquitto.url, site="HAK"), "test-central")
    boards = FlightBoards("HAK")
    publisher = BoardPublisher(central_link, Topics(ROOT), boards, "Asia/Shanghai", first_revision=100)

    async def scenario() -> None:
        publisher.start()
        await central_link.start()
        app = SignageApp(settings)
        qtbot.addWidget(app.board)
        running = asyncio.ensure_future(app.run())
        try:
            board = app.board
            model = board.models[DEP]
            await until(lambda: board.connection.state == "online", "the player online")
            assert board.body.currentWidget() is board.no_data, "before any board: no data"

            boards.replace("csv", [leg("1", "12"), leg("2", "3")])
            await until(lambda: model.rowCount() == 2, "the board on the player")
            assert board.body.currentWidget() is board.table
            assert not board.fresh.isVisibleTo(board), "a live board shows no age"
            assert model.data(model.index(0, Column.FLIGHT)) == "HU1"
            assert model.data(model.index(0, Column.PLACE)) == "12"
            resets = model.resets
            changed_rows: list[tuple[int, int]] = []
            model.dataChanged.connect(lambda top, bottom: changed_rows.append((top.row(), bottom.row())))

            boards.replace("csv", [leg("1", "14"), leg("2", "3")])
            await until(lambda: model.data(model.index(0, Column.PLACE)) == "14", "the gate change on the player")
            assert model.resets == resets, "an update does not reset the board"
            assert changed_rows == [(0, 0)], "only the changed row was touched"

            async with Inbox(BusSection(url=mosquitto.url), f"{ROOT}/device/{DEVICE}/#") as inbox:
                command = Command(id="cmd-screen-1", name="screen", args={"state": "off"})
                inbox.link.publish(Publication(f"{ROOT}/device/{DEVICE}/cmd", encode(command), qos=1))
                reply = await inbox.wait_for(reply_to("cmd-screen-1"))
                assert reply["id"] == "cmd-screen-1" and reply["ok"] is True, reply
                assert reply["detail"] == "screen off"
                assert not board.lit
                wrong = Command(id="cmd-screen-2", name="screen", args={"state": "dim"})
                inbox.link.publish(Publication(f"{ROOT}/device/{DEVICE}/cmd", encode(wrong), qos=1))
                refused = await inbox.wait_for(reply_to("cmd-screen-2"))
                assert refused["ok"] is False and "on, off or auto" in refused["detail"]
                assert not board.lit, "a refused command changes nothing"
                again = Command(id="cmd-screen-3", name="screen", args={"state": "on"})
                inbox.link.publish(Publication(f"{ROOT}/device/{DEVICE}/cmd", encode(again), qos=1))
                await inbox.wait_for(reply_to("cmd-screen-3"))
                assert board.lit

            mosquitto.stop()
            await until(lambda: board.fresh.isVisibleTo(board), "the board marked as the last known one")
            assert board.fresh.text() == "最后一次更新于 0 分钟前"
            assert model.rowCount() == 2, "the last board stays on screen"
        finally:
            app.request_quit()
            await running
            publisher.close()
            await central_link.stop()

    qt_loop.run_until_complete(scenario())
