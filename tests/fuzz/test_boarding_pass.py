"""Boarding passes as the scanner reads them (IATA BCBP): damaged passes are refused with
BoardingPassError and nothing else, and whatever the parser takes in it can write out again unchanged,
so the pass the kiosk shows is the pass that was scanned.

Random text and damaged passes are already tried in tests/unit/test_bcbp.py; here the damage is
byte-level mutation of passes of every version, and the round trip is checked on what survives it and
still follows the layout (encode is the test passes' writer, not the kiosk's)."""

from __future__ import annotations

import pytest
from hypothesis import given

from hardware.scanner.bcbp import BoardingPassError, encode, parse
from tests.fuzz.support import corpus, fuzz_settings, mutated
from tests.unit.test_bcbp import REPEATED_V1, REPEATED_V5, UNIQUE_V3, first_leg, head, later_leg, mandatory

pytestmark = pytest.mark.fuzz

SEEDS = [
    (head() + mandatory() + "00").encode(),
    *(
        (
            head(legs=2)
            + first_leg(version, UNIQUE_V3, REPEATED_V5, "AIR")
            + later_leg(REPEATED_V1, pnr="XYZ999", origin="FRA", destination="HAK")
            + "^10AABCDEFGHIJ"
        ).encode()
        for version in (3, 5, 6, 8)
    ),
]
PASS_BYTES = b"M1234 >^0123456789ABCDEF/"


def read_or_refused(raw: bytes) -> None:
    text = raw.decode("utf-8", errors="replace")
    try:
        boarding_pass = parse(text)
    except BoardingPassError as refused:
        assert refused.reason
        return
    unique = (boarding_pass.passenger_description, boarding_pass.checkin_source, boarding_pass.issue_date)
    if boarding_pass.deviations or (boarding_pass.version is None and any(item is not None for item in unique)):
        # encode writes passes that follow the layout; this one did not (a deviation, or a version mark
        # with no digit): what the kiosk uses is the parsed pass, which kept every item it could read
        return
    again = parse(encode(boarding_pass))
    assert again == boarding_pass, (text, encode(boarding_pass))


def test_the_seeds_are_good_passes():
    for seed in SEEDS:
        parse(seed.decode())


@fuzz_settings(300)
@given(mutated(SEEDS, alphabet=PASS_BYTES))
def test_a_damaged_pass_is_read_or_refused_and_what_is_read_writes_back_the_same(raw):
    read_or_refused(raw)


def test_inputs_that_once_failed_are_read_or_refused():
    for name, raw in corpus("bcbp"):
        try:
            read_or_refused(raw)
        except Exception as error:
            raise AssertionError(f"corpus/bcbp/{name}: {error!r}") from error
