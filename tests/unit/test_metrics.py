"""``GET /metrics``: read back with prometheus-client's own parser; only a local scraper or one with the
token may read it; and every metric the shipped Prometheus rules and Grafana dashboard name is one
central exposes (promtool is not installed here: Debian's prometheus package is ~100 MB, too big for CI)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

import central.accounts
from bus.messages.device import DeviceEvent
from central.alerts.rules import SEVERITY
from central.metrics import MetricsSection, terminal_of
from tests.peers.alert_site import AlertSite
from tests.peers.programs import ROOT

RULES = ROOT / "deploy" / "prometheus" / "airport-alerts.yml"
SCRAPE = ROOT / "deploy" / "prometheus" / "prometheus.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "airport-fleet.json"
METRIC_NAME = re.compile(r"\b(airport_[a-z0-9_]+)\b")


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[AlertSite]:
    site = AlertSite(tmp_path)
    await site.start()
    yield site
    await site.close()


async def scrape(site: AlertSite, **headers: str) -> tuple[int, str]:
    async with site.browser() as scraper:
        response = await scraper.get("/metrics", headers=headers)
        return response.status, await response.text()


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            assert isinstance(sample, Sample)
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def exposed_names(text: str) -> set[str]:
    names = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        if family.type == "counter":
            names.add(f"{family.name}_total")
        names.update(sample.name for sample in family.samples)
    return names


def value(found: dict, name: str, **labels: str) -> float:
    return found[(name, frozenset(labels.items()))]


async def test_the_fleet_the_alerts_the_queue_and_the_feeds_read_back_with_prometheus_own_parser(site: AlertSite):
    status, text = await scrape(site)
    assert status == 200
    found = samples(text)
    kiosk = {"device": "kiosk-t1-01", "kind": "kiosk", "terminal": "T1"}
    assert value(found, "airport_device_online", **kiosk) == 1
    assert value(found, "airport_device_online", device="kiosk-t1-02", kind="kiosk", terminal="T1") == 0
    assert value(found, "airport_device_online", device="sign-t2-gate-3", kind="signage", terminal="T2") == 1
    assert value(found, "airport_device_temperature_celsius", **kiosk) == pytest.approx(58.4)
    assert value(found, "airport_device_broker_rtt_seconds", **kiosk) == pytest.approx(0.0047)
    assert value(found, "airport_device_app_rss_bytes", **kiosk) == pytest.approx(312.6 * 1024 * 1024)
    assert value(found, "airport_device_printer_state", state="paper_out", **kiosk) == 1
    assert value(found, "airport_device_camera_fps", **kiosk) == 15
    assert value(found, "airport_device_info", version="1.2.0", **kiosk) == 1
    assert value(found, "airport_device_events_missing_total", device="kiosk-t1-01") == 3
    assert value(found, "airport_fleet_devices", state="offline") == 1
    assert value(found, "airport_alerts_active", kind="paper_out", severity="critical") == 1
    assert value(found, "airport_alerts_active", kind="disk_full", severity="warning") == 0
    assert value(found, "airport_alerts_unacknowledged") == 1
    assert value(found, "airport_queue_waiting", skill="zh") == 0
    assert value(found, "airport_calls_in_progress", phase="connected") == 0
    assert 11 <= value(found, "airport_flight_feed_age_seconds", feed="simulator") < 60
    assert value(found, "airport_flight_feed_stale", feed="simulator") == 0
    # bounded labels: a device's series carry only these
    device_labels = {name for (metric, labels) in found if metric.startswith("airport_device_") for name, _ in labels}
    assert device_labels <= {"device", "kind", "terminal", "state", "version"}


async def test_a_late_event_filling_a_gap_counts_up_and_no_counter_goes_down(site: AlertSite):
    """kiosk-t1-01 sent 0, 1 and 5: 2, 3 and 4 found missing. Its outbox sends 3 again after a reconnect."""
    async with site.browser() as scraper:  # one server for the three scrapes
        before = samples(await (await scraper.get("/metrics")).text())
        assert site.events.take("kiosk-t1-01", DeviceEvent(seq=3, name="print.done"))
        text = await (await scraper.get("/metrics")).text()
    after = samples(text)
    assert value(before, "airport_device_events_filled_total", device="kiosk-t1-01") == 0
    assert value(before, "airport_device_events_missing_now", device="kiosk-t1-01") == 3
    assert value(after, "airport_device_events_missing_total", device="kiosk-t1-01") == 3  # found: still 3
    assert value(after, "airport_device_events_filled_total", device="kiosk-t1-01") == 1
    assert value(after, "airport_device_events_missing_now", device="kiosk-t1-01") == 2
    families = {family.name: family.type for family in text_string_to_metric_families(text)}
    assert families["airport_device_events_missing"] == families["airport_device_events_filled"] == "counter"
    assert families["airport_device_events_missing_now"] == "gauge"


async def test_a_scraper_through_a_proxy_is_refused_without_a_token(site: AlertSite):
    status, _ = await scrape(site, **{"X-Forwarded-For": "203.0.113.9"})
    assert status == 403


async def test_with_a_token_only_its_bearer_may_scrape(tmp_path: Path):
    site = AlertSite(tmp_path, MetricsSection(token="scrape-me-7f3c"))
    await site.start()
    try:
        async with site.browser() as scraper:
            assert (await scraper.get("/metrics")).status == 401
            assert (await scraper.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 401
            answer = await scraper.get("/metrics", headers={"Authorization": "Bearer scrape-me-7f3c"})
            assert answer.status == 200 and "airport_device_online" in await answer.text()
    finally:
        await site.close()


def test_terminals_come_from_the_location_or_the_id():
    assert terminal_of("kiosk-07", "t2 Hall A, gate 3") == "T2"
    assert terminal_of("kiosk-t1-07", "Hall B") == "T1"
    assert terminal_of("kiosk-07", "Hall B") == ""


def rule_expressions() -> list[str]:
    rules = yaml.safe_load(RULES.read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    found = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    found += [variable["definition"] for variable in dashboard["templating"]["list"]]
    return found


async def test_every_metric_the_shipped_rules_and_dashboard_name_is_exposed(site: AlertSite):
    _, text = await scrape(site)
    exposed = exposed_names(text)
    expressions = rule_expressions() + dashboard_expressions()
    assert len(expressions) > 20
    for expression in expressions:
        named = set(METRIC_NAME.findall(expression))
        assert named, expression
        assert named <= exposed, (expression, named - exposed)
        assert expression.count("(") == expression.count(")"), expression
        assert expression.count("{") == expression.count("}"), expression


def test_the_rules_cover_every_alert_kind_central_raises():
    rules = yaml.safe_load(RULES.read_text())["groups"][0]["rules"]
    shipped = {rule["labels"]["kind"]: rule["labels"]["severity"] for rule in rules}
    assert shipped == {rule.value: severity.value for rule, severity in SEVERITY.items()}
    scrape_config = yaml.safe_load(SCRAPE.read_text())
    assert scrape_config["scrape_configs"][0]["metrics_path"] == "/metrics"
    assert "airport-alerts.yml" in scrape_config["rule_files"]
