"""The facilities console's fleet API as a test drives it: send a command to a device, wait for its
outcome on the device page's API, fetch its latest screenshot or log lines."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from tests.peers.wait import wait_until

ANSWERED = ("done", "refused", "timed_out", "not_sent")


@dataclass
class FleetConsole:
    base_url: str
    cookie: str

    def send(self, device: str, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        """The command as central sent it (its view, state ``sent``)."""
        body = json.dumps({"name": name, "args": args or {}}).encode()
        status, answer = self.post(f"/api/fleet/devices/{device}/commands", body, "application/json")
        assert status == 202, (status, answer)
        return json.loads(answer)

    def outcome(self, device: str, command_id: str, timeout_s: float = 30.0) -> dict[str, Any]:
        """The command once it was answered or timed out."""

        def answered() -> dict[str, Any] | None:
            for command in self.device(device)["commands"]:
                if command["id"] == command_id and command["state"] in ANSWERED:
                    return command  # type: ignore[no-any-return]
            return None

        return wait_until(answered, f"the outcome of {command_id}", timeout_s=timeout_s, interval_s=0.2)

    def run(
        self, device: str, name: str, args: dict[str, Any] | None = None, timeout_s: float = 30.0
    ) -> dict[str, Any]:
        return self.outcome(device, self.send(device, name, args)["id"], timeout_s)

    def device(self, device: str) -> dict[str, Any]:
        return json.loads(self.get(f"/api/fleet/devices/{device}"))  # type: ignore[no-any-return]

    def get(self, path: str) -> bytes:
        request = urllib.request.Request(f"{self.base_url}{path}", headers={"Cookie": self.cookie})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()  # type: ignore[no-any-return]

    def post(self, path: str, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=body,
            method="POST",
            headers={"Cookie": self.cookie, "Content-Type": content_type, **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
