"""Wi-Fi voucher codes: from a pool file (one code a line, each handed out once) or generated."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

# no 0/O, 1/I/L: the passenger may type the code by hand
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 10


class NoWifiCodes(Exception):
    """The pool file is used up or unreadable; the screen should send the passenger to a desk."""


class WifiCodes:
    """Hands out codes; which pool codes are used is kept in ``state_db`` so a restart never repeats one."""

    def __init__(self, pool_file: Path | None, state_db: Path) -> None:
        self._pool_file = pool_file
        self._db = sqlite3.connect(state_db, isolation_level=None)
        self._db.execute("CREATE TABLE IF NOT EXISTS used_wifi_codes (code TEXT PRIMARY KEY)")

    def next_code(self) -> str:
        if self._pool_file is None:
            return "".join(secrets.choice(CODE_ALPHABET) for _ in range(GENERATED_LENGTH))
        try:
            lines = self._pool_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise NoWifiCodes(f"cannot read the Wi-Fi code pool {self._pool_file}: {exc}") from exc
        for line in lines:
            code = line.strip()
            if not code or code.startswith("#"):
                continue
            inserted = self._db.execute("INSERT OR IGNORE INTO used_wifi_codes VALUES (?)", (code,)).rowcount
            if inserted:
                return code
        raise NoWifiCodes(f"every code in {self._pool_file} has been handed out")

    def close(self) -> None:
        self._db.close()
