"""Shared fixtures: where the team's shared reference data lives (never skipped when missing)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``../shared`` folder beside the project (CI lays it there too)."""
    assert SHARED.is_dir(), f"../shared not found at {SHARED}: tests need the team's reference data"
    return SHARED
