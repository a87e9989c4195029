"""``central`` as a process with an AIDX feed and no simulator, and a plain HTTP client for its feed."""

from __future__ import annotations

import contextlib
import http.client
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.peers.net import free_port
from tests.peers.programs import RunningProgram
from tests.peers.staff import add_staff

AIDX_TOKEN = "aidx-test-token-7f3a"
READY = "central: facilities page at "


@dataclass
class FlightsCentral:
    program: RunningProgram
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post_aidx(
        self, body: bytes, token: str | None = AIDX_TOKEN, declared_length: int | None = None
    ) -> tuple[int, str]:
        """POST a document; ``declared_length`` sends that Content-Length and only ``body`` of it."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.putrequest("POST", "/api/feeds/aidx")
            conn.putheader("Content-Type", "application/xml")
            conn.putheader("Content-Length", str(declared_length if declared_length is not None else len(body)))
            if token is not None:
                conn.putheader("Authorization", f"Bearer {token}")
            conn.endheaders()
            # the server may answer early and stop reading: its answer is still there to read
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                conn.send(body)
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()

    def get_json(self, path: str) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            return response.status, json.loads(body) if response.status == 200 else body.decode()
        finally:
            conn.close()


@contextmanager
def central_with_aidx(broker_url: str, workdir: Path, extra: str = "") -> Iterator[FlightsCentral]:
    """Runs ``central`` with ``[feeds] aidx_token`` set and the simulator off; stopped and reaped after."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "central.toml"
    config.write_text(
        f"""
[app]
state_dir = "{workdir / "state"}"

[bus]
url = "{broker_url}"
site = "HAK"
reconnect_max_s = 2

[http]
host = "127.0.0.1"
port = {port}

[feeds]
simulator = false
aidx_token = "{AIDX_TOKEN}"
{extra}
""",
        encoding="utf-8",
    )
    add_staff(workdir / "state")  # for the facilities page
    program = RunningProgram("central", {}, ["--config", str(config)])
    try:
        program.wait_for_line(READY)
        yield FlightsCentral(program, port)
    finally:
        program.stop()
