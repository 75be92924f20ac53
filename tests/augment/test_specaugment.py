"""spec_augment: the function on one utterance (Park et al. 2019; liu2021 §2.4)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.augment import SpecAugmentResampler, spec_augment
from sklearn_ser.augment._specaugment import _time_warp

shapes = st.one_of(
    st.tuples(st.integers(1, 30), st.integers(1, 60)),
    st.tuples(st.integers(1, 3), st.integers(1, 30), st.integers(1, 60)),
)


def _features(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


@settings(max_examples=40, deadline=None)
@given(
    shape=shapes,
    seed=st.integers(0, 2**16),
    zero=st.sampled_from(["count", "width"]),
)
def test_zero_masks_and_no_warp_is_identity(shape, seed, zero):
    x = _features(shape, seed)
    if zero == "count":
        kw = dict(n_freq_masks=0, n_time_masks=0)
    else:
        kw = dict(n_freq_masks=3, freq_mask_width=0, n_time_masks=3, time_mask_width=0)
    out = spec_augment(x, time_warp=0, random_state=seed, **kw)
    np.testing.assert_array_equal(out, x)
    assert out is not x


@settings(max_examples=40, deadline=None)
@given(
    shape=shapes,
    seed=st.integers(0, 2**16),
    W=st.integers(0, 100),
    n_f=st.integers(0, 3),
    F=st.integers(0, 80),
    n_t=st.integers(0, 3),
    T=st.integers(0, 200),
    value=st.sampled_from(["mean", "zero", -1.5]),
)
def test_shape_dtype_kept_and_seed_determinism(shape, seed, W, n_f, F, n_t, T, value):
    x = _features(shape, seed)
    before = x.copy()
    kw = dict(time_warp=W, n_freq_masks=n_f, freq_mask_width=F, n_time_masks=n_t,
              time_mask_width=T, mask_value=value)
    a = spec_augment(x, random_state=seed, **kw)
    b = spec_augment(x, random_state=seed, **kw)
    assert a.shape == x.shape and a.dtype == x.dtype
    np.testing.assert_array_equal(a, b)  # same seed -> same output
    np.testing.assert_array_equal(x, before)  # input untouched
    assert np.all(np.isfinite(a))


def test_float64_kept_and_integer_input_becomes_float32():
    x = _features((1, 10, 20), dtype=np.float64)
    assert spec_augment(x, random_state=0).dtype == np.float64
    xi = np.arange(200).reshape(10, 20)
    assert spec_augment(xi, random_state=0).dtype == np.float32


def test_different_seeds_differ():
    x = _features((1, 40, 300))
    outs = [spec_augment(x, random_state=s) for s in range(5)]
    assert any(not np.array_equal(outs[0], o) for o in outs[1:])


@pytest.mark.parametrize("value, expected", [("zero", 0.0), (3.25, 3.25)])
def test_masked_cells_hold_the_mask_value(value, expected):
    x = _features((2, 20, 50)) + 10.0  # never 0 or 3.25 by chance
    out = spec_augment(x, time_warp=0, n_time_masks=0, n_freq_masks=2,
                       freq_mask_width=5, mask_value=value, random_state=1)
    changed = out != x
    assert changed.any()
    np.testing.assert_array_equal(out[changed], expected)
    # frequency masks cover whole rows of every channel
    rows = changed.any(axis=(0, 2))
    assert changed[:, rows, :].all()


def test_mean_mask_uses_each_channels_mean():
    x = np.stack([np.full((8, 30), 1.0), np.full((8, 30), 5.0)]).astype(np.float32)
    x[0, 0, 0] = 31.0  # channel 0 mean != 1
    out = spec_augment(x, time_warp=0, n_freq_masks=0, n_time_masks=1,
                       time_mask_width=30, random_state=3)
    cols = (out != x).any(axis=(0, 1))
    if cols.any():
        t = np.flatnonzero(cols)[0]
        assert out[0, 1, t] == pytest.approx(x[0].mean())
    masked = spec_augment(x, time_warp=0, n_freq_masks=1, freq_mask_width=1000,
                          n_time_masks=0, random_state=0)
    # a full-width mask (clipped to 8 rows) is reachable; value is per channel
    for seed in range(50):
        masked = spec_augment(x, time_warp=0, n_freq_masks=1, freq_mask_width=1000,
                              n_time_masks=0, random_state=seed)
        if (masked != x).any(axis=(0, 2)).all():
            np.testing.assert_allclose(masked[0], x[0].mean())
            np.testing.assert_allclose(masked[1], 5.0)
            break
    else:  # pragma: no cover
        pytest.fail("a mask of the whole axis was never drawn")


def test_masks_wider_than_the_utterance_are_clipped():
    x = _features((1, 6, 4))
    for seed in range(30):
        out = spec_augment(x, time_warp=0, n_freq_masks=2, freq_mask_width=500,
                           n_time_masks=2, time_mask_width=500, random_state=seed)
        assert out.shape == x.shape


def test_time_warp_keeps_length_endpoints_and_order():
    ramp = np.tile(np.arange(100, dtype=np.float32), (1, 5, 1))
    for seed in range(20):
        out = _time_warp(ramp, 30, np.random.RandomState(seed))
        assert out.shape == ramp.shape
        assert out[0, 0, 0] == pytest.approx(0.0)
        assert out[0, 0, -1] == pytest.approx(99.0)
        assert np.all(np.diff(out[0, 0]) >= 0)  # monotone warp of the time axis
    changed = [
        not np.allclose(_time_warp(ramp, 30, np.random.RandomState(s)), ramp)
        for s in range(5)
    ]
    assert any(changed)


def test_time_warp_on_short_utterances():
    rng = np.random.RandomState(0)
    for n_frames in (1, 2):
        x = _features((1, 4, n_frames))
        np.testing.assert_array_equal(_time_warp(x, 80, rng), x)  # too short: no warp
    x = _features((1, 4, 3))
    assert _time_warp(x, 80, rng).shape == (1, 4, 3)


@pytest.mark.parametrize(
    "features, kwargs, match",
    [
        (np.zeros(10), {}, "shape"),
        (np.zeros((1, 1, 2, 3)), {}, "shape"),
        (np.zeros((0, 5)), {}, "shape"),
        (np.full((3, 4), np.nan), {}, "NaN"),
        (np.zeros((3, 4), dtype=complex), {}, "real"),
        (np.zeros((3, 4)), {"time_warp": -1}, "time_warp"),
        (np.zeros((3, 4)), {"freq_mask_width": 2.5}, "freq_mask_width"),
        (np.zeros((3, 4)), {"mask_value": "median"}, "mask_value"),
        (np.zeros((3, 4)), {"mask_value": None}, "mask_value"),
    ],
)
def test_bad_input(features, kwargs, match):
    with pytest.raises(ValueError, match=match):
        spec_augment(features, **kwargs)


@pytest.mark.parametrize(
    "params",
    [{"time_warp": -1}, {"freq_mask_width": -2}, {"mask_value": "median"},
     {"n_time_masks": 1.5}, {"factor": 0.5}, {"sampling_strategy": "majority"}],
)
def test_resampler_parameter_validation(params):
    X = [_features((1, 5, 10), s) for s in range(4)]
    with pytest.raises(ValueError):
        SpecAugmentResampler(**params).fit_resample(X, [0, 0, 0, 1])
