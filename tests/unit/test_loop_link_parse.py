"""The loop link's PUBLISH packets parsed where they lie in memory (``BufferedClient.take_publishes``): every
message taken once, in order, whatever the chunks the bytes come in, each QoS 1 one acknowledged; anything
else left to paho. A real socket pair, no broker."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from bus.loop_link import BufferedClient, LoopLink
from config.sections import BusSection

PUBACK = 0x40


def publish_packet(topic: bytes, payload: bytes, qos: int, mid: int) -> bytes:
    """A PUBLISH as a broker writes it (MQTT 3.1.1 §3.3)."""
    variable = struct.pack("!H", len(topic)) + topic + (struct.pack("!H", mid) if qos else b"")
    remaining = len(variable) + len(payload)
    header = bytearray([0x30 | (qos << 1)])
    while True:
        byte, remaining = remaining & 0x7F, remaining >> 7
        header.append(byte | (0x80 if remaining else 0))
        if not remaining:
            return bytes(header) + variable + payload


class Wire:
    """A BufferedClient on one end of a socket pair, as if connected; the test writes the broker's bytes to the
    other end and reads what the client sends back."""

    def __init__(self) -> None:
        self.broker, ours = socket.socketpair()
        ours.setblocking(False)
        self.client = BufferedClient(
            callback_api_version=CallbackAPIVersion.VERSION2, client_id="t", protocol=MQTTProtocolVersion.MQTTv311
        )
        self.client._sock = ours
        self.taken: list[tuple[str, bytes]] = []
        self.client.take_message = lambda topic, payload: self.taken.append((topic, payload))
        self.link = LoopLink(BusSection(), "t")

    def read(self) -> None:
        while self.link._read_packets(self.client):  # a full turn: go on, as the loop would
            pass

    def acks(self) -> list[int]:
        self.client.loop_write()
        self.broker.setblocking(False)
        sent = b""
        try:
            while chunk := self.broker.recv(65536):
                sent += chunk
        except BlockingIOError:
            pass
        self.broker.setblocking(True)
        assert len(sent) % 4 == 0, sent
        packets = [sent[i : i + 4] for i in range(0, len(sent), 4)]
        assert all(packet[0] == PUBACK and packet[1] == 2 for packet in packets), sent
        return [struct.unpack("!H", packet[2:])[0] for packet in packets]

    def close(self) -> None:
        self.client._sock_close()
        self.broker.close()


@pytest.fixture
def wire() -> Iterator[Wire]:
    made = Wire()
    try:
        yield made
    finally:
        made.close()


messages = st.lists(
    st.tuples(
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40),
        st.binary(max_size=300),
        st.integers(0, 1),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=30, deadline=None)
@given(messages=messages, cuts=st.lists(st.integers(1, 400), max_size=20))
def test_every_message_is_taken_once_in_order_whatever_the_chunks(
    messages: list[tuple[str, bytes, int]], cuts: list[int]
) -> None:
    wire = Wire()
    try:
        stream = b"".join(
            publish_packet(topic.encode(), payload, qos, n + 1) for n, (topic, payload, qos) in enumerate(messages)
        )
        at = 0
        for cut in [*cuts, len(stream)]:
            wire.broker.sendall(stream[at : at + cut])
            at += cut
            wire.read()
            if at >= len(stream):
                break
        wire.broker.sendall(stream[at:])
        wire.read()
        assert wire.taken == [(topic, payload) for topic, payload, _qos in messages]
        assert wire.acks() == [n + 1 for n, (_t, _p, qos) in enumerate(messages) if qos == 1]
    finally:
        wire.close()


def test_a_length_in_five_bytes_is_left_to_paho_which_calls_it_a_protocol_error(wire: Wire) -> None:
    good = publish_packet(b"a/b", b"{}", 0, 0)
    wire.broker.sendall(good + bytes([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) + good)
    wire.read()
    assert wire.taken == [("a/b", b"{}")]  # the first, and nothing after the broken one
    assert wire.client.socket() is None


def test_a_packet_with_an_empty_topic_is_left_to_paho_which_closes_the_connection(wire: Wire) -> None:
    wire.broker.sendall(
        publish_packet(b"a/1", b"1", 1, 7) + publish_packet(b"", b"x", 0, 0) + publish_packet(b"a/2", b"2", 1, 8)
    )
    wire.read()
    assert wire.taken == [("a/1", b"1")]  # as paho's own reading: an empty topic is a protocol error
    assert wire.client.socket() is None


def test_a_qos_2_message_goes_paho_s_own_way(wire: Wire) -> None:
    wire.broker.sendall(publish_packet(b"a/1", b"1", 0, 0) + publish_packet(b"a/2", b"2", 2, 9))
    wire.read()
    assert wire.taken[0] == ("a/1", b"1")
    assert wire.client._in_packet["command"] == 0  # paho took the QoS 2 one whole (it waits for PUBREL)


async def test_reads_rest_between_wake_ups_and_take_what_came_meanwhile_in_one() -> None:
    wire = Wire()
    loop = asyncio.get_running_loop()
    link, client = wire.link, wire.client
    link._client = client
    link._loop = loop
    link.read_rest_s = 0.2
    taken_at: list[float] = []
    client.take_message = lambda topic, payload: (wire.taken.append((topic, payload)), taken_at.append(loop.time()))
    sock = client.socket()
    assert sock is not None
    loop.add_reader(sock, link._readable)
    try:
        wire.broker.sendall(publish_packet(b"a/1", b"1", 0, 0))
        async with asyncio.timeout(10):
            while not wire.taken:
                await asyncio.sleep(0.01)
        wire.broker.sendall(publish_packet(b"a/2", b"2", 0, 0) + publish_packet(b"a/3", b"3", 0, 0))
        async with asyncio.timeout(10):
            while len(wire.taken) < 3:
                await asyncio.sleep(0.01)
        assert taken_at[1] - taken_at[0] >= 0.15  # the second read waited for the rest (0.2 s from the first)
        assert taken_at[2] - taken_at[1] < 0.1  # and took both in one go
        assert wire.taken == [("a/1", b"1"), ("a/2", b"2"), ("a/3", b"3")]
    finally:
        link._forget(sock)
        wire.close()


def test_each_topic_goes_to_the_handlers_whose_patterns_match_also_after_a_later_subscribe() -> None:
    link = LoopLink(BusSection(), "t")
    got: list[tuple[str, str]] = []
    link.subscribe("a/+/health", lambda topic, _p: got.append(("health", topic)))
    link.subscribe("a/#", lambda topic, _p: got.append(("all", topic)))
    link._deliver("a/1/health", b"")
    link._deliver("a/1/health", b"")  # the second time from what was found the first
    link._deliver("b/1/health", b"")
    link.subscribe("a/1/health", lambda topic, _p: got.append(("one", topic)))
    link._deliver("a/1/health", b"")
    assert got == [("health", "a/1/health"), ("all", "a/1/health")] * 2 + [
        ("health", "a/1/health"),
        ("all", "a/1/health"),
        ("one", "a/1/health"),
    ]


def test_a_failing_handler_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    link = LoopLink(BusSection(), "t")
    got: list[str] = []

    def fails(_topic: str, _payload: bytes) -> None:
        raise RuntimeError("boom")

    link.subscribe("a/#", fails)
    link.subscribe("a/+", lambda topic, _p: got.append(topic))
    link._deliver("a/1", b"")
    assert got == ["a/1"]
    assert "handler for a/# failed on a/1" in caplog.text
