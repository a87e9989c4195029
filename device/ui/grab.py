"""What a window shows, as PNG bytes, for the ``screenshot`` command."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from device.maintenance import Screenshot


def _png(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the stubs say bytes; PySide takes str
        raise RuntimeError("the screen could not be encoded as PNG")
    return bytes(buffer.data().data())


async def screenshot_of(widget: QWidget) -> Screenshot:
    """A PNG of ``widget`` as painted now, in device pixels. The painting is done on the GUI thread (Qt
    allows no other); the encoding, some 100 ms for a full-HD screen on a small board, in a worker thread
    (a QImage may be used there), so that the passenger's screen does not stall."""
    image = widget.grab().toImage()
    png = await asyncio.to_thread(_png, image)
    return Screenshot(png, image.width(), image.height())
