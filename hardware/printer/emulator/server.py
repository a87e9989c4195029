"""The emulator's line and control: a pseudo-terminal paced at the baud rate, and a Unix socket for faults.

The pty's slave side is what a driver opens, like ``/dev/ttyUSB0``; ``--link`` keeps a stable symlink to
it, re-pointed when the port is "unplugged and plugged back" (as udev does for a stable name).

Control protocol: one JSON object a line, one JSON answer a line. ``{"fault": NAME, ...}`` with NAME one
of ``paper_near_end``, ``paper_out``, ``paper_out_after`` (``lines``), ``cover_open``, ``silent``,
``garbage`` (each with ``"on": true|false`` where it is a switch), ``replug`` (``down_s``), ``refill``,
``clear``; ``{"ask": "state"}`` answers the counters, ``{"ask": "reset_counters"}`` zeroes them first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
import tty
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from config.background import stop_task
from hardware.printer.emulator import render
from hardware.printer.emulator.parser import parse
from hardware.printer.emulator.printer import Mechanism
from hardware.printer.emulator.receipt import Receipt

log = logging.getLogger(__name__)

CONTINUOUS_S = 0.02
READ_CHUNK = 64
"""Bytes taken from the line at a time: small enough that pacing is smooth, status replies prompt."""


class PrinterEmulator:
    def __init__(self, paper_mm: int, baud: int, out_dir: Path, link: Path | None = None) -> None:
        self.baud = baud
        self.out_dir = out_dir
        self.link = link
        self.mechanism = Mechanism(paper_mm, self._on_receipt)
        self.receipts = 0
        self.bytes_received = 0
        self.first_byte_at: float | None = None
        self.last_receipt_at: float | None = None
        self.slave_path = ""
        self._master = -1
        self._slave = -1
        self._buffer = b""
        self._wire_free_at = 0.0
        self._readable = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        self._replug: asyncio.Task[None] | None = None
        self._renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="receipt-render")

    # the line ----------------------------------------------------------------------------------------

    def open_line(self) -> str:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # bytes pass as they are: no echo, no CR/LF translation
        self.slave_path = os.ttyname(self._slave)
        os.set_blocking(self._master, False)
        asyncio.get_running_loop().add_reader(self._master, self._readable.set)
        if self.link is not None:
            temporary = self.link.with_name(self.link.name + ".new")
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            temporary.symlink_to(self.slave_path)
            temporary.replace(self.link)
        self._pump = asyncio.create_task(self._pump_bytes(), name="emulator-line")
        log.info("line open on %s", self.slave_path)
        return self.slave_path

    async def close_line(self) -> None:
        await stop_task(self._pump)
        self._pump = None
        if self._master >= 0:
            asyncio.get_running_loop().remove_reader(self._master)
            os.close(self._master)
            os.close(self._slave)
            self._master = self._slave = -1
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
        self._buffer = b""
        log.info("line closed")

    async def _pump_bytes(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._readable.wait()
            self._readable.clear()
            while True:
                try:
                    chunk = os.read(self._master, READ_CHUNK)
                except BlockingIOError:
                    break
                except OSError:
                    chunk = b""  # EIO: nobody has the port open; wait for the next writer
                if not chunk:
                    break
                if self.first_byte_at is None:
                    self.first_byte_at = time.monotonic()
                self.bytes_received += len(chunk)
                # the wire carries 10 bits a byte (start, 8 data, stop): a chunk is here only that late.
                # Bytes that follow on without a pause continue from the last deadline, so the time spent
                # parsing and sleeping late does not add up over a long slip.
                now = loop.time()
                start = self._wire_free_at if now - self._wire_free_at < CONTINUOUS_S else now
                self._wire_free_at = start + len(chunk) * 10 / self.baud
                await asyncio.sleep(max(0.0, self._wire_free_at - loop.time()))
                self._take(chunk)

    def _take(self, chunk: bytes) -> None:
        commands, self._buffer = parse(self._buffer + chunk, self.mechanism.chinese_mode)
        replies = b""
        for command in commands:
            replies += self.mechanism.run(command)
        if replies and self._master >= 0:
            with contextlib.suppress(OSError):
                os.write(self._master, replies)

    def _on_receipt(self, receipt: Receipt) -> None:
        # drawing a PNG takes longer than cutting paper: it happens beside the line, in order
        self.receipts += 1
        self.last_receipt_at = time.monotonic()
        self._renderer.submit(self._save, receipt, self.receipts)

    def _save(self, receipt: Receipt, index: int) -> None:
        try:
            path = render.save(receipt, self.out_dir, index)
        except Exception:
            log.exception("could not save receipt %d", index)
            return
        state = "complete" if receipt.complete else "INCOMPLETE"
        log.info("receipt %d %s: %s", index, state, path)

    def finish_receipts(self) -> None:
        """Wait until every receipt so far is on disk."""
        self._renderer.shutdown(wait=True)

    # faults ------------------------------------------------------------------------------------------

    async def control(self, request: dict[str, Any]) -> dict[str, Any]:
        condition = self.mechanism.condition
        fault = request.get("fault")
        on = bool(request.get("on", True))
        if fault == "paper_near_end":
            condition.paper_near_end = on
        elif fault == "paper_out":
            condition.paper_out = on
            if on:
                self.mechanism.tear_off()
        elif fault == "paper_out_after":
            condition.paper_lines_left = int(request["lines"])
        elif fault == "cover_open":
            condition.cover_open = on
            if on:
                self.mechanism.tear_off()
        elif fault == "silent":
            condition.silent = on
        elif fault == "garbage":
            condition.garbage = on
        elif fault == "refill":
            self.mechanism.refill()
        elif fault == "clear":
            self.mechanism.refill()
            condition.cover_open = condition.silent = condition.garbage = False
        elif fault == "replug":
            await self.close_line()
            self._replug = asyncio.create_task(self._plug_back(float(request.get("down_s", 0.5))))
        elif fault is not None:
            return {"ok": False, "error": f"unknown fault {fault!r}"}
        if request.get("ask") == "reset_counters":
            self.first_byte_at = None
            self.bytes_received = 0
        return {"ok": True, **self.counters()}

    async def _plug_back(self, down_s: float) -> None:
        await asyncio.sleep(down_s)
        self.open_line()
        print(f"printer emulator: port {self.slave_path}", flush=True)

    def counters(self) -> dict[str, Any]:
        return {
            "port": self.slave_path,
            "receipts": self.receipts,
            "bytes": self.bytes_received,
            "first_byte_at": self.first_byte_at,
            "last_receipt_at": self.last_receipt_at,
            "condition": vars(self.mechanism.condition),
        }

    async def serve_control(self, socket_path: Path) -> asyncio.Server:
        async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while line := await reader.readline():
                    try:
                        request = json.loads(line)
                        if not isinstance(request, dict):
                            raise ValueError("a request is a JSON object")
                        answer = await self.control(request)
                    except (ValueError, KeyError, TypeError) as exc:
                        answer = {"ok": False, "error": str(exc)}
                    writer.write(json.dumps(answer).encode() + b"\n")
                    await writer.drain()
            writer.close()

        socket_path.unlink(missing_ok=True)  # noqa: ASYNC240 - a stale socket from a killed run; instant
        return await asyncio.start_unix_server(client, path=str(socket_path))
