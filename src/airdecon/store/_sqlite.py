"""The default store: one SQLite file in WAL mode, durable commits, one writer, per-thread readers.

Settings (datasette's recipe): ``journal_mode=WAL`` so readers never block the writer;
``synchronous=FULL`` so a commit is on disk before :meth:`append` returns (the hub acknowledges only
then); every write in ``BEGIN IMMEDIATE`` on the single writer connection, serialised by a lock
(other *processes* wait on ``busy_timeout``); each reading thread gets its own connection.
Thread-safety: every public method may be called from any thread.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from airdecon.errors import StoreError
from airdecon.store._core import DEFAULT_CHECKPOINT_EVERY
from airdecon.store._sql import SqlStore

if TYPE_CHECKING:
    from airdecon.audit._keys import Signer

__all__ = ["SQLiteStore"]

_BUSY_MS = 30_000


class SQLiteStore(SqlStore):
    """A :class:`~airdecon.store.Store` in one SQLite file (created and migrated on open).

    Parameters
    ----------
    path : str or Path
        The database file.
    signer : Signer or None
        Signs a checkpoint every *checkpoint_every* entries, and on demand.
    checkpoint_every : int
        Entries between automatic checkpoints (0: only on demand).
    """

    def __init__(self, path: str | Path, *, signer: Signer | None = None,
                 checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY) -> None:
        super().__init__(f"sqlite:///{path}", signer=signer, checkpoint_every=checkpoint_every)
        self.path = Path(path)
        self._wlock = threading.Lock()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._closed = False
        self._writer = self._connect()
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=_BUSY_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise StoreError(f"{self.url}: cannot open: {exc}") from exc
        if str(mode).lower() != "wal":
            conn.close()
            raise StoreError(f"{self.url}: cannot enable WAL mode (got {mode!r})")
        with self._all_lock:
            self._all.append(conn)
        return conn

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.url}: the store is closed")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Cursor]:
        with self._wlock:
            self._check_open()
            cur = self._writer.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
                try:
                    yield cur
                    cur.execute("COMMIT")
                except BaseException:
                    if self._writer.in_transaction:
                        self._writer.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise StoreError(f"{self.url}: write failed: {exc}") from exc
            finally:
                cur.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        self._check_open()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        try:
            yield conn
        except sqlite3.Error as exc:
            raise StoreError(f"{self.url}: read failed: {exc}") from exc

    def close(self) -> None:
        """See :meth:`Store.close`."""
        with self._wlock, self._all_lock:
            self._closed = True
            for conn in self._all:
                conn.close()
            self._all.clear()
