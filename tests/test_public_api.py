"""The curated public surface: __all__ lists exactly the public names, at the root and per domain."""

from __future__ import annotations

import importlib
import types

import pytest

import airdecon

DOMAINS = [
    "airdecon",
    "airdecon.geometry",
    "airdecon.state",
    "airdecon.detection",
    "airdecon.protocol",
    "airdecon.scenario",
    "airdecon.alerting",
    "airdecon.documents",
    "airdecon.encounters",
    "airdecon.simulation",
]


@pytest.mark.parametrize("name", DOMAINS)
def test_all_matches_public_names(name):  # type: ignore[no-untyped-def]
    mod = importlib.import_module(name)
    public = {
        n
        for n, v in vars(mod).items()
        if not n.startswith("_")
        and not isinstance(v, types.ModuleType)
        and getattr(v, "__module__", "").startswith("airdecon")
    }
    assert set(mod.__all__) >= public - {"annotations"}
    for n in mod.__all__:
        assert hasattr(mod, n), n


def test_root_exports_the_engine():
    for n in ("detect", "load_scenario", "Fleet", "ConflictSet", "SafetyProtocol", "AirdeconError"):
        assert n in airdecon.__all__
