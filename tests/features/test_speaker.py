"""SpeakerNormalizer: per-speaker statistics, fallback, unseen speakers, and the
``speaker`` metadata routed through sklearn/imblearn pipelines and cross_validate."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from sklearn_ser.features import (
    MFCC,
    FrameStatistics,
    SpeakerNormalizer,
    speaker_normalize,
)
from sklearn_ser.metrics import routed_scorer

ROUTING_HINT = "sklearn.set_config(enable_metadata_routing=True)"


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def ragged(rng, speakers, c=2, f=4, frames=(30, 80)):
    """Ragged (C, F, T_i) features, each speaker with its own offset and scale."""
    X, spk = [], []
    offsets = {s: rng.normal(0, 5, (c, f, 1)) for s in dict.fromkeys(speakers)}
    scales = {s: rng.uniform(0.5, 3, (c, f, 1)) for s in dict.fromkeys(speakers)}
    for s in speakers:
        t = int(rng.integers(*frames))
        X.append(
            (offsets[s] + scales[s] * rng.normal(size=(c, f, t))).astype(np.float32)
        )
        spk.append(s)
    return X, np.asarray(spk)


# ---------------------------------------------------------------- the statistics
def test_each_speaker_gets_zero_mean_unit_std_over_its_frames(rng):
    X, s = ragged(rng, ["a"] * 4 + ["b"] * 5)
    Z = SpeakerNormalizer(min_samples=1).fit_transform(X, speaker=s)
    assert Z.dtype == object and len(Z) == len(X)
    for spk in ("a", "b"):
        frames = np.concatenate([Z[i] for i in np.flatnonzero(s == spk)], axis=-1)
        np.testing.assert_allclose(frames.mean(axis=-1), 0.0, atol=1e-5)
        np.testing.assert_allclose(frames.std(axis=-1), 1.0, atol=1e-4)


def test_matches_speaker_normalize_function(rng):
    X, s = ragged(rng, ["a", "b", "a", "c", "b", "c"])
    Z = SpeakerNormalizer(min_samples=1).fit(X, speaker=s).transform(X, speaker=s)
    for z, ref in zip(Z, speaker_normalize(X, s), strict=True):
        np.testing.assert_allclose(z, ref, atol=1e-6)
    table = rng.normal(size=(12, 3)) * 4 + 1
    spk = np.repeat(["x", "y", "z"], 4)
    np.testing.assert_allclose(
        SpeakerNormalizer(min_samples=2).fit_transform(table, speaker=spk),
        speaker_normalize(table, spk),
    )


@settings(max_examples=25, deadline=None)
@given(
    a=st.floats(0.1, 20.0),
    c=st.floats(-50.0, 50.0),
    seed=st.integers(0, 2**16),
)
def test_an_affine_change_of_one_speakers_features_is_removed(a, c, seed):
    rng = np.random.default_rng(seed)
    X, s = ragged(rng, ["a", "a", "b", "b", "b"])
    per_feature = a * rng.uniform(0.5, 2.0, size=(2, 4, 1))
    moved = [
        x * per_feature + c if spk == "b" else x for x, spk in zip(X, s, strict=True)
    ]
    norm = SpeakerNormalizer(min_samples=1).fit(X, speaker=s)
    Z, Z_moved = norm.transform(X, speaker=s), norm.transform(moved, speaker=s)
    for z, zm in zip(Z, Z_moved, strict=True):
        np.testing.assert_allclose(zm, z, atol=2e-3)
    # the same on a 2-D table (statistics over utterances)
    table = rng.normal(size=(10, 3))
    spk = np.repeat(["a", "b"], 5)
    moved_t = np.where((spk == "b")[:, None], table * a + c, table)
    t_norm = SpeakerNormalizer(min_samples=2).fit(table, speaker=spk)
    np.testing.assert_allclose(
        t_norm.transform(moved_t, speaker=spk),
        t_norm.transform(table, speaker=spk),
        atol=1e-6,
    )


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), dense=st.booleans())
def test_input_is_not_modified(seed, dense):
    rng = np.random.default_rng(seed)
    if dense:
        X = rng.normal(size=(6, 1, 3, 40)).astype(np.float32)
    else:
        X, _ = ragged(rng, list("aabbcc"))
    s = np.asarray(list("aabbcc"))
    before = [np.array(x, copy=True) for x in X]
    s_before = s.copy()
    Z = SpeakerNormalizer(min_samples=1).fit_transform(X, speaker=s)
    for x, b in zip(X, before, strict=True):
        np.testing.assert_array_equal(x, b)
    np.testing.assert_array_equal(s, s_before)
    if dense:
        assert (
            isinstance(Z, np.ndarray) and Z.shape == X.shape and Z.dtype == np.float32
        )
    table = rng.normal(size=(6, 2))
    t_before = table.copy()
    SpeakerNormalizer(min_samples=1).fit_transform(table, speaker=s)
    np.testing.assert_array_equal(table, t_before)


def test_an_unseen_speaker_is_normalised_by_its_own_statistics(rng):
    X, s = ragged(rng, ["a"] * 3 + ["b"] * 3)
    norm = SpeakerNormalizer(min_samples=50).fit(X, speaker=s)
    new, s_new = ragged(rng, ["zz"] * 4)
    Z = norm.transform(new, speaker=s_new)
    frames = np.concatenate(list(Z), axis=-1)
    np.testing.assert_allclose(frames.mean(axis=-1), 0.0, atol=1e-5)
    assert "zz" not in norm.speakers_


def test_a_speaker_with_too_few_frames_falls_back_to_training_statistics(rng):
    X, s = ragged(rng, ["a"] * 3 + ["b"] * 3)
    norm = SpeakerNormalizer(min_samples=100).fit(X, speaker=s)
    short = [rng.normal(size=(2, 4, 20)).astype(np.float32)]
    Z = norm.transform(short, speaker=["new"])
    expected = (short[0] - norm.mean_[..., None]) / norm.scale_[..., None]
    np.testing.assert_allclose(Z[0], expected, rtol=1e-5, atol=1e-5)
    assert norm.fallback_speakers_.size == 0  # a and b had >= 100 frames in fit
    # 2-D input: the threshold counts utterances
    table = rng.normal(size=(12, 3)) * 3 + 2
    t_norm = SpeakerNormalizer().fit(table, speaker=np.repeat(["a", "b"], 6))
    out = t_norm.transform(table[:4], speaker=["n"] * 4)  # 4 < 5 ("auto")
    np.testing.assert_allclose(out, (table[:4] - t_norm.mean_) / t_norm.scale_)
    # in fit_transform too: speaker "c" has 2 rows, below the 5 of "auto"
    spk = np.array(["a"] * 5 + ["b"] * 5 + ["c"] * 2)
    fitted = SpeakerNormalizer()
    Z = fitted.fit_transform(table, speaker=spk)
    assert fitted.fallback_speakers_.tolist() == ["c"]
    np.testing.assert_allclose(Z[10:], (table[10:] - fitted.mean_) / fitted.scale_)
    np.testing.assert_allclose(Z[:5].mean(axis=0), 0.0, atol=1e-12)


def test_without_speaker_the_error_says_how_to_enable_routing(rng):
    X, s = ragged(rng, ["a", "b"])
    with pytest.raises(
        ValueError, match=r"speaker is required.*enable_metadata_routing"
    ):
        SpeakerNormalizer().fit(X)
    norm = SpeakerNormalizer().fit(X, speaker=s)
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        norm.transform(X)
    with pytest.raises(
        ValueError, match="1 labels for 2 utterances.*ResampledEstimator"
    ):
        norm.transform(X, speaker=["a"])
    with pytest.raises(ValueError, match="2-D table"):
        SpeakerNormalizer().fit(np.ones((3, 2)), speaker=list("abc")).transform(
            X, speaker=s
        )


def test_dtypes(rng):
    table = rng.normal(size=(6, 2))
    spk = np.repeat(["a", "b"], 3)
    for dtype in (np.float32, np.float64):
        out = SpeakerNormalizer(min_samples=2).fit_transform(
            table.astype(dtype), speaker=spk
        )
        assert out.dtype == dtype
    X, s = ragged(rng, list("ab"))
    assert SpeakerNormalizer().fit_transform(X, speaker=s)[0].dtype == np.float32


def test_a_dataframe_is_a_table(rng):
    pd = pytest.importorskip("pandas", reason="pandas is not a dependency")

    table = rng.normal(size=(8, 2))
    spk = np.repeat(["a", "b"], 4)
    Z = SpeakerNormalizer(min_samples=2).fit_transform(
        pd.DataFrame(table, columns=["f0", "f1"]), speaker=spk
    )
    np.testing.assert_allclose(Z, speaker_normalize(table, spk))


def test_transform_does_not_change_the_fitted_state(rng):
    X, s = ragged(rng, list("aabb"))
    norm = SpeakerNormalizer(min_samples=1).fit(X, speaker=s)
    before = pickle.dumps(norm)
    new, s_new = ragged(rng, ["zz"] * 2)
    norm.transform(new, speaker=s_new)
    assert pickle.dumps(norm) == before


def test_clone_pickle_feature_names_and_fit_transform_consistency(rng):
    X, s = ragged(rng, list("aabbb"))
    norm = SpeakerNormalizer(min_samples=1)
    a = norm.fit_transform(X, speaker=s)
    b = pickle.loads(pickle.dumps(norm)).transform(X, speaker=s)
    c = clone(norm).fit(X, speaker=s).transform(X, speaker=s)
    for x, y_, z in zip(a, b, c, strict=True):
        np.testing.assert_array_equal(x, y_)
        np.testing.assert_array_equal(x, z)
    assert norm.get_feature_names_out().tolist() == [f"x{i}" for i in range(8)]
    assert norm.n_channels_in_ == 2 and norm.n_features_in_ == 4


# ---------------------------------------------------------------- routing
def _audio_pipeline(make):
    return make(
        MFCC(n_mfcc=13),
        FrameStatistics(stats=("mean", "std")),
        SpeakerNormalizer(),
        SVC(),
    )


@pytest.mark.parametrize("make", [make_pipeline, make_imb_pipeline])
def test_audio_pipeline_fit_predict_cross_validate_with_routing(
    tiny_corpus, make, routing
):
    X, y, s = tiny_corpus.X, tiny_corpus.y, tiny_corpus.speaker
    pipe = _audio_pipeline(make).fit(X, y, speaker=s)
    assert pipe.predict(X, speaker=s).shape == (len(X),)
    assert pipe.score(X, y, speaker=s) > 0.5
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        pipe.predict(X)
    cv = cross_validate(
        _audio_pipeline(make),
        X,
        y,
        cv=GroupKFold(2),
        params={"groups": s, "speaker": s},
    )
    assert np.all(np.isfinite(cv["test_score"]))


def test_cross_validate_with_a_named_scorer_through_routed_scorer(tiny_corpus, routing):
    X, y, s = tiny_corpus.X, tiny_corpus.y, tiny_corpus.speaker
    cv = cross_validate(
        _audio_pipeline(make_imb_pipeline),
        X,
        y,
        cv=GroupKFold(2),
        params={"groups": s, "speaker": s},
        scoring={
            "UA": routed_scorer("balanced_accuracy"),
            "WA": routed_scorer("accuracy"),
        },
    )
    assert np.all(np.isfinite(cv["test_UA"])) and np.all(np.isfinite(cv["test_WA"]))


def test_frame_level_normaliser_before_statistics(tiny_corpus, routing):
    X, y, s = tiny_corpus.X, tiny_corpus.y, tiny_corpus.speaker
    pipe = make_pipeline(
        MFCC(n_mfcc=13),
        SpeakerNormalizer(),
        FrameStatistics(stats=("mean", "std")),
        SVC(),
    ).fit(X, y, speaker=s)
    assert set(pipe.predict(X[:5], speaker=["new"] * 5)) <= set(y)


def test_2d_svm_pipeline_and_grid_search(routing):
    rng = np.random.default_rng(0)
    s = np.repeat(["a", "b", "c", "d"], 12)
    y = np.tile([0, 1, 2], 16)
    offsets = rng.normal(0, 30, (4, 5)).repeat(12, axis=0)
    X = rng.normal(size=(48, 5)) + 3 * y[:, None] + offsets
    pipe = make_pipeline(SpeakerNormalizer(), SVC())
    cv = cross_validate(
        pipe, X, y, cv=GroupKFold(4), params={"groups": s, "speaker": s}
    )
    # without the per-speaker normalisation the offsets swamp the classes
    raw = cross_validate(SVC(), X, y, cv=GroupKFold(4), params={"groups": s})
    assert cv["test_score"].mean() > 0.9 > raw["test_score"].mean()
    search = GridSearchCV(pipe, {"svc__C": [0.1, 1.0]}, cv=GroupKFold(2))
    search.fit(X, y, groups=s, speaker=s)
    assert search.best_score_ > 0.9
    search = GridSearchCV(
        pipe,
        {"svc__C": [0.1, 1.0]},
        cv=GroupKFold(2),
        refit="UA",
        scoring={"UA": routed_scorer("balanced_accuracy")},
    )
    search.fit(X, y, groups=s, speaker=s)
    assert search.best_score_ > 0.9
    assert search.score(X, y, speaker=s) > 0.9


def test_without_routing_a_pipeline_without_speaker_says_how_to_enable_it(tiny_corpus):
    X, y = tiny_corpus.X, tiny_corpus.y
    with pytest.raises(ValueError, match=r"enable_metadata_routing=True"):
        _audio_pipeline(make_pipeline).fit(X, y)


def test_data_free_api_checks_and_documented_parameters():
    from numpydoc.docscrape import ClassDoc
    from sklearn.utils.estimator_checks import (
        check_estimator_cloneable,
        check_estimator_repr,
        check_get_params_invariance,
        check_mixin_order,
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
        check_set_params,
    )

    est = SpeakerNormalizer()
    for check in (
        check_estimator_cloneable,
        check_estimator_repr,
        check_mixin_order,
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
        check_set_params,
    ):
        check("SpeakerNormalizer", est)
    documented = {p.name for p in ClassDoc(SpeakerNormalizer)["Parameters"]}
    assert set(est.get_params()) == documented
    with pytest.raises(Exception, match="min_samples"):
        SpeakerNormalizer(min_samples=0).fit(np.ones((2, 2)), speaker=["a", "b"])


def test_routed_scorer_passes_speaker_only_to_estimators_that_request_it(routing):
    rng = np.random.default_rng(0)
    s = np.repeat(["a", "b", "c", "d"], 10)
    y = np.tile([0, 1], 20)
    X = rng.normal(size=(40, 3)) + 3 * y[:, None]
    for pipe in (make_pipeline(SpeakerNormalizer(), SVC()), make_pipeline(SVC())):
        cv = cross_validate(
            pipe,
            X,
            y,
            cv=GroupKFold(4),
            params={"groups": s, "speaker": s},
            scoring={"UA": routed_scorer("balanced_accuracy")},
            error_score="raise",
        )
        assert cv["test_UA"].mean() > 0.8
