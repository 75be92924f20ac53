"""FeatureNormalizer: per-utterance CMVN, global statistics learnt in fit, layouts,
constant features, idempotence (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_ser.features import FeatureNormalizer, speaker_normalize


def ragged(rng, n=4, c=2, f=5, loc=3.0, scale=2.0):
    return [
        rng.normal(loc, scale, size=(c, f, int(t))).astype(np.float32)
        for t in rng.integers(15, 60, n)
    ]


def test_per_utterance_gives_zero_mean_unit_std_per_feature(rng):
    X = ragged(rng)
    Z = FeatureNormalizer().fit_transform(X)
    assert Z.dtype == object and len(Z) == len(X)
    for z, x in zip(Z, X, strict=True):
        assert z.shape == x.shape and z.dtype == np.float32
        np.testing.assert_allclose(z.mean(axis=-1), 0.0, atol=1e-5)
        np.testing.assert_allclose(z.std(axis=-1), 1.0, atol=1e-5)


def test_per_utterance_is_stateless_and_ignores_the_training_set(rng):
    X, other = ragged(rng), ragged(rng, loc=-50.0, scale=9.0)
    fitted = FeatureNormalizer().fit(other)
    for a, b in zip(fitted.transform(X), FeatureNormalizer().transform(X), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("with_mean, with_std", [(True, False), (False, True)])
def test_with_mean_and_with_std_switches(with_mean, with_std, rng):
    X = ragged(rng, n=2)
    (z, _) = FeatureNormalizer(with_mean=with_mean, with_std=with_std).fit_transform(X)
    x = X[0].astype(np.float64)
    mean, std = x.mean(axis=-1, keepdims=True), x.std(axis=-1, keepdims=True)
    expected = (x - mean) if with_mean else x
    expected = expected / std if with_std else expected
    np.testing.assert_allclose(z, expected, rtol=1e-5, atol=1e-5)


def test_global_scope_learns_training_statistics(rng):
    X = ragged(rng)
    est = FeatureNormalizer(scope="global")
    assert not hasattr(est, "mean_") and not hasattr(est, "scale_")
    est.fit(X)
    frames = np.concatenate([x.astype(np.float64) for x in X], axis=-1)  # (C, F, N)
    np.testing.assert_allclose(est.mean_, frames.mean(axis=-1), rtol=1e-10)
    np.testing.assert_allclose(est.scale_, frames.std(axis=-1), rtol=1e-10)
    assert est.n_frames_seen_ == frames.shape[-1]
    assert est.mean_.shape == est.scale_.shape == (2, 5)
    assert (est.n_channels_in_, est.n_features_in_) == (2, 5)
    # new data is normalised with the *training* statistics, not its own
    new = ragged(rng, n=3, loc=10.0)
    for z, x in zip(est.transform(new), new, strict=True):
        expected = (x - est.mean_[..., None]) / est.scale_[..., None]
        np.testing.assert_allclose(z, expected, rtol=1e-5, atol=1e-5)
        assert z.mean() > 2.0  # shifted data stays shifted
    Z = est.transform(X)
    all_frames = np.concatenate(list(Z), axis=-1)
    np.testing.assert_allclose(all_frames.mean(axis=-1), 0.0, atol=1e-5)
    np.testing.assert_allclose(all_frames.std(axis=-1), 1.0, atol=1e-5)


def test_global_scope_needs_fit():
    with pytest.raises(NotFittedError):
        FeatureNormalizer(scope="global").transform([np.ones((1, 2, 5))])


@pytest.mark.parametrize("scope", ["utterance", "global"])
def test_constant_features_are_centred_not_nan(scope, rng):
    X = ragged(rng, n=3, c=1, f=3)
    for x in X:
        x[0, 1] = 7.0  # a constant feature
    est = FeatureNormalizer(scope=scope).fit(X)
    Z = est.transform(X)
    for z in Z:
        assert np.all(np.isfinite(z))
        np.testing.assert_array_equal(z[0, 1], 0.0)
    if scope == "global":
        assert est.scale_[0, 1] == 1.0


@pytest.mark.parametrize("scope", ["utterance", "global"])
def test_dense_layouts_are_kept(scope, rng):
    D4 = rng.normal(2.0, 3.0, size=(3, 2, 4, 20)).astype(np.float32)
    Z4 = FeatureNormalizer(scope=scope).fit_transform(D4)
    assert isinstance(Z4, np.ndarray) and Z4.dtype == np.float32
    assert Z4.shape == D4.shape
    ragged_out = FeatureNormalizer(scope=scope).fit_transform(list(D4))
    np.testing.assert_allclose(Z4, np.stack(list(ragged_out)), rtol=1e-6)
    D3 = D4[:, 0]
    Z3 = FeatureNormalizer(scope=scope).fit_transform(D3)
    assert Z3.shape == D3.shape
    np.testing.assert_allclose(
        Z3, FeatureNormalizer(scope=scope).fit_transform(D3[:, None])[:, 0], rtol=1e-6
    )


def test_transform_checks_the_fitted_shape(rng):
    est = FeatureNormalizer(scope="global").fit(ragged(rng, f=5))
    with pytest.raises(ValueError, match="utterance 0 has 4 features, expected 5"):
        est.transform(ragged(rng, f=4))


def test_feature_names_pass_through(rng):
    est = FeatureNormalizer().fit(ragged(rng, c=2, f=2))
    assert list(est.get_feature_names_out()) == ["x0", "x1", "x2", "x3"]
    assert list(est.get_feature_names_out(["a", "b", "c", "d"])) == ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="input_features has 3 names, expected 4"):
        est.get_feature_names_out(["a", "b", "c"])
    with pytest.raises(NotFittedError):
        FeatureNormalizer().get_feature_names_out()


def test_bad_parameters_and_input(rng):
    with pytest.raises(InvalidParameterError, match="'scope' parameter"):
        FeatureNormalizer(scope="speaker").fit(ragged(rng))
    with pytest.raises(ValueError, match="contains NaN or inf"):
        FeatureNormalizer().fit_transform([np.full((1, 2, 3), np.inf)])
    with pytest.raises(ValueError, match="dense features must have shape"):
        FeatureNormalizer().fit_transform(np.ones((4, 5)))
    with pytest.raises(TypeError, match="not a numeric array"):
        FeatureNormalizer().fit_transform([np.array(["a", "b"])])


features_strategy = st.tuples(
    st.integers(0, 2**16), st.integers(1, 3), st.integers(1, 6), st.integers(2, 50),
    st.floats(-1e3, 1e3), st.floats(1e-2, 1e3),
)


def _draw(params):
    seed, c, f, t, loc, scale = params
    rng = np.random.default_rng(seed)
    return [rng.normal(loc, scale, size=(c, f, t + k)).astype(np.float32)
            for k in range(3)]


@settings(max_examples=40, deadline=None)
@given(params=features_strategy)
def test_per_utterance_normalisation_is_idempotent(params):
    X = _draw(params)
    once = FeatureNormalizer().fit_transform(X)
    twice = FeatureNormalizer().fit_transform(once)
    for a, b in zip(once, twice, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-4)


@settings(max_examples=40, deadline=None)
@given(params=features_strategy)
def test_global_normalisation_is_idempotent(params):
    X = _draw(params)
    once = FeatureNormalizer(scope="global").fit_transform(X)
    again = FeatureNormalizer(scope="global").fit(once)
    np.testing.assert_allclose(again.mean_, 0.0, atol=1e-5)
    np.testing.assert_allclose(again.scale_, 1.0, atol=1e-4)
    for a, b in zip(once, again.transform(once), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------------------------
# speaker_normalize
# ---------------------------------------------------------------------------------


def _speaker_frames(Z, speaker, spk):
    return np.concatenate([z for z, s in zip(Z, speaker, strict=True) if s == spk],
                          axis=-1)


def test_speaker_normalize_standardises_each_speakers_frames(rng):
    X = ragged(rng, n=3) + ragged(rng, n=4, loc=-20.0, scale=7.0) + ragged(rng, n=2)
    speaker = np.array(["a"] * 3 + ["b"] * 4 + ["c"] * 2)
    Z = speaker_normalize(X, speaker)
    assert Z.dtype == object and len(Z) == len(X)
    for z, x in zip(Z, X, strict=True):
        assert z.shape == x.shape and z.dtype == np.float32
    for spk in "abc":
        frames = _speaker_frames(Z, speaker, spk)
        np.testing.assert_allclose(frames.mean(axis=-1), 0.0, atol=1e-5)
        np.testing.assert_allclose(frames.std(axis=-1), 1.0, atol=1e-5)
    # one utterance on its own is not standardised: its speaker's frames are
    assert np.abs(Z[0].mean(axis=-1)).max() > 1e-3


def test_speaker_normalize_uses_only_each_speakers_own_utterances(rng):
    X = ragged(rng, n=6)
    speaker = np.array([0, 0, 0, 1, 1, 1])
    Z = speaker_normalize(X, speaker)
    # changing speaker 1's utterances leaves speaker 0's output as it was
    X2 = X[:3] + [x * 5.0 + 100.0 for x in X[3:]]
    Z2 = speaker_normalize(X2, speaker)
    for a, b in zip(Z[:3], Z2[:3], strict=True):
        np.testing.assert_array_equal(a, b)


def test_speaker_normalize_table_matches_a_standard_scaler_per_speaker(rng):
    from sklearn.preprocessing import StandardScaler

    T = rng.normal(3.0, 2.0, size=(12, 5))
    T[:, 2] = 7.0  # constant: centred, not NaN
    speaker = np.array(list("aabbbcccaabb"))
    Z = speaker_normalize(T, speaker)
    assert Z.shape == T.shape and np.all(np.isfinite(Z))
    for spk in "abc":
        rows = speaker == spk
        np.testing.assert_allclose(
            Z[rows], StandardScaler().fit_transform(T[rows]), atol=1e-12
        )


@pytest.mark.parametrize("with_mean, with_std", [(True, False), (False, True)])
def test_speaker_normalize_switches(with_mean, with_std, rng):
    X = ragged(rng, n=4, loc=5.0, scale=3.0)
    speaker = [1, 1, 2, 2]
    Z = speaker_normalize(X, speaker, with_mean=with_mean, with_std=with_std)
    frames = _speaker_frames(Z, speaker, 1)
    if with_mean:
        np.testing.assert_allclose(frames.mean(axis=-1), 0.0, atol=1e-5)
        assert np.abs(frames.std(axis=-1) - 1.0).max() > 0.1
    else:
        np.testing.assert_allclose(frames.std(axis=-1), 1.0, atol=1e-5)
        assert np.abs(frames.mean(axis=-1)).min() > 0.1


def test_speaker_normalize_dense_layouts_and_input_untouched(rng):
    D = rng.normal(2.0, 3.0, size=(6, 2, 4, 30)).astype(np.float32)
    D3 = D[:, 0].copy()
    before, before3 = D.copy(), D3.copy()
    speaker = [0, 0, 1, 1, 2, 2]
    Z = speaker_normalize(D, speaker)
    Z3 = speaker_normalize(D3, speaker)
    assert Z.shape == D.shape and Z.dtype == np.float32
    assert Z3.shape == D3.shape
    np.testing.assert_allclose(Z[:2].mean(axis=(0, 3)), 0.0, atol=1e-5)
    np.testing.assert_array_equal(D, before)
    np.testing.assert_array_equal(D3, before3)


def test_speaker_normalize_bad_input(rng):
    X = ragged(rng, n=4)
    with pytest.raises(ValueError, match="4 utterances but speaker has 3"):
        speaker_normalize(X, [0, 0, 1])
    with pytest.raises(ValueError, match="speaker must be 1-D"):
        speaker_normalize(X, [[0, 0], [1, 1]])
    bad = [x.copy() for x in X]
    bad[1][0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        speaker_normalize(bad, [0, 0, 1, 1])
    with pytest.raises(ValueError, match="NaN or inf"):
        speaker_normalize(np.array([[1.0, np.inf], [2.0, 3.0]]), [0, 0])
    with pytest.raises(ValueError, match="differ in \\(channels, n_features\\)"):
        speaker_normalize([X[0], X[1][:, :3]], [0, 0])


@settings(max_examples=40, deadline=None)
@given(params=features_strategy, offset=st.floats(-1e3, 1e3),
       gain=st.floats(1e-1, 1e2))
def test_speaker_normalize_removes_a_speakers_offset_and_gain(params, offset, gain):
    # an affine change of one speaker's features (a louder voice, another
    # microphone) does not change what speaker normalisation gives
    X = _draw(params) + _draw(params)
    speaker = [0, 0, 0, 1, 1, 1]
    # (in float64: float32 rounding of gain * x + offset is not the point here)
    moved = X[:3] + [gain * x.astype(np.float64) + offset for x in X[3:]]
    for a, b in zip(speaker_normalize(X, speaker), speaker_normalize(moved, speaker),
                    strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-3, atol=2e-3)
