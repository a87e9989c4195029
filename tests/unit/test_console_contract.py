"""The agent console's contract: typed events in, one JSON form out, the limits served, the docs in step."""

from __future__ import annotations

import typing
from pathlib import Path

from central.switchboard.console.events import ConsoleEvent, SignedIn
from central.switchboard.console.messages import MAX_NOTE_CHARS, parse
from central.switchboard.console.wallboard import Wallboard
from central.switchboard.console.wire import as_json
from tests.peers.switchboard import Board

CALLS_MD = Path("docs/calls.md")


def event_types() -> set[str]:
    types: set[str] = set()
    for model in typing.get_args(ConsoleEvent):
        types.update(typing.get_args(model.model_fields["type"].annotation))
    return types


def test_every_console_event_type_is_documented_in_calls_md():
    text = CALLS_MD.read_text(encoding="utf-8")

    assert event_types() == {
        "signed_in",
        "signed_out",
        "state",
        "ring",
        "ring_cancelled",
        "connected",
        "offer",
        "answer",
        "ended",
        "wrap_up",
        "disposition_saved",
        "transferred",
        "consult",
        "consult_signal",
        "consult_ended",
        "error",
        "caller_away",
        "caller_back",
    }
    for kind in event_types():
        assert f"`{kind}`" in text, kind


def test_the_console_learns_the_note_limit_from_signed_in_and_the_server_keeps_to_the_same_one():
    board = Board()
    console = board.agent("chen")

    signed_in = console.events[0]
    assert signed_in["type"] == "signed_in"
    assert signed_in["max_note_chars"] == MAX_NOTE_CHARS
    note = "x" * MAX_NOTE_CHARS
    assert parse(f'{{"type": "disposition", "call": "c1", "resolved": true, "category": "other", "note": "{note}"}}')


def test_events_become_json_with_their_enums_as_strings():
    event = SignedIn(agent="chen", name="Chen", skills=["zh", "en"], categories=[], ring_timeout_s=15, wrap_up_s=60)

    assert as_json(event) == {
        "type": "signed_in",
        "agent": "chen",
        "name": "Chen",
        "skills": ["en", "zh"],
        "categories": [],
        "ring_timeout_s": 15.0,
        "wrap_up_s": 60.0,
        "max_note_chars": MAX_NOTE_CHARS,
        "site_skills": [],
    }


def test_the_wallboard_view_is_typed_and_its_json_reads_back_as_the_same_view():
    board = Board()
    board.agent("chen")
    board.call("kiosk-1")

    view = board.sb.wallboard_view()
    assert isinstance(view, Wallboard)
    assert view.agents["ringing"][0].id == "chen"
    assert Wallboard.model_validate(board.sb.wallboard()) == view
    assert board.sb.wallboard()["ts"].endswith("+00:00")  # as the bus writes times
