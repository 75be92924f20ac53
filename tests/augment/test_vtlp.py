"""vtlp / vtlp_warp: vocal-tract-length perturbation of one waveform (Jaitly & Hinton
2013; li2021 §2.3)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.augment import VTLPResampler, vtlp, vtlp_warp

SR = 16000


def _tone(freq, seconds=1.0, sr=SR):
    t = np.arange(int(seconds * sr)) / sr
    return np.sin(2 * np.pi * freq * t).astype(np.float32)


def _peak_hz(y, sr=SR):
    spectrum = np.abs(np.fft.rfft(y * np.hanning(y.size)))
    return np.argmax(spectrum) * sr / y.size


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 6000), seed=st.integers(0, 2**16))
def test_alpha_one_is_an_exact_copy(n, seed):
    y = np.random.default_rng(seed).normal(size=n).astype(np.float32)
    out = vtlp(y, sr=SR, alpha=1.0)
    np.testing.assert_array_equal(out, y)
    assert out is not y and out.dtype == np.float32


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6000), alpha=st.floats(0.9, 1.1), seed=st.integers(0, 2**16))
def test_length_kept_for_any_alpha(n, alpha, seed):
    y = np.random.default_rng(seed).normal(size=n).astype(np.float32)
    before = y.copy()
    out = vtlp(y, sr=SR, alpha=alpha)
    assert out.shape == y.shape and out.dtype == np.float32
    assert np.all(np.isfinite(out))
    np.testing.assert_array_equal(y, before)  # input untouched


def test_warp_path_tends_to_identity_near_alpha_one():
    # the STFT/phase-vocoder path itself (not the alpha == 1 short cut) is continuous
    y = np.random.default_rng(0).normal(size=SR).astype(np.float32)
    for alpha in (1 + 1e-9, 1 - 1e-9):
        out = vtlp(y, sr=SR, alpha=alpha)
        assert np.linalg.norm(out - y) / np.linalg.norm(y) < 1e-4


@pytest.mark.parametrize("alpha", [0.9, 0.95, 1.05, 1.1])
@pytest.mark.parametrize("freq", [300.0, 1000.0])
def test_tones_below_f_hi_move_by_alpha(freq, alpha):
    out = vtlp(_tone(freq), sr=SR, alpha=alpha)
    assert _peak_hz(out) == pytest.approx(alpha * freq, abs=8)


def test_nyquist_side_follows_the_upper_piece_and_rms_is_kept():
    alpha, f = 1.1, 7000.0
    expected = vtlp_warp([f], alpha=alpha, sr=SR)[0]
    out = vtlp(_tone(f), sr=SR, alpha=alpha)
    assert _peak_hz(out) == pytest.approx(expected, abs=10)
    y = _tone(440.0)
    np.testing.assert_allclose(np.std(vtlp(y, sr=SR, alpha=0.9)), np.std(y), rtol=1e-3)


@settings(max_examples=30, deadline=None)
@given(alpha=st.floats(0.05, 1.95), f_hi_ratio=st.floats(0.05, 0.49))
def test_warp_map_properties(alpha, f_hi_ratio):
    f_hi = f_hi_ratio * SR
    freqs = np.linspace(0, SR / 2, 513)
    warped = vtlp_warp(freqs, alpha=alpha, sr=SR, f_hi=f_hi)
    assert warped[0] == 0.0 and warped[-1] == pytest.approx(SR / 2)
    assert np.all(np.diff(warped) > 0)  # increasing, so invertible
    boundary = f_hi * min(alpha, 1) / alpha
    low = freqs <= boundary
    np.testing.assert_allclose(warped[low], alpha * freqs[low])
    # continuous at the boundary
    eps = 1e-6
    lo, hi = vtlp_warp([boundary - eps, boundary + eps], alpha=alpha, sr=SR, f_hi=f_hi)
    assert hi - lo == pytest.approx(0.0, abs=1e-3)


def test_warp_map_is_identity_for_alpha_one():
    freqs = np.linspace(0, SR / 2, 101)
    np.testing.assert_array_equal(vtlp_warp(freqs, alpha=1.0, sr=SR), freqs)


@pytest.mark.parametrize("alpha", [0, 2, -0.5, 2.5, float("nan"), "1.1"])
def test_warp_factor_outside_0_2_is_rejected(alpha):
    with pytest.raises(ValueError, match="alpha"):
        vtlp(_tone(300), sr=SR, alpha=alpha)
    with pytest.raises(ValueError, match="alpha"):
        vtlp_warp([100.0], alpha=alpha, sr=SR)


@pytest.mark.parametrize(
    "y, kwargs, match",
    [
        (np.zeros((2, 100)), {}, "1-D"),
        (np.zeros(0), {}, "1-D"),
        (np.array([0.0, np.inf]), {}, "NaN"),
        (np.zeros(100), {"f_hi": 9000}, "f_hi"),
        (np.zeros(100), {"f_hi": 0}, "f_hi"),
        (np.zeros(100), {"n_fft": 2}, "n_fft"),
        (np.zeros(100), {"hop_length": 400}, "hop_length"),
        (np.zeros(100), {"sr": -1}, "sr"),
    ],
)
def test_bad_input(y, kwargs, match):
    kw = {"sr": SR, "alpha": 1.1, **kwargs}
    with pytest.raises(ValueError, match=match):
        vtlp(y, **kw)


def test_other_sample_rates_and_stft_settings():
    y = _tone(500.0, sr=8000)
    out = vtlp(y, sr=8000, alpha=1.1, n_fft=256, hop_length=64)
    assert out.shape == y.shape
    assert _peak_hz(out, sr=8000) == pytest.approx(550, abs=20)


@pytest.mark.parametrize(
    "alpha_range", [(0.0, 1.1), (0.9, 2.0), (1.1, 0.9), (0.9,), (0.9, 1.0, 1.1)]
)
def test_resampler_rejects_bad_alpha_range(alpha_range):
    X = [_tone(300, 0.1)] * 3
    with pytest.raises(ValueError, match="alpha_range"):
        VTLPResampler(alpha_range=alpha_range).fit_resample(X, [0, 0, 1])


def test_resampler_rejects_f_hi_above_nyquist():
    X = [_tone(300, 0.1)] * 3
    with pytest.raises(ValueError, match="f_hi"):
        VTLPResampler(sr=8000, f_hi=4800).fit_resample(X, [0, 0, 1])


def test_resampler_alphas_drawn_from_range():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=800).astype(np.float32) for _ in range(8)]
    y = [0] * 6 + [1] * 2
    sampler = VTLPResampler(alpha_range=(0.95, 1.05), random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert sampler.alphas_.shape == (4,)
    assert np.all((sampler.alphas_ >= 0.95) & (sampler.alphas_ <= 1.05))
    fixed = VTLPResampler(alpha_range=(1.0, 1.0), random_state=0)
    X_fix, _ = fixed.fit_resample(X, y)
    for row, src in zip(X_fix[8:], fixed.sample_indices_[8:]):
        np.testing.assert_array_equal(row, X[src])  # alpha = 1: exact copies
