"""A UDP relay between two WebRTC peers on this machine, with the loss and the bandwidth the test chooses.

``tc netem`` would do this in the kernel, but this machine's kernel has no netem qdisc; a relay does the
same for one call. The test rewrites each side's SDP (:meth:`UdpRelay.route`) so that each peer's only
candidate is the relay's address: everything the two exchange (ICE checks, DTLS, RTP, RTCP) then passes
through it. Each direction has its own link: packets are dropped at random with probability ``loss``, then
queued and sent at ``kbps`` at most; a packet that would wait longer than ``queue_s`` is dropped, as a
router's full queue would.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import deque
from dataclasses import dataclass, field

_CANDIDATE = re.compile(r"^a=candidate:\S+ 1 udp \d+ (\d+\.\d+\.\d+\.\d+) (\d+) typ host.*$", re.MULTILINE)
_ANY_CANDIDATE = re.compile(r"^a=candidate:.*\r?\n", re.MULTILINE)

Address = tuple[str, int]


@dataclass
class Link:
    """One direction's conditions and counters."""

    loss: float = 0.0
    kbps: float | None = None
    queue_s: float = 0.3
    sent: int = 0
    lost: int = 0
    dropped: int = 0
    _queue: deque[tuple[bytes, Address]] = field(default_factory=deque)
    _queued_bytes: int = 0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)


class UdpRelay(asyncio.DatagramProtocol):
    """Use as ``async with UdpRelay(seed=...) as relay``; then ``relay.route(offer_sdp, answer_sdp)``."""

    def __init__(self, seed: int = 15) -> None:
        self._random = random.Random(seed)
        self.to_answerer = Link()
        self.to_offerer = Link()
        self.host = "127.0.0.1"
        self.port = 0
        self._offerer: Address | None = None
        self._answerer: Address | None = None
        self._transport: asyncio.DatagramTransport | None = None
        self._pumps: list[asyncio.Task[None]] = []

    def impair(self, loss: float, kbps: float | None, queue_s: float = 0.3) -> None:
        """The same conditions both ways, from now on."""
        for link in (self.to_answerer, self.to_offerer):
            link.loss, link.kbps, link.queue_s = loss, kbps, queue_s

    async def __aenter__(self) -> UdpRelay:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=(self.host, 0))
        self._transport = transport
        self.port = transport.get_extra_info("sockname")[1]
        self._pumps = [loop.create_task(self._pump(link)) for link in (self.to_answerer, self.to_offerer)]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for pump in self._pumps:
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        if self._transport is not None:
            self._transport.close()

    # --- SDP ---------------------------------------------------------------------------------------------

    def offer(self, sdp: str) -> str:
        """The offer as the answerer gets it: the offerer's first IPv4 host candidate replaced by the relay."""
        self._offerer, sdp = self._through_relay(sdp)
        return sdp

    def answer(self, sdp: str) -> str:
        self._answerer, sdp = self._through_relay(sdp)
        return sdp

    def _through_relay(self, sdp: str) -> tuple[Address, str]:
        found = _CANDIDATE.search(sdp)
        if found is None:
            raise AssertionError("no IPv4 UDP host candidate in the SDP")
        address = (found.group(1), int(found.group(2)))
        relay_line = f"a=candidate:relay1 1 udp 2130706431 {self.host} {self.port} typ host\r\n"
        sdp = _ANY_CANDIDATE.sub("", sdp)
        # every candidate goes: the relay's is the only way in, put where the first one was (per media section)
        sdp = re.sub(r"^(a=end-of-candidates\r?\n)", relay_line + r"\1", sdp, flags=re.MULTILINE)
        if relay_line not in sdp:
            sdp = re.sub(r"^(a=ice-ufrag:.*\r?\n)", r"\1" + relay_line, sdp, flags=re.MULTILINE)
        return address, sdp

    # --- the datagrams -------------------------------------------------------------------------------------

    def datagram_received(self, data: bytes, addr: Address) -> None:
        if addr == self._offerer and self._answerer is not None:
            self._enqueue(self.to_answerer, data, self._answerer)
        elif addr == self._answerer and self._offerer is not None:
            self._enqueue(self.to_offerer, data, self._offerer)
        # anything else (a peer's other interfaces, strangers) has no way through

    def _enqueue(self, link: Link, data: bytes, to: Address) -> None:
        if link.loss and self._random.random() < link.loss:
            link.lost += 1
            return
        if link.kbps is not None and (link._queued_bytes + len(data)) * 8 / (link.kbps * 1000) > link.queue_s:
            link.dropped += 1
            return
        link._queue.append((data, to))
        link._queued_bytes += len(data)
        link._wake.set()

    async def _pump(self, link: Link) -> None:
        loop = asyncio.get_running_loop()
        free_at = loop.time()  # when the link has finished sending what went before
        while True:
            await link._wake.wait()
            link._wake.clear()
            while link._queue:
                now = loop.time()
                free_at = max(free_at, now)
                if free_at > now:
                    await asyncio.sleep(free_at - now)  # the packet's turn on the wire
                data, to = link._queue.popleft()
                link._queued_bytes -= len(data)
                assert self._transport is not None
                self._transport.sendto(data, to)
                link.sent += 1
                if link.kbps is not None:
                    free_at += len(data) * 8 / (link.kbps * 1000)
