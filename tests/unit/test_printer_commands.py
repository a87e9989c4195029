"""Text and commands as bytes: GB18030 in Chinese mode, visible replacement, wrapping, native QR."""

from __future__ import annotations

import pytest

from hardware.printer.commands import Receipt, display_width, encode_text, wrap
from hardware.printer.emulator.parser import parse
from hardware.printer.profile import PrinterProfile


def test_chinese_is_sent_as_gb18030():
    assert encode_text("海口 Gate", chinese_mode=True) == "海口 Gate".encode("gb18030")


@pytest.mark.parametrize(
    ("text", "chinese_mode", "expected"),
    [
        ("go 😀", True, b"go ?"),  # four-byte GB18030: not in the printer's font
        ("海口", False, b"??"),  # code page 437 has no Chinese
        ("a\x1b@b\x1d", True, b"a?@b?"),  # control characters from outside never become commands
        ("zero\u200bwidth", True, b"zero?width"),
    ],
)
def test_what_cannot_be_printed_is_replaced_visibly(text, chinese_mode, expected):
    assert encode_text(text, chinese_mode) == expected


def test_wrap_keeps_words_and_counts_chinese_as_two_columns():
    lines = wrap("请到3号服务台领取 Please collect your bag at desk three", 16)
    assert all(display_width(line) <= 16 for line in lines)
    assert "".join(lines).replace(" ", "") == "请到3号服务台领取Pleasecollectyourbagatdeskthree"
    assert "collect" in " ".join(lines).split()


def test_chinese_closing_punctuation_never_starts_a_line():
    lines = wrap("请到3号服务台领取您的行李。Please collect", 27)
    assert lines[0] == "请到3号服务台领取您的行李。"
    assert not any(line.startswith("。") for line in wrap("一二三四五六七八。九十", 16))


def test_a_word_longer_than_the_line_is_cut_into_pieces():
    assert wrap("x" * 40, 16) == ["x" * 16, "x" * 16, "x" * 8]


def test_an_overlong_paragraph_ends_in_an_ellipsis_at_max_lines():
    receipt = Receipt(PrinterProfile.for_paper(58))
    receipt.paragraph("word " * 100, max_lines=2)
    commands, _rest = parse(bytes(receipt) + b"\x1b@", chinese_mode=False)
    text = [c.args["text"] for c in commands if c.name == "text"]
    assert len(text) == 2
    assert text[-1].endswith("...")
    assert all(len(line) <= 32 for line in text)


def test_a_qr_code_is_native_and_aligned_before_it():
    receipt = Receipt(PrinterProfile.for_paper(80))
    receipt.qr("WIFI:T:WPA;S:x;P:y;;")
    data = bytes(receipt)
    assert b"\x1ba\x01\x1d(k" in data  # centred with ESC a 1 first, then GS ( k
    assert b"\x1d(k\x17\x001P0WIFI:T:WPA;S:x;P:y;;" in data
    assert b"\x1dv0" not in data  # never a raster image


def test_a_raster_qr_is_many_times_larger():
    native, raster = Receipt(PrinterProfile.for_paper(80)), Receipt(PrinterProfile.for_paper(80))
    native.qr("https://example.org/flight/HU7181")
    raster.qr("https://example.org/flight/HU7181", raster=True)
    assert b"\x1dv0" in bytes(raster)
    assert len(bytes(raster)) > 20 * len(bytes(native))
