"""docs/protocol.md 3.11-3.12: the examples decode, every documented field exists, and old boards still do."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bus.codec import MalformedMessage, decode, encode
from bus.messages.flights import Flight, FlightBoard, FlightUpdate, apply_update
from bus.topics import TopicKind

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def _section(title: str, until: str) -> str:
    text = PROTOCOL.read_text(encoding="utf-8")
    return text.split(title, 1)[1].split(until, 1)[0]


def _examples(section: str) -> list[bytes]:
    return [block.encode() for block in re.findall(r"```json\n(.*?)```", section, re.S)]


def test_the_board_and_update_examples_decode_with_the_codec():
    boards = _examples(_section("### 3.11 ", "### 3.12 "))
    updates = _examples(_section("### 3.12 ", "### 3.13 "))
    assert boards and updates
    for example in boards:
        board = decode(TopicKind.FLIGHTS_DEP, example)
        assert isinstance(board, FlightBoard) and board.flights
    for example in updates:
        assert isinstance(decode(TopicKind.FLIGHTS_UPDATE, example), FlightUpdate)


def test_every_field_of_a_flight_and_a_board_is_in_the_tables():
    section = _section("### 3.11 ", "### 3.12 ")
    for name in [*Flight.model_fields, *FlightBoard.model_fields]:
        if name != "v":
            assert f"| `{name}` |" in section, name


def test_a_board_from_before_the_new_fields_still_decodes_with_their_defaults():
    old = (
        b'{"v":1,"direction":"arr","revision":3,"flights":[{"id":"CZ6753-20261123-A","number":"CZ6753",'
        b'"direction":"arr","other_airport":"CAN","scheduled":"2026-11-23T02:20:00Z"}]}'
    )
    board = decode(TopicKind.FLIGHTS_ARR, old)
    flight = board.flights[0]
    assert (flight.city_zh, flight.via, flight.times, flight.diverted_to, board.tz) == ("", [], [], None, "")


def test_new_fields_round_trip_and_times_without_an_offset_are_refused():
    board = decode(TopicKind.FLIGHTS_DEP, _examples(_section("### 3.11 ", "### 3.12 "))[0])
    assert decode(TopicKind.FLIGHTS_DEP, encode(board)) == board
    data = json.loads(encode(board))
    data["flights"][0]["times"][0]["estimated"] = "2026-11-23T15:50:00"
    with pytest.raises(MalformedMessage, match="offset"):
        decode(TopicKind.FLIGHTS_DEP, json.dumps(data).encode())


def test_apply_update_replaces_by_id_and_removes_and_leaves_its_input_alone():
    board = decode(TopicKind.FLIGHTS_DEP, _examples(_section("### 3.11 ", "### 3.12 "))[0])
    update = decode(TopicKind.FLIGHTS_UPDATE, _examples(_section("### 3.12 ", "### 3.13 "))[0])
    before = {f.id: f for f in board.flights}
    after = apply_update(before, update)
    assert after["HU7181-20261123-D"].gate == "14"
    assert len(before) == 2 and before["HU7181-20261123-D"].gate == "12"
