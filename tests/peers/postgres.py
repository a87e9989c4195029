"""A real PostgreSQL 15 server in a temp dir: initdb, then ``postgres`` on a free loopback port, its unix
socket in the same dir. As root it runs as the ``postgres`` user (PostgreSQL refuses root), the dir chowned.
One server per test session; each test gets a fresh database of its own (:meth:`Postgres.fresh_database`)."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.peers.net import free_port


def bindir() -> Path | None:
    """Where initdb and postgres are: /usr/lib/postgresql/<newest>/bin, else ``pg_config --bindir``."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    return None


@dataclass
class Postgres:
    workdir: Path
    port: int = 0
    started: bool = False
    _bin: Path = Path()
    _data: Path = Path()
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _as_owner(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def start(self) -> Postgres:
        bin_ = bindir()
        if bin_ is None:
            raise FileNotFoundError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin, no pg_config)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres", "postgres")
        data = self.workdir / "data"
        subprocess.run(
            [*self._as_owner(), str(bin_ / "initdb"), "-D", str(data), "-U", "central", "--auth=trust",
             "--locale=C", "--encoding=UTF8", "--no-sync"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.port = self.port or free_port()
        self._bin, self._data = bin_, data
        # pg_ctl detaches the server from this process: its backends come and go with connections, and a
        # test must not count them as processes it left behind. Stopped by pg_ctl at the end of the session.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.workdir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            [*self._as_owner(), str(bin_ / "pg_ctl"), "-D", str(data), "-l", str(self.workdir / "postgres.log"),
             "-o", options, "-w", "-t", "30", "start"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.started = True
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://central@127.0.0.1:{self.port}/{database}"

    def fresh_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = f"t{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        if not self.started:
            return
        subprocess.run(
            [*self._as_owner(), str(self._bin / "pg_ctl"), "-D", str(self._data), "-m", "immediate", "-w", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        self.started = False


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    """One PostgreSQL for the whole run; skipped with the reason where it is not installed."""
    if bindir() is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql): its store tests are skipped")
    # not under pytest's tmp dir: that is private to root (0700), and the server runs as postgres
    workdir = Path(tempfile.mkdtemp(prefix="central-pg-"))
    server = Postgres(workdir)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: Postgres) -> str:
    """The URL of a new empty database on the session's server."""
    return postgres_server.fresh_database()
