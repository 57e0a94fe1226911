"""The catalogue of hostile documents every reader of outside input is tried with.

Shared, like ``tests/scenarios.py``: the reader's own tests (``test_reader.py``) and the end-to-end
tests of every file the CLI reads (``tests/cli/test_hostile_files.py``) parametrise over these
tables. Each case names the rule the refusal must name (``MalformedInput.rule``) and words its
message must hold (not the depth itself: an incident export allows a few more levels). Every JSON
case is one line, so it also serves as a line of a JSON lines file.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Hostile:
    """One hostile document: *data* must be refused under *rule*, the message holding *words*."""

    name: str
    data: bytes
    rule: str
    words: str

    def __str__(self) -> str:  # the test id
        return self.name


def _nest(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _laughs() -> bytes:
    """Ten levels of nine aliases: 300-odd bytes standing for 9^9 (387 million) strings."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in itertools.pairwise("abcdefghij"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


JSON_CASES = [
    Hostile("json-nested-300", b'{"a": ' + _nest(300) + b"}", "depth", "nested deeper than"),
    Hostile("json-nested-100000", b'{"a": ' + _nest(100_000) + b"}", "depth", "nested deeper than"),
    Hostile("json-surrogate-key", rb'{"a": {"\ud800": 1}}', "unicode", "lone surrogate in a key"),
    Hostile("json-surrogate-value", rb'{"a": "x\udc00y"}', "unicode", "lone surrogate in the string"),
    Hostile("json-int-5000-digits", b'{"a": ' + b"9" * 5000 + b"}", "integer", "integer of 5000 digits"),
    Hostile("json-1e999", b'{"a": 1e999}', "number", "beyond the range of a double"),
    Hostile("json-nan", b'{"a": NaN}', "number", "NaN and infinities"),
    Hostile("json-infinity", b'{"a": -Infinity}', "number", "NaN and infinities"),
    Hostile("json-not-utf8", b'{"a": "caf\xe9"}', "encoding", "not UTF-8"),
    Hostile("json-duplicate-key", b'{"a": 1, "b": {"c": 1, "c": 2}}', "duplicate-key", "duplicate key 'c'"),
    Hostile(
        "json-10MB-nested",
        b'{"a": ' + b"[" * (5 * MB) + b"]" * (5 * MB) + b"}",
        "depth",
        "nested deeper than",
    ),
]

YAML_CASES = [
    Hostile("yaml-nested-300", b"a: " + _nest(300) + b"\n", "depth", "nested deeper than"),
    Hostile("yaml-nested-100000", b"a: " + _nest(100_000) + b"\n", "depth", "nested deeper than"),
    Hostile("yaml-block-nested-300", b"a:\n" + b"- " * 300 + b"x\n", "depth", "nested deeper than"),
    Hostile("yaml-surrogate-key", b'a:\n  "\\ud800": 1\n', "unicode", "lone surrogate"),
    Hostile("yaml-surrogate-value", b'a: "x\\udc00y"\n', "unicode", "lone surrogate"),
    Hostile("yaml-int-5000-digits", b"a: " + b"9" * 5000 + b"\n", "integer", "integer of 5000 digits"),
    Hostile("yaml-inf", b"a: .inf\n", "number", "NaN and infinities"),
    Hostile("yaml-minus-inf", b"a: -.Inf\n", "number", "NaN and infinities"),
    Hostile("yaml-nan", b"a: .nan\n", "number", "NaN and infinities"),
    Hostile("yaml-1e999", b"a: 1.0e+999\n", "number", "NaN and infinities"),
    Hostile("yaml-not-utf8", b"a: caf\xe9\n", "encoding", "not UTF-8"),
    Hostile("yaml-billion-laughs", _laughs(), "alias", "aliases repeat more than 10000 nodes"),
    Hostile("yaml-recursive-alias", b"a: &x [1, *x]\n", "alias", "recursive alias"),
    Hostile("yaml-duplicate-key", b"a: 1\nb:\n  c: 1\n  c: 2\n", "duplicate-key", "duplicate key 'c'"),
    Hostile("yaml-list-as-key", b"? [a, b]\n: 1\n", "key", "a key must be a string"),
    Hostile("yaml-date", b"a: 2026-11-25\n", "type", "!!timestamp is not a JSON value"),
    Hostile("yaml-10MB", b"a: '" + b"x" * (10 * MB) + b"'\n", "size", "(at most 1048576"),
]
