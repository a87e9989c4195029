"""The printer emulator as a real process on a real pty, its fault control, and a recording port."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.peers.programs import RunningProgram
from tests.peers.wait import wait_until


class PrinterEmulator:
    """``python -m hardware.printer.emulator`` with a stable link; ``fault()`` talks to its control socket."""

    def __init__(self, folder: Path, paper_mm: int = 58, baud: int = 115200, link: Path | None = None) -> None:
        """``link``: the port's stable name (default ``folder/printer``); another printer's, to replace it."""
        self.folder = folder
        self.out = folder / "receipts"
        self.link = link or folder / "printer"
        self.control_path = folder / "control.sock"
        self.paper_mm = paper_mm
        self.baud = baud
        self.program = RunningProgram(
            "hardware.printer.emulator",
            {},
            [
                "--out", str(self.out),
                "--paper", str(paper_mm),
                "--baud", str(baud),
                "--link", str(self.link),
                "--control", str(self.control_path),
            ],
        )  # fmt: skip
        self.program.wait_for_line("printer emulator: control")

    def fault(self, fault: str, **details: Any) -> dict[str, Any]:
        return self.ask({"fault": fault, **details})

    def state(self) -> dict[str, Any]:
        return self.ask({"ask": "state"})

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(10)
            client.connect(str(self.control_path))
            client.sendall(json.dumps(request).encode() + b"\n")
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = client.recv(65536)
                if not chunk:
                    break
                answer += chunk
        return json.loads(answer)

    def receipts(self) -> list[dict[str, Any]]:
        """Every receipt so far, in order, as the emulator described it (text, QR payloads, …)."""
        return [json.loads(path.read_text("utf-8")) for path in sorted(self.out.glob("receipt-*.json"))]

    def wait_for_receipts(self, count: int, timeout_s: float = 30.0) -> list[dict[str, Any]]:
        def enough() -> list[dict[str, Any]] | None:
            found = self.receipts()
            return found if len(found) >= count else None

        return wait_until(enough, f"{count} receipts in {self.out}", timeout_s)

    def stop(self) -> int:
        return self.program.stop()


@contextmanager
def printer_emulator(
    folder: Path, paper_mm: int = 58, baud: int = 115200, link: Path | None = None
) -> Iterator[PrinterEmulator]:
    folder.mkdir(parents=True, exist_ok=True)
    emulator = PrinterEmulator(folder, paper_mm, baud, link)
    try:
        yield emulator
    finally:
        emulator.stop()


class RecordingPort:
    """A ``PrinterPort`` that keeps every byte written and answers status from a script."""

    def __init__(self, replies: list[bytes] | None = None, default_reply: bytes = b"\x12\x12\x12\x12") -> None:
        self.written = bytearray()
        self.replies = list(replies or [])
        self.default_reply = default_reply
        self.is_open = False
        self.opened = 0

    def open(self) -> None:
        self.is_open = True
        self.opened += 1

    def close(self) -> None:
        self.is_open = False

    def write(self, data: bytes) -> None:
        self.written += data

    def ask(self, query: bytes, reply_length: int, timeout_s: float, until: bytes = b"") -> bytes:
        self.written += query
        if until:
            return b"_REC 1.0\x00"
        return self.replies.pop(0) if self.replies else self.default_reply
