"""systemd's watchdog sees the UI loop: ``WATCHDOG=1`` stops while the loop is frozen and comes back after,
and ``READY=1`` follows the first paint. A Unix datagram socket of the test stands in for NOTIFY_SOCKET."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from device.systemd import Notifier, watchdog_interval_s
from device.ui.runner import SystemdWatch


@dataclass
class Datagram:
    at: float
    fields: list[str]


@dataclass
class NotifySocket:
    """systemd's side: records every datagram with its arrival time (monotonic), from a thread of its own
    so that arrivals are timed even while the Qt thread is frozen."""

    path: Path
    received: list[Datagram] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def arrivals(self, key: str) -> list[float]:
        with self.lock:
            return [d.at for d in self.received if key in d.fields]

    def fields(self) -> list[str]:
        with self.lock:
            return [f for d in self.received for f in d.fields]


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[NotifySocket]:
    path = tmp_path / "notify"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(0.05)
    listener = NotifySocket(path)
    stop = threading.Event()

    def receive() -> None:
        while not stop.is_set():
            try:
                data = server.recv(4096)
            except TimeoutError:
                continue
            with listener.lock:
                listener.received.append(Datagram(time.monotonic(), data.decode().split("\n")))

    thread = threading.Thread(target=receive, name="test-notify-socket")
    thread.start()
    try:
        yield listener
    finally:
        stop.set()
        thread.join(5)
        server.close()


INTERVAL_S = 0.02


def test_watchdog_pings_stop_while_the_ui_loop_is_frozen_and_return_after(qtbot, qapp, notify_socket):
    notifier = Notifier(str(notify_socket.path), watchdog_interval_s=INTERVAL_S)
    watch = SystemdWatch(qapp, notifier, "kiosk", "1.2.3")
    try:
        qtbot.waitUntil(lambda: len(notify_socket.arrivals("WATCHDOG=1")) >= 3, timeout=5000)

        frozen_at = time.monotonic()
        time.sleep(0.5)  # the UI thread itself is blocked here: this is the hang under test
        thawed_at = time.monotonic()
        qtbot.waitUntil(lambda: any(t > thawed_at for t in notify_socket.arrivals("WATCHDOG=1")), timeout=5000)

        during = [t for t in notify_socket.arrivals("WATCHDOG=1") if frozen_at + 0.05 < t < thawed_at]
        assert during == [], f"{len(during)} watchdog pings while the loop was frozen"
        assert len([t for t in notify_socket.arrivals("WATCHDOG=1") if t < frozen_at]) >= 3
    finally:
        watch.stop()
    assert "STOPPING=1" in _eventually(lambda: notify_socket.fields(), "STOPPING=1", qtbot)


def test_ready_is_sent_after_the_first_paint_with_a_status_and_the_ready_file(qtbot, qapp, notify_socket, tmp_path):
    ready_file = tmp_path / "run" / "kiosk.ready"
    notifier = Notifier(str(notify_socket.path), watchdog_interval_s=None, ready_file=ready_file)
    watch = SystemdWatch(qapp, notifier, "kiosk", "1.2.3")
    try:
        label = QLabel("home")
        qtbot.addWidget(label)
        assert notify_socket.arrivals("READY=1") == []
        label.show()
        qtbot.waitUntil(lambda: len(notify_socket.arrivals("READY=1")) == 1, timeout=5000)
        assert "STATUS=kiosk 1.2.3: showing its first screen" in notify_socket.fields()
        assert ready_file.read_text() == f"version=1.2.3\npid={os.getpid()}\n"
        assert notify_socket.arrivals("WATCHDOG=1") == []  # no WATCHDOG_USEC: no pings
    finally:
        watch.stop()


def _eventually(read, wanted, qtbot):
    qtbot.waitUntil(lambda: wanted in read(), timeout=5000)
    return read()


def test_watchdog_interval_is_half_of_watchdog_usec_and_only_for_this_process():
    assert watchdog_interval_s({"WATCHDOG_USEC": "20000000"}) == 10.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": str(os.getpid())}) == 10.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "soon"}) is None
    assert watchdog_interval_s({}) is None


def test_without_notify_socket_nothing_is_sent_and_a_vanished_socket_is_not_an_error(tmp_path, caplog):
    assert Notifier.from_environment({}).send("READY=1") is False
    gone = Notifier(str(tmp_path / "no-such-socket"))
    assert gone.send("WATCHDOG=1") is False
    assert gone.send("WATCHDOG=1") is False
    assert len([r for r in caplog.records if "cannot notify systemd" in r.message]) == 1
    gone.close()


def test_abstract_socket_address():
    name = f"@airport-test-{os.getpid()}"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(b"\0" + name[1:].encode())
    try:
        notifier = Notifier(name)
        assert notifier.send("READY=1")
        assert server.recv(100) == b"READY=1"
        notifier.close()
    finally:
        server.close()
