"""Bad input gets a clear error naming the record and field; nothing is dropped silently."""

from __future__ import annotations

import math

import numpy as np
import pytest

import airdecon
from airdecon.errors import RecordError


def good(**kw):  # type: ignore[no-untyped-def]
    rec = {
        "id": "BLUE-01",
        "party": "BLUE",
        "lat": 35.0,
        "lon": 38.0,
        "alt_ft": 25000,
        "gs_kt": 450,
        "trk_deg": 90,
    }
    rec.update(kw)
    return rec


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("lat", math.nan, "finite"),
        ("lat", math.inf, "finite"),
        ("lat", 90.5, "out of range"),
        ("lat", -91, "out of range"),
        ("lon", 361.0, "out of range"),
        ("lon", "38", "must be a number"),
        ("alt_ft", None, "missing"),
        ("alt_ft", True, "must be a number"),
        ("gs_kt", -1.0, "out of range"),
        ("gs_kt", 1e6, "out of range"),
        ("trk_deg", math.nan, "finite"),
        ("vs_fpm", -math.inf, "finite"),
        ("id", "", "non-empty"),
        ("id", 7, "non-empty string"),
        ("party", "", "non-empty"),
    ],
)
def test_bad_field_is_named(field, value, needle):  # type: ignore[no-untyped-def]
    with pytest.raises(RecordError) as info:
        airdecon.Fleet.from_records([good(id="OK-1"), good(**{field: value})])
    err = info.value
    assert err.field == field
    assert needle in str(err)
    # the message names the offending record (its id when it has a usable one, else its index)
    assert ("BLUE-01" in str(err)) or ("#1" in str(err))
    assert isinstance(err, ValueError) and isinstance(err, airdecon.AirdeconError)


@pytest.mark.parametrize("missing", ["id", "lat", "lon", "alt_ft", "gs_kt", "trk_deg", "party"])
def test_missing_fields(missing):  # type: ignore[no-untyped-def]
    rec = good()
    del rec[missing]
    with pytest.raises(RecordError, match=f"'{missing}'.*missing"):
        airdecon.Fleet.from_records([rec])


def test_duplicate_ids_are_refused():
    with pytest.raises(RecordError, match="duplicate id"):
        airdecon.Fleet.from_records([good(), good(lat=36.0)])


def test_empty_fleet_is_valid_and_has_no_conflicts():
    fleet = airdecon.Fleet.from_records([])
    assert len(fleet) == 0
    result = airdecon.detect(fleet)
    assert len(result) == 0 and list(result) == []
    assert len(airdecon.detect(airdecon.Fleet.empty(), backend="grid")) == 0


def test_longitudes_in_the_0_360_convention_are_normalised():
    fleet = airdecon.Fleet.from_records([good(lon=190.0), good(id="B", lon=-200.0), good(id="C", lon=180.0)])
    assert fleet.lon_deg.tolist() == [-170.0, 160.0, -180.0]


def test_vs_defaults_to_zero_and_units_are_si_inside():
    fleet = airdecon.Fleet.from_records([good()])
    assert fleet.vs_mps[0] == 0.0
    assert fleet.alt_m[0] == pytest.approx(25000 * 0.3048)
    assert fleet.gs_mps[0] == pytest.approx(450 * 1852 / 3600)
    assert fleet.to_records()[0]["alt_ft"] == pytest.approx(25000)


def test_from_arrays_validates_too():
    with pytest.raises(RecordError, match=r"B.*'lat'"):
        airdecon.Fleet.from_arrays(
            ids=["A", "B"], lat_deg=[1.0, np.nan], lon_deg=[0, 0], alt_m=[0, 0], gs_mps=[0, 0], trk_deg=[0, 0]
        )
    with pytest.raises(RecordError, match="expected 2 values"):
        airdecon.Fleet.from_arrays(
            ids=["A", "B"], lat_deg=[1.0], lon_deg=[0, 0], alt_m=[0, 0], gs_mps=[0, 0], trk_deg=[0, 0]
        )


def test_non_object_record():
    with pytest.raises(RecordError, match="#0"):
        airdecon.Fleet.from_records([["not", "a", "mapping"]])  # type: ignore[list-item]
