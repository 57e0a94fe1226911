"""The PostgreSQL store (extra ``postgres``: psycopg 3): the same schema and queries as SQLite.

Each thread gets its own connection (autocommit; writes in explicit transactions). Appends are
serialised by ``SELECT … FOR UPDATE`` on the single ``chain_head`` row, so several hub processes
may share one database and still produce one gap-free chain; state writes take a table lock so
the ownership check and the upsert cannot interleave. Thread-safety: every public method may be
called from any thread.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from airdecon.errors import StoreError
from airdecon.store._core import DEFAULT_CHECKPOINT_EVERY
from airdecon.store._sql import SqlStore

if TYPE_CHECKING:
    import psycopg

    from airdecon.audit._keys import Signer

__all__ = ["PostgresStore"]

_MIGRATION_LOCK = 0x61697264  # pg_advisory_xact_lock key while migrating ("aird")


def _mask_password(url: str) -> str:
    """*url* with any password replaced by ``***`` (safe to print)."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


class PostgresStore(SqlStore):
    """A :class:`~airdecon.store.Store` in a PostgreSQL database (migrated on open).

    Parameters
    ----------
    url : str
        A ``postgresql://`` URL (libpq syntax).
    signer : Signer or None
        Signs a checkpoint every *checkpoint_every* entries, and on demand.
    checkpoint_every : int
        Entries between automatic checkpoints (0: only on demand).
    """

    _LOCK_HEAD = " FOR UPDATE"

    def __init__(self, url: str, *, signer: Signer | None = None,
                 checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise StoreError("PostgreSQL needs psycopg 3: pip install 'airdecon[postgres]'") from exc
        self._psycopg = psycopg
        super().__init__(_mask_password(url), signer=signer, checkpoint_every=checkpoint_every)
        self._dsn = url
        self._local = threading.local()
        self._all: list[psycopg.Connection[Any]] = []
        self._all_lock = threading.Lock()
        self._closed = False
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _lock_migrations(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))

    def _sql(self, query: str) -> str:
        return query.replace("?", "%s")

    def _conn(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise StoreError(f"{self.url}: the store is closed")
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            try:
                conn = self._psycopg.connect(self._dsn, autocommit=True)
            except self._psycopg.Error as exc:
                raise StoreError(f"{self.url}: cannot connect: {exc}") from exc
            self._local.conn = conn
            with self._all_lock:
                self._all = [c for c in self._all if not c.closed]  # drop connections already gone
                self._all.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[Any]:
        conn = self._conn()
        try:
            with conn.transaction(), conn.cursor() as cur:
                yield cur
        except self._psycopg.Error as exc:
            raise StoreError(f"{self.url}: write failed: {exc}") from exc

    @contextmanager
    def _read(self) -> Iterator[Any]:
        try:
            yield self._conn()
        except self._psycopg.Error as exc:
            raise StoreError(f"{self.url}: read failed: {exc}") from exc

    def _lock_states(self, cur: Any) -> None:
        cur.execute("LOCK TABLE aircraft IN SHARE ROW EXCLUSIVE MODE")

    def close(self) -> None:
        """See :meth:`Store.close`."""
        with self._all_lock:
            self._closed = True
            for conn in self._all:
                conn.close()
            self._all.clear()
