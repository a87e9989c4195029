"""Whether video help can be offered now, and why not: from the kiosk's own bus link and central's status.

A call needs both: the kiosk's link to the broker (without it the request cannot even be sent, and the tap
ended in "the video connection failed") and central on the other side (without it the request waits in the
broker, and the passenger on a waiting screen with no place in any queue). Neither is the passenger's to
fix, so the screens say which it is in plain words and offer what works without them.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the home screen imports this module before its first paint, the bus only after it
    from bus.link import BusLink


class VideoHelp(StrEnum):
    AVAILABLE = "available"
    KIOSK_OFFLINE = "kiosk_offline"
    """The kiosk's bus link is down: the top bar says "离线 / Offline"."""
    CENTRAL_OFFLINE = "central_offline"
    """The link is up, but central's retained status says it is gone (its Last Will, or a shutdown)."""


DOWN_LINK_STATES = frozenset({"offline", "refused"})
"""The link states in which nothing reaches central. ``connecting`` is not one: it is the first second after
start, and a kiosk that has never been online (screenshots, a test window) is not therefore broken."""


def video_help(link_state: str, central_online: bool | None) -> VideoHelp:
    """What video help is now, from the link's state and central's last status (None: none heard yet)."""
    if link_state in DOWN_LINK_STATES:
        return VideoHelp.KIOSK_OFFLINE
    if central_online is False:
        return VideoHelp.CENTRAL_OFFLINE
    return VideoHelp.AVAILABLE


def central_online(payload: bytes) -> bool | None:
    """Central's retained ``central/status`` as online or not; None for an empty payload (the topic was
    cleared) or one that does not validate (nothing is known: the call may still work)."""
    from bus.codec import MalformedMessage, decode
    from bus.messages.central import CentralStatus
    from bus.topics import TopicKind

    if not payload:
        return None
    try:
        status = decode(TopicKind.CENTRAL_STATUS, payload)
    except MalformedMessage:
        return None
    assert isinstance(status, CentralStatus)
    return status.online


def follow_central(link: BusLink, topic_root: str, listener: Callable[[bool | None], None]) -> None:
    """Call ``listener`` on the loop with central's status (online or not, None unknown) as it changes;
    the broker sends the retained one at every connect."""
    from bus.topics import TopicKind, Topics

    topic = Topics(topic_root).site(TopicKind.CENTRAL_STATUS)
    link.subscribe(topic, lambda _topic, payload: listener(central_online(payload)))
