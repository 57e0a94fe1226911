"""Report validation and the compact record form, without a server."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airdecon.audit._canonical import canonical_bytes
from airdecon.errors import InputError, MalformedInput, RecordError
from airdecon.hub._reports import (
    RECORD_FIELDS,
    Batch,
    expand,
    from_record,
    parse_batch,
    parse_report,
    record,
)
from airdecon.hub._wire import _read_fast, decode_reports
from airdecon.units import FPM, FT, KT

NOW = 1_800_000_000.0
GOOD = {"id": "B1", "lat": 34.5, "lon": 38.0, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 90, "t": NOW}


def refused(**change: object) -> RecordError:
    with pytest.raises(RecordError) as err:
        parse_report({**GOOD, **change}, "BLUE", NOW, max_skew_s=300)
    return err.value


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"lat": math.nan}, "lat", "finite"),
        ({"lat": 91.0}, "lat", "out of range"),
        ({"alt_ft": math.inf}, "alt_ft", "finite"),
        ({"trk_deg": math.inf}, "trk_deg", "finite"),
        ({"trk_deg": -math.nan}, "trk_deg", "finite"),
        ({"gs_kt": True}, "gs_kt", "number"),
        ({"gs_kt": "450"}, "gs_kt", "number"),
        ({"lon": None}, "lon", "missing"),
        ({"t": NOW + 301}, "t", "clock"),
        ({"t": math.nan}, "t", "finite"),
        ({"t": False}, "t", "POSIX"),
        ({"squawk": "7800"}, "squawk", "octal"),
        ({"emergency": True}, "emergency", "0-7"),
        ({"emergency": 8}, "emergency", "0-7"),
        ({"callsign": 12}, "callsign", "string"),
        ({"on_ground": 1}, "on_ground", "true or false"),
        ({"party": "RED"}, "party", "own aircraft"),
        ({"zz": 1, "aa": 2}, "aa", "unknown field"),
        ({"id": "has space"}, "id", "characters"),
    ],
)
def test_each_bad_field_is_named(change: dict[str, object], field: str, words: str) -> None:
    err = refused(**change)
    assert err.field == field and words in str(err)


def test_values_are_normalised_and_converted() -> None:
    r = parse_report({**GOOD, "lon": 190.0, "trk_deg": -90, "vs_fpm": 1000, "squawk": 7700}, "BLUE", NOW,
                     max_skew_s=300)
    assert r.lon_deg == pytest.approx(-170.0) and r.trk_deg == pytest.approx(270.0)
    assert r.alt_m == pytest.approx(30000 * FT) and r.gs_mps == pytest.approx(450 * KT)
    assert r.vs_mps == pytest.approx(1000 * FPM) and r.squawk == "7700" and r.key == "BLUE/B1"
    # numpy scalars from library callers are numbers too
    assert parse_report({**GOOD, "lat": np.float64(1.5), "alt_ft": np.int64(100)}, "BLUE", NOW,
                        max_skew_s=300).lat_deg == 1.5


def test_a_batch_keeps_the_good_and_names_the_bad() -> None:
    raw = [GOOD, {**GOOD, "id": "B2", "lat": math.nan}, {**GOOD}, "not an object", {**GOOD, "id": "B3"}]
    b = parse_batch(raw, "BLUE", NOW, max_skew_s=300)
    assert [r.aircraft_id for r in b.reports] == ["B1", "B3"]
    assert [(x["index"], x["field"]) for x in b.rejected] == [(1, "lat"), (2, "id"), (3, "<report>")]
    assert "twice" in b.rejected[1]["message"]
    assert b.first_error is not None and b.first_error.field == "lat"


def test_record_rows_expand_back_to_the_reports_as_received() -> None:
    b = parse_batch([GOOD, {**GOOD, "id": "B2", "callsign": "VIPER1", "on_ground": True}], "BLUE", NOW,
                    max_skew_s=300)
    payload = record(b.rows)
    assert payload["fields"] == list(RECORD_FIELDS) and len(payload["rows"]) == 2
    items = expand(payload)["reports"]
    assert items[0] == {"id": "B1", "t": NOW, "lat": 34.5, "lon": 38.0, "alt_ft": 30000.0, "gs_kt": 450.0,
                        "trk_deg": 90.0, "vs_fpm": 0.0, "squawk": None, "emergency": None, "callsign": None,
                        "on_ground": False}
    assert items[1]["callsign"] == "VIPER1" and items[1]["on_ground"] is True
    assert [from_record("BLUE", it) for it in items] == b.reports
    old = {"reports": [{"id": "B1"}]}  # the older record form passes through
    assert expand(old) is old


# ---------------------------------------------------------------------- the fast reader
_ANY_NUMBER = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, -0.0, 90, 90.0000001, -180, 180, 360, 1e-5, 5e-324]),
)
_MAYBE = {
    "vs_fpm": st.one_of(_ANY_NUMBER, st.none()),
    "t": st.one_of(st.floats(NOW - 400, NOW + 400), st.integers(int(NOW) - 400, int(NOW) + 400), st.none()),
    "squawk": st.one_of(st.sampled_from(["7700", "1200", "7800", "770", "0000"]), st.integers(0, 9999),
                        st.none()),
    "emergency": st.one_of(st.integers(-1, 9), st.booleans(), st.just(1.0), st.none()),
    "callsign": st.one_of(st.text(max_size=18), st.integers(0, 9), st.none()),
    "on_ground": st.one_of(st.booleans(), st.none(), st.just(1)),
    "party": st.sampled_from(["BLUE", "RED", None]),
    "selected_alt_ft": st.one_of(_ANY_NUMBER, st.floats(-3000, 250000), st.just("FL290"), st.none()),
    "zz_unknown": st.just(1),
}


_CLEAN = {
    "vs_fpm": st.floats(-6000, 6000),
    "t": st.floats(NOW - 299, NOW + 299),
    "squawk": st.sampled_from(["7700", "1200", "0000", None]),
    "emergency": st.one_of(st.integers(0, 7), st.none()),
    "callsign": st.one_of(st.text(max_size=16), st.none()),
    "on_ground": st.booleans(),
    "party": st.just("BLUE"),
    "selected_alt_ft": st.one_of(st.integers(-2000, 60000), st.floats(-2000, 200000), st.none()),
}


@st.composite
def _wire_report(draw: st.DrawFn) -> dict[str, object]:
    if draw(st.booleans()):  # half of them valid: batches valid whole are the common case
        rep: dict[str, object] = {
            "id": draw(st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.:/-]{0,39}\Z")),
            "lat": draw(st.floats(-90, 90)),
            "lon": draw(st.floats(-360, 360)),
            "alt_ft": draw(st.integers(-2000, 60000)),
            "gs_kt": draw(st.floats(0, 4000)),
            "trk_deg": draw(st.floats(-1e6, 1e6)),
        }
        for name in draw(st.sets(st.sampled_from(sorted(_CLEAN)))):
            rep[name] = draw(_CLEAN[name])
        return rep
    rep = {
        "id": draw(st.one_of(st.sampled_from(["B1", "B2", "B3", "x.y:z/1-_"]), st.text(max_size=42))),
        "lat": draw(st.one_of(st.floats(-95, 95), _ANY_NUMBER)),
        "lon": draw(st.one_of(st.floats(-400, 400), _ANY_NUMBER)),
        "alt_ft": draw(st.one_of(st.floats(-3000, 60000), _ANY_NUMBER)),
        "gs_kt": draw(st.one_of(st.floats(-10, 600), _ANY_NUMBER)),
        "trk_deg": draw(_ANY_NUMBER),
    }
    for name in draw(st.sets(st.sampled_from(sorted(_MAYBE)))):
        rep[name] = draw(_MAYBE[name])
    for name in draw(st.sets(st.sampled_from(["lat", "lon", "alt_ft", "gs_kt", "trk_deg"]), max_size=1)):
        del rep[name]
    return rep


def _slow(text: str) -> Batch:
    return parse_batch(json.loads(text)["reports"], "BLUE", NOW, max_skew_s=300)


def _same(a: Batch, b: Batch) -> bool:
    """Equal, to the bytes the record would hash (``0.0`` and ``-0.0`` differ there)."""
    return (
        a.reports == b.reports
        and canonical_bytes(record(a.rows)) == canonical_bytes(record(b.rows))
        and a.rejected == b.rejected
        and str(a.first_error) == str(b.first_error)
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(_wire_report(), max_size=6))
def test_the_fast_reader_gives_what_the_slow_one_gives(reports: list[dict[str, object]]) -> None:
    text = json.dumps({"type": "reports", "ref": 7, "reports": reports})
    others, batch = decode_reports(text, "BLUE", NOW, max_skew_s=300, max_reports=100)
    assert others == {"type": "reports", "ref": 7}
    assert batch is not None and _same(batch, _slow(text))
    fast = _read_fast(text, "BLUE", NOW, 300, 100)
    if fast is not None:  # it only ever takes a batch the slow reader accepts whole
        assert not fast[1].rejected and _same(fast[1], _slow(text))


@settings(max_examples=100, deadline=None)
@given(st.lists(_wire_report(), min_size=1, max_size=4))
def test_the_fast_reader_takes_every_batch_that_is_valid_whole(reports: list[dict[str, object]]) -> None:
    text = json.dumps({"reports": reports})
    if _slow(text).rejected:
        return
    fast = _read_fast(text, "BLUE", NOW, 300, 100)
    # the forms a typed decoder leaves to the slow reader: null for an optional number or
    # a party, a squawk as a number
    left_to_slow = any(
        r.get("vs_fpm", 0) is None or isinstance(r.get("squawk"), int) or r.get("party", "") is None
        for r in reports
    )
    assert (fast is None) == left_to_slow


def test_a_batch_with_one_bad_report_is_read_report_by_report() -> None:
    text = json.dumps({"reports": [GOOD, {**GOOD, "id": "B2", "lat": 91}], "idempotency_key": "k1"})
    others, batch = decode_reports(text, "BLUE", NOW, max_skew_s=300, max_reports=10)
    assert others == {"idempotency_key": "k1"} and batch is not None
    assert [r.aircraft_id for r in batch.reports] == ["B1"]
    assert [(x["index"], x["record"], x["field"]) for x in batch.rejected] == [(1, "B2", "lat")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"reports": [{"id": "B1", "lat": NaN}]}', "NaN"),
        ("{not json", "malformed"),
        ("[1, 2]", "objects"),
        (b'{"reports": "\xff"}', "malformed"),
    ],
)
def test_text_that_is_not_a_json_object_is_malformed(text: str | bytes, words: str) -> None:
    with pytest.raises(MalformedInput, match=words):
        decode_reports(text, "BLUE", NOW, max_skew_s=300, max_reports=10)


def test_reports_must_be_a_list_within_the_limit() -> None:
    assert decode_reports('{"type": "ping", "ref": 1}', "BLUE", NOW, max_skew_s=300, max_reports=10) == (
        {"type": "ping", "ref": 1},
        None,
    )
    with pytest.raises(InputError, match="list"):
        decode_reports('{"reports": 3}', "BLUE", NOW, max_skew_s=300, max_reports=10)
    with pytest.raises(InputError, match="too many"):
        decode_reports(json.dumps({"reports": [GOOD] * 3}), "BLUE", NOW, max_skew_s=300, max_reports=2)


def test_a_huge_integer_is_out_of_range_not_a_crash() -> None:
    rest = '"lon": 1, "alt_ft": 1, "gs_kt": 1, "trk_deg": 1'
    text = '{"reports": [{"id": "B1", "lat": 1' + "0" * 400 + ", " + rest + "}]}"
    _, batch = decode_reports(text, "BLUE", NOW, max_skew_s=300, max_reports=10)
    assert batch is not None and batch.rejected[0]["field"] == "lat"
    assert "out of range" in batch.rejected[0]["message"]


def test_an_id_with_a_trailing_newline_is_refused() -> None:
    assert refused(id="B1\n").field == "id"
