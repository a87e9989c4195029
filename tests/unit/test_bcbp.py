"""The BCBP parser against passes built from Resolution 792's layout (docs/scanning.md), and random text."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardware.scanner.bcbp import (
    BoardingPassError,
    as_json,
    claims_to_be_boarding_pass,
    encode,
    name_initials,
    parse,
)


def head(name: str = "DESMARAIS/LUC", legs: int = 1, ticket: str = "E") -> str:
    return f"M{legs}{name:<20}{ticket}"


def mandatory(
    pnr: str = "ABC123",
    origin: str = "YUL",
    destination: str = "FRA",
    carrier: str = "AC",
    flight: str = "0834",
    date: str = "326",
    compartment: str = "J",
    seat: str = "001A",
    sequence: str = "0025",
    status: str = "1",
) -> str:
    text = f"{pnr:<7}{origin:<3}{destination:<3}{carrier:<3}{flight:<5}{date:>3}"
    text += f"{compartment:1}{seat:>4}{sequence:<5}{status:1}"
    assert len(text) == 35
    return text


def sized(section: str) -> str:
    return f"{len(section):02X}{section}"


# the unique items: description, check-in source, issuance source, issue date, document type, issuer, tags
UNIQUE_V1 = "1" + "W" + " " + "6225" + "B" + "AC " + "0014123456003"
UNIQUE_V3 = UNIQUE_V1 + "0014123456004" + "0014123456005"
# the repeated items: airline code, document, selectee, verification, marketing, FF airline, FF number, ID/AD,
# baggage, fast track
REPEATED_V1 = "014" + "1234567890" + "1" + "0" + "AC " + "AC " + "1234567890123   " + " " + "20K"
REPEATED_V5 = REPEATED_V1 + "Y"


def first_leg(version: int, unique: str, repeated: str, airline: str = "", **fields: str) -> str:
    variable = f">{version}{sized(unique)}{sized(repeated)}{airline}"
    return mandatory(**fields) + sized(variable)


def later_leg(repeated: str, airline: str = "", **fields: str) -> str:
    return mandatory(**fields) + sized(sized(repeated) + airline)


def test_a_one_leg_pass_with_mandatory_items_only():
    boarding_pass = parse(head() + mandatory() + "00")
    assert boarding_pass.name == "DESMARAIS/LUC"
    assert boarding_pass.electronic_ticket == "E"
    assert boarding_pass.version is None
    assert boarding_pass.security is None
    (leg,) = boarding_pass.legs
    assert (leg.pnr, leg.from_airport, leg.to_airport, leg.carrier, leg.flight) == (
        "ABC123",
        "YUL",
        "FRA",
        "AC",
        "0834",
    )
    assert (leg.date_of_flight, leg.compartment, leg.seat, leg.sequence, leg.status) == (326, "J", "001A", "0025", "1")
    assert leg.flight_number == "AC834"
    assert leg.fast_track is None


@pytest.mark.parametrize("version", range(1, 9))
def test_each_versions_conditional_items_are_read(version):
    unique = UNIQUE_V1 if version < 3 else UNIQUE_V3
    repeated = REPEATED_V1 if version < 5 else REPEATED_V5
    boarding_pass = parse(head() + first_leg(version, unique, repeated, airline="LX58Z"))
    assert boarding_pass.version == version
    assert boarding_pass.passenger_description == "1"
    assert boarding_pass.checkin_source == "W"
    assert boarding_pass.issuance_source == ""
    assert boarding_pass.issue_date == "6225"
    assert boarding_pass.document_type == "B"
    assert boarding_pass.issuer == "AC"
    expected_tags = ["0014123456003"] + (["0014123456004", "0014123456005"] if version >= 3 else [])
    assert list(boarding_pass.baggage_tags) == expected_tags
    (leg,) = boarding_pass.legs
    assert leg.airline_numeric_code == "014"
    assert leg.document_number == "1234567890"
    assert leg.marketing_carrier == "AC"
    assert leg.frequent_flyer_number == "1234567890123"
    assert leg.id_ad == ""
    assert leg.free_baggage == "20K"
    assert leg.fast_track == ("Y" if version >= 5 else None)
    assert leg.airline_data == "LX58Z"


def test_four_legs_with_security_data():
    legs = [
        first_leg(
            6, UNIQUE_V3, REPEATED_V5, pnr="DEF456", origin="HAK", destination="PEK", carrier="HU", flight="7181"
        ),
        later_leg(REPEATED_V5, "X", pnr="DEF456", origin="PEK", destination="FRA", carrier="LH", flight="721"),
        later_leg("", pnr="DEF456", origin="FRA", destination="GVA", carrier="LX", flight="1071", seat="", status="0"),
        mandatory(pnr="DEF456", origin="GVA", destination="YUL", carrier="AC", flight="0835") + "00",
    ]
    security = "GIWVC5EH7JNT684FVNJ91W2QA4DVN5J8K4F0L0GEQ3DF5TGBN8709HKT5D3DW3GBHFCVHMY7J5T6HFR41W2QA4DVN5J8K4F0L0GE"
    text = head(legs=4) + "".join(legs) + f"^1{len(security):02X}{security}"
    boarding_pass = parse(text)
    assert [leg.from_airport + leg.to_airport for leg in boarding_pass.legs] == ["HAKPEK", "PEKFRA", "FRAGVA", "GVAYUL"]
    assert [leg.flight_number for leg in boarding_pass.legs] == ["HU7181", "LH721", "LX1071", "AC835"]
    assert boarding_pass.legs[1].airline_data == "X"
    assert boarding_pass.legs[1].fast_track == "Y"
    assert boarding_pass.legs[2].seat == "" and boarding_pass.legs[2].airline_numeric_code is None
    assert boarding_pass.security is not None
    assert (boarding_pass.security.type, boarding_pass.security.data) == ("1", security)
    shape = as_json(boarding_pass)
    assert shape["version"] == 6
    assert shape["security"] == {"type": "1", "data": security}
    assert isinstance(shape["legs"], list) and shape["legs"][0] == {
        "pnr": "DEF456",
        "from": "HAK",
        "to": "PEK",
        "carrier": "HU",
        "flight": "7181",
        "date_of_flight": 326,
        "compartment": "J",
        "seat": "001A",
        "sequence": "0025",
        "status": "1",
    }


def test_security_section_on_a_pass_with_mandatory_items_only():
    boarding_pass = parse(head() + mandatory() + "00" + "^100")
    assert boarding_pass.security is not None and boarding_pass.security.data == ""


def test_blank_fields_are_empty_and_a_blank_date_is_none():
    text = head(name="", ticket=" ") + mandatory(pnr="", date="   ", seat="", sequence="", compartment=" ") + "00"
    boarding_pass = parse(text)
    leg = boarding_pass.legs[0]
    assert boarding_pass.name == "" and boarding_pass.electronic_ticket == ""
    assert (leg.pnr, leg.date_of_flight, leg.seat, leg.sequence, leg.compartment) == ("", None, "", "", "")


def test_sections_that_stop_early_leave_the_later_items_absent():
    boarding_pass = parse(head() + first_leg(2, "1W", "014123"))
    assert boarding_pass.checkin_source == "W" and boarding_pass.issue_date is None
    assert boarding_pass.baggage_tags == ()
    leg = boarding_pass.legs[0]
    assert leg.airline_numeric_code == "014" and leg.document_number == "123"  # the part it has
    assert leg.selectee is None


def test_a_variable_size_of_zero_followed_by_conditional_data_is_read():
    variable = f">5{sized(UNIQUE_V1)}{sized(REPEATED_V5)}AIRLINE"
    security = "ABCDEF"
    boarding_pass = parse(head() + mandatory() + "00" + variable + f"^3{len(security):02X}{security}")
    assert boarding_pass.version == 5
    assert boarding_pass.legs[0].fast_track == "Y"
    assert boarding_pass.legs[0].airline_data == "AIRLINE"
    assert boarding_pass.security is not None and boarding_pass.security.data == security
    assert boarding_pass.deviations


def test_a_unique_section_of_size_zero():
    boarding_pass = parse(head() + first_leg(7, "", REPEATED_V5))
    assert boarding_pass.version == 7 and boarding_pass.issuer is None
    assert boarding_pass.legs[0].free_baggage == "20K"


def test_lower_case_hex_and_trailing_newline_are_accepted():
    variable = f">6{sized(UNIQUE_V3)}{sized(REPEATED_V5)}"
    text = head() + mandatory() + f"{len(variable):02x}" + variable + "\n"
    assert parse(text.rstrip("\n") + "  ").version == 6


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("X1" + "A" * 60, "format code"),
        (head(legs=5) + mandatory() + "00", "number of legs"),
        (head(legs=0) + mandatory() + "00", "number of legs"),
        (head() + mandatory()[:20], "ends inside"),
        (head() + mandatory() + "0G", "hex"),
        (head() + mandatory() + "10" + "short", "ends inside"),
        (head() + mandatory(date="3X6") + "00", "date of flight"),
        (head() + mandatory(date="400") + "00", "date of flight"),
        (head() + mandatory(origin="12$") + "00", "airport"),
        (head() + mandatory() + "00" + "garbage", "after the last leg"),
        (head(legs=2) + mandatory() + "00", "ends inside"),
        (head(legs=2) + mandatory() + "00" + "^100", "legs"),
        (head() + mandatory() + "00" + "^1FFabc", "security data"),
        (head() + mandatory() + "00\x07", "control"),
        (head() + mandatory() + "00" + " " * 3000, "longer"),
    ],
)
def test_what_does_not_fit_says_why(text, reason):
    with pytest.raises(BoardingPassError) as caught:
        parse(text)
    assert reason in caught.value.reason


def test_only_texts_that_start_like_a_pass_claim_to_be_one():
    assert claims_to_be_boarding_pass(head() + mandatory() + "00")
    assert claims_to_be_boarding_pass("M9")
    assert not claims_to_be_boarding_pass("https://hak.example/p/t1-a12")
    assert not claims_to_be_boarding_pass("MAP")


@pytest.mark.parametrize(
    ("name", "initials"),
    [("DESMARAIS/LUC", "D. L."), ("ZHANG/SAN MR", "Z. S."), ("LI/XIAO MING MS", "L. X. M."), ("", "")],
)
def test_names_become_initials(name, initials):
    assert name_initials(name) == initials


@settings(deadline=None)
@given(st.text(max_size=200))
def test_random_text_raises_only_the_parsers_own_error(text):
    with contextlib.suppress(BoardingPassError):  # any other exception fails the test
        parse(text)


PASS_ALPHABET = st.sampled_from(list("M1234 >^0123456789ABCDEFabcdef/XYZ\n\x00é"))


@settings(deadline=None)
@given(st.lists(PASS_ALPHABET, max_size=40), st.integers(0, 200))
def test_damaged_passes_raise_only_the_parsers_own_error(noise, at):
    text = head(legs=2) + first_leg(6, UNIQUE_V3, REPEATED_V5) + later_leg(REPEATED_V1) + "^104ABCD"
    assert parse(text).version == 6
    damaged = text[:at] + "".join(noise) + text[at + len(noise) :]
    with contextlib.suppress(BoardingPassError):
        parse(damaged)


@pytest.mark.parametrize("version", [None, 1, 3, 5, 8])
def test_encoding_a_parsed_pass_gives_the_same_pass(version):
    legs = head(legs=2) + (first_leg(version, UNIQUE_V3, REPEATED_V5, "AIR") if version else mandatory() + "00")
    text = legs + later_leg(REPEATED_V1, pnr="XYZ999", origin="FRA", destination="HAK") + "^10AABCDEFGHIJ"
    boarding_pass = parse(text)
    assert encode(boarding_pass) == text
    assert parse(encode(boarding_pass)) == boarding_pass
