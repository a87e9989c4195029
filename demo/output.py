"""What the demo prints, and what it does when nobody reads it any more.

``scripts/demo | head -3`` closes the demo's standard output after three lines. Python then raises
``BrokenPipeError`` on the next print; left alone, that error would end the demo half-way and leave its
programs running. Here the first broken write (or, for a pipe, the reader closing it while the demo is
quiet) sends the rest of the output to /dev/null and asks the demo to stop, like Ctrl-C.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import Callable
from typing import TextIO


class Output:
    """The demo's lines on standard output (``say``) and standard error (``warn``)."""

    def __init__(self) -> None:
        self.reader_gone = False
        self._on_reader_gone: Callable[[], None] | None = None
        self._watched_fd: int | None = None

    def watch(self, on_reader_gone: Callable[[], None]) -> None:
        """Call ``on_reader_gone`` once when standard output's reader goes away; from now on, on this loop."""
        self._on_reader_gone = on_reader_gone
        fd = sys.stdout.fileno()
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            # a pipe's writing end is never readable; epoll reports it (as an error) once the reader has closed
            asyncio.get_running_loop().add_reader(fd, self._reader_closed)
            self._watched_fd = fd

    def unwatch(self) -> None:
        if self._watched_fd is not None:
            asyncio.get_running_loop().remove_reader(self._watched_fd)
            self._watched_fd = None

    def say(self, text: str) -> None:
        self._write(sys.stdout, text)

    def warn(self, text: str) -> None:
        self._write(sys.stderr, text)

    def _write(self, stream: TextIO, text: str) -> None:
        if self.reader_gone and stream is sys.stdout:
            return
        try:
            print(text, file=stream, flush=True)
        except BrokenPipeError:
            if stream is sys.stdout:
                self._reader_closed()

    def _reader_closed(self) -> None:
        if self.reader_gone:
            return
        self.reader_gone = True
        self.unwatch()
        # the interpreter flushes stdout once more at exit: give it somewhere harmless to write
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        if self._on_reader_gone is not None:
            self._on_reader_gone()
