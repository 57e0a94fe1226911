"""The store and audit surfaces: ``__all__`` lists exactly the public names; the root re-exports them."""

from __future__ import annotations

import importlib
import types

import pytest

import airdecon


@pytest.mark.parametrize("name", ["airdecon.store", "airdecon.audit", "airdecon.errors"])
def test_all_matches_public_names(name: str) -> None:
    mod = importlib.import_module(name)
    public = {
        n for n, v in vars(mod).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType)
        and getattr(v, "__module__", "").startswith("airdecon")
    }
    assert public <= set(mod.__all__)
    assert all(hasattr(mod, n) for n in mod.__all__)


def test_root_exports_the_store_and_audit() -> None:
    for n in ("open_store", "Store", "NewEvent", "Event", "HubKey", "verify_chain", "export_incident",
              "verify_export", "StoreError", "NotFound", "WriteConflict", "IntegrityError"):
        assert n in airdecon.__all__ and hasattr(airdecon, n)


def test_store_errors_in_the_tree() -> None:
    from airdecon import errors as E

    assert issubclass(E.StoreError, E.AirdeconError)
    assert issubclass(E.NotFound, E.StoreError) and issubclass(E.NotFound, LookupError)
    assert issubclass(E.WriteConflict, E.StoreError) and issubclass(E.IntegrityError, E.StoreError)
    for n in ("StoreError", "NotFound", "WriteConflict", "IntegrityError"):
        assert n in (E.__doc__ or "")
    err = E.IntegrityError(7, "edited")
    assert (err.seq, err.reason, str(err)) == (7, "edited", "audit chain broken at seq 7: edited")
