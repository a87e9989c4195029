"""The case forms, as browsers post them: staff opening and changing a case (``/api/cases``), and a
passenger rating theirs (``/api/c/{token}/rating``). Any body is answered with a 2xx or a 4xx that names
the error, never a 500, and a refused form changes no case.

Central's web app runs in this process on loopback (no program is started), on an event loop of its
own in a thread, so that the examples are plain requests."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.cases.model import Status
from tests.fuzz.support import corpus, fuzz_settings, json_values, mutated
from tests.peers.case_site import CaseSite

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]  # about 5 s to set up the site (accounts, server)

OPEN_SEEDS = [
    json.dumps(
        {"category": "lost_property", "summary": "Black suitcase left at gate 12", "phone": "+86 138 0000 0000"}
    ),
    json.dumps({"category": "complaint", "summary": "x", "call_id": "kiosk-t1-01-20261123-145151"}),
]
CHANGE_SEEDS = [
    json.dumps({"text": "Called the passenger back", "public": True}),
    json.dumps({"status": "closed", "note": "returned"}),
    json.dumps({"owner": "wu"}),
    "{}",
]
RATING_SEEDS = [json.dumps({"rating": 5, "resolved": True}), json.dumps({"rating": 1, "resolved": False})]
JSON_BYTES = b'{}[]":,0123456789.-etrufnl\\'


class Site:
    """The case site on a loop in a thread, a supervisor signed in, and a passenger's browser."""

    def __init__(self, folder: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="case-site", daemon=True)
        self.thread.start()
        self.site = self.call(self._make(folder))

    async def _make(self, folder: Path) -> CaseSite:
        site = CaseSite(folder, posts_per_minute=1_000_000)
        await site.start()
        self.staff = await site.signed_in("boss")
        self.passenger = site.browser()
        return site

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def post(self, path: str, body: bytes, passenger: bool = False) -> tuple[int, Any]:
        async def send() -> tuple[int, Any]:
            browser = self.passenger if passenger else self.staff
            headers = {"Content-Type": "application/json"}
            async with browser.post(path, data=body, headers=headers) as answer:
                text = await answer.text()
                try:
                    return answer.status, json.loads(text)
                except ValueError:
                    return answer.status, text

        return self.call(send())

    def close(self) -> None:
        async def close() -> None:
            await self.staff.close()
            await self.passenger.close()
            await self.site.close()

        self.call(close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    running = Site(tmp_path_factory.mktemp("cases"))
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def closed_case(site: Site) -> dict[str, Any]:
    """A case opened and closed, for the passenger to rate; and an open one, for staff to change."""
    status, case = site.post("/api/cases", OPEN_SEEDS[0].encode())
    assert status == 201, case
    status, closed = site.post(
        f"/api/cases/{case['number']}/status", json.dumps({"status": Status.CLOSED.value}).encode()
    )
    assert status == 200, closed
    return case


def answered_sanely(status: int, answer: Any) -> None:
    assert status < 500, (status, answer)
    if 400 <= status < 500 and status not in (403, 404, 415, 413):
        assert isinstance(answer, dict) and "error" in answer, (status, answer)


@fuzz_settings(80)
@given(body=mutated([seed.encode() for seed in OPEN_SEEDS], alphabet=JSON_BYTES))
def test_a_damaged_new_case_form_is_taken_or_refused(site, body):
    before = site.site.store.next_number()
    status, answer = site.post("/api/cases", body)
    answered_sanely(status, answer)
    opened = site.site.store.next_number() - before
    assert opened == (1 if status == 201 else 0)


@fuzz_settings(80)
@given(
    action=st.sampled_from(["take", "assign", "notes", "status", "nonsense"]),
    body=mutated([seed.encode() for seed in CHANGE_SEEDS], alphabet=JSON_BYTES)
    | st.dictionaries(st.sampled_from(["text", "public", "status", "note", "owner"]), json_values).map(
        lambda form: json.dumps(form).encode()
    ),
)
def test_a_damaged_change_form_is_taken_or_refused(site, closed_case, body, action):
    status, case = site.post("/api/cases", OPEN_SEEDS[1].encode())
    assert status == 201
    before = site.site.cases.get(case["number"])
    status, answer = site.post(f"/api/cases/{case['number']}/{action}", body)
    answered_sanely(status, answer)
    if status >= 400:
        assert site.site.cases.get(case["number"]) == before


@fuzz_settings(80)
@given(
    body=mutated([seed.encode() for seed in RATING_SEEDS], alphabet=JSON_BYTES)
    | st.dictionaries(st.sampled_from(["rating", "resolved"]), json_values).map(lambda f: json.dumps(f).encode())
)
def test_a_damaged_rating_is_taken_or_refused(site, closed_case, body):
    status, answer = site.post(f"/api/c/{closed_case['token']}/rating", body, passenger=True)
    answered_sanely(status, answer)


@pytest.mark.parametrize("depth", [10, 1_000, 5_000])
def test_a_form_nested_deep_is_refused(site, closed_case, depth):
    for path, limit in (("/api/cases", 16 * 1024), (f"/api/c/{closed_case['token']}/rating", 1024)):
        body = ("[" * min(depth, limit - 1)).encode()  # unclosed: the decoder recurses before it sees the end
        status, answer = site.post(path, body, passenger="/api/c/" in path)
        answered_sanely(status, answer)
        assert status == 400, (path, depth, status, answer)


def test_inputs_that_once_failed_are_taken_or_refused(site, closed_case):
    for name, body in corpus("case_forms"):
        for path in ("/api/cases", f"/api/c/{closed_case['token']}/rating"):
            status, answer = site.post(path, body, passenger="/api/c/" in path)
            assert status < 500, (f"corpus/case_forms/{name} on {path}", status, answer)
