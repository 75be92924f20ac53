"""The pure functions beside the transformers: deltas, power_to_db, stft_power,
mel_spectrogram, log_mel_spectrogram, mfcc (against librosa, tolerances as in
test_mfcc.py / test_spectrogram.py)."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.features import (
    MFCC,
    LogMelSpectrogram,
    deltas,
    log_mel_spectrogram,
    mel_spectrogram,
    mfcc,
    power_to_db,
    stft_power,
)


@pytest.mark.parametrize("width", [3, 5, 9, 11])
@pytest.mark.parametrize("order", [1, 2])
def test_deltas_match_librosa(width, order, rng):
    data = rng.normal(scale=10.0, size=(2, 7, 40)).astype(np.float32)
    got = deltas(data, order=order, width=width)
    ref = librosa.feature.delta(data, order=order, width=width, axis=-1)
    assert got.shape == data.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-4)


def test_deltas_at_exactly_width_frames_match_librosa(rng):
    data = rng.normal(size=(5, 9)).astype(np.float32)
    for order in (1, 2):
        np.testing.assert_allclose(
            deltas(data, order=order), librosa.feature.delta(data, order=order),
            atol=1e-5,
        )


@settings(max_examples=50, deadline=None)
@given(
    a=st.floats(-100, 100), b=st.floats(-10, 10), c=st.floats(-1, 1),
    n=st.integers(3, 60), width=st.sampled_from([3, 5, 9]),
)
def test_deltas_are_exact_on_polynomials(a, b, c, n, width):
    # the Savitzky-Golay derivative (and the polynomial fits at the edges and of
    # short inputs) reproduce a polynomial of degree `order` exactly, everywhere
    t = np.arange(n, dtype=np.float64)
    line = (a + b * t)[None].astype(np.float32)
    np.testing.assert_allclose(deltas(line, order=1, width=width), b, atol=1e-3)
    parabola = (a + b * t + c * t**2)[None].astype(np.float32)
    np.testing.assert_allclose(deltas(parabola, order=2, width=width), 2 * c, atol=2e-3)


def test_deltas_do_not_modify_input(rng):
    data = rng.normal(size=(3, 20))
    before = data.copy()
    deltas(data, order=2)
    np.testing.assert_array_equal(data, before)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(order=0), r"'order' parameter of deltas must be an int in the range \[1"),
        (dict(order=1.5), "'order' parameter of deltas must be an int"),
        (dict(width=4), "width must be an odd integer >= 3, got 4"),
        (dict(width=1), r"'width' parameter of deltas must be an int in the range \[3"),
    ],
)
def test_deltas_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        deltas(np.ones((2, 10)), **kw)


def test_deltas_need_frames():
    with pytest.raises(ValueError, match=r"frames on its last axis, got \(3, 0\)"):
        deltas(np.ones((3, 0)))


@pytest.mark.parametrize("top_db", [80.0, 40.0, None])
def test_power_to_db_matches_librosa(top_db, rng):
    S = rng.exponential(size=(2, 30, 50)) ** 4
    S[0, 0, 0] = 0.0  # amin
    before = S.copy()
    got = power_to_db(S, top_db=top_db)
    np.testing.assert_allclose(got, librosa.power_to_db(S, top_db=top_db), atol=1e-3)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(S, before)


def _signal(rng, n=12000):
    t = np.arange(n) / 16000
    return (np.sin(2 * np.pi * 440 * t) + 0.1 * rng.standard_normal(n)).astype(
        np.float32)


def test_stft_power_matches_librosa(rng):
    y = _signal(rng)
    S = stft_power(y, sr=16000, n_fft=512, win_length=400, hop_length=160)
    ref = np.abs(librosa.stft(y, n_fft=512, win_length=400, hop_length=160,
                              window="hamming")) ** 2
    assert S.shape == (1, *ref.shape)
    np.testing.assert_allclose(S[0], ref, rtol=1e-3, atol=1e-5 * ref.max())


def test_function_defaults_are_40ms_window_10ms_hop(rng):
    y = _signal(rng)
    S = stft_power(y, sr=16000)
    assert S.shape == (1, 513, 1 + y.size // 160)  # 640-sample window, n_fft 1024
    S8 = stft_power(y, sr=8000)
    assert S8.shape == (1, 257, 1 + y.size // 80)  # 320-sample window, n_fft 512


def test_mel_spectrogram_matches_librosa(rng):
    y = _signal(rng)
    M = mel_spectrogram(y, sr=16000, n_mels=32, fmin=100.0, fmax=6000.0)
    ref = librosa.feature.melspectrogram(
        y=y, sr=16000, n_fft=1024, win_length=640, hop_length=160, window="hamming",
        n_mels=32, fmin=100.0, fmax=6000.0,
    )
    np.testing.assert_allclose(M[0], ref, rtol=1e-3, atol=1e-5 * ref.max())


def test_single_waveform_gives_an_array_and_a_collection_a_list(rng):
    y, z = _signal(rng, 5000), _signal(rng, 7000)
    for fn in (stft_power, mel_spectrogram, log_mel_spectrogram, mfcc):
        one = fn(y, sr=16000)
        many = fn([y, z], sr=16000)
        assert isinstance(one, np.ndarray) and one.ndim == 3
        assert isinstance(many, list) and len(many) == 2
        np.testing.assert_allclose(many[0], one, rtol=1e-5, atol=1e-4)
        assert many[1].shape[-1] == 1 + 7000 // 160


def test_functions_equal_their_transformers(rng):
    X = [_signal(rng, n) for n in (5000, 9000)]
    got = mfcc(X, sr=16000, n_mfcc=13, n_deltas=2, hop_length=160, win_length=640)
    ref = MFCC(n_mfcc=13, deltas=2).transform(X)
    for a, b in zip(got, ref, strict=True):
        np.testing.assert_array_equal(a, b)
    got = log_mel_spectrogram(X, sr=16000, n_mels=40, win_length=400)
    ref = LogMelSpectrogram(win_ms=25).transform(X)
    for a, b in zip(got, ref, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(n_mfcc=50, n_mels=40), "n_mfcc=50 exceeds n_mels=40"),
        (dict(n_deltas=3), "'n_deltas' parameter of mfcc must be a int among {0, 1, 2}"),
        (dict(delta_width=8), "delta_width must be an odd integer >= 3, got 8"),
        (dict(stack="rows"), "'stack' parameter of mfcc must be a str among"),
        (dict(n_fft=256, win_length=640), "n_fft=256 is shorter than the 640-sample"),
        (dict(window="nope"), "window='nope' is not a window"),
        (dict(pad_mode="wrap"), "'pad_mode' parameter of mfcc must be a str among"),
    ],
)
def test_mfcc_function_bad_arguments(kw, match, rng):
    with pytest.raises(ValueError, match=match):
        mfcc(_signal(rng, 2000), sr=16000, **kw)


def test_functions_reject_bad_audio_naming_themselves(rng):
    with pytest.raises(ValueError, match="mfcc: utterance 1 is silent"):
        mfcc([_signal(rng, 2000), np.zeros(2000)], sr=16000)
    with pytest.raises(ValueError, match="stft_power: utterance 0 has 100 samples"):
        stft_power(np.ones(100), sr=16000)
