"""The strict JSON reader: :func:`load_json` and :func:`load_json_lines`.

Python's :func:`json.loads` takes NaN, ``1e999`` (as infinity), integers of any length up to 4,300
digits, lone surrogates (``"\\ud800"``) and, bytes in, UTF-16 as well as UTF-8; it keeps the last of
two equal keys and raises ``RecursionError`` near 1,000 levels. Here each of those is refused with a
:class:`~airdecon.errors.MalformedInput` naming the rule and where (a JSON path such as
``$.fields.x[0]``, or a line and column).

The common case costs one ``json.loads``: the value is walked only when the text could hide a
surrogate (a ``\\ud8xx`` escape) or a depth beyond the limit (more brackets than levels allowed),
and a refusal from the number hooks is located by a second, diagnostic parse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from airdecon.errors import MalformedInput

__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "load_json", "load_json_lines", "reject_json_constant"]

MAX_DEPTH = 32
MAX_INT_DIGITS = 19  # int64's reach; nothing airdecon reads as an integer is larger

# a \u escape in the D800–DFFF range: the only way JSON text in valid UTF-8 can spell a surrogate
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
# a JSON string, or one bracket: enough to find where nesting passes the limit
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def reject_json_constant(name: str) -> Any:
    """``json.loads``'s ``parse_constant`` for a strict reader: NaN and infinities are refused."""
    raise MalformedInput(f"invalid JSON number {name}: NaN and infinities are not JSON", rule="number")


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise MalformedInput(f"invalid JSON number {text[:40]}: beyond the range of a double", rule="number")
    return value


def _int_parser(limit: int) -> Callable[[str], int]:
    def parse_int(text: str) -> int:
        digits = len(text) - (text[0] == "-")
        if digits > limit:
            raise MalformedInput(
                f"invalid JSON number: an integer of {digits} digits (at most {limit})", rule="integer"
            )
        return int(text)

    return parse_int


_PARSE_INT = {MAX_INT_DIGITS: _int_parser(MAX_INT_DIGITS)}


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def _decode(data: str | bytes, what: str, source: str) -> str:
    """*data* as text: bytes must be UTF-8 (one leading byte-order mark is allowed)."""
    if isinstance(data, str):
        return data
    raw = bytes(data)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        at = f"byte {exc.start}, line {line}" if line > 1 else f"byte {exc.start}"
        raise MalformedInput(f"malformed {what}: not UTF-8 ({at})", rule="encoding", source=source) from None


def load_json(
    data: str | bytes,
    *,
    int_digits: int = MAX_INT_DIGITS,
    unique_keys: bool = True,
    max_depth: int = MAX_DEPTH,
    source: str = "",
) -> Any:
    """*data* parsed as JSON under the rules of :mod:`airdecon.documents`.

    Parameters
    ----------
    data : str or bytes
        The text; bytes must be UTF-8.
    int_digits : int
        Widens the integer rule for a reader that range-checks every number itself and refuses it
        for one record only (the hub's report batch); Python's own limit (4,300 digits) still holds.
    unique_keys : bool
        Refuse an object with two equal keys (the default). With False the last one wins, as in
        :func:`json.loads` (the hub's bodies, read on the hot path without a per-object hook).
    max_depth : int
        Levels of arrays and objects allowed (an incident export wraps payloads of
        :data:`MAX_DEPTH` levels a few levels down).
    source : str
        The file (or ``file:line``) named in a refusal.

    Raises
    ------
    MalformedInput
        Not UTF-8, not JSON, or beyond one of the rules (the message names it, and where).
    """
    text = _decode(data, "JSON", source)
    parse_int = _PARSE_INT.get(int_digits) or _int_parser(int_digits)
    hook = _unique if unique_keys else None
    try:
        value = json.loads(
            text,
            parse_constant=reject_json_constant,
            parse_float=_parse_float,
            parse_int=parse_int,
            object_pairs_hook=hook,
        )
    except (MalformedInput, _DuplicateKey):
        raise _locate(text, parse_int, unique_keys, source) from None
    except RecursionError:
        where = _too_deep_at(text, max_depth)
        raise MalformedInput(
            f"malformed JSON: nested deeper than {max_depth} levels", rule="depth", where=where, source=source
        ) from None
    except ValueError as exc:
        raise MalformedInput(f"malformed JSON: {exc}", rule="syntax", source=source) from None
    surrogates = _SURROGATE_ESCAPE.search(text) is not None or (
        isinstance(data, str) and _has_surrogate(data)
    )
    if surrogates or text.count("[") + text.count("{") > max_depth:
        _check(value, surrogates, max_depth, source)
    return value


def load_json_lines(data: str | bytes, *, source: str = "") -> list[tuple[int, Any]]:
    """A JSON lines file: ``(line number, value)`` for each line that is not blank, each line read
    by :func:`load_json` (a refusal names ``source:line``).

    Raises
    ------
    MalformedInput
        A line is refused (not UTF-8 included).
    """
    lines: Sequence[str | bytes] = data.split("\n") if isinstance(data, str) else bytes(data).split(b"\n")
    out = []
    for n, line in enumerate(lines, start=1):
        if line.strip():
            out.append((n, load_json(line, source=f"{source}:{n}" if source else f"line {n}")))
    return out


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check(value: Any, surrogates: bool, max_depth: int, source: str) -> None:
    """Walk *value* (iteratively: no recursion to exhaust) for depth and lone surrogates."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "$")]
    while stack:
        v, depth, path = stack.pop()
        if isinstance(v, dict | list):
            if depth >= max_depth:
                raise MalformedInput(
                    f"malformed JSON: nested deeper than {max_depth} levels",
                    rule="depth", where=_short(path), source=source,
                )  # fmt: skip
            if isinstance(v, dict):
                for k, item in v.items():
                    if surrogates and _has_surrogate(k):
                        raise MalformedInput(
                            "invalid Unicode: a lone surrogate in a key",
                            rule="unicode", where=_short(path), source=source,
                        )  # fmt: skip
                    stack.append((item, depth + 1, f"{path}.{k[:40]}"))
            else:
                stack.extend((item, depth + 1, f"{path}[{i}]") for i, item in enumerate(v))
        elif surrogates and isinstance(v, str) and _has_surrogate(v):
            raise MalformedInput(
                "invalid Unicode: a lone surrogate in the string",
                rule="unicode",
                where=_short(path),
                source=source,
            )


def _short(path: str) -> str:
    return path if len(path) <= 60 else path[:40] + "…" + path[-16:]


class _Refused:
    """What the diagnostic parse puts where the strict one raised."""

    __slots__ = ("error",)

    def __init__(self, error: MalformedInput) -> None:
        self.error = error


def _locate(text: str, parse_int: Callable[[str], int], unique_keys: bool, source: str) -> MalformedInput:
    """The refusal the strict parse raised, now with its JSON path: the text parsed again with
    every refusal kept in place as a :class:`_Refused`, and the first one (in parse order) found."""
    found: list[_Refused] = []

    def keep(fn: Callable[[str], Any]) -> Callable[[str], Any]:
        def hook(s: str) -> Any:
            try:
                return fn(s)
            except MalformedInput as exc:
                found.append(_Refused(exc))
                return found[-1]

        return hook

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                found.append(
                    _Refused(MalformedInput(f"duplicate key {key[:40]!r} in an object", rule="duplicate-key"))
                )
                value = found[-1]
            out[key] = value
        return out

    try:
        value = json.loads(
            text,
            parse_constant=keep(reject_json_constant),
            parse_float=keep(_parse_float),
            parse_int=keep(parse_int),
            object_pairs_hook=pairs if unique_keys else None,
        )
    except (ValueError, RecursionError):  # past the first refusal, the text may be worse still
        value = None
    if not found:  # pragma: no cover - the same text, the same hooks
        return MalformedInput("malformed JSON", rule="syntax", source=source)
    first = found[0]
    where = ""
    stack: list[tuple[Any, str]] = [(value, "$")]
    while stack:
        v, path = stack.pop()
        if v is first:
            where = _short(path)
            break
        if isinstance(v, dict):
            stack.extend((item, f"{path}.{k[:40]}") for k, item in v.items())
        elif isinstance(v, list):
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(v))
    err = first.error
    return MalformedInput(err.reason, rule=err.rule, where=where, source=source)


def _too_deep_at(text: str, max_depth: int) -> str:
    """Line and column of the first bracket past *max_depth* levels (strings skipped)."""
    depth = 0
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok == "[" or tok == "{":
            depth += 1
            if depth > max_depth:
                start = m.start()
                line = text.count("\n", 0, start) + 1
                return f"line {line}, column {start - (text.rfind(chr(10), 0, start) + 1) + 1}"
        elif tok == "]" or tok == "}":
            depth -= 1
    return ""  # pragma: no cover - Python's recursion limit lies beyond ours
