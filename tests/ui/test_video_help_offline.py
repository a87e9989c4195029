"""Video help while the kiosk or central is offline: the tile says so, a tap explains and offers what works.

The slow test runs the real kiosk window on a real bus link: first pointed at a loopback port where no
broker listens (the top bar says "Offline"), then with a real Mosquitto started on that port (the link comes
back by itself), where central's retained status is published as gone and back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from bus.codec import encode
from bus.link import BusLink, LinkState, Publication
from bus.messages.central import CentralStatus
from bus.messages.device import OfflineReason
from bus.topics import TopicKind, Topics
from config.sections import BusSection
from demo.desk import SignallingDesk
from kiosk.ui.call.flow import VideoHelpFlow
from kiosk.ui.video_help_state import VideoHelp, central_online, follow_central, video_help
from tests.peers.mosquitto import Mosquitto
from tests.peers.net import free_port
from tests.peers.wait import until
from video.settings import VideoSection
from video.signalling import BusSignalling

ROOT = "airport/HAK"
DEVICE = "kiosk-offline-1"
TALK = "Talk face to face with airport staff"
KIOSK_OFFLINE = "Not available right now: this kiosk has lost its connection"
CENTRAL_OFFLINE = "Not available right now: the help desk cannot be reached"


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_video_help_follows_the_link_and_central():
    assert video_help("online", None) is VideoHelp.AVAILABLE
    assert video_help("connecting", None) is VideoHelp.AVAILABLE  # the first second after start
    assert video_help("offline", True) is VideoHelp.KIOSK_OFFLINE
    assert video_help("refused", False) is VideoHelp.KIOSK_OFFLINE
    assert video_help("online", False) is VideoHelp.CENTRAL_OFFLINE
    assert video_help("online", True) is VideoHelp.AVAILABLE


def test_central_status_is_read_leniently():
    assert central_online(encode(CentralStatus(online=False, reason=OfflineReason.LOST))) is False
    assert central_online(encode(CentralStatus(online=True))) is True
    assert central_online(b"") is None  # the retained status cleared
    assert central_online(b'{"v": 1, "online": "maybe"}') is None
    assert central_online(b"\xff not json") is None


def test_the_choice_screen_changes_in_place_when_the_kiosk_goes_offline(make_window):
    window = make_window(language="zh-CN")
    window.show_screen(window.call_choice)
    assert window.call_choice.open_choices == ["lang_zh", "lang_en", "sign"]
    window.set_connection("offline")
    choice = window.call_choice
    assert choice.open_choices == [] and not any(tile.isVisibleTo(window) for tile in choice.tiles.values())
    assert choice.title.text() == "视频咨询暂不可用"
    assert window.home.video_tile.detail.text() == "暂不可用：本机网络连接已中断"
    title = window.home.video_tile.title
    greyed = title.palette().color(title.foregroundRole())
    assert window.home.video_tile.property("unavailable") is True  # greyed and dashed (kiosk/ui/theme.py)
    window.set_connection("online")
    assert choice.open_choices == ["lang_zh", "lang_en", "sign"]
    assert window.home.video_tile.detail.text() == "与机场服务人员面对面交谈"
    assert window.home.video_tile.property("unavailable") is False
    assert title.palette().color(title.foregroundRole()) != greyed  # the accent colour again


@pytest.mark.slow
def test_offline_video_help_explains_offers_what_works_and_returns_with_the_link(
    qtbot, make_window, qt_loop, tmp_path: Path
):
    window = make_window(language="en")
    port = free_port()
    settings = BusSection(url=f"mqtt://127.0.0.1:{port}", reconnect_min_s=1, reconnect_max_s=1)
    link = BusLink(settings, DEVICE)
    link.add_state_listener(lambda state, _detail: window.set_connection(state.value))
    follow_central(link, ROOT, window.set_central_online)
    signalling = BusSignalling(link, Topics(ROOT), DEVICE)
    signalling.start()
    desk = SignallingDesk(signalling, VideoSection(width=320, height=240, fps=15))
    flow = VideoHelpFlow(window, desk)
    broker = Mosquitto(tmp_path / "broker", port=port)

    async def scenario() -> None:
        await link.start()
        await until(lambda: link.state is LinkState.OFFLINE, "the link to give up on the missing broker")
        assert window.top_bar.connection.label.text() == "Offline"
        assert window.home.video_tile.detail.text() == KIOSK_OFFLINE

        tap(qtbot, window.home.video_tile)
        choice = window.call_choice
        assert window.current_screen is choice
        assert choice.title.text() == "Video help is not available right now"
        assert choice.closed_body.text().startswith("This kiosk has lost its network connection")
        assert not any(tile.isVisibleTo(window) for tile in choice.tiles.values()), "no call to choose"
        assert [tile.isVisibleTo(window) for tile in choice.other_tiles] == [True, True, True]
        assert choice.flights_tile.detail.text() == "The last board this kiosk received"
        tap(qtbot, choice.flights_tile)
        assert window.current_screen is window.flights
        window.show_screen(choice)
        tap(qtbot, choice.info_tile)
        assert window.current_screen is window.info
        # "call again" on an ended call's screen, offline: the explanation again, not a request that fails
        window.call_ended.call_again.emit()
        assert window.current_screen is choice
        assert desk.prepared == 0 and flow.session is None and not window.call_active, "no call attempted"

        broker.start()
        await until(lambda: link.state is LinkState.ONLINE, "the link back once a broker listens", 20)
        assert window.video_help is VideoHelp.AVAILABLE
        assert window.home.video_tile.detail.text() == TALK
        assert choice.open_choices == ["lang_zh", "lang_en", "sign"]

        # the broker is up but central is gone (its Last Will, retained), then back
        status_topic = Topics(ROOT).site(TopicKind.CENTRAL_STATUS)
        gone = encode(CentralStatus(online=False, reason=OfflineReason.LOST))
        assert link.publish(Publication(status_topic, gone, qos=1, retain=True))
        await until(lambda: window.home.video_tile.detail.text() == CENTRAL_OFFLINE, "central shown as gone")
        assert choice.closed_body.text().startswith("The help desk's system cannot be reached")
        assert choice.open_choices == []
        assert link.publish(Publication(status_topic, encode(CentralStatus(online=True)), qos=1, retain=True))
        await until(lambda: window.home.video_tile.detail.text() == TALK, "central back")
        assert choice.open_choices == ["lang_zh", "lang_en", "sign"]
        await link.stop()
        await desk.stop()

    try:
        qt_loop.run_until_complete(scenario())
    finally:
        broker.stop()
