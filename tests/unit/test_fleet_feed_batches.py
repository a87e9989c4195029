"""The facilities stream gathers device changes and writes them together: one write per page per gathering,
each device once with its latest view, removals included, in the order the devices first changed."""

from __future__ import annotations

import json

from bus.messages.device import DeviceHealth
from bus.topics import Topics
from central.fleet import FleetState
from central.web.live import FleetFeed


def health(cpu: float) -> DeviceHealth:
    return DeviceHealth(cpu_percent=cpu, memory_percent=40.0, app_rss_mb=200.0, uptime_s=10.0)


def events(chunk: bytes) -> list[tuple[str, dict[str, object]]]:
    found = []
    for block in chunk.decode().strip().split("\n\n"):
        name, data = block.split("\n")
        found.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return found


async def test_changes_within_a_gathering_go_out_as_one_write_with_each_device_s_latest_view() -> None:
    fleet = FleetState(Topics("airport/HAK"), 120.0)
    feed = FleetFeed(fleet, "HAK", lambda: "online", flush_s=0.05)
    fleet.apply_health("kiosk-gone", health(1.0))
    with feed.stream() as queue:
        first = await queue.get()
        assert first is not None and first.startswith(b"event: snapshot")
        fleet.apply_health("kiosk-a", health(10.0))
        fleet.apply_health("kiosk-b", health(20.0))
        fleet.apply_health("kiosk-a", health(30.0))
        fleet.remove("kiosk-gone")
        assert queue.empty()  # nothing written yet: gathered
        chunk = await queue.get()
        assert chunk is not None and queue.empty()
        got = events(chunk)
        assert [name for name, _ in got] == ["device", "device", "removed"]
        views = [body["device"] for name, body in got if name == "device"]
        assert [(v["id"], v["health"]["cpu_percent"]) for v in views] == [("kiosk-a", 30.0), ("kiosk-b", 20.0)]
        assert got[2][1]["id"] == "kiosk-gone"
    feed.close()
