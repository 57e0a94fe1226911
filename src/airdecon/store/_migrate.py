"""Numbered, forward-only SQL migrations (``migrations/NNNN_name.sql``) and the schema version table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from airdecon.errors import StoreError

__all__ = ["CREATE_VERSION_TABLE", "SCHEMA_VERSION", "Migration", "migrations", "pending", "statements"]

_NAME = re.compile(r"(\d{4})_(\w+)\.sql")


@dataclass(frozen=True)
class Migration:
    """One migration file: its number, name and SQL text."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every shipped migration, in order; numbers must run 1, 2, 3… without gaps."""
    found = []
    for entry in resources.files("airdecon.store.migrations").iterdir():
        m = _NAME.fullmatch(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    if [mig.version for mig in found] != list(range(1, len(found) + 1)):
        raise StoreError(f"internal: migrations are not numbered 1..n: {[m.version for m in found]}")
    return found


#: The schema version this airdecon writes.
SCHEMA_VERSION = len(migrations())


def statements(sql: str) -> list[str]:
    """Split a migration into statements: ``--`` comment lines dropped, split on ``;`` at line end."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", body) if s.strip()]


CREATE_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"
)


def pending(applied: set[int], url: str) -> list[Migration]:
    """Migrations not yet applied; refuses a database written by a newer airdecon."""
    newest = max(applied, default=0)
    if newest > SCHEMA_VERSION:
        raise StoreError(
            f"{url}: database schema version {newest} is newer than this airdecon ({SCHEMA_VERSION})"
        )
    return [m for m in migrations() if m.version not in applied]
