"""API checks common to the estimators of ``sklearn_ser.features``.

``sklearn.utils.estimator_checks.parametrize_with_checks`` only runs on estimators
that take a 2-D ``(n_samples, n_features)`` array: its generator skips any estimator
whose ``input_tags.two_d_array`` is False. None of these does: the audio
transformers take waveforms or paths, ``FrameStatistics``, ``FeatureNormalizer``
and ``SpectrogramHasher`` take per-utterance ``(C, F, T)`` arrays (ragged, or dense
4-D). So, as ``shared/style.md`` asks, this module runs

* the data-free checks of scikit-learn directly (repr, cloning, ``__init__`` only
  storing parameters, get/set_params, tags, mixin order), and
* our own versions of the data checks on ragged/N-D input: clone, fit returns
  self and does not touch the parameters, refit idempotence, pickling,
  ``n_features_in_`` where it means something, float32 preserved, the input never
  modified, fitted/unfitted behaviour following ``requires_fit``, parameter
  validation, ``fit_transform`` equal to ``fit().transform()``, feature-name
  count, and every (keyword-only) ``__init__`` parameter documented.

Expected failures are listed in ``EXPECTED_FAILURES`` with their reason.
"""

from __future__ import annotations

import copy
import inspect
import pickle

import numpy as np
import pytest
from numpydoc.docscrape import ClassDoc
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
    check_valid_tag_types,
)

from sklearn_ser.features import (
    MFCC,
    FeatureNormalizer,
    FrameStatistics,
    LogMelSpectrogram,
    Spectrogram,
    SpectrogramHasher,
)


def _waves(seed=0, n=4):
    rng = np.random.default_rng(seed)
    return [
        (0.1 * rng.standard_normal(int(t))).astype(np.float32)
        for t in rng.integers(1200, 4000, n)
    ]


def _features(seed=0, n=4, f=12):
    rng = np.random.default_rng(seed)
    return [
        rng.normal(size=(1, f, int(t))).astype(np.float32)
        for t in rng.integers(10, 40, n)
    ]


# (estimator, input kind); a few non-default settings that change the output layout
ESTIMATORS = [
    (MFCC(n_mfcc=13, deltas=2), "audio"),
    (MFCC(n_mfcc=8, deltas=1, stack="features", max_frames=20), "audio"),
    (LogMelSpectrogram(n_mels=20), "audio"),
    (Spectrogram(win_ms=16, scale="power"), "audio"),
    (FrameStatistics(percentiles=(25, 75)), "features"),
    (FeatureNormalizer(), "features"),
    (FeatureNormalizer(scope="global"), "features"),
    (SpectrogramHasher(), "features"),
]

# (estimator class name, check name) -> reason
EXPECTED_FAILURES: dict[tuple[str, str], str] = {
    ("SpectrogramHasher", "test_float32_is_preserved"): (
        "its output is a bit array (bool), by design (li2021 §3.4)"
    ),
}


def _id(case):
    est, _ = case
    changed = {k: v for k, v in est.get_params().items()
               if v != type(est)().get_params()[k]}
    return type(est).__name__ + (f"({changed})" if changed else "")


@pytest.fixture(params=ESTIMATORS, ids=[_id(c) for c in ESTIMATORS])
def case(request):
    est, kind = request.param
    key = (type(est).__name__, request.node.originalname)
    if key in EXPECTED_FAILURES:
        request.applymarker(
            pytest.mark.xfail(reason=EXPECTED_FAILURES[key], strict=True)
        )
    return clone(est), kind


def _data(kind, seed=0):
    return _waves(seed) if kind == "audio" else _features(seed)


def _as_list(out):
    return [np.asarray(o) for o in out]


def _assert_same_output(a, b):
    a, b = _as_list(a), _as_list(b)
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


SKLEARN_DATA_FREE_CHECKS = [
    check_estimator_cloneable,
    check_estimator_repr,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_get_params_invariance,
    check_set_params,
    check_mixin_order,
    check_valid_tag_types,
    check_estimator_tags_renamed,
    check_do_not_raise_errors_in_init_or_set_params,
]


@pytest.mark.parametrize("check", SKLEARN_DATA_FREE_CHECKS, ids=lambda c: c.__name__)
def test_sklearn_data_free_checks(case, check):
    est, _ = case
    check(type(est).__name__, est)


def test_parametrize_with_checks_does_not_apply(case):
    # the reason for this module's own checks (see the docstring)
    est, _ = case
    assert get_tags(est).input_tags.two_d_array is False


def test_fit_returns_self_and_keeps_the_parameters(case):
    est, kind = case
    params = copy.deepcopy(est.get_params())
    assert est.fit(_data(kind)) is est
    after = est.get_params()
    assert params.keys() == after.keys()
    for k, v in params.items():
        assert after[k] == v, k


def test_refit_is_idempotent(case):
    est, kind = case
    X, other, new = _data(kind, 0), _data(kind, 1), _data(kind, 2)
    ref = clone(est).fit(X).transform(new)
    _assert_same_output(est.fit(other).fit(X).transform(new), ref)
    _assert_same_output(est.fit(X).transform(new), ref)


def test_fit_transform_equals_fit_then_transform(case):
    est, kind = case
    X = _data(kind)
    _assert_same_output(clone(est).fit_transform(X), clone(est).fit(X).transform(X))


def test_clone_of_a_fitted_estimator_is_unfitted(case):
    est, kind = case
    est.fit(_data(kind))
    fresh = clone(est)
    assert fresh.get_params() == est.get_params()
    fitted_attrs = [a for a in vars(fresh) if a.endswith("_") and not a.startswith("_")]
    assert fitted_attrs == []


def test_pickle_round_trip(case):
    est, kind = case
    X = _data(kind)
    est.fit(X)
    back = pickle.loads(pickle.dumps(est))
    assert back.get_params() == est.get_params()
    _assert_same_output(back.transform(X), est.transform(X))


def test_fitted_attributes_and_n_features_in(case):
    est, kind = case
    X = _data(kind)
    est.fit(X)
    if kind == "features":
        # what n_features_in_ means for (C, F, T) input: F (C in n_channels_in_)
        assert est.n_features_in_ == X[0].shape[1]
    else:
        # audio has no feature axis: no n_features_in_ (nor any fitted state)
        assert not hasattr(est, "n_features_in_")
        assert [a for a in vars(est) if a.endswith("_")] == []


def test_requires_fit_tag_is_honoured(case):
    est, kind = case
    X = _data(kind)
    if get_tags(est).requires_fit:
        with pytest.raises(NotFittedError):
            est.transform(X)
    else:
        _assert_same_output(est.transform(X), clone(est).fit(X).transform(X))


def test_float32_is_preserved(case):
    est, kind = case
    assert "float32" in get_tags(est).transformer_tags.preserves_dtype
    X32 = _data(kind)
    for out in _as_list(est.fit(X32).transform(X32)):
        assert out.dtype == np.float32
    X64 = [x.astype(np.float64) for x in X32]
    out32 = _as_list(est.fit(X32).transform(X32))
    for a, b in zip(_as_list(est.fit(X64).transform(X64)), out32, strict=True):
        assert a.dtype == np.float32  # float64 in: float32 out, same numbers
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_input_is_not_modified(case):
    est, kind = case
    X = _data(kind)
    before = copy.deepcopy(X)
    est.fit(X)
    est.transform(X)
    est.fit_transform(X)
    for x, b in zip(X, before, strict=True):
        np.testing.assert_array_equal(x, b)
    dense = np.stack([x[..., :10] for x in X]) if kind == "features" else np.stack(
        [x[:1200] for x in X])
    dense_before = dense.copy()
    clone(est).fit_transform(dense)
    np.testing.assert_array_equal(dense, dense_before)


class _NotAValue:
    """Of no type any parameter constraint accepts."""


def test_invalid_parameters_raise_in_fit(case):
    est, kind = case
    X = _data(kind)
    for param in type(est)._parameter_constraints:
        bad = clone(est).set_params(**{param: _NotAValue()})
        with pytest.raises(InvalidParameterError, match=f"'{param}' parameter"):
            bad.fit(X)


def test_feature_names_count_the_output_features(case):
    est, kind = case
    X = _data(kind)
    out = est.fit(X).transform(X)
    names = est.get_feature_names_out()
    assert names.dtype == object and len(set(names)) == len(names)
    first = np.asarray(out[0])
    if kind == "audio" or isinstance(est, FeatureNormalizer):
        assert len(names) == first.shape[0] * first.shape[1]  # C * F of (C, F, T)
    elif isinstance(est, FrameStatistics):
        assert len(names) == out.shape[1]
    else:
        assert len(names) == first.size


def test_init_parameters_are_documented(case):
    # every keyword-only parameter documented once, nothing else in Parameters (the
    # order may differ: the shared blocks of the audio transformers come first)
    est, _ = case
    doc = ClassDoc(type(est))
    documented = [n.strip() for p in doc["Parameters"] for n in p.name.split(",")]
    params = inspect.signature(type(est).__init__).parameters
    signature = [p for p in params if p != "self"]
    assert sorted(documented) == sorted(signature)
    for p in params.values():
        if p.name != "self":
            assert p.kind is p.KEYWORD_ONLY, p.name


def test_mfcc_statistics_pipeline_in_a_grid_search():
    rng = np.random.default_rng(0)
    t = np.arange(3200) / 16000
    X, y = [], []
    for k, f0 in enumerate((150.0, 300.0)):
        for _ in range(6):
            wave = np.sin(2 * np.pi * f0 * (1 + 0.05 * rng.random()) * t)
            X.append((wave + 0.05 * rng.standard_normal(t.size)).astype(np.float32))
            y.append(k)
    pipe = Pipeline([
        ("mfcc", MFCC(n_mfcc=8)),
        ("norm", FeatureNormalizer(scope="global")),
        ("stats", FrameStatistics(stats=("mean", "std"))),
        ("clf", LogisticRegression()),
    ])
    search = GridSearchCV(pipe, {"mfcc__n_mfcc": [5, 8]}, cv=2).fit(X, np.array(y))
    assert search.best_score_ > 0.8
    assert search.best_estimator_.named_steps["mfcc"] is not pipe.named_steps["mfcc"]
