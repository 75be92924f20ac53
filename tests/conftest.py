"""Shared fixtures: seeding, the synthetic corpus, and the real corpora under SER_DATA."""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# One BLAS/torch thread per test process: with pytest-xdist the workers already use
# the cores, and oversubscribed threads make the small tensors of the tests slower.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def pytest_ignore_collect(collection_path, config):
    """The test folders' ``conftest.py`` files are plugins, not doctest modules:
    collected as modules under ``--doctest-modules`` they all import as top-level
    ``conftest`` and collide ("import file mismatch"). They hold no doctests."""
    if collection_path.name == "conftest.py":
        return True
    return None


def ser_data_home() -> Path:
    """The folder of real corpora: ``$SER_DATA``, else ``../shared/data`` beside the repo."""
    env = os.environ.get("SER_DATA")
    if env:
        return Path(env)
    return (REPO_ROOT / ".." / "shared" / "data").resolve()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``slow`` run first, the rest in their usual order.

    With pytest-xdist (the README's ``-n 2``) a long test that starts last keeps
    one worker busy after the other has run out of work; started first, the short
    tests fill in around it. The sort is stable, so every worker collects the same
    order, as xdist requires.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def _seed_everything():
    """Seed python and torch (if loaded) so tests are reproducible (as skorch's suite)."""
    random.seed(0)
    torch = __import__("sys").modules.get("torch")
    if torch is not None:
        torch.manual_seed(0)
    yield


@pytest.fixture(scope="session")
def ser_data() -> Path:
    """The real-corpora folder; skips the test when it is absent."""
    home = ser_data_home()
    if not home.is_dir():
        pytest.skip(
            f"real corpora not found at {home} (set SER_DATA to the folder holding "
            "emodb/ to run this test)"
        )
    return home


@pytest.fixture(scope="session")
def emodb_home(ser_data: Path) -> Path:
    """The EmoDB folder under SER_DATA; skips when it is not staged."""
    path = ser_data / "emodb"
    if not (path / "wav").is_dir():
        pytest.skip(f"EmoDB not staged under {ser_data} (expected emodb/wav/)")
    return path


@pytest.fixture(scope="session")
def tiny_corpus():
    """A small synthetic corpus (waveforms at 16 kHz): 4 classes x 6, 4 speakers."""
    from sklearn_ser.datasets import make_emotional_speech

    return make_emotional_speech(
        n_per_class=6,
        classes=("anger", "happiness", "neutral", "sadness"),
        n_speakers=4,
        random_state=0,
    )


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
