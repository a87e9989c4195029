"""Bus payloads from anywhere on the network: every topic's decoder refuses bad ones with MalformedMessage
and nothing else, and the kiosk's call signalling drops them without losing the messages it holds.

Random bytes and random JSON are already tried in tests/unit/test_messages.py; here the seeds are the
protocol's own examples (docs/protocol.md), mutated, so the input gets past the JSON parser into the
validators of every field."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bus.codec import MalformedMessage, decode, encode
from bus.messages.call import Queued
from bus.topics import TopicKind, Topics
from tests.fuzz.support import corpus, fuzz_settings, json_values, mutated
from tests.peers.programs import ROOT
from video.signalling import BusSignalling

pytestmark = pytest.mark.fuzz


def protocol_examples() -> list[bytes]:
    """Every JSON object with ``"v": 1`` in a code block of docs/protocol.md."""
    text = (ROOT / "docs" / "protocol.md").read_text()
    found = []
    for block in re.findall(r"^```json\n(.*?)^```", text, re.DOTALL | re.MULTILINE):
        try:
            data = json.loads(block)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("v") == 1:
            found.append(json.dumps(data).encode())
    return found


SEEDS = protocol_examples()


def decodes_or_refuses(kind: TopicKind, payload: bytes) -> Any:
    try:
        return decode(kind, payload)
    except MalformedMessage as refused:
        assert refused.reason and len(refused.reason) < 1000  # short and safe to log
        return None


def test_the_protocol_document_gives_seeds_for_most_topics():
    decoded = {kind for kind in TopicKind for seed in SEEDS if decodes_or_refuses(kind, seed) is not None}
    assert len(SEEDS) >= 20 and len(decoded) >= 8, (len(SEEDS), decoded)


@fuzz_settings(150)
@given(payload=mutated(SEEDS, alphabet=b'{}[]":,0123456789.-etrufnl\\'), kind=st.sampled_from(list(TopicKind)))
def test_a_mutated_protocol_example_is_decoded_or_refused(payload, kind):
    decodes_or_refuses(kind, payload)


@fuzz_settings(60)
@given(
    seed=st.sampled_from(SEEDS),
    key=st.text(max_size=12),
    value=json_values,
    kind=st.sampled_from(list(TopicKind)),
)
def test_a_protocol_example_with_one_field_changed_is_decoded_or_refused(seed, key, value, kind):
    data = json.loads(seed)
    field = sorted(data)[hash(key) % len(data)] if key else key
    data[field] = value
    decoded = decodes_or_refuses(kind, json.dumps(data).encode())
    if decoded is not None:
        assert decode(kind, encode(decoded)) == decoded  # what was taken in goes out again the same


def test_inputs_that_once_failed_are_decoded_or_refused():
    for name, payload in corpus("bus_messages"):
        for kind in TopicKind:
            try:
                decodes_or_refuses(kind, payload)
            except Exception as error:
                raise AssertionError(f"corpus/bus_messages/{name} on {kind}: {error!r}") from error


class _NoLink:
    """The signalling's link is only used to subscribe and publish, neither of which this test does."""


@fuzz_settings(60)
@given(st.lists(mutated(SEEDS) | st.binary(max_size=64), min_size=1, max_size=8))
def test_the_kiosks_call_signalling_drops_bad_messages_and_keeps_the_good_ones(payloads):
    signalling = BusSignalling(_NoLink(), Topics("airport/HAK"), "kiosk-t1-01")  # type: ignore[arg-type]
    good = Queued(call="kiosk-t1-01-20261123-145151", position=1, eta_s=3.0)
    signalling._on_message("in", encode(good))
    taken = 1
    for payload in payloads:
        before = signalling.malformed_count
        signalling._on_message("in", payload)
        if signalling.malformed_count == before:
            taken += 1
    inbox = signalling._inbox
    assert inbox.qsize() == min(taken, BusSignalling.INBOX_LIMIT)
    assert inbox.get_nowait() == good  # the good message before the bad ones is still there
