"""The demo's child programs: started with their settings in the environment, watched, stopped with SIGTERM.

Each child runs under :mod:`demo.child`, so it dies with the demo however the demo dies. Its standard
output and error are echoed with its name in front, and its last lines are kept: when it exits early or
does not start in time, the demo names it, says how it ended and shows those lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Mapping, Sequence

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 10.0
LAST_LINES = 25
LINE_LIMIT = 1 << 20  # a traceback with a huge repr must not stop the reader


def how_it_ended(returncode: int) -> str:
    """``exited with status 2`` or ``was killed by SIGABRT``, in the words a user reads."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with status {returncode}"


class ProgramTrouble(Exception):
    """A child did not come up: ``lines()`` is what the demo says about it."""

    def __init__(self, name: str, summary: str, last_lines: Sequence[str]) -> None:
        super().__init__(f"{name} {summary}")
        self.name = name
        self.summary = summary
        self.last_lines = list(last_lines)

    def lines(self) -> list[str]:
        said = [f"{self.name} {self.summary}."]
        if self.last_lines:
            said.append(f"its last output ({len(self.last_lines)} lines):")
            said += [f"  | {line}" for line in self.last_lines]
        else:
            said.append("it printed nothing.")
        return said


class Program:
    """One child program (``central``, ``kiosk``…) run as ``python -m NAME`` (or ``module``) with ``args``
    and extra environment."""

    def __init__(
        self,
        name: str,
        env: Mapping[str, str],
        echo: Callable[[str], None],
        module: str | None = None,
        args: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.module = module or name
        self.args = list(args)
        self.env = dict(env)
        self._echo = echo
        self.process: asyncio.subprocess.Process | None = None
        self.last_lines: deque[str] = deque(maxlen=LAST_LINES)
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._pump: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    async def start(self) -> None:
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "demo.child", str(os.getpid()), self.module, *self.args,
            env=env, limit=LINE_LIMIT,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        self._pump = asyncio.create_task(self._read_output(), name=f"{self.name}-output")

    async def wait_for_line(self, text: str, timeout_s: float) -> str:
        """The first line of the program's output that contains ``text``; :class:`ProgramTrouble` if the
        program ends first or prints no such line within ``timeout_s``."""
        try:
            async with asyncio.timeout(timeout_s):
                while True:
                    line = await self._lines.get()
                    if line is None:
                        raise ProgramTrouble(self.name, await self._ended_early(), self.last_lines)
                    if text in line:
                        return line
        except TimeoutError:
            raise self.slow(timeout_s) from None

    def slow(self, timeout_s: float) -> ProgramTrouble:
        return ProgramTrouble(self.name, f"did not start within {timeout_s:g} s", self.last_lines)

    async def wait_exited(self) -> ProgramTrouble:
        """Returns (as the trouble to report) when the program ends by itself; never while it runs."""
        assert self.process is not None
        await self.process.wait()
        if self._pump is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._pump), 2.0)  # its last words
        return ProgramTrouble(self.name, await self._ended_early(), self.last_lines)

    async def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                log.warning("%s did not stop within %.0f s; killing it", self.name, STOP_TIMEOUT_S)
                self.process.kill()
                await self.process.wait()
        if self._pump is not None:
            # its output up to the end; on a timeout (a grandchild holds the pipe) wait_for cancels the reader
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._pump, 5.0)
        return self.process.returncode

    async def _ended_early(self) -> str:
        assert self.process is not None
        return how_it_ended(await self.process.wait())

    async def _read_output(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        try:
            async for raw in self.process.stdout:
                line = raw.decode(errors="replace").rstrip()
                self.last_lines.append(line)
                self._echo(f"[{self.name}] {line}")
                self._lines.put_nowait(line)
        finally:
            self._lines.put_nowait(None)
