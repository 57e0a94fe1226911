"""`airdecon audit export` writes a window of any length a page at a time: the same document as
:func:`export_incident`, in memory that does not grow with the window."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest

from airdecon.audit import HubKey, _export, export_incident, verify_export, write_incident
from airdecon.cli import main
from airdecon.store import ALL, NewEvent, Store, open_store

T0 = 1_764_072_000.0


@pytest.fixture(scope="module")
def key() -> HubKey:
    return HubKey.generate()


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path, key: HubKey) -> Store:
    url = "memory://" if request.param == "memory" else str(tmp_path / "hub.db")
    s = open_store(url, signer=key, checkpoint_every=7)
    request.addfinalizer(s.close)
    audiences = [ALL, {"BLUE"}, {"RED"}, {"GREEN"}, {"BLUE", "RED"}]
    events = [NewEvent("report", ("BLUE", "RED", "GREEN", "HUB")[i % 4], {"i": i, "text": "é ✈"},
                       audience=audiences[i % 5]) for i in range(240)]
    for i in range(0, len(events), 40):
        s.append_many(events[i:i + 40], at=T0 + i)
    return s


@pytest.mark.parametrize("parties", [None, ["BLUE"], ["RED", "GREEN"], ["NOBODY"]])
@pytest.mark.parametrize("window", [(T0, T0 + 1000), (T0 + 40, T0 + 120), (T0 + 5000, T0 + 6000)])
def test_streamed_document_is_the_exported_one(
    store: Store, key: HubKey, parties: list[str] | None, window: tuple[float, float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_export, "PAGE", 13)  # many pages, one entry of the window across each edge
    out = io.StringIO()
    n = write_incident(store, out, *window, parties=parties)
    streamed = json.loads(out.getvalue())
    monkeypatch.setattr(_export, "PAGE", 100_000)
    doc = export_incident(store, *window, parties=parties)
    assert streamed == doc and n == len(doc["entries"])  # type: ignore[arg-type]
    verify_export(out.getvalue(), key.public_key, require_signed=False)


def test_cli_export_memory_does_not_grow_with_the_window(tmp_path: Path) -> None:
    keyfile = tmp_path / "hub.key"
    assert main(["audit", "keygen", "--out", str(keyfile)]) == 0
    db = tmp_path / "hub.db"
    s = open_store(db, signer=HubKey.from_pem(keyfile.read_bytes()), checkpoint_every=1000)
    blob = "x" * 2000
    for i in range(0, 12_000, 500):
        s.append_many([NewEvent("message", "BLUE", {"i": j, "text": blob}, audience={"RED"})
                       for j in range(i, i + 500)], at=T0 + i)
    s.checkpoint(at=T0 + 20_000)
    s.close()
    out = tmp_path / "incident.json"
    tracemalloc.start()
    try:
        assert main(["audit", "export", "--db", str(db), "--from", str(T0), "--to", str(T0 + 20_000),
                     "--party", "RED", "--out", str(out)]) == 0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = out.stat().st_size
    assert size > 24_000_000
    # Built in memory, the document and its text cost twice its size; streamed, a page or two.
    assert peak < size / 4, (peak, size)
    assert main(["audit", "check", str(out), "--pub", str(keyfile) + ".pub"]) == 0
