"""Demand alerts from the real ``central`` on a real Mosquitto: a burst of views of one info point's page
raises ``demand_surge`` on ``{root}/alert`` once; when the burst is over it is cleared once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bus.topics import TopicKind
from config.sections import BusSection
from tests.peers.central import SITE, TOPICS, central_running
from tests.peers.inbox import Inbox
from tests.peers.mosquitto import Mosquitto

POINT = "T1-GATE-7"
ALERT_ID = f"demand_surge:point:{POINT}"
# a two-second window, so the test sees a surge come and go; five views at least
DEMAND = {"WINDOW_S": "2", "BASELINE_S": "60", "MIN_COUNT": "5", "CHECK_S": "0.2"}


def ours(state: str) -> Any:
    return lambda _topic, body: isinstance(body, dict) and body.get("id") == ALERT_ID and body.get("state") == state


@pytest.mark.slow
async def test_a_burst_of_views_raises_one_alert_and_clears_it_once(
    mosquitto: Mosquitto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in DEMAND.items():
        monkeypatch.setenv(f"CENTRAL_DEMAND__{key}", value)  # as an operator sets them; central inherits them
    alerts = TOPICS.site(TopicKind.ALERT)
    async with Inbox(BusSection(url=mosquitto.url, site=SITE), alerts, "test-alerts") as inbox:
        with central_running(mosquitto, tmp_path / "central") as central:
            async with aiohttp.ClientSession() as http:
                for _ in range(12):
                    async with http.get(f"{central.base_url}/p/{POINT}?s=q") as response:
                        assert response.status == 200
            raised = await inbox.wait_for(ours("raised"), timeout_s=10)
            assert raised["kind"] == "demand_surge" and raised["severity"] == "warning"
            assert "point:T1-GATE-7" in raised["message"]
            await inbox.wait_for(ours("cleared"), timeout_s=15)
            mine = [body["state"] for _topic, body in inbox.messages if body.get("id") == ALERT_ID]
            assert mine == ["raised", "cleared"]
