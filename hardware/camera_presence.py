"""Whether the configured camera is there, without opening it: for the health report of a kiosk whose
camera nobody uses yet (the camera itself is opened only for a call, with OpenCV or picamera2, which this
module must not import: the kiosk loads them only when a passenger first asks for video help).

Paths under /sys are module constants so tests can point them at a fake tree.
"""

from __future__ import annotations

from pathlib import Path

V4L2_SYSFS = Path("/sys/class/video4linux")
# The Pi's CSI receivers (Pi 4: unicam, Pi 5: rp1-cfe) appear only when the firmware found a sensor on the
# ribbon connector at boot (camera_auto_detect), so one of them being there means a CSI camera is.
CSI_RECEIVERS = ("unicam", "rp1-cfe")


def camera_plugged_in(spec: str, v4l2_sysfs: Path = V4L2_SYSFS) -> bool:
    """True when ``[video] camera`` names something that is there now: the synthetic pattern, a CSI
    camera (``csi``, ``csi:N``), or an existing device or file path."""
    if spec == "synthetic":
        return True
    if spec == "csi" or spec.startswith("csi:"):
        return any(_device_name(node).startswith(CSI_RECEIVERS) for node in _nodes(v4l2_sysfs))
    return Path(spec).exists()


def _nodes(v4l2_sysfs: Path) -> list[Path]:
    try:
        return list(v4l2_sysfs.iterdir())
    except OSError:
        return []


def _device_name(node: Path) -> str:
    try:
        return (node / "name").read_text().strip()
    except OSError:
        return ""
