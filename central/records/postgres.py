"""How central opens a PostgreSQL database of its own: one way for every store kept there.

``[store] url = "postgresql://user:password@host:port/db"``. The connection is autocommit (each write its
own transaction, as on the SQLite side); each store's schema version is a row of ``schema_versions``
(SQLite keeps it in ``PRAGMA user_version``, one file per store); a database from a newer program is
refused with both versions named. A server that is not answering at start is tried again with growing
waits, then refused with its host and port named; the password never reaches a log or an error.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import psycopg

# psycopg is imported where a connection is made, not here: it is the optional 'postgres' extra, and every
# store imports this module whether or not its site uses PostgreSQL.

log = logging.getLogger(__name__)
T = TypeVar("T")

POSTGRES_SCHEMES = ("postgresql://", "postgres://")

# 0.5 + 1 + 2 + 4 + 8 s: a server that is still starting beside central (systemd starts both) is waited for
# about 15 s; one that is down is reported then, not after minutes of silence.
CONNECT_TRIES = 6
FIRST_WAIT_S = 0.5

_VERSIONS = "CREATE TABLE IF NOT EXISTS schema_versions (store TEXT PRIMARY KEY, version INTEGER NOT NULL)"
# Two centrals started at once against one database must not both create a schema: the first to take this
# lock (held until its migration commits) creates it, the other then finds it current.
_MIGRATION_LOCK = 7_460_313


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_SCHEMES)


def redact(url: str) -> str:
    """The URL without its password (``user:***@host``), for logs and errors."""
    url = re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)
    return re.sub(r"(password=)[^&\s]*", r"\1***", url)


def where(url: str) -> str:
    """``host:port`` of the server the URL names (a socket directory for a local one)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return redact(url)
    return f"{info.get('host') or 'localhost'}:{info.get('port') or 5432}"


def connect(
    url: str,
    error: type[Exception],
    *,
    tries: int = CONNECT_TRIES,
    first_wait_s: float = FIRST_WAIT_S,
    sleep: Callable[[float], None] = time.sleep,
) -> psycopg.Connection[Any]:
    """An autocommit connection to ``url``; ``error`` naming host and port when it cannot be had."""
    try:
        import psycopg
    except ImportError:
        raise error(
            f"store.url {redact(url)} names PostgreSQL, but its driver is not installed: "
            "pip install 'airport-terminal[postgres]'"
        ) from None
    _check(url, error)
    wait = first_wait_s
    for attempt in range(1, tries + 1):
        try:
            return psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as down:
            reason = _without_password(str(down).strip().splitlines()[0] if str(down).strip() else "", url)
            if not _worth_retrying(str(down)):
                raise error(f"PostgreSQL at {where(url)} refused {redact(url)}: {reason}") from None
            if attempt == tries:
                raise error(
                    f"PostgreSQL at {where(url)} is not answering after {tries} tries ({redact(url)}): {reason}"
                ) from None
            log.warning("PostgreSQL at %s is not answering (%s); trying again in %.1f s", where(url), reason, wait)
            sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")


class Reconnecting:
    """One autocommit connection to ``url`` that is made again when the server drops it (restarted, failed
    over, or the connection killed): central carries on without a restart of its own.

    :meth:`run` gives the work the connection. When the work finds the connection lost, a new one is made
    (one try: a server still down is the store's ``error``, and the next call tries again); the work is run
    again on it only if it began outside a transaction. A statement sent to a server that was gone never
    ran, and each store's single writes and transactions are whole; work inside a transaction begun by an
    earlier statement is not repeated (the first statements went with the old connection): it fails.
    """

    def __init__(self, url: str, error: type[Exception]) -> None:
        self._url = url
        self._error = error
        self.db = connect(url, error)

    def run(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        import psycopg
        from psycopg.pq import TransactionStatus

        db = self.db
        whole = db.info.transaction_status == TransactionStatus.IDLE
        try:
            return work(db)
        except psycopg.OperationalError:
            if not db.broken and not db.closed:
                raise
            log.warning("PostgreSQL at %s: the connection was lost; connecting again", where(self._url))
            self.db = connect(self._url, self._error, tries=1)
            if not whole:
                raise
        return work(self.db)

    def close(self) -> None:
        self.db.close()


def _worth_retrying(message: str) -> bool:
    """No answer at all, or a server starting, shutting down or out of connections, may be fine in a moment;
    a wrong password or a missing database (any other answer) will not be. libpq gives no SQLSTATE for a
    failed connection: the server's answer is the text after ``FATAL:`` (English unless its lc_messages
    says otherwise; then every answer is tried again, as before)."""
    if "FATAL:" not in message:
        return True
    return any(passing in message for passing in ("starting up", "shutting down", "too many", "recovery"))


def _check(url: str, error: type[Exception]) -> None:
    """A URL no server could answer is refused at once, not tried again for 15 s."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError as bad:
        raise error(f"store.url {redact(url)}: {_without_password(str(bad), url)}") from None
    port = str(info.get("port") or "5432")
    if not all(part.isdigit() for part in port.split(",")):
        raise error(f"store.url {redact(url)}: the port {port!r} is not a number")


def _without_password(text: str, url: str) -> str:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.ProgrammingError:
        return text
    return text.replace(str(password), "***") if password else text


def migrate(
    db: psycopg.Connection[Any],
    store: str,
    current: int,
    steps: Callable[[psycopg.Connection[Any], int], object],
    error: type[Exception],
) -> None:
    """Bring ``store``'s tables to version ``current``: ``steps(db, stored)`` runs in one transaction with
    the version's row (stored 0: nothing there yet); ``error`` when the database is newer than this program."""
    db.execute(_VERSIONS)
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        row = db.execute("SELECT version FROM schema_versions WHERE store = %s", (store,)).fetchone()
        version = int(row[0]) if row is not None else 0
        if version > current:
            raise error(f"{store} schema {version} is newer than this program's ({current})")
        if version == current:
            return
        steps(db, version)
        db.execute(
            "INSERT INTO schema_versions (store, version) VALUES (%s, %s) "
            "ON CONFLICT (store) DO UPDATE SET version = excluded.version",
            (store, current),
        )


def named_parameters(sql: str) -> str:
    """Portable SQL with ``:name`` parameters (SQLite's style) in psycopg's ``%(name)s`` style."""
    return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql.replace("%", "%%"))
