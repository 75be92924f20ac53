"""Per-speaker standardisation as a pipeline step; ``speaker`` by metadata routing."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context

from sklearn_ser.features._normalize import (
    _global_moments,
    _like_input,
    _same_names,
    _scale,
    _standardise,
)
from sklearn_ser.utils._validation import check_features

__all__ = ["SpeakerNormalizer"]

# min_samples="auto": 2 s of frames at a 10 ms hop, or 5 utterances of a table.
_AUTO_MIN_FRAMES = 200
_AUTO_MIN_ROWS = 5

_ROUTING_HINT = (
    "pass it through scikit-learn's metadata routing: "
    "sklearn.set_config(enable_metadata_routing=True), then "
    "pipe.fit(X, y, speaker=s), pipe.predict(X, speaker=s) or "
    'cross_validate(pipe, X, y, params={"groups": s, "speaker": s}); '
    "or call this step directly with speaker=s"
)


def _is_table(X: Any) -> bool:
    if hasattr(X, "columns") and hasattr(X, "dtypes"):  # a DataFrame
        return True
    return isinstance(X, np.ndarray) and X.dtype != object and X.ndim == 2


class SpeakerNormalizer(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Standardise every speaker's features by that speaker's own statistics.

    The pipeline form of :func:`speaker_normalize`: in ``transform``, the mean and
    standard deviation per feature are computed over all of one speaker's data in
    the call -- over the frames of all its utterances for frame-level features
    ``(C, F, T_i)``, over its utterances (rows) for a 2-D table such as
    :class:`FrameStatistics` output -- and that speaker's utterances are centred
    and scaled by them. This removes much of what differs between voices
    (habitual pitch and loudness, vocal-tract length, microphone) and keeps how one
    speaker's emotions differ from each other.

    The speaker of every utterance is *metadata*: it is requested in ``fit`` and
    ``transform`` and reaches this step through scikit-learn's metadata routing
    (``sklearn.set_config(enable_metadata_routing=True)``), so that
    ``pipe.fit(X, y, speaker=s)``, ``pipe.predict(X, speaker=s)``,
    ``pipe.score(X, y, speaker=s)`` and
    ``cross_validate(pipe, X, y, params={"groups": s, "speaker": s})`` carry it
    (with routing on, scikit-learn takes the CV ``groups`` in ``params`` too;
    its ``groups=`` argument is refused).

    It uses no emotion labels, so it works on speakers never seen in ``fit``: the
    normalisation is *transductive per speaker* -- at prediction time a new
    speaker is standardised by the statistics of its own (unlabelled) utterances
    passed in the same call, so pass all of a test speaker's utterances together.
    A speaker with fewer than ``min_samples`` frames (frame-level input) or
    utterances (table input) in a call falls back to the statistics of the whole
    training set, learnt in ``fit``.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract each speaker's mean.
    with_std : bool, default=True
        Divide by each speaker's standard deviation (population, ``ddof=0``); a
        feature constant over one speaker's data is divided by 1.
    min_samples : int or "auto", default="auto"
        Fewest frames (frame-level input) or utterances (2-D input) a speaker
        needs in a call to be normalised by its own statistics; a speaker with
        fewer uses the training statistics instead. ``"auto"`` is 200 frames
        (2 s at a 10 ms hop) or 5 utterances.

    Attributes
    ----------
    mean_ : ndarray of shape (C, F) or (n_features,)
        Mean of the whole training set (over frames or over rows): the fallback.
    scale_ : ndarray of shape (C, F) or (n_features,)
        Standard deviation of the whole training set, zeros replaced by 1.
    speakers_ : ndarray
        The speakers seen in ``fit``.
    n_features_in_ : int
        Features per channel (``F``) for frame-level input, columns for 2-D input.
    n_channels_in_ : int
        Channels (``C``) seen in ``fit``; absent for 2-D input.
    fallback_speakers_ : ndarray
        The training speakers with fewer than ``min_samples`` frames or
        utterances, which ``fit_transform`` normalised by the training
        statistics.

    See Also
    --------
    speaker_normalize : the same on a whole corpus, as a function.
    FeatureNormalizer : per-utterance or global normalisation, no speaker needed.

    Notes
    -----
    ``transform`` without ``speaker`` raises a ValueError saying how to enable
    routing. scikit-learn's string scorers (``scoring="balanced_accuracy"``)
    call ``predict`` without metadata; in ``cross_validate`` use
    ``scoring=None`` (the pipeline's ``score``, which routes ``speaker``) or
    wrap the metric with :func:`sklearn_ser.metrics.routed_scorer`.

    The output has the input's layout (object array of float32 ``(C, F, T_i)``
    arrays, dense float32 array, or a table of the input's float dtype, float32
    or float64); the input is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> import sklearn
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.svm import SVC
    >>> from sklearn_ser.features import SpeakerNormalizer
    >>> rng = np.random.default_rng(0)
    >>> s = np.repeat(["a", "b"], 10)
    >>> y = np.tile([0, 1], 10)
    >>> offset = np.where(s == "b", 50.0, 0.0)[:, None]
    >>> X = rng.normal(size=(20, 3)) + y[:, None] + offset
    >>> Z = SpeakerNormalizer().fit_transform(X, speaker=s)
    >>> np.round(Z[s == "b"].mean(axis=0), 6).tolist()
    [0.0, 0.0, 0.0]
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     pipe = make_pipeline(SpeakerNormalizer(), SVC()).fit(X, y, speaker=s)
    ...     pipe.predict(X[:4] + 100.0, speaker=["c"] * 4).shape
    (4,)
    """

    __metadata_request__fit = {"speaker": True}
    __metadata_request__transform = {"speaker": True}

    _parameter_constraints: dict = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
        "min_samples": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
    }

    def __init__(
        self, *, with_mean: bool = True, with_std: bool = True, min_samples="auto"
    ) -> None:
        self.with_mean = with_mean
        self.with_std = with_std
        self.min_samples = min_samples

    # ------------------------------------------------------------------ helpers
    def _check_speaker(self, speaker: Any, n: int, method: str) -> np.ndarray:
        name = f"{type(self).__name__}.{method}"
        if speaker is None:
            raise ValueError(
                f"{name}: speaker is required (one label per utterance); "
                + _ROUTING_HINT
            )
        spk = np.asarray(speaker)
        if spk.ndim != 1:
            raise ValueError(
                f"{name}: speaker must be 1-D with one label per utterance ({n}), "
                f"got shape {spk.shape}"
            )
        if len(spk) != n:
            raise ValueError(
                f"{name}: speaker has {len(spk)} labels for {n} utterances (one label "
                "per utterance); if a sampler earlier in the pipeline changed the "
                "number of utterances, wrap the whole pipeline in "
                "sklearn_ser.augment.ResampledEstimator so the speaker follows the "
                "resampled rows"
            )
        return spk

    def _min_samples(self, table: bool) -> int:
        if self.min_samples == "auto":
            return _AUTO_MIN_ROWS if table else _AUTO_MIN_FRAMES
        return int(self.min_samples)

    @staticmethod
    def _check_table(X: Any, name: str, n_features: int | None = None) -> np.ndarray:
        table = np.array(X, dtype=np.float64, copy=True)
        if len(table) == 0:
            raise ValueError(f"{name}: X contains no utterances")
        if not np.all(np.isfinite(table)):
            raise ValueError(f"{name}: X contains NaN or inf")
        if n_features is not None and table.shape[1] != n_features:
            raise ValueError(
                f"{name}: X has {table.shape[1]} features, expected {n_features} "
                "(as seen in fit)"
            )
        return table

    def _validate(self, X: Any, speaker: Any, method: str, *, reset: bool):
        """``(data, dense, speaker)``: a float64 table, or a list of (C, F, T_i)
        float64 arrays and whether ``X`` was a dense array."""
        name = f"{type(self).__name__}.{method}"
        if reset:
            self.table_ = _is_table(X)
        elif _is_table(X) != self.table_:
            expected = (
                "a 2-D table" if self.table_ else "frame-level (C, F, T) features"
            )
            raise ValueError(f"{name}: X must be {expected}, as in fit")
        if self.table_:
            data = self._check_table(X, name, None if reset else self.n_features_in_)
            dense = True
        else:
            data, dense = check_features(
                X,
                name=name,
                dtype=np.float64,
                n_channels=None if reset else self.n_channels_in_,
                n_features=None if reset else self.n_features_in_,
            )
        return data, dense, self._check_speaker(speaker, len(data), method)

    def _per_speaker(self, data, spk):
        """Yield ``(speaker, indices, mean, scale)``; ``mean`` is None for a speaker
        with fewer than ``min_samples`` frames / utterances (use the fallback)."""
        min_n = self._min_samples(self.table_)
        for s in np.unique(spk):
            idx = np.flatnonzero(spk == s)
            if self.table_:
                rows = data[idx]
                if len(idx) >= min_n:
                    yield s, idx, rows.mean(axis=0), _scale(rows.std(axis=0))
                    continue
            else:
                mine = [data[i] for i in idx]
                if sum(a.shape[-1] for a in mine) >= min_n:
                    mean, std, _ = _global_moments(mine)
                    yield s, idx, mean, _scale(std)
                    continue
            yield s, idx, None, None

    # ------------------------------------------------------------------- public
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None, *, speaker: Any = None) -> SpeakerNormalizer:
        """Learn the training statistics (the fallback) and record the speakers.

        Parameters
        ----------
        X : list of ndarray of shape (C, F, T_i), ndarray of shape (n, C, F, T), or ndarray of shape (n, n_features)
            Training features, one item (or row) per utterance.
        y : None
            Ignored.
        speaker : array-like of shape (n,)
            The speaker of every utterance (routed metadata).

        Returns
        -------
        self : SpeakerNormalizer
            The fitted normaliser.
        """
        data, _, spk = self._validate(X, speaker, "fit", reset=True)
        if self.table_:
            self.n_features_in_ = int(data.shape[1])
            if hasattr(self, "n_channels_in_"):
                del self.n_channels_in_
            self.mean_ = data.mean(axis=0)
            self.scale_ = _scale(data.std(axis=0))
        else:
            self.n_channels_in_ = int(data[0].shape[0])
            self.n_features_in_ = int(data[0].shape[1])
            mean, std, _ = _global_moments(data)
            self.mean_ = mean
            self.scale_ = _scale(std)
        self.speakers_ = np.unique(spk)
        self.fallback_speakers_ = np.asarray(
            [s for s, _, mean, _ in self._per_speaker(data, spk) if mean is None],
            dtype=self.speakers_.dtype,
        )
        return self

    def transform(self, X: Any, *, speaker: Any = None) -> np.ndarray:
        """Standardise every speaker's utterances by that speaker's statistics.

        Parameters
        ----------
        X : list of ndarray of shape (C, F, T_i), ndarray of shape (n, C, F, T), or ndarray of shape (n, n_features)
            Features in the layout seen in ``fit``. Not modified.
        speaker : array-like of shape (n,)
            The speaker of every utterance (routed metadata); speakers unseen in
            ``fit`` are fine.

        Returns
        -------
        Z : ndarray
            In the input's layout, normalised.
        """
        check_is_fitted(self, "mean_")
        data, dense, spk = self._validate(X, speaker, "transform", reset=False)
        out = data.copy() if self.table_ else [None] * len(data)
        for _, idx, mean, scale in self._per_speaker(data, spk):
            if mean is None:  # too little of this speaker: the training statistics
                mean, scale = self.mean_, self.scale_
            if self.table_:
                if self.with_mean:
                    out[idx] -= mean
                if self.with_std:
                    out[idx] /= scale
                continue
            for i in idx:
                out[i] = _standardise(
                    data[i],
                    mean,
                    scale,
                    with_mean=self.with_mean,
                    with_std=self.with_std,
                )
        if self.table_:  # float32 in, float32 out; else float64
            return (
                out.astype(np.float32)
                if getattr(X, "dtype", None) == np.float32
                else out
            )
        return _like_input(out, dense, X)

    def fit_transform(
        self, X: Any, y: Any = None, *, speaker: Any = None
    ) -> np.ndarray:
        """Fit, then standardise the training utterances per speaker.

        Parameters
        ----------
        X : list of ndarray of shape (C, F, T_i), ndarray of shape (n, C, F, T), or ndarray of shape (n, n_features)
            Training features. Not modified.
        y : None
            Ignored.
        speaker : array-like of shape (n,)
            The speaker of every utterance (routed metadata).

        Returns
        -------
        Z : ndarray
            In the input's layout, normalised.
        """
        return self.fit(X, y, speaker=speaker).transform(X, speaker=speaker)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The input's feature names, unchanged.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Names of the input features (``C * F`` per-frame features, or the
            table's columns); None gives ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self, "mean_")
        return _same_names(self, input_features, int(np.prod(self.mean_.shape)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32", "float64"]
        return tags
