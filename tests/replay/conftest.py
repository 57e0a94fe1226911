"""Shared fixtures: the recorded data lives outside the repository, in ../shared/data/."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared recordings (tests only: never copied into the repository)."""
    assert SHARED_DATA.is_dir(), f"the shared recordings are expected in {SHARED_DATA}"
    return SHARED_DATA
