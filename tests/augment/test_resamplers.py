"""SpecAugmentResampler and VTLPResampler: sampling strategies, side arrays, the
imblearn Pipeline contract, and our own API checks (parametrize_with_checks cannot run
on ragged / N-D samplers)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.base import is_sampler
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import StratifiedGroupKFold, cross_val_score
from sklearn.neighbors import NearestCentroid
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_ser.augment import SpecAugmentResampler, VTLPResampler

SR = 16000


# ----------------------------------------------------------------------- data
def make_features(counts, *, seed=0, dense=False, two_d=False, n_features=12):
    """Ragged (1, F, T_i) MFCC-like arrays (or dense (n, 1, F, T)), class c shifted."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for klass, n in enumerate(counts):
        for _ in range(n):
            T = 40 if dense else int(rng.integers(20, 60))
            x = rng.normal(loc=klass, size=(1, n_features, T)).astype(np.float32)
            X.append(x[0] if two_d else x)
            y.append(klass)
    if dense:
        return np.stack(X), np.array(y)
    return X, np.array(y)


def make_waves(counts, *, seed=0, dense=False):
    rng = np.random.default_rng(seed)
    X, y = [], []
    for klass, n in enumerate(counts):
        for _ in range(n):
            length = 1600 if dense else int(rng.integers(800, 2400))
            t = np.arange(length) / SR
            w = np.sin(2 * np.pi * (200 + 150 * klass) * t)
            w = w + 0.1 * rng.normal(size=length)
            X.append(w.astype(np.float32))
            y.append(klass)
    if dense:
        return np.stack(X), np.array(y)
    return X, np.array(y)


SAMPLERS = {
    "specaugment": (
        lambda **kw: SpecAugmentResampler(random_state=0, **kw),
        make_features,
    ),
    "vtlp": (lambda **kw: VTLPResampler(random_state=0, **kw), make_waves),
}


@pytest.fixture(params=sorted(SAMPLERS))
def kind(request):
    return request.param


def _make(kind, **kw):
    return SAMPLERS[kind][0](**kw)


def _data(kind, counts, **kw):
    return SAMPLERS[kind][1](counts, **kw)


def _equal_outputs(a, b):
    assert len(a[0]) == len(b[0])
    for xa, xb in zip(a[0], b[0]):
        np.testing.assert_array_equal(xa, xb)
    np.testing.assert_array_equal(a[1], b[1])


# ---------------------------------------------------------- sampling strategy
@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("auto", {0: 8, 1: 8, 2: 8}),
        ("not majority", {0: 8, 1: 8, 2: 8}),
        ("minority", {0: 8, 1: 4, 2: 8}),
        ("not minority", {0: 8, 1: 8, 2: 2}),
        ({1: 6, 2: 3}, {0: 8, 1: 6, 2: 3}),
        (lambda y: {1: 5}, {0: 8, 1: 5, 2: 2}),
    ],
)
def test_standard_strategies_reach_the_requested_counts(kind, strategy, expected):
    X, y = _data(kind, [8, 4, 2])
    sampler = _make(kind, sampling_strategy=strategy)
    X_res, y_res = sampler.fit_resample(X, y)
    assert dict(Counter(y_res.tolist())) == expected
    assert len(X_res) == len(y_res) == len(sampler.sample_indices_)
    added = {c: expected[c] - n for c, n in Counter(y.tolist()).items()}
    assert {c: n for c, n in sampler.sampling_strategy_.items() if n} == {
        c: n for c, n in added.items() if n
    }


def test_float_strategy_for_binary_targets(kind):
    X, y = _data(kind, [10, 2])
    X_res, y_res = _make(kind, sampling_strategy=0.5).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 10, 1: 5}


def test_all_enlarges_every_class_by_factor(kind):
    X, y = _data(kind, [6, 3, 2])
    X_res, y_res = _make(kind, sampling_strategy="all", factor=1.5).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 9, 1: 5, 2: 3}  # 1.5 and 1.0 round up
    X_res, y_res = _make(kind, sampling_strategy="all").fit_resample(X, y)  # factor 2
    assert Counter(y_res.tolist()) == {0: 12, 1: 6, 2: 4}


def test_integer_n_specaugment_only_adds():
    X, y = make_features([9, 4, 2])
    sampler = SpecAugmentResampler(sampling_strategy=5, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 9, 1: 5, 2: 5}
    assert sampler.undersampling_strategy_ == {}
    np.testing.assert_array_equal(sampler.sample_indices_[:15], np.arange(15))


def test_integer_n_vtlp_is_li2021_balancing():
    X, y = make_waves([9, 4, 2])
    sampler = VTLPResampler(sampling_strategy=5, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 5, 1: 5, 2: 5}
    assert sampler.undersampling_strategy_ == {0: 5}
    idx = sampler.sample_indices_
    kept, synthetic = idx[:11], idx[11:]
    # class 0 under-sampled without replacement, the others kept whole
    assert len(set(kept[y[kept] == 0].tolist())) == 5
    assert set(kept[y[kept] != 0].tolist()) == set(range(9, 15))
    assert Counter(y[synthetic].tolist()) == {1: 1, 2: 3}
    for row, src in zip(X_res[:11], kept):
        np.testing.assert_array_equal(row, X[src])


@settings(max_examples=15, deadline=None)
@given(
    counts=st.lists(st.integers(1, 7), min_size=2, max_size=4),
    n=st.integers(1, 9),
    factor=st.floats(1.0, 3.0),
    seed=st.integers(0, 1000),
)
def test_class_counts_equal_the_strategy(counts, n, factor, seed):
    X, y = make_features(counts, seed=seed, n_features=4)
    original = Counter(y.tolist())
    kw = dict(time_warp=2, freq_mask_width=2, time_mask_width=5, random_state=seed)
    _, y_res = SpecAugmentResampler(sampling_strategy="auto", **kw).fit_resample(X, y)
    assert set(Counter(y_res.tolist()).values()) == {max(counts)}
    _, y_res = SpecAugmentResampler(sampling_strategy=n, **kw).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {c: max(k, n) for c, k in original.items()}
    _, y_res = SpecAugmentResampler(
        sampling_strategy="all", factor=factor, **kw
    ).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {
        c: k + int(np.floor((factor - 1) * k + 0.5)) for c, k in original.items()
    }
    target = {c: k + seed % 3 for c, k in original.items()}
    _, y_res = SpecAugmentResampler(sampling_strategy=target, **kw).fit_resample(X, y)
    assert Counter(y_res.tolist()) == target
    # VTLP's integer N: exactly N per class (both directions)
    W, yw = make_waves(counts, seed=seed)
    W = [w[:300] for w in W]
    _, y_res = VTLPResampler(sampling_strategy=n, random_state=seed).fit_resample(W, yw)
    assert Counter(y_res.tolist()) == {c: n for c in original}


def test_augmentation_is_spread_over_the_originals():
    X, y = make_features([12, 3])
    sampler = SpecAugmentResampler(random_state=0)
    sampler.fit_resample(X, y)
    sources = Counter(sampler.sample_indices_[15:].tolist())
    assert sources == {12: 3, 13: 3, 14: 3}


@pytest.mark.parametrize(
    "strategy, match",
    [
        ({0: 5, "fear": 3}, "not in y"),
        ({7: 9}, "not in y"),
        ({0: 2}, "greater or equal"),
        (0.5, "binary"),  # three classes
    ],
)
def test_bad_sampling_strategy(kind, strategy, match):
    X, y = _data(kind, [4, 3, 2])
    with pytest.raises(ValueError, match=match):
        _make(kind, sampling_strategy=strategy).fit_resample(X, y)


def test_single_class_is_rejected(kind):
    X, y = _data(kind, [4])
    with pytest.raises(ValueError, match="more than 1 class"):
        _make(kind).fit_resample(X, y)


@pytest.mark.parametrize("bad", [0, -3, "everything", [1, 2], 1.5])
def test_invalid_sampling_strategy_type(kind, bad):
    X, y = _data(kind, [4, 2])
    with pytest.raises(InvalidParameterError):
        _make(kind, sampling_strategy=bad).fit_resample(X, y)


# ------------------------------------------------- shapes, containers, sides
def test_outputs_keep_lengths_shapes_and_containers(kind):
    X, y = _data(kind, [6, 2])
    sampler = _make(kind)
    X_res, y_res = sampler.fit_resample(X, y)
    assert isinstance(X_res, list) and isinstance(y_res, np.ndarray)
    idx = sampler.sample_indices_
    np.testing.assert_array_equal(y_res, y[idx])
    for row, src in zip(X_res, idx):
        assert row.shape == X[src].shape and row.dtype == np.float32
    for row, src in zip(X_res[: len(X)], idx[: len(X)]):
        np.testing.assert_array_equal(row, X[src])  # originals come first, intact
    X_obj = np.empty(len(X), dtype=object)
    X_obj[:] = X
    X_res_obj, _ = clone(sampler).fit_resample(X_obj, y.tolist())
    assert isinstance(X_res_obj, np.ndarray) and X_res_obj.dtype == object
    _equal_outputs((X_res_obj, y_res), (X_res, y_res))


def test_dense_input_gives_dense_output(kind):
    X, y = _data(kind, [5, 2], dense=True)
    X_res, y_res = _make(kind).fit_resample(X, y)
    assert isinstance(X_res, np.ndarray) and X_res.dtype == np.float32
    assert X_res.shape == (10, *X.shape[1:])
    np.testing.assert_array_equal(X_res[:7], X)


@pytest.mark.parametrize("dense", [False, True])
def test_two_d_feature_items_come_back_two_d(dense):
    X, y = make_features([4, 2], two_d=True, dense=dense)
    X_res, _ = SpecAugmentResampler(random_state=0).fit_resample(X, y)
    shapes = {np.shape(x) for x in X_res}
    assert all(len(s) == 2 for s in shapes)
    if dense:
        assert X_res.shape == (8, *X.shape[1:])


def test_side_arrays_reindexed_by_sample_indices(kind):
    X, y = _data(kind, [6, 3, 1])
    speakers = np.array(["s%d" % (i % 4) for i in range(len(y))])
    sampler = _make(kind)
    X_res, y_res = sampler.fit_resample(X, y)
    groups = speakers[sampler.sample_indices_]
    assert len(groups) == len(X_res)
    for g, src, label in zip(groups, sampler.sample_indices_, y_res):
        assert g == speakers[src] and label == y[src]


def test_one_hot_targets(kind):
    X, y = _data(kind, [4, 2])
    y_onehot = np.eye(2, dtype=int)[y]
    sampler = _make(kind)
    _, y_res = sampler.fit_resample(X, y_onehot)
    assert y_res.shape == (8, 2)
    assert (y_res.sum(axis=0) == [4, 4]).all()
    np.testing.assert_array_equal(y_res, y_onehot[sampler.sample_indices_])


def test_string_labels_and_length_mismatch(kind):
    X, y = _data(kind, [4, 2])
    labels = np.where(y == 0, "neutral", "anger")
    _, y_res = _make(kind).fit_resample(X, labels)
    assert Counter(y_res.tolist()) == {"neutral": 4, "anger": 4}
    with pytest.raises(ValueError, match="lengths"):
        _make(kind).fit_resample(X, labels[:-1])


def test_features_resampler_rejects_waveforms_and_mixed_shapes():
    waves, y = make_waves([3, 2])
    with pytest.raises(ValueError, match="shape"):
        SpecAugmentResampler().fit_resample(waves, y)  # 1-D items: not features
    with pytest.raises(TypeError, match="features"):
        SpecAugmentResampler().fit_resample([np.array(["a"])] * 5, y)
    X, y = make_features([3, 2])
    X[1] = np.zeros((1, 5, 30), dtype=np.float32)
    with pytest.raises(ValueError, match="differ"):
        SpecAugmentResampler().fit_resample(X, y)


def test_vtlp_rejects_bad_waveforms():
    X, y = make_waves([3, 2])
    X[0] = np.zeros(500, dtype=np.float32)
    with pytest.raises(ValueError, match="silent"):
        VTLPResampler().fit_resample(X, y)
    with pytest.raises(ValueError, match="shape"):
        VTLPResampler().fit_resample(np.zeros((5, 2, 100)), y)


# ------------------------------------------------------------- API checks
def test_a_random_state_instance_is_consumed(kind):
    # (same seed -> same output, refit, clone, pickle, input not modified: the
    # shared checks, test_common)
    X, y = _data(kind, [6, 2])
    factory = SpecAugmentResampler if kind == "specaugment" else VTLPResampler
    # a RandomState instance is consumed, not reset: the estimator stays reusable
    rs_sampler = factory(random_state=np.random.RandomState(3))
    first = rs_sampler.fit_resample(X, y)
    assert len(first[0]) == 12


def test_fit_resolves_strategy_without_resampling(kind):
    X, y = _data(kind, [6, 2])
    sampler = _make(kind).fit(X, y)
    assert sampler.sampling_strategy_ == {1: 4}
    assert not hasattr(sampler, "sample_indices_")


def test_tags_and_attributes():
    for sampler in (SpecAugmentResampler(), VTLPResampler()):
        assert is_sampler(sampler)
        tags = sampler.__sklearn_tags__()
        assert tags.sampler_tags.sample_indices
        assert not tags.input_tags.sparse
    assert SpecAugmentResampler().__sklearn_tags__().input_tags.three_d_array
    X, y = make_features([3, 2], n_features=7)
    sampler = SpecAugmentResampler(random_state=0)
    sampler.fit_resample(X, y)
    assert sampler.n_features_in_ == 7


# --------------------------------------------------- inside imblearn Pipeline
class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Flattens the mean of every utterance over time; records what it saw."""

    def _summary(self, X):
        rows = []
        for item in X:
            a = np.asarray(item, dtype=np.float64)
            if a.ndim == 1:  # a waveform
                spectrum = np.abs(np.fft.rfft(a, n=1024))
                rows.append(np.log1p(spectrum[:64]))
            else:
                rows.append(a.mean(axis=-1).ravel())
        return np.stack(rows)

    def fit(self, X, y):
        self.fit_counts_ = Counter(np.asarray(y).tolist())
        self.n_fit_ = len(X)
        self.clf_ = NearestCentroid().fit(self._summary(X), y)
        self.classes_ = self.clf_.classes_
        return self

    def predict(self, X):
        self.predict_seen_ = [np.array(x, copy=True) for x in X]
        return self.clf_.predict(self._summary(X))


def test_resampling_happens_at_fit_only_inside_a_pipeline(kind):
    X, y = _data(kind, [8, 3, 2])
    pipe = Pipeline([("balance", _make(kind)), ("clf", RecordingClassifier())])
    pipe.fit(X, y)
    clf = pipe.named_steps["clf"]
    assert clf.n_fit_ == 24 and set(clf.fit_counts_.values()) == {8}
    X_test, _ = _data(kind, [2, 2, 1], seed=5)
    pred = pipe.predict(X_test)
    assert len(pred) == len(X_test) == len(clf.predict_seen_)
    for seen, given in zip(clf.predict_seen_, X_test):
        np.testing.assert_array_equal(seen, given)  # predict data untouched
    pipe.score(X_test, np.zeros(len(X_test), dtype=int))
    assert len(clf.predict_seen_) == len(X_test)


def test_pipeline_in_speaker_grouped_cross_validation():
    X, y = make_features([10, 4, 4], seed=1)
    speakers = np.arange(len(y)) % 3
    X_obj = np.empty(len(X), dtype=object)
    X_obj[:] = X
    pipe = Pipeline(
        [
            ("balance", SpecAugmentResampler(random_state=0)),
            ("clf", RecordingClassifier()),
        ]
    )
    scores = cross_val_score(
        pipe, X_obj, y, groups=speakers, cv=StratifiedGroupKFold(3), scoring="accuracy"
    )
    assert scores.shape == (3,) and np.all(scores > 0.5)


@settings(max_examples=15, deadline=None)
@given(
    counts=st.lists(st.integers(1, 5), min_size=2, max_size=3),
    seed=st.integers(0, 2**16),
    use_vtlp=st.booleans(),
)
def test_same_seed_same_output_and_shapes_follow_sources(counts, seed, use_vtlp):
    if use_vtlp:
        X, y = make_waves(counts, seed=seed)
        X = [x[:400] for x in X]
        factory = VTLPResampler
    else:
        X, y = make_features(counts, seed=seed, n_features=6)
        factory = SpecAugmentResampler
    a_sampler, b_sampler = factory(random_state=seed), factory(random_state=seed)
    a = a_sampler.fit_resample(X, y)
    b = b_sampler.fit_resample(X, y)
    _equal_outputs(a, b)
    np.testing.assert_array_equal(a_sampler.sample_indices_, b_sampler.sample_indices_)
    for row, src in zip(a[0], a_sampler.sample_indices_):
        assert np.shape(row) == np.shape(X[src])


def test_vtlp_reads_paths(tmp_path):
    sf = pytest.importorskip("soundfile")
    X, y = make_waves([3, 1])
    paths = []
    for i, wave in enumerate(X):
        path = tmp_path / f"u{i}.wav"
        sf.write(path, wave, SR, subtype="FLOAT")
        paths.append(str(path))
    sampler = VTLPResampler(random_state=0)
    X_res, y_res = sampler.fit_resample(paths, y)
    assert Counter(y_res.tolist()) == {0: 3, 1: 3}
    for row, src in zip(X_res, sampler.sample_indices_):
        assert row.shape == X[src].shape
    np.testing.assert_allclose(X_res[0], X[0], atol=1e-6)
