"""Files devices send for a command (a screenshot, their log lines): the one-time tokens that let them in,
and where the latest few are kept per device, in central's state dir.

A token is random, good for one upload only, for one device, one command and one kind of file, and only
until the command times out; what is not taken expires. Pure apart from the files: the clock is passed in.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
UPLOADS_DIR = "fleet-uploads"
MAX_OPEN_TOKENS = 10_000
_STORED = re.compile(r"^(\d{13})-([A-Za-z0-9_-]{1,64})\.(png|log)$")


class UploadKind(StrEnum):
    SCREENSHOT = "screenshot"
    LOGS = "logs"

    @property
    def suffix(self) -> str:
        return "png" if self is UploadKind.SCREENSHOT else "log"


@dataclass(frozen=True)
class UploadGrant:
    """What one token lets in."""

    device: str
    command_id: str
    kind: UploadKind
    expires_at: float


class UploadRefused(Exception):
    """The upload is not taken; the message says why (for the device's reply and central's log)."""


class UploadTokens:
    """Tokens handed out with commands, each taken at most once."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._open: dict[str, UploadGrant] = {}

    def issue(self, device: str, command_id: str, kind: UploadKind, valid_s: float) -> str:
        self._expire()
        if len(self._open) >= MAX_OPEN_TOKENS:  # never more than the commands in flight, bar a flood
            self._open.pop(next(iter(self._open)))
        token = secrets.token_urlsafe(32)
        self._open[token] = UploadGrant(device, command_id, kind, self._clock() + valid_s)
        return token

    def take(self, token: str) -> UploadGrant:
        """The grant of ``token``, which is used up by this; UploadRefused if unknown, used or expired."""
        grant = self._open.pop(token, None)
        if grant is None:
            raise UploadRefused("unknown or already used upload token")
        if self._clock() >= grant.expires_at:
            raise UploadRefused("upload token expired")
        return grant

    def __len__(self) -> int:
        return len(self._open)

    def _expire(self) -> None:
        now = self._clock()
        for token in [token for token, grant in self._open.items() if now >= grant.expires_at]:
            del self._open[token]


def check_content(kind: UploadKind, body: bytes) -> None:
    """A screenshot must be a PNG, log lines UTF-8 text; UploadRefused otherwise."""
    if kind is UploadKind.SCREENSHOT:
        if not body.startswith(PNG_SIGNATURE):
            raise UploadRefused("a screenshot must be a PNG")
        return
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadRefused("log lines must be UTF-8 text") from None


class UploadStore:
    """The latest ``keep`` files of each kind per device, under ``state_dir/fleet-uploads/<device>/<kind>/``."""

    def __init__(self, state_dir: Path, keep: int, clock: Callable[[], float] = time.time) -> None:
        self._root = state_dir / UPLOADS_DIR
        self._keep = keep
        self._clock = clock

    def save(self, grant: UploadGrant, body: bytes) -> Path:
        folder = self._folder(grant.device, grant.kind)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # screens can show passengers
        path = folder / f"{int(self._clock() * 1000):013d}-{grant.command_id}.{grant.kind.suffix}"
        partial = path.with_suffix(".part")
        partial.write_bytes(body)
        partial.replace(path)
        for old in self._stored(grant.device, grant.kind)[self._keep :]:
            old.unlink(missing_ok=True)
        return path

    def latest(self, device: str, kind: UploadKind) -> Path | None:
        stored = self._stored(device, kind)
        return stored[0] if stored else None

    def _folder(self, device: str, kind: UploadKind) -> Path:
        return self._root / device / kind.value

    def _stored(self, device: str, kind: UploadKind) -> list[Path]:
        folder = self._folder(device, kind)
        if not folder.is_dir():
            return []
        return sorted((path for path in folder.iterdir() if _STORED.match(path.name)), reverse=True)
