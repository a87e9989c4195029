"""Who may talk to central's pages and how: the host names it answers to (against DNS rebinding), the
reverse proxies whose ``X-Forwarded-For`` it believes, whether it is served over https (Secure cookies,
HSTS), and how many live event streams one address and everyone together may hold open."""

from __future__ import annotations

import ipaddress
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiohttp import web

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
HSTS = "max-age=31536000"
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _host_only(host: str) -> str:
    """``example.org:8080`` → ``example.org``; ``[::1]:80`` → ``::1``; lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


@dataclass
class StreamGate:
    """Counts open event streams, per client address and in all."""

    per_address: int
    total: int
    _open: Counter[str] = field(default_factory=Counter)

    @contextmanager
    def admit(self, address: str) -> Iterator[None]:
        if sum(self._open.values()) >= self.total:
            log.warning("event stream from %s refused: %d streams open, the limit", address, self.total)
            raise web.HTTPServiceUnavailable(text="too many open event streams; try again later")
        if self._open[address] >= self.per_address:
            log.warning("event stream from %s refused: it holds %d already", address, self.per_address)
            raise web.HTTPTooManyRequests(text="too many open event streams from your address")
        self._open[address] += 1
        try:
            yield
        finally:
            self._open[address] -= 1
            if not self._open[address]:
                del self._open[address]


@dataclass(frozen=True)
class WebPolicy:
    """How central's pages treat requests; made from ``[http]`` (see :func:`web_policy`)."""

    allowed_hosts: frozenset[str] = frozenset(LOOPBACK_HOSTS)
    trusted_proxies: tuple[IpNetwork, ...] = ()
    https: bool = False
    streams: StreamGate = field(default_factory=lambda: StreamGate(per_address=8, total=500))

    def host_allowed(self, host_header: str | None) -> bool:
        return host_header is not None and _host_only(host_header) in self.allowed_hosts

    def client_address(self, request: web.BaseRequest) -> str:
        """The client's address: the peer's, or, when the peer is a trusted proxy, the last address in
        ``X-Forwarded-For`` that is not itself a trusted proxy."""
        peer = request.remote or "unknown"
        if not self._trusted(peer):
            return peer
        forwarded = [part.strip() for part in ",".join(request.headers.getall("X-Forwarded-For", [])).split(",")]
        for address in reversed([part for part in forwarded if part]):
            if not self._trusted(address):
                return address if _is_address(address) else peer
        return peer

    def _trusted(self, address: str) -> bool:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.trusted_proxies)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def web_policy(
    listen_host: str,
    public_url: str,
    allowed_hosts: Iterable[str],
    trusted_proxies: Iterable[str],
    max_streams_per_address: int,
    max_streams: int,
) -> WebPolicy:
    hosts = set(LOOPBACK_HOSTS) | {_host_only(host) for host in allowed_hosts}
    if listen_host not in ("", "0.0.0.0", "::"):  # noqa: S104 (compared, not bound)
        hosts.add(_host_only(listen_host))
    https = False
    if public_url:
        parts = urlsplit(public_url)
        hosts.add((parts.hostname or "").lower())
        https = parts.scheme == "https"
    return WebPolicy(
        allowed_hosts=frozenset(hosts - {""}),
        trusted_proxies=tuple(ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies),
        https=https,
        streams=StreamGate(max_streams_per_address, max_streams),
    )


POLICY_KEY = web.AppKey("web_policy", WebPolicy)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def check_host(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer only to our own host names: a page from elsewhere that re-points its name at us (DNS
    rebinding) gets nothing."""
    policy = request.app[POLICY_KEY]
    if not policy.host_allowed(request.headers.get("Host")):
        log.warning("request for host %r from %s refused", (request.headers.get("Host") or "")[:100], request.remote)
        raise web.HTTPMisdirectedRequest(text="unknown host name; add it to [http] allowed_hosts")
    return await handler(request)
