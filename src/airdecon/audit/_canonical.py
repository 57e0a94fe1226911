"""The bytes the audit chain commits to: canonical JSON, entry digests, chain links, checkpoint messages.

An entry is hashed in two steps::

    digest_n = SHA-256(canonical_bytes(entry_n))
    hash_n   = SHA-256(hash_{n-1} || digest_n)          hash_0 = 32 zero bytes (GENESIS)

so ``hash_n`` commits to every entry up to *n*, in order. The inner digest is what lets an incident
export *redact* an entry another party may not see (it shows the digest, not the content) while the
chain through it still verifies; with ``SHA-256(hash_{n-1} || canonical_bytes(entry_n))`` the whole
content would have to be disclosed. Canonical JSON: keys sorted, no insignificant whitespace, UTF-8,
no NaN or infinity, numbers as Python's ``json`` writes them. This module depends on nothing but the
standard library, so an offline verifier needs only it and :mod:`cryptography`.

The hub encodes tens of thousands of report values a second, so where msgspec is installed a
payload its caller vouches for (``plain=True``) is encoded by msgspec, seven times faster. msgspec
writes every string, integer and literal as ``json`` does, and every float too except in exponent
form or below 1e-4 (``1e+16`` is ``1e16``, ``1e-05`` is ``0.00001``): an output with a digit
followed by ``e``, or with ``0.0000`` not after a digit, is encoded again by ``json``. (Checked on
nine million floats, random bit patterns and report-like values: every output that differs is
caught.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from airdecon.errors import InputError

try:
    import msgspec
except ImportError:  # pragma: no cover - an offline verifier without it: json alone
    msgspec = None  # type: ignore[assignment]

__all__ = [
    "CHECKPOINT_DOMAIN",
    "GENESIS",
    "canonical_bytes",
    "checkpoint_message",
    "entry_digest",
    "link",
]

#: The hash "before" entry 1: 32 zero bytes, hex-encoded.
GENESIS = "00" * 32

#: Domain-separation prefix of every signed checkpoint message (a signature over anything else
#: can never be replayed as a checkpoint).
CHECKPOINT_DOMAIN = b"airdecon-checkpoint-v1\n"

_FAST = None if msgspec is None else msgspec.json.Encoder(order="sorted")
_DIGITS = frozenset(b"0123456789")


def _suspect(out: bytes) -> bool:
    """Whether msgspec's *out* may write a float otherwise than ``json`` (see the module docstring):
    a digit before an ``e``, or ``0.0000`` not after a digit. Plain ``find`` scans: a regex takes
    six times as long as the encoding."""
    for needle, digit_before in ((b"e", True), (b"0.0000", False)):
        k = out.find(needle)
        while k >= 0:
            if (k > 0 and out[k - 1] in _DIGITS) == digit_before:
                return True
            k = out.find(needle, k + 1)
    return False


def canonical_bytes(value: object, *, plain: bool = False) -> bytes:
    """Canonical JSON encoding of *value*: sorted keys, ``,``/``:`` separators, UTF-8, finite numbers.

    ``plain=True``: the caller built *value* of plain JSON types only (dict with str keys, list,
    str, int, float, bool, None) and finite numbers; it is not checked again, and may be encoded
    by msgspec (a NaN would then become ``null``).

    Raises
    ------
    InputError
        If *value* is not plain JSON: NaN, infinity, non-string keys, tuples, sets, other types.
        (``json`` itself would turn ``{1: x}`` into ``{"1": x}`` and a tuple into a list, so the
        value read back would differ from the value hashed.)

    Examples
    --------
    >>> canonical_bytes({"b": 1, "a": [1.5, "é"]})
    b'{"a":[1.5,"\\xc3\\xa9"],"b":1}'
    """
    if plain and _FAST is not None:
        try:
            out = _FAST.encode(value)
        except Exception:
            pass
        else:
            if not _suspect(out):
                return out
    try:
        if not plain:
            _check_plain(value)
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except RecursionError as exc:
        raise InputError("not canonical JSON: nested too deeply") from exc
    except (TypeError, ValueError) as exc:
        raise InputError(f"not canonical JSON: {exc}") from exc
    return text.encode("utf-8")


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _check_plain(value: object) -> None:
    """Raise InputError unless *value* is made only of dict (str keys), list, str, int, float, bool, None."""
    t = type(value)
    if t in _SCALARS:
        return
    if t is dict:
        for k, x in value.items():  # type: ignore[attr-defined]
            if type(k) is not str:
                raise InputError(f"not canonical JSON: object key {k!r} is not a string")
            if type(x) not in _SCALARS:
                _check_plain(x)
    elif t is list:
        for x in value:  # type: ignore[attr-defined]
            if type(x) not in _SCALARS:
                _check_plain(x)
    elif not isinstance(value, str | int | float):  # subclasses (e.g. numpy.float64) encode as their base
        raise InputError(f"not canonical JSON: {t.__name__} value {value!r}")


def entry_digest(entry: Mapping[str, object]) -> str:
    """SHA-256 (hex) of the canonical bytes of one chain entry (the mapping of its hashed fields)."""
    return hashlib.sha256(canonical_bytes(dict(entry))).hexdigest()


def link(prev_hash: str, digest: str) -> str:
    """``SHA-256(prev_hash || digest)`` over the raw 32-byte values, hex-encoded.

    Parameters
    ----------
    prev_hash : str
        The previous entry's chain hash (hex), or :data:`GENESIS` before entry 1.
    digest : str
        This entry's :func:`entry_digest` (hex).
    """
    try:
        raw = bytes.fromhex(prev_hash) + bytes.fromhex(digest)
    except ValueError as exc:
        raise InputError(f"not a hex hash: {exc}") from exc
    if len(raw) != 64:
        raise InputError("chain hashes and digests are 32 bytes (64 hex digits)")
    return hashlib.sha256(raw).hexdigest()


def checkpoint_message(seq: int, chain_hash: str) -> bytes:
    """The exact bytes a checkpoint signature covers: the domain prefix, then ``{"hash":…,"seq":…}``."""
    return CHECKPOINT_DOMAIN + canonical_bytes({"hash": chain_hash, "seq": int(seq)})
