"""The alert list over HTTP: who may read and acknowledge it, what an acknowledgement records, the page's
live stream carrying raises, clears and acknowledgements, and what is refused."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import central.accounts
from bus.messages.central import AlertSeverity
from tests.peers.alert_site import PASSWORD, AlertSite

ALERT = "paper_out:kiosk-t1-01"


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[AlertSite]:
    site = AlertSite(tmp_path)
    await site.start()
    yield site
    await site.close()


async def test_facilities_staff_list_and_acknowledge_an_alert_and_their_name_is_kept(site: AlertSite) -> None:
    browser = await site.signed_in("fang")
    async with browser:
        listing = await (await browser.get("/api/alerts")).json()
        assert [alert["id"] for alert in listing["active"]] == [ALERT]
        assert listing["active"][0]["acked_by"] is None
        answer = await browser.post(f"/api/alerts/{ALERT}/ack", json={})
        assert answer.status == 200
        acked = await answer.json()
        assert acked["acked_by"] == "fang" and acked["acked_at"]
        listing = await (await browser.get("/api/alerts")).json()
        assert listing["active"][0]["acked_by"] == "fang"


async def test_nobody_else_may_read_or_acknowledge(site: AlertSite) -> None:
    async with site.browser() as browser:
        assert (await browser.get("/api/alerts")).status == 401
        assert (await browser.post(f"/api/alerts/{ALERT}/ack", json={})).status == 401
        await browser.post("/api/agent/login", json={"agent_id": "chen", "password": PASSWORD})
        assert (await browser.get("/api/alerts")).status == 403
        assert (await browser.post(f"/api/alerts/{ALERT}/ack", json={})).status == 403
    assert site.book.get(ALERT)["acked_by"] is None  # type: ignore[index]


async def test_an_acknowledgement_from_another_site_or_not_as_json_is_refused(site: AlertSite) -> None:
    browser = await site.signed_in("fang")
    async with browser:
        foreign = await browser.post(f"/api/alerts/{ALERT}/ack", json={}, headers={"Origin": "https://evil.example"})
        assert foreign.status == 403
        form = await browser.post(f"/api/alerts/{ALERT}/ack", data={"x": "1"})
        assert form.status == 415
        assert (await browser.post("/api/alerts/no-such:alert/ack", json={})).status == 404
        assert (await browser.post("/api/alerts/bad%20id/ack", json={})).status == 400
    assert site.book.get(ALERT)["acked_by"] is None  # type: ignore[index]


async def read_events(response, names: set[str], count: int) -> list[tuple[str, dict]]:
    """The next ``count`` events of the stream whose names are in ``names``."""
    found: list[tuple[str, dict]] = []
    name = ""
    while len(found) < count:
        line = (await response.content.readline()).decode().rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: ") and name in names:
            found.append((name, json.loads(line.removeprefix("data: "))))
    return found


async def test_raises_clears_and_acknowledgements_reach_the_open_page_live(site: AlertSite) -> None:
    browser = await site.signed_in("fang")
    async with browser:
        stream = await browser.get("/api/fleet/events")
        await read_events(stream, {"snapshot"}, 1)
        site.book.raised("disk_full:kiosk-t1-01", "disk_full", AlertSeverity.WARNING, "kiosk-t1-01", "Disk 95% full")
        await browser.post("/api/alerts/disk_full:kiosk-t1-01/ack", json={})
        site.book.cleared("disk_full:kiosk-t1-01")
        events = await asyncio.wait_for(read_events(stream, {"alert"}, 3), 5)
        assert [(data["change"], data["alert"]["id"]) for _, data in events] == [
            ("raised", "disk_full:kiosk-t1-01"),
            ("acked", "disk_full:kiosk-t1-01"),
            ("cleared", "disk_full:kiosk-t1-01"),
        ]
        assert events[2][1]["alert"]["acked_by"] == "fang"
        stream.close()
