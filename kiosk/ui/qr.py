"""QR codes drawn with Qt from the ``qrcode`` library's module matrix (no image library needed)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

QUIET_ZONE_MODULES = 4  # the standard asks for four light modules around the symbol


def qr_image(text: str, size_px: int) -> QImage:
    """A square QR code for ``text``, black on white, about ``size_px`` wide, with its quiet zone."""
    import qrcode  # only when an agent sends one

    code = qrcode.QRCode(border=QUIET_ZONE_MODULES, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix)
    scale = max(1, size_px // modules)
    side = modules * scale
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("black"))
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                painter.drawRect(QRectF(column * scale, row * scale, scale, scale))
    painter.end()
    return image
