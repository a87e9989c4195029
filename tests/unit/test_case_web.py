"""The case desk's and the passenger page's HTTP side: who may open, see and change cases, what the
passenger sees (never the phone number or internal notes), rating once, and bad input refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import central.accounts
from tests.peers.case_site import CaseSite

HOSTILE = '<img src=x onerror="document.title=1">'


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[CaseSite]:
    site = CaseSite(tmp_path, posts_per_minute=4)
    await site.start()
    yield site
    await site.close()


async def open_one(browser, **extra) -> dict:
    body = {"category": "damaged_bag", "summary": f"torn handle {HOSTILE}", "call_id": "call-0001", **extra}
    answer = await browser.post("/api/cases", json=body)
    assert answer.status == 201, await answer.text()
    return await answer.json()


async def test_an_agent_opens_a_case_from_a_call_and_it_lands_in_the_department(site: CaseSite) -> None:
    wu = await site.signed_in("wu")
    chen = await site.signed_in("chen")
    async with wu, chen:
        case = await open_one(wu, phone="138 0013 8000")
        assert case["owner"] == "wu" and case["department"] == "baggage" and case["calls"] == ["call-0001"]
        assert case["phone"] == "13800138000" and case["status"] == "open"
        assert case["passenger_url"] == f"/c/{case['token']}" and len(case["token"]) >= 32
        mine = await (await wu.get("/api/cases")).json()
        assert [c["number"] for c in mine["mine"]] == [case["number"]] and mine["department"] == []
        theirs = await (await chen.get("/api/cases")).json()
        assert theirs["mine"] == [] and [c["number"] for c in theirs["department"]] == [case["number"]]
        assert theirs["me"] == {"id": "chen", "department": "baggage", "supervisor": False}
        taken = await chen.post(f"/api/cases/{case['number']}/take", json={})
        assert (await taken.json())["owner"] == "chen"


async def test_who_may_use_the_desk(site: CaseSite) -> None:
    async with site.browser() as nobody:
        assert (await nobody.get("/api/cases")).status == 401
        assert (await nobody.post("/api/cases", json={"category": "other", "summary": "x"})).status == 401
        assert (await nobody.get("/api/cases/figures")).status == 401
    fang = await site.signed_in("fang")
    async with fang:
        assert (await fang.get("/api/cases")).status == 403
        assert (await fang.post("/api/cases", json={"category": "other", "summary": "x"})).status == 403
    chen = await site.signed_in("chen")
    wu = await site.signed_in("wu")
    boss = await site.signed_in("boss")
    async with chen, wu, boss:
        case = await open_one(chen)
        # another department's agent may not change it; a supervisor may
        refused = await wu.post(f"/api/cases/{case['number']}/notes", json={"text": "hi", "public": False})
        assert refused.status == 403
        assert (await wu.get("/api/cases/figures")).status == 403
        moved = await boss.post(f"/api/cases/{case['number']}/assign", json={"owner": "wu"})
        assert (await moved.json())["owner"] == "wu"
        assert (await boss.post(f"/api/cases/{case['number']}/assign", json={"owner": "nobody"})).status == 400
        listing = await (await boss.get("/api/cases")).json()
        assert [c["number"] for c in listing["department"]] == [case["number"]]
    assert len(site.store.unfinished()) == 1


async def test_bad_input_is_refused_and_changes_nothing(site: CaseSite) -> None:
    chen = await site.signed_in("chen")
    async with chen:
        for body, error in [
            ({"category": "no_such", "summary": "x"}, "unknown_category"),
            ({"category": "other", "summary": ""}, "summary_missing"),
            ({"category": "other", "summary": "x" * 1001}, "summary_too_long"),
            ({"category": "other", "summary": "x", "phone": "call me maybe"}, "bad_phone"),
            ({"category": "other", "summary": "x", "call_id": "../../etc"}, "bad_call_id"),
        ]:
            answer = await chen.post("/api/cases", json=body)
            assert answer.status == 400 and (await answer.json())["error"] == error, body
        huge = await chen.post("/api/cases", json={"category": "other", "summary": "x" * 20_000})
        assert huge.status == 413
        assert (await chen.post("/api/cases", data={"category": "other", "summary": "x"})).status == 415
        foreign = await chen.post(
            "/api/cases", json={"category": "other", "summary": "x"}, headers={"Origin": "https://evil.example"}
        )
        assert foreign.status == 403
        assert site.store.next_number() == 1  # nothing was opened
        case = await open_one(chen)
        number = case["number"]
        assert (await chen.post(f"/api/cases/{number}/status", json={"status": "gone"})).status == 400
        assert (await chen.post(f"/api/cases/{number}/notes", json={"text": "y" * 2001})).status == 400
        assert (await chen.post("/api/cases/999/take", json={})).status == 404
        assert (await chen.post(f"/api/cases/{number}/fly", json={})).status == 404
        closed = await chen.post(f"/api/cases/{number}/status", json={"status": "closed"})
        assert closed.status == 200
        reopen = await chen.post(f"/api/cases/{number}/status", json={"status": "in_progress"})
        assert reopen.status == 400 and (await reopen.json())["error"] == "reopen_needs_note"
        assert (await chen.post(f"/api/cases/{number}/status", json={"status": "resolved"})).status == 409
    assert site.cases.get(number).status.value == "closed"


async def test_the_passenger_sees_status_and_public_notes_only_and_rates_once(site: CaseSite) -> None:
    chen = await site.signed_in("chen")
    async with chen, site.browser() as passenger:
        case = await open_one(chen, phone="13800138000")
        number, token = case["number"], case["token"]
        await chen.post(f"/api/cases/{number}/notes", json={"text": "internal: rude passenger", "public": False})
        await chen.post(f"/api/cases/{number}/notes", json={"text": f"Repair booked {HOSTILE}", "public": True})
        page = await passenger.get(f"/c/{token}")
        assert page.status == 200 and "text/html" in page.headers["Content-Type"]
        seen = await passenger.get(f"/api/c/{token}")
        text = await seen.text()
        assert "13800138000" not in text and "internal" not in text and "chen" not in text
        view = await seen.json()
        assert view["status"] == "open" and view["category"]["zh"] == "行李损坏" and not view["may_rate"]
        assert [entry["text"] for entry in view["timeline"] if entry["kind"] == "note"] == [f"Repair booked {HOSTILE}"]
        early = await passenger.post(f"/api/c/{token}/rating", json={"rating": 5, "resolved": True})
        assert early.status == 409
        await chen.post(f"/api/cases/{number}/status", json={"status": "closed"})
        assert (await passenger.post(f"/api/c/{token}/rating", json={"rating": 9, "resolved": True})).status == 400
        rated = await passenger.post(f"/api/c/{token}/rating", json={"rating": 4, "resolved": True})
        assert rated.status == 200 and (await rated.json())["rating"] == 4
        again = await passenger.post(f"/api/c/{token}/rating", json={"rating": 1, "resolved": False})
        assert again.status == 409  # the fourth post this minute: still admitted, but once is once
        limited = await passenger.post(f"/api/c/{token}/rating", json={"rating": 1, "resolved": False})
        assert limited.status == 429
    assert site.cases.get(number).rating == 4


async def test_an_unknown_token_gets_the_friendly_page_with_404(site: CaseSite) -> None:
    async with site.browser() as passenger:
        for token in ("A" * 32, "short", "x" * 200):
            page = await passenger.get(f"/c/{token}")
            assert page.status == 404 and "text/html" in page.headers["Content-Type"]
            assert (await passenger.get(f"/api/c/{token}")).status == 404


async def test_the_desk_stream_tells_of_a_change_and_figures_add_up(site: CaseSite) -> None:
    chen = await site.signed_in("chen")
    boss = await site.signed_in("boss")
    async with chen, boss:
        stream = await chen.get("/api/cases/events")
        assert stream.status == 200
        names = []
        while "snapshot" not in names:
            line = (await asyncio.wait_for(stream.content.readline(), 5)).decode()
            if line.startswith("event: "):
                names.append(line.removeprefix("event: ").strip())
        case = await open_one(chen)
        while "changed" not in names:
            line = (await asyncio.wait_for(stream.content.readline(), 5)).decode()
            if line.startswith("event: "):
                names.append(line.removeprefix("event: ").strip())
        stream.close()
        await chen.post(f"/api/cases/{case['number']}/status", json={"status": "resolved"})
        await open_one(chen)
        figures = await (await boss.get("/api/cases/figures")).json()
        assert figures["total"]["opened"] == 2 and figures["total"]["finished"] == 1
        assert figures["total"]["on_time"] == 1 and figures["total"]["on_time_rate"] == 1.0
        csv_answer = await boss.get("/api/cases/figures?format=csv")
        lines = (await csv_answer.text()).splitlines()
        assert lines[0].startswith("category,department,opened") and lines[-1].startswith("all,all,2,1,1,0")
        count = await (await chen.get("/api/cases/overdue")).json()
        assert count["overdue"] == 0
