"""A fleet of simulated devices: who they are and where they stand, started and stopped together, with the
figures of what they did and of the CPU the whole process spent doing it."""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from bus.messages.device import DeviceKind
from bus.topics import Topics
from demo.fleet.device import BrokerAddress, FleetCounters, Pace, SimulatedDevice, SimulatedIdentity
from demo.fleet.driver import PahoDriver

TERMINALS = ("t1", "t2")
AREAS = (
    "Departures, Hall A",
    "Departures, Hall B",
    "Check-in, Row C",
    "Security, East",
    "Arrivals, Baggage Claim",
    "Gate Lounge {gate}",
    "Transfer Desk",
)
STOP_TIMEOUT_S = 5.0


class SeqFileError(ValueError):
    """The file of event numbers cannot be used; it is left as it is."""


@dataclass(frozen=True)
class FleetPlan:
    """How many devices, which kinds, and how their ids begin."""

    devices: int
    signage_share: float = 0.4
    prefix: str = "sim"
    seed: int = 1

    def identities(self) -> list[SimulatedIdentity]:
        """Kiosks and displays spread over the terminals and their areas, ids like ``sim-kiosk-t1-0007``."""
        rng = random.Random(self.seed)  # noqa: S311 (a simulation, not a secret: the same seed, the same fleet)
        made = []
        for n in range(1, self.devices + 1):
            # a display whenever the running count of displays owed steps up: exactly the share, spread evenly
            owed = int(n * self.signage_share) - int((n - 1) * self.signage_share)
            kind = DeviceKind.SIGNAGE if owed else DeviceKind.KIOSK
            terminal = rng.choice(TERMINALS)
            area = rng.choice(AREAS).format(gate=rng.randint(1, 40))
            made.append(
                SimulatedIdentity(
                    device_id=f"{self.prefix}-{kind.value}-{terminal}-{n:04d}",
                    kind=kind,
                    location=f"{terminal.upper()} {area}",
                )
            )
        return made


def load_seqs(path: Path | None) -> dict[str, int]:
    """The next event number of each device from an earlier run (so central does not take the new events
    for repeats); empty when there is no file yet."""
    if path is None or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SeqFileError(f"{path}: not a file of event numbers ({exc}); move it away to start from 0") from None
    if not isinstance(data, dict) or not all(
        isinstance(key, str) and type(value) is int and value >= 0 for key, value in data.items()
    ):
        raise SeqFileError(f"{path}: expected an object of device ids to numbers ≥ 0; move it away to start from 0")
    return data


def save_seqs(path: Path, seqs: dict[str, int]) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(seqs, sort_keys=True), encoding="utf-8")
    partial.replace(path)  # a crash while writing leaves the old file whole


class Fleet:
    """N simulated devices on one broker, all on this process's one asyncio loop."""

    def __init__(
        self,
        plan: FleetPlan,
        broker: BrokerAddress,
        topics: Topics,
        pace: Pace,
        seq_file: Path | None = None,
    ) -> None:
        self.plan = plan
        self._broker = broker
        self._topics = topics
        self._pace = pace
        self._seq_file = seq_file
        self._seqs = load_seqs(seq_file)
        self.counters = FleetCounters()
        self.devices: list[SimulatedDevice] = []
        self._driver: PahoDriver | None = None
        self._cpu_at_start = 0.0
        self._wall_at_start = 0.0

    def start(self, ramp_s: float = 0.0) -> None:
        """Create every device and let them connect, spread evenly over ``ramp_s`` seconds."""
        self._driver = PahoDriver(asyncio.get_running_loop())
        self._cpu_at_start, self._wall_at_start = time.process_time(), time.monotonic()
        identities = self.plan.identities()
        rng = random.Random(self.plan.seed)  # noqa: S311 (a simulation, not a secret)
        for n, identity in enumerate(identities):
            device = SimulatedDevice(
                identity,
                self._broker,
                self._topics,
                self._pace,
                self._driver,
                self.counters,
                random.Random(rng.getrandbits(64)),  # noqa: S311
                first_seq=self._seqs.get(identity.device_id, 0),
            )
            self.devices.append(device)
            device.start(after_s=ramp_s * n / max(1, len(identities)))

    async def stop(self) -> None:
        """Every device says ``shutdown`` and disconnects; the event numbers are kept for the next run."""
        await asyncio.gather(*(device.stop(STOP_TIMEOUT_S) for device in self.devices))
        if self._driver is not None:
            self._driver.close()
        if self._seq_file is not None:
            save_seqs(self._seq_file, {**self._seqs, **{d.identity.device_id: d.next_seq for d in self.devices}})

    async def wait_online(self, count: int, timeout_s: float) -> bool:
        """True once ``count`` devices are online together, False if that takes longer than ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while self.counters.online < count:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.1)
        return True

    def cpu_share(self) -> tuple[float, float]:
        """(CPU seconds this process spent since the start, as a share of one core over the wall time)."""
        cpu = time.process_time() - self._cpu_at_start
        wall = max(1e-9, time.monotonic() - self._wall_at_start)
        return cpu, cpu / wall
