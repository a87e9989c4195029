"""A device whose disk counts as low (a low-water mark above any real disk's free space): the program keeps
running, its health says ``disk_low``, a ``disk.low`` event reaches the bus, and the rotated log in its state
directory is gone while its cached flight board is not."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from config.sections import BusSection
from tests.peers.inbox import Inbox
from tests.peers.programs import running

pytestmark = pytest.mark.slow  # a broker and a device program

EVERY_DISK_IS_LOW_MB = "999999999"  # MiB: no test machine has this much free
OK_MB = "1000000000"


@pytest.mark.parametrize(("program", "painted"), [("kiosk", "home screen painted"), ("signage", "showing its")])
async def test_a_device_on_a_low_disk_keeps_running_says_so_and_trims_only_staff_files(
    mosquitto, tmp_path: Path, program: str, painted: str
):
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    (state / f"{program}.log.1").write_bytes(b"an old log nobody but staff reads\n" * 1000)
    (state / "flights-dep.json").write_text('{"heard_at": 1, "board": "what the screen shows offline"}')
    prefix = program.upper() + "_"
    device_id = f"{program}-full"
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        f"{prefix}APP__STATE_DIR": str(state),
        f"{prefix}BUS__URL": mosquitto.url,
        f"{prefix}BUS__DEVICE_ID": device_id,
        f"{prefix}HEALTH__INTERVAL_S": "3600",  # the health that says so is sent because the disk turned low
        f"{prefix}HEALTH__DISK_LOW_FREE_MB": EVERY_DISK_IS_LOW_MB,
        f"{prefix}HEALTH__DISK_OK_FREE_MB": OK_MB,
    }
    env[f"{prefix}{'UI' if program == 'kiosk' else 'DISPLAY'}__FULLSCREEN"] = "false"
    async with Inbox(BusSection(url=mosquitto.url), f"airport/+/device/{device_id}/#") as inbox:
        with running(program, env, clear_env_prefix=prefix) as device:
            await asyncio.to_thread(device.wait_for_line, painted, 60)
            health = await inbox.wait_for(
                lambda topic, body: topic.endswith("/health") and isinstance(body, dict) and body.get("disk_low"), 30
            )
            event = await inbox.wait_for(
                lambda topic, body: topic.endswith("/event") and isinstance(body, dict) and body["name"] == "disk.low",
                30,
            )
            assert health["disk_low"] is True
            assert event["data"]["trimmed_files"] == 1 and event["data"]["low_mb"] == float(EVERY_DISK_IS_LOW_MB)
            assert not (state / f"{program}.log.1").exists()
            assert (state / "flights-dep.json").read_text().endswith('"what the screen shows offline"}')
            assert device.process.poll() is None  # still running
            assert device.stop() == 0
