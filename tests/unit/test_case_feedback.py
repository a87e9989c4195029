"""Feedback without a call (a kiosk's or a QR point's form) and a callback number added from the kiosk:
a case in the right department, bad input refused with a reason, posts rate-limited per place and per
address, and the number never on the passenger's page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import central.accounts
from central.cases.desk import Actor
from central.cases.feedback import MAX_FEEDBACK_CHARS, Source, checked_feedback
from central.cases.limit import PostLimit
from central.cases.model import CaseRefused
from tests.peers.case_site import CaseSite

HOSTILE_MARKUP = '<script>alert(1)</script><img src=x onerror="x()">'


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[CaseSite]:
    site = CaseSite(tmp_path, posts_per_minute=3)
    await site.start()
    yield site
    await site.close()


def form(**changes: object) -> dict[str, object]:
    return {"source": "kiosk", "from": "kiosk-t1-01", "category": "complaint", "text": "The queue was long", **changes}


def test_a_good_form_is_taken_as_it_was_given() -> None:
    feedback = checked_feedback(form(contact="+86 138-0013-8000", text="  排队太久  "))
    assert feedback.source is Source.KIOSK and feedback.place == "kiosk-t1-01"
    assert feedback.text == "排队太久" and feedback.phone == "+8613800138000"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"text": ""}, "text_missing"),
        ({"text": "x" * (MAX_FEEDBACK_CHARS + 1)}, "text_too_long"),
        ({"text": "fine\u202egnp.exe"}, "text_refused"),
        ({"text": "bell\x07"}, "text_refused"),
        ({"text": 42}, "text_missing"),
        ({"source": "email"}, "bad_source"),
        ({"from": "../etc"}, "bad_place"),
        ({"contact": "call me"}, "bad_phone"),
        ({"contact": "12345"}, "bad_phone"),
        ({"category": ["complaint"]}, "unknown_category"),
    ],
)
def test_bad_forms_are_refused_with_a_reason(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(CaseRefused) as refused:
        checked_feedback(form(**changes))
    assert refused.value.reason == reason


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=MAX_FEEDBACK_CHARS + 20))
def test_any_text_is_either_kept_whole_or_refused(text: str) -> None:
    try:
        feedback = checked_feedback(form(text=text))
    except CaseRefused as refused:
        assert refused.reason in ("text_missing", "text_too_long", "text_refused")
    else:
        assert feedback.text == text.strip() and len(feedback.text) <= MAX_FEEDBACK_CHARS


def test_the_limit_counts_each_key_in_its_own_minute() -> None:
    limit = PostLimit(2)
    assert [limit.admit("a", 0.0) for _ in range(3)] == [True, True, False]
    assert limit.admit("b", 1.0)
    assert limit.admit("a", 61.0)


async def test_feedback_from_a_point_becomes_a_case_in_the_department(site: CaseSite) -> None:
    async with site.browser() as phone:
        shown = await (await phone.get("/api/feedback/categories")).json()
        assert {"id": "complaint", "en": "Complaint", "zh": "投诉"} in shown["categories"]
        assert all("department" not in category for category in shown["categories"])
        answer = await phone.post(
            "/api/feedback",
            json=form(source="point", **{"from": "t1-gate5"}, text=HOSTILE_MARKUP, contact="13800138000"),
        )
        assert answer.status == 201, await answer.text()
        made = await answer.json()
        page = await (await phone.get(f"/api/c/{made['passenger_url'].removeprefix('/c/')}")).text()
        assert "13800138000" not in page and "t1-gate5" not in page
    case = site.cases.get(made["number"])
    assert case.department == "service" and case.owner == "passenger" and case.summary == HOSTILE_MARKUP
    assert case.phone == "13800138000" and case.timeline[-1].text == "point t1-gate5"
    assert not case.timeline[-1].public
    chen, wu = await site.signed_in("chen"), await site.signed_in("wu")
    async with chen, wu:
        assert (await (await wu.get("/api/cases")).json())["department"][0]["number"] == case.number
        assert (await (await chen.get("/api/cases")).json())["department"] == []


async def test_feedback_is_rate_limited_per_place(site: CaseSite) -> None:
    async with site.browser() as kiosk:
        statuses = [(await kiosk.post("/api/feedback", json=form())).status for _ in range(3)]
        assert statuses == [201, 201, 201]
        again = await kiosk.post("/api/feedback", json=form())
        assert again.status == 429 and again.headers["Retry-After"] == "60"
    assert len(site.store.unfinished()) == 3


async def test_refused_feedback_says_why_and_stores_nothing(site: CaseSite) -> None:
    async with site.browser() as phone:
        long = await phone.post("/api/feedback", json=form(text="长" * (MAX_FEEDBACK_CHARS + 1)))
        assert (long.status, (await long.json())["error"]) == (400, "text_too_long")
        unknown = await phone.post("/api/feedback", json=form(category="parking"))
        assert (await unknown.json())["error"] == "unknown_category"
        huge = await phone.post(
            "/api/feedback", data=b"{" + b" " * 9000 + b"}", headers={"Content-Type": "application/json"}
        )
        assert huge.status == 413
    assert site.store.unfinished() == []


async def test_the_kiosk_adds_a_callback_number_that_stays_off_the_passenger_page(site: CaseSite) -> None:
    case = site.cases.open(Actor("wu"), "complaint", "rude staff")
    async with site.browser() as kiosk:
        bad = await kiosk.post(f"/api/c/{case.token}/callback", json={"phone": "not a number"})
        assert (bad.status, (await bad.json())["error"]) == (400, "bad_phone")
        unknown = await kiosk.post("/api/c/" + "x" * 32 + "/callback", json={"phone": "13800138000"})
        assert unknown.status == 404
        added = await kiosk.post(f"/api/c/{case.token}/callback", json={"phone": "138 0013 8000"})
        assert added.status == 200 and "138" not in await added.text()
        page = await (await kiosk.get(f"/api/c/{case.token}")).text()
        assert "13800138000" not in page
    stored = site.cases.get(case.number)
    assert stored.phone == "13800138000" and stored.timeline[-1].kind.value == "callback"
    assert "138" not in stored.timeline[-1].text
