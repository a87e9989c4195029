"""The program's recent log lines in memory, for ``collect_logs``: a bounded ring, secrets blotted out.

A device's log normally goes to the journal, which facilities staff cannot read from their desk; the ring
keeps the last lines so a command can fetch them. Lines are redacted as they are stored, so nothing read
later (by central, or by anyone it hands the file to) can hold a password or a token.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Iterable

from config.program import LOG_FORMAT

RING_LINES = 2000
"""Lines kept; at most 2,000 × ~200 bytes, a few hundred kB."""
MAX_LINE_CHARS = 2000
REDACTED = "[redacted]"
MIN_SECRET_CHARS = 4  # shorter "secrets" would blot out ordinary words

# key = value, key: value, "key": "value" for names that hold secrets; and HTTP bearer credentials
_SECRET_FIELD = re.compile(
    r"""(?ix)
    (\b(?:password|passwd|pwd|token|secret|authorization|cookie|api[_-]?key)\b["']?\s*[:=]\s*["']?)
    (?!\[redacted\])[^\s"',;&]+"""
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")


def redact(line: str, secrets: Iterable[str] = ()) -> str:
    """``line`` without the given secret values nor anything written as ``password=…``, ``token: …``."""
    for secret in secrets:
        if len(secret) >= MIN_SECRET_CHARS:
            line = line.replace(secret, REDACTED)
    line = _BEARER.sub(lambda match: match.group(1) + REDACTED, line)  # before "Authorization: Bearer" loses it
    return _SECRET_FIELD.sub(lambda match: match.group(1) + REDACTED, line)


class LogRing(logging.Handler):
    """Keeps the last ``capacity`` formatted, redacted log lines."""

    def __init__(self, capacity: int = RING_LINES, secrets: Iterable[str] = ()) -> None:
        super().__init__(logging.DEBUG)
        self._lines: deque[str] = deque(maxlen=capacity)
        self._secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
        self.setFormatter(logging.Formatter(LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a bad format string in someone's log call must not lose the ring
            text = f"{record.levelname} {record.name}: (unformattable message {record.msg!r})"
        for line in text.splitlines() or [""]:
            self._lines.append(redact(line[:MAX_LINE_CHARS], self._secrets))

    def add_secrets(self, secrets: Iterable[str]) -> None:
        known = set(self._secrets) | {secret for secret in secrets if secret}
        self._secrets = sorted(known, key=len, reverse=True)

    def tail(self, count: int) -> list[str]:
        """The last ``count`` lines, oldest first."""
        if count <= 0:
            return []
        lines = list(self._lines)
        return lines[-count:]

    def __len__(self) -> int:
        return len(self._lines)


def install_log_ring(secrets: Iterable[str] = (), capacity: int = RING_LINES) -> LogRing:
    """The ring on the root logger (it sees what the root logger's level lets through): one per process,
    so a program built again in the same process (tests) does not stack rings."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, LogRing):
            handler.add_secrets(secrets)
            return handler
    ring = LogRing(capacity, secrets)
    root.addHandler(ring)
    return ring
