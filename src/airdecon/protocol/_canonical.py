"""Canonical bytes of a protocol document, and strict reading of document text (no duplicate keys).

The canonical serialisation is what every party signs, so it must be one byte string per meaning:

* JSON (RFC 8259), UTF-8, no insignificant whitespace, object keys sorted;
* strings escaped as ``json.dumps(..., ensure_ascii=False)`` does (only ``"``, ``\\`` and control
  characters are escaped, the rest is written as UTF-8);
* numbers written as ECMAScript writes them (RFC 8785 §3.2.2.3): an integral value as plain digits
  (``5.0`` and ``5`` are both ``5``), ``-0`` as ``0``, other values with the shortest digits that
  read back to the same binary64; NaN and infinities are refused;
* booleans and null as JSON literals.

For the documents airdecon accepts (every key is an ASCII field name of the schema) this is exactly
the JSON Canonicalization Scheme of RFC 8785, so any JCS implementation reproduces the bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from airdecon.documents import load_document
from airdecon.errors import MalformedInput, ProtocolError

__all__ = ["canonical_bytes", "digest_of", "format_number", "read_text"]


def format_number(x: float | int) -> str:
    """A number as ECMAScript's ``Number.prototype.toString`` writes it (RFC 8785 numbers).

    Raises
    ------
    ProtocolError
        For NaN or an infinity (JSON has neither).
    """
    if isinstance(x, bool):  # pragma: no cover - callers route booleans elsewhere
        raise ProtocolError("internal: a boolean is not a number")
    if isinstance(x, int):
        if abs(x) >= 2**53:
            raise ProtocolError(f"integer {x} is too large to be exchanged exactly (|x| >= 2**53)")
        return str(x)
    if not math.isfinite(x):
        raise ProtocolError(f"number {x!r} is not finite")
    if x == 0.0:
        return "0"
    sign = "-" if x < 0 else ""
    mantissa, _, exp_text = repr(abs(x)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    point = len(whole) + (int(exp_text) if exp_text else 0)  # value = 0.<digits> * 10**point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        head = digits if k == 1 else digits[0] + "." + digits[1:]
        body = f"{head}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + body


def _emit(value: Any, out: list[str], path: str) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int | float):
        try:
            out.append(format_number(value))
        except ProtocolError as exc:
            raise ProtocolError(f"{path or '<document>'}: {exc}") from None
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Mapping):
        keys = list(value)
        if not all(isinstance(k, str) for k in keys):
            raise ProtocolError(f"{path or '<document>'}: object keys must be strings")
        out.append("{")
        for n, key in enumerate(sorted(keys)):
            if n:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _emit(value[key], out, f"{path}.{key}" if path else key)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for n, item in enumerate(value):
            if n:
                out.append(",")
            _emit(item, out, f"{path}[{n}]")
        out.append("]")
    else:
        raise ProtocolError(f"{path or '<document>'}: cannot serialise a {type(value).__name__}")


def canonical_bytes(value: Any) -> bytes:
    """The canonical serialisation of a JSON-like value (see the module docstring).

    Raises
    ------
    ProtocolError
        On a value JSON cannot carry exactly (NaN, infinity, a non-string key, a lone surrogate).
    """
    out: list[str] = []
    _emit(value, out, "")
    try:
        return "".join(out).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ProtocolError(f"<document>: text is not valid Unicode ({exc.reason})") from None


def digest_of(data: bytes) -> str:
    """The content address of canonical bytes: ``"sha256:"`` and 64 lowercase hex digits."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def read_text(text: str | bytes, *, fmt: str = "auto", source: str = "<document>") -> Any:
    """Parse document text as JSON or YAML with the strict reader of :mod:`airdecon.documents`
    (duplicate keys, depth, surrogates, huge or non-finite numbers, YAML aliases: all refused).

    Parameters
    ----------
    text : str or bytes
        The document (bytes must be UTF-8).
    fmt : {"auto", "json", "yaml"}
        ``auto`` reads JSON when the text starts with ``{`` or ``[`` and YAML otherwise.
    source : str
        Named in error messages (a file name).

    Raises
    ------
    ProtocolError
        On a syntax error or a refusal of the reader, naming *source*, the rule and where.
    """
    try:
        return load_document(text, fmt=fmt, source=source)
    except MalformedInput as exc:
        raise ProtocolError(str(exc)) from exc
