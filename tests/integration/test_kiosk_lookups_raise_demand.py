"""Kiosks' flight lookups raise demand alerts on the real ``central`` over a real Mosquitto: a burst of
``flights.looked_up`` events from several kiosks about one flight on the board raises ``demand_surge`` for it
on ``{root}/alert``; an event with 500 flight numbers is refused, logged once, and counts nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bus.codec import encode
from bus.link import Publication
from bus.messages.device import DeviceEvent
from bus.topics import TopicKind
from config.sections import BusSection
from tests.peers.central import SITE, TOPICS, central_running
from tests.peers.inbox import Inbox
from tests.peers.mosquitto import Mosquitto
from tests.peers.retained import read_retained
from tests.peers.wait import until

# a two-second window, so a burst of six stands out; five lookups at least
DEMAND = {"WINDOW_S": "2", "BASELINE_S": "60", "MIN_COUNT": "5", "CHECK_S": "0.2"}
KIOSKS = [f"kiosk-t1-{n:02}" for n in range(1, 7)]
FLOODER = "kiosk-t1-99"


def looked_up(inbox: Inbox, device: str, seq: int, flights: list[str]) -> None:
    """What a kiosk's outbox sends when a passenger opens a flight (the inbox's client stands in for it)."""
    payload = encode(DeviceEvent(seq=seq, name="flights.looked_up", data={"flights": flights, "via": "detail"}))
    sent = inbox.link.publish(Publication(TOPICS.device(device, TopicKind.DEVICE_EVENT), payload, 1, False))
    assert sent, "the test's link is down"


@pytest.mark.slow
async def test_a_burst_of_kiosk_lookups_raises_demand_surge_for_that_flight(
    mosquitto: Mosquitto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in DEMAND.items():
        monkeypatch.setenv(f"CENTRAL_DEMAND__{key}", value)  # as an operator sets them; central inherits them
    alerts = TOPICS.site(TopicKind.ALERT)
    async with Inbox(BusSection(url=mosquitto.url, site=SITE), alerts, "test-alerts") as inbox:
        with central_running(mosquitto, tmp_path / "central") as central:
            board = await asyncio.to_thread(
                read_retained, mosquitto, TOPICS.site(TopicKind.FLIGHTS_DEP), lambda body: bool(body["flights"])
            )
            numbers = [flight["number"] for flight in board["flights"]]
            number, others = numbers[0], [n for n in numbers if n != numbers[0]]
            alert_id = f"demand_surge:flight:{number}"

            def ours(state: str) -> Any:
                return lambda _topic, body: (
                    isinstance(body, dict) and body.get("id") == alert_id and (body.get("state") == state)
                )

            looked_up(inbox, FLOODER, 0, ([number, *others] * 500)[:500])  # our flight among them
            refused = f"dropped malformed event flights.looked_up message from {FLOODER}: flights: 500 of them"
            await until(lambda: any(refused in line for line in central.log_lines), "the 500 refused, in the log")
            for kiosk in KIOSKS:
                looked_up(inbox, kiosk, 0, [number])
            raised = await inbox.wait_for(ours("raised"), timeout_s=10)
            assert raised["kind"] == "demand_surge" and raised["severity"] == "warning" and raised["device"] is None
            assert f"flight:{number}: {len(KIOSKS)} in the window" in raised["message"], "the 500 counted nothing"
            await inbox.wait_for(ours("cleared"), timeout_s=15)
    refusals = [line for line in central.log_lines if f"message from {FLOODER}" in line]
    assert len(refusals) == 1, refusals
