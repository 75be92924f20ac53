"""Functionals over frames: one fixed-length vector per utterance (zhou §1)."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn_compat.base import _fit_context

from sklearn_ser.utils._validation import check_consistent_length, check_features

__all__ = ["FrameStatistics", "frame_statistics"]

_STATS = ("mean", "std", "min", "max", "range", "median", "skew", "kurtosis")


def _check_stats(stats: Any, percentiles: Any, name: str) -> tuple[list[str], list[float]]:
    if isinstance(stats, str):
        stats = [stats]
    stats = list(stats)
    unknown = [s for s in stats if s not in _STATS]
    if unknown:
        raise ValueError(
            f"{name}: unknown statistic(s) {unknown}; choose among {list(_STATS)}"
        )
    if len(set(stats)) != len(stats):
        raise ValueError(f"{name}: stats contains duplicates: {stats}")
    if isinstance(percentiles, Real):
        percentiles = [percentiles]
    pct = [float(q) for q in percentiles]
    if any(not 0.0 <= q <= 100.0 for q in pct):
        raise ValueError(f"{name}: percentiles must lie in [0, 100], got {pct}")
    if len(set(pct)) != len(pct):
        raise ValueError(f"{name}: percentiles contains duplicates: {pct}")
    if not stats and not pct:
        raise ValueError(f"{name}: no statistic requested (stats and percentiles empty)")
    return stats, pct


def _stat_names(stats: list[str], pct: list[float]) -> list[str]:
    return stats + [f"p{q:g}" for q in pct]


def _moments(
    x: np.ndarray, counts: np.ndarray, stats: list[str]
) -> dict[str, np.ndarray]:
    """Moment statistics of concatenated frames ``x (N, D)`` per utterance (float64)."""
    starts = np.cumsum(counts) - counts
    n = counts[:, None].astype(np.float64)
    out: dict[str, np.ndarray] = {}
    mean = np.add.reduceat(x, starts, axis=0) / n
    out["mean"] = mean
    need_var = {"std", "skew", "kurtosis"} & set(stats)
    if need_var:
        centred = x - np.repeat(mean, counts, axis=0)
        sq = centred * centred
        m2 = np.add.reduceat(sq, starts, axis=0) / n
        out["std"] = np.sqrt(m2)
        if {"skew", "kurtosis"} & set(stats):
            # a (numerically) constant feature has no shape: 0 rather than 0 / 0;
            # the same test as scipy.stats.skew's
            flat = m2 <= (np.finfo(np.float64).resolution * np.abs(mean)) ** 2
            safe = np.where(flat, 1.0, m2)
            if "skew" in stats:
                m3 = np.add.reduceat(sq * centred, starts, axis=0) / n
                out["skew"] = np.where(flat, 0.0, m3 / safe**1.5)
            if "kurtosis" in stats:
                m4 = np.add.reduceat(sq * sq, starts, axis=0) / n
                out["kurtosis"] = np.where(flat, 0.0, m4 / safe**2 - 3.0)
    if {"min", "range"} & set(stats):
        out["min"] = np.minimum.reduceat(x, starts, axis=0)
    if {"max", "range"} & set(stats):
        out["max"] = np.maximum.reduceat(x, starts, axis=0)
    if "range" in stats:
        out["range"] = out["max"] - out["min"]
    return out


def frame_statistics(
    X: Any,
    *,
    stats: tuple[str, ...] | list[str] = ("mean", "std", "min", "max", "skew", "kurtosis"),
    percentiles: tuple[float, ...] | list[float] = (),
) -> np.ndarray:
    """Functionals over the frames of every utterance, as a 2-D array.

    Parameters
    ----------
    X : list of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
        Features, one array per utterance (as the feature transformers return
        them). Not modified.
    stats : sequence of str, default=("mean", "std", "min", "max", "skew", "kurtosis")
        Among ``"mean"``, ``"std"`` (population, ``ddof=0``), ``"min"``, ``"max"``,
        ``"range"``, ``"median"``, ``"skew"`` and ``"kurtosis"`` (biased moment
        estimates, as :func:`scipy.stats.skew` / :func:`scipy.stats.kurtosis`;
        Fisher's excess kurtosis; 0 for a constant feature).
    percentiles : sequence of float, default=()
        Percentiles in [0, 100] (linear interpolation, :func:`numpy.percentile`).

    Returns
    -------
    Z : ndarray of shape (n, n_stats * C * F), float32
        Statistic-major: all ``C * F`` features' first statistic, then the second...

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import frame_statistics
    >>> x = np.arange(10, dtype=np.float32).reshape(1, 1, 10)  # one feature, 10 frames
    >>> frame_statistics([x[0]], stats=("mean", "max"), percentiles=(50,))
    array([[4.5, 9. , 4.5]], dtype=float32)
    """
    stats, pct = _check_stats(stats, percentiles, "frame_statistics")
    items, _ = check_features(X, name="frame_statistics", dtype=np.float64)
    return _compute(items, stats, pct)


def _compute(items: list[np.ndarray], stats: list[str], pct: list[float]) -> np.ndarray:
    c, f = items[0].shape[:2]
    d = c * f
    counts = np.fromiter((a.shape[-1] for a in items), dtype=np.int64, count=len(items))
    # frames of all utterances one after the other: (N, C * F)
    x = np.concatenate([a.reshape(d, -1).T for a in items], axis=0)
    values = _moments(x, counts, stats)
    if "median" in stats or pct:
        qs = ([50.0] if "median" in stats else []) + pct
        per = np.stack(
            [np.percentile(a.reshape(d, -1), qs, axis=1) for a in items], axis=1
        )  # (n_q, n, D)
        if "median" in stats:
            values["median"] = per[0]
        for j, q in enumerate(pct):
            values[f"p{q:g}"] = per[j + ("median" in stats)]
    names = _stat_names(stats, pct)
    out = np.concatenate([values[s] for s in names], axis=1)
    return out.astype(np.float32)


class FrameStatistics(TransformerMixin, BaseEstimator):
    """Statistics over frames: ragged ``(C, F, T_i)`` features to a 2-D table.

    The "high-level statistical functions" of classic SER (zhou §1): mean, standard
    deviation, extremes, skewness, kurtosis and percentiles of every channel x
    feature over the frames of an utterance, giving one row per utterance for
    scikit-learn classifiers (SVM, logistic regression, ...).

    The transformer is stateless: ``fit`` records the input shape (for
    ``get_feature_names_out`` and to check ``transform``'s input); ``transform``
    works unfitted.

    Parameters
    ----------
    stats : sequence of str, default=("mean", "std", "min", "max", "skew", "kurtosis")
        Among ``"mean"``, ``"std"`` (population, ``ddof=0``), ``"min"``,
        ``"max"``, ``"range"``, ``"median"``, ``"skew"`` and ``"kurtosis"``
        (biased moment estimates as :func:`scipy.stats.skew` and
        :func:`scipy.stats.kurtosis`, Fisher's excess kurtosis; 0 for a constant
        feature, where scipy gives NaN).
    percentiles : sequence of float, default=()
        Also these percentiles, in [0, 100] (linear interpolation).

    Attributes
    ----------
    n_features_in_ : int
        Features per channel (``F``) seen in ``fit``.
    n_channels_in_ : int
        Channels (``C``) seen in ``fit``.

    See Also
    --------
    MFCC : frame-level features to summarise.
    FeatureNormalizer : normalisation over frames.

    Notes
    -----
    Output columns are statistic-major: the first statistic of all ``C * F``
    features (channel after channel), then the second, ...; named
    ``"<stat>_<feature>"`` by ``get_feature_names_out``. Computed in float64,
    returned as float32. For dense input every frame counts, padding included.

    References
    ----------
    .. [1] H. Zhou and K. Liu, "Speech Emotion Recognition with Discriminative
       Feature Learning", Interspeech 2020, §1 (statistical aggregation of
       low-level descriptors).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_ser.features import MFCC, FrameStatistics
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.standard_normal(int(n)).astype(np.float32) * g
    ...      for n, g in zip(rng.integers(8000, 16000, 8), [0.1, 1.0] * 4)]
    >>> y = [0, 1] * 4
    >>> pipe = make_pipeline(MFCC(n_mfcc=13), FrameStatistics(stats=("mean", "std")),
    ...                      LogisticRegression())
    >>> pipe.fit(X, y).predict(X[:2]).tolist()
    [0, 1]
    >>> pipe[:-1].get_feature_names_out()[[0, 13]].tolist()
    ['mean_mfcc0', 'std_mfcc0']
    """

    _parameter_constraints: dict = {
        "stats": ["array-like", str],
        "percentiles": ["array-like", Interval(Real, 0, 100, closed="both")],
    }

    def __init__(
        self,
        *,
        stats: tuple[str, ...] | list[str] = ("mean", "std", "min", "max", "skew", "kurtosis"),
        percentiles: tuple[float, ...] | list[float] = (),
    ) -> None:
        self.stats = stats
        self.percentiles = percentiles

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> FrameStatistics:
        """Check the parameters and record the input's channels and features.

        Parameters
        ----------
        X : list of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Features, one array per utterance.
        y : None
            Ignored.

        Returns
        -------
        self : FrameStatistics
            The transformer.
        """
        _check_stats(self.stats, self.percentiles, type(self).__name__)
        items, _ = check_features(X, name=type(self).__name__, dtype=np.float64)
        check_consistent_length(items, y, name=type(self).__name__)
        self.n_channels_in_ = int(items[0].shape[0])
        self.n_features_in_ = int(items[0].shape[1])
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Compute the statistics of every utterance.

        Parameters
        ----------
        X : list of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Features, one array per utterance. Not modified.

        Returns
        -------
        Z : ndarray of shape (n, n_stats * C * F), float32
            One row per utterance.
        """
        name = type(self).__name__
        stats, pct = _check_stats(self.stats, self.percentiles, name)
        items, _ = check_features(
            X,
            name=name,
            dtype=np.float64,
            n_channels=getattr(self, "n_channels_in_", None),
            n_features=getattr(self, "n_features_in_", None),
        )
        return _compute(items, stats, pct)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names ``"<stat>_<feature>"`` of the output columns.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Names of the ``C * F`` per-frame features, channel after channel (what
            the feature transformers' ``get_feature_names_out`` gives). None:
            ``x0, x1, ...`` (needs ``fit``).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        stats, pct = _check_stats(self.stats, self.percentiles, type(self).__name__)
        if input_features is None:
            if not hasattr(self, "n_features_in_"):
                from sklearn.exceptions import NotFittedError

                raise NotFittedError(
                    f"{type(self).__name__}: call fit first or pass input_features"
                )
            d = self.n_channels_in_ * self.n_features_in_
            input_features = [f"x{i}" for i in range(d)]
        input_features = [str(s) for s in np.asarray(input_features, dtype=object).ravel()]
        if hasattr(self, "n_features_in_"):
            d = self.n_channels_in_ * self.n_features_in_
            if len(input_features) != d:
                raise ValueError(
                    f"{type(self).__name__}: input_features has {len(input_features)} "
                    f"names, expected {d} (channels x features seen in fit)"
                )
        return np.asarray(
            [f"{s}_{f}" for s in _stat_names(stats, pct) for f in input_features],
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
