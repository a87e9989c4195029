"""What a device says about itself: status (birth / Last Will), health, queue state, events, and commands."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from bus.messages.base import CallId, LongText, Message, Part, ShortText, Timestamp, utc_now
from config.sections import BusRisk


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    SIGNAGE = "signage"


class OfflineReason(StrEnum):
    LOST = "lost"
    SHUTDOWN = "shutdown"


class DeviceStatus(Message):
    """Retained on ``device/{id}/status``: birth on connect, Last Will ``lost``, or clean ``shutdown``."""

    online: bool
    kind: DeviceKind
    version: ShortText = ""
    boot_id: ShortText = ""
    location: ShortText = ""
    reason: OfflineReason | None = None
    ts: Timestamp = Field(default_factory=utc_now)

    @model_validator(mode="after")
    def _reason_only_when_offline(self) -> DeviceStatus:
        if self.online and self.reason is not None:
            raise ValueError("an online status carries no offline reason")
        return self


class PrinterState(StrEnum):
    """The one set of printer states: the driver's status parsing, the print queue and health share it."""

    READY = "ready"
    PRINTING = "printing"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    ERROR = "error"
    """the printer answered with an error or with a status that makes no sense"""
    NOT_CONNECTED = "not_connected"
    """the printer is configured but its port is missing or cannot be opened"""
    ABSENT = "absent"
    """no printer is configured on this device"""


class PrinterHealth(Part):
    state: PrinterState
    jobs_pending: Annotated[int, Field(ge=0)] = 0
    jobs_held: Annotated[int, Field(ge=0)] = Field(
        default=0, description="pending jobs that wait for the printer to recover (paper, cover, offline)"
    )


class CameraState(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"
    FAILED = "failed"
    ABSENT = "absent"


class CameraHealth(Part):
    state: CameraState
    fps: Annotated[float, Field(ge=0)] = 0.0
    # added within v1: a reader thread stuck in a camera read keeps ``running`` and its last fps figure;
    # only the age of the last frame shows that nothing comes any more
    last_frame_age_s: Annotated[float, Field(ge=0)] | None = Field(
        default=None, description="seconds since the last frame was read; null when none has been read yet"
    )


Percent = Annotated[float, Field(ge=0, le=100)]


class DeviceHealth(Message):
    """Retained on ``device/{id}/health``: a snapshot every N seconds and on change."""

    ts: Timestamp = Field(default_factory=utc_now)
    version: ShortText = ""
    cpu_percent: Percent
    memory_percent: Percent
    disk_percent: Percent | None = None
    temperature_c: float | None = Field(default=None, description="SoC or CPU temperature, degrees Celsius")
    throttled: bool | None = Field(default=None, description="Raspberry Pi: under-voltage or thermal throttling now")
    app_rss_mb: Annotated[float, Field(ge=0)] = Field(description="resident memory of the app process, MiB")
    uptime_s: Annotated[float, Field(ge=0)] = Field(description="seconds since the app started")
    system_uptime_s: Annotated[float, Field(ge=0)] | None = None
    broker_rtt_ms: Annotated[float, Field(ge=0)] | None = None
    broker: ShortText | None = Field(default=None, description="host:port of the broker the device is on")
    printer: PrinterHealth | None = None
    camera: CameraHealth | None = None
    bus_risks: Annotated[list[BusRisk], Field(max_length=4)] = Field(
        default_factory=list, description="why this device's broker connection is unsafe (anonymous, plaintext)"
    )
    disk_low: bool | None = Field(
        default=None,
        description="the state directory's disk is low on free space (the device trims logs and old events);"
        " null before the first look or where the device does not watch it",
    )
    # added within v1 (docs/faults.md): low is a warning, full means writes fail now
    disk_full: bool | None = Field(
        default=None,
        description="the state directory's disk takes no more writes: events wait in memory until there is room,"
        " new print jobs are refused; null before the first look or where the device does not watch it",
    )


class CallPhase(StrEnum):
    IDLE = "idle"
    WAITING = "waiting"
    RINGING = "ringing"
    IN_CALL = "in_call"


class DeviceQueue(Message):
    """Retained on ``device/{id}/queue``: the device's own call state and pending print jobs."""

    ts: Timestamp = Field(default_factory=utc_now)
    call: CallPhase = CallPhase.IDLE
    call_id: CallId | None = None
    position: Annotated[int, Field(ge=1)] | None = None
    eta_s: Annotated[float, Field(ge=0)] | None = None
    print_jobs_pending: Annotated[int, Field(ge=0)] = 0


class DeviceEvent(Message):
    """On ``device/{id}/event``: sent from the outbox; ``seq`` is per device and survives restarts."""

    seq: Annotated[int, Field(ge=0)]
    ts: Timestamp = Field(default_factory=utc_now)
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{0,63}$")]
    data: dict[str, Any] = Field(default_factory=dict)


CommandName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class Command(Message):
    """On ``device/{id}/cmd``: e.g. ``print_test``, ``reload_flights``, ``screen``, ``restart_app``."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    name: CommandName
    args: dict[str, Any] = Field(default_factory=dict)


class CommandReply(Message):
    """On ``device/{id}/cmd/reply``: one for every command, also for unknown or refused ones."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    ok: bool
    detail: LongText = ""


KNOWN_COMMANDS: tuple[
    Literal["print_test", "reload_flights", "screen", "restart_app", "show_notice", "collect_logs", "screenshot"], ...
] = (
    "print_test",
    "reload_flights",
    "screen",
    "restart_app",
    "show_notice",
    "collect_logs",
    "screenshot",
)
