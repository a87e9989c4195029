"""The Pi's cameras behind the one ``FrameSource`` interface: a CSI camera through picamera2 (a fake module
stands in for it: picamera2 is not installable here), a USB camera by device path, and a missing camera
at start reported as absent, then picked up when it appears."""

from __future__ import annotations

import asyncio
import sys
import types
from typing import Any, ClassVar

import numpy as np
import pytest

from bus.messages.device import CameraState
from hardware.camera import CameraOwner, CsiCamera, FileSource, SourceUnavailable, SyntheticSource, UvcCamera
from hardware.camera.sources import open_source


class FakePicamera2:
    """What CsiCamera uses of picamera2.Picamera2, recording the calls; pictures are RGB888 (stored BGR)."""

    cameras: ClassVar[list[dict[str, Any]]] = [{"Model": "imx708", "Num": 0}]
    opened: ClassVar[list[FakePicamera2]] = []

    def __init__(self, index: int) -> None:
        self.index = index
        self.calls: list[str] = []
        self.config: dict[str, Any] = {}
        self.frames = 0
        FakePicamera2.opened.append(self)

    @staticmethod
    def global_camera_info() -> list[dict[str, Any]]:
        return FakePicamera2.cameras

    def create_video_configuration(self, main: dict[str, Any], controls: dict[str, Any]) -> dict[str, Any]:
        return {"main": main, "controls": controls}

    def configure(self, config: dict[str, Any]) -> None:
        self.config = config
        self.calls.append("configure")

    def start(self) -> None:
        self.calls.append("start")

    def capture_array(self, stream: str) -> np.ndarray:
        assert stream == "main"
        self.frames += 1
        width, height = self.config["main"]["size"]
        picture = np.zeros((height, width, 4), dtype=np.uint8)  # XBGR8888-like: a fourth byte to drop
        picture[:, :, 0] = 200  # blue first, as libcamera's RGB888 stores it
        return picture

    def stop(self) -> None:
        self.calls.append("stop")

    def close(self) -> None:
        self.calls.append("close")


@pytest.fixture
def picamera2(monkeypatch: pytest.MonkeyPatch) -> type[FakePicamera2]:
    module = types.ModuleType("picamera2")
    module.Picamera2 = FakePicamera2  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "picamera2", module)
    FakePicamera2.opened = []
    monkeypatch.setattr(FakePicamera2, "cameras", [{"Model": "imx708", "Num": 0}])
    return FakePicamera2


def test_a_csi_camera_gives_bgr_frames_of_the_configured_size_and_closes_and_reopens(picamera2):
    camera = CsiCamera(640, 480, 25)
    frame = camera.read()
    assert frame is not None and frame.shape == (480, 640, 3) and frame.dtype == np.uint8
    assert frame[0, 0, 0] == 200  # blue stays in OpenCV's first channel
    opened = picamera2.opened[0]
    assert opened.config == {"main": {"size": (640, 480), "format": "RGB888"}, "controls": {"FrameRate": 25.0}}
    camera.close()
    assert opened.calls == ["configure", "start", "stop", "close"]
    assert camera.read() is not None  # the owner switches cameras off and on with its consumers
    assert len(picamera2.opened) == 2
    camera.close()


def test_without_picamera2_or_without_a_csi_camera_the_source_is_unavailable(picamera2, monkeypatch):
    picamera2.cameras = []
    with pytest.raises(SourceUnavailable, match="no CSI camera 0"):
        CsiCamera(640, 480, 25).read()

    def no_module(name: str) -> types.ModuleType:
        raise ModuleNotFoundError(f"No module named {name!r}")

    with pytest.raises(SourceUnavailable, match="apt install python3-picamera2"):
        CsiCamera(640, 480, 25, import_module=no_module).read()


def test_a_missing_usb_camera_is_unavailable_not_an_error(tmp_path):
    with pytest.raises(SourceUnavailable, match="no camera at"):
        UvcCamera(tmp_path / "airport-camera", 640, 480, 30).read()


def test_the_video_setting_picks_the_source():
    assert isinstance(open_source("synthetic", 320, 240, 30), SyntheticSource)
    csi = open_source("csi:1", 640, 480, 25)
    assert isinstance(csi, CsiCamera) and csi.index == 1
    assert isinstance(open_source("csi", 640, 480, 25), CsiCamera)
    assert isinstance(open_source("/dev/airport-camera", 640, 480, 30), UvcCamera)
    assert isinstance(open_source("/srv/video/loop.mp4", 640, 480, 30), FileSource)
    with pytest.raises(ValueError, match="whole number"):
        open_source("csi:front", 640, 480, 25)


async def test_a_camera_missing_at_start_is_absent_in_health_and_picked_up_when_it_appears(picamera2, monkeypatch):
    picamera2.cameras = []  # nothing on the ribbon connector at boot
    monkeypatch.setattr(CameraOwner, "RETRY_INTERVAL_S", 0.02)
    owner = CameraOwner(CsiCamera(64, 48, 30), fps=30)
    states: list[CameraState] = []
    absent, running = asyncio.Event(), asyncio.Event()

    def on_state(state: CameraState) -> None:
        states.append(state)
        if state is CameraState.ABSENT:
            absent.set()
        if state is CameraState.RUNNING:
            running.set()

    owner.add_state_listener(on_state)
    subscription = owner.subscribe("call")
    try:
        await asyncio.wait_for(absent.wait(), 5)
        assert owner.health().state is CameraState.ABSENT
        picamera2.cameras = [{"Model": "imx708", "Num": 0}]  # connected (and the service restarted)
        frame = await subscription.next_frame()
        assert frame.shape == (48, 64, 3)
        await asyncio.wait_for(running.wait(), 5)  # the state reaches the loop after the frame may
        assert owner.health().state is CameraState.RUNNING
        assert states[:2] == [CameraState.ABSENT, CameraState.RUNNING]
    finally:
        await owner.stop()


def test_whether_the_camera_is_plugged_in_is_known_without_opening_it(tmp_path):
    from hardware.camera_presence import camera_plugged_in

    sysfs = tmp_path / "video4linux"
    sysfs.mkdir()
    assert camera_plugged_in("synthetic", sysfs)
    assert not camera_plugged_in("csi", sysfs)  # no CSI receiver: the firmware found no sensor
    (sysfs / "video0").mkdir()
    (sysfs / "video0/name").write_text("UVC Camera (046d:0825)\n")
    assert not camera_plugged_in("csi", sysfs)
    (sysfs / "video1").mkdir()
    (sysfs / "video1/name").write_text("unicam-image\n")
    assert camera_plugged_in("csi", sysfs) and camera_plugged_in("csi:0", sysfs)

    device = tmp_path / "airport-camera"
    assert not camera_plugged_in(str(device), sysfs)
    device.touch()  # plugged in: udev made the name
    assert camera_plugged_in(str(device), sysfs)


@pytest.mark.slow  # a fresh interpreter importing the kiosk's call module: over a second
def test_the_presence_check_loads_neither_opencv_nor_picamera2():
    import subprocess

    from tests.peers.programs import ROOT

    code = "import sys, kiosk.calls; print(sorted(m for m in ('cv2', 'picamera2') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
