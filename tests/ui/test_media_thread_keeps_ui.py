"""While the call's media thread is saturated, the kiosk's screen keeps its pace and answers taps: the Qt +
asyncio loop only draws (video.media_thread)."""

from __future__ import annotations

import asyncio
import time

import pytest
from PySide6.QtCore import Qt

from bench.ui_stall import Heartbeat
from tests.peers.wait import until
from video.media_thread import MediaThread

SATURATED_S = 1.2


async def saturate(seconds: float) -> None:
    """A step that holds the media loop (and Python's interpreter lock whenever it can) without yielding."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(1000))


@pytest.mark.slow
def test_the_screen_keeps_its_pace_and_answers_taps_while_the_media_thread_is_saturated(qtbot, make_window, qt_loop):
    window = make_window(language="en")
    window.show_screen(window.in_call)
    media = MediaThread("test media")
    heartbeat = Heartbeat()
    taps: list[float] = []
    window.in_call.hang_up_requested.connect(lambda: taps.append(time.monotonic()))

    async def scenario() -> None:
        media.submit(asyncio.sleep(0)).result(timeout=10)  # the thread is up before the clock starts
        heartbeat.start()
        busy = asyncio.wrap_future(media.submit(saturate(SATURATED_S)))
        await asyncio.sleep(0.2)
        tapped_at = time.monotonic()
        qtbot.mouseClick(window.in_call.hang_up, Qt.MouseButton.LeftButton)
        await until(lambda: bool(taps), "the tap answered")
        assert not busy.done(), "the tap was answered while the media thread was still busy"
        assert taps[0] - tapped_at < 0.1
        await busy

    try:
        qt_loop.run_until_complete(scenario())
    finally:
        ticks = heartbeat.stop()
        media.stop()
    # on one loop the whole saturated second would be one gap; here the screen's 10 ms timer keeps ticking
    assert len(ticks.gaps_ms) >= SATURATED_S * 1000 / 10 / 4, f"only {len(ticks.gaps_ms)} ticks"
    assert max(ticks.gaps_ms) < SATURATED_S * 1000 / 3, f"the screen stalled {max(ticks.gaps_ms):.0f} ms"
