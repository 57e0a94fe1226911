"""Canonical bytes: one byte string per meaning, stable under re-parsing and key order."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airdecon.errors import ProtocolError
from airdecon.protocol import ProtocolDocument, canonical_bytes
from airdecon.protocol._canonical import format_number
from tests.protocol.conftest import document


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (5.0, "5"),
        (5, "5"),
        (-0.0, "0"),
        (0.1, "0.1"),
        (121.5, "121.5"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (123456.789, "123456.789"),
        (-2.5e-10, "-2.5e-10"),
    ],
)
def test_numbers_are_written_as_rfc8785_does(x: float, text: str) -> None:
    assert format_number(x) == text


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(ProtocolError, match=r"minima: number nan is not finite"):
        canonical_bytes({"minima": float("nan")})


def test_canonical_form_has_sorted_keys_and_no_whitespace() -> None:
    assert canonical_bytes({"b": [1.0, "é"], "a": {"d": None, "c": True}}) == (
        '{"a":{"c":true,"d":null},"b":[1,"é"]}'.encode()
    )


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


finite = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    h=finite,
    v=st.floats(min_value=1, max_value=5e4),
    lookahead=st.floats(min_value=1, max_value=3600),
    lat=st.floats(-89, 89),
    lon=st.floats(-179, 170),
    seed=st.integers(0, 10**6),
    as_yaml=st.booleans(),
)
def test_reserialising_a_parsed_document_gives_identical_bytes(
    keys: dict[str, Any],
    h: float,
    v: float,
    lookahead: float,
    lat: float,
    lon: float,
    seed: int,
    as_yaml: bool,
) -> None:
    raw = document(
        keys,
        minima={
            "default": {"horizontal_nm": h, "vertical_ft": v},
            "volumes": [
                {
                    "name": "box",
                    "polygon_deg": [[lat, lon], [lat, lon + 1], [min(lat + 1, 90), lon + 1]],
                    "horizontal_nm": h * 2,
                }
            ],
        },
        alerting={"lookahead_s": lookahead, "caution_s": lookahead, "warning_s": lookahead / 2},
        distress={"frequencies_mhz": [243.0, 121.5], "squawk_codes": ["7700", "7500"]},
    )
    doc = ProtocolDocument.from_mapping(raw)
    data = doc.canonical_bytes()
    # parsing the canonical bytes back and writing them again changes nothing
    assert ProtocolDocument.parse(data, fmt="json").canonical_bytes() == data
    # neither key order nor the text format (YAML or indented JSON) matters
    shuffled = _shuffled(raw, random.Random(seed))
    if as_yaml:
        import yaml

        text = yaml.safe_dump(shuffled, sort_keys=False, allow_unicode=True)
    else:
        text = json.dumps(shuffled, indent=3)
    again = ProtocolDocument.parse(text)
    assert again.canonical_bytes() == data
    assert again.digest == doc.digest


def test_unordered_lists_are_normalised_and_meaningful_changes_are_not(keys: dict[str, Any]) -> None:
    a = ProtocolDocument.from_mapping(document(keys, distress={"frequencies_mhz": [121.5, 243.0]}))
    b = ProtocolDocument.from_mapping(document(keys, distress={"frequencies_mhz": [243.0, 121.5]}))
    c = ProtocolDocument.from_mapping(document(keys, distress={"frequencies_mhz": [121.5]}))
    assert a.digest == b.digest
    assert a.digest != c.digest


@settings(max_examples=40, deadline=None)
@given(
    title=st.text(min_size=1, max_size=40).filter(lambda t: t.strip() != ""),
    contact=st.text(min_size=1, max_size=20).filter(lambda t: t.strip() != ""),
)
def test_any_unicode_text_survives_canonicalisation(keys: dict[str, Any], title: str, contact: str) -> None:
    raw = document(keys, title=title)
    raw["parties"][0]["contacts"][0]["name"] = contact
    doc = ProtocolDocument.parse(json.dumps(raw, ensure_ascii=True))
    data = doc.canonical_bytes()
    again = ProtocolDocument.parse(data, fmt="json")
    assert again.title == title and again.parties[0].contacts[0].name == contact
    assert again.canonical_bytes() == data


def test_a_stored_version_that_is_not_canonical_is_refused(keys: dict[str, Any]) -> None:
    from airdecon.protocol import Version

    doc = ProtocolDocument.from_mapping(document(keys))
    pretty = json.dumps(doc.to_mapping(), indent=1).encode()
    with pytest.raises(ProtocolError, match=r"v\.json: not in canonical form"):
        Version.from_bytes(pretty, source="v.json")
    assert Version.from_bytes(doc.canonical_bytes()).digest == doc.digest


def test_the_plan_buffer_leaves_documents_signed_before_it_as_they_were(keys: Any) -> None:
    """``minima.plan_buffer_s`` (issue 15) is written only when not its default: a document that
    never named it keeps the exact canonical bytes it had (its signatures stay valid)."""
    raw = document(keys)
    doc = ProtocolDocument.from_mapping(raw)
    assert set(doc.to_mapping()["minima"]) == {"default", "altitude_bands", "volumes"}
    assert b"plan_buffer_s" not in doc.canonical_bytes()
    assert doc.minima.plan_buffer_s == 300.0
    longer = ProtocolDocument.from_mapping({**raw, "minima": {"plan_buffer_s": 900}})
    assert longer.minima.plan_buffer_s == 900.0
    assert b'"plan_buffer_s":900' in longer.canonical_bytes()
    assert ProtocolDocument.from_mapping(json.loads(longer.canonical_bytes())).digest == longer.digest
    with pytest.raises(ProtocolError, match=r"minima\.plan_buffer_s"):
        ProtocolDocument.from_mapping({**raw, "minima": {"plan_buffer_s": -1}})
