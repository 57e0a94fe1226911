"""Persistence for the hub behind one ``Store`` protocol: ``memory://``, SQLite (default), PostgreSQL.

Parties and hashed credentials, the append-only hash-chained event log with signed checkpoints,
idempotent appends, and the latest aircraft states for restart recovery::

    from airdecon.store import NewEvent, open_store
    store = open_store("hub.db")
    store.add_party("BLUE", at=t)
    done = store.append(NewEvent("report", "BLUE", {"n": 3}, audience={"BLUE"}), at=t)
    store.events_after(0, party="BLUE")
"""

from airdecon.store._core import DEFAULT_CHECKPOINT_EVERY
from airdecon.store._memory import MemoryStore
from airdecon.store._migrate import SCHEMA_VERSION
from airdecon.store._open import open_store
from airdecon.store._protocol import Store
from airdecon.store._records import (
    ALL,
    AircraftState,
    Appended,
    Audience,
    ChainHead,
    Checkpoint,
    Event,
    IssuedToken,
    JsonValue,
    NewEvent,
    Party,
)

__all__ = [
    "ALL",
    "DEFAULT_CHECKPOINT_EVERY",
    "SCHEMA_VERSION",
    "AircraftState",
    "Appended",
    "Audience",
    "ChainHead",
    "Checkpoint",
    "Event",
    "IssuedToken",
    "JsonValue",
    "MemoryStore",
    "NewEvent",
    "Party",
    "Store",
    "open_store",
]
