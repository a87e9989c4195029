"""The agent's SDP answer, as it reaches the kiosk (``answer`` on call/in): the bus refuses a bad one
with MalformedMessage, and the kiosk reads the answer's video codec from any answer that aiortc itself
can read, without raising. (The session ends a call whose answer aiortc cannot apply, whatever aiortc
raises: video/session.py, ``_take_answer``.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiortc.sdp import SessionDescription
from hypothesis import given

from bus.codec import MalformedMessage, decode
from bus.messages.call import SdpAnswer
from bus.topics import TopicKind
from tests.fuzz.support import corpus, fuzz_settings, mutated
from video.peer import negotiated_video_codec

pytestmark = pytest.mark.fuzz

SEEDS = [(Path(__file__).parent / "seeds" / "answer.sdp").read_bytes()]  # an aiortc answer: video, audio, data
SDP_BYTES = b"\r\n=: /0123456789mavcot"


def codec_or_unreadable(raw: bytes) -> None:
    sdp = raw.decode("utf-8", errors="replace")
    try:
        SessionDescription.parse(sdp)
    except Exception:
        return
    codec = negotiated_video_codec(sdp)
    assert codec is None or (isinstance(codec, str) and "/" not in codec)


def test_the_seed_answer_sends_video():
    assert negotiated_video_codec(SEEDS[0].decode()) in ("VP8", "H264")


@fuzz_settings(200)
@given(mutated(SEEDS, alphabet=SDP_BYTES))
def test_a_mutated_answer_gives_its_codec_or_is_unreadable(raw):
    codec_or_unreadable(raw)


@fuzz_settings(100)
@given(mutated(SEEDS, alphabet=SDP_BYTES))
def test_a_mutated_answer_on_the_bus_is_taken_or_refused(raw):
    payload = json.dumps({"v": 1, "type": "answer", "call": "c1", "sdp": raw.decode("utf-8", "replace")})
    try:
        message = decode(TopicKind.CALL_IN, payload.encode())
    except MalformedMessage:
        return
    assert isinstance(message, SdpAnswer)


def test_inputs_that_once_failed_give_a_codec_or_are_unreadable():
    for name, raw in corpus("sdp"):
        try:
            codec_or_unreadable(raw)
        except Exception as error:
            raise AssertionError(f"corpus/sdp/{name}: {error!r}") from error
