"""The public surfaces of ingest, tracking and replay, and the ingest error family."""

from __future__ import annotations

import importlib

import pytest

import airdecon.errors as errors
from airdecon.errors import AirdeconError, DecodeError, IngestError, InputError


@pytest.mark.parametrize("name", ["airdecon.ingest", "airdecon.tracking", "airdecon.replay"])
def test_all_lists_exactly_the_public_names(name: str) -> None:
    mod = importlib.import_module(name)
    public = {n for n in dir(mod) if not n.startswith("_")} - {"annotations", "Any"}
    public -= {
        n
        for n in public
        if getattr(getattr(mod, n), "__name__", "") == n and type(getattr(mod, n)).__name__ == "module"
    }
    assert set(mod.__all__) >= public
    for n in mod.__all__:
        assert getattr(mod, n) is not None


def test_ingest_error_family() -> None:
    e = DecodeError("bad-hex", "zz" * 200, "not hex", source="feed.avr")
    assert isinstance(e, IngestError) and isinstance(e, InputError) and isinstance(e, ValueError)
    assert isinstance(e, AirdeconError)
    assert e.kind == "bad-hex" and len(e.raw) == 200 and e.source == "feed.avr"
    assert str(e).startswith("feed.avr: bad-hex: not hex")
    assert str(IngestError("no such file", source="x.bin")) == "x.bin: no such file"
    doc = errors.__doc__ or ""
    assert "IngestError" in doc and "DecodeError" in doc
    assert {"IngestError", "DecodeError"} <= set(errors.__all__)


def test_pymodes_is_imported_only_for_raw_frames() -> None:
    import subprocess
    import sys

    code = (
        "import sys, airdecon.ingest, airdecon.replay, airdecon.tracking\n"
        "assert 'pyModeS' not in sys.modules\n"
        "from airdecon.ingest import ModeSDecoder\n"
        "ModeSDecoder()\n"
        "assert 'pyModeS' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_memory_source_batches_in_order() -> None:
    from airdecon.ingest import MemorySource, Observation, Observations

    obs = Observations.from_rows([Observation(float(t), "abcdef") for t in range(25)])
    src = MemorySource(obs, batch=10)
    sizes = [len(b) for b in src.batches()]
    assert sizes == [10, 10, 5] and src.rejects.total == 25
