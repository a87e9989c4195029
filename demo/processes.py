"""The demo's child programs: started with their settings in the environment, stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 10.0


@dataclass
class Program:
    """One child program (``central``, ``kiosk``…) run as ``python -m NAME`` with extra environment."""

    name: str
    env: Mapping[str, str]
    process: asyncio.subprocess.Process | None = None
    lines: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    _pump: asyncio.Task[None] | None = None

    async def start(self) -> None:
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", self.name, env=env, stdout=asyncio.subprocess.PIPE
        )
        self._pump = asyncio.create_task(self._read_stdout(), name=f"{self.name}-stdout")

    async def wait_for_line(self, text: str, timeout_s: float) -> str:
        """The first line of the program's standard output that contains ``text``."""
        async with asyncio.timeout(timeout_s):
            while True:
                line = await self.lines.get()
                if text in line:
                    return line

    async def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                log.warning("%s did not stop within %.0f s; killing it", self.name, STOP_TIMEOUT_S)
                self.process.kill()
                await self.process.wait()
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        return self.process.returncode

    async def _read_stdout(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for raw in self.process.stdout:
            line = raw.decode(errors="replace").rstrip()
            print(f"[{self.name}] {line}", flush=True)
            self.lines.put_nowait(line)
