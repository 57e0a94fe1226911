"""The SQL store shared by SQLite and PostgreSQL: every query, written once with ``?`` placeholders.

Subclasses supply connections and transactions (``_write``, ``_read``) and the few dialect
differences (``_sql`` placeholder rewrite, ``_LOCK_HEAD`` row lock, ``_lock_migrations``,
``_lock_states``). Every write
runs in one transaction that first locks the ``chain_head`` row (SQLite: ``BEGIN IMMEDIATE``
already holds the database write lock), so sequence numbers and chain hashes are assigned by one
writer at a time, gap-free, and the chain link is committed with the entry it covers.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from airdecon.errors import IntegrityError, NotFound, StoreError
from airdecon.store._core import (
    check_every,
    check_kinds,
    check_owners,
    check_page,
    check_through,
    new_token,
    plan_batch,
    sign_checkpoint,
    token_hash,
)
from airdecon.store._migrate import CREATE_VERSION_TABLE, pending, statements
from airdecon.store._records import (
    ALL,
    AircraftState,
    Appended,
    Audience,
    ChainHead,
    Checkpoint,
    Event,
    IssuedToken,
    NewEvent,
    Party,
    audience_json,
    check_party_name,
    finite,
)

if TYPE_CHECKING:
    from airdecon.audit._keys import Signer

__all__ = ["SqlStore"]

_EVENT_COLS = "seq, at, kind, origin, audience, payload, idempotency_key, hash"
_STATE_COLS = "aircraft_id, party, t, lat_deg, lon_deg, alt_m, gs_mps, trk_deg, vs_mps, extra"
_CP_COLS = "seq, hash, at, key_id, signature"
_INSERT_EVENT = f"INSERT INTO events ({_EVENT_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
_CHUNK = 500  # ids per IN (...) list: well below SQLite's 999-parameter floor


def _event(row: Sequence[Any]) -> Event:
    """An Event from a stored row; unreadable JSON is an integrity failure at that entry."""
    seq = int(row[0])
    try:
        aud = json.loads(row[4])
        payload = json.loads(row[5])
    except (TypeError, ValueError) as exc:
        raise IntegrityError(seq, f"stored JSON is unreadable: {exc}") from exc
    audience: Audience
    if aud == ALL:
        audience = ALL
    elif isinstance(aud, list) and aud and all(isinstance(p, str) for p in aud):
        audience = frozenset(aud)
    else:
        raise IntegrityError(seq, f"stored audience is malformed: {row[4]!r}")
    return Event(seq, float(row[1]), row[2], row[3], audience, payload, row[6], row[7])


def _state(row: Sequence[Any]) -> AircraftState:
    t, lat, lon, alt, gs, trk, vs = (float(x) for x in row[2:9])
    return AircraftState(row[0], row[1], t, lat, lon, alt, gs, trk, vs, extra=json.loads(row[9]))


def _checkpoint(row: Sequence[Any]) -> Checkpoint:
    return Checkpoint(int(row[0]), row[1], float(row[2]), row[3], row[4])


class SqlStore:
    """Base of the SQLite and PostgreSQL stores (see :class:`~airdecon.store.Store` for the methods)."""

    url: str
    _LOCK_HEAD = ""  # appended to the chain_head SELECT inside a write transaction

    def __init__(self, url: str, *, signer: Signer | None, checkpoint_every: int) -> None:
        self.url = url
        self._signer = signer
        self._every = check_every(checkpoint_every)

    # -- provided by the dialect -------------------------------------------------------------
    def _write(self) -> AbstractContextManager[Any]:
        """A write transaction, serialised against every other writer; yields a cursor."""
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[Any]:
        """A connection (or cursor) for reads from the calling thread."""
        raise NotImplementedError

    def _sql(self, query: str) -> str:
        return query

    def _lock_migrations(self, cur: Any) -> None:
        """Keep two processes from migrating at once where the transaction alone does not."""

    def _lock_states(self, cur: Any) -> None:
        """Serialise state writes where the transaction alone does not (PostgreSQL)."""

    # -- helpers -------------------------------------------------------------------------------
    def _x(self, cur: Any, query: str, params: Sequence[Any] = ()) -> Any:
        cur.execute(self._sql(query), tuple(params))
        return cur

    def _many(self, cur: Any, query: str, rows: Sequence[Sequence[Any]]) -> None:
        cur.executemany(self._sql(query), rows)

    def _rows(self, query: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._read() as conn:
            cur = conn.execute(self._sql(query), tuple(params))
            return list(cur.fetchall())

    def _locked_head(self, cur: Any) -> ChainHead:
        """Inside a write: the chain head, locked until the transaction ends."""
        seq, h = self._x(cur, "SELECT seq, hash FROM chain_head WHERE id = 1" + self._LOCK_HEAD).fetchone()
        return ChainHead(int(seq), str(h))

    def _migrate(self) -> None:
        with self._write() as cur:
            self._lock_migrations(cur)
            self._x(cur, CREATE_VERSION_TABLE)
            applied = {int(r[0]) for r in self._x(cur, "SELECT version FROM schema_migrations").fetchall()}
            for mig in pending(applied, self.url):
                for stmt in statements(mig.sql):
                    self._x(cur, stmt)
                self._x(cur, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                        (mig.version, mig.name))

    def schema_version(self) -> int:
        """The highest migration applied to this database."""
        return int(self._rows("SELECT MAX(version) FROM schema_migrations")[0][0] or 0)

    # -- parties and credentials ---------------------------------------------------------------
    def add_party(self, name: str, *, at: float) -> Party:
        """See :meth:`Store.add_party`."""
        check_party_name(name)
        at = finite(at)
        with self._write() as cur:
            self._x(cur, "INSERT INTO parties (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                    (name, at))
            row = self._x(cur, "SELECT name, created_at FROM parties WHERE name = ?", (name,)).fetchone()
        return Party(row[0], float(row[1]))

    def get_party(self, name: str) -> Party:
        """See :meth:`Store.get_party`."""
        rows = self._rows("SELECT name, created_at FROM parties WHERE name = ?", (name,))
        if not rows:
            raise NotFound("party", name)
        return Party(rows[0][0], float(rows[0][1]))

    def parties(self) -> list[Party]:
        """See :meth:`Store.parties`."""
        rows = self._rows("SELECT name, created_at FROM parties ORDER BY name")
        return [Party(r[0], float(r[1])) for r in rows]

    def issue_token(self, party: str, *, at: float) -> IssuedToken:
        """See :meth:`Store.issue_token`."""
        at = finite(at)
        token_id, token = new_token()
        with self._write() as cur:
            if self._x(cur, "SELECT 1 FROM parties WHERE name = ?", (party,)).fetchone() is None:
                raise NotFound("party", party)
            self._x(cur, "INSERT INTO tokens (token_id, party, token_sha256, issued_at) VALUES (?, ?, ?, ?)",
                    (token_id, party, token_hash(token), at))
        return IssuedToken(token_id, party, token)

    def authenticate(self, token: str) -> Party | None:
        """See :meth:`Store.authenticate`."""
        rows = self._rows(
            "SELECT p.name, p.created_at FROM tokens t JOIN parties p ON p.name = t.party "
            "WHERE t.token_sha256 = ? AND t.revoked_at IS NULL",
            (token_hash(token),),
        )
        return Party(rows[0][0], float(rows[0][1])) if rows else None

    def revoke_token(self, token_id: str, *, at: float) -> None:
        """See :meth:`Store.revoke_token`."""
        at = finite(at)
        with self._write() as cur:
            if self._x(cur, "SELECT 1 FROM tokens WHERE token_id = ?", (token_id,)).fetchone() is None:
                raise NotFound("token", token_id)
            self._x(cur, "UPDATE tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
                    (at, token_id))

    # -- the event log -------------------------------------------------------------------------
    def append(self, event: NewEvent, *, at: float) -> Appended:
        """See :meth:`Store.append`."""
        return self.append_many([event], at=at)[0]

    def append_many(self, events: Sequence[NewEvent], *, at: float) -> list[Appended]:
        """See :meth:`Store.append_many`."""
        at = finite(at)
        out: list[Appended] = []
        if not events:
            return out
        with self._write() as cur:
            head = self._locked_head(cur)

            def stored(origin: str, key: str) -> Event | None:
                q = f"SELECT {_EVENT_COLS} FROM events WHERE origin = ? AND idempotency_key = ?"
                row = self._x(cur, q, (origin, key)).fetchone()
                return None if row is None else _event(row)

            batch = plan_batch(events, at=at, head=head, stored=stored, signer=self._signer,
                               every=self._every)
            if batch.new:  # one round trip per table, not per event: PostgreSQL appends are latency-bound
                rows = [(ev.seq, ev.at, ev.kind, ev.origin, json.dumps(audience_json(ev.audience)),
                         ne.payload_text(), ev.idempotency_key, ev.hash) for ev, ne in batch.new]
                self._many(cur, _INSERT_EVENT, rows)
                readers = [(p, ev.seq) for ev, _ in batch.new
                           for p in (["*"] if ev.audience == ALL else sorted(ev.audience))]
                self._many(cur, "INSERT INTO event_audience (party, seq) VALUES (?, ?)", readers)
                for cp in batch.checkpoints:
                    self._insert_checkpoint(cur, cp)
                self._x(cur, "UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1",
                        (batch.head.seq, batch.head.hash))
        return batch.results

    def events_after(
        self, seq: int, *, party: str | None = None, kinds: Collection[str] | None = None, limit: int = 1000
    ) -> list[Event]:
        """See :meth:`Store.events_after`."""
        seq, limit = check_page(seq, limit)
        wanted = check_kinds(kinds)
        # fixed SQL and ? placeholders only: no value is ever spliced into the text
        where = "seq > ?"
        params: list[object] = [seq]
        if wanted is not None:
            where += f" AND kind IN ({', '.join('?' * len(wanted))})"
            params += sorted(wanted)
        if party is not None:
            where += " AND seq IN (SELECT seq FROM event_audience WHERE party IN ('*', ?) AND seq > ?)"
            params += [party, seq]
        query = f"SELECT {_EVENT_COLS} FROM events WHERE {where} ORDER BY seq LIMIT ?"
        rows = self._rows(query, [*params, limit])
        if party is None:
            return [_event(r) for r in rows]
        # the audience index is outside the chain: re-check the hashed audience before handing out
        return [ev for ev in map(_event, rows) if ev.visible_to(party)]

    def events_between(
        self,
        t_from: float,
        t_to: float,
        *,
        parties: Collection[str] | None = None,
        limit: int | None = None,
        after_seq: int = 0,
    ) -> list[Event]:
        """See :meth:`Store.events_between`.

        With *parties*, the cost is that of the parties' own entries: the window's bounds come
        from the time index (two look-ups), then only the parties' audience rows within them are
        read, so another party's busy window costs a reader nothing it can measure. A page is
        read in one query unless the re-check of the hashed audience refuses some of its rows:
        then the rows after them are read too, so a short page still means the window's end.
        """
        t_from, t_to = finite(t_from, "t_from"), finite(t_to, "t_to")
        after_seq, cap = check_page(after_seq, 1 if limit is None else limit)
        page = "" if limit is None else " LIMIT ?"
        more: list[object] = [] if limit is None else [cap]
        if parties is None:
            where = "at >= ? AND at <= ? AND seq > ?"
            query = f"SELECT {_EVENT_COLS} FROM events WHERE {where} ORDER BY seq{page}"
            return [_event(r) for r in self._rows(query, [t_from, t_to, after_seq, *more])]
        lo = self._rows("SELECT seq FROM events WHERE at >= ? ORDER BY at, seq LIMIT 1", (t_from,))
        hi = self._rows("SELECT seq FROM events WHERE at <= ? ORDER BY at DESC, seq DESC LIMIT 1", (t_to,))
        if not lo or not hi:
            return []
        first, last = max(int(lo[0][0]), after_seq + 1), int(hi[0][0])
        names = sorted(set(parties))
        marks = ", ".join("?" * (len(names) + 1))
        cols = ", ".join(f"e.{c.strip()}" for c in _EVENT_COLS.split(","))
        # the parties' audience rows in the bounds name the entries (an entry listed for two of the
        # names is named once); only those entries are read, in order, up to the page: a join with
        # DISTINCT sorted every matching entry, payload and all, for every page (87 ms a page of a
        # 25,000-entry window, against 8 ms)
        query = (
            f"SELECT {cols} FROM events e WHERE e.seq IN (SELECT a.seq FROM event_audience a "
            f"WHERE a.party IN ({marks}) AND a.seq >= ? AND a.seq <= ?) ORDER BY e.seq{page}"
        )

        def mine(ev: Event) -> bool:
            # the audience index is outside the chain: re-check the hashed audience before handing out
            return t_from <= ev.at <= t_to and (ev.origin in names or any(ev.visible_to(p) for p in names))

        out: list[Event] = []
        while first <= last:
            rows = self._rows(query, ["*", *names, first, last, *more])
            out += [ev for ev in map(_event, rows) if mine(ev)]
            if limit is None or len(rows) < cap or len(out) >= cap:
                break
            first = int(rows[-1][0]) + 1
        return out[:cap] if limit is not None else out

    def head(self) -> ChainHead:
        """See :meth:`Store.head`."""
        seq, h = self._rows("SELECT seq, hash FROM chain_head WHERE id = 1")[0]
        return ChainHead(int(seq), h)

    # -- checkpoints ---------------------------------------------------------------------------
    def _insert_checkpoint(self, cur: Any, cp: Checkpoint) -> None:
        self._x(cur, f"INSERT INTO checkpoints ({_CP_COLS}) VALUES (?, ?, ?, ?, ?)",
                (cp.seq, cp.hash, cp.at, cp.key_id, cp.signature))

    def checkpoint(self, *, at: float) -> Checkpoint:
        """See :meth:`Store.checkpoint`."""
        at = finite(at)
        if self._signer is None:
            raise StoreError("this store has no signing key: cannot make a checkpoint")
        with self._write() as cur:
            head = self._locked_head(cur)
            seq, h = head.seq, head.hash
            if seq == 0:
                raise StoreError("the log is empty: nothing to checkpoint")
            row = self._x(cur, f"SELECT {_CP_COLS} FROM checkpoints WHERE seq = ?", (seq,)).fetchone()
            if row is not None:
                return _checkpoint(row)
            cp = sign_checkpoint(self._signer, seq=seq, chain_hash=h, at=at)
            self._insert_checkpoint(cur, cp)
        return cp

    def checkpoints(self, *, after_seq: int = 0) -> list[Checkpoint]:
        """See :meth:`Store.checkpoints`."""
        rows = self._rows(f"SELECT {_CP_COLS} FROM checkpoints WHERE seq > ? ORDER BY seq", (int(after_seq),))
        return [_checkpoint(r) for r in rows]

    # -- aircraft states -------------------------------------------------------------------------
    def save_states(self, states: Sequence[AircraftState], *, through_seq: int | None = None) -> None:
        """See :meth:`Store.save_states`."""
        through = check_through(through_seq)
        if not states and through is None:
            return
        # the rows before the transaction: the writer lock is held for SQL only (a hub's record
        # appends wait on it)
        rows = [(s.aircraft_id, s.party, s.t, s.lat_deg, s.lon_deg, s.alt_m, s.gs_mps, s.trk_deg, s.vs_mps,
                 s.extra_text()) for s in states]
        with self._write() as cur:
            self._lock_states(cur)
            if through is not None:
                self._x(cur, "UPDATE state_mark SET through_seq = ? WHERE id = 1 AND through_seq < ?",
                        (through, through))
            if not states:
                return
            owners: dict[str, str] = {}
            ids = sorted({s.aircraft_id for s in states})
            for i in range(0, len(ids), _CHUNK):
                chunk = ids[i:i + _CHUNK]
                marks = ", ".join("?" * len(chunk))
                q = f"SELECT aircraft_id, party FROM aircraft WHERE aircraft_id IN ({marks})"
                owners.update(self._x(cur, q, chunk).fetchall())
            check_owners(states, owners)
            self._many(
                cur,
                (
                    f"INSERT INTO aircraft ({_STATE_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (aircraft_id) DO UPDATE SET t = excluded.t, lat_deg = excluded.lat_deg, "
                    "lon_deg = excluded.lon_deg, alt_m = excluded.alt_m, gs_mps = excluded.gs_mps, "
                    "trk_deg = excluded.trk_deg, vs_mps = excluded.vs_mps, extra = excluded.extra "
                    "WHERE aircraft.t <= excluded.t"
                ),
                rows,
            )

    def states_through(self) -> int:
        """See :meth:`Store.states_through`."""
        return int(self._rows("SELECT through_seq FROM state_mark WHERE id = 1")[0][0])

    def latest_states(self, *, party: str | None = None) -> list[AircraftState]:
        """See :meth:`Store.latest_states`."""
        if party is None:
            rows = self._rows(f"SELECT {_STATE_COLS} FROM aircraft ORDER BY aircraft_id")
        else:
            rows = self._rows(f"SELECT {_STATE_COLS} FROM aircraft WHERE party = ? ORDER BY aircraft_id",
                              (party,))
        return [_state(r) for r in rows]
