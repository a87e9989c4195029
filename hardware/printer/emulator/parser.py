"""ESC/POS bytes into commands, incrementally. Pure: a buffer in, commands and the bytes left over out.

A command cut in two by the serial line stays in the buffer until the rest arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ESC, FS, GS, DLE = 0x1B, 0x1C, 0x1D, 0x10
LF, CR, HT = 0x0A, 0x0D, 0x09
MAX_TEXT_RUN = 4096


@dataclass(frozen=True)
class Command:
    """One parsed command: ``name`` with its arguments, and the bytes it came from (for the log)."""

    name: str
    raw: bytes
    args: dict[str, Any] = field(default_factory=dict)


# fixed-length commands: prefix -> (name, number of argument bytes)
_FIXED: dict[bytes, tuple[str, int]] = {
    b"\x1b@": ("init", 0),
    b"\x1bt": ("code_page", 1),
    b"\x1bE": ("bold", 1),
    b"\x1bG": ("double_strike", 1),
    b"\x1b-": ("underline", 1),
    b"\x1ba": ("align", 1),
    b"\x1b!": ("print_mode", 1),
    b"\x1bd": ("feed", 1),
    b"\x1bJ": ("feed_dots", 1),
    b"\x1bM": ("font", 1),
    b"\x1b2": ("default_line_spacing", 0),
    b"\x1b3": ("line_spacing", 1),
    b"\x1b{": ("upside_down", 1),
    b"\x1bR": ("international", 1),
    b"\x1c&": ("chinese_on", 0),
    b"\x1c.": ("chinese_off", 0),
    b"\x1cC": ("chinese_code", 1),
    b"\x1c!": ("chinese_mode_style", 1),
    b"\x1d!": ("size", 1),
    b"\x1dB": ("invert", 1),
    b"\x1db": ("smoothing", 1),
    b"\x1dh": ("barcode_height", 1),
    b"\x1dw": ("barcode_width", 1),
    b"\x1dH": ("barcode_text_position", 1),
    b"\x1df": ("barcode_text_font", 1),
    b"\x1dI": ("printer_id", 1),
    b"\x10\x04": ("status", 1),
}


def parse(buffer: bytes, chinese_mode: bool) -> tuple[list[Command], bytes]:
    """Commands complete in ``buffer`` and the bytes left for later. ``chinese_mode`` is the mode at the
    start of the buffer (it decides how text bytes pair up); mode changes inside are followed."""
    commands: list[Command] = []
    at = 0
    while at < len(buffer):
        found = _one(buffer, at, chinese_mode)
        if found is None:
            break
        command, at = found
        if command.name == "chinese_on":
            chinese_mode = True
        elif command.name == "chinese_off":
            chinese_mode = False
        commands.append(command)
    return commands, buffer[at:]


def _one(buffer: bytes, at: int, chinese_mode: bool) -> tuple[Command, int] | None:
    byte = buffer[at]
    if byte == LF:
        return Command("line_feed", buffer[at : at + 1]), at + 1
    if byte == CR:
        return Command("carriage_return", buffer[at : at + 1]), at + 1
    if byte in (ESC, FS, GS, DLE):
        return _control(buffer, at)
    if byte < 0x20 and byte != HT:
        return Command("unknown", buffer[at : at + 1]), at + 1
    return _text(buffer, at, chinese_mode)


def _text(buffer: bytes, at: int, chinese_mode: bool) -> tuple[Command, int] | None:
    end = at
    while end < len(buffer) and (buffer[end] >= 0x20 or buffer[end] == HT):
        if chinese_mode and buffer[end] >= 0x81:
            width = 4 if end + 1 < len(buffer) and 0x30 <= buffer[end + 1] <= 0x39 else 2
            if end + width > len(buffer):
                break
            end += width
        else:
            end += 1
    if end == len(buffer) and len(buffer) - at < MAX_TEXT_RUN:
        return None  # the run may go on in the next chunk
    if end == at:
        return None
    raw = buffer[at:end]
    text = raw.decode("gb18030" if chinese_mode else "cp437", errors="replace")
    return Command("text", raw, {"text": text}), end


def _control(buffer: bytes, at: int) -> tuple[Command, int] | None:
    if at + 2 > len(buffer):
        return None
    prefix = buffer[at : at + 2]
    if prefix in _FIXED:
        name, argc = _FIXED[prefix]
        end = at + 2 + argc
        if end > len(buffer):
            return None
        raw = buffer[at:end]
        return Command(name, raw, {"n": raw[2] if argc else 0}), end
    if prefix == b"\x1dV":
        return _cut(buffer, at)
    if prefix == b"\x1d(":
        return _two_d_or_function(buffer, at)
    if prefix == b"\x1dv":
        return _raster(buffer, at)
    if prefix == b"\x1dk":
        return _barcode(buffer, at)
    return Command("unknown", prefix), at + 2


def _cut(buffer: bytes, at: int) -> tuple[Command, int] | None:
    if at + 3 > len(buffer):
        return None
    mode = buffer[at + 2]
    end = at + 4 if mode in (65, 66, 97, 98, 103, 104) else at + 3
    if end > len(buffer):
        return None
    return Command("cut", buffer[at:end], {"partial": mode in (1, 49, 66)}), end


def _two_d_or_function(buffer: bytes, at: int) -> tuple[Command, int] | None:
    # GS ( fn pL pH data: the length always follows, so even unknown functions can be skipped whole
    if at + 5 > len(buffer):
        return None
    function = buffer[at + 2]
    length = buffer[at + 3] | buffer[at + 4] << 8
    end = at + 5 + length
    if end > len(buffer):
        return None
    raw = buffer[at:end]
    body = raw[5:]
    if function != ord("k") or len(body) < 2 or body[0] != 49:
        return Command("unknown", raw), end
    fn = body[1]
    if fn == 65:
        return Command("qr_model", raw, {"n": body[2] if len(body) > 2 else 50}), end
    if fn == 67:
        return Command("qr_size", raw, {"n": body[2] if len(body) > 2 else 3}), end
    if fn == 69:
        return Command("qr_error_correction", raw, {"n": body[2] - 48 if len(body) > 2 else 0}), end
    if fn == 80:
        return Command("qr_store", raw, {"data": body[3:]}), end
    if fn == 81:
        return Command("qr_print", raw), end
    return Command("unknown", raw), end


def _raster(buffer: bytes, at: int) -> tuple[Command, int] | None:
    # GS v 0 m xL xH yL yH d1…dk, k = (xL + xH×256) × (yL + yH×256)
    if at + 8 > len(buffer):
        return None
    if buffer[at + 2] != ord("0"):
        return Command("unknown", buffer[at : at + 3]), at + 3
    width_bytes = buffer[at + 4] | buffer[at + 5] << 8
    height = buffer[at + 6] | buffer[at + 7] << 8
    end = at + 8 + width_bytes * height
    if end > len(buffer):
        return None
    raw = buffer[at:end]
    return Command("raster", raw, {"width_bytes": width_bytes, "height": height, "data": raw[8:]}), end


def _barcode(buffer: bytes, at: int) -> tuple[Command, int] | None:
    if at + 3 > len(buffer):
        return None
    system = buffer[at + 2]
    if system <= 6:  # data ends with NUL
        nul = buffer.find(b"\x00", at + 3)
        if nul < 0:
            return None
        raw = buffer[at : nul + 1]
        return Command("barcode", raw, {"system": system, "data": raw[3:-1]}), nul + 1
    if at + 4 > len(buffer):
        return None
    end = at + 4 + buffer[at + 3]
    if end > len(buffer):
        return None
    raw = buffer[at:end]
    return Command("barcode", raw, {"system": system, "data": raw[4:]}), end
