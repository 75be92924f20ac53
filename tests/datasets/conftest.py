"""Helpers of the corpus-loader tests: tiny audio files in fake corpus trees."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


def write_tone(
    path: Path, *, sr: int = 16000, n: int = 800, freq: float = 220.0
) -> Path:
    """A short sine tone at ``path`` (folders created); 16-bit PCM in WAV/FLAC."""
    import soundfile as sf

    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(n) / sr
    pcm = path.suffix.lower() in (".wav", ".flac")
    wave = 0.3 * np.sin(2 * np.pi * freq * t)
    sf.write(path, wave, sr, subtype="PCM_16" if pcm else None)
    return path


@pytest.fixture
def tone():
    """The :func:`write_tone` helper."""
    return write_tone


@pytest.fixture
def no_ser_data(monkeypatch):
    """Unset SER_DATA for the test."""
    monkeypatch.delenv("SER_DATA", raising=False)
