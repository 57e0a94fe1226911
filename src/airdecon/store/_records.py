"""The typed records the store takes and gives back: parties, tokens, events, checkpoints, aircraft states.

All are frozen dataclasses. Times are POSIX seconds (UTC) supplied by the caller: the store never
reads the clock. JSON payloads are plain JSON values (``dict``/``list``/``str``/numbers/``bool``/
``None``); they are checked to be finite, canonical-encodable JSON when an event is built.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from airdecon.audit._canonical import canonical_bytes
from airdecon.errors import InputError

__all__ = [
    "ALL",
    "AircraftState",
    "Appended",
    "Audience",
    "ChainHead",
    "Checkpoint",
    "Event",
    "IssuedToken",
    "JsonValue",
    "NewEvent",
    "Party",
    "audience_json",
    "check_party_name",
    "finite",
]

JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"

#: Audience of an event every party may see.
ALL: Literal["all"] = "all"

#: Who may see an event: every party (:data:`ALL`) or the named parties.
Audience: TypeAlias = "Literal['all'] | frozenset[str]"

_PARTY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


def check_party_name(name: str) -> str:
    """Return *name* if it is a valid party name (1-64 of ``A-Za-z0-9_.:-``, not starting with
    punctuation), else raise :class:`~airdecon.errors.InputError`."""
    if not isinstance(name, str) or not _valid_party(name):
        raise InputError(f"invalid party name {name!r}: 1-64 characters of A-Z a-z 0-9 _ . : -")
    return name


@functools.lru_cache(maxsize=256)
def _valid_party(name: str) -> bool:
    # a handful of parties, checked for every event and every saved state: remembered
    return _PARTY.fullmatch(name) is not None


def finite(value: float, what: str = "at") -> float:
    """*value* as a float if it is a finite number, else raise :class:`~airdecon.errors.InputError`."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def _audience(value: Literal["all"] | Iterable[str]) -> Audience:
    if value == ALL:
        return ALL
    if isinstance(value, str):
        raise InputError(f"audience must be 'all' or a collection of party names, got {value!r}")
    parties = frozenset(check_party_name(p) for p in value)
    if not parties:
        raise InputError("an event's audience cannot be empty (use 'all' or name the parties)")
    return parties


def audience_json(audience: Audience) -> str | list[str]:
    """The audience as it is hashed and stored: ``"all"`` or the sorted list of parties."""
    return ALL if audience == ALL else sorted(audience)


@dataclass(frozen=True)
class Party:
    """A party on the line.

    Attributes
    ----------
    name : str
        Unique name, e.g. ``"BLUE"``.
    created_at : float
        POSIX seconds when it was added.
    """

    name: str
    created_at: float


@dataclass(frozen=True)
class IssuedToken:
    """A credential just issued. ``token`` is the secret: it is shown once and never stored.

    Attributes
    ----------
    token_id : str
        Public identifier of the credential (to list or revoke it).
    party : str
        The party the token authenticates.
    token : str
        The bearer secret. Only its SHA-256 is stored.
    """

    token_id: str
    party: str
    token: str = field(repr=False)


@dataclass(frozen=True, init=False)
class NewEvent:
    """An event to append (the store assigns sequence number, time and hash).

    Parameters
    ----------
    kind : str
        What it is, e.g. ``"report"``, ``"alert"``, ``"advisory"``, ``"distress"``, ``"ack"``,
        ``"message"``, ``"receipt"``. Any non-empty string: the hub owns the vocabulary.
    origin : str
        The party it comes from (the hub's own events use the hub's party name).
    payload : JsonValue
        The content, any finite JSON value.
    audience : "all" or iterable of str
        Who may see it. Normalised to :data:`ALL` or a ``frozenset``. The origin is *not* implied.
    idempotency_key : str or None
        Client-supplied key, unique per origin party: appending the same key again with the same
        kind, audience and payload returns the original event; with different content it raises
        :class:`~airdecon.errors.WriteConflict`.
    plain : bool
        The caller built *payload* of plain JSON types only (dict with str keys, list, str, int,
        float, bool, None) and finite numbers: it is encoded without the checks (see
        :func:`~airdecon.audit._canonical.canonical_bytes`), eight times faster for a report batch.
    """

    kind: str
    origin: str
    payload: JsonValue
    audience: Audience
    idempotency_key: str | None
    _text: str = field(repr=False, compare=False)

    def __init__(
        self,
        kind: str,
        origin: str,
        payload: JsonValue,
        *,
        audience: Literal["all"] | Iterable[str] = ALL,
        idempotency_key: str | None = None,
        plain: bool = False,
    ) -> None:
        if not isinstance(kind, str) or not kind or len(kind) > 64:
            raise InputError(f"event kind must be a non-empty string of at most 64 characters: {kind!r}")
        check_party_name(origin)
        if idempotency_key is not None and (
            not isinstance(idempotency_key, str) or not idempotency_key or len(idempotency_key) > 200
        ):
            raise InputError(
                f"idempotency key must be a non-empty string of at most 200 characters: {idempotency_key!r}"
            )
        setattr_ = object.__setattr__  # frozen: assign once, here
        setattr_(self, "kind", kind)
        setattr_(self, "origin", origin)
        setattr_(self, "payload", payload)
        setattr_(self, "audience", _audience(audience))
        setattr_(self, "idempotency_key", idempotency_key)
        # encoded once, here: raises InputError on NaN, infinity, non-JSON types
        setattr_(self, "_text", canonical_bytes(payload, plain=plain).decode("utf-8"))

    def payload_text(self) -> str:
        """The payload as canonical JSON text (what is stored and hashed)."""
        return self._text


@dataclass(frozen=True)
class Event:
    """An appended event: one entry of the append-only, hash-chained log.

    Attributes
    ----------
    seq : int
        Sequence number: 1, 2, 3, … with no gaps.
    at : float
        POSIX seconds given by the appender.
    kind, origin, payload, audience, idempotency_key
        As in :class:`NewEvent`.
    hash : str
        The chain hash (hex) committing to this entry and every one before it.
    """

    seq: int
    at: float
    kind: str
    origin: str
    audience: Audience
    payload: JsonValue
    idempotency_key: str | None
    hash: str

    def visible_to(self, party: str) -> bool:
        """True if *party* is in the audience (or the audience is :data:`ALL`)."""
        return self.audience == ALL or party in self.audience

    def chain_fields(self) -> dict[str, object]:
        """The mapping the chain hashes (every field but ``hash``), in JSON form."""
        return {
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind,
            "origin": self.origin,
            "audience": audience_json(self.audience),
            "payload": self.payload,
            "idempotency_key": self.idempotency_key,
        }

    def same_content(self, new: NewEvent) -> bool:
        """True if *new* carries the same kind, audience and payload (an idempotent replay)."""
        return (
            self.kind == new.kind
            and self.audience == new.audience
            and canonical_bytes(self.payload).decode("utf-8") == new.payload_text()
        )


@dataclass(frozen=True)
class Appended:
    """The result of one append: the event, and whether it was an idempotent replay of an earlier one."""

    event: Event
    replayed: bool


@dataclass(frozen=True)
class ChainHead:
    """The last entry of the chain: ``seq`` 0 and the genesis hash when the log is empty."""

    seq: int
    hash: str


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement by the hub: "entry ``seq`` has chain hash ``hash``".

    Attributes
    ----------
    seq : int
        The entry the checkpoint covers (and with it every earlier entry).
    hash : str
        The chain hash of that entry (hex).
    at : float
        POSIX seconds when it was made.
    key_id : str
        Identifier of the signing key.
    signature : str
        Ed25519 signature (hex) of :func:`~airdecon.audit.checkpoint_message` ``(seq, hash)``.
    """

    seq: int
    hash: str
    at: float
    key_id: str
    signature: str

    def to_json(self) -> dict[str, object]:
        """As a JSON object (for exports)."""
        return {"seq": self.seq, "hash": self.hash, "at": self.at, "key_id": self.key_id,
                "signature": self.signature}


_STATE_NUMBERS = ("t", "lat_deg", "lon_deg", "alt_m", "gs_mps", "trk_deg", "vs_mps")
_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})


@dataclass(frozen=True)
class AircraftState:
    """The latest known state of one aircraft (for restart recovery), in SI units like ``Fleet``.

    Attributes
    ----------
    aircraft_id : str
        Unique aircraft identifier.
    party : str
        Owner party. An aircraft never changes owner.
    t : float
        POSIX seconds of the state.
    lat_deg, lon_deg : float
        WGS84 position, degrees.
    alt_m : float
        Pressure altitude, metres.
    gs_mps : float
        Ground speed, metres per second.
    trk_deg : float
        True track, degrees.
    vs_mps : float
        Vertical rate, metres per second.
    extra : Mapping[str, JsonValue]
        Other reported fields (callsign, type, squawk, emergency…), stored as JSON.
    """

    aircraft_id: str
    party: str
    t: float
    lat_deg: float
    lon_deg: float
    alt_m: float
    gs_mps: float
    trk_deg: float
    vs_mps: float = 0.0
    extra: Mapping[str, JsonValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.aircraft_id, str) or not self.aircraft_id:
            raise InputError(f"aircraft_id must be a non-empty string: {self.aircraft_id!r}")
        check_party_name(self.party)
        for name in _STATE_NUMBERS:
            v = getattr(self, name)
            if type(v) is not float or not math.isfinite(v):  # the message is built only when needed
                object.__setattr__(self, name, finite(v, f"{self.aircraft_id}.{name}"))
        extra = self.extra
        if type(extra) is dict and all(type(v) in _PLAIN_SCALARS for v in extra.values()):
            # the common case (squawk, callsign…): a copy, checked without a JSON round trip
            if not all(type(k) is str for k in extra) or not all(
                math.isfinite(v) for v in extra.values() if type(v) is float
            ):
                raise InputError(f"{self.aircraft_id}.extra: not canonical JSON")
            object.__setattr__(self, "extra", dict(extra))
        else:
            if not isinstance(extra, Mapping):
                raise InputError(f"{self.aircraft_id}.extra must be a mapping")
            object.__setattr__(self, "extra", dict(json.loads(canonical_bytes(dict(extra)))))

    def extra_text(self) -> str:
        """``extra`` as canonical JSON text."""
        if not isinstance(self.extra, Mapping):
            raise InputError(f"{self.aircraft_id}.extra must be a mapping")
        # plain by construction (__post_init__ checked or re-read it): the fast encoding
        return canonical_bytes(dict(self.extra), plain=True).decode("utf-8")
