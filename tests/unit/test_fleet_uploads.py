"""Central's side of the fleet commands without a broker: a command waits for its one reply or times out,
and the upload endpoint takes a file only with a valid one-time token, within the size limit, of the
right kind; the latest few per device are kept."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

import central.accounts
from bus.codec import encode
from bus.messages.device import CommandReply
from bus.topics import Topics
from central.accounts import AgentAccounts, Role
from central.device_events import DeviceEventLog
from central.fleet import FleetState
from central.fleet_commands import FleetCommands, UnknownCommand
from central.fleet_history import HealthHistory
from central.fleet_uploads import UploadKind, UploadStore, UploadTokens
from central.switchboard import MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.agent import AgentDesk
from central.web.app import create_app
from central.web.fleet_api import FleetDesk
from central.web.live import FleetFeed

TOPICS = Topics("airport/HAK")
DEVICE = "kiosk-t1-01"
LIMIT = 64 * 1024


def png(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class FakeLink:
    def __init__(self, up: bool = True) -> None:
        self.up = up
        self.published: list[Any] = []

    def publish(self, publication: Any) -> bool:
        if self.up:
            self.published.append(publication)
        return self.up


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def commands(link: FakeLink, tokens: UploadTokens | None = None, timeout_s: float = 30.0) -> FleetCommands:
    return FleetCommands(
        link,  # type: ignore[arg-type]
        TOPICS,
        tokens or UploadTokens(),
        timeout_s,
        lambda: "http://central.test:8080",
    )


async def test_a_command_is_matched_to_its_reply_from_its_own_device_only():
    link = FakeLink()
    fleet = commands(link)
    seen = []
    fleet.add_listener(seen.append)
    sent = fleet.send(DEVICE, "screenshot", {"token": "sneaked-in", "upload_url": "http://elsewhere"})
    [publication] = link.published
    assert publication.topic == f"airport/HAK/device/{DEVICE}/cmd"
    assert b'"upload_url":"http://central.test:8080/api/fleet/uploads"' in publication.payload
    assert b"sneaked-in" not in publication.payload, "the token is central's own"
    assert "token" not in sent["args"]
    reply = encode(CommandReply(id=sent["id"], ok=True, detail="screenshot 10x10 uploaded (99 bytes)"))
    fleet.handle("airport/HAK/device/kiosk-t1-02/cmd/reply", reply)
    assert fleet.recent(DEVICE)[0]["state"] == "sent", "another device cannot answer for it"
    fleet.handle(f"airport/HAK/device/{DEVICE}/cmd/reply", reply)
    fleet.handle(f"airport/HAK/device/{DEVICE}/cmd/reply", reply)  # a repeat changes nothing
    fleet.handle(f"airport/HAK/device/{DEVICE}/cmd/reply", b"{not json")
    [latest] = fleet.recent(DEVICE)
    assert (latest["state"], latest["detail"]) == ("done", "screenshot 10x10 uploaded (99 bytes)")
    assert [view["state"] for view in seen] == ["sent", "done"]
    with pytest.raises(UnknownCommand):
        fleet.send(DEVICE, "self_destruct", {})
    fleet.close()


async def test_a_command_without_a_reply_times_out_and_one_not_sent_says_so():
    fleet = commands(FakeLink(), timeout_s=0.05)
    ended = asyncio.Event()
    fleet.add_listener(lambda view: ended.set() if view["state"] != "sent" else None)
    sent = fleet.send(DEVICE, "restart_app", {})
    await asyncio.wait_for(ended.wait(), 5)
    [view] = fleet.recent(DEVICE)
    assert view["id"] == sent["id"]
    assert view["state"] == "timed_out"
    assert view["detail"].startswith("no reply within 0.05 s")
    down = commands(FakeLink(up=False)).send(DEVICE, "print_test", {})
    assert down["state"] == "not_sent"
    assert "not connected to the broker" in down["detail"]


def test_a_token_is_good_once_for_its_time_only():
    clock = FakeClock()
    tokens = UploadTokens(clock)
    first = tokens.issue(DEVICE, "cmd-1", UploadKind.SCREENSHOT, valid_s=30)
    second = tokens.issue(DEVICE, "cmd-2", UploadKind.LOGS, valid_s=30)
    assert first != second and len(first) >= 40
    assert tokens.take(first).command_id == "cmd-1"
    with pytest.raises(Exception, match="already used"):
        tokens.take(first)
    clock.now += 31
    with pytest.raises(Exception, match="expired"):
        tokens.take(second)


def test_only_the_latest_files_are_kept_per_device(tmp_path):
    clock = FakeClock()
    store = UploadStore(tmp_path, keep=3, clock=clock)
    tokens = UploadTokens(clock)
    for number in range(5):
        clock.now += 1
        grant = tokens.take(tokens.issue(DEVICE, f"cmd-{number}", UploadKind.SCREENSHOT, 30))
        store.save(grant, png())
    kept = sorted(path.name for path in (tmp_path / "fleet-uploads" / DEVICE / "screenshot").iterdir())
    assert [name.split("-", 1)[1] for name in kept] == ["cmd-2.png", "cmd-3.png", "cmd-4.png"]
    assert store.latest(DEVICE, UploadKind.SCREENSHOT).name.endswith("cmd-4.png")
    assert store.latest(DEVICE, UploadKind.LOGS) is None


PASSWORD = "correct horse battery"


@pytest.fixture
async def site(tmp_path, monkeypatch) -> AsyncIterator[tuple[TestClient[Any, Any], UploadTokens, UploadStore]]:
    tokens = UploadTokens()
    uploads = UploadStore(tmp_path, keep=2)
    history = HealthHistory(tmp_path / "history.sqlite3")
    desk = FleetDesk(commands(FakeLink(), tokens), DeviceEventLog(TOPICS), history, tokens, uploads, LIMIT)
    feed = FleetFeed(FleetState(TOPICS, 120.0), "HAK", lambda: "online")
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)
    accounts = AgentAccounts(tmp_path / "agents.sqlite3")
    accounts.add("sun", "Sun", [], PASSWORD, [Role.SUPERVISOR])
    accounts.add("fang", "Fang", [], PASSWORD, [Role.FACILITIES])
    agents = AgentDesk(Switchboard(SwitchboardSettings(), lambda: 0.0, MemoryCallStore()), accounts)
    client = TestClient(TestServer(create_app(feed, agents, fleet_desk=desk)))
    await client.start_server()
    try:
        yield client, tokens, uploads
    finally:
        await client.close()
        history.close()
        accounts.close()


async def test_uploads_without_a_valid_token_too_large_or_of_the_wrong_kind_are_refused(site):
    client, tokens, uploads = site
    url = "/api/fleet/uploads"

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "Content-Type": "image/png"}

    assert (await client.post(url, data=png())).status == 401, "no token"
    assert (await client.post(url, data=png(), headers=bearer("x" * 40))).status == 403, "a made-up token"
    token = tokens.issue(DEVICE, "cmd-1", UploadKind.SCREENSHOT, 30)
    good = await client.post(url, data=png(), headers=bearer(token))
    assert good.status == 201
    again = await client.post(url, data=png(), headers=bearer(token))
    assert again.status == 403 and "already used" in await again.text()
    big = tokens.issue(DEVICE, "cmd-2", UploadKind.SCREENSHOT, 30)
    assert (await client.post(url, data=png() + b"\0" * LIMIT, headers=bearer(big))).status == 413

    async def chunks():  # no Content-Length: the limit holds while reading
        yield png()
        for _ in range(20):
            yield b"\0" * 8192

    streamed = tokens.issue(DEVICE, "cmd-3", UploadKind.SCREENSHOT, 30)
    assert (await client.post(url, data=chunks(), headers=bearer(streamed))).status == 413
    not_png = tokens.issue(DEVICE, "cmd-4", UploadKind.SCREENSHOT, 30)
    assert (await client.post(url, data=b"GIF89a....", headers=bearer(not_png))).status == 415
    not_text = tokens.issue(DEVICE, "cmd-5", UploadKind.LOGS, 30)
    assert (await client.post(url, data=b"\xff\xfe\xfd", headers=bearer(not_text))).status == 415
    [kept] = (uploads.latest(DEVICE, UploadKind.SCREENSHOT),)
    assert kept is not None and kept.read_bytes() == png(), "only the good upload was kept"
    assert len(list(kept.parent.iterdir())) == 1


async def test_the_device_page_api_needs_the_facilities_role(site):
    client, _tokens, _uploads = site
    pages = (f"/api/fleet/devices/{DEVICE}", f"/api/fleet/devices/{DEVICE}/history")
    send = (f"/api/fleet/devices/{DEVICE}/commands", {"name": "show_notice", "args": {"minutes": 0}})
    for path in (
        f"/api/fleet/devices/{DEVICE}",
        f"/api/fleet/devices/{DEVICE}/history",
        f"/api/fleet/devices/{DEVICE}/screenshot",
    ):
        assert (await client.get(path)).status == 401, path
    assert (await client.post(f"/api/fleet/devices/{DEVICE}/commands", json={"name": "print_test"})).status == 401
    await client.post("/api/agent/login", json={"agent_id": "sun", "password": PASSWORD})
    for path in pages:
        assert (await client.get(path)).status == 403, "a supervisor is not facilities staff"
    assert (await client.post(send[0], json=send[1])).status == 403
    await client.post("/api/agent/logout")
    await client.post("/api/agent/login", json={"agent_id": "fang", "password": PASSWORD})
    for path in pages:
        assert (await client.get(path)).status == 200, path
    sent = await client.post(send[0], json=send[1])
    assert sent.status == 202 and (await sent.json())["state"] == "sent"
    assert (await client.post(send[0], json={"name": "self_destruct"})).status == 400
    assert (await client.get("/api/fleet/devices/Not_A_Device")).status == 400
    assert (await client.get(f"/api/fleet/devices/{DEVICE}/screenshot")).status == 404, "none uploaded yet"
