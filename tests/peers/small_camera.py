"""Headless Chromium whose fake camera plays a small picture, for tests with several video calls at once.

Chromium's built-in fake camera sends 640x480 at 30 frames a second, and each call's browser encodes it
and the kiosk decodes it; with three calls on a machine of two shared cores that is most of the test's
CPU. A Y4M file played instead (``--use-file-for-fake-video-capture``, looped by Chromium) costs a fraction
and still changes every frame, so a frame counter that goes up still proves the media flows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, async_playwright

from tests.peers.agent_console import BROWSER_ARGS

WIDTH, HEIGHT, FPS, FRAMES = 320, 240, 15, 30


def write_small_camera(path: Path, width: int = WIDTH, height: int = HEIGHT, frames: int = FRAMES) -> Path:
    """A green picture with a dark bar moving across (the agent's side, told apart from the kiosk's
    orange one in screenshots), as a 4:2:0 Y4M file of ``frames`` frames."""
    chroma = bytes([96]) * (width // 2 * height // 2), bytes([80]) * (width // 2 * height // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for n in range(frames):
            left = n * (width - 16) // frames
            row = bytes([150]) * left + bytes([30]) * 16 + bytes([150]) * (width - left - 16)
            out.write(b"FRAME\n" + row * height + chroma[0] + chroma[1])
    return path


@asynccontextmanager
async def chromium_with_small_camera(executable: str, workdir: Path) -> AsyncIterator[Browser]:
    """The system's headless Chromium, ready for WebRTC calls, its camera a small looped file in ``workdir``."""
    camera = write_small_camera(workdir / "camera.y4m")
    args = [*BROWSER_ARGS, f"--use-file-for-fake-video-capture={camera}"]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, headless=True, args=args)
        try:
            yield browser
        finally:
            await browser.close()
