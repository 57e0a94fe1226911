"""The one strict JSON reader for everything a party sends the hub (HTTP bodies, stream messages).

A party may send anything. What the hub accepts must be storable, and readable back, forever: one
value that the record cannot encode or a client cannot decode would break a route for everyone who
may see it. So before any route looks at a value, :func:`load_json` refuses, with a
:class:`~airdecon.errors.MalformedInput` (400, or a stream error with the client's ``ref``):

* bytes that are not UTF-8;
* NaN and infinities (``NaN``, ``Infinity``, and numbers such as ``1e999`` that overflow a float);
* integers of more than :data:`MAX_INT_DIGITS` digits (a 4,000-digit ``t`` is no time);
* strings (values or keys) with a lone UTF-16 surrogate (``"\\ud800"``): not Unicode, not storable;
* arrays and objects nested deeper than :data:`MAX_DEPTH` (no document of the API needs more than a
  few levels; Python's own parser would raise ``RecursionError`` near 1,000).

Each refusal says which rule and where (a JSON path such as ``$.fields.x[0]``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from airdecon.errors import MalformedInput

__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "load_json", "reject_json_constant"]

MAX_DEPTH = 32
MAX_INT_DIGITS = 19  # int64's reach; nothing the API reads as an integer is larger

# a \u escape in the D800–DFFF range: the only way JSON text (valid UTF-8) can spell a surrogate
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def reject_json_constant(name: str) -> Any:
    """``json.loads``'s ``parse_constant`` for the hub: NaN and infinities are refused (400)."""
    raise MalformedInput(f"invalid JSON number {name}: NaN and infinities are not JSON")


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise MalformedInput(f"invalid JSON number {text[:40]}: beyond the range of a double")
    return value


def _int_parser(limit: int) -> Any:
    def parse_int(text: str) -> int:
        digits = len(text) - (text[0] == "-")
        if digits > limit:
            raise MalformedInput(f"invalid JSON number: an integer of {digits} digits (at most {limit})")
        return int(text)

    return parse_int


_PARSE_INT = {MAX_INT_DIGITS: _int_parser(MAX_INT_DIGITS)}


def load_json(data: str | bytes, *, int_digits: int = MAX_INT_DIGITS) -> Any:
    """*data* parsed as JSON under the rules above.

    *int_digits* widens the integer rule for a reader that range-checks every number itself and
    refuses it for one record only (the report batch: a 400-digit latitude refuses that report,
    not its batch); Python's own limit (4,300 digits) still holds.

    Raises
    ------
    MalformedInput
        Not UTF-8, not JSON, or beyond one of the rules (the message names it and where).
    """
    if isinstance(data, str):
        raw = data.encode("utf-8", "surrogatepass")
    else:
        raw = bytes(data)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedInput(f"malformed JSON: not UTF-8 (byte {exc.start})") from None
    parse_int = _PARSE_INT.get(int_digits) or _int_parser(int_digits)
    try:
        value = json.loads(
            raw, parse_constant=reject_json_constant, parse_float=_parse_float, parse_int=parse_int
        )
    except MalformedInput:
        raise
    except RecursionError:
        raise MalformedInput(f"malformed JSON: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise MalformedInput(f"malformed JSON: {exc}") from None
    surrogates = _SURROGATE_ESCAPE.search(raw) is not None or (isinstance(data, str) and _has_surrogate(data))
    if surrogates or raw.count(b"[") + raw.count(b"{") > MAX_DEPTH:
        _check(value, surrogates)
    return value


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check(value: Any, surrogates: bool) -> None:
    """Walk *value* (iteratively: no recursion to exhaust) for depth and lone surrogates."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "$")]
    while stack:
        v, depth, path = stack.pop()
        if isinstance(v, dict | list):
            if depth >= MAX_DEPTH:
                where = _short(path)
                raise MalformedInput(f"malformed JSON: nested deeper than {MAX_DEPTH} levels at {where}")
            if isinstance(v, dict):
                for k, item in v.items():
                    if surrogates and _has_surrogate(k):
                        raise MalformedInput(f"invalid Unicode: a lone surrogate in a key at {_short(path)}")
                    stack.append((item, depth + 1, f"{path}.{k[:40]}"))
            else:
                stack.extend((item, depth + 1, f"{path}[{i}]") for i, item in enumerate(v))
        elif surrogates and isinstance(v, str) and _has_surrogate(v):
            raise MalformedInput(f"invalid Unicode: a lone surrogate in the string at {_short(path)}")


def _short(path: str) -> str:
    return path if len(path) <= 60 else path[:40] + "…" + path[-16:]
