"""Store fixtures: every test runs against memory, a real SQLite file and a real PostgreSQL server.

PostgreSQL is never skipped. ``AIRDECON_TEST_PG`` may name a running server (a libpq URL or
conninfo for a role allowed to create databases); otherwise a throw-away PostgreSQL server is
started here for the session (initdb as the ``postgres`` user into a temp dir, 127.0.0.1, a free
port, stopped at the end), and each test gets a fresh database. Missing server binaries fail the
tests with the apt command to run.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from airdecon.audit import HubKey
from airdecon.store import Store, open_store

BACKENDS = ["memory", "sqlite", "postgres"]
SQL_BACKENDS = ["sqlite", "postgres"]


def _pg_bindir() -> str:
    env = os.environ.get("PG_BIN")
    dirs = [env] if env else sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True
    )
    for d in dirs:
        if os.access(os.path.join(d, "pg_ctl"), os.X_OK) and os.access(os.path.join(d, "initdb"), os.X_OK):
            return d
    pytest.fail(
        "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin or $PG_BIN): "
        "run `apt-get update && apt-get install -y postgresql` (Debian 12 gives PostgreSQL 15), "
        "or set AIRDECON_TEST_PG to a running server",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """conninfo of a PostgreSQL server: ``$AIRDECON_TEST_PG``, else a private one started here."""
    given = os.environ.get("AIRDECON_TEST_PG")
    if given:
        try:
            psycopg.connect(given, connect_timeout=10).close()
        except psycopg.Error as exc:
            pytest.fail(f"AIRDECON_TEST_PG={given!r} is unreachable: {exc}", pytrace=False)
        yield given
        return
    bindir = _pg_bindir()
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # postgres refuses root
    tmp = tempfile.mkdtemp(prefix="airdecon-pg.")
    if prefix:
        shutil.chown(tmp, "postgres", "postgres")
    data, log, port = os.path.join(tmp, "data"), os.path.join(tmp, "server.log"), _free_port()

    def run(*cmd: str) -> None:
        r = subprocess.run(prefix + list(cmd), cwd=tmp, capture_output=True, text=True, check=False)
        if r.returncode:
            server_log = Path(log).read_text() if os.path.exists(log) else ""
            pytest.fail(f"{' '.join(cmd)} -> {r.returncode}\n{r.stdout}{r.stderr}{server_log}", pytrace=False)

    try:
        run(f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale")
        run(f"{bindir}/pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "-o",
            f"-k {tmp} -p {port} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start")
        yield f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    finally:
        subprocess.run([*prefix, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                       cwd=tmp, capture_output=True, check=False)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A ``postgresql://`` URL of a fresh, empty database (dropped after the test)."""
    name = "airdecon_t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_server, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(pg_server)
    user = quote(str(info.get("user", "postgres")), safe="")
    password = f":{quote(str(info['password']), safe='')}" if info.get("password") else ""
    yield f"postgresql://{user}{password}@{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/{name}"
    with psycopg.connect(pg_server, autocommit=True) as c:
        c.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def hub_key() -> HubKey:
    """The hub's checkpoint key for the session."""
    return HubKey.generate()


def _url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "memory":
        return "memory://"
    if backend == "sqlite":
        return str(tmp_path / "hub.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each store implementation in turn."""
    return str(request.param)


@pytest.fixture(params=SQL_BACKENDS)
def sql_backend(request: pytest.FixtureRequest) -> str:
    """The durable implementations (those with SQL a test can tamper with)."""
    return str(request.param)


@pytest.fixture
def store_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store URL for the current backend."""
    return _url(backend, request, tmp_path)


@pytest.fixture
def sql_url(sql_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh SQLite or PostgreSQL URL."""
    return _url(sql_backend, request, tmp_path)


OpenStore = Callable[..., Store]


@pytest.fixture
def open_at(hub_key: HubKey) -> Iterator[OpenStore]:
    """``open_at(url, **kw)`` opens a store signed by ``hub_key`` (checkpoint every 5) and closes it
    after the test."""
    opened: list[Store] = []

    def _open(url: str, **kw: object) -> Store:
        kw.setdefault("signer", hub_key)
        kw.setdefault("checkpoint_every", 5)
        s = open_store(url, **kw)  # type: ignore[arg-type]
        opened.append(s)
        return s

    yield _open
    for s in opened:
        s.close()


@pytest.fixture
def store(store_url: str, open_at: OpenStore) -> Store:
    """An empty store of the current backend, signing a checkpoint every 5 entries."""
    return open_at(store_url)
