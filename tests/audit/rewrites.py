"""What a hub operator with write access to the SQLite file could do to the record (issue 12 §6).

Each function edits the database file directly, as an attacker would: delete the tail, edit an
entry and re-chain everything after it, drop or re-sign checkpoints with the hub key.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from airdecon.audit import GENESIS, HubKey, checkpoint_message, entry_digest, link


def _conn(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(db, isolation_level=None)


def rechain(db: Path) -> None:
    """Recompute every chain hash and the head from the entries as they are now."""
    conn = _conn(db)
    try:
        prev = GENESIS
        rows = conn.execute("SELECT seq, at, kind, origin, audience, payload, idempotency_key "
                            "FROM events ORDER BY seq").fetchall()
        for seq, at, kind, origin, audience, payload, key in rows:
            fields = {"seq": seq, "at": at, "kind": kind, "origin": origin, "audience": json.loads(audience),
                      "payload": json.loads(payload), "idempotency_key": key}
            prev = link(prev, entry_digest(fields))
            conn.execute("UPDATE events SET hash = ? WHERE seq = ?", (prev, seq))
        last = rows[-1][0] if rows else 0
        conn.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (last, prev))
    finally:
        conn.close()


def edit(db: Path, seq: int) -> None:
    """Change what entry *seq* says."""
    conn = _conn(db)
    try:
        conn.execute("""UPDATE events SET payload = '{"forged":true}' WHERE seq = ?""", (seq,))
    finally:
        conn.close()


def drop_checkpoints(db: Path, from_seq: int) -> None:
    """Delete every checkpoint at or after *from_seq*."""
    conn = _conn(db)
    try:
        conn.execute("DELETE FROM checkpoints WHERE seq >= ?", (from_seq,))
    finally:
        conn.close()


def resign(db: Path, key: HubKey) -> None:
    """Re-sign every checkpoint over the chain hash its entry has now (with the hub's own key)."""
    conn = _conn(db)
    try:
        for (seq,) in conn.execute("SELECT seq FROM checkpoints").fetchall():
            (h,) = conn.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()
            sig = key.sign(checkpoint_message(seq, h)).hex()
            conn.execute("UPDATE checkpoints SET hash = ?, signature = ? WHERE seq = ?", (h, sig, seq))
    finally:
        conn.close()


def truncate(db: Path, keep: int, *, checkpoints: bool = True) -> None:
    """Delete every entry after *keep* (and, with *checkpoints*, the checkpoints that would betray
    it); rewrite the head."""
    conn = _conn(db)
    try:
        conn.execute("DELETE FROM event_audience WHERE seq > ?", (keep,))
        conn.execute("DELETE FROM events WHERE seq > ?", (keep,))
        if checkpoints:
            conn.execute("DELETE FROM checkpoints WHERE seq > ?", (keep,))
        (h,) = conn.execute("SELECT hash FROM events WHERE seq = ?", (keep,)).fetchone()
        conn.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (keep, h))
    finally:
        conn.close()
