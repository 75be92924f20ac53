"""SpectrogramHasher / average_hash (li2021 §3.4)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_ser.features._hashing import (
    SpectrogramHasher,
    _area_matrix,
    _resize_area,
    average_hash,
)
from sklearn_ser.metrics._similarity import class_similarity, most_confusable


def _spectrograms(n, *, seed=0, n_features=40, channels=1):
    rng = np.random.default_rng(seed)
    return [
        rng.random((channels, n_features, int(rng.integers(50, 150))))
        .astype(np.float32)
        for _ in range(n)
    ]


def test_shapes_and_dtype():
    X = _spectrograms(5)
    for n in (1, 4, 8, 16):
        bits = SpectrogramHasher(n=n).fit_transform(X)
        assert bits.shape == (5, n * n) and bits.dtype == bool
    assert average_hash(X[0][0], n=8).shape == (64,)


@pytest.mark.parametrize(
    "length, n", [(40, 8), (100, 8), (37, 8), (5, 8), (8, 8), (1, 3)]
)
def test_area_matrix_rows_are_averages(length, n):
    A = _area_matrix(length, n)
    assert A.shape == (n, length)
    np.testing.assert_allclose(A.sum(axis=1), 1.0)
    assert np.all(A >= 0)
    # every input cell contributes its full area overall
    np.testing.assert_allclose(A.sum(axis=0) * length / n, 1.0)


def test_area_resize_of_integer_ratio_is_block_mean():
    img = np.random.default_rng(0).random((16, 24))
    small = _resize_area(img, 4)
    expected = img.reshape(4, 4, 4, 6).mean(axis=(1, 3))
    np.testing.assert_allclose(small, expected)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    gain=st.sampled_from([1e-3, 0.5, 2.0, 7.3, 1e4]),
    offset=st.sampled_from([-80.0, -3.5, 0.0, 12.0]),
    n=st.integers(2, 12),
)
def test_invariant_to_global_gain(seed, gain, offset, n):
    X = _spectrograms(3, seed=seed)
    hasher = SpectrogramHasher(n=n)
    bits = hasher.transform(X)
    # linear magnitudes: a gain multiplies
    np.testing.assert_array_equal(hasher.transform([x * gain for x in X]), bits)
    # log / dB scale: a gain adds a constant
    log = [np.log(x + 1e-3) for x in X]
    np.testing.assert_array_equal(
        hasher.transform([x + offset for x in log]), hasher.transform(log)
    )


def test_channels_are_averaged_and_2d_items_accepted():
    X = _spectrograms(3, channels=3)
    grey = [x.mean(axis=0) for x in X]
    hasher = SpectrogramHasher(n=8)
    np.testing.assert_array_equal(hasher.transform(X), hasher.transform(grey))
    np.testing.assert_array_equal(
        hasher.transform(grey), np.stack([average_hash(g, n=8) for g in grey])
    )


def test_dense_and_ragged_agree():
    rng = np.random.default_rng(1)
    dense = rng.random((4, 1, 20, 30))
    hasher = SpectrogramHasher(n=5)
    np.testing.assert_array_equal(
        hasher.transform(dense), hasher.transform(list(dense))
    )


def test_feature_names():
    # (clone, pickle, refit, input not modified: the shared checks, test_common)
    hasher = SpectrogramHasher(n=3).fit(_spectrograms(2))
    names = hasher.get_feature_names_out()
    assert len(names) == 9 and names[0] == "spectrogramhasher0"


@pytest.mark.parametrize("n", [0, -1, 2.5])
def test_bad_n(n):
    with pytest.raises(ValueError, match="n"):
        average_hash(np.ones((4, 4)), n=n)
    with pytest.raises(ValueError):
        SpectrogramHasher(n=n).fit_transform(_spectrograms(2))


@pytest.mark.parametrize(
    "spec",
    [np.ones(5), np.ones((1, 1, 4, 4)), np.ones((0, 4)), np.full((3, 3), np.nan)],
)
def test_bad_spectrogram(spec):
    with pytest.raises(ValueError):
        average_hash(spec)


def test_detects_an_engineered_similar_pair():
    """Four classes with distinct spectral patterns; 'sad' and 'angry' share one up to
    a small patch: hashing + class Hamming distances must single them out."""
    rng = np.random.default_rng(0)
    F, T = 48, 96
    f = np.arange(F)[:, None]
    t = np.arange(T)[None, :]
    templates = {
        "joy": np.sin(f / 5.0) + np.cos(t / 9.0),
        "neutral": (f > F / 2).astype(float) * 2.0 + np.sin(t / 4.0),
        "sad": np.cos(f / 7.0 + t / 15.0),
    }
    angry = templates["sad"].copy()
    angry[:6, :12] += 1.5  # a small difference
    templates["angry"] = angry
    X, y = [], []
    for label, template in templates.items():
        for _ in range(15):
            X.append((template + 0.4 * rng.normal(size=(F, T)))[None])
            y.append(label)
    bits = SpectrogramHasher(n=8).transform(X)
    distances = class_similarity(bits, y)
    assert most_confusable(distances) == ("angry", "sad")
    assert distances.at("angry", "sad") < min(
        distances.at(a, b) for a in templates for b in templates
        if a != b and {a, b} != {"angry", "sad"}
    )


def test_in_a_pipeline_with_a_classifier():
    X = _spectrograms(20, seed=3)
    y = np.repeat([0, 1], 10)
    X = [x + (1.0 if label else 0.0) * np.linspace(0, 1, x.shape[1])[:, None]
         for x, label in zip(X, y)]
    pipe = make_pipeline(SpectrogramHasher(n=4), LogisticRegression())
    assert pipe.fit(X, y).score(X, y) > 0.9
