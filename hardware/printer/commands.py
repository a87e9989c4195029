"""ESC/POS bytes for a slip, built with python-escpos's command set on its recording ``Dummy`` printer.

This module only builds bytes; ``hardware.printer.port`` writes them. Two things are written by hand
with escpos's constants: Chinese mode (``FS &`` / ``FS .``, which escpos does not know) and the text
itself, because escpos's encoder picks code pages by itself and cannot emit GB18030.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

from escpos import constants as esc
from escpos.printer import Dummy

from hardware.printer.profile import PrinterProfile

Align = Literal["left", "center", "right"]

CHINESE_MODE_ON = esc.FS + b"&"
CHINESE_MODE_OFF = esc.FS + b"."
CODE_PAGE_437 = esc.ESC + b"t\x00"
REPLACEMENT = "?"
"""What stands for a character the printer cannot print: visible, one column, in every code page."""
QR_MODULE_DOTS = 6
FEED_BEFORE_CUT = 4
FEED_AND_CUT = esc.ESC + b"d" + bytes([FEED_BEFORE_CUT]) + esc.PAPER_FULL_CUT
"""How every slip ends: the last line fed past the cutter, then the cut."""
NO_LINE_START = frozenset("。，、！？；：）】》」』”’.,!?;:)")


def split_tail(data: bytes) -> tuple[bytes, bytes]:
    """A slip's bytes as what prints and the ``FEED_AND_CUT`` that ends it (empty if it does not end so)."""
    if data.endswith(FEED_AND_CUT):
        return data[: -len(FEED_AND_CUT)], FEED_AND_CUT
    return data, b""


def char_width(char: str) -> int:
    """Columns a character takes in font A: two for Chinese (and other wide) characters."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(char) for char in text)


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most ``columns`` columns; breaks at spaces for Latin text, anywhere between Chinese
    characters, and inside a word only when the word alone is wider than the line."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in _words(paragraph):
            candidate = line + word
            if display_width(candidate) <= columns:
                line = candidate
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = word.lstrip()
            while display_width(line) > columns:
                head = _take_columns(line, columns)
                lines.append(head)
                line = line[len(head) :]
        lines.append(line.rstrip())
    return lines


def _words(paragraph: str) -> list[str]:
    """Runs to keep together: a Latin word with the spaces before it, or one wide character."""
    words: list[str] = []
    current = ""
    for char in paragraph:
        if char in NO_LINE_START and (current or words):
            # closing punctuation never starts a line: it stays with what it closes
            if current:
                current += char
            else:
                words[-1] += char
            continue
        if char_width(char) == 2:
            if current:
                words.append(current)
            words.append(char)
            current = ""
        elif char == " " and current.strip():
            words.append(current)
            current = char
        else:
            current += char
    if current:
        words.append(current)
    return words


def _take_columns(text: str, columns: int) -> str:
    taken = ""
    for char in text:
        if display_width(taken + char) > columns:
            break
        taken += char
    return taken or text[:1]


def encode_text(text: str, chinese_mode: bool) -> bytes:
    """Printable bytes for ``text``; what the printer cannot show becomes ``REPLACEMENT``, never an error.

    In Chinese mode the printer's font holds the one- and two-byte GB18030 characters; four-byte ones
    (emoji, rare characters) would print as garbage, so they are replaced too. Control characters are
    replaced so that text from outside can never smuggle in a printer command.
    """
    out = bytearray()
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out += REPLACEMENT.encode()
            continue
        try:
            encoded = char.encode("gb18030" if chinese_mode else "cp437")
        except UnicodeEncodeError:
            encoded = REPLACEMENT.encode()
        if len(encoded) > 2:
            encoded = REPLACEMENT.encode()
        out += encoded
    return bytes(out)


def printable(text: str, chinese_mode: bool) -> str:
    """``text`` as the printer will show it (the same replacements as ``encode_text``)."""
    return encode_text(text, chinese_mode).decode("gb18030" if chinese_mode else "cp437")


class Receipt:
    """Builds one slip's ESC/POS bytes for a profile; ``bytes()`` gives everything built so far."""

    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self._printer = Dummy()
        # escpos's image code reads the paper width from its profile (and prints a warning without one)
        data = dict(self._printer.profile.profile_data)
        data["media"] = {"width": {"mm": profile.paper_mm, "pixels": profile.dots}, "dpi": 203}
        self._printer.profile.profile_data = data
        self._printer._raw(esc.HW_INIT)
        self._printer._raw(CHINESE_MODE_ON if profile.chinese_mode else CODE_PAGE_437)
        self._current_style: tuple[bool, int, Align] | None = None

    def __bytes__(self) -> bytes:
        return bytes(self._printer.output)

    def columns(self, size: int = 1) -> int:
        return self.profile.chars_per_line // size

    def line(self, text: str = "", *, bold: bool = False, size: int = 1, align: Align = "left") -> None:
        """One line as given; the caller has made it fit (see ``paragraph``)."""
        self._style(bold=bold, size=size, align=align)
        self._printer._raw(encode_text(text, self.profile.chinese_mode) + esc.CTL_LF)

    def paragraph(
        self, text: str, *, bold: bool = False, size: int = 1, align: Align = "left", max_lines: int | None = None
    ) -> None:
        """``text`` wrapped to the line; past ``max_lines`` the last line ends in an ellipsis."""
        lines = wrap(printable(text, self.profile.chinese_mode), self.columns(size))
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines]
            last = _take_columns(lines[-1], self.columns(size) - 3)
            lines[-1] = last.rstrip() + "..."
        for text_line in lines:
            self.line(text_line, bold=bold, size=size, align=align)

    def rule(self) -> None:
        self.line("-" * self.columns())

    def qr(self, data: str, *, raster: bool = False) -> None:
        """A centred QR code: the printer draws it from its data (``GS ( k``); ``raster`` sends an image
        instead, for comparison only."""
        # escpos refuses center=True with native=True: the alignment command comes first
        self._style(align="center")
        if raster:
            self._printer.qr(data, size=QR_MODULE_DOTS, native=False, center=False)
        else:
            self._printer.qr(data, size=QR_MODULE_DOTS, native=True)
            self._printer._raw(esc.CTL_LF)

    def feed(self, lines: int = 1) -> None:
        self._printer._raw(esc.ESC + b"d" + bytes([max(0, min(255, lines))]))

    def cut(self) -> None:
        self._printer._raw(FEED_AND_CUT)

    def _style(self, *, bold: bool = False, size: int = 1, align: Align = "left") -> None:
        # only what changed goes on the wire: every byte costs a millisecond at 9600 baud
        style = (bold, size, align)
        if style == self._current_style:
            return
        self._current_style = style
        # GS ! (custom size) rather than ESC !: ESC ! does not enlarge Chinese characters
        self._printer.set(align=align, bold=bold, custom_size=True, width=size, height=size)
