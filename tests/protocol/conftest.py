"""Shared fixtures for the protocol tests: real Ed25519 keys and a valid document to vary."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from airdecon.protocol import FORMAT, generate_private_key, public_key_text

PARTIES = ("BLUE", "RED", "CIVIL")
T0 = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """A fixed instant *minutes* after T0 (the tests never read the clock)."""
    return T0 + timedelta(minutes=minutes)


@pytest.fixture(scope="session")
def keys() -> dict[str, Ed25519PrivateKey]:
    """One real Ed25519 key per party (plus a spare for attackers and rotations)."""
    return {p: generate_private_key() for p in (*PARTIES, "GREEN", "MALLORY")}


def document(keys: dict[str, Ed25519PrivateKey], **sections: Any) -> dict[str, Any]:
    """A valid document mapping for BLUE, RED and CIVIL; keyword arguments replace sections."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "title": "Deconfliction over the eastern Mediterranean",
        "parties": [
            {
                "id": "BLUE",
                "name": "Blue Air Force",
                "role": "party",
                "signing_key": public_key_text(keys["BLUE"]),
                "contacts": [{"name": "Blue CAOC duty officer", "phone": "+1 555 0100"}],
            },
            {
                "id": "RED",
                "name": "Red Aerospace Forces",
                "role": "party",
                "signing_key": public_key_text(keys["RED"]),
                "contacts": [{"name": "Red operations centre", "phone": "+7 495 0000000"}],
            },
            {
                "id": "CIVIL",
                "name": "Civil aviation authority",
                "role": "civil",
                "signing_key": public_key_text(keys["CIVIL"]),
                "contacts": [
                    {"name": "ACC supervisor", "phone": "+90 312 000 0000", "email": "acc@example.org"}
                ],
            },
        ],
    }
    doc.update(copy.deepcopy(sections))
    return doc
