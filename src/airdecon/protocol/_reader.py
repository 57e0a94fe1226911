"""The protocol document's strict reader: each helper names the offending field's path in its error.

Every section of the document is read through these, so that a bad value anywhere says where it is
(``minima.volumes[0].polygon_deg: needs at least 3 distinct points, got 2``) and an unknown field is
refused (:meth:`_Obj.done`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from airdecon.errors import ProtocolError

__all__ = ["_Obj", "_bool", "_drop_none", "_int", "_kind", "_list", "_number", "_text", "_unique"]


class _Obj:
    """Fields of one JSON object at *path*; :meth:`done` refuses any field that was not read."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            raise ProtocolError(f"{path or '<document>'}: must be an object, got {_kind(value)}")
        for key in value:
            if not isinstance(key, str):
                raise ProtocolError(f"{path or '<document>'}: field names must be strings, got {key!r}")
        self.m = value
        self.path = path
        self.seen: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.m and self.m[key] is not None

    def get(self, key: str, default: Any = None, *, required: bool = False) -> Any:
        self.seen.add(key)
        if key not in self.m or self.m[key] is None:
            if required:
                raise ProtocolError(f"{self.at(key)}: missing")
            return default
        return self.m[key]

    def done(self) -> None:
        unknown = sorted(set(self.m) - self.seen)
        if unknown:
            where = self.path or "<document>"
            raise ProtocolError(f"{where}: unknown field(s) {unknown}; known fields are {sorted(self.seen)}")


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _number(
    value: object,
    path: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"{path}: must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ProtocolError(f"{path}: must be finite, got {value!r}")
    if gt is not None and not x > gt:
        raise ProtocolError(f"{path}: must be > {gt:g}, got {value!r}")
    if ge is not None and not x >= ge:
        raise ProtocolError(f"{path}: must be >= {ge:g}, got {value!r}")
    if le is not None and not x <= le:
        raise ProtocolError(f"{path}: must be <= {le:g}, got {value!r}")
    if lt is not None and not x < lt:
        raise ProtocolError(f"{path}: must be < {lt:g}, got {value!r}")
    return x


def _int(value: object, path: str, *, ge: int | None = None, le: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(f"{path}: must be an integer, got {value!r}")
    if ge is not None and value < ge:
        raise ProtocolError(f"{path}: must be >= {ge}, got {value}")
    if le is not None and value > le:
        raise ProtocolError(f"{path}: must be <= {le}, got {value}")
    return value


def _text(value: object, path: str, *, pattern: re.Pattern[str] | None = None, what: str = "") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProtocolError(f"{path}: must be a non-empty string, got {value!r}")
    if pattern is not None and not pattern.match(value):
        raise ProtocolError(f"{path}: {what or 'invalid value'}, got {value!r}")
    return value


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise ProtocolError(f"{path}: must be true or false, got {value!r}")
    return value


def _list(value: object, path: str, *, min_len: int = 0) -> list[Any]:
    if not isinstance(value, list):
        raise ProtocolError(f"{path}: must be a list, got {_kind(value)}")
    if len(value) < min_len:
        raise ProtocolError(f"{path}: needs at least {min_len} item(s), got {len(value)}")
    return value


def _unique(items: list[Any], path: str, what: str, key: Callable[[Any], object] = lambda x: x) -> None:
    seen: dict[object, int] = {}
    for n, item in enumerate(items):
        k = key(item)
        if k in seen:
            raise ProtocolError(f"{path}[{n}]: duplicate {what} {k!r} (also at [{seen[k]}])")
        seen[k] = n


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
