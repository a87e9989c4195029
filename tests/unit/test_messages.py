"""The v1 message models and codec: round trips, and malformed input rejected with a clear reason."""

from __future__ import annotations

import contextlib
import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bus.codec import MAX_PAYLOAD_BYTES, MalformedLog, MalformedMessage, decode, encode
from bus.messages import (
    CallRating,
    CallRequest,
    Command,
    DeviceHealth,
    DeviceKind,
    DeviceStatus,
    OfflineReason,
    Push,
    Queued,
)
from bus.topics import TopicKind

HEALTH = {"v": 1, "cpu_percent": 12.5, "memory_percent": 40, "app_rss_mb": 88.1, "uptime_s": 3600}


def test_status_round_trips_and_ignores_unknown_fields():
    status = DeviceStatus(online=False, kind=DeviceKind.KIOSK, reason=OfflineReason.LOST, version="0.1.0")
    data = json.loads(encode(status))
    data["from_the_future"] = {"x": 1}
    decoded = decode(TopicKind.DEVICE_STATUS, json.dumps(data).encode())
    assert decoded == status


def test_call_signalling_is_told_apart_by_type():
    out = decode(TopicKind.CALL_OUT, encode(CallRequest(call="c1", language="zh", skills=["sign"])))
    assert isinstance(out, CallRequest)
    rating = decode(TopicKind.CALL_OUT, b'{"v":1,"type":"rating","call":"c1","stars":5,"answered":true}')
    assert isinstance(rating, CallRating) and rating.stars == 5
    queued = decode(TopicKind.CALL_IN, b'{"v":1,"type":"queued","call":"c1","position":2,"eta_s":null}')
    assert isinstance(queued, Queued) and queued.eta_s is None


@pytest.mark.parametrize(
    ("kind", "payload", "reason"),
    [
        (TopicKind.DEVICE_HEALTH, b"", "empty"),
        (TopicKind.DEVICE_HEALTH, b"\xff\xfe", "not UTF-8"),
        (TopicKind.DEVICE_HEALTH, b"{not json", "not JSON"),
        (TopicKind.DEVICE_HEALTH, b"[1, 2]", "not a JSON object"),
        (TopicKind.DEVICE_HEALTH, json.dumps({**HEALTH, "v": 2}).encode(), "unsupported version"),
        (TopicKind.DEVICE_HEALTH, json.dumps({**HEALTH, "cpu_percent": 250}).encode(), "cpu_percent"),
        (TopicKind.DEVICE_HEALTH, json.dumps({**HEALTH, "ts": "2026-11-23T10:00:00"}).encode(), "offset"),
        (TopicKind.CALL_IN, b'{"v":1,"type":"push","call":"c1","kind":"hologram"}', "kind"),
        (TopicKind.CALL_OUT, b'{"v":1,"type":"rating","call":"c1","stars":9}', "stars"),
        (TopicKind.CALL_OUT, b'{"v":1,"type":"teleport","call":"c1"}', "type"),
        (TopicKind.COMMAND, b'{"v":1,"id":"1","name":"rm -rf"}', "name"),
        (TopicKind.DEVICE_HEALTH, b"{" + b" " * MAX_PAYLOAD_BYTES + b"}", "exceeds"),
        (TopicKind.DEVICE_HEALTH, b"[" * 100_000, "not JSON"),
    ],
)
def test_malformed_payloads_are_rejected_with_a_reason(kind, payload, reason):
    with pytest.raises(MalformedMessage) as error:
        decode(kind, payload)
    assert reason in error.value.reason


def test_an_oversized_sdp_is_refused():
    sdp = "v=0\n" + "a=" + "x" * 70_000
    with pytest.raises(MalformedMessage, match="sdp"):
        decode(TopicKind.CALL_OUT, json.dumps({"v": 1, "type": "offer", "call": "c1", "sdp": sdp}).encode())


@given(st.binary(max_size=512))
def test_random_bytes_never_crash_the_decoder(payload):
    for kind in TopicKind:
        with contextlib.suppress(MalformedMessage):
            decode(kind, payload)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=8,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["v", "type", "call", "stars", "sdp", "kind", "online", "x"]), json_values))
def test_random_json_objects_are_either_valid_or_malformed(obj):
    for kind in (TopicKind.CALL_OUT, TopicKind.CALL_IN, TopicKind.DEVICE_STATUS, TopicKind.COMMAND):
        with contextlib.suppress(MalformedMessage):
            decode(kind, json.dumps(obj).encode())


def test_push_and_command_models_keep_their_content():
    push = Push(call="c-1", kind="qr", url="https://example.org/map")
    assert decode(TopicKind.CALL_IN, encode(push)) == push
    command = Command(id="cmd-1", name="show_notice", args={"text": "Gate change"})
    assert decode(TopicKind.COMMAND, encode(command)).args == {"text": "Gate change"}


def test_health_carries_units_in_its_names():
    health = decode(TopicKind.DEVICE_HEALTH, json.dumps(HEALTH).encode())
    assert isinstance(health, DeviceHealth)
    assert health.app_rss_mb == 88.1 and health.uptime_s == 3600


def test_malformed_messages_are_logged_once_per_kind_and_source(caplog):
    log = MalformedLog(logging.getLogger("test"))
    with caplog.at_level(logging.WARNING):
        log.report(TopicKind.DEVICE_HEALTH, "kiosk-1", "bad")
        log.report(TopicKind.DEVICE_HEALTH, "kiosk-1", "bad again")
        log.report(TopicKind.DEVICE_HEALTH, "kiosk-2", "bad")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage().count("kiosk-1") for r in warnings] == [1, 0]
    assert log.count == 3


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        (TopicKind.DEVICE_STATUS, b'{"v":true,"online":true,"kind":"kiosk"}'),
        (TopicKind.DEVICE_STATUS, b'{"v":1.0,"online":true,"kind":"kiosk"}'),
        (TopicKind.DEVICE_STATUS, b'{"v":1,"online":"yes","kind":"kiosk"}'),
        (TopicKind.DEVICE_STATUS, b'{"v":1,"online":true,"kind":"kiosk","reason":"lost"}'),
        (TopicKind.DEVICE_HEALTH, b'{"v":1,"cpu_percent":"12","memory_percent":1,"app_rss_mb":1,"uptime_s":1}'),
        (TopicKind.DEVICE_HEALTH, b'{"v":1,"cpu_percent":1,"memory_percent":1,"app_rss_mb":Infinity,"uptime_s":1}'),
        (TopicKind.FLIGHTS_UPDATE, b'{"v":1,"direction":"dep","base_revision":5,"revision":5}'),
        (TopicKind.CALL_IN, b'{"v":1,"type":"push","call":"c1","kind":"qr","url":"javascript:alert(1)"}'),
    ],
)
def test_receivers_are_strict(kind, payload):
    with pytest.raises(MalformedMessage):
        decode(kind, payload)


def test_nested_objects_ignore_unknown_fields_including_a_version():
    payload = b'{"v":1,"type":"request","call":"c1","language":"en","context":{"v":2,"screen":"home","new":1}}'
    request = decode(TopicKind.CALL_OUT, payload)
    assert request.context.screen == "home"


def test_end_reasons_are_one_enum_whose_wire_strings_protocol_md_names():
    from pathlib import Path

    from bus.messages.call import CallHangup, Ended, EndReason

    assert {reason.value for reason in EndReason} == {
        "caller",
        "caller_lost",
        "failed",
        "agent",
        "agent_lost",
        "unsupported",
        "handed_over",
    }
    section = Path("docs/protocol.md").read_text(encoding="utf-8").split("### End reasons", 1)[1][:2500]
    for reason in EndReason:
        assert f"`{reason.value}`" in section, reason
    # On the wire the reason stays a string: the enum adds names, not a new encoding.
    ended = json.loads(encode(Ended(call="c1", reason=EndReason.AGENT_LOST)))
    assert ended["reason"] == "agent_lost"
    assert CallHangup(call="c1").reason == "caller"
    assert decode(TopicKind.CALL_IN, b'{"v":1,"type":"ended","call":"c1","reason":"from_the_future"}').reason


def test_device_and_agent_ids_are_checked_by_one_pattern_each_to_the_end_of_the_string():
    from pydantic import ValidationError

    from bus.messages.base import AGENT_ID, DEVICE_ID
    from bus.messages.call import Agent
    from bus.topics import Topics
    from config.sections import DEVICE_ID_PATTERN

    assert DEVICE_ID is DEVICE_ID_PATTERN
    topics = Topics("airport/HAK")
    assert topics.parse("airport/HAK/device/kiosk-1/status") is not None
    assert topics.parse("airport/HAK/device/kiosk-1\n/status") is None
    with pytest.raises(ValueError):
        topics.device("kiosk-1\n", TopicKind.DEVICE_STATUS)
    assert Agent(id="agent.chen").id == "agent.chen"
    with pytest.raises(ValidationError):
        Agent(id="agent chen")
    assert AGENT_ID.startswith("^") and AGENT_ID.endswith("$")
