"""Scanning while the Scan screen shows: the camera's picture in the preview, its frames to the decoder,
and the first code found to the result screen. The camera is on only while the Scan screen is shown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING

from kiosk.scanning.codes import OtherCode, PassScanned, PointScanned, UnreadablePass, what_is
from kiosk.scanning.flight import Departures, find_flight
from kiosk.scanning.points import PointInfo, PointUnavailable, fetch_point
from kiosk.ui.scan.result import (
    FlightFound,
    OtherText,
    PointLoading,
    PointShown,
    PointUnavailableShown,
    Unreadable,
)

if TYPE_CHECKING:
    from hardware.camera import CameraOwner, CameraSubscription
    from hardware.scanner.decoder import Code
    from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)

CameraProvider = Callable[[], Awaitable["CameraOwner | None"]]
BoardProvider = Callable[[], Departures]
PointFetcher = Callable[[str, str], PointInfo]


class ScanFlow:
    """Runs the camera and the decoder for the window's Scan screen and shows what they find."""

    def __init__(
        self,
        window: KioskWindow,
        camera: CameraProvider,
        board: BoardProvider,
        central_url: str,
        fetch: PointFetcher = fetch_point,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._window = window
        self._camera_provider = camera
        self._board = board
        self._central_url = central_url
        self._fetch = fetch
        self._today = today
        self._run: asyncio.Task[None] | None = None
        self._fetching: asyncio.Task[None] | None = None
        self.codes_seen = 0
        self.found_at: float | None = None  # monotonic time the decoder reported the last code (benchmark)
        window.screens.currentChanged.connect(lambda _index: self._screen_changed())

    @property
    def scanning(self) -> bool:
        return self._run is not None and not self._run.done()

    def _screen_changed(self) -> None:
        if self._window.current_screen is self._window.scan:
            self._start()
        else:
            self._stop()

    def _start(self) -> None:
        if self.scanning:
            return
        self._window.scan.reset()
        self._run = asyncio.ensure_future(self._scan())

    def _stop(self) -> None:
        if self._run is not None:
            self._run.cancel()
            self._run = None

    async def close(self) -> None:
        """On the kiosk's shutdown: stop the camera and any fetch."""
        for task in (self._run, self._fetching):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._run = self._fetching = None

    async def _scan(self) -> None:
        from hardware.scanner.feed import ScanFeed  # zxing-cpp and OpenCV when a passenger first scans

        try:
            camera = await self._camera_provider()
        except Exception:
            log.exception("the camera could not be opened for scanning")
            camera = None
        if camera is None:
            self._window.scan.show_no_camera()
            return
        found: asyncio.Future[Code] = asyncio.get_running_loop().create_future()
        feed = ScanFeed(camera)

        def first(code: Code) -> None:
            if not found.done():
                self.found_at = time.monotonic()
                found.set_result(code)

        feed.add_listener(first)
        preview = camera.subscribe("scan-preview")
        showing = asyncio.ensure_future(self._show_preview(camera, preview))
        feed.start()
        try:
            code = await found
        finally:
            showing.cancel()
            camera.unsubscribe(preview)
            await feed.stop()
        self.codes_seen += 1
        self._show(code.text)

    async def _show_preview(self, camera: CameraOwner, subscription: CameraSubscription) -> None:
        from kiosk.ui.call.frames import camera_picture

        screen = self._window.scan
        with contextlib.suppress(Exception):  # SubscriptionClosed, a failing camera: the scan goes on without it
            while True:
                frame = await subscription.next_frame()
                screen.show_picture(await asyncio.to_thread(camera_picture, frame, screen.preview_size))

    def _show(self, text: str) -> None:
        window = self._window
        scanned = what_is(text, self._central_url)
        result = window.scan_result
        if isinstance(scanned, PassScanned):
            board = self._board()
            found = find_flight(scanned.boarding_pass, board.flights, board.site, board.tz, self._today())
            log.info("boarding pass scanned: %s, on the board: %s", found.leg.flight_number, found.flight is not None)
            result.show_outcome(FlightFound(found, board.tz, self._today()))
        elif isinstance(scanned, UnreadablePass):
            log.info("a boarding pass could not be read: %s", scanned.reason)
            result.show_outcome(Unreadable())
        elif isinstance(scanned, PointScanned):
            result.show_outcome(PointLoading(scanned.point_id))
            self._fetching = asyncio.ensure_future(self._fetch_point(scanned.point_id))
        elif isinstance(scanned, OtherCode):
            result.show_outcome(OtherText(scanned.shown))
        window.show_screen(result)

    async def _fetch_point(self, point_id: str) -> None:
        result = self._window.scan_result
        try:
            point = await asyncio.to_thread(self._fetch, self._central_url, point_id)
        except PointUnavailable as exc:
            log.info("info point %s: %s", point_id, exc)
            outcome: PointShown | PointUnavailableShown = PointUnavailableShown(point_id)
        else:
            outcome = PointShown(point)
        if result.outcome == PointLoading(point_id):  # the passenger may have moved on meanwhile
            result.show_outcome(outcome)
