"""The server side as deployed: deploy/server/make-certs.sh makes a private CA and the broker certificate
with openssl, setup-broker.sh has ``central broker-config`` write passwd, ACL and mosquitto.conf around
them, and a real Mosquitto runs exactly those files: a registered device connects over TLS with its
password; a wrong password, or plaintext to the TLS port, is refused."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bus.link import BusLink, LinkState
from config.sections import BusSection
from tests.peers.generated_broker import generated_broker
from tests.peers.net import free_port
from tests.peers.programs import ROOT as REPO

pytestmark = pytest.mark.slow  # openssl, the central CLI twice and a broker: several seconds

DEVICE_PASSWORD = "kiosk-a-broker-password-01"
CENTRAL_ENV = {
    "CENTRAL_BUS__USERNAME": "central",
    "CENTRAL_BUS__PASSWORD": "central-broker-password-01",
}


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env={**os.environ, **env}, input=stdin, capture_output=True, text=True, timeout=120)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    central = tmp_path / "central"
    central.write_text(f'#!/bin/sh\nexec env PYTHONPATH="{REPO}" "{sys.executable}" -m central "$@"\n')
    central.chmod(0o755)
    env = {**CENTRAL_ENV, "CENTRAL_APP__STATE_DIR": str(tmp_path / "state"), "CENTRAL": str(central)}

    added = run([str(central), "device", "add", "kiosk-a", "--kind", "kiosk", "--password-stdin"], env, DEVICE_PASSWORD)
    assert added.returncode == 0, added.stderr
    port = free_port()
    setup = [str(REPO / "deploy/server/setup-broker.sh"), "--root", str(root), "--host", "localhost"]
    setup += ["--ip", "127.0.0.1", "--port", str(port), "--persistence-dir", "none"]
    made = run(setup, env)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "making a private CA" in made.stdout

    certs = root / "etc/mosquitto/certs"
    assert (certs / "broker.key").stat().st_mode & 0o077 == 0
    assert (certs / "ca.key").stat().st_mode & 0o077 == 0
    assert (root / "etc/mosquitto/airport/passwd").stat().st_mode & 0o077 == 0
    dropin = root / "etc/systemd/system/mosquitto.service.d/airport.conf"
    assert "/etc/mosquitto/airport/mosquitto.conf" in dropin.read_text()

    again = run(setup, env)  # idempotent: the CA and the certificate are kept
    assert again.returncode == 0, again.stderr
    assert "keeping the CA" in again.stdout and "keeping the broker certificate" in again.stdout

    with generated_broker(root / "etc/mosquitto/airport/mosquitto.conf", port):
        yield port, certs / "ca.pem"


async def first_outcome(settings: BusSection) -> LinkState:
    """ONLINE, or the state a client the broker will not have ends in."""
    link = BusLink(settings, "kiosk-a")
    outcome: asyncio.Future[LinkState] = asyncio.get_running_loop().create_future()

    def on_state(state: LinkState, _detail: str) -> None:
        if state is not LinkState.CONNECTING and not outcome.done():
            outcome.set_result(state)

    link.add_state_listener(on_state)
    await link.start()
    try:
        return await asyncio.wait_for(outcome, 15)
    finally:
        await link.stop()


async def test_a_device_connects_over_tls_with_its_password_and_nothing_else_gets_in(broker):
    port, ca_file = broker
    tls = f"mqtts://localhost:{port}"

    def device(password: str, url: str = tls) -> BusSection:
        return BusSection(url=url, username="kiosk-a", password=password, ca_file=ca_file)

    assert await first_outcome(device(DEVICE_PASSWORD)) is LinkState.ONLINE
    assert await first_outcome(device("not-the-password")) is LinkState.REFUSED
    plaintext = await first_outcome(device(DEVICE_PASSWORD, url=f"mqtt://127.0.0.1:{port}"))
    assert plaintext is not LinkState.ONLINE
    # a client that does not trust the private CA does not get in either
    untrusted = BusSection(url=tls, username="kiosk-a", password=DEVICE_PASSWORD, ca_file=None)
    assert await first_outcome(untrusted) is not LinkState.ONLINE
