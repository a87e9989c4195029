"""The codec's shortcut past its separate version check gives the answer the full check gives: the same
message, or a refusal with the same reason, for what devices send and for payloads mutated from it."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bus.codec import MalformedMessage, _check_json_object_v1, decode, encode
from bus.messages.device import CameraHealth, DeviceEvent, DeviceHealth, DeviceStatus, PrinterHealth
from bus.topics import TopicKind


def _fully_checked(kind: TopicKind, payload: bytes) -> Any:
    """The codec as it was before the shortcut: the version checked on a parse of its own every time."""
    _check_json_object_v1(payload)
    return decode(kind, payload)


def _answer(kind: TopicKind, payload: bytes, how: Any) -> tuple[str, Any]:
    try:
        message = how(kind, payload)
    except MalformedMessage as exc:
        return "refused", exc.reason
    # a message without its own time is stamped at decoding: two decodings differ there by a few microseconds
    stamped = {"ts"} if "ts" in type(message).model_fields and "ts" not in message.model_fields_set else set()
    return "message", message.model_dump(exclude=stamped)


SAMPLES = {
    TopicKind.DEVICE_HEALTH: encode(
        DeviceHealth(
            cpu_percent=12.5,
            memory_percent=40,
            app_rss_mb=120.5,
            uptime_s=3600,
            temperature_c=48.2,
            printer=PrinterHealth(state="ready"),
            camera=CameraHealth(state="running", fps=15, last_frame_age_s=0.1),
            version="1.2.3",
        )
    ),
    TopicKind.DEVICE_EVENT: encode(DeviceEvent(seq=5, name="call.started", data={"where": "T1 大厅"})),
    TopicKind.DEVICE_STATUS: encode(DeviceStatus(online=True, kind="kiosk", location="T1")),
}

# pieces that matter to the version check and to JSON: another "v", escapes, nulls, numbers, brackets
PIECES = [b'"v"', b"1", b"1.0", b"true", b"null", b"\\", b"\\u0076", b",", b":", b"{", b"}", b'"', b"-1", b"1e999"]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[TopicKind, bytes]:
    kind = draw(st.sampled_from(sorted(SAMPLES)))
    payload = bytearray(SAMPLES[kind])
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(payload)))
        what = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from(PIECES) | st.binary(max_size=3))
        if what == "insert":
            payload[at:at] = piece
        elif what == "delete":
            del payload[at : at + draw(st.integers(1, 8))]
        else:
            payload[at : at + len(piece)] = piece
    return kind, bytes(payload)


@settings(max_examples=300, deadline=None)
@given(mutated())
@example((TopicKind.DEVICE_EVENT, b'{"v":1,"seq":5,"1ts":"2026-12-01T06:21:56Z","name":"call.started"}'))  # no ts
def test_the_shortcut_answers_as_the_full_check(case: tuple[TopicKind, bytes]) -> None:
    kind, payload = case
    assert _answer(kind, payload, decode) == _answer(kind, payload, _fully_checked)


def test_what_devices_send_takes_the_shortcut_and_decodes_the_same() -> None:
    for kind, payload in SAMPLES.items():
        assert payload.startswith(b'{"v":1,') and b"\\" not in payload
        assert decode(kind, payload) == _fully_checked(kind, payload)


def test_a_second_v_far_behind_the_first_is_still_checked() -> None:
    payload = SAMPLES[TopicKind.DEVICE_HEALTH][:-1] + b',"v":2}'
    assert _answer(TopicKind.DEVICE_HEALTH, payload, decode) == ("refused", "unsupported version v=2")
