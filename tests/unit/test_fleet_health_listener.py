"""The fleet tells health listeners (the one-minute history) of each new report once, as it came: not of a
status change, nor of the same report sent again (a retained one at every reconnect)."""

from __future__ import annotations

from datetime import UTC, datetime

from bus.codec import encode
from bus.messages.device import DeviceHealth, DeviceKind, DeviceStatus
from bus.topics import TopicKind, Topics
from central.fleet import FleetState

TOPICS = Topics("airport/HAK")
HEALTH = TOPICS.device("kiosk-1", TopicKind.DEVICE_HEALTH)


def health(cpu: float, second: int) -> bytes:
    ts = datetime(2026, 11, 23, 8, 0, second, tzinfo=UTC)
    return encode(DeviceHealth(cpu_percent=cpu, memory_percent=20, app_rss_mb=100, uptime_s=5, ts=ts))


def test_each_new_report_is_told_once_as_it_came() -> None:
    fleet = FleetState(TOPICS, 30.0)
    heard: list[tuple[str, float]] = []
    fleet.add_health_listener(lambda device_id, report: heard.append((device_id, report.cpu_percent)))
    fleet.handle(HEALTH, health(10.0, 0))
    fleet.handle(
        TOPICS.device("kiosk-1", TopicKind.DEVICE_STATUS), encode(DeviceStatus(online=True, kind=DeviceKind.KIOSK))
    )
    fleet.handle(HEALTH, health(10.0, 0))  # the retained report again, after a reconnect
    fleet.handle(HEALTH, health(30.0, 5))
    fleet.handle(HEALTH, b'{"v":1,"cpu_percent":"hot"}')  # malformed: dropped, told to no one
    assert heard == [("kiosk-1", 10.0), ("kiosk-1", 30.0)]
    assert fleet.malformed_of("kiosk-1") == 1


def test_a_failing_listener_does_not_stop_the_others() -> None:
    fleet = FleetState(TOPICS, 30.0)
    heard: list[str] = []

    def broken(_device_id: str, _report: DeviceHealth) -> None:
        raise RuntimeError("disk full")

    fleet.add_health_listener(broken)
    fleet.add_health_listener(lambda device_id, _report: heard.append(device_id))
    fleet.handle(HEALTH, health(10.0, 0))
    assert heard == ["kiosk-1"]
    view = fleet.view("kiosk-1")
    assert view is not None and view["health"] is not None and view["health"]["cpu_percent"] == 10.0
