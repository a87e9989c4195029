"""Flight feeds from the airport's systems: AIDX XML, JSON and CSV, each mutated from the documents the
unit tests read. Each parser refuses a whole document only with FeedError (AidxError for AIDX), refuses
a bad flight by itself without losing the good ones, and what it accepts goes onto a board.

Random bytes and random JSON records are already tried in tests/unit/test_flights_feeds.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.feeds import aidx, csv_feed, json_feed
from central.feeds.legs import FeedError
from central.flights.board import FlightBoards
from tests.fuzz.support import corpus, fuzz_settings, mutated
from tests.peers.flight_feeds import JSON_FIELDS as FIELDS
from tests.peers.programs import ROOT

pytestmark = pytest.mark.fuzz

DATA = ROOT / "tests" / "data"
AIDX_SEEDS = [path.read_bytes() for path in sorted((DATA / "aidx").glob("*.xml"))]
CSV_SEEDS = [(DATA / "flights" / "board.csv").read_bytes()]
JSON_SEEDS = [(DATA / "flights" / "board.json").read_bytes()]
XML_BYTES = b"<>/=\"' :!?-&;#x0123456789ZT+"
CSV_BYTES = b',"\r\n :-0123456789'
JSON_BYTES = b'{}[]":,0123456789.-etrufnl\\'


def aidx_or_refused(document: bytes) -> None:
    try:
        parsed = aidx.parse(document)
    except aidx.AidxError as refused:
        assert 400 <= refused.status < 500 and str(refused)
        return
    FlightBoards("HAK").apply("aidx", parsed.changes)
    aidx.answer(parsed.transaction, parsed.version, warnings=parsed.rejected)  # the reply is well-formed


def records_or_refused(parse, document: bytes) -> None:
    try:
        parsed = parse(document)
    except FeedError as refused:
        assert str(refused)
        return
    FlightBoards("HAK").replace("feed", parsed.legs)


def test_the_seeds_are_good_documents():
    assert len(AIDX_SEEDS) >= 8
    assert all(aidx.parse(seed).changes for seed in AIDX_SEEDS if b"one-bad" not in seed)
    assert csv_feed.parse(CSV_SEEDS[0]).legs and json_feed.parse(JSON_SEEDS[0], "data.flights", FIELDS).legs


@fuzz_settings(120)
@given(mutated(AIDX_SEEDS, alphabet=XML_BYTES))
def test_a_mutated_aidx_document_is_read_or_refused(document):
    aidx_or_refused(document)


@fuzz_settings(120)
@given(mutated(CSV_SEEDS, alphabet=CSV_BYTES))
def test_a_mutated_csv_file_is_read_or_refused(document):
    records_or_refused(csv_feed.parse, document)


@fuzz_settings(120)
@given(mutated(JSON_SEEDS, alphabet=JSON_BYTES))
def test_a_mutated_json_document_is_read_or_refused(document):
    records_or_refused(lambda raw: json_feed.parse(raw, "data.flights", FIELDS), document)


@fuzz_settings(60)
@given(mutated(CSV_SEEDS, alphabet=CSV_BYTES))
def test_a_bad_csv_row_loses_none_of_the_good_rows(bad_rows):
    good = CSV_SEEDS[0]
    header, _, good_rows = good.partition(b"\n")
    bad = bad_rows.partition(b"\n")[2]
    try:
        parsed = csv_feed.parse(header + b"\n" + bad + b"\n" + good_rows)
    except FeedError:
        return  # the bad part broke the file's quoting: refused whole, nothing half-read
    expected = csv_feed.parse(good)
    good_keys = {leg.key for leg in expected.legs}
    assert good_keys <= {leg.key for leg in parsed.legs} or parsed.rejected or len(parsed.legs) < len(expected.legs)


@pytest.mark.parametrize(
    ("parser", "read"),
    [
        ("aidx", aidx_or_refused),
        ("csv_feed", lambda raw: records_or_refused(csv_feed.parse, raw)),
        ("json_feed", lambda raw: records_or_refused(lambda d: json_feed.parse(d, "data.flights", FIELDS), raw)),
    ],
)
def test_inputs_that_once_failed_are_read_or_refused(parser, read):
    for name, document in corpus(parser):
        try:
            read(document)
        except Exception as error:
            raise AssertionError(f"corpus/{parser}/{name}: {error!r}") from error


@fuzz_settings(60)
@given(st.sampled_from(AIDX_SEEDS), st.integers(1, 3000))
def test_an_aidx_document_nested_deep_is_refused(seed, depth):
    deep = seed.replace(b"</LegData>", b"<x>" * depth + b"</x>" * depth + b"</LegData>", 1)
    aidx_or_refused(deep)
