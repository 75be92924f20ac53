"""Mean/variance normalisation of frame-level features, per utterance or global."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context

from sklearn_ser.utils._validation import (
    check_consistent_length,
    check_features,
    to_object_array,
)

__all__ = ["FeatureNormalizer", "speaker_normalize"]


def _scale(std: np.ndarray) -> np.ndarray:
    """Standard deviation with (numerically) zero entries replaced by 1, so constant
    features are centred but not blown up (as :class:`~sklearn.preprocessing.StandardScaler`)."""
    tiny = 10 * np.finfo(np.float64).eps
    return np.where(std < tiny, 1.0, std)


def _global_moments(items: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, int]:
    """Mean and standard deviation per (channel, feature) over all frames (float64,
    two passes)."""
    n = sum(a.shape[-1] for a in items)
    mean = sum(a.sum(axis=-1) for a in items) / n
    var = sum(((a - mean[..., None]) ** 2).sum(axis=-1) for a in items) / n
    return mean, np.sqrt(var), n


def _standardise(a, mean, scale, *, with_mean: bool, with_std: bool) -> np.ndarray:
    """``(a - mean) / scale`` per channel x feature (either step optional), float32."""
    if with_mean:
        a = a - mean[..., None]
    if with_std:
        a = a / scale[..., None]
    return a.astype(np.float32)


def _same_names(est: Any, input_features: Any, d: int | None, *, seen: str = ""):
    """The names of a transformer that keeps its features: ``x0, x1, ...`` for
    None, else ``input_features`` as str, checked to be ``d`` (None: unchecked)."""
    if input_features is None:
        return np.asarray([f"x{i}" for i in range(d)], dtype=object)
    names = [str(s) for s in np.ravel(np.asarray(input_features, dtype=object))]
    if d is not None and len(names) != d:
        raise ValueError(
            f"{type(est).__name__}: input_features has {len(names)} names, "
            f"expected {d}{seen}"
        )
    return np.asarray(names, dtype=object)


def _like_input(out: list[np.ndarray], dense: bool, X: Any) -> np.ndarray:
    """Per-utterance results in the input's layout: stacked when ``X`` was dense
    (a dense ``(n, F, T)`` input comes back as ``(n, F, T)``), else an object array."""
    if dense:
        stacked = np.stack(out)
        return stacked[:, 0] if np.ndim(X) == 3 else stacked
    return to_object_array(out)


class FeatureNormalizer(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Mean and variance normalisation (CMVN) of frame-level features.

    ``scope="utterance"``: every utterance is normalised by its own mean and
    standard deviation over frames, per channel x feature (cepstral mean and
    variance normalisation; stateless). ``scope="global"``: the mean and standard
    deviation per channel x feature over all frames of the training utterances are
    learnt in ``fit`` and applied in ``transform`` (fit it on training folds only).

    Parameters
    ----------
    scope : {"utterance", "global"}, default="utterance"
        Whose statistics normalise an utterance: its own, or the training set's.
    with_mean : bool, default=True
        Subtract the mean.
    with_std : bool, default=True
        Divide by the standard deviation (population, ``ddof=0``); a constant
        feature is divided by 1.

    Attributes
    ----------
    mean_ : ndarray of shape (C, F)
        Mean per channel x feature over all training frames (``scope="global"``).
    scale_ : ndarray of shape (C, F)
        Standard deviation per channel x feature, zeros replaced by 1
        (``scope="global"``).
    n_frames_seen_ : int
        Frames the statistics were computed on (``scope="global"``).
    n_features_in_ : int
        Features per channel (``F``) seen in ``fit``.
    n_channels_in_ : int
        Channels (``C``) seen in ``fit``.

    See Also
    --------
    FrameStatistics : statistics over frames as a 2-D table.
    sklearn.preprocessing.StandardScaler : the 2-D equivalent of the global scope.

    Notes
    -----
    The output has the input's layout: an object array of ``(C, F, T_i)`` arrays
    for ragged input, a dense ``(n, C, F, T)`` array for dense input (whose padding
    frames then count in the statistics). Computed in float64, returned as
    float32; the input is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import FeatureNormalizer
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.normal(5.0, 2.0, size=(1, 3, int(t))) for t in (50, 80)]
    >>> Z = FeatureNormalizer().fit_transform(X)
    >>> np.round(Z[1].mean(axis=-1), 6).tolist(), np.round(Z[1].std(axis=-1), 4).tolist()
    ([[0.0, 0.0, 0.0]], [[1.0, 1.0, 1.0]])
    >>> glob = FeatureNormalizer(scope="global").fit(X)
    >>> glob.mean_.shape
    (1, 3)
    """

    _parameter_constraints: dict = {
        "scope": [StrOptions({"utterance", "global"})],
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
    }

    def __init__(
        self, *, scope: str = "utterance", with_mean: bool = True, with_std: bool = True
    ) -> None:
        self.scope = scope
        self.with_mean = with_mean
        self.with_std = with_std

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> FeatureNormalizer:
        """Learn the global statistics (``scope="global"``); record the input shape.

        Parameters
        ----------
        X : list of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Training features, one array per utterance.
        y : None
            Ignored.

        Returns
        -------
        self : FeatureNormalizer
            The fitted normaliser.
        """
        items, _ = check_features(X, name=type(self).__name__, dtype=np.float64)
        check_consistent_length(items, y, name=type(self).__name__)
        self.n_channels_in_ = int(items[0].shape[0])
        self.n_features_in_ = int(items[0].shape[1])
        if self.scope == "global":
            mean, std, n = _global_moments(items)
            self.mean_ = mean
            self.scale_ = _scale(std)
            self.n_frames_seen_ = int(n)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Normalise every utterance.

        Parameters
        ----------
        X : list of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Features, one array per utterance. Not modified.

        Returns
        -------
        Z : object ndarray of shape (n,) of float32 arrays (C, F, T_i), or ndarray of shape (n, C, F, T)
            Normalised features, in the input's layout.
        """
        name = type(self).__name__
        if self.scope == "global":
            check_is_fitted(self, "mean_")
        else:
            self._validate_params()
        items, dense = check_features(
            X,
            name=name,
            dtype=np.float64,
            n_channels=getattr(self, "n_channels_in_", None),
            n_features=getattr(self, "n_features_in_", None),
        )
        out = []
        for a in items:
            if self.scope == "global":
                mean, scale = self.mean_, self.scale_
            else:
                mean = a.mean(axis=-1)
                scale = _scale(a.std(axis=-1)) if self.with_std else None
            out.append(_standardise(a, mean, scale, with_mean=self.with_mean,
                                    with_std=self.with_std))
        return _like_input(out, dense, X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The input's per-frame feature names, unchanged.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Names of the ``C * F`` per-frame features (checked against the shape
            seen in ``fit``); None gives ``x0, x1, ...`` (needs ``fit``).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        if input_features is None:
            check_is_fitted(self, "n_features_in_")
        fitted = hasattr(self, "n_features_in_")
        return _same_names(
            self, input_features,
            self.n_channels_in_ * self.n_features_in_ if fitted else None,
            seen=" (channels x features seen in fit)",
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = self.scope == "global"
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def speaker_normalize(
    X: Any, speaker: Any, *, with_mean: bool = True, with_std: bool = True
) -> np.ndarray:
    """Standardise every speaker's features by that speaker's own statistics.

    Speaker normalisation, the usual first step of speaker-independent SER: the
    mean and standard deviation per channel x feature are computed over all frames
    of all utterances of one speaker, and that speaker's utterances are centred and
    scaled by them. It removes much of what differs between voices (vocal tract
    length, habitual pitch and loudness, microphone) while keeping how a speaker's
    emotions differ from each other.

    It uses no labels, and each speaker's statistics come from that speaker alone,
    so applying it to a whole corpus before a leave-one-speaker-out (or any
    speaker-grouped) cross-validation leaks nothing from the training speakers to
    the test speaker or back. It is *transductive*, though: the test speaker's
    statistics come from all of that speaker's (unlabelled) utterances, so it
    assumes they are all at hand at test time, as in the corpus-level protocols of
    the SER literature. Within a pipeline, per-utterance CMVN
    (:class:`FeatureNormalizer`) needs no speaker labels at all.

    Parameters
    ----------
    X : list of ndarray of shape (C, F, T_i), ndarray of shape (n, C, F, T), or ndarray of shape (n, n_features)
        Frame-level features, one array per utterance (as the transformers of this
        module return them), or a 2-D table with one row per utterance (for
        example :class:`FrameStatistics` output), whose columns are standardised
        per speaker. Not modified.
    speaker : array-like of shape (n,)
        The speaker of every utterance (any hashable labels).
    with_mean : bool, default=True
        Subtract each speaker's mean.
    with_std : bool, default=True
        Divide by each speaker's standard deviation (population, ``ddof=0``); a
        feature constant over one speaker's frames is divided by 1.

    Returns
    -------
    Z : ndarray
        In the input's layout (object array of ``(C, F, T_i)`` float32 arrays,
        dense float32 array, or a float64 table), normalised.

    Raises
    ------
    ValueError
        ``len(speaker) != len(X)``; NaN or inf in the features; features of another
        shape than the rest.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import speaker_normalize
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.normal(loc, 1.0, size=(1, 2, 40)) for loc in (0.0, 0.5, 9.0, 9.5)]
    >>> Z = speaker_normalize(X, ["a", "a", "b", "b"])
    >>> [round(float(np.concatenate([Z[i], Z[i + 1]], axis=-1).mean()), 6)
    ...  for i in (0, 2)]
    [0.0, 0.0]
    """
    name = "speaker_normalize"
    speaker = np.asarray(speaker)
    if speaker.ndim != 1:
        raise ValueError(
            f"{name}: speaker must be 1-D (one label per utterance), got shape "
            f"{speaker.shape}"
        )
    if isinstance(X, np.ndarray) and X.dtype != object and X.ndim == 2:
        table = np.asarray(X, dtype=np.float64)
        if len(table) != len(speaker):
            raise ValueError(
                f"{name}: X has {len(table)} rows but speaker has {len(speaker)} labels"
            )
        if not np.all(np.isfinite(table)):
            raise ValueError(f"{name}: X contains NaN or inf")
        out = table.copy()
        for spk in np.unique(speaker):
            rows = speaker == spk
            if with_mean:
                out[rows] -= table[rows].mean(axis=0)
            if with_std:
                out[rows] /= _scale(table[rows].std(axis=0))
        return out
    items, dense = check_features(X, name=name, dtype=np.float64)
    if len(items) != len(speaker):
        raise ValueError(
            f"{name}: X has {len(items)} utterances but speaker has "
            f"{len(speaker)} labels"
        )
    out: list[np.ndarray] = [None] * len(items)  # type: ignore[list-item]
    for spk in np.unique(speaker):
        idx = np.flatnonzero(speaker == spk)
        mean, std, _ = _global_moments([items[i] for i in idx])
        scale = _scale(std)
        for i in idx:
            out[i] = _standardise(items[i], mean, scale, with_mean=with_mean,
                                  with_std=with_std)
    return _like_input(out, dense, X)
