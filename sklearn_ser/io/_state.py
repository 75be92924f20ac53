"""Checks of restored fitted state, run before any native code sees it.

Model files hold only estimators whose fitted state is described here: for each
class a function reads every fitted attribute through a :class:`State`, checking
its type, dtype and shape and how the attributes agree with each other (libsvm's
``support_vectors_``, ``_n_support``, ``_dual_coef_`` and ``_intercept_``, a linear
model's ``coef_`` and ``intercept_`` ...). An attribute the function does not read
is unknown and refused; one it needs and the file lacks is refused too. The
classes are listed in :data:`SCHEMAS` by the name they are defined under; the
sklearn_ser ones are in :mod:`._state_ser`.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

_MISSING = object()


class StateError(ValueError):
    """A restored attribute disagrees with what its class needs (message: one line)."""


class State:
    """Typed access to the fitted state an estimator was given from a file.

    Every accessor records the name it reads; :meth:`finish` refuses the names
    that were given but not read (unknown attributes).
    """

    def __init__(self, est: Any, names: Any) -> None:
        self.est = est
        self.names = set(names)
        self.seen: set[str] = set()

    # ------------------------------------------------------------------ basics
    def fail(self, name: str, why: str) -> StateError:
        return StateError(f"fitted attribute {name!r} {why}")

    def has(self, name: str) -> bool:
        return name in self.names

    def get(self, name: str, *, optional: bool = False) -> Any:
        self.seen.add(name)
        if name not in self.names:
            if optional:
                return _MISSING
            raise StateError(f"fitted attribute {name!r} is missing")
        return vars(self.est)[name]

    def skip(self, *names: str) -> None:
        """Attributes that may be present and hold anything the class ignores at
        prediction time (resampling records, training-only values)."""
        self.seen.update(names)

    def finish(self) -> None:
        unknown = sorted(self.names - self.seen)
        if unknown:
            raise StateError(
                f"unknown fitted attribute(s) {', '.join(map(repr, unknown))} (not "
                f"set by this version of {type(self.est).__name__})"
            )

    def _typed(self, name: str, types: Any, expected: str, *, optional: bool,
               none: bool = False, bools: bool = True) -> tuple[Any, bool]:
        """``(value, absent)``: absent when the attribute is missing and
        ``optional``, or None and ``none``; otherwise the value is an instance of
        ``types`` (a bool counts only with ``bools``), or the state is refused."""
        v = self.get(name, optional=optional)
        if v is _MISSING or (none and v is None):
            return v, True
        if not isinstance(v, types) or (not bools and isinstance(v, (bool, np.bool_))):
            raise self.fail(name, f"is {type(v).__name__}, expected {expected}")
        return v, False

    # --------------------------------------------------------------- scalars
    def int(self, name: str, *, lo: int | None = None, hi: int | None = None,
            optional: bool = False, none: bool = False) -> Any:
        v, absent = self._typed(name, numbers.Integral, "an integer",
                                optional=optional, none=none, bools=False)
        if absent:
            return v
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise self.fail(name, f"is {v}, expected an integer in [{lo}, {hi}]")
        return int(v)

    def real(self, name: str, *, optional: bool = False, none: bool = False,
             finite: bool = True) -> Any:
        v, absent = self._typed(name, numbers.Real, "a number", optional=optional,
                                none=none, bools=False)
        if absent:
            return v
        if finite and not np.isfinite(v):
            raise self.fail(name, f"is {v}, expected a finite number")
        return float(v)

    def flag(self, name: str, *, optional: bool = False, value: bool | None = None) -> Any:
        v, absent = self._typed(name, (bool, np.bool_), "a bool", optional=optional)
        if absent:
            return v
        if value is not None and bool(v) is not value:
            raise self.fail(name, f"is {v}, only {value} is supported")
        return bool(v)

    def text(self, name: str, *, options: tuple | None = None, optional: bool = False,
             none: bool = False) -> Any:
        v, absent = self._typed(name, str, "a str", optional=optional, none=none)
        if absent:
            return v
        if options is not None and v not in options:
            raise self.fail(name, f"is {v!r}, expected one of {options}")
        return v

    def ints(self, name: str, *, length: int | None = None, lo: int = 0,
             optional: bool = False) -> Any:
        """A tuple of integers (``shape_fit_``, ``feature_shape_``)."""
        v = self.get(name, optional=optional)
        if v is _MISSING:
            return v
        if not isinstance(v, tuple) or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, (bool, np.bool_))
            and s >= lo for s in v
        ) or (length is not None and len(v) != length):
            raise self.fail(name, f"is {v!r}, expected a tuple of {length or ''} "
                                  f"integers >= {lo}")
        return tuple(int(s) for s in v)

    # ----------------------------------------------------------------- arrays
    def array(self, name: str, *, kinds: str = "f", dtype: Any = None,
              shape: tuple | None = None, ndim: int | None = None,
              optional: bool = False, none: bool = False, finite: bool = True,
              contiguous: bool = False) -> Any:
        """A numpy array of one of the dtype ``kinds`` (or exactly ``dtype``) and
        the given ``shape`` (None entries: any size) or ``ndim``."""
        v, absent = self._typed(name, np.ndarray, "an ndarray", optional=optional,
                                none=none)
        if absent:
            return v
        if dtype is not None and v.dtype != np.dtype(dtype):
            raise self.fail(name, f"has dtype {v.dtype}, expected {np.dtype(dtype)}")
        if dtype is None and v.dtype.kind not in kinds:
            raise self.fail(name, f"has dtype {v.dtype}, expected kind {kinds!r}")
        if ndim is None and shape is not None:
            ndim = len(shape)
        if ndim is not None and v.ndim != ndim:
            raise self.fail(name, f"has shape {v.shape}, expected {ndim} dimension(s)")
        if shape is not None and any(
            s is not None and s != a for s, a in zip(shape, v.shape)
        ):
            want = tuple("*" if s is None else s for s in shape)
            raise self.fail(name, f"has shape {v.shape}, expected {want}")
        if contiguous and not v.flags.c_contiguous:
            raise self.fail(name, "is not C-contiguous")
        if finite and v.dtype.kind in "fc" and v.size and not np.isfinite(v).all():
            raise self.fail(name, "holds NaN or infinite values")
        if v.dtype.kind == "O" and not all(
            isinstance(x, (str, numbers.Number)) for x in v.ravel().tolist()
        ):
            raise self.fail(name, "holds objects that are not numbers or strings")
        return v

    def labels(self, name: str, *, optional: bool = False, min_size: int = 1) -> Any:
        """Class labels: a 1-D array of numbers or strings, no repeats."""
        v = self.array(name, kinds="biufUO", ndim=1, optional=optional)
        if v is _MISSING:
            return v
        if v.size < min_size:
            raise self.fail(name, f"holds {v.size} label(s), expected >= {min_size}")
        try:
            distinct = len(set(v.tolist())) == v.size
        except TypeError:
            distinct = False
        if not distinct:
            raise self.fail(name, "holds repeated or unhashable labels")
        return v

    def estimator(self, name: str, *, optional: bool = False, none: bool = False,
                  fitted: bool = True) -> Any:
        from sklearn.base import BaseEstimator

        v, absent = self._typed(name, BaseEstimator, "an estimator",
                                optional=optional, none=none)
        if absent:
            return v
        if fitted:
            require_fitted(v, name)
        return v


def _is_pipeline(est: Any) -> bool:
    return any(f"{c.__module__}.{c.__qualname__}" in (
        "sklearn.pipeline.Pipeline", "imblearn.pipeline.Pipeline"
    ) for c in type(est).__mro__)


def require_fitted(est: Any, where: str) -> None:
    """``est`` is fitted; for a pipeline: every step is."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if _is_pipeline(est):
        for name, step in est.steps:
            if step is not None and not (isinstance(step, str) and step == "passthrough"):
                require_fitted(step, f"{where} step {name!r}")
        return
    try:
        check_is_fitted(est)
    except NotFittedError:
        raise StateError(f"{where} ({type(est).__name__}) is not fitted") from None


def common(s: State, *, n_features: bool = True) -> int | None:
    """``n_features_in_`` and ``feature_names_in_``, which most estimators have."""
    if not n_features:
        return None
    nf = s.int("n_features_in_", lo=1)
    names = s.array("feature_names_in_", kinds="OU", shape=(nf,), optional=True)
    if names is not _MISSING and not all(isinstance(x, str) for x in names.tolist()):
        raise s.fail("feature_names_in_", "holds names that are not strings")
    return nf


# ---------------------------------------------------------------- scikit-learn
def _libsvm(s: State) -> None:
    from sklearn.base import is_classifier

    est = s.est
    nf = common(s)
    # instance copies of class constants: set by BaseLibSVM.__init__, unused later
    for name in ("nu", "epsilon", "C"):
        s.real(name, optional=True)
    for name in ("probability",):
        s.flag(name, optional=True)
    s.get("class_weight", optional=True)
    s.get("random_state", optional=True)
    s.flag("_sparse", value=False)
    s.flag("_effective_probability", optional=True)
    s.real("_gamma")
    s.int("fit_status_", lo=0)
    n_fit, n_cols = s.ints("shape_fit_", length=2)
    f64 = np.float64
    sv = s.array("support_vectors_", dtype=f64, ndim=2, contiguous=True)
    precomputed = est.kernel == "precomputed"
    if precomputed:
        if sv.shape != (0, 0) or n_cols != n_fit or nf != n_fit:
            raise s.fail("support_vectors_", f"has shape {sv.shape} for a precomputed "
                         f"kernel fitted on {n_fit} samples")
        n_sv = s.array("support_", dtype=np.int32, ndim=1, contiguous=True).shape[0]
    else:
        if sv.shape[1] != nf or n_cols != nf:
            raise s.fail("support_vectors_", f"has shape {sv.shape}, shape_fit_ is "
                         f"{(n_fit, n_cols)}; expected {nf} features")
        n_sv = sv.shape[0]
    support = s.array("support_", dtype=np.int32, shape=(n_sv,), contiguous=True)
    if support.size and (support.min() < 0 or support.max() >= n_fit):
        raise s.fail("support_", f"holds indices outside [0, {n_fit})")
    if n_sv == 0:
        raise s.fail("support_vectors_", "is empty")
    n_support = s.array("_n_support", dtype=np.int32, ndim=1, contiguous=True)
    if is_classifier(est):
        classes = s.labels("classes_", min_size=2)
        k = classes.size
        if n_support.shape != (k,) or n_support.min() < 0 or n_support.sum() != n_sv:
            raise s.fail("_n_support", f"is {n_support.tolist()}, expected {k} "
                         f"non-negative counts adding up to {n_sv} support vectors")
        s.array("class_weight_", dtype=f64, shape=(k,), contiguous=True)
        rows, pairs = k - 1, k * (k - 1) // 2
    else:
        if n_support.shape != (2,) or n_support.min() < 0 or n_support.max() > n_sv:
            raise s.fail("_n_support", f"is {n_support.tolist()}, expected 2 counts "
                         f"<= {n_sv}")
        s.array("class_weight_", dtype=f64, ndim=1, optional=True)
        s.array("offset_", dtype=f64, shape=(1,), optional=True)
        rows, pairs = 1, 1
    for name in ("_dual_coef_", "dual_coef_"):
        s.array(name, dtype=f64, shape=(rows, n_sv), contiguous=True)
    for name in ("_intercept_", "intercept_"):
        s.array(name, dtype=f64, shape=(pairs,), contiguous=True)
    for name in ("_probA", "_probB"):
        p = s.array(name, dtype=f64, ndim=1, contiguous=True)
        if p.size not in (0, pairs):
            raise s.fail(name, f"has {p.size} values, expected 0 or {pairs}")
    s.array("_num_iter", dtype=np.int32, ndim=1, optional=True)
    n_iter = s.get("n_iter_")
    if not isinstance(n_iter, (numbers.Integral, np.ndarray)):
        raise s.fail("n_iter_", f"is {type(n_iter).__name__}")


def _linear_classifier(s: State) -> None:
    nf = common(s)
    k = s.labels("classes_", min_size=2).size
    rows = 1 if k == 2 else k
    s.array("coef_", shape=(rows, nf))
    s.array("intercept_", shape=(rows,))
    n_iter = s.get("n_iter_", optional=True)
    if n_iter is not _MISSING and not isinstance(n_iter, (numbers.Integral, np.ndarray)):
        raise s.fail("n_iter_", f"is {type(n_iter).__name__}")


def _standard_scaler(s: State) -> None:
    nf = common(s)
    est = s.est
    s.array("mean_", shape=(nf,), none=not est.with_mean)
    s.array("var_", shape=(nf,), none=not est.with_std)
    scale = s.array("scale_", shape=(nf,), none=not est.with_std)
    if scale is not None and scale.size and not (scale > 0).all():
        raise s.fail("scale_", "holds values <= 0 (StandardScaler never does)")
    seen = s.get("n_samples_seen_")
    if isinstance(seen, np.ndarray):
        s.array("n_samples_seen_", kinds="iu", shape=(nf,))
    elif not isinstance(seen, numbers.Real) or seen < 0:
        raise s.fail("n_samples_seen_", f"is {seen!r}, expected a count")


def _min_max_scaler(s: State) -> None:
    nf = common(s)
    for name in ("scale_", "min_", "data_min_", "data_max_", "data_range_"):
        s.array(name, shape=(nf,))
    s.int("n_samples_seen_", lo=0)


def _pca(s: State) -> None:
    nf = common(s)
    nc = s.int("n_components_", lo=1, hi=nf)
    s.text("_fit_svd_solver")
    s.array("mean_", shape=(nf,))
    s.array("components_", shape=(nc, nf))
    for name in ("explained_variance_", "explained_variance_ratio_", "singular_values_"):
        s.array(name, shape=(nc,))
    s.real("noise_variance_")
    s.int("n_samples_", lo=1)


def _dummy_classifier(s: State) -> None:
    common(s)
    k = s.labels("classes_").size
    s.text("_strategy", options=("most_frequent", "prior", "stratified", "uniform",
                                 "constant"))
    s.flag("sparse_output_", value=False)
    s.int("n_outputs_", lo=1, hi=1)
    s.int("n_classes_", lo=k, hi=k)
    s.array("class_prior_", shape=(k,))


def _label_encoder(s: State) -> None:
    s.labels("classes_")


def _composition(validate: str, parts: str) -> Callable[[State], None]:
    """The check of a composition with no fitted state of its own (a pipeline, a
    feature union): its parts (parameters) must be valid; they are required to be
    fitted where a fitted composition is needed (``require_fitted``)."""

    def check(s: State) -> None:
        try:
            getattr(s.est, validate)()
        except (TypeError, ValueError, AttributeError) as exc:
            raise StateError(
                f"its {parts} are invalid ({str(exc).splitlines()[0]})"
            ) from None

    return check


_pipeline = _composition("_validate_steps", "steps")
_feature_union = _composition("_validate_transformers", "transformers")


#: Compositions whose fitted state is their sub-estimators (no attribute of their own).
CONTAINERS = (_pipeline, _feature_union)

_SVM = "sklearn.svm._classes."
#: Fitted-state checks by the name a class is defined under. Classes missing here
#: cannot be saved or loaded (see the module docstring).
SCHEMAS: dict[str, Callable[[State], None]] = {
    **{_SVM + n: _libsvm for n in ("SVC", "NuSVC", "SVR", "NuSVR", "OneClassSVM")},
    _SVM + "LinearSVC": _linear_classifier,
    "sklearn.linear_model._logistic.LogisticRegression": _linear_classifier,
    "sklearn.preprocessing._data.StandardScaler": _standard_scaler,
    "sklearn.preprocessing._data.MinMaxScaler": _min_max_scaler,
    "sklearn.preprocessing._label.LabelEncoder": _label_encoder,
    "sklearn.decomposition._pca.PCA": _pca,
    "sklearn.dummy.DummyClassifier": _dummy_classifier,
    "sklearn.pipeline.Pipeline": _pipeline,
    "imblearn.pipeline.Pipeline": _pipeline,
    "sklearn.pipeline.FeatureUnion": _feature_union,
}
