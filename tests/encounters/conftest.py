"""The MIT Lincoln Laboratory model files, read once per session from ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from airdecon.encounters import EncounterModel, read_model


@pytest.fixture(scope="session")
def model_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "encounter-models" / "model"


@pytest.fixture(scope="session")
def cor(model_dir: Path) -> EncounterModel:
    return read_model(model_dir / "cor_v1.txt")


@pytest.fixture(scope="session")
def dueregard(model_dir: Path) -> EncounterModel:
    return read_model(model_dir / "dueregard_v1.txt")
