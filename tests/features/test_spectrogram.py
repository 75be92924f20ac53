"""LogMelSpectrogram and Spectrogram against librosa; their layouts and names.

Tolerances: dB outputs ``atol=1e-3`` dB (the issue's bound); linear power and
magnitude ``rtol=1e-3`` plus ``atol=1e-5`` of the clip's largest value (float32
FFTs on both sides; tiny bins between harmonics carry only rounding).
"""

from __future__ import annotations

import warnings

import librosa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.features import LogMelSpectrogram, Spectrogram

DB_ATOL = 1e-3


def speechlike(rng, n, sr=16000):
    t = np.arange(n) / sr
    y = (
        0.3 * np.sin(2 * np.pi * 220 * t)
        + 0.2 * np.sin(2 * np.pi * (300 + 1500 * t) * t)
        + 0.05 * rng.standard_normal(n)
    )
    return y.astype(np.float32)


def _stft_kw(est):
    fr = est._framing()
    return dict(
        n_fft=fr.n_fft,
        hop_length=fr.hop_length,
        win_length=fr.win_length,
        window=est.window,
        center=est.center,
        pad_mode=est.pad_mode,
    )


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # n_fft > a one-window clip
        return fn(*args, **kw)


LOGMEL_CASES = [
    dict(),
    dict(win_ms=25, n_mels=64, window="hann"),
    dict(sr=22050, n_mels=128, fmin=60.0, fmax=11025.0, top_db=60.0),
    dict(center=False, n_mels=40, win_ms=32, hop_ms=16, top_db=None),
    dict(pad_mode="reflect", n_mels=26),
]


@pytest.mark.parametrize("params", LOGMEL_CASES, ids=str)
def test_log_mel_matches_librosa(params, rng):
    est = LogMelSpectrogram(**params)
    sr = est.sr
    kw = _stft_kw(est)
    X = [speechlike(rng, n, sr) for n in (est._framing().min_samples, sr + 123)]
    out = est.fit_transform(X)
    for y, got in zip(X, out, strict=True):
        mel = _quiet(
            librosa.feature.melspectrogram, y=y, sr=sr, n_mels=est.n_mels,
            fmin=est.fmin, fmax=est.fmax, **kw,
        )
        ref = librosa.power_to_db(mel, top_db=est.top_db)
        assert got.shape == (1, est.n_mels, ref.shape[-1])
        assert got.dtype == np.float32
        np.testing.assert_allclose(got[0], ref, rtol=0, atol=DB_ATOL)


@pytest.mark.parametrize("params", [dict(), dict(win_ms=32, window="hann"),
                                    dict(center=False, hop_ms=5)], ids=str)
def test_spectrogram_scales_match_librosa_stft(params, rng):
    y = speechlike(rng, 7000)
    stft = None
    for scale in ("power", "magnitude", "db"):
        est = Spectrogram(scale=scale, **params)
        if stft is None:
            stft = np.abs(librosa.stft(y, **_stft_kw(est)))
        (got,) = est.transform([y])
        assert got.shape == (1, est._framing().n_fft // 2 + 1, stft.shape[-1])
        if scale == "power":
            ref = stft**2
        elif scale == "magnitude":
            ref = stft
        else:
            ref = librosa.power_to_db(stft**2, top_db=80.0)
            np.testing.assert_allclose(got[0], ref, rtol=0, atol=DB_ATOL)
            continue
        np.testing.assert_allclose(got[0], ref, rtol=1e-3, atol=1e-5 * ref.max())


def test_spectrogram_db_top_db_none_keeps_the_full_range(rng):
    y = speechlike(rng, 4000)
    (floored,) = Spectrogram(scale="db").transform([y])
    (full,) = Spectrogram(scale="db", top_db=None).transform([y])
    assert floored.max() - floored.min() <= 80 + 1e-3
    assert full.max() - full.min() > 80
    np.testing.assert_allclose(np.maximum(full, full.max() - 80), floored, atol=1e-4)


def test_spectrogram_peak_is_at_the_sine_frequency():
    sr = 16000
    t = np.arange(sr) / sr
    est = Spectrogram(scale="power", win_ms=64)  # n_fft 1024: 15.625 Hz bins
    names = est.get_feature_names_out()
    for f in (250.0, 1000.0, 3000.0):
        (S,) = est.transform([np.sin(2 * np.pi * f * t)])
        k = int(S[0, :, 10:-10].mean(axis=1).argmax())
        assert abs(k * sr / 1024 - f) <= sr / 1024
        assert names[k] == f"bin{k}"


def test_feature_names():
    assert list(LogMelSpectrogram(n_mels=3).get_feature_names_out()) == [
        "mel0", "mel1", "mel2"]
    names = Spectrogram(win_ms=32).get_feature_names_out()  # n_fft 512
    assert len(names) == 257 and names[0] == "bin0" and names[-1] == "bin256"
    assert len(Spectrogram(n_fft=2048).get_feature_names_out()) == 1025


@pytest.mark.parametrize("Est", [LogMelSpectrogram, Spectrogram])
def test_max_frames_and_crop(Est, rng):
    X = [speechlike(rng, n) for n in (8000, 2400)]  # 51 and 16 frames
    ragged = Est().transform(X)
    dense = Est(max_frames=30, crop="center", pad_value=-1.0).transform(X)
    assert dense.shape == (2, 1, ragged[0].shape[1], 30)
    np.testing.assert_array_equal(dense[0], ragged[0][..., 10:40])
    np.testing.assert_array_equal(dense[1, ..., :16], ragged[1])
    np.testing.assert_array_equal(dense[1, ..., 16:], -1.0)


@pytest.mark.parametrize("Est", [LogMelSpectrogram, Spectrogram])
def test_n_jobs_and_batches_do_not_change_the_numbers(Est, rng):
    X = [speechlike(rng, int(n)) for n in rng.integers(700, 6000, 9)]
    ref = Est(n_jobs=1, batch_size=2).transform(X)
    for a, b in zip(ref, Est(n_jobs=2, batch_size=2).transform(X), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, y in zip(ref, X, strict=True):
        np.testing.assert_allclose(a, Est().transform([y])[0], rtol=1e-5, atol=1e-4)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), gain=st.floats(0.05, 20.0))
def test_gain_adds_a_constant_in_db(seed, gain):
    y = np.random.default_rng(seed).standard_normal(3000).astype(np.float32) * 0.1
    g = np.float32(gain)
    for est in (LogMelSpectrogram(top_db=None), Spectrogram(top_db=None)):
        a, b = est.transform([y, y * g])
        # Bins more than 60 dB below the loudest hold float32 round-off of the FFT
        # (a Nyquist bin of white noise can be ~1e-7 of the peak power): there the
        # difference is noise, not a property of the transform.
        audible = np.minimum(a, b - 20 * np.log10(float(g))) > a.max() - 60.0
        assert audible.mean() > 0.9
        np.testing.assert_allclose(
            (b - a)[audible], 20 * np.log10(float(g)), atol=2e-3
        )


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**16), k=st.integers(1, 10))
def test_power_spectrogram_is_equivariant_to_whole_hop_shifts(seed, k):
    y = np.random.default_rng(seed).standard_normal(3000).astype(np.float32)
    est = Spectrogram(scale="power", center=False)
    full, shifted = est.transform([y, y[k * 160 :]])
    np.testing.assert_allclose(
        shifted, full[..., k:], rtol=1e-5, atol=1e-6 * full.max()
    )
