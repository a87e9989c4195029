"""What the broker keeps: a late subscriber that only accepts messages delivered with the MQTT retain flag.

A subscriber already listening gets a live publish with the retain flag clear; the flag is set only on a
message the broker stored and hands to a subscription made after it. So a test that subscribes after the
publish is complete and sees the flag has proved the message was retained, not merely received.
"""

from __future__ import annotations

import json
import queue
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tests.peers.mosquitto import Mosquitto

RESUBSCRIBE_S = 0.5


def read_retained(
    broker: Mosquitto,
    topic: str,
    accept: Callable[[dict[str, Any]], bool] = lambda _body: True,
    timeout_s: float = 10.0,
    client_id: str = "test-late-subscriber",
) -> dict[str, Any]:
    """The JSON body of the message retained on ``topic`` once ``accept`` holds for it (see
    :func:`read_retained_at`)."""
    return read_retained_at(broker.url, topic, accept, timeout_s, client_id)


def read_retained_at(
    url: str,
    topic: str,
    accept: Callable[[dict[str, Any]], bool] = lambda _body: True,
    timeout_s: float = 10.0,
    client_id: str = "test-late-subscriber",
    username: str | None = None,
    password: str | None = None,
) -> dict[str, Any]:
    """The JSON body of the message retained on ``topic`` at the broker at ``url`` (``mqtt://host:port``) once
    ``accept`` holds for it.

    Subscribes afresh every half second while nothing acceptable has come, since the broker hands out
    retained messages only at subscription time: so it can also wait for a retained message to change.
    """
    found: queue.Queue[dict[str, Any]] = queue.Queue()
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id)
    if username is not None:
        client.username_pw_set(username, password)

    def on_message(_client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        if message.retain and message.payload:
            body = json.loads(message.payload)
            if accept(body):
                found.put(body)

    client.on_message = on_message
    client.on_connect = lambda c, *_args: c.subscribe(topic, qos=1)
    host, port = url.removeprefix("mqtt://").rsplit(":", 1)
    client.connect(host, int(port))
    client.loop_start()
    try:
        for _ in range(max(1, round(timeout_s / RESUBSCRIBE_S))):
            try:
                return found.get(timeout=RESUBSCRIBE_S)
            except queue.Empty:
                client.unsubscribe(topic)
                client.subscribe(topic, qos=1)
        raise AssertionError(f"no accepted retained message on {topic} in {timeout_s:g} s")
    finally:
        client.loop_stop()
        client.disconnect()
