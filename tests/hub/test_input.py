"""The strict JSON reader: what it refuses, and that it takes every ordinary document as json does."""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given

from airdecon.errors import MalformedInput
from airdecon.hub._input import MAX_DEPTH, load_json
from tests.documents.test_reader import JSONISH, _depth  # one strategy for the one reader


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (nested(MAX_DEPTH + 1), "nested deeper than 32"),
        (nested(5000), "nested deeper than 32"),  # past Python's own recursion limit
        (b'{"a": {"b": ' + nested(40) + b"}}", "nested deeper than 32"),
        (rb'{"text": "hi \ud800"}', "lone surrogate in the string at $.text"),
        (rb'{"fields": {"\udc00": 1}}', "lone surrogate in a key at $.fields"),
        (rb'["\ude00\ud800"]', "lone surrogate"),  # low then high is no pair
        (b'{"t": 1' + b"9" * 4000 + b"}", "integer of 4001 digits"),
        (b'{"t": -' + b"9" * 20 + b"}", "integer of 20 digits"),
        (b'{"t": 1e999}', "beyond the range of a double"),
        (b'{"t": -1e400}', "beyond the range of a double"),
        (b'{"t": NaN}', "NaN and infinities"),
        (b'{"t": Infinity}', "NaN and infinities"),
        (b'{"a": "\xff"}', "not UTF-8"),
        (b'{"a": ', "malformed JSON"),
    ],
)
def test_refused_with_the_rule_named(data: bytes, words: str) -> None:
    with pytest.raises(MalformedInput, match=words.replace("$", r"\$").replace("[", r"\[")):
        load_json(data)


def test_within_the_limits_read_as_json_reads() -> None:
    assert load_json(nested(MAX_DEPTH)) == json.loads(nested(MAX_DEPTH))
    assert load_json(rb'{"smile": "\ud83d\ude00", "t": 1800000000.5, "n": -9223372036854775807}') == {
        "smile": "\U0001f600", "t": 1800000000.5, "n": -9223372036854775807,
    }  # fmt: skip
    assert load_json('{"é": "ü"}') == {"é": "ü"}


def test_the_hub_keeps_the_last_of_two_equal_keys() -> None:
    """Unlike the files the CLI reads (airdecon.documents refuses them): see hub/_input.py."""
    assert load_json(b'{"a": 1, "a": 2}') == {"a": 2}


@given(JSONISH)
def test_any_ordinary_document_round_trips(value: object) -> None:
    assume(_depth(value) <= MAX_DEPTH)
    text = json.dumps(value)
    assert load_json(text) == json.loads(text)
    assert load_json(text.encode()) == json.loads(text)
