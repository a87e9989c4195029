"""DLE EOT status bytes, parsed against fixtures for every state and every n."""

from __future__ import annotations

import pytest

from bus.messages.device import PrinterState
from hardware.printer.status import STATUS_QUERY, StatusError, parse_status, status_reply

# (what the printer is doing, n=1, n=2, n=3, n=4) as an Epson-compatible printer sends them
FIXTURES = [
    ("ready", 0x12, 0x12, 0x12, 0x12, PrinterState.READY),
    ("paper near end", 0x12, 0x12, 0x12, 0x1E, PrinterState.PAPER_LOW),
    ("paper out", 0x1A, 0x32, 0x12, 0x72, PrinterState.PAPER_OUT),
    ("paper out, sensor only", 0x1A, 0x12, 0x12, 0x72, PrinterState.PAPER_OUT),
    ("paper end stop, n=2 only", 0x1A, 0x32, 0x12, 0x12, PrinterState.PAPER_OUT),
    ("cover open", 0x1A, 0x16, 0x12, 0x12, PrinterState.COVER_OPEN),
    ("cover open, paper near end", 0x1A, 0x16, 0x12, 0x1E, PrinterState.COVER_OPEN),
    ("offline, feed button held", 0x1A, 0x1A, 0x12, 0x12, PrinterState.OFFLINE),
    ("error bit in n=2", 0x1A, 0x52, 0x12, 0x12, PrinterState.ERROR),
    ("cutter error", 0x1A, 0x52, 0x1A, 0x12, PrinterState.ERROR),
    ("unrecoverable error", 0x1A, 0x52, 0x32, 0x12, PrinterState.ERROR),
    ("auto-recoverable error", 0x1A, 0x12, 0x52, 0x12, PrinterState.ERROR),
    ("drawer pin high, otherwise ready", 0x16, 0x12, 0x12, 0x12, PrinterState.READY),
]


@pytest.mark.parametrize(("case", "n1", "n2", "n3", "n4", "state"), FIXTURES, ids=[f[0] for f in FIXTURES])
def test_status_fixture_gives_its_state(case, n1, n2, n3, n4, state):
    assert parse_status(bytes([n1, n2, n3, n4])).state is state


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("bad", [0x00, 0xFF, 0x13, 0x92, 0x02, 0x10])
def test_a_byte_without_the_fixed_bits_is_refused_for_every_n(n, bad):
    reply = bytearray(b"\x12\x12\x12\x12")
    reply[n - 1] = bad
    with pytest.raises(StatusError, match=f"n={n}"):
        parse_status(bytes(reply))


@pytest.mark.parametrize("reply", [b"", b"\x12", b"\x12\x12\x12", b"\x12" * 5])
def test_a_reply_of_the_wrong_length_is_refused(reply):
    with pytest.raises(StatusError, match="expected 4"):
        parse_status(reply)


@pytest.mark.parametrize("paper", [0x16, 0x1A, 0x32, 0x52])
def test_half_a_paper_sensor_pair_is_noise_not_a_state(paper):
    with pytest.raises(StatusError, match="paper sensor"):
        parse_status(bytes([0x12, 0x12, 0x12, paper]))


@pytest.mark.parametrize(
    ("condition", "state"),
    [
        ({}, PrinterState.READY),
        ({"paper_near_end": True}, PrinterState.PAPER_LOW),
        ({"paper_out": True}, PrinterState.PAPER_OUT),
        ({"cover_open": True}, PrinterState.COVER_OPEN),
        ({"offline": True}, PrinterState.OFFLINE),
        ({"error": True}, PrinterState.ERROR),
    ],
)
def test_the_emulator_replies_round_trip(condition, state):
    assert parse_status(status_reply(**condition)).state is state


def test_the_query_asks_for_n_1_to_4_in_order():
    assert STATUS_QUERY == b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"
