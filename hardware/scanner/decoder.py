"""Codes in a camera frame: zxing-cpp for QR, PDF417, Aztec and Data Matrix, OpenCV's QR detector after it.

Boarding passes carry PDF417 (paper), Aztec or QR (phones); info-point posters carry QR. zxing-cpp reads all
four in one pass over the picture, in any orientation and from a downscaled copy too, in a few milliseconds
for a 1280x720 frame; OpenCV's detector is tried only on a frame where zxing-cpp found nothing, since it
reads QR alone and costs more (``bench/scan.py`` measures both on the same frames). Both run in C without
the GIL held for most of the work, but still take milliseconds: call :func:`decode` from a worker thread
(:class:`hardware.scanner.feed.ScanFeed` does), never from the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt
import zxingcpp

Image = npt.NDArray[np.uint8]
"""A picture to decode: grayscale (height x width) or BGR (height x width x 3), 8 bits."""

FLATTEN_MIN_SHARE = 0.02  # a light region smaller than this share of the picture is no pass held up
STRAIGHT_WITHIN_DEG = 4.0  # zxing-cpp reads PDF417 up to about 7° off level: closer than this, no turn
MAX_TEXT_CHARS = 4096  # longer than any code a kiosk has a use for; a larger one is cut, never kept whole


class CodeFormat(StrEnum):
    """The symbologies the kiosk reads, named as ``kiosk scan`` prints them."""

    QR = "QR"
    PDF417 = "PDF417"
    AZTEC = "Aztec"
    DATA_MATRIX = "DataMatrix"


class Decoder(StrEnum):
    ZXING = "zxing-cpp"
    OPENCV = "opencv"


@dataclass(frozen=True)
class Code:
    """One code read from a picture: its symbology and the text it carries (UTF-8 as the code says)."""

    format: CodeFormat
    text: str
    decoder: Decoder = Decoder.ZXING


_ZXING_FORMATS = {
    zxingcpp.BarcodeFormat.QRCode: CodeFormat.QR,
    zxingcpp.BarcodeFormat.PDF417: CodeFormat.PDF417,
    zxingcpp.BarcodeFormat.Aztec: CodeFormat.AZTEC,
    zxingcpp.BarcodeFormat.DataMatrix: CodeFormat.DATA_MATRIX,
}
_WANTED = zxingcpp.barcode_formats_from_str("QRCode,PDF417,Aztec,DataMatrix")
_opencv_detector: cv2.QRCodeDetector | None = None


def decode(image: Image) -> list[Code]:
    """Every code in ``image``: zxing-cpp's; when it finds none, zxing-cpp's again with a global threshold
    (it rescues codes with a thin quiet zone against a dark background), then on the picture turned
    straight, then on the pass warped flat, then OpenCV's QR. Blocks for milliseconds."""
    gray = _gray(image)
    codes = decode_zxing(gray)
    return codes if codes else _fallbacks(gray)


def decode_live(image: Image) -> list[Code]:
    """zxing-cpp's one pass, and the fallbacks of :func:`decode` only when that pass saw a code it could
    not read (a pass held askew): most camera frames show no code, and for them this costs one pass."""
    gray = _gray(image)
    codes, unread = _zxing(gray, zxingcpp.Binarizer.LocalAverage, return_errors=True)
    return codes if codes or not unread else _fallbacks(gray)


def _fallbacks(gray: Image) -> list[Code]:
    codes = decode_zxing(gray, zxingcpp.Binarizer.GlobalHistogram)
    if not codes:
        straight = straightened(gray)
        if straight is not None:
            codes = decode_zxing(straight)
    if not codes:
        flat = flattened(gray)
        if flat is not None:
            codes = decode_zxing(flat)
    return codes if codes else decode_opencv(gray)


def decode_zxing(image: Image, binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage) -> list[Code]:
    """The codes zxing-cpp reads in ``image`` (every orientation, inverted codes too)."""
    codes, _unread = _zxing(_gray(image), binarizer)
    return codes


def _zxing(gray: Image, binarizer: zxingcpp.Binarizer, return_errors: bool = False) -> tuple[list[Code], int]:
    """The codes read, and how many symbols were found but not read (counted only with ``return_errors``)."""
    # Plain: the text as the code carries it (the default writes control characters as <ESC>, which would
    # hide them from the checks that remove them and break a boarding pass's lengths)
    found = zxingcpp.read_barcodes(
        gray, formats=_WANTED, binarizer=binarizer, text_mode=zxingcpp.TextMode.Plain, return_errors=return_errors
    )
    codes: list[Code] = []
    unread = 0
    for barcode in found:
        format_ = _ZXING_FORMATS.get(barcode.format)
        if format_ is None:
            continue
        if barcode.valid:
            codes.append(Code(format_, barcode.text[:MAX_TEXT_CHARS], Decoder.ZXING))
        else:
            unread += 1
    return codes, unread


def decode_opencv(image: Image) -> list[Code]:
    """The QR code OpenCV's detector reads in ``image``, if any (it reads one QR code and nothing else)."""
    global _opencv_detector  # one per process (decodes run on one worker thread): making one costs more than a decode
    if _opencv_detector is None:
        _opencv_detector = cv2.QRCodeDetector()
    try:
        text, _points, _straight = _opencv_detector.detectAndDecode(_gray(image))
    except cv2.error:  # a degenerate quadrangle makes some OpenCV versions raise rather than return ""
        return []
    return [Code(CodeFormat.QR, str(text)[:MAX_TEXT_CHARS], Decoder.OPENCV)] if text else []


def straightened(gray: Image) -> Image | None:
    """``gray`` turned so that its strongest edges run level, or None when they already do.

    zxing-cpp finds QR, Aztec and Data Matrix codes at any angle, but PDF417 only within a few degrees of
    level or upright, and a boarding pass is often held askew. A PDF417's bars are the strongest edges in
    the picture: their direction (modulo 90°, from the magnitude-weighted mean of four times the gradient
    angle) says how far to turn.
    """
    small = cv2.resize(gray, (gray.shape[1] // 4, gray.shape[0] // 4), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = cv2.magnitude(gx, gy)
    angle = np.arctan2(gy, gx) * 4
    weight = magnitude * magnitude  # the code's sharp edges outweigh a blurred background
    skew = float(np.degrees(np.arctan2((weight * np.sin(angle)).sum(), (weight * np.cos(angle)).sum())) / 4)
    if abs(skew) < STRAIGHT_WITHIN_DEG:
        return None
    height, width = gray.shape
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), skew, 1.0)
    # on a canvas large enough for all of the turned picture: a long code held diagonally would lose its ends
    cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
    size = (int(height * sin + width * cos), int(height * cos + width * sin))
    turn[:, 2] += (size[0] - width) / 2, (size[1] - height) / 2
    return np.asarray(cv2.warpAffine(gray, turn, size, borderMode=cv2.BORDER_REPLICATE), dtype=np.uint8)


def flattened(gray: Image) -> Image | None:
    """The largest light quadrilateral in ``gray`` (a pass, a phone's screen) warped flat and level, or None.

    A pass held at an angle to the camera is a trapezium in the picture; PDF417 tolerates little of that.
    The paper is the largest bright region (Otsu's threshold on a half-size copy); its four corners, mapped
    to a rectangle of the same average side lengths, undo the tilt.
    """
    small = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
    _threshold, light = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    light = cv2.morphologyEx(light, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))  # the code's dark bars inside
    contours, _hierarchy = cv2.findContours(light, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    paper = max(contours, key=cv2.contourArea)
    if cv2.contourArea(paper) < FLATTEN_MIN_SHARE * small.shape[0] * small.shape[1]:
        return None
    corners = cv2.approxPolyDP(paper, 0.02 * cv2.arcLength(paper, True), True).reshape(-1, 2)
    if len(corners) != 4:
        corners = cv2.boxPoints(cv2.minAreaRect(paper))
    quad = _clockwise(np.asarray(corners, dtype=np.float32) * 2)
    top, right, bottom, left = (float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4))
    width, height = int((top + bottom) / 2), int((left + right) / 2)
    if width < 16 or height < 16:
        return None
    margin = 16  # a quiet zone around the code, in case the paper's edge is the code's edge
    target = np.array(
        [[margin, margin], [margin + width, margin], [margin + width, margin + height], [margin, margin + height]],
        dtype=np.float32,
    )
    warp = cv2.getPerspectiveTransform(quad, target)
    size = (width + 2 * margin, height + 2 * margin)
    return np.asarray(cv2.warpPerspective(gray, warp, size, borderMode=cv2.BORDER_REPLICATE), dtype=np.uint8)


def _clockwise(points: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Four corners as top-left, top-right, bottom-right, bottom-left."""
    by_sum = points.sum(axis=1)
    by_difference = np.diff(points, axis=1).ravel()
    return np.array(
        [
            points[np.argmin(by_sum)],
            points[np.argmin(by_difference)],
            points[np.argmax(by_sum)],
            points[np.argmax(by_difference)],
        ],
        dtype=np.float32,
    )


def _gray(image: Image) -> Image:
    if image.ndim == 2:
        return image
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
