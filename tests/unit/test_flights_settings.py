"""``[feeds]``: which feeds run, and OperationalStatus codes adapted to a partner's list."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bus.messages.flights import Direction, FlightStatus
from central.feeds.aidx import parse
from central.flights.board import FlightBoards
from central.flights.service import status_codes
from central.settings import CentralSettings, FeedsSection

DOCUMENT = b"""<IATA_AIDX_FlightLegNotifRQ Version="16.1"><FlightLeg><LegIdentifier><Airline>HU</Airline>
<FlightNumber>7181</FlightNumber><DepartureAirport>HAK</DepartureAirport><ArrivalAirport>PEK</ArrivalAirport>
<OriginDate>2026-11-23</OriginDate></LegIdentifier><LegData><OperationalStatus>BDG</OperationalStatus>
<OperationTime OperationQualifier="OFB" TimeType="SCT">2026-11-23T07:35:00Z</OperationTime></LegData></FlightLeg>
</IATA_AIDX_FlightLegNotifRQ>"""


def test_the_simulator_runs_by_default_and_stops_when_a_real_feed_is_configured():
    assert CentralSettings().feeds.simulator_runs
    assert not FeedsSection(csv_file="flights.csv").simulator_runs
    assert not FeedsSection(aidx_token="t").simulator_runs
    assert FeedsSection(json_url="http://x/f.json", simulator=True).simulator_runs
    assert not FeedsSection(simulator=False).simulator_runs


def test_a_partners_status_code_is_added_and_an_unknown_board_status_is_a_settings_error():
    assert parse(DOCUMENT).rejected == ["FlightLeg 1: unknown OperationalStatus 'BDG'"]
    feeds = FeedsSection(aidx_status_codes={"bdg": "boarding", "SCH": ""})
    codes = status_codes(feeds)
    assert codes["BDG"] is FlightStatus.BOARDING and codes["SCH"] is None and codes["BRD"] is FlightStatus.BOARDING
    boards = FlightBoards("HAK")
    boards.apply("aidx", parse(DOCUMENT, codes).changes)
    assert boards.flights(Direction.DEPARTURES)["HU7181-20261123-D"].status is FlightStatus.BOARDING
    with pytest.raises(ValidationError, match="must be empty or one of"):
        FeedsSection(aidx_status_codes={"BDG": "embarking"})
