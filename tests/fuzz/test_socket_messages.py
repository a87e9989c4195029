"""What browsers send on central's sockets: the agent console (``/ws/agent``) and a phone's video help
(``/ws/phone``). Each frame is read or refused with the socket's own error (BadConsoleMessage,
BadPhoneMessage) whose reason is short enough to send back; a valid frame reads the same twice."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.switchboard.console.messages import BadConsoleMessage
from central.switchboard.console.messages import parse as parse_console
from central.web.phone_messages import BadPhoneMessage
from central.web.phone_messages import parse as parse_phone
from tests.fuzz.support import corpus, fuzz_settings, json_values, mutated, nested

pytestmark = pytest.mark.fuzz

CALL = "kiosk-t1-01-20261123-145151"
SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n"
CONSOLE_SEEDS = [
    {"type": "presence", "available": True},
    {"type": "accept", "call": CALL},
    {"type": "decline", "call": CALL},
    {"type": "answer", "call": CALL, "sdp": SDP},
    {"type": "hangup", "call": CALL},
    {"type": "disposition", "call": CALL, "resolved": True, "category": "baggage", "note": "found it"},
]
PHONE_SEEDS = [
    {"type": "call", "language": "zh-CN", "sign": False},
    {"type": "take_over", "token": "a" * 32},
    {"type": "resume", "token": "B-_" * 8},
    {"type": "cancel"},
    {"type": "offer", "sdp": SDP},
    {"type": "hangup", "reason": "failed"},
    {"type": "rating", "stars": 4, "answered": True},
]
JSON_BYTES = b'{}[]":,0123456789.-etrufnl\\'
SOCKETS = {
    "console": (parse_console, BadConsoleMessage, CONSOLE_SEEDS),
    "phone": (parse_phone, BadPhoneMessage, PHONE_SEEDS),
}


def read_or_refused(socket: str, text: str) -> None:
    parse, refusal, _ = SOCKETS[socket]
    try:
        message = parse(text)
    except refusal as refused:
        assert refused.reason and len(refused.reason) <= 300  # sent back to the browser as it is
        return
    assert parse(text) == message


def test_the_seeds_are_good_messages():
    for socket, (parse, _, seeds) in SOCKETS.items():
        for seed in seeds:
            assert parse(json.dumps(seed)).type == seed["type"], socket


@fuzz_settings(150)
@given(st.sampled_from(sorted(SOCKETS)), st.data())
def test_a_mutated_frame_is_read_or_refused(socket, data):
    seeds = [json.dumps(seed).encode() for seed in SOCKETS[socket][2]]
    raw = data.draw(mutated(seeds, alphabet=JSON_BYTES))
    read_or_refused(socket, raw.decode("utf-8", errors="surrogateescape"))


@fuzz_settings(150)
@given(st.sampled_from(sorted(SOCKETS)), st.data(), st.text(max_size=12), json_values)
def test_a_frame_with_one_field_of_any_shape_is_read_or_refused(socket, data, key, value):
    frame = dict(data.draw(st.sampled_from(SOCKETS[socket][2])))
    frame[key or "type"] = value
    read_or_refused(socket, json.dumps(frame))


@pytest.mark.parametrize("socket", sorted(SOCKETS))
@pytest.mark.parametrize("depth", [1, 100, 5_000, 200_000])
def test_a_frame_nested_deep_is_refused(socket, depth):
    read_or_refused(socket, nested(depth))
    read_or_refused(socket, '{"type": "presence", "available": ' + nested(depth, '{"a":', "}", "1") + "}")


@pytest.mark.parametrize("socket", sorted(SOCKETS))
def test_inputs_that_once_failed_are_read_or_refused(socket):
    for name, raw in corpus(f"{socket}_socket"):
        try:
            read_or_refused(socket, raw.decode("utf-8", errors="surrogateescape"))
        except Exception as error:
            raise AssertionError(f"corpus/{socket}_socket/{name}: {error!r}") from error
