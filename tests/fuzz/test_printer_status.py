"""The printer's answer to the status query (four ESC/POS ``DLE EOT`` bytes) comes over a serial line,
where noise and a half-read reply happen: anything but a sane reply is StatusError (the printer is then
treated as in error, never as ready), and every reply a real printer sends reads back as its condition."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bus.messages.device import PrinterState
from hardware.printer.status import REPLY_LENGTH, StatusError, is_status_byte, parse_status, status_reply
from tests.fuzz.support import corpus, fuzz_settings

pytestmark = pytest.mark.fuzz


def read_or_refused(reply: bytes) -> None:
    try:
        status = parse_status(reply)
    except StatusError as refused:
        assert str(refused)
        return
    assert len(reply) == REPLY_LENGTH and all(is_status_byte(b) for b in reply)
    assert isinstance(status.state, PrinterState)


@fuzz_settings(400)
@given(st.binary(max_size=8))
def test_any_reply_is_read_or_refused(reply):
    read_or_refused(reply)


@fuzz_settings(100)
@given(
    offline=st.booleans(),
    cover_open=st.booleans(),
    paper_near_end=st.booleans(),
    paper_out=st.booleans(),
    error=st.booleans(),
)
def test_what_a_printer_in_each_condition_sends_reads_back_as_that_condition(
    offline, cover_open, paper_near_end, paper_out, error
):
    status = parse_status(
        status_reply(
            offline=offline, cover_open=cover_open, paper_near_end=paper_near_end, paper_out=paper_out, error=error
        )
    )
    assert status.cover_open == cover_open and status.error == error
    assert status.paper_out == paper_out
    assert (status.state is PrinterState.READY) == (not any((offline, cover_open, paper_near_end, paper_out, error)))


def test_inputs_that_once_failed_are_read_or_refused():
    for name, reply in corpus("printer_status"):
        try:
            read_or_refused(reply)
        except Exception as error:
            raise AssertionError(f"corpus/printer_status/{name}: {error!r}") from error
