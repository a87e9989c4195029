"""The switchboard's adapters (docs/calls.md): devices as callers over the bus, the queue published on the bus,
and the timer that drives ring timeouts and wrap-up ends. They turn I/O into switchboard calls and the
switchboard's output into I/O; the switchboard itself does none."""

from central.calls.coalesce import Coalescer
from central.calls.devices import DeviceCallers, DeviceChannel
from central.calls.publisher import QueuePublisher
from central.calls.timer import SwitchboardTimer

__all__ = ["Coalescer", "DeviceCallers", "DeviceChannel", "QueuePublisher", "SwitchboardTimer"]
