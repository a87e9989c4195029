"""The ``[video]`` section: how the kiosk's calls look, sound and give up."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from config.sections import Section

SYNTHETIC_CAMERA = "synthetic"


class VideoSection(Section):
    """Video calls: codec, picture size and rate, camera and microphone, and the call's time limits."""

    codec: Literal["vp8", "h264"] = Field(
        default="vp8",
        description="Preferred video codec, offered first: vp8 (every browser, cheapest here) or h264 (the other "
        "codec stays offered as a fallback).",
    )
    width: Annotated[int, Field(ge=160, le=1920)] = Field(default=640, description="Sent picture width, pixels.")
    height: Annotated[int, Field(ge=120, le=1080)] = Field(default=480, description="Sent picture height, pixels.")
    fps: Annotated[int, Field(ge=1, le=60)] = Field(
        default=30, description="Camera frames read and sent per second, at most."
    )
    adapt: bool = Field(
        default=True,
        description="Lower the frame rate, then the size, while this kiosk's CPU or the network cannot keep up with"
        " the picture above, and climb back when they can (docs/calls.md); off sends it whatever happens.",
    )
    camera: str = Field(
        default=SYNTHETIC_CAMERA,
        min_length=1,
        description="Picture source: 'synthetic' (a moving test pattern), a USB camera's device (/dev/airport-camera, "
        "/dev/video0), 'csi' or 'csi:N' (a Raspberry Pi camera on the ribbon connector, through picamera2), or the "
        "path of a video file played in a loop.",
    )
    microphone: bool = Field(
        default=False,
        description="Send the microphone's sound; when off (or when it cannot be opened) the call carries silence.",
    )
    microphone_device: str = Field(
        default="default",
        description="ALSA capture device used when microphone is on, e.g. 'default' or 'hw:1,0'.",
    )
    media_timeout_s: Annotated[float, Field(gt=0, le=300)] = Field(
        default=10.0,
        description="Seconds without any media from the agent (network lost, agent vanished) before the call "
        "ends as failed.",
    )
    connect_timeout_s: Annotated[float, Field(gt=0, le=300)] = Field(
        default=20.0,
        description="Seconds from the agent accepting to media flowing before the call ends as failed (aiortc "
        "itself gives up on unreachable ICE candidates only after about 64 s).",
    )
