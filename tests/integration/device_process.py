"""Kept for tests/e2e/test_agent_console_browser.py, which starts ``python -m tests.integration.device_process``;
the device process lives in tests/peers/device_process.py."""

from __future__ import annotations

import asyncio
import sys

from tests.peers.device_process import main

if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
