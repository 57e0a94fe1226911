"""The bytes the chain commits to are pinned: canonical JSON, the link formula, the checkpoint message."""

from __future__ import annotations

import hashlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airdecon.audit import (
    GENESIS,
    HubKey,
    canonical_bytes,
    checkpoint_message,
    entry_digest,
    key_id,
    link,
    load_public_key,
)
from airdecon.errors import InputError


def test_canonical_json_is_sorted_compact_utf8() -> None:
    expected = '{"a":"ά","b":[1,2.5,null,true]}'.encode()
    assert canonical_bytes({"b": [1, 2.5, None, True], "a": "ά"}) == expected
    assert canonical_bytes({"x": 1.0}) == b'{"x":1.0}'
    assert canonical_bytes({"z": {"y": 1, "x": 2}}) == b'{"z":{"x":2,"y":1}}'


@pytest.mark.parametrize("bad", [math.nan, math.inf, {1: "int key"}, {"s": {1, 2}}, b"bytes", [(1, 2)]])
def test_canonical_json_refuses_what_json_cannot_say(bad: object) -> None:
    with pytest.raises(InputError):
        canonical_bytes(bad)


def test_link_is_sha256_of_previous_hash_and_entry_digest() -> None:
    entry = {"seq": 1, "payload": {"a": 1}}
    digest = entry_digest(entry)
    assert digest == hashlib.sha256(b'{"payload":{"a":1},"seq":1}').hexdigest()
    assert link(GENESIS, digest) == hashlib.sha256(bytes(32) + bytes.fromhex(digest)).hexdigest()
    with pytest.raises(InputError):
        link("abc", digest)


def test_checkpoint_message_and_signature() -> None:
    h = "ab" * 32
    msg = checkpoint_message(7, h)
    assert msg == b'airdecon-checkpoint-v1\n{"hash":"' + h.encode() + b'","seq":7}'
    key = HubKey.generate()
    key.public_key.verify(key.sign(msg), msg)  # raises if invalid
    again = HubKey.from_pem(key.private_pem())
    assert again.key_id == key.key_id == key_id(load_public_key(key.public_pem()))
    raw_hex = load_public_key(key.public_pem()).public_bytes_raw().hex()
    assert key_id(load_public_key(raw_hex)) == key.key_id
    assert "PRIVATE" not in repr(key)


def test_bad_keys_are_input_errors(tmp_path: object) -> None:
    with pytest.raises(InputError):
        HubKey.from_pem(b"not a key")
    with pytest.raises(InputError):
        load_public_key(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    with pytest.raises(InputError):
        load_public_key("/nonexistent/key.pem")


@pytest.mark.parametrize("module", ["airdecon.audit._canonical", "airdecon.cli.audit"])
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


# plain=True may take msgspec's encoder: its bytes must be json's, to the last digit
_JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([0.0, -0.0, 1e-4, 9.99e-5, 1e-5, 1e-7, 1e15, 1e16, 1.5e16, 5e-324]),
        st.just(1.7976931348623157e308),
        st.text(),
    ),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(_JSON)
def test_plain_encoding_is_the_checked_encoding(value: object) -> None:
    try:
        expected = canonical_bytes(value)
    except InputError:  # a lone surrogate: refused on both paths
        with pytest.raises(InputError):
            canonical_bytes(value, plain=True)
        return
    assert canonical_bytes(value, plain=True) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=50))
def test_plain_encoding_of_report_rows_is_the_checked_encoding(values: list[float]) -> None:
    rows = {"fields": ["id", "x"], "rows": [["AC1e5", v] for v in values] + [[f"{v}", -v] for v in values]}
    assert canonical_bytes(rows, plain=True) == canonical_bytes(rows)
