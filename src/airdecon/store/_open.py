"""``open_store(url)``: pick the store implementation from a URL or a path."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from airdecon.errors import StoreError
from airdecon.store._core import DEFAULT_CHECKPOINT_EVERY
from airdecon.store._protocol import Store

if TYPE_CHECKING:
    from airdecon.audit._keys import Signer

__all__ = ["open_store"]


def open_store(
    url: str | Path,
    *,
    signer: Signer | None = None,
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
    create: bool = True,
) -> Store:
    """Open (creating and migrating as needed) the store at *url*.

    Parameters
    ----------
    url : str or Path
        ``memory://`` — a new, empty in-process store;
        ``sqlite:///relative.db``, ``sqlite:////absolute.db`` or a plain path — SQLite (the default);
        ``postgresql://user@host:port/db`` (or ``postgres://``) — PostgreSQL, needs the
        ``postgres`` extra.
    signer : Signer or None
        The hub's checkpoint key (:class:`~airdecon.audit.HubKey`). Without it the log is still
        hash-chained but no checkpoints are signed.
    checkpoint_every : int
        Entries between automatic signed checkpoints (0: only on demand).
    create : bool
        Create a SQLite database that does not exist yet (default). ``False``: a missing file is
        a :class:`~airdecon.errors.StoreError` and nothing is created (the audit tools: verifying
        a mistyped path must not answer "ok" about a new, empty record).

    Returns
    -------
    Store
        Close it with ``store.close()`` when done.

    Raises
    ------
    StoreError
        Unknown scheme, a database that cannot be opened, a missing one with ``create=False``, or
        a schema newer than this airdecon.
    """
    if isinstance(url, Path):
        url = str(url)
    if url.startswith("memory://"):
        if not create:
            raise StoreError(f"{url}: an in-memory store is always new and empty: nothing to read")
        from airdecon.store._memory import MemoryStore

        return MemoryStore(signer=signer, checkpoint_every=checkpoint_every)
    if url.startswith(("postgresql://", "postgres://")):
        from airdecon.store._postgres import PostgresStore

        return PostgresStore(url, signer=signer, checkpoint_every=checkpoint_every)
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://")
        if not path.startswith("/") or path == "/":
            raise StoreError(f"{url}: write sqlite:///relative/path or sqlite:////absolute/path")
        url = path[1:]
    elif "://" in url:
        raise StoreError(f"{url}: unknown store scheme (memory://, sqlite:///PATH, postgresql://…)")
    if not url:
        raise StoreError("empty store path")
    if not create and not Path(url).is_file():
        raise StoreError(f"{url}: no such database (nothing was created)")
    from airdecon.store._sqlite import SQLiteStore

    return SQLiteStore(url, signer=signer, checkpoint_every=checkpoint_every)
