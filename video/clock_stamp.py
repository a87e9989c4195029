"""A clock written into a picture's pixels, and read back after the picture went through a video codec.

To measure a call's one-way delay, each side stamps its clock into the pictures it sends and the other
side reads the stamp from the decoded picture: on one machine both clocks are the same, so "now" less the
stamp is the delay from capture to decoded picture. The stamp must survive lossy compression at low
bitrates and small sizes, and a picture without one (a camera pointed at a wall, a frame cut in half)
must give no figure, never a wrong one.

The stamp is a strip of :data:`CELLS` cells (twice as tall as wide) along the picture's top edge, each black or white:
two marker cells (white, black) that say a stamp is there and what black and white look like after the
codec, then 32 bits of the clock in milliseconds (modulo 2^32, about 49 days) and a CRC-16 over them. A
cell is a fixed share of the picture's width (1/56, and twice that tall), so a stamped picture can be
scaled to any size on its way (the call's adaptation does) and still be read; only the middle of each cell
is read, so ringing and chroma bleed at the cell edges do not matter. Reading refuses a strip whose markers lack
contrast, whose cells are not clearly black or white, or whose CRC does not match.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

DATA_BITS = 32
CRC_BITS = 16
CELLS = 2 + DATA_BITS + CRC_BITS
STRIP_CELLS = CELLS + 6  # the strip's width in cells: a margin on the right for pictures cropped by a codec
MIN_CONTRAST = 60  # grey levels between the two markers
MAX_AMBIGUOUS = 0  # cells whose level is too near the middle to call
AMBIGUITY = 0.2  # a cell within this share of the contrast of the midpoint is ambiguous
MODULUS = 1 << DATA_BITS

Picture = npt.NDArray[np.uint8]


MIN_CELL_PX = 2.5


def _cells(width: int) -> list[tuple[int, int]]:
    """Each cell's first and last-plus-one column."""
    cell = width / STRIP_CELLS
    return [(round(i * cell), round((i + 1) * cell)) for i in range(CELLS)]


def _fits(width: int, height: int) -> bool:
    cell = width / STRIP_CELLS
    return cell >= MIN_CELL_PX and 2 * cell <= height


def crc16(value: int) -> int:
    """CRC-16/CCITT-FALSE of the 4 bytes of ``value`` (big-endian)."""
    crc = 0xFFFF
    for byte in value.to_bytes(4, "big"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _bits(value: int, count: int) -> list[int]:
    return [(value >> (count - 1 - i)) & 1 for i in range(count)]


def stamp(picture: Picture, clock_ms: int) -> None:
    """Write ``clock_ms`` (mod 2^32) into the top strip of ``picture`` (H x W x 3 or H x W), in place."""
    height, width = picture.shape[:2]
    if not _fits(width, height):
        raise ValueError(f"a {width}x{height} picture is too small for a clock stamp")
    value = clock_ms % MODULUS
    levels = [1, 0, *_bits(value, DATA_BITS), *_bits(crc16(value), CRC_BITS)]
    rows = round(2 * width / STRIP_CELLS)
    for (first, end), bit in zip(_cells(width), levels, strict=True):
        picture[0:rows, first:end] = 255 if bit else 0


def read(picture: Picture) -> int | None:
    """The clock stamped in ``picture`` in ms (mod 2^32), or None when no stamp can be read with certainty."""
    if picture.ndim not in (2, 3):
        return None
    height, width = picture.shape[:2]
    if not _fits(width, height):
        return None
    cell = width / STRIP_CELLS
    cells = _cells(width)
    strip = picture[round(cell / 2) : round(1.5 * cell), 0 : cells[-1][1]]  # the middle rows of the strip only
    grey = strip.mean(axis=2) if strip.ndim == 3 else strip.astype(np.float64)
    margin = cell / 4
    levels = []
    for first, end in cells:
        block = grey[:, round(first + margin) : max(round(first + margin) + 1, round(end - margin))]
        levels.append(float(block.mean()))
    white, black = levels[0], levels[1]
    contrast = white - black
    if contrast < MIN_CONTRAST:
        return None
    middle = (white + black) / 2
    bits = []
    for level in levels[2:]:
        if abs(level - middle) < AMBIGUITY * contrast:
            return None
        bits.append(1 if level > middle else 0)
    value = int("".join(map(str, bits[:DATA_BITS])), 2)
    check = int("".join(map(str, bits[DATA_BITS:])), 2)
    return value if crc16(value) == check else None


def delay_ms(picture: Picture, now_ms: int, most_ms: int = 10_000) -> float | None:
    """Now less the picture's stamp, if it has a readable one and the result is a plausible delay."""
    stamped = read(picture)
    if stamped is None:
        return None
    delay = (now_ms - stamped) % MODULUS
    return float(delay) if delay <= most_ms else None
