"""The codec skips its separate version check for payloads that plainly carry ``"v":1`` first, as every
sender's encode writes them; anything that could hide another ``v`` still gets the full check."""

from __future__ import annotations

import pytest

from bus.codec import MalformedMessage, decode, encode
from bus.messages.device import DeviceHealth
from bus.topics import TopicKind

HEALTH = b'"cpu_percent":1,"memory_percent":2,"app_rss_mb":3,"uptime_s":4'


def test_what_encode_writes_decodes() -> None:
    health = DeviceHealth(cpu_percent=1, memory_percent=2, app_rss_mb=3, uptime_s=4, version="版本 1")
    payload = encode(health)
    assert payload.startswith(b'{"v":1,')
    assert decode(TopicKind.DEVICE_HEALTH, payload) == health


@pytest.mark.parametrize(
    "payload",
    [
        b'{"v":1,' + HEALTH + b',"v":true}',  # a second v, which the model would take as 1
        b'{"v":1,' + HEALTH + b',"\\u0076":true}',  # the same, spelled with an escape
        b'{"v":1,' + HEALTH + b',"v":1.0}',
        b'{"v":10,' + HEALTH + b"}",
    ],
)
def test_another_v_behind_the_first_is_still_refused(payload: bytes) -> None:
    with pytest.raises(MalformedMessage, match="unsupported version"):
        decode(TopicKind.DEVICE_HEALTH, payload)


def test_a_plain_start_with_broken_json_behind_it_says_not_json() -> None:
    with pytest.raises(MalformedMessage, match="payload is not JSON"):
        decode(TopicKind.DEVICE_HEALTH, b'{"v":1,' + HEALTH + b",}")
