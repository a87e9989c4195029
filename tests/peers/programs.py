"""The project's programs (``kiosk``, ``central``…) as real processes, stopped and reaped after the test."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class RunningProgram:
    """A child process whose standard output is read line by line in a thread."""

    def __init__(
        self, name: str, env: Mapping[str, str], args: list[str] | None = None, clear_env_prefix: str | None = None
    ) -> None:
        self.name = name
        inherited = {k: v for k, v in os.environ.items() if not clear_env_prefix or not k.startswith(clear_env_prefix)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", name, *(args or [])],
            cwd=ROOT,
            env={**inherited, "PYTHONUNBUFFERED": "1", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.stdout, True), daemon=True),
            threading.Thread(target=self._read, args=(self.process.stderr, self.stderr, False), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream, sink: list[str], announce: bool) -> None:
        for line in stream:
            sink.append(line.rstrip("\n"))
            if announce:
                self._lines.put(line.rstrip("\n"))
        if announce:
            self._lines.put(None)

    def wait_for_line(self, text: str, timeout_s: float = 30.0) -> str:
        """The first standard-output line containing ``text``; fails if the program exits first."""
        for line in self.stdout:
            if text in line:
                return line
        while True:
            try:
                line = self._lines.get(timeout=timeout_s)
            except queue.Empty:
                raise TimeoutError(f"{self.name} printed no {text!r} in {timeout_s}s; stderr:\n{self.log}") from None
            if line is None:
                raise RuntimeError(f"{self.name} exited ({self.process.wait()}) before {text!r}:\n{self.log}")
            if text in line:
                return line

    @property
    def log(self) -> str:
        return "\n".join(self.stderr[-60:])

    @property
    def all_stderr(self) -> str:
        return "\n".join(self.stderr)

    def stop(self, timeout_s: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout_s)
        for reader in self._readers:
            reader.join(timeout_s)
        return self.process.returncode


@contextmanager
def running(
    name: str, env: Mapping[str, str], args: list[str] | None = None, clear_env_prefix: str | None = None
) -> Iterator[RunningProgram]:
    """``python -m name args`` with the test's environment plus ``env`` (without the caller's variables that
    start with ``clear_env_prefix``, so a config file under test is not overridden); stopped and reaped after."""
    program = RunningProgram(name, env, args, clear_env_prefix)
    try:
        yield program
    finally:
        program.stop()
