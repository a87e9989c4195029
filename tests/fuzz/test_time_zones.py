"""Time-zone names come from outside: a flight board's ``tz`` on the bus (read by the kiosk's Flights
screen, its boarding-pass check and the signage rows) and ``[calls] tz`` in central's settings. Python's
zoneinfo refuses a bad name with ZoneInfoNotFoundError or ValueError, but with an OSError for the name
of one of its folders ("America") or a name longer than a file name may be: each reader falls back to
UTC (a display) or refuses the setting with a clear error (central). Also the bare airport and airline
codes feeds send, looked up in the reference data (bus/airports)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bus.airports import airline, airport, site_zone
from central.switchboard.settings import SwitchboardSettings
from kiosk.scanning.flight import _zone as scan_zone
from kiosk.ui.flights.words import zone as kiosk_zone
from signage.rows import zone as signage_zone
from tests.fuzz.support import corpus, fuzz_settings

pytestmark = pytest.mark.fuzz

FOLDERS = sorted({name.rsplit("/", 1)[0] for name in available_timezones() if "/" in name})
READERS = {"kiosk flights": kiosk_zone, "kiosk scan": scan_zone, "signage": signage_zone}
names = (
    st.sampled_from(sorted(available_timezones()))
    | st.sampled_from(FOLDERS)
    | st.text(max_size=70)
    | st.text("abcdefghijklmnopqrstuvwxyzABC/._-", min_size=1, max_size=300)
)


def read_everywhere(name: str) -> None:
    for reader, zone in READERS.items():
        assert isinstance(zone(name), ZoneInfo), reader
    try:
        SwitchboardSettings(tz=name)
    except ValueError as refused:  # pydantic's ValidationError is a ValueError
        assert "time zone" in str(refused)


@fuzz_settings(200)
@given(names)
def test_any_zone_name_is_read_or_falls_back(name):
    read_everywhere(name)


def test_inputs_that_once_failed_are_read_or_fall_back():
    for file, raw in corpus("time_zones"):
        for name in raw.decode().splitlines():
            try:
                read_everywhere(name)
            except Exception as error:
                raise AssertionError(f"corpus/time_zones/{file}: {name[:40]!r}: {error!r}") from error


@fuzz_settings(100)
@given(st.text(max_size=8) | st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=4))
def test_any_airport_or_airline_code_from_a_feed_is_named_or_left_as_it_is(code):
    # Feeds and the bus carry bare codes; the reference data names them, or gives back what it cannot name
    found = airport(code)
    assert isinstance(found.zone() or site_zone(code), ZoneInfo)
    airline(code)
