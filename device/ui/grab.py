"""What a window shows, as PNG bytes, for the ``screenshot`` command."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtWidgets import QWidget

from device.maintenance import Screenshot


def screenshot_of(widget: QWidget) -> Screenshot:
    """A PNG of ``widget`` as painted now, in device pixels."""
    pixmap = widget.grab()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not pixmap.save(buffer, "PNG"):
        raise RuntimeError("the screen could not be encoded as PNG")
    return Screenshot(bytes(buffer.data().data()), pixmap.width(), pixmap.height())
