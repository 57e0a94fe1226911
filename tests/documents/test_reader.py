"""The strict reader: every hostile document refused under its rule and with where, and every
ordinary document read exactly as ``json.loads`` / ``yaml.safe_load`` read it."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from airdecon.documents import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    load_document,
    load_json,
    load_json_lines,
    load_yaml,
)
from airdecon.documents._yaml import _LOADERS
from airdecon.errors import InputError, MalformedInput
from tests.documents.hostile import JSON_CASES, YAML_CASES, Hostile

LOADERS = pytest.mark.parametrize("loader", _LOADERS, ids=lambda c: c.__name__)


@pytest.mark.parametrize("case", JSON_CASES, ids=str)
def test_json_refused_under_its_rule_and_where(case: Hostile) -> None:
    with pytest.raises(MalformedInput) as caught:
        load_json(case.data, source="f.json")
    err = caught.value
    assert (err.rule, err.source) == (case.rule, "f.json")
    assert case.words in str(err) and str(err).startswith("f.json: ")
    assert err.where or case.rule == "encoding", "a refusal says where"
    assert case.rule != "depth" or f"nested deeper than {MAX_DEPTH} levels" in str(err)
    assert isinstance(err, InputError) and isinstance(err, ValueError)


@LOADERS
@pytest.mark.parametrize("case", YAML_CASES, ids=str)
def test_yaml_refused_under_its_rule_and_line(case: Hostile, loader: type[Any]) -> None:
    with pytest.raises(MalformedInput) as caught:
        load_yaml(case.data, source="f.yaml", loader=loader)
    err = caught.value
    assert (err.rule, err.source) == (case.rule, "f.yaml")
    assert case.words in str(err)
    assert err.where.startswith("line ") or case.rule in ("encoding", "size")
    assert case.rule != "depth" or f"nested deeper than {MAX_DEPTH} levels" in str(err)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b'{"a": [1, {"b": 1e999}]}', "$.a[1].b"),
        (b'{"a": {"c": 1, "c": 2}}', "$.a.c"),
        (b'{"t": 1' + b"9" * 30 + b"}", "$.t"),
        (rb'{"a": ["ok", "\ud800"]}', "$.a[1]"),
        (b"\n\n  " + b"[" * 2000, "line 3, column 35"),  # beyond Python's recursion: by position
    ],
)
def test_json_where_is_a_path_or_a_position(data: bytes, where: str) -> None:
    with pytest.raises(MalformedInput) as caught:
        load_json(data)
    assert caught.value.where == where


@LOADERS
@pytest.mark.parametrize(
    ("text", "rule", "where"),
    [
        ("a: 1\nb:\n  - x\n  - .nan\n", "number", "line 4, column 5"),
        ("a: 1\nb: 2\na: 3\n", "duplicate-key", "line 3, column 1"),
        ("a: &deep " + "[" * 31 + "]" * 31 + "\nb: [*deep]\n", "depth", "line 2, column 5"),
        ("1: x\n", "key", "line 1, column 1"),
        ("yes: x\n", "key", "line 1, column 1"),
        ("<<: {a: 1}\n", "key", "line 1, column 1"),
        ("a: !!binary aGk=\n", "type", "line 1, column 4"),
        ("a: !!int abc\n", "syntax", "line 1, column 4"),
        ("a: 1:2:3:4:5:6:7:8:9:10:11:12\n", "integer", "line 1, column 4"),
        ("a: [1, 2\n", "syntax", "line 2, column 1"),
    ],
)
def test_yaml_where_is_a_line(text: str, rule: str, where: str, loader: type[Any]) -> None:
    with pytest.raises(MalformedInput) as caught:
        load_yaml(text, loader=loader)
    assert (caught.value.rule, caught.value.where[:6]) == (rule, where[:6])
    if rule != "syntax":  # the two parsers stop at different places in a syntax error
        assert caught.value.where == where


@LOADERS
def test_yaml_within_the_limits(loader: type[Any]) -> None:
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert load_yaml(deep, loader=loader) == json.loads(deep)
    with pytest.raises(MalformedInput, match="nested deeper"):
        load_yaml(f"a: {deep}\n", loader=loader)  # the mapping is a level too
    shared = load_yaml("c: &c {name: duty officer, phone: '+1 555'}\nx: [*c, *c]\n", loader=loader)
    assert shared == {"c": {"name": "duty officer", "phone": "+1 555"}, "x": [shared["c"]] * 2}
    # aliases may repeat up to the limit
    items = ", ".join(["*a"] * (MAX_ALIAS_NODES // 10))
    assert len(load_yaml(f"a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [{items}]\n", loader=loader)["b"]) == 1000
    assert load_yaml("", loader=loader) is None
    assert load_yaml("\ufeffa: 1\n".encode(), loader=loader) == {"a": 1}


def test_json_within_the_limits() -> None:
    deep = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert load_json(deep) == json.loads(deep)
    assert load_json(b'{"smile": "\\ud83d\\ude00", "n": -9223372036854775807}') == {
        "smile": "\U0001f600", "n": -9223372036854775807,
    }  # fmt: skip
    assert load_json(b"\xef\xbb\xbf{}") == {}  # a byte-order mark, as json.loads(bytes) allows
    assert load_json(b'{"a": 1, "a": 2}', unique_keys=False) == {"a": 2}
    assert load_json(b"[" * 40 + b"]" * 40, max_depth=40) == json.loads(b"[" * 40 + b"]" * 40)


def test_json_refuses_utf16_that_json_loads_would_guess() -> None:
    text = '["\ud800"]'.encode("utf-16-le", "surrogatepass")  # json.loads(bytes) decodes UTF-16 too
    with pytest.raises(MalformedInput) as caught:
        load_json(text)
    assert caught.value.rule in ("encoding", "syntax")


def test_json_lines_name_the_line() -> None:
    assert load_json_lines(b'{"a": 1}\n\n  \n{"a": 2}\n') == [(1, {"a": 1}), (4, {"a": 2})]
    with pytest.raises(MalformedInput, match=r"^h\.jsonl:3: invalid JSON number 1e999.* at \$\.a$"):
        load_json_lines(b'{"a": 1}\n\n{"a": 1e999}\n', source="h.jsonl")
    with pytest.raises(MalformedInput, match=r"^h\.jsonl:2: malformed JSON: not UTF-8 \(byte 1\)$"):
        load_json_lines(b'{"a": 1}\n"\xff"\n', source="h.jsonl")


def test_document_format_by_its_first_character() -> None:
    assert load_document(b' {"a": 1}') == {"a": 1}
    assert load_document("a: 1") == {"a": 1}
    with pytest.raises(MalformedInput, match="duplicate key"):
        load_document(b'{"a": 1, "a": 1}')  # JSON's rules for JSON text
    with pytest.raises(MalformedInput, match="unknown document format"):
        load_document("a: 1", fmt="toml")


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**18), 10**18)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=30,
)  # fmt: skip


def _depth(v: object) -> int:
    if isinstance(v, dict):
        v = list(v.values())
    return 1 + max(map(_depth, v), default=0) if isinstance(v, list) else 0


@given(JSONISH)
def test_any_ordinary_json_reads_as_json_loads_reads_it(value: object) -> None:
    assume(_depth(value) <= MAX_DEPTH)
    text = json.dumps(value)
    assert load_json(text) == json.loads(text)
    assert load_json(text.encode()) == json.loads(text)


@settings(max_examples=60)
@given(JSONISH, st.booleans())
def test_any_ordinary_yaml_reads_as_safe_load_reads_it(value: object, flow: bool) -> None:
    assume(_depth(value) <= MAX_DEPTH)
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    for loader in _LOADERS:
        assert load_yaml(text, loader=loader) == yaml.safe_load(text)
