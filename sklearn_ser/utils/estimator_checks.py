"""API checks shared by every estimator that takes ragged (one array per utterance)
input: transformers, resamplers and classifiers.

scikit-learn's ``parametrize_with_checks`` skips estimators whose
``input_tags.two_d_array`` is False, and none of ours takes a 2-D table: the audio
transformers and ``VTLPResampler`` take waveforms or paths, the others per-utterance
``(C, F, T)`` arrays (ragged, or dense 4-D). This module is to them what
imbalanced-learn's ``utils/estimator_checks.py`` is to samplers: one list of checks,
written once, that every estimator runs (:func:`parametrize_with_ragged_checks`).

Each check is ``check(name, estimator)`` as scikit-learn's are, works on a clone of
``estimator`` and builds its own tiny data with numpy: waveforms when the estimator
accepts file paths (``input_tags.string``), ``(1, 12, T)`` feature arrays otherwise.
What a check asks depends on the estimator's role: ``fit_resample`` (a sampler),
``transform`` (a transformer) or ``predict`` (a classifier).

Examples
--------
In a test module::

    from sklearn_ser.features import MFCC
    from sklearn_ser.utils.estimator_checks import parametrize_with_ragged_checks

    @parametrize_with_ragged_checks([MFCC(n_mfcc=13)])
    def test_ragged_api(estimator, check):
        check(estimator)
"""

from __future__ import annotations

import copy
import inspect
import pickle
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags
from sklearn.utils._param_validation import InvalidParameterError

__all__ = [
    "check_bad_input_raises_one_line_error",
    "check_clone_of_fitted_is_unfitted",
    "check_dtype_float32",
    "check_fit_returns_self",
    "check_fit_transform_equals_fit_then_transform",
    "check_init_parameters_documented",
    "check_input_not_modified",
    "check_invalid_parameters_raise",
    "check_n_features_in",
    "check_pickle_round_trip",
    "check_refit_is_idempotent",
    "check_requires_fit",
    "check_same_seed_same_output",
    "estimator_id",
    "parametrize_with_ragged_checks",
    "ragged_checks",
]

SR = 16000  # sample rate of the waveforms the checks make
N_FEATURES = 12  # features of the feature arrays they make
LABELS = np.array([0, 0, 0, 0, 1, 1])  # imbalanced, so a sampler has work to do


# --------------------------------------------------------------------------------------
# Data and roles
# --------------------------------------------------------------------------------------


def make_waveforms(seed: int = 0, n: int = len(LABELS)) -> list[np.ndarray]:
    """``n`` float32 waveforms of 1200-4000 samples (noise with a tone)."""
    rng = np.random.default_rng(seed)
    out = []
    for length in rng.integers(1200, 4000, n):
        t = np.arange(length) / SR
        tone = np.sin(2 * np.pi * rng.uniform(150, 400) * t)
        out.append((0.1 * tone + 0.05 * rng.standard_normal(length)).astype(np.float32))
    return out


def make_features(seed: int = 0, n: int = len(LABELS)) -> list[np.ndarray]:
    """``n`` float32 arrays of shape ``(1, N_FEATURES, T_i)``, ``T_i`` in [20, 60)."""
    rng = np.random.default_rng(seed)
    return [
        rng.normal(size=(1, N_FEATURES, int(t))).astype(np.float32)
        for t in rng.integers(20, 60, n)
    ]


def _takes_audio(est: Any) -> bool:
    return bool(get_tags(est).input_tags.string)


def _data(est: Any, seed: int = 0) -> list[np.ndarray]:
    return make_waveforms(seed) if _takes_audio(est) else make_features(seed)


def _dense(est: Any, seed: int = 0) -> np.ndarray:
    """The same kind of data as one dense array (equal lengths)."""
    if _takes_audio(est):
        return np.stack([x[:1200] for x in make_waveforms(seed)])
    return np.stack([x[..., :20] for x in make_features(seed)])


def _is_sampler(est: Any) -> bool:
    return hasattr(est, "fit_resample")


def _is_transformer(est: Any) -> bool:
    """A transformer first (a classifier with ``transform`` is a classifier)."""
    return hasattr(est, "transform") and not (_is_sampler(est) or is_classifier(est))


def _fit(est: Any, X: Any) -> Any:
    """Fit with labels when the estimator learns from them."""
    if _is_sampler(est) or is_classifier(est):
        return est.fit(X, LABELS[: len(X)])
    return est.fit(X)


def _output(est: Any, X: Any, *, fit: bool = False) -> Any:
    """What the fitted estimator gives for ``X`` (a sampler resamples it again);
    with ``fit``, fitted on ``X`` first, in one call where there is one."""
    if _is_sampler(est):
        return est.fit_resample(X, LABELS[: len(X)])
    if _is_transformer(est):
        return est.fit_transform(X) if fit else est.transform(X)
    if fit:
        _fit(est, X)
    if hasattr(est, "predict_proba"):
        return est.predict_proba(X)
    return est.predict(X)


def _run(est: Any, X: Any) -> Any:
    """Fit on ``X`` and return the output for ``X``."""
    return _output(est, X, fit=True)


def _arrays(out: Any) -> list[np.ndarray]:
    if isinstance(out, tuple):  # (X_res, y_res)
        return [*_arrays(out[0]), np.asarray(out[1])]
    return [np.asarray(o) for o in out]


def _same_params(a: dict, b: dict) -> bool:
    """Equal parameters; an estimator parameter compares by class and parameters
    (a deep copy or a clone is not the same object)."""
    if a.keys() != b.keys():
        return False
    for key, x in a.items():
        y = b[key]
        if hasattr(x, "get_params") and not isinstance(x, type):
            if type(x) is not type(y) or not _same_params(
                x.get_params(deep=False), y.get_params(deep=False)
            ):
                return False
        elif not _same(x, y):
            return False
    return True


def _assert_same(a: Any, b: Any) -> None:
    a, b = _arrays(a), _arrays(b)
    assert len(a) == len(b), (len(a), len(b))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


# --------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------


def check_fit_returns_self(name: str, estimator: Any) -> None:
    """``fit`` returns the estimator and leaves its parameters as they were."""
    est = clone(estimator)
    # deep=False: the ``__init__`` arguments (skorch's deep parameters grow with
    # the callbacks ``fit`` initialises)
    params = copy.deepcopy(est.get_params(deep=False))
    assert _fit(est, _data(est)) is est, f"{name}.fit does not return self"
    after = est.get_params(deep=False)
    assert params.keys() == after.keys()
    for key, value in params.items():
        assert _same_params({key: value}, {key: after[key]}), (
            f"{name}.fit changed the parameter {key!r}"
        )


def check_refit_is_idempotent(name: str, estimator: Any) -> None:
    """Fitting again on the same data gives the same output, whatever came before."""
    est = clone(estimator)
    X, other, new = _data(est, 0), _data(est, 1), _data(est, 2)
    if _is_sampler(est):
        first = est.fit_resample(X, LABELS)
        indices = est.sample_indices_.copy()
        _fit(est, other)
        _assert_same(est.fit_resample(X, LABELS), first)
        np.testing.assert_array_equal(est.sample_indices_, indices)
        return
    ref = _output(_fit(clone(estimator), X), new)
    _assert_same(_output(_fit(_fit(est, other), X), new), ref)
    _assert_same(_output(_fit(est, X), new), ref)


def check_fit_transform_equals_fit_then_transform(name: str, estimator: Any) -> None:
    """``fit_transform(X)`` equals ``fit(X).transform(X)`` (transformers; a sampler's
    ``fit_resample`` resamples, so the contract does not apply to it)."""
    est = clone(estimator)
    X = _data(est)
    _assert_same(clone(est).fit_transform(X), clone(est).fit(X).transform(X))


def check_same_seed_same_output(name: str, estimator: Any) -> None:
    """Two clones with the same ``random_state`` (or none, for a deterministic
    estimator) give the same output; a sampler's other seed gives another."""
    est = clone(estimator)
    has_seed = "random_state" in est.get_params()
    if has_seed:
        est.set_params(random_state=0)
    X = _data(est)
    first = _run(clone(est), X)
    _assert_same(_run(clone(est), X), first)
    if has_seed and _is_sampler(est):
        other = _run(clone(est).set_params(random_state=1), X)
        a, b = _arrays(first[0]), _arrays(other[0])
        assert any(not np.array_equal(p, q) for p, q in zip(a, b, strict=True)), (
            f"{name}: random_state=0 and random_state=1 gave the same copies"
        )


def check_clone_of_fitted_is_unfitted(name: str, estimator: Any) -> None:
    """A clone of a fitted estimator has its parameters and no attribute that
    ``fit`` set (only those a new instance has, e.g. skorch's ``history_``)."""
    est = clone(estimator)
    unfitted = set(vars(clone(estimator)))
    _fit(est, _data(est))
    fresh = clone(est)
    assert _same_params(fresh.get_params(deep=False), est.get_params(deep=False))
    kept = sorted(
        a for a in set(vars(fresh)) - unfitted if a.endswith("_") and a[0] != "_"
    )
    assert kept == [], f"{name}: clone kept {kept}"


def check_pickle_round_trip(name: str, estimator: Any) -> None:
    """A fitted estimator survives pickling: same parameters, same output."""
    est = clone(estimator)
    X = _data(est)
    expected = _run(est, X)
    back = pickle.loads(pickle.dumps(est))
    assert back.get_params(deep=False).keys() == est.get_params(deep=False).keys()
    if _is_sampler(est):
        np.testing.assert_array_equal(back.sample_indices_, est.sample_indices_)
        _assert_same(back.fit_resample(X, LABELS), expected)
    else:
        _assert_same(_output(back, X), _output(est, X))


def check_n_features_in(name: str, estimator: Any) -> None:
    """On ``(C, F, T)`` input ``n_features_in_`` is ``F``; on audio there is no
    feature axis, so no ``n_features_in_`` (and a stateless transformer learns
    nothing at all)."""
    est = clone(estimator)
    X = _data(est)
    _fit(est, X)
    if _takes_audio(est):
        assert not hasattr(est, "n_features_in_"), f"{name} has n_features_in_"
        if not get_tags(est).requires_fit:
            fitted = [a for a in vars(est) if a.endswith("_")]
            assert fitted == [], f"{name} is stateless but set {fitted}"
    else:
        assert est.n_features_in_ == N_FEATURES, (
            f"{name}.n_features_in_ = {est.n_features_in_}, expected {N_FEATURES}"
        )


def check_requires_fit(name: str, estimator: Any) -> None:
    """The ``requires_fit`` tag is honoured: NotFittedError before ``fit``, or
    (stateless) the output of a fitted clone."""
    est = clone(estimator)
    X = _data(est)
    if get_tags(est).requires_fit:
        try:
            _output(est, X)
        except NotFittedError:
            return
        raise AssertionError(f"{name} gave an output before fit (requires_fit)")
    _assert_same(_output(est, X), _output(_fit(clone(est), X), X))


def check_dtype_float32(name: str, estimator: Any) -> None:
    """float32 in, float32 out; float64 in gives the same numbers, as float32
    (a transformer that declares ``preserves_dtype=["float32"]``, a sampler)."""
    est = clone(estimator)
    if _is_transformer(est):
        assert "float32" in get_tags(est).transformer_tags.preserves_dtype
    X32 = _data(est)
    X64 = [x.astype(np.float64) for x in X32]
    out32, out64 = _run(clone(est), X32), _run(clone(est), X64)
    if _is_sampler(est):
        out32, out64 = out32[0], out64[0]
    for a, b in zip(_arrays(out32), _arrays(out64), strict=True):
        assert a.dtype == np.float32 and b.dtype == np.float32, (a.dtype, b.dtype)
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-4)


def check_input_not_modified(name: str, estimator: Any) -> None:
    """Nothing the user gave is modified in place (ragged and dense X, y), and a
    sampler's output never shares memory with the input."""
    est = clone(estimator)
    for X in (_data(est), _dense(est)):
        before = copy.deepcopy(X)
        y = LABELS[: len(X)].copy()
        if _is_sampler(est):
            X_res, _ = clone(est).fit_resample(X, y)
            assert not any(np.shares_memory(a, b) for a in X_res for b in X), (
                f"{name}: the output shares memory with X"
            )
        elif _is_transformer(est):
            clone(est).fit(X).transform(X)
            clone(est).fit_transform(X)
        else:
            _output(clone(est).fit(X, y), X)
        for a, b in zip(X, before, strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(y, LABELS[: len(X)])


class _NotAValue:
    """Of no type any parameter constraint accepts."""


def check_invalid_parameters_raise(name: str, estimator: Any) -> None:
    """A value no constraint accepts raises ``InvalidParameterError`` naming the
    parameter, in ``fit`` (``_parameter_constraints`` is the one check)."""
    est = clone(estimator)
    X = _data(est)
    for param in type(est)._parameter_constraints:
        bad = clone(est).set_params(**{param: _NotAValue()})
        try:
            _fit(bad, X)
        except InvalidParameterError as exc:
            assert f"'{param}' parameter" in str(exc), str(exc)
        else:
            raise AssertionError(f"{name}: {param}=<not a value> was accepted")


def _bad_inputs(est: Any) -> list[tuple[str, Any]]:
    """(what is wrong, X) pairs every estimator must reject."""
    if _takes_audio(est):
        good = make_waveforms()
        return [
            ("NaN samples", [*good[:-1], np.full(2000, np.nan, dtype=np.float32)]),
            ("a silent utterance", [*good[:-1], np.zeros(2000, dtype=np.float32)]),
            ("an empty utterance", [*good[:-1], np.zeros(0, dtype=np.float32)]),
            ("a 3-D array", np.zeros((len(good), 2, 2000), dtype=np.float32)),
            ("one waveform instead of a list", good[0]),
        ]
    good = make_features()
    return [
        ("NaN features", [*good[:-1], np.full((1, N_FEATURES, 30), np.nan, np.float32)]),
        ("an utterance without frames", [*good[:-1], np.zeros((1, N_FEATURES, 0))]),
        ("a 1-D utterance", [*good[:-1], np.zeros(30, dtype=np.float32)]),
        ("a different number of features",
         [*good[:-1], np.zeros((1, N_FEATURES + 1, 30), dtype=np.float32)]),
        ("waveforms instead of features", make_waveforms()),
        ("strings", [np.array(["a", "b"])] * len(good)),
    ]


def check_bad_input_raises_one_line_error(name: str, estimator: Any) -> None:
    """NaN, silence, empty or wrongly shaped input raises a ``ValueError`` or
    ``TypeError`` whose one-line message starts with the estimator's name (or,
    for a meta-estimator, with that of the step that read the input)."""
    est = clone(estimator)
    names = [name] + [
        type(v).__name__
        for v in est.get_params(deep=False).values()
        if hasattr(v, "get_params") and not isinstance(v, type)
    ]
    for what, X in _bad_inputs(est):
        try:
            _run(clone(est), X)
        except (ValueError, TypeError) as exc:
            msg = str(exc)
            assert "\n" not in msg, f"{name} on {what}: a multi-line message: {msg!r}"
            assert any(msg.startswith(f"{n}:") for n in names), (
                f"{name} on {what}: the message does not name the estimator: {msg!r}"
            )
        else:
            raise AssertionError(f"{name} accepted {what}")


def check_init_parameters_documented(name: str, estimator: Any) -> None:
    """Every ``__init__`` parameter is keyword-only and documented once under
    Parameters, and nothing else is (numpydoc)."""
    from numpydoc.docscrape import ClassDoc

    doc = ClassDoc(type(estimator))
    documented = [n.strip() for p in doc["Parameters"] for n in p.name.split(",")]
    params = inspect.signature(type(estimator).__init__).parameters
    signature = [p for p in params if p != "self"]
    assert sorted(documented) == sorted(signature), (sorted(documented), signature)
    for p in params.values():
        if p.name != "self":
            assert p.kind is p.KEYWORD_ONLY, f"{name}: {p.name} is not keyword-only"


# --------------------------------------------------------------------------------------
# Selecting and running them
# --------------------------------------------------------------------------------------


def ragged_checks(estimator: Any) -> Iterator[Callable[[str, Any], None]]:
    """The checks that apply to ``estimator``, by its role."""
    yield check_init_parameters_documented
    yield check_fit_returns_self
    yield check_clone_of_fitted_is_unfitted
    yield check_pickle_round_trip
    yield check_refit_is_idempotent
    yield check_same_seed_same_output
    yield check_input_not_modified
    yield check_invalid_parameters_raise
    yield check_bad_input_raises_one_line_error
    if not _is_sampler(estimator):
        yield check_n_features_in
        yield check_requires_fit
    if _is_transformer(estimator):
        yield check_fit_transform_equals_fit_then_transform
    if _is_transformer(estimator) or _is_sampler(estimator):
        yield check_dtype_float32


def estimator_id(est: Any) -> str:
    """The class name and the parameters that differ from a default instance's
    (or, when the class needs arguments, from its ``__init__`` defaults), for
    test ids."""
    try:
        default = type(est)().get_params(deep=False)
    except TypeError:  # required arguments
        default = {
            k: p.default
            for k, p in inspect.signature(type(est).__init__).parameters.items()
            if p.default is not inspect.Parameter.empty
        }
    changed = {
        k: v
        for k, v in est.get_params(deep=False).items()
        if k not in default or not _same(v, default[k])
    }
    return type(est).__name__ + (f"({changed})" if changed else "")


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # e.g. arrays
        return a is b


def parametrize_with_ragged_checks(
    estimators: Sequence[Any],
    *,
    expected_failed_checks: Callable[[Any], dict[str, str]] | None = None,
):
    """A ``pytest.mark.parametrize`` over ``(estimator, check)`` for every estimator
    and every check of :func:`ragged_checks` that applies to it.

    Parameters
    ----------
    estimators : sequence of estimator instances
        Each is cloned by the checks, never modified.
    expected_failed_checks : callable, default=None
        ``f(estimator) -> {check name: reason}``: those checks are marked
        ``xfail(strict=True)`` with the reason, as scikit-learn's
        ``parametrize_with_checks`` does.

    Returns
    -------
    decorator
        Applied to ``def test_x(estimator, check): check(estimator)``.
    """
    import pytest

    cases = []
    for est in estimators:
        xfail = expected_failed_checks(est) if expected_failed_checks else {}
        for check in ragged_checks(est):
            marks = []
            if check.__name__ in (xfail or {}):
                marks.append(pytest.mark.xfail(reason=xfail[check.__name__]))
            cases.append(
                pytest.param(
                    est,
                    partial(check, type(est).__name__),
                    id=f"{estimator_id(est)}-{check.__name__}",
                    marks=marks,
                )
            )
    return pytest.mark.parametrize("estimator, check", cases)
