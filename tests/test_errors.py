"""The exception tree is pinned: one root, bad input is also a ValueError."""

from __future__ import annotations

import airdecon.errors as E


def test_tree():
    assert issubclass(E.InputError, E.AirdeconError) and issubclass(E.InputError, ValueError)
    assert issubclass(E.ScenarioError, E.InputError)
    assert issubclass(E.RecordError, E.InputError)
    assert issubclass(E.ProtocolError, E.AirdeconError) and issubclass(E.ProtocolError, ValueError)
    assert issubclass(E.InternalError, E.AirdeconError) and issubclass(E.InternalError, RuntimeError)
    for name in E.__all__:
        assert issubclass(getattr(E, name), E.AirdeconError)
        assert name in (E.__doc__ or ""), f"{name} missing from the drawn tree"


def test_record_error_keeps_values():
    err = E.RecordError("BLUE-01", "lat", 95.0, "out of range")
    assert (err.record, err.field, err.value) == ("BLUE-01", "lat", 95.0)
    assert str(err) == "aircraft BLUE-01: field 'lat' = 95.0: out of range"
    assert str(E.InternalError("x")) == "internal: x"
