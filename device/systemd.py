"""Telling systemd how a program is doing: ``READY=1``, ``WATCHDOG=1``, ``STATUS=…`` and ``STOPPING=1``.

systemd's notify protocol is one datagram of ``KEY=value`` lines to the Unix socket named in
``NOTIFY_SOCKET``; the standard library's ``socket`` speaks it in a dozen lines, so no library is
needed (the ``sdnotify`` and ``systemd-python`` packages wrap the same call, the latter with a C
build against libsystemd). Without ``NOTIFY_SOCKET`` (not started by systemd) every call does nothing.

``AIRPORT_READY_FILE`` names a file written when the program is ready (its version and process id):
the update script waits for it to decide whether a new version came up, and it works the same under
systemd, in a test, or in a chroot.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)

READY_FILE_ENV = "AIRPORT_READY_FILE"


class Notifier:
    """Sends notify datagrams to ``address`` (a path, or ``@name`` for the abstract namespace).

    A lost datagram is never an error for the program: systemd restarts it if it matters. A failure to
    send is logged once, not on every watchdog tick.
    """

    def __init__(
        self,
        address: str | None,
        watchdog_interval_s: float | None = None,
        ready_file: Path | None = None,
    ) -> None:
        self.address = address
        self.watchdog_interval_s = watchdog_interval_s
        self.ready_file = ready_file
        self._socket: socket.socket | None = None
        self._send_failed = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        """The notifier systemd's environment asks for: ``NOTIFY_SOCKET``, ``WATCHDOG_USEC`` and
        ``WATCHDOG_PID`` (a watchdog meant for another process is not ours), and ``AIRPORT_READY_FILE``."""
        env = os.environ if environ is None else environ
        ready_file = env.get(READY_FILE_ENV)
        return cls(
            address=env.get("NOTIFY_SOCKET") or None,
            watchdog_interval_s=watchdog_interval_s(env),
            ready_file=Path(ready_file) if ready_file else None,
        )

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def ready(self, status: str, version: str = "") -> None:
        """The program is up and showing (or serving) what it should."""
        self._write_ready_file(version)
        self.send("READY=1", f"STATUS={status}")

    def watchdog(self) -> None:
        """One sign of life; call it at ``watchdog_interval_s`` only from the loop that must stay alive."""
        self.send("WATCHDOG=1")

    def status(self, text: str) -> None:
        self.send(f"STATUS={text}")

    def stopping(self) -> None:
        self.send("STOPPING=1", "STATUS=stopping")

    def send(self, *fields: str) -> bool:
        """One datagram of ``fields``; True when it went out."""
        if self.address is None:
            return False
        payload = "\n".join(field.replace("\n", " ") for field in fields).encode()
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._socket.setblocking(False)  # a full socket buffer must never stall the UI loop
            self._socket.sendto(payload, _socket_address(self.address))
        except OSError as exc:
            if not self._send_failed:
                log.warning("cannot notify systemd at %s (%s); going on without it", self.address, exc)
                self._send_failed = True
            return False
        if self._send_failed:
            log.info("notifying systemd at %s again", self.address)
            self._send_failed = False
        return True

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _write_ready_file(self, version: str) -> None:
        if self.ready_file is None:
            return
        # written beside and renamed, so the update script never reads half a file
        partial = self.ready_file.with_name(self.ready_file.name + ".partial")
        try:
            self.ready_file.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(f"version={version}\npid={os.getpid()}\n")
            partial.replace(self.ready_file)
        except OSError as exc:
            log.warning("cannot write the ready file %s (%s)", self.ready_file, exc)


def watchdog_interval_s(environ: Mapping[str, str]) -> float | None:
    """How often to send ``WATCHDOG=1``: half of ``WATCHDOG_USEC`` (as systemd advises), or None when
    there is no watchdog for this process."""
    raw = environ.get("WATCHDOG_USEC")
    if not raw:
        return None
    pid = environ.get("WATCHDOG_PID")
    if pid and pid != str(os.getpid()):
        return None
    try:
        usec = int(raw)
    except ValueError:
        log.warning("WATCHDOG_USEC=%r is not a number of microseconds; no watchdog", raw)
        return None
    if usec <= 0:
        return None
    return usec / 2 / 1_000_000


def _socket_address(address: str) -> str | bytes:
    if address.startswith("@"):
        return b"\0" + address[1:].encode()  # the abstract namespace: no file behind it
    return address


async def send_watchdog_pings(notifier: Notifier) -> None:
    """``WATCHDOG=1`` every ``watchdog_interval_s`` from the asyncio loop (for a program with no Qt loop,
    such as ``central``): a blocked loop stops the pings, and systemd restarts the program."""
    if notifier.watchdog_interval_s is None:
        return
    while True:
        notifier.watchdog()
        await asyncio.sleep(notifier.watchdog_interval_s)
