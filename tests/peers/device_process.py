"""A device presence in a process of its own, so a test can kill it (SIGKILL) like a pulled plug.

``python -m tests.peers.device_process BROKER_URL DEVICE_ID STATE_DIR`` prints ``connected`` once online.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bus.messages import DeviceKind
from config.sections import AppSection, DeviceBusSection
from device.presence import connect_device


async def main(url: str, device_id: str, state_dir: str) -> None:
    bus = DeviceBusSection(url=url, device_id=device_id, location="test bench")
    link, presence = connect_device(bus, AppSection(state_dir=Path(state_dir)), DeviceKind.KIOSK, "test", 1.0)
    connected = asyncio.Event()
    link.add_connected_listener(connected.set)
    await link.start()
    await presence.start()
    await connected.wait()
    print("connected", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
