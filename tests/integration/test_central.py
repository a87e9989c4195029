"""The real ``central`` program against a real broker, looked at with a real browser."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from playwright.sync_api import Page, expect

from bus.codec import encode
from bus.messages.device import DeviceHealth, DeviceKind, DeviceStatus, OfflineReason
from tests.peers.chromium import headless_chromium
from tests.peers.mosquitto import Mosquitto
from tests.peers.net import free_port
from tests.peers.programs import ROOT as REPO_ROOT
from tests.peers.programs import RunningProgram
from tests.peers.retained import read_retained
from tests.peers.staff import add_staff, sign_in_browser_sync, staff_cookie
from tests.peers.wait import wait_until

SITE = "HAK"
ROOT = f"airport/{SITE}"
READY_LINE = "central: facilities page at "
START_TIMEOUT_S = 20.0
EXIT_TIMEOUT_S = 15.0
UI_TIMEOUT_MS = 10_000


# --- central as a process --------------------------------------------------------------------------


@dataclass
class Central:
    """``central --config FILE`` run by :class:`RunningProgram`, with what it printed on its way up."""

    program: RunningProgram
    facilities_url: str = ""
    cookie: str = ""
    """The staff account's session: the fleet's data needs the facilities role."""

    @property
    def process(self) -> subprocess.Popen[str]:
        return self.program.process

    @property
    def base_url(self) -> str:
        return self.facilities_url.removesuffix("/facilities")

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def log(self) -> str:
        return self.program.all_stderr

    def wait_ready(self) -> None:
        line = self.program.wait_for_line(READY_LINE, START_TIMEOUT_S)
        self.facilities_url = line.split(READY_LINE, 1)[1].strip()

    def wait_for_log(self, text: str, timeout_s: float = 10.0) -> None:
        wait_until(lambda: text in self.log(), f"{text!r} in central's log", timeout_s)

    def stop(self) -> None:
        """Always ends the process and reaps it."""
        self.program.stop(EXIT_TIMEOUT_S)


def write_config(path: Path, broker_url: str, http_port: int, state_dir: Path, extra: str = "") -> Path:
    path.write_text(
        f"""
[app]
state_dir = "{state_dir}"

[bus]
url = "{broker_url}"
site = "{SITE}"
reconnect_max_s = 2

[http]
host = "127.0.0.1"
port = {http_port}

[fleet]
stale_after_s = 600
{extra}
"""
    )
    return path


def _clean_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith("CENTRAL_")}


def launch(config: Path) -> Central:
    # the caller's CENTRAL_* variables would override the config file under test
    return Central(RunningProgram("central", {}, ["--config", str(config)], clear_env_prefix="CENTRAL_"))


StartCentral = Callable[..., Central]


@pytest.fixture
def start_central(tmp_path: Path) -> Iterator[StartCentral]:
    """Starts ``central`` with a config file for ``broker_url``; every process is stopped afterwards."""
    started: list[Central] = []

    def start(broker_url: str, extra: str = "", http_port: int | None = None) -> Central:
        n = len(started)
        port = free_port() if http_port is None else http_port
        config = write_config(tmp_path / f"central-{n}.toml", broker_url, port, tmp_path / "state", extra)
        if not started:
            add_staff(tmp_path / "state")
        central = launch(config)
        started.append(central)
        central.wait_ready()
        central.cookie = staff_cookie(central.base_url)
        return central

    try:
        yield start
    finally:
        for central in started:
            central.stop()


@pytest.fixture
def central(mosquitto: Mosquitto, start_central: StartCentral) -> Central:
    return start_central(mosquitto.url)


# --- a fake device and a bus observer ------------------------------------------------------------


class FakeDevice:
    """A device as the broker sees one: birth and health retained, a Last Will, and a way to vanish."""

    def __init__(self, broker: Mosquitto, device_id: str, location: str = "T1 Hall B") -> None:
        self.device_id = device_id
        self.location = location
        self.client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"fake-{device_id}")
        self.client.will_set(self.topic("status"), self._status(False, OfflineReason.LOST), qos=1, retain=True)
        self.client.connect("127.0.0.1", broker.port, keepalive=30)
        self.client.loop_start()

    def topic(self, kind: str) -> str:
        return f"{ROOT}/device/{self.device_id}/{kind}"

    def _status(self, online: bool, reason: OfflineReason | None = None) -> bytes:
        status = DeviceStatus(
            online=online, kind=DeviceKind.KIOSK, version="1.0.0", boot_id="b1", location=self.location, reason=reason
        )
        return encode(status)

    def publish(self, kind: str, payload: bytes, retain: bool = True) -> None:
        self.client.publish(self.topic(kind), payload, qos=1, retain=retain).wait_for_publish(5)

    def birth(self) -> None:
        self.publish("status", self._status(True))

    def report_health(self, **fields: Any) -> None:
        values: dict[str, Any] = {"cpu_percent": 21.0, "memory_percent": 43.0, "app_rss_mb": 150.0, "uptime_s": 75.0}
        values.update(fields)
        self.publish("health", encode(DeviceHealth(**values)))

    def vanish(self) -> None:
        """Drop the connection without a goodbye, as a device losing power does: the broker sends the will."""
        self.client.loop_stop()
        sock = self.client.socket()
        assert sock is not None
        sock.close()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@pytest.fixture
def devices(mosquitto: Mosquitto) -> Iterator[Callable[[str], FakeDevice]]:
    made: list[FakeDevice] = []

    def make(device_id: str) -> FakeDevice:
        device = FakeDevice(mosquitto, device_id)
        made.append(device)
        return device

    try:
        yield make
    finally:
        for device in made:
            device.close()


# --- HTTP ------------------------------------------------------------------------------------------


def http_get(central: Central, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", central.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": central.cookie} if central.cookie else {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def first_event(central: Central, path: str = "/api/fleet/events") -> tuple[str, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", central.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": central.cookie})
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type", "").startswith("text/event-stream")
        name = ""
        while True:
            line = response.fp.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: ") and name:
                return name, json.loads(line.removeprefix("data: "))
    finally:
        connection.close()


def row(page: Page, device_id: str, online: str | None = None) -> Any:
    selector = f'tr[data-device="{device_id}"]'
    if online is not None:
        selector += f'[data-online="{online}"]'
    return page.locator(selector)


# --- tests -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_page_follows_a_device_from_birth_to_its_last_will_without_reloading(
    mosquitto: Mosquitto, central: Central, devices: Callable[[str], FakeDevice], chromium_executable: str
) -> None:
    kiosk = devices("kiosk-1")
    kiosk.birth()
    kiosk.report_health(cpu_percent=37.0, temperature_c=51.0, broker_rtt_ms=3.5)

    with headless_chromium(chromium_executable) as browser:
        page = browser.new_page()
        sign_in_browser_sync(page, central.base_url)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(central.facilities_url)

        online_row = row(page, "kiosk-1", online="true")
        expect(online_row).to_have_count(1, timeout=UI_TIMEOUT_MS)
        expect(online_row.locator('[data-field="cpu"]')).to_have_text("37 %")
        expect(online_row.locator('[data-field="location"]')).to_have_text("T1 Hall B")
        expect(page.locator("#top")).to_have_attribute("data-live", "live")
        expect(page.locator("#site")).to_have_text(SITE)
        expect(page.locator('[data-count="online"]')).to_have_text("1")
        page.evaluate("window.__sameDocument = true")

        kiosk.vanish()

        lost_row = row(page, "kiosk-1", online="false")
        expect(lost_row).to_have_count(1, timeout=UI_TIMEOUT_MS)
        expect(lost_row).to_have_attribute("data-reason", "lost")
        expect(lost_row.locator('[data-field="status"]')).to_contain_text("lost")
        expect(page.locator('[data-count="offline"]')).to_have_text("1")
        assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"

        # something malformed from another device: dropped, logged once, and the page carries on
        broken = devices("kiosk-broken")
        broken.publish("status", b"{this is not json")
        broken.publish("status", b'{"v": 1, "online": "perhaps"}', retain=False)
        late = devices("kiosk-2")
        late.birth()
        expect(row(page, "kiosk-2", online="true")).to_have_count(1, timeout=UI_TIMEOUT_MS)
        expect(row(page, "kiosk-broken")).to_have_count(0)
        expect(row(page, "kiosk-1", online="false")).to_have_count(1)
        assert errors == []

    central.wait_for_log("from kiosk-broken")
    mentions = [line for line in central.log().splitlines() if "kiosk-broken" in line]
    assert len(mentions) == 1, mentions
    assert "malformed" in mentions[0]


@pytest.mark.slow
def test_the_page_speaks_chinese_when_asked_and_shows_network_text_as_text(
    mosquitto: Mosquitto, central: Central, devices: Callable[[str], FakeDevice], chromium_executable: str
) -> None:
    kiosk = devices("kiosk-3")
    kiosk.location = '<img src=x onerror="window.__owned=1">T2'
    kiosk.birth()

    with headless_chromium(chromium_executable) as browser:
        page = browser.new_page()
        sign_in_browser_sync(page, central.base_url)
        page.goto(f"{central.facilities_url}?lang=zh-CN")
        online_row = row(page, "kiosk-3", online="true")
        expect(online_row).to_have_count(1, timeout=UI_TIMEOUT_MS)
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(online_row.locator('[data-field="status"]')).to_contain_text("在线")
        expect(online_row.locator('[data-field="location"]')).to_have_text(kiosk.location)
        assert page.locator("img").count() == 0
        assert page.evaluate("window.__owned") is None

        page.locator("#lang-switch").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(online_row.locator('[data-field="status"]')).to_contain_text("Online")
        assert "lang=en" in page.url


@pytest.mark.slow
def test_the_page_reconnects_by_itself_when_central_comes_back(
    mosquitto: Mosquitto,
    start_central: StartCentral,
    devices: Callable[[str], FakeDevice],
    chromium_executable: str,
) -> None:
    first = start_central(mosquitto.url)
    devices("kiosk-4").birth()

    with headless_chromium(chromium_executable) as browser:
        page = browser.new_page()
        sign_in_browser_sync(page, first.base_url)
        page.goto(first.facilities_url)
        expect(row(page, "kiosk-4", online="true")).to_have_count(1, timeout=UI_TIMEOUT_MS)
        expect(page.locator("#top")).to_have_attribute("data-live", "live")

        first.stop()
        expect(page.locator("#top")).to_have_attribute("data-live", "reconnecting", timeout=UI_TIMEOUT_MS)
        expect(row(page, "kiosk-4")).to_have_count(1)  # the last known state stays on the screen

        start_central(mosquitto.url, http_port=first.port)
        # sessions are kept on disk: the page carries on without asking anyone to sign in again
        expect(page.locator("#top")).to_have_attribute("data-live", "live", timeout=UI_TIMEOUT_MS)
        expect(row(page, "kiosk-4", online="true")).to_have_count(1)
        assert "/signin" not in page.url


def test_http_routes_security_headers_and_json_shapes(
    mosquitto: Mosquitto, central: Central, devices: Callable[[str], FakeDevice]
) -> None:
    devices("kiosk-5").birth()
    central.wait_for_log("device kiosk-5 online")

    status, headers, _ = http_get(central, "/?lang=zh-CN")
    assert status == 302
    assert headers["location"] == "/facilities?lang=zh-CN"

    status, headers, body = http_get(central, "/facilities")
    assert status == 200
    assert b'id="devices"' in body
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"

    for asset in ("/static/facilities.js", "/static/i18n.js", "/static/style.css"):
        status, headers, _ = http_get(central, asset)
        assert status == 200, asset
        assert headers["x-content-type-options"] == "nosniff"

    status, headers, body = http_get(central, "/healthz")
    assert (status, json.loads(body)) == (200, {"ok": True, "bus": "online"})

    status, headers, body = http_get(central, "/api/fleet")
    assert status == 200
    assert headers["content-type"].startswith("application/json")
    snapshot = json.loads(body)
    assert snapshot["site"] == SITE
    assert snapshot["bus"] == "online"
    assert snapshot["counts"] == {"online": 1, "offline": 0, "silent": 0, "total": 1}
    (device,) = snapshot["devices"]
    assert device["id"] == "kiosk-5"
    assert (device["online"], device["state"], device["kind"]) == (True, "online", "kiosk")

    name, data = first_event(central)
    assert name == "snapshot"
    assert [d["id"] for d in data["devices"]] == ["kiosk-5"]

    status, _, _ = http_get(central, "/static/../settings.py")
    assert status in (403, 404)


def test_sigterm_publishes_shutdown_before_leaving_and_exits_0(mosquitto: Mosquitto, central: Central) -> None:
    topic = f"{ROOT}/central/status"
    birth = read_retained(mosquitto, topic, lambda data: data["online"] is True)
    assert birth["reason"] is None

    central.process.send_signal(signal.SIGTERM)
    assert central.process.wait(EXIT_TIMEOUT_S) == 0

    goodbye = read_retained(mosquitto, topic, lambda data: data["online"] is False)
    assert goodbye["reason"] == "shutdown"
    assert "SIGTERM" in central.log()


def test_sigint_is_a_clean_shutdown_too(mosquitto: Mosquitto, central: Central) -> None:
    read_retained(mosquitto, f"{ROOT}/central/status", lambda data: data["online"] is True)

    central.process.send_signal(signal.SIGINT)

    assert central.process.wait(EXIT_TIMEOUT_S) == 0
    assert "Traceback" not in central.log()


def test_central_starts_and_serves_while_the_broker_is_down(start_central: StartCentral) -> None:
    central = start_central(f"mqtt://127.0.0.1:{free_port()}")

    status, _, body = http_get(central, "/healthz")

    assert status == 200
    assert json.loads(body)["ok"] is True
    assert json.loads(body)["bus"] != "online"
    central.process.send_signal(signal.SIGTERM)
    assert central.process.wait(EXIT_TIMEOUT_S) == 0


def test_a_wrong_type_in_the_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    config = write_config(tmp_path / "bad.toml", "mqtt://127.0.0.1:1883", 8080, tmp_path / "state")
    config.write_text(config.read_text().replace("port = 8080", 'port = "eighty"'))

    done = subprocess.run(
        [sys.executable, "-m", "central", "--config", str(config)],
        cwd=REPO_ROOT,
        env=_clean_environment(),
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert done.returncode == 2
    assert "http.port" in done.stderr
    assert done.stdout == ""


def test_a_missing_config_file_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "central", "--config", str(tmp_path / "nowhere.toml")],
        cwd=REPO_ROOT,
        env=_clean_environment(),
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert done.returncode == 2
    assert "nowhere.toml" in done.stderr


def test_an_unknown_key_is_warned_about_by_name(mosquitto: Mosquitto, start_central: StartCentral) -> None:
    central = start_central(mosquitto.url, extra='[store]\ncolour = "blue"\n')

    assert "store.colour" in central.log()
    assert "WARNING" in central.log()
