"""FrameStatistics / frame_statistics: every functional against numpy/scipy computed
directly, layouts (ragged, dense 4-D, dense 3-D, 2-D items), names, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from sklearn_ser.features import MFCC, FrameStatistics, frame_statistics

ALL = ("mean", "std", "min", "max", "range", "median", "skew", "kurtosis")

REFERENCE = {
    "mean": lambda a: a.mean(axis=-1),
    "std": lambda a: a.std(axis=-1),
    "min": lambda a: a.min(axis=-1),
    "max": lambda a: a.max(axis=-1),
    "range": lambda a: np.ptp(a, axis=-1),
    "median": lambda a: np.median(a, axis=-1),
    "skew": lambda a: scipy.stats.skew(a, axis=-1, bias=True),
    "kurtosis": lambda a: scipy.stats.kurtosis(a, axis=-1, fisher=True, bias=True),
}


def ragged(rng, n=5, c=2, f=6, lo=10, hi=60):
    return [
        rng.gamma(2.0, size=(c, f, int(t))).astype(np.float32)
        for t in rng.integers(lo, hi, n)
    ]


@pytest.mark.parametrize("stat", ALL)
def test_each_functional_matches_numpy_scipy(stat, rng):
    X = ragged(rng)
    Z = FrameStatistics(stats=(stat,)).fit_transform(X)
    assert Z.shape == (5, 2 * 6) and Z.dtype == np.float32
    for i, a in enumerate(X):
        expected = REFERENCE[stat](a.astype(np.float64)).reshape(-1)
        np.testing.assert_allclose(Z[i], expected, rtol=1e-5, atol=1e-5)


def test_percentiles_match_numpy(rng):
    X = ragged(rng)
    qs = (5, 25.5, 50, 90, 100)
    Z = FrameStatistics(stats=(), percentiles=qs).fit_transform(X)
    assert Z.shape == (5, len(qs) * 12)
    for i, a in enumerate(X):
        expected = np.percentile(a.astype(np.float64).reshape(12, -1), qs, axis=1)
        np.testing.assert_allclose(Z[i], expected.reshape(-1), rtol=1e-6)


def test_columns_are_statistic_major_and_named_so(rng):
    X = ragged(rng, c=2, f=3)
    est = FrameStatistics(stats=("mean", "max"), percentiles=(50,)).fit(X)
    Z = est.transform(X)
    names = est.get_feature_names_out()
    assert Z.shape == (5, 3 * 6) and len(names) == 18
    assert list(names[:7]) == ["mean_x0", "mean_x1", "mean_x2", "mean_x3", "mean_x4",
                               "mean_x5", "max_x0"]
    assert names[-1] == "p50_x5"
    a = X[2].astype(np.float64)
    # column "max_x4" is the max of channel 1, feature 1 (channel after channel)
    assert Z[2, list(names).index("max_x4")] == pytest.approx(a[1, 1].max())
    assert Z[2, list(names).index("p50_x3")] == pytest.approx(np.median(a[1, 0]))


def test_feature_names_from_an_mfcc_in_a_pipeline(rng):
    X = [rng.standard_normal(int(n)).astype(np.float32) for n in (4000, 6000)]
    pipe = make_pipeline(
        MFCC(n_mfcc=4, deltas=1), FrameStatistics(stats=("mean", "std"))
    )
    Z = pipe.fit_transform(X)
    names = pipe.get_feature_names_out()
    assert Z.shape == (2, len(names)) == (2, 16)
    assert list(names[:5]) == ["mean_mfcc0", "mean_mfcc1", "mean_mfcc2", "mean_mfcc3",
                               "mean_d1_mfcc0"]
    assert names[8] == "std_mfcc0"


def test_feature_names_errors(rng):
    with pytest.raises(NotFittedError, match="call fit first or pass input_features"):
        FrameStatistics().get_feature_names_out()
    # unfitted with input names is fine
    assert len(FrameStatistics(stats=("mean",)).get_feature_names_out(["a", "b"])) == 2
    est = FrameStatistics().fit(ragged(rng, c=1, f=3))
    with pytest.raises(ValueError, match="input_features has 2 names, expected 3"):
        est.get_feature_names_out(["a", "b"])


def test_dense_4d_equals_ragged_of_its_rows(rng):
    D = rng.normal(size=(4, 3, 5, 30)).astype(np.float32)
    est = FrameStatistics(stats=ALL, percentiles=(10, 90))
    np.testing.assert_allclose(est.fit_transform(D), est.fit_transform(list(D)),
                               rtol=1e-6)


def test_two_d_items_and_dense_3d_are_one_channel(rng):
    items = [rng.normal(size=(4, int(t))) for t in (20, 33)]
    est = FrameStatistics()
    Z2 = est.fit_transform(items)
    Z3 = est.fit_transform([a[None] for a in items])
    np.testing.assert_array_equal(Z2, Z3)
    assert est.n_channels_in_ == 1 and est.n_features_in_ == 4
    D = rng.normal(size=(3, 4, 25))
    np.testing.assert_array_equal(est.fit_transform(D), est.fit_transform(D[:, None]))


def test_object_array_input(rng):
    X = ragged(rng)
    obj = np.empty(len(X), dtype=object)
    for i, a in enumerate(X):
        obj[i] = a
    np.testing.assert_array_equal(
        FrameStatistics().fit_transform(obj), FrameStatistics().fit_transform(X)
    )


def test_function_equals_transformer(rng):
    X = ragged(rng)
    np.testing.assert_array_equal(
        frame_statistics(X, stats=("std", "kurtosis"), percentiles=(75,)),
        FrameStatistics(stats=("std", "kurtosis"), percentiles=(75,)).fit_transform(X),
    )


def test_constant_feature_gives_zero_shape_statistics_not_nan():
    a = np.ones((1, 2, 40), dtype=np.float32) * 3.0
    a[0, 1] = np.linspace(0, 1, 40)
    Z = FrameStatistics(stats=("std", "skew", "kurtosis")).fit_transform([a])
    assert np.all(np.isfinite(Z))
    np.testing.assert_array_equal(Z[0, [0, 2, 4]], 0.0)  # the constant feature
    assert Z[0, 5] == pytest.approx(scipy.stats.kurtosis(np.linspace(0, 1, 40)),
                                    rel=1e-5)


def test_single_frame(rng):
    Z = FrameStatistics(stats=ALL).fit_transform([rng.normal(size=(1, 3, 1))])
    assert np.all(np.isfinite(Z))
    np.testing.assert_array_equal(Z[0, 3:6], 0.0)  # std


def test_stateless_transform_works_unfitted_and_fit_fixes_the_shape(rng):
    X = ragged(rng, f=6)
    Z = FrameStatistics().transform(X)
    assert Z.shape == (5, 6 * 12)
    est = FrameStatistics().fit(X)
    assert est.n_features_in_ == 6 and est.n_channels_in_ == 2
    with pytest.raises(ValueError, match="utterance 0 has 5 features, expected 6"):
        est.transform(ragged(rng, f=5))
    with pytest.raises(ValueError, match="utterance 1 has 1 channels, expected 2"):
        est.transform([X[0], X[1][:1]])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(stats=("mean", "mode")), r"unknown statistic\(s\) \['mode'\]"),
        (dict(stats=("mean", "mean")), "stats contains duplicates"),
        (dict(percentiles=(50, 120)), r"percentiles must lie in \[0, 100\]"),
        (dict(percentiles=(50, 50)), "percentiles contains duplicates"),
        (dict(stats=(), percentiles=()), "no statistic requested"),
    ],
)
def test_bad_parameters(kwargs, match, rng):
    with pytest.raises(ValueError, match=match):
        FrameStatistics(**kwargs).fit(ragged(rng))


def test_single_string_stat_and_scalar_percentile(rng):
    X = ragged(rng)
    Z = FrameStatistics(stats="mean", percentiles=50).fit_transform(X)
    assert Z.shape == (5, 2 * 12)
    Z = FrameStatistics(stats=np.array(["min", "max"]),
                        percentiles=np.array([10.0, 90.0])).fit_transform(X)
    np.testing.assert_array_equal(
        Z, FrameStatistics(stats=["min", "max"], percentiles=[10, 90]).fit_transform(X))


@pytest.mark.parametrize(
    "X, exc, match",
    [
        (np.zeros((3, 5)), ValueError,
         r"dense features must have shape \(n_utterances"),
        (np.zeros((2, 1, 1, 3, 4)), ValueError, "got an array of shape"),
        ([np.ones(100)], ValueError, r"utterance 0 has shape \(100,\); expected"),
        ([np.ones((1, 3, 5)), np.full((1, 3, 4), np.nan)], ValueError,
         "utterance 1 contains NaN or inf features"),
        ([np.ones((1, 3, 0))], ValueError, "utterance 0 has 0 frames"),
        ([np.ones((1, 3, 5)), np.ones((2, 3, 5))], ValueError,
         r"utterances differ in \(channels, n_features\)"),
        ([], ValueError, "X contains no utterances"),
        (["a.wav", "b.wav"], TypeError, "Put a feature transformer"),
    ],
)
def test_bad_input(X, exc, match):
    with pytest.raises(exc, match=match):
        FrameStatistics().fit_transform(X)


def test_in_a_classifier_pipeline(rng):
    # two classes of "features" differing in spread over frames: only the std sees it
    X = [rng.normal(scale=1 + k, size=(1, 3, int(rng.integers(20, 40))))
         for k in (0, 1) for _ in range(10)]
    y = np.repeat([0, 1], 10)
    pipe = make_pipeline(FrameStatistics(stats=("mean", "std")), LogisticRegression())
    assert cross_val_score(pipe, X, y, cv=2).mean() > 0.8


# values on a 0.01 grid in [-1000, 1000]: features that differ do so by far more
# than float64 rounding (near-ties would make the moment ratios ill-conditioned)
frames_strategy = hnp.arrays(
    np.int64, st.tuples(st.integers(1, 3), st.integers(2, 40)),
    elements=st.integers(-10**5, 10**5),
).map(lambda a: a / 100.0)


@settings(max_examples=50, deadline=None)
@given(a=frames_strategy, seed=st.integers(0, 2**16))
def test_functionals_ignore_frame_order(a, seed):
    perm = np.random.default_rng(seed).permutation(a.shape[-1])
    est = FrameStatistics(stats=ALL, percentiles=(20, 80))
    z1, z2 = est.fit_transform([a[None], a[None][..., perm]])
    np.testing.assert_allclose(z1, z2, rtol=1e-4, atol=1e-3)


@settings(max_examples=50, deadline=None)
@given(a=frames_strategy, shift=st.floats(-100, 100))
def test_a_constant_offset_moves_location_only(a, shift):
    est = FrameStatistics(stats=("mean", "std", "range", "median"))
    z1, z2 = est.fit_transform([a[None], a[None] + shift])
    f = a.shape[0]
    np.testing.assert_allclose(z2[:f], z1[:f] + shift, rtol=1e-5, atol=1e-3)  # mean
    np.testing.assert_allclose(z2[f:], z1[f:] + np.r_[0, 0, 1][:, None].repeat(f, 1)
                               .ravel() * shift, rtol=1e-5, atol=1e-3)
