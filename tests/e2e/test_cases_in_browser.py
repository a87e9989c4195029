"""A follow-up case from end to end in headless Chromium against the real central: an agent opens it (the
API the console will call, with the call it came from), the case desk shows it, the passenger's page (a
second browser context, not signed in) shows its status, department staff resolve and close it on the
desk, and the passenger rates it, once. Hostile text stays text; an unknown link gets the friendly page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.peers.central import PASSWORD, central_env
from tests.peers.chromium import headless_chromium
from tests.peers.programs import running
from tests.peers.staff import written_accounts

pytestmark = pytest.mark.slow

HOSTILE = '<img src=x onerror="document.title=1">'


def shot(page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("CASE_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def sign_in(context, base_url: str, who: str) -> None:
    answer = context.request.post(f"{base_url}/api/agent/login", data={"agent_id": who, "password": PASSWORD})
    assert answer.ok, answer.text()


def test_a_case_is_opened_shown_resolved_and_rated(mosquitto, tmp_path, chromium_executable):
    state_dir = tmp_path / "central"
    env = central_env(mosquitto, state_dir)
    with written_accounts(state_dir) as accounts:
        accounts.add("chen", "Chen Li", ["zh", "en"], PASSWORD, department="service")
        accounts.add("li", "Li Na", ["zh"], PASSWORD, department="baggage")
    with running("central", env) as program, headless_chromium(chromium_executable) as browser:
        line = program.wait_for_line("central: agent console at ")
        base_url = line.split(" at ", 1)[1].strip().removesuffix("/agent")

        agent = browser.new_context(viewport={"width": 1400, "height": 900})
        sign_in(agent, base_url, "chen")
        opened = agent.request.post(
            f"{base_url}/api/cases",
            data={"category": "damaged_bag", "summary": f"Torn handle {HOSTILE}", "call_id": "call-0042"},
        )
        assert opened.status == 201, opened.text()
        case = opened.json()
        assert case["department"] == "baggage" and case["calls"] == ["call-0042"]
        desk = agent.new_page()
        desk.goto(f"{base_url}/cases")
        mine = desk.locator(f'#mine article[data-case="{case["number"]}"]')
        expect(mine).to_contain_text(f"Torn handle {HOSTILE}")
        expect(desk.locator("#top")).to_have_attribute("data-live", "live")
        shot(desk, tmp_path, "desk-agent-en")

        passenger = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        phone = passenger.new_page()
        phone.goto(f"{base_url}/c/{case['token']}")
        expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(phone.locator("#case-status")).to_have_attribute("data-status", "open")
        expect(phone.locator("#case-category")).to_have_text("行李损坏")
        shot(phone, tmp_path, "passenger-open-zh")

        staff = browser.new_context(viewport={"width": 1400, "height": 900})
        sign_in(staff, base_url, "li")
        theirs = staff.new_page()
        theirs.goto(f"{base_url}/cases")
        card = theirs.locator(f'#department article[data-case="{case["number"]}"]')
        expect(card).to_be_visible()
        card.locator('[data-action="take"]').click()
        card = theirs.locator(f'#mine article[data-case="{case["number"]}"]')
        expect(card).to_be_visible()
        # the agent's desk hears of it live: the case has gone from their list
        expect(mine).to_have_count(0)
        card.locator('[data-field="note"]').fill(f"Repair booked at the baggage office {HOSTILE}")
        card.locator('[data-field="public"]').check()
        card.locator('[data-action="note"]').click()
        expect(card.locator(".case-timeline")).to_contain_text("Repair booked")
        card.locator('[data-field="note"]').fill("internal: supplier invoice 77")
        card.locator('[data-action="note"]').click()
        expect(card.locator(".case-timeline")).to_contain_text("supplier invoice")
        card.locator('select[data-field="status"]').select_option("resolved")
        card.locator('[data-action="status"]').click()
        expect(card).to_have_attribute("data-status", "resolved")
        shot(theirs, tmp_path, "desk-staff-en")
        card.locator('select[data-field="status"]').select_option("closed")
        card.locator('[data-action="status"]').click()
        expect(card).to_have_count(0)  # a closed case leaves the desk

        phone.reload()
        expect(phone.locator("#case-status")).to_have_attribute("data-status", "closed")
        expect(phone.locator("#timeline")).to_contain_text(f"Repair booked at the baggage office {HOSTILE}")
        expect(phone.locator("body")).not_to_contain_text("supplier invoice")
        expect(phone.locator("#rate-form")).to_be_visible()
        shot(phone, tmp_path, "passenger-closed-zh")
        phone.locator('input[name="resolved"][value="yes"]').check()
        phone.locator('[data-stars="4"]').click()
        phone.locator("#rate-send").click()
        expect(phone.locator("#rated")).to_be_visible()
        expect(phone.locator("#rate-form")).to_be_hidden()
        phone.locator("#lang-switch").click()
        expect(phone.locator("html")).to_have_attribute("lang", "en")
        expect(phone.locator("#case-status")).to_have_text("Closed")
        shot(phone, tmp_path, "passenger-rated-en")
        phone.reload()
        expect(phone.locator("#rate-form")).to_be_hidden()
        again = passenger.request.post(
            f"{base_url}/api/c/{case['token']}/rating", data={"rating": 1, "resolved": False}
        )
        assert again.status == 409

        missing = passenger.new_page()
        answer = missing.goto(f"{base_url}/c/{'A' * 32}")
        assert answer is not None and answer.status == 404
        expect(missing.locator("#missing")).to_be_visible()
        shot(missing, tmp_path, "passenger-missing-zh")
        for page in (desk, phone, theirs, missing):
            assert page.title() != "1"
