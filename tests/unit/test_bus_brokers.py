"""Several broker URLs in ``[bus]``: parsed, checked, tried in turn; the one-URL form as before."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bus.link import BusLink
from config.loader import SettingsError, load_settings
from config.sections import BusRisk, BusSection
from kiosk.settings import ENV_PREFIX, KioskSettings


def test_one_url_is_one_broker_as_before() -> None:
    bus = BusSection(url="mqtt://broker.example:1884")
    assert bus.endpoints == [("broker.example", 1884)]
    assert (bus.host, bus.port) == ("broker.example", 1884)


def test_brokers_come_after_url_in_the_order_given() -> None:
    bus = BusSection(url="mqtts://a.example", brokers=["mqtts://b.example:8884", "mqtts://c.example/"])
    assert bus.endpoints == [("a.example", 8883), ("b.example", 8884), ("c.example", 8883)]
    assert (bus.host, bus.port) == ("a.example", 8883)


def test_brokers_from_an_environment_variable() -> None:
    for text in ("mqtt://b.example:1884, mqtt://c.example", '["mqtt://b.example:1884", "mqtt://c.example"]'):
        settings = load_settings(KioskSettings, ENV_PREFIX, None, environ={"KIOSK_BUS__BROKERS": text})
        assert settings.bus.endpoints[1:] == [("b.example", 1884), ("c.example", 1883)]
    with pytest.raises(SettingsError, match="KIOSK_BUS__BROKERS"):
        load_settings(KioskSettings, ENV_PREFIX, None, environ={"KIOSK_BUS__BROKERS": "b.example:1884"})


def test_a_broker_with_another_scheme_is_refused_with_its_url() -> None:
    with pytest.raises(ValidationError, match=r"mqtt://b\.example"):
        BusSection(url="mqtts://a.example", brokers=["mqtt://b.example"])


def test_a_broker_that_is_not_a_url_is_refused() -> None:
    with pytest.raises(ValidationError, match="brokers"):
        BusSection(brokers=["b.example:1883"])


def test_a_remote_broker_among_loopback_ones_is_a_risk() -> None:
    assert BusSection(url="mqtt://127.0.0.1:1883", brokers=["mqtt://localhost:1884"]).risks == []
    risky = BusSection(url="mqtt://127.0.0.1:1883", brokers=["mqtt://b.example"])
    assert risky.risks == [BusRisk.ANONYMOUS, BusRisk.PLAINTEXT]


class _Client:
    """Stands for paho's client: the link sets where its next attempt goes."""

    _host = ""
    _port = 0


def test_each_failure_moves_the_next_attempt_to_the_next_broker_in_turn() -> None:
    link = BusLink(BusSection(url="mqtt://127.0.0.1:1883", brokers=["mqtt://127.0.0.2:1884"]), "kiosk-a")
    client = _Client()
    assert link.where == "127.0.0.1:1883"
    seen = []
    for _ in range(3):
        link._on_connect_fail(client, None)  # type: ignore[arg-type]
        seen.append((link.where, client._host, client._port))
    assert seen == [
        ("127.0.0.2:1884", "127.0.0.2", 1884),
        ("127.0.0.1:1883", "127.0.0.1", 1883),
        ("127.0.0.2:1884", "127.0.0.2", 1884),
    ]


def test_one_broker_is_tried_again_and_again() -> None:
    link = BusLink(BusSection(url="mqtt://127.0.0.1:1883"), "kiosk-a")
    client = _Client()
    link._on_connect_fail(client, None)  # type: ignore[arg-type]
    assert (link.where, client._host) == ("127.0.0.1:1883", "")
