"""Strict reading of JSON and YAML from outside: what the hub is sent and every file the CLI reads.

A party, or a file handed to the command line, may hold anything. What airdecon accepts must be
storable and readable back, forever, and must not crash or stall the reader, so every input goes
through :func:`load_json` or :func:`load_yaml` (or :func:`load_document`, which picks one), and
they refuse, with a :class:`~airdecon.errors.MalformedInput` naming the rule (``.rule``), where
(``.where``: a JSON path such as ``$.fields.x[0]``, or a line and column) and the file
(``.source``):

* bytes that are not UTF-8;
* arrays and objects nested deeper than :data:`MAX_DEPTH` levels (no document airdecon reads needs
  more than a few; Python's own parser raises ``RecursionError`` near 1,000, PyYAML's far sooner);
* strings (values or keys) with a lone UTF-16 surrogate (``"\\ud800"``): not Unicode, not storable;
* integers of more than :data:`MAX_INT_DIGITS` digits (a 4,000-digit ``t`` is no time);
* NaN and infinities (``NaN``, ``1e999``; YAML's ``.nan``, ``.inf``);
* two equal keys in one object (JSON parsers keep the last one silently; the hub's bodies are the
  exception, see :mod:`airdecon.hub._input`);
* in YAML also: aliases repeating more than :data:`MAX_ALIAS_NODES` nodes (a "billion laughs"),
  keys that are not strings, values JSON has no type for (dates, sets, binary), and documents over
  :data:`MAX_YAML_BYTES` (see :mod:`airdecon.documents._yaml`).

The faces turn the refusal into their one error shape: the hub into a 400 or a stream error, the
CLI into ``error: <file>: <rule> at <where>`` and exit status 1.
"""

from __future__ import annotations

from airdecon.documents._json import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    load_json,
    load_json_lines,
    reject_json_constant,
)
from airdecon.documents._yaml import MAX_ALIAS_NODES, MAX_YAML_BYTES, load_yaml

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "MAX_YAML_BYTES",
    "load_document",
    "load_json",
    "load_json_lines",
    "load_yaml",
    "reject_json_constant",
]


def load_document(data: str | bytes, *, fmt: str = "auto", source: str = "") -> object:
    """*data* read by :func:`load_json` (``fmt="json"``) or :func:`load_yaml` (``"yaml"``);
    ``"auto"`` reads JSON when the text starts with ``{`` or ``[`` and YAML otherwise.

    Raises
    ------
    MalformedInput
        As the reader chosen; or for an unknown *fmt* (rule ``"syntax"``).
    """
    from airdecon.errors import MalformedInput

    if fmt == "auto":
        head = data.lstrip()[:1] if isinstance(data, str) else data.lstrip().removeprefix(b"\xef\xbb\xbf")[:1]
        fmt = "json" if head in ("{", "[", b"{", b"[") else "yaml"
    if fmt == "json":
        return load_json(data, source=source)
    if fmt == "yaml":
        return load_yaml(data, source=source)
    raise MalformedInput(f"unknown document format {fmt!r} (json or yaml)", rule="syntax", source=source)
