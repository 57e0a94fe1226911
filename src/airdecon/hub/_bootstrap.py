"""Starting a hub: which protocol it runs on, its store and its checkpoint key.

* A protocol **directory** (``airdecon protocol init``): the version signed by every party is used;
  the hub refuses to start when no version is in force.
* A protocol **file**: used as is and reported as *not in force* (for rehearsals).
* Nothing: the built-in three-party demo protocol (BLUE and RED forces, CIVIL traffic), negotiated
  and signed on the spot with fresh keys (:func:`demo_protocol`), so the whole flow is real.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from airdecon.audit import HubKey
from airdecon.errors import ProtocolError
from airdecon.hub._settings import HubSettings
from airdecon.protocol import ProtocolDocument, ProtocolStore
from airdecon.protocol._signing import generate_private_key, private_key_to_pem, public_key_text
from airdecon.store import Store, open_store

__all__ = ["DEMO_PARTIES", "build_hub", "demo_protocol", "load_hub_key", "load_protocol", "open_hub_store",
           "public_key_path"]

#: The demo's parties: (id, name, role)
DEMO_PARTIES = (
    ("BLUE", "Blue Air Force", "party"),
    ("RED", "Red Air Force", "party"),
    ("CIVIL", "Civil traffic (air navigation service provider feed)", "civil"),
)


#: The demo's terminal areas: 3 NM below 10,000 ft around three airfields, as approach control
#: separates (the en-route 5 NM elsewhere); the descent floor is raised over them (terrain).
DEMO_TERMINALS: tuple[tuple[str, float, float], ...] = (
    ("Aleppo terminal area", 36.18, 37.22),
    ("Hama terminal area", 35.12, 36.71),
    ("Damascus terminal area", 33.41, 36.52),
)


def _box(lat: float, lon: float, half: float = 0.35) -> list[list[float]]:
    corners = ((-half, -half), (-half, half), (half, half), (half, -half))
    return [[round(lat + a, 4), round(lon + o, 4)] for a, o in corners]


def demo_document(keys: dict[str, Any]) -> ProtocolDocument:
    """The demo protocol: 5 NM / 1000 ft en route, 3 NM in three terminal areas below 10,000 ft
    (with a 3,000 ft advisory floor there), 300 s look-ahead, the three demo parties."""
    return ProtocolDocument.from_mapping(
        {
            "format": "airdecon.protocol/1",
            "title": "Deconfliction over the eastern Mediterranean (demo)",
            "minima": {
                "default": {"horizontal_nm": 5.0, "vertical_ft": 1000.0},
                "volumes": [
                    {"name": name, "polygon_deg": _box(lat, lon), "ceiling_ft": 10000, "horizontal_nm": 3.0}
                    for name, lat, lon in DEMO_TERMINALS
                ],
            },
            "advisories": {
                "floors": [
                    {"name": name, "polygon_deg": _box(lat, lon), "ceiling_ft": 10000,
                     "descent_floor_ft": 3000}
                    for name, lat, lon in DEMO_TERMINALS
                ],
            },
            "parties": [
                {
                    "id": pid,
                    "name": name,
                    "role": role,
                    "signing_key": public_key_text(keys[pid]),
                    "contacts": [{"name": f"{pid} duty officer", "phone": "+0 000 0000"}],
                }
                for pid, name, role in DEMO_PARTIES
            ],
        }
    )


def demo_protocol(directory: str | Path) -> Path:
    """Negotiate the demo protocol in *directory*: BLUE proposes, RED and CIVIL sign; keys are
    written as ``<PARTY>.key``. Returns the protocol directory (a version is in force)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    keys = {pid: generate_private_key() for pid, _, _ in DEMO_PARTIES}
    for pid, key in keys.items():
        path = d / f"{pid}.key"
        path.write_bytes(private_key_to_pem(key))
        os.chmod(path, 0o600)
    store = ProtocolStore.init(d / "protocol")
    n = store.load()
    when = datetime.now(UTC)
    version, _ = n.propose(demo_document(keys), "BLUE", keys["BLUE"], when)
    for pid in ("RED", "CIVIL"):
        n.accept(version.digest, pid, keys[pid], when)
    store.save(n)
    return d / "protocol"


def load_protocol(spec: str | None, *, scratch: Path) -> tuple[ProtocolDocument, bool, dict[str, Any]]:
    """The hub's protocol: (document, in force?, signatures by party)."""
    if spec is None:
        spec = str(demo_protocol(scratch))
    p = Path(spec)
    if p.is_dir():
        n = ProtocolStore(p).load()
        version = n.in_force()
        if version is None:
            raise ProtocolError(f"{p}: no version of the protocol is signed by every party yet")
        sigs = {party: sig.to_mapping() for party, sig in n.signatures.get(version.digest, {}).items()}
        return version.document, True, sigs
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ProtocolError(f"{p}: cannot read: {exc.strerror or exc}") from None
    return ProtocolDocument.parse(data, source=str(p)), False, {}


def load_hub_key(settings: HubSettings) -> HubKey:
    """The hub's checkpoint key: read from its file, or created there (mode 600), or in memory.

    Its public key is written beside it (``<key>.pub``, as ``airdecon audit keygen`` does) when
    missing, to hand to the parties and the working group: ``airdecon audit verify --pub``.
    """
    path = settings.hub_key_path()
    if path is None:
        return HubKey.generate()
    if path.exists():
        key = HubKey.from_pem(path.read_bytes())
    else:
        key = HubKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(key.private_pem())
        os.chmod(path, 0o600)
    pub = public_key_path(path)
    if not pub.exists():
        pub.write_bytes(key.public_pem())
    return key


def public_key_path(key_path: Path) -> Path:
    """Where the public key of the key file *key_path* is written: ``<key_path>.pub``."""
    return key_path.with_name(key_path.name + ".pub")


def open_hub_store(settings: HubSettings, key: HubKey) -> Store:
    """The hub's store, signing checkpoints with *key*."""
    return open_store(settings.db, signer=key, checkpoint_every=settings.checkpoint_every)


def build_hub(settings: HubSettings, *, scratch: Path, clock: Any = None) -> Any:
    """Assemble a :class:`~airdecon.hub.Hub` from settings: key, store, protocol (caller closes
    ``hub.store``)."""
    import time

    from airdecon.hub._service import Hub

    key = load_hub_key(settings)
    document, in_force, signatures = load_protocol(settings.protocol, scratch=scratch)
    store = open_hub_store(settings, key)
    try:
        pdir = Path(settings.protocol) if settings.protocol and Path(settings.protocol).is_dir() else None
        if settings.protocol is None:
            pdir = scratch / "protocol"
        return Hub(
            settings,
            store,
            document,
            in_force=in_force,
            hub_key=key,
            signatures=signatures,
            clock=clock or time.time,
            protocol_dir=pdir,
        )
    except Exception:
        store.close()
        raise
