"""make_emotional_speech: determinism, shapes, counts, prosody directions."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.datasets import make_emotional_speech

SMALL = dict(n_per_class=3, classes=("anger", "sadness"), n_speakers=3)


def test_same_seed_same_corpus():
    a = make_emotional_speech(**SMALL, random_state=7)
    b = make_emotional_speech(**SMALL, random_state=np.random.RandomState(7))
    assert len(a.X) == len(b.X) == 6
    for xa, xb in zip(a.X, b.X):
        np.testing.assert_array_equal(xa, xb)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.speaker, b.speaker)


def test_different_seeds_differ():
    a = make_emotional_speech(**SMALL, random_state=0)
    b = make_emotional_speech(**SMALL, random_state=1)
    assert any(
        xa.shape != xb.shape or not np.array_equal(xa, xb) for xa, xb in zip(a.X, b.X)
    )


def test_tiny_corpus_fixture(tiny_corpus):
    data = tiny_corpus
    assert set(data) >= {"X", "y", "speaker", "gender", "sr", "target_names", "DESCR"}
    assert data.X.shape == data.y.shape == data.speaker.shape == (24,)
    assert data.X.dtype == object and data.sr == 16000
    assert data.target_names.tolist() == ["anger", "happiness", "neutral", "sadness"]
    assert Counter(data.y.tolist()) == {c: 6 for c in data.target_names}
    for c in data.target_names:  # every speaker speaks every emotion
        assert set(data.speaker[data.y == c]) == {"spk00", "spk01", "spk02", "spk03"}
    for wave in data.X:
        assert wave.dtype == np.float32 and wave.ndim == 1
        assert 16000 <= len(wave) <= 48000  # duration (1.0, 3.0) s
        assert np.isfinite(wave).all()
        assert 0 < np.abs(wave).max() <= 1.0
    gender = dict(zip(data.speaker.tolist(), data.gender.tolist()))
    assert gender == {
        "spk00": "female", "spk01": "male", "spk02": "female", "spk03": "male"
    }  # fmt: skip
    assert "24 utterances" in data.DESCR


def test_default_classes_and_shuffle():
    data = make_emotional_speech(n_per_class=1, n_speakers=1, duration=0.5,
                                 shuffle=False, random_state=0)  # fmt: skip
    assert data.y.tolist() == [
        "anger", "boredom", "disgust", "fear", "happiness", "neutral", "sadness"
    ]  # fmt: skip
    assert all(len(w) == 8000 for w in data.X)


def test_return_X_y_and_other_rates():
    X, y = make_emotional_speech(
        n_per_class=2, classes=["calm", "surprise"], n_speakers=2, sr=8000,
        duration=(0.5, 0.6), random_state=0, return_X_y=True,
    )  # fmt: skip
    assert X.shape == y.shape == (4,)
    assert all(4000 <= len(w) <= 4800 for w in X)


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_per_class=st.integers(1, 3),
    n_speakers=st.integers(1, 4),
    lo=st.floats(0.2, 1.0),
    noise=st.floats(0.0, 0.5),
)
def test_valid_audio_property(seed, n_per_class, n_speakers, lo, noise):
    data = make_emotional_speech(
        n_per_class=n_per_class, classes=["anger", "fear", "boredom"],
        n_speakers=n_speakers, duration=(lo, lo + 0.3), noise_level=noise,
        random_state=seed,
    )  # fmt: skip
    assert Counter(data.y.tolist()) == {c: n_per_class for c in data.target_names}
    assert len(set(data.speaker.tolist())) == min(n_speakers, n_per_class)
    for wave in data.X:
        assert wave.dtype == np.float32
        assert round(lo * 16000) - 1 <= len(wave) <= round((lo + 0.3) * 16000) + 1
        assert np.isfinite(wave).all() and np.abs(wave).max() <= 1.0
        assert np.abs(wave).max() > 0


def _f0(wave: np.ndarray, sr: int = 16000) -> float:
    """Median autocorrelation pitch (Hz) of the loud 40 ms frames."""
    n, hop = 640, 320
    frames = np.lib.stride_tricks.sliding_window_view(wave, n)[::hop].astype(float)
    energy = (frames**2).sum(axis=1)
    frames = frames[energy > 0.3 * energy.max()]
    frames = frames - frames.mean(axis=1, keepdims=True)
    spec = np.fft.rfft(frames * np.hanning(n), 2 * n)
    ac = np.fft.irfft(np.abs(spec) ** 2)[:, :n]
    lo, hi = sr // 500, sr // 60
    lags = lo + ac[:, lo:hi].argmax(axis=1)
    return float(np.median(sr / lags))


def _alpha_ratio(wave: np.ndarray, sr: int = 16000) -> float:
    """Energy 1-5 kHz over 50 Hz-1 kHz in dB (eGeMAPS' alpha ratio, inverted)."""
    spec = np.abs(np.fft.rfft(wave.astype(float))) ** 2
    freqs = np.fft.rfftfreq(len(wave), 1 / sr)
    high = spec[(freqs >= 1000) & (freqs < 5000)].sum()
    return float(10 * np.log10(high / spec[(freqs >= 50) & (freqs < 1000)].sum()))


@pytest.fixture(scope="module")
def prosody_corpus():
    return make_emotional_speech(
        n_per_class=8, classes=["anger", "boredom", "happiness", "neutral", "sadness"],
        n_speakers=4, duration=(1.0, 1.5), random_state=3,
    )  # fmt: skip


def _class_means(data, fn):
    return {c: np.mean([fn(w) for w in data.X[data.y == c]]) for c in data.target_names}


def test_prosody_directions(prosody_corpus):
    """Loudness, pitch and spectral balance follow the emotions' known profiles.

    Class means over a fixed seed; the generator draws every setting with noise,
    so only clear gaps of the profiles are asserted.
    """
    data = prosody_corpus
    rms_db = _class_means(data, lambda w: 10 * np.log10(np.mean(w.astype(float) ** 2)))
    assert rms_db["anger"] > rms_db["neutral"] > rms_db["sadness"]
    assert rms_db["happiness"] > rms_db["boredom"]
    log_f0 = _class_means(data, lambda w: np.log2(_f0(w)))
    assert log_f0["anger"] > log_f0["neutral"] > log_f0["sadness"]
    assert log_f0["happiness"] > log_f0["boredom"]
    # the flatter spectrum of anger (pressed voice) and happiness; against neutral
    # the raised F1 of anger blurs this crude measure, so only the far pairs
    alpha = _class_means(data, _alpha_ratio)
    assert alpha["anger"] > alpha["sadness"]
    assert alpha["happiness"] > alpha["boredom"]


def test_class_sep_zero_removes_the_differences():
    kw = dict(n_per_class=6, classes=["anger", "sadness"], n_speakers=3,
              duration=(1.0, 1.2), random_state=0)  # fmt: skip
    gaps = []
    for sep in (0.0, 1.0):
        data = make_emotional_speech(class_sep=sep, **kw)
        rms = _class_means(data, lambda w: 10 * np.log10(np.mean(w.astype(float) ** 2)))
        gaps.append(rms["anger"] - rms["sadness"])
    assert abs(gaps[0]) < 3.0 < gaps[1]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_per_class": 0}, ValueError, "n_per_class"),
        ({"n_speakers": 0}, ValueError, "n_speakers"),
        ({"classes": ["joy"]}, ValueError, r"unknown emotion\(s\) \['joy'\]"),
        ({"classes": "anger"}, TypeError, "classes"),
        ({"classes": []}, ValueError, "classes is empty"),
        ({"classes": ["anger", "anger"]}, ValueError, "duplicates"),
        ({"duration": (2.0, 1.0)}, ValueError, "min <= max"),
        ({"duration": (0.5, 1.0, 2.0)}, TypeError, "duration must be"),
        ({"noise_level": -1.0}, ValueError, "noise_level"),
        ({"sr": 100}, ValueError, "sr"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_emotional_speech(**{"n_per_class": 1, **kwargs})
