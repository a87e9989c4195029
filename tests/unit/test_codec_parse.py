"""The codec parses payloads with pydantic's JSON parser: every payload it took with Python's json it takes
now and every one it refused it refuses, for the same reason; a lone surrogate and very deep nesting (which
Python's json took and the validation then refused) are now refused as "not JSON"."""

from __future__ import annotations

import pytest

from bus.codec import MalformedMessage, decode
from bus.topics import TopicKind

HEALTH = b'"cpu_percent":1,"memory_percent":2,"app_rss_mb":3,"uptime_s":4'


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\xff\xfe{}", "payload is not UTF-8"),
        (b'{"v":1,' + HEALTH + b',"version":"\xc3"}', "payload is not UTF-8"),
        (b"\xef\xbb\xbf{" + HEALTH + b"}", "payload is not JSON"),  # a byte order mark
        (b'{"v":1,' + HEALTH + b"}x", "payload is not JSON"),
        (b'{"v":1,' + HEALTH + b",}", "payload is not JSON"),
        (b'{"v":1,' + HEALTH + b',"a":"x\ty"}', "payload is not JSON"),  # a raw control character
        (b'{"v":1,' + HEALTH + b',"a":"\\ud800"}', "payload is not JSON"),  # a lone surrogate
        (b'{"v":1,' + HEALTH + b',"a":' + b'{"a":' * 400 + b"1" + b"}" * 400 + b"}", "payload is not JSON"),
        (b"[1]", "payload is not a JSON object"),
        (b'{"v":true,' + HEALTH + b"}", "unsupported version v=True"),
        (b'{"v":1.0,' + HEALTH + b"}", "unsupported version v=1.0"),
        (b"{" + HEALTH + b"}", "unsupported version v=None"),
        (b'{"v":1,"cpu_percent":1,"memory_percent":2,"app_rss_mb":3,"uptime_s":NaN}', "uptime_s"),
        (b'{"v":1,"cpu_percent":true,"memory_percent":2,"app_rss_mb":3,"uptime_s":4}', "cpu_percent"),
    ],
)
def test_bad_payloads_are_refused_with_their_reason(payload, reason):
    with pytest.raises(MalformedMessage) as refused:
        decode(TopicKind.DEVICE_HEALTH, payload)
    assert refused.value.reason.startswith(reason)


@pytest.mark.parametrize(
    "payload",
    [
        b' {"v":1,' + HEALTH + b"} \n",
        b'{"v":1,' + HEALTH + b',"later":{"nested":[1,2.5,"\\u00e9",null,NaN]}}',  # unknown fields ignored
        b'{"v":2,' + HEALTH + b',"v":1}',  # the last of repeated keys counts, as before
    ],
)
def test_good_payloads_still_decode(payload):
    assert decode(TopicKind.DEVICE_HEALTH, payload).uptime_s == 4
