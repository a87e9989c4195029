"""Devices as callers: ``device/+/call/out`` in, ``device/{id}/call/in`` out, Last Wills ending their calls."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from bus.codec import MalformedLog, MalformedMessage, decode, encode
from bus.link import BusLink, Publication
from bus.messages.call import (
    CallCancel,
    CallHangup,
    CallRating,
    CallRequest,
    HandoverRequest,
    SdpAnswer,
    SdpOffer,
)
from bus.messages.device import DeviceStatus, OfflineReason
from bus.topics import TopicKind, Topics
from central.gate import DeviceGate
from central.switchboard.model import CallerMessage, Refused
from central.switchboard.switchboard import Switchboard

log = logging.getLogger(__name__)

DEVICE_KIND = "device"
# Finds the call a malformed payload names without parsing it (it may be huge, or no JSON at all).
_NAMED_CALL = re.compile(rb'"call"\s*:\s*"([A-Za-z0-9_-]{1,64})"')
_GONE = (OfflineReason.LOST, OfflineReason.SHUTDOWN)


class DeviceChannel:
    """One device as the switchboard's caller channel: what it sends goes to ``call/in`` (QoS 1, not retained)."""

    def __init__(self, device_id: str, topic: str, publish: Callable[[Publication], bool]) -> None:
        self._device_id = device_id
        self._topic = topic
        self._publish = publish

    @property
    def caller_id(self) -> str:
        return self._device_id

    @property
    def kind(self) -> str:
        return DEVICE_KIND

    def send(self, message: CallerMessage) -> None:
        if not self._publish(Publication(self._topic, encode(message), qos=1, retain=False)):
            # no offline queue (docs/protocol.md 1.1): the device learns the state again from the next message
            log.warning("call %s: %s for %s not sent, the bus is down", message.call, message.type, self._device_id)


class DeviceCallers:
    """Turns the devices' call signalling into switchboard calls, and is their way back."""

    def __init__(self, link: BusLink, topics: Topics, switchboard: Switchboard, gate: DeviceGate | None = None) -> None:
        self._link = link
        self._topics = topics
        self._switchboard = switchboard
        self._gate = gate or DeviceGate(topics, lambda _device_id: True)
        self.malformed = MalformedLog(log)

    def start(self) -> None:
        """Subscribe (the link keeps the subscriptions over reconnects); call before ``link.start()``."""
        guard = self._gate.guard
        self._link.subscribe(self._topics.every_device(TopicKind.CALL_OUT), guard(self.handle_call_out))
        # QoS 0 as central's fleet subscribes it (central/service.py says why): one pattern, one QoS at the broker
        self._link.subscribe(self._topics.every_device(TopicKind.DEVICE_STATUS), guard(self.handle_status), qos=0)

    def channel(self, device_id: str) -> DeviceChannel:
        return DeviceChannel(device_id, self._topics.device(device_id, TopicKind.CALL_IN), self._link.publish)

    def handle_call_out(self, topic: str, payload: bytes) -> None:
        match = self._topics.parse(topic)
        if match is None or match.kind is not TopicKind.CALL_OUT or match.device_id is None:
            return
        device_id = match.device_id
        try:
            message = decode(TopicKind.CALL_OUT, payload)
        except MalformedMessage as exc:
            self.malformed.report(TopicKind.CALL_OUT, device_id, exc.reason)
            self._fail_named_call(device_id, payload)
            return
        switchboard = self._switchboard
        try:
            if isinstance(message, CallRequest):
                switchboard.request(self.channel(device_id), message)
            elif isinstance(message, CallCancel):
                switchboard.cancel(device_id, message)
            elif isinstance(message, (SdpOffer, SdpAnswer)):
                switchboard.caller_sdp(device_id, message)
            elif isinstance(message, CallHangup):
                switchboard.caller_hangup(device_id, message)
            elif isinstance(message, CallRating):
                switchboard.rating(device_id, message)
            elif isinstance(message, HandoverRequest):
                switchboard.handover_request(device_id, message)
        except Refused as refused:
            # whatever the device must hear, the switchboard has sent already
            log.info("call %s: %s from %s refused: %s", message.call, message.type, device_id, refused.reason)

    def handle_status(self, topic: str, payload: bytes) -> None:
        """A device's clean ``shutdown`` or its retirement ends its call; its Last Will (``lost``) after a grace."""
        match = self._topics.parse(topic)
        if match is None or match.kind is not TopicKind.DEVICE_STATUS or match.device_id is None:
            return
        if payload:
            try:
                status = decode(TopicKind.DEVICE_STATUS, payload)
            except MalformedMessage:
                return  # the fleet state reports malformed statuses; one log line per device is enough
            if not isinstance(status, DeviceStatus):
                return
            if status.online:
                self._switchboard.caller_back(match.device_id)  # a call kept while it was away goes on
                return
            if status.reason not in _GONE:
                return
            # a Last Will may be a network blip: a connected call is kept for a while (switchboard.device_grace)
            self._switchboard.caller_lost(match.device_id, may_return=status.reason is OfflineReason.LOST)
            return
        self._switchboard.caller_lost(match.device_id)

    def _fail_named_call(self, device_id: str, payload: bytes) -> None:
        """A malformed message that names the device's live call ends that call as ``failed``."""
        live = self._switchboard.caller_queue_state(device_id).call_id
        if live is None:
            return
        named = {found.decode() for found in _NAMED_CALL.findall(payload)}
        if live not in named:
            return
        log.info("call %s: ended as failed after a malformed message from %s", live, device_id)
        try:
            self._switchboard.caller_hangup(device_id, CallHangup(call=live, reason="failed"))
        except Refused as refused:
            log.info("call %s: could not end it: %s", live, refused.reason)
