"""Around aiortc's peer connection: the codec order offered, the codec answered, and a close that leaves
nothing running."""

from __future__ import annotations

from aiortc import RTCPeerConnection, RTCRtpSender
from aiortc.rtcrtpparameters import RTCRtpCodecCapability
from aiortc.sdp import SessionDescription


def codec_preferences(codec: str) -> list[RTCRtpCodecCapability]:
    """aiortc's video codecs with ``codec`` (``vp8`` or ``h264``) first; the rest stay offered as fallbacks,
    so an agent's browser without the preferred codec still gets a picture."""
    wanted = f"video/{codec}".lower()
    available = RTCRtpSender.getCapabilities("video").codecs
    preferred = [c for c in available if c.mimeType.lower() == wanted]
    if not preferred:
        raise ValueError(f"aiortc cannot send {codec}")
    return preferred + [c for c in available if c not in preferred]


def negotiated_video_codec(sdp: str) -> str | None:
    """The first video codec of an SDP answer (the one media is sent with), e.g. ``VP8``; None if none."""
    for media in SessionDescription.parse(sdp).media:
        if media.kind == "video" and media.rtp.codecs:
            return media.rtp.codecs[0].mimeType.split("/", 1)[1]
    return None


async def close_peer_connection(pc: RTCPeerConnection) -> None:
    """Close ``pc``, then stop every sender and receiver once more.

    aiortc 1.16's ``close()`` stops the transceivers before the transports; a close that lands during the
    DTLS handshake lets aiortc's own connect task start a sender and a receiver while ``close()`` waits for
    the transports. Their RTCP tasks then run forever (and a decoder thread stays up), holding the whole
    connection in memory. Stopping them again is harmless for those already stopped.
    """
    await pc.close()
    for transceiver in pc.getTransceivers():
        await transceiver.sender.stop()
        await transceiver.receiver.stop()
