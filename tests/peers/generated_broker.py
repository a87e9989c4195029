"""Mosquitto started with the configuration that ``central broker-config`` wrote, as a real process."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.peers.mosquitto import MOSQUITTO
from tests.peers.net import wait_for_port


@contextmanager
def generated_broker(conf: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """Run Mosquitto on the generated ``conf`` (plus, as root, ``user root`` so it can read the 0600 files
    the way the deployed broker's own user does); stopped and reaped afterwards."""
    extra = ["log_dest stderr", "log_type error", "log_type warning", "log_type notice"]
    if os.geteuid() == 0:
        extra.append("user root")
    run_conf = conf.with_name("mosquitto-test.conf")
    run_conf.write_text(conf.read_text() + "\n" + "\n".join(extra) + "\n")
    log = (conf.parent / "mosquitto.log").open("wb")
    process = subprocess.Popen([MOSQUITTO, "-c", str(run_conf)], stdout=log, stderr=subprocess.STDOUT)
    log.close()
    try:
        wait_for_port(port, alive=lambda: process.poll() is None)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
