"""Report validation and the compact record form, without a server."""

from __future__ import annotations

import math

import numpy as np
import pytest

from airdecon.errors import RecordError
from airdecon.hub._reports import RECORD_FIELDS, expand, from_record, parse_batch, parse_report, record
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
