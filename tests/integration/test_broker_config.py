"""``central broker-config`` makes a Mosquitto that enforces the contract: devices only on their own topics,
nobody anonymous, wrong passwords and plaintext refused, and central still doing its whole job."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bus.codec import encode
from bus.link import BusLink, LinkState, Publication
from bus.messages.call import CallRequest
from bus.messages.device import DeviceKind, DeviceStatus
from bus.topics import TopicKind, Topics
from config.sections import BusSection
from tests.peers.generated_broker import generated_broker
from tests.peers.inbox import Inbox
from tests.peers.net import free_port
from tests.peers.programs import ROOT as REPO
from tests.peers.programs import running
from tests.peers.tls import TlsFiles, make_tls_files

# each test starts a Mosquitto with generated users and an ACL: part of the full run, not the quick one
pytestmark = pytest.mark.slow

SITE_ROOT = "airport/HAK"
TOPICS = Topics(SITE_ROOT)
CENTRAL_PASSWORD = "central-broker-secret"
PASSWORDS = {"kiosk-a": "kiosk-a-password-0001", "kiosk-b": "kiosk-b-password-0002"}


def central_cli(state_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CENTRAL_APP__STATE_DIR": str(state_dir),
        "CENTRAL_BUS__USERNAME": "central",
        "CENTRAL_BUS__PASSWORD": CENTRAL_PASSWORD,
    }
    return subprocess.run(
        [sys.executable, "-m", "central", *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


class Site:
    def __init__(self, tmp_path: Path, tls: TlsFiles, port: int) -> None:
        self.tmp_path = tmp_path
        self.tls = tls
        self.port = port
        self.url = f"mqtts://127.0.0.1:{port}"

    def bus(self, username: str | None, password: str | None, *, url: str | None = None) -> BusSection:
        return BusSection(url=url or self.url, username=username, password=password, ca_file=self.tls.ca_file)


@pytest.fixture(scope="module")
def written_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TlsFiles, int]:
    """The device registry, TLS files and broker configuration, written once per module: making them runs
    ``central`` three times. Only read afterwards (each test copies the registry it lets central use)."""
    written = tmp_path_factory.mktemp("site")
    state = written / "state"
    for device_id, password in PASSWORDS.items():
        added = central_cli(state, "device", "add", device_id, "--kind", "kiosk", "--password-stdin", stdin=password)
        assert added.returncode == 0, added.stderr
    tls = make_tls_files(written / "tls")
    port = free_port()
    written_config = central_cli(
        state,
        "broker-config",
        "--out",
        str(written / "broker"),
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--tls-cert",
        str(tls.cert_file),
        "--tls-key",
        str(tls.key_file),
        "--persistence-dir",
        "none",
    )
    assert written_config.returncode == 0, written_config.stderr
    assert (written / "broker" / "passwd").stat().st_mode & 0o077 == 0
    return written, tls, port


@pytest.fixture
def site(written_site: tuple[Path, TlsFiles, int], tmp_path: Path) -> Any:
    """A fresh broker on the written configuration for each test, and a copy of the registry of its own."""
    written, tls, port = written_site
    shutil.copytree(written / "state", tmp_path / "state")
    with generated_broker(written / "broker" / "mosquitto.conf", port):
        yield Site(tmp_path, tls, port)


@asynccontextmanager
async def connected(settings: BusSection, client_id: str) -> AsyncIterator[BusLink]:
    link = BusLink(settings, client_id)
    up = asyncio.Event()
    link.add_connected_listener(up.set)
    await link.start()
    try:
        await asyncio.wait_for(up.wait(), 10)
        yield link
    finally:
        await link.stop()


async def refused(settings: BusSection, client_id: str) -> LinkState:
    """The state a client ends in when the broker will not have it (never online)."""
    link = BusLink(settings, client_id)
    states: list[LinkState] = []
    settled = asyncio.Event()

    def on_state(state: LinkState, _detail: str) -> None:
        states.append(state)
        if state in (LinkState.REFUSED, LinkState.OFFLINE):
            settled.set()

    link.add_state_listener(on_state)
    await link.start()
    try:
        await asyncio.wait_for(settled.wait(), 10)
        first = next(state for state in states if state in (LinkState.REFUSED, LinkState.OFFLINE))
    finally:
        await link.stop()
    assert LinkState.ONLINE not in states
    return first


async def listening(view: Inbox, sender: BusLink, topic: str) -> None:
    """Return once ``view``'s subscription is live: ``sender`` repeats a probe on ``topic`` until it arrives
    (a client is connected before its subscription is; messages sent in between are not kept)."""
    async with asyncio.timeout(10):
        for n in itertools.count():
            sender.publish(Publication(topic, json.dumps({"v": 1, "probe": n}).encode(), qos=1))
            try:
                await view.wait_for(lambda t, body: t == topic and isinstance(body, dict) and "probe" in body, 0.2)
                return
            except TimeoutError:
                continue


def sentinel(device_id: str, n: int) -> Publication:
    topic = TOPICS.device(device_id, TopicKind.DEVICE_EVENT)
    return Publication(topic, json.dumps({"v": 1, "sentinel": n}).encode(), qos=1)


async def test_a_device_publishes_only_its_own_topics(site: Site) -> None:
    async with (
        Inbox(site.bus("central", CENTRAL_PASSWORD), f"{SITE_ROOT}/#", "central-watch") as central_view,
        connected(site.bus("kiosk-a", PASSWORDS["kiosk-a"]), "kiosk-a") as kiosk_a,
    ):
        await listening(central_view, kiosk_a, TOPICS.device("kiosk-a", TopicKind.DEVICE_EVENT))
        forged = [
            TOPICS.device("kiosk-b", TopicKind.DEVICE_HEALTH),  # another device's topic
            TOPICS.device("kiosk-b", TopicKind.CALL_OUT),
            TOPICS.device("kiosk-a", TopicKind.COMMAND),  # its own command topic: central's to write
            TOPICS.device("kiosk-a", TopicKind.CALL_IN),
            TOPICS.site(TopicKind.QUEUE),  # the site-wide queue every kiosk trusts
            TOPICS.site(TopicKind.CENTRAL_STATUS),
            TOPICS.site(TopicKind.FLIGHTS_DEP),
        ]
        for topic in forged:
            kiosk_a.publish(Publication(topic, b'{"v": 1, "forged": true}', qos=1, retain=True))
        own = TOPICS.device("kiosk-a", TopicKind.DEVICE_HEALTH)
        kiosk_a.publish(Publication(own, b'{"v": 1, "own": true}', qos=1))
        # Messages from one client reach a subscriber in the order sent, so once the last one is here the
        # forged ones would have been too.
        kiosk_a.publish(sentinel("kiosk-a", 1))
        await central_view.wait_for(lambda _t, body: isinstance(body, dict) and body.get("sentinel") == 1)
        seen = [topic for topic, _ in central_view.messages]
        assert own in seen
        assert not set(forged) & set(seen), seen


async def test_a_device_reads_only_its_own_and_the_shared_topics(site: Site) -> None:
    async with (
        connected(site.bus("central", CENTRAL_PASSWORD), "central-test") as central,
        Inbox(site.bus("kiosk-a", PASSWORDS["kiosk-a"]), f"{SITE_ROOT}/#", "kiosk-a") as kiosk_a_view,
    ):
        await listening(kiosk_a_view, central, TOPICS.device("kiosk-a", TopicKind.COMMAND))
        for_b = TOPICS.device("kiosk-b", TopicKind.CALL_IN)
        central.publish(Publication(for_b, b'{"v": 1, "for": "b"}', qos=1))
        central.publish(Publication(TOPICS.device("kiosk-b", TopicKind.COMMAND), b'{"v": 1}', qos=1))
        shared = TOPICS.site(TopicKind.QUEUE)
        central.publish(Publication(shared, b'{"v": 1, "shared": true}', qos=1))
        mine = TOPICS.device("kiosk-a", TopicKind.CALL_IN)
        central.publish(Publication(mine, b'{"v": 1, "for": "a"}', qos=1))
        await kiosk_a_view.wait_for(lambda topic, _b: topic == mine)
        seen = {topic for topic, _ in kiosk_a_view.messages}
        assert shared in seen
        assert for_b not in seen and TOPICS.device("kiosk-b", TopicKind.COMMAND) not in seen


async def test_anonymous_wrong_password_and_plaintext_are_refused(site: Site) -> None:
    assert await refused(site.bus(None, None), "anonymous") is LinkState.REFUSED
    assert await refused(site.bus("kiosk-a", "not-the-password"), "kiosk-a") is LinkState.REFUSED
    assert await refused(site.bus("kiosk-a", PASSWORDS["kiosk-b"]), "kiosk-a") is LinkState.REFUSED
    plaintext = site.bus("kiosk-a", PASSWORDS["kiosk-a"], url=f"mqtt://127.0.0.1:{site.port}")
    assert await refused(plaintext, "kiosk-a") is not LinkState.ONLINE


async def test_central_does_its_whole_job_under_the_acl(site: Site) -> None:
    env = {
        "CENTRAL_APP__STATE_DIR": str(site.tmp_path / "state"),
        "CENTRAL_BUS__URL": site.url,
        "CENTRAL_BUS__USERNAME": "central",
        "CENTRAL_BUS__PASSWORD": CENTRAL_PASSWORD,
        "CENTRAL_BUS__CA_FILE": str(site.tls.ca_file),
        "CENTRAL_HTTP__PORT": "0",
    }
    kiosk_bus = site.bus("kiosk-a", PASSWORDS["kiosk-a"])
    with running("central", env) as central:
        central.wait_for_line("central: facilities page at ")
        call_in = TOPICS.device("kiosk-a", TopicKind.CALL_IN)
        async with (
            connected(kiosk_bus, "kiosk-a") as kiosk,
            Inbox(site.bus("kiosk-a", PASSWORDS["kiosk-a"]), f"{SITE_ROOT}/#", "kiosk-a-watch") as view,
        ):
            # central's retained birth, readable by a device: the subscription is live and central is up
            await view.wait_for(lambda topic, body: topic == TOPICS.site(TopicKind.CENTRAL_STATUS) and body["online"])
            status = DeviceStatus(online=True, kind=DeviceKind.KIOSK, version="test", boot_id="b1", location="T1")
            kiosk.publish(Publication(TOPICS.device("kiosk-a", TopicKind.DEVICE_STATUS), encode(status), retain=True))
            request = CallRequest(call="call-a-1", language="en")
            kiosk.publish(Publication(TOPICS.device("kiosk-a", TopicKind.CALL_OUT), encode(request)))
            queued = await view.wait_for(lambda topic, body: topic == call_in and body.get("type") == "queued")
            assert queued["call"] == "call-a-1"
