"""The airdecon exception tree: one root, families by domain, offending values kept as attributes.

::

    AirdeconError
    ├── InputError (ValueError)            bad data from outside: a record, a file, a field
    │   ├── ScenarioError                  a scenario file that cannot be read or parsed
    │   ├── MalformedInput                 a message or file that is not the JSON/YAML expected at all
    │   │                                  (``.rule``, ``.where``, ``.source``)
    │   ├── RecordError                    one record/field of a fleet is invalid (``.record``, ``.field``)
    │   └── IngestError                    a surveillance recording or feed cannot be read (``.source``)
    │       └── DecodeError                one frame/line is undecodable (``.kind``, ``.raw``)
    ├── ProtocolError (ValueError)         a safety-protocol document is invalid or not in force
    ├── StoreError                         the store cannot do what was asked (open, migrate, write)
    │   ├── NotFound (LookupError)         no such party, token or record (``.kind``, ``.key``)
    │   ├── WriteConflict                  a write contradicts what is stored (idempotency key reused
    │   │                                  with other content, aircraft owned by another party)
    │   └── IntegrityError                 the audit record is broken (``.seq``, ``.reason``)
    └── InternalError (RuntimeError)       "internal:" an unreachable branch was reached (a bug)

Domain code raises these; only the faces (CLI, hub) translate them into exit codes or HTTP status.
"""

from __future__ import annotations

__all__ = [
    "AirdeconError",
    "DecodeError",
    "IngestError",
    "InputError",
    "IntegrityError",
    "InternalError",
    "MalformedInput",
    "NotFound",
    "ProtocolError",
    "RecordError",
    "ScenarioError",
    "StoreError",
    "WriteConflict",
]


class AirdeconError(Exception):
    """Root of every error airdecon raises on purpose."""


class InputError(AirdeconError, ValueError):
    """Data from outside airdecon is invalid; the message says what and where."""


class ScenarioError(InputError):
    """A scenario file cannot be read, parsed, or has the wrong shape.

    Attributes
    ----------
    path : str or None
        The file concerned, when there is one.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class MalformedInput(InputError):
    """A message, request body or file that is not what is expected at all: not JSON, a NaN
    literal, nested too deep, not an object. (Its content, when readable, is judged record by
    record: :class:`RecordError`.)

    Attributes
    ----------
    rule : str
        Which rule of the strict reader (:mod:`airdecon.documents`) refused it: ``"encoding"``,
        ``"syntax"``, ``"depth"``, ``"unicode"``, ``"integer"``, ``"number"``, ``"duplicate-key"``,
        ``"key"``, ``"type"``, ``"alias"`` or ``"size"``; ``""`` when raised elsewhere.
    where : str
        Where in the text: a JSON path (``$.fields.x[0]``) or ``line 3, column 7``; ``""`` if unknown.
    source : str
        The file (or ``file:line``) concerned, when there is one.
    """

    def __init__(self, message: str, *, rule: str = "", where: str = "", source: str = "") -> None:
        self.rule = rule
        self.where = where
        self.source = source
        self.reason = message
        text = f"{message} at {where}" if where else message
        super().__init__(f"{source}: {text}" if source else text)


class RecordError(InputError):
    """One field of one record is invalid.

    Attributes
    ----------
    record : str
        The record's id when it has one, else ``"#<index>"``.
    field : str
        The field name (as written in the input, with its unit suffix).
    value : object
        The offending value.
    """

    def __init__(self, record: str, field: str, value: object, reason: str) -> None:
        self.record = record
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"aircraft {record}: field {field!r} = {value!r}: {reason}")


class IngestError(InputError):
    """A surveillance recording or live feed cannot be read at all (missing file, unknown format).

    Attributes
    ----------
    source : str
        The file or ``host:port`` concerned.
    """

    def __init__(self, message: str, *, source: str = "") -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class DecodeError(IngestError):
    """One frame or line could not be decoded.

    Readers never let this escape: they count it by ``kind`` in a
    :class:`~airdecon.ingest.Rejects` report and go on.

    Attributes
    ----------
    kind : str
        A short, stable name of what was wrong (``"bad-hex"``, ``"bad-crc"``, ``"bad-field"`` ...).
    raw : str
        The offending frame or line, as text (hex for binary frames), at most 200 characters.
    """

    def __init__(self, kind: str, raw: str, reason: str, *, source: str = "") -> None:
        self.kind = kind
        self.raw = raw[:200]
        self.reason = reason
        super().__init__(f"{kind}: {reason} ({self.raw!r})", source=source)


class ProtocolError(AirdeconError, ValueError):
    """A safety-protocol document is invalid, tampered with, or not in force."""


class StoreError(AirdeconError):
    """The store cannot do what was asked: open, migrate, or write."""


class NotFound(StoreError, LookupError):
    """No such record in the store.

    Attributes
    ----------
    kind : str
        What was looked for, e.g. ``"party"``.
    key : str
        The key that was not found.
    """

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"no such {kind}: {key!r}")


class WriteConflict(StoreError):
    """A write contradicts what is already stored (not to be confused with a detected ``Conflict``).

    Raised when an idempotency key is reused with different content, or when a party reports an
    aircraft that another party owns. Replaying the *same* write is never a conflict.

    Attributes
    ----------
    kind : str
        What collided, e.g. ``"idempotency key"`` or ``"aircraft"``.
    key : str
        The colliding key.
    """

    def __init__(self, kind: str, key: str, reason: str) -> None:
        self.kind = kind
        self.key = key
        self.reason = reason
        super().__init__(f"{kind} {key!r}: {reason}")


class IntegrityError(StoreError):
    """The tamper-evident record does not verify.

    Attributes
    ----------
    seq : int
        The sequence number of the entry (or checkpoint) where verification failed.
    reason : str
        What is wrong there, in words.
    """

    def __init__(self, seq: int, reason: str) -> None:
        self.seq = seq
        self.reason = reason
        super().__init__(f"audit chain broken at seq {seq}: {reason}")


class InternalError(AirdeconError, RuntimeError):
    """An unreachable branch was reached: a bug in airdecon, never the caller's fault."""

    def __init__(self, message: str) -> None:
        super().__init__(f"internal: {message}")
