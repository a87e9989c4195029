"""systemd's watchdog sees the UI loop: ``WATCHDOG=1`` stops while the loop is frozen and comes back after,
and ``READY=1`` follows the first paint. A Unix datagram socket of the test stands in for NOTIFY_SOCKET."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from device.systemd import Notifier, watchdog_interval_s
from device.ui.runner import SystemdWatch
from tests.peers.notify_socket import NotifySocket, notify_socket


@pytest.fixture
def notify(tmp_path: Path) -> Iterator[NotifySocket]:
    with notify_socket(tmp_path / "notify") as listener:
        yield listener


INTERVAL_S = 0.02


def test_watchdog_pings_stop_while_the_ui_loop_is_frozen_and_return_after(qtbot, qapp, notify):
    notifier = Notifier(str(notify.path), watchdog_interval_s=INTERVAL_S)
    watch = SystemdWatch(qapp, notifier, "kiosk", "1.2.3")
    try:
        qtbot.waitUntil(lambda: len(notify.arrivals("WATCHDOG=1")) >= 3, timeout=5000)

        frozen_at = time.monotonic()
        time.sleep(0.5)  # the UI thread itself is blocked here: this is the hang under test
        thawed_at = time.monotonic()
        qtbot.waitUntil(lambda: any(t > thawed_at for t in notify.arrivals("WATCHDOG=1")), timeout=5000)

        # 0.15 s of grace for pings sent before the freeze that the receiving thread records late (a busy
        # machine); at 20 ms a live loop would send some 17 in the rest of the freeze
        during = [t for t in notify.arrivals("WATCHDOG=1") if frozen_at + 0.15 < t < thawed_at]
        assert during == [], f"{len(during)} watchdog pings while the loop was frozen"
        assert len([t for t in notify.arrivals("WATCHDOG=1") if t < frozen_at]) >= 3
    finally:
        watch.stop()
    notify.wait_for("STOPPING=1", timeout_s=5)


def test_ready_is_sent_after_the_first_paint_with_a_status_and_the_ready_file(qtbot, qapp, notify, tmp_path):
    ready_file = tmp_path / "run" / "kiosk.ready"
    notifier = Notifier(str(notify.path), watchdog_interval_s=None, ready_file=ready_file)
    watch = SystemdWatch(qapp, notifier, "kiosk", "1.2.3")
    try:
        label = QLabel("home")
        qtbot.addWidget(label)
        assert notify.arrivals("READY=1") == []
        label.show()
        qtbot.waitUntil(lambda: len(notify.arrivals("READY=1")) == 1, timeout=5000)
        assert "STATUS=kiosk 1.2.3: showing its first screen" in notify.fields()
        assert ready_file.read_text() == f"version=1.2.3\npid={os.getpid()}\n"
        assert notify.arrivals("WATCHDOG=1") == []  # no WATCHDOG_USEC: no pings
    finally:
        watch.stop()


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
