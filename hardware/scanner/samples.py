"""Pictures of codes as a camera sees them, for tests, the benchmark and a demo camera without a real one.

:func:`code_image` draws a code with zxing-cpp's own writer; :func:`camera_frame` puts it into a 1280x720
scene with one of the things that go wrong in front of a kiosk's camera (:class:`Trouble`); and
:class:`CodeSource` is a camera (a :class:`hardware.camera.FrameSource`) that shows a code from a known
frame on. Everything is seeded, so a failing frame can be drawn again.
"""

from __future__ import annotations

import time
from enum import StrEnum

import cv2
import numpy as np
import zxingcpp

from hardware.camera.sources import Frame
from hardware.scanner.decoder import CodeFormat, Image

FRAME_WIDTH = 1280
FRAME_HEIGHT = 720
_WRITER_FORMATS = {
    CodeFormat.QR: zxingcpp.BarcodeFormat.QRCode,
    CodeFormat.PDF417: zxingcpp.BarcodeFormat.PDF417,
    CodeFormat.AZTEC: zxingcpp.BarcodeFormat.Aztec,
    CodeFormat.DATA_MATRIX: zxingcpp.BarcodeFormat.DataMatrix,
}


class Trouble(StrEnum):
    """What happens to a code held up to a kiosk's camera."""

    NONE = "none"
    ROTATION = "rotation"
    BLUR = "blur"
    PERSPECTIVE = "perspective"
    LOW_CONTRAST = "low contrast"
    GLARE = "glare"
    COVERED = "partly covered"
    MOIRE = "moiré"  # a phone screen filmed: its pixel grid beats with the camera's
    NO_CODE = "no code"


def code_image(text: str, format_: CodeFormat, module_px: int = 4) -> Image:
    """The code for ``text``, black on white with its quiet zone, ``module_px`` pixels a module (grayscale)."""
    barcode = zxingcpp.create_barcode(text, _WRITER_FORMATS[format_])
    return np.asarray(barcode.to_image(scale=module_px), dtype=np.uint8)


def camera_frame(code: Image | None, trouble: Trouble, seed: int, width: int = FRAME_WIDTH) -> Frame:
    """A BGR camera frame (16:9) with ``code`` held in it under ``trouble`` (None or NO_CODE: no code)."""
    rng = np.random.default_rng(seed)
    height = width * 9 // 16
    frame = _scene(width, height, rng)
    if code is None or trouble is Trouble.NO_CODE:
        return _sensor_noise(frame, rng)
    card = _card(code, trouble, rng)
    _place(frame, card, trouble, rng)
    if trouble is Trouble.BLUR:
        sigma = float(rng.uniform(1.0, 1.8))
        frame = np.asarray(cv2.GaussianBlur(frame, (0, 0), sigma), dtype=np.uint8)
    return _sensor_noise(frame, rng)


class CodeSource:
    """A synthetic camera: a plain scene, and from frame ``appears_at`` on the code in front of it.

    ``appeared_at`` is the monotonic time of the first frame read with the code, for latency measurements.
    """

    def __init__(self, code: Image | None, appears_at: int = 0, width: int = 640, seed: int = 1) -> None:
        self.appears_at = appears_at
        self.count = 0
        self.appeared_at: float | None = None
        self._empty = camera_frame(None, Trouble.NO_CODE, seed, width)
        self._with_code = self._empty if code is None else camera_frame(code, Trouble.NONE, seed, width)

    def show(self, code: Image | None, seed: int = 1) -> None:
        """Hold another code (or none) up from the next frame on."""
        width = self._empty.shape[1]
        self._with_code = self._empty if code is None else camera_frame(code, Trouble.NONE, seed, width)
        self.appears_at = self.count
        self.appeared_at = None

    def read(self) -> Frame:
        self.count += 1
        if self.count <= self.appears_at:
            return self._empty
        if self.appeared_at is None:
            self.appeared_at = time.monotonic()
        return self._with_code

    def close(self) -> None:
        """Nothing to release."""


def _scene(width: int, height: int, rng: np.random.Generator) -> Frame:
    """A dim, uneven background: a hall behind the passenger, out of focus."""
    base = rng.integers(40, 120, size=(3, 4, 3)).astype(np.uint8)
    return np.asarray(cv2.resize(base, (width, height), interpolation=cv2.INTER_CUBIC), dtype=np.uint8)


def _card(code: Image, trouble: Trouble, rng: np.random.Generator) -> Image:
    """The code on its paper or screen, before it is placed in the picture."""
    card = code.astype(np.float32)
    if trouble is Trouble.LOW_CONTRAST:
        low, high = float(rng.uniform(90, 110)), float(rng.uniform(150, 170))
        card = low + card / 255.0 * (high - low)
    elif trouble is Trouble.COVERED:
        # a thumb over one edge of the code: about a tenth of it, within what error correction restores
        h, w = card.shape
        cover_w, cover_h = int(w * rng.uniform(0.12, 0.18)), int(h * rng.uniform(0.25, 0.35))
        y = int(rng.uniform(0.3, 0.5) * h)
        x = w - cover_w  # the right-hand edge: a thumb from the side the pass is held by
        card[y : y + cover_h, x : x + cover_w] = float(rng.uniform(150, 200))
    elif trouble is Trouble.MOIRE:
        h, w = card.shape
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        period, angle = float(rng.uniform(2.6, 3.4)), float(rng.uniform(0, np.pi))
        wave = np.sin((xx * np.cos(angle) + yy * np.sin(angle)) * 2 * np.pi / period)
        card = card * (0.78 + 0.12 * wave) + 20  # a lit screen: never quite black, never quite white
    return np.clip(card, 0, 255).astype(np.uint8)


def _place(frame: Frame, card: Image, trouble: Trouble, rng: np.random.Generator) -> None:
    """Put the card into ``frame`` as held up about 20 cm away, turned, tilted or lit as ``trouble`` says."""
    height, width = frame.shape[:2]
    h, w = card.shape
    angle = float(rng.uniform(-180, 180)) if trouble is Trouble.ROTATION else float(rng.uniform(-6, 6))
    # held so that all of it is in the picture (a code cut off by the frame is no decoder's fault)
    cos, sin = abs(np.cos(np.radians(angle))), abs(np.sin(np.radians(angle)))
    fit = min(0.9 * width / (w * cos + h * sin), 0.9 * height / (w * sin + h * cos))
    scale = min(fit, float(rng.uniform(1.0, 1.6)))
    centre = (width / 2 + rng.uniform(-0.05, 0.05) * width, height / 2 + rng.uniform(-0.05, 0.05) * height)
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    matrix[:, 2] += np.array(centre) - np.array([w / 2, h / 2])
    target = cv2.transform(corners[None], matrix)[0]
    if trouble is Trouble.PERSPECTIVE:
        # one side farther from the camera: its edge shorter by up to a quarter
        shrink = float(rng.uniform(0.12, 0.25))
        side = int(rng.integers(0, 4))
        a, b = target[side], target[(side + 1) % 4]
        middle = (a + b) / 2
        target[side] = a + (middle - a) * shrink
        target[(side + 1) % 4] = b + (middle - b) * shrink
    warp = cv2.getPerspectiveTransform(corners, target.astype(np.float32))
    paper = cv2.warpPerspective(card, warp, (width, height), flags=cv2.INTER_LINEAR, borderValue=0)
    mask = cv2.warpPerspective(np.full_like(card, 255), warp, (width, height), flags=cv2.INTER_NEAREST)
    inside = mask > 0
    for channel in range(3):
        frame[..., channel][inside] = paper[inside]
    if trouble is Trouble.GLARE:
        # a ceiling light reflected on glossy paper or glass: a soft bright patch off the code's centre
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        cx, cy = target[:, 0].mean() + rng.uniform(-0.25, 0.25) * w, target[:, 1].mean() + rng.uniform(-0.2, 0.2) * h
        radius = float(rng.uniform(0.12, 0.2)) * max(w, h) * scale
        patch = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2))) * float(rng.uniform(90, 130))
        lit = frame.astype(np.float32) + patch[..., None]
        frame[...] = np.clip(lit, 0, 255).astype(np.uint8)


def _sensor_noise(frame: Frame, rng: np.random.Generator) -> Frame:
    noise = rng.normal(0, 3.0, size=frame.shape).astype(np.float32)
    return np.asarray(np.clip(frame.astype(np.float32) + noise, 0, 255), dtype=np.uint8)
