"""Resample at fit time *and* carry the per-utterance metadata (the speaker) along."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context

__all__ = ["ResampledEstimator"]

_DELEGATED = ("predict", "predict_proba", "decision_function", "transform", "score")


def _estimator_has(attr: str):
    def check(self) -> bool:
        return hasattr(getattr(self, "estimator_", self.estimator), attr)

    return check


class ResampledEstimator(MetaEstimatorMixin, BaseEstimator):
    """Fit an estimator on resampled data, with the metadata resampled too.

    Inside an :class:`imblearn.pipeline.Pipeline` a sampler changes the number
    of utterances, but metadata routed to the later steps (``speaker=``) keeps
    the original length, so a sampler before a
    :class:`~sklearn_ser.features.SpeakerNormalizer` cannot work there. This
    wrapper runs ``sampler.fit_resample(X, y)`` first, re-indexes every
    per-utterance metadata array with the sampler's ``sample_indices_`` (a
    synthetic utterance keeps the speaker of its original), and fits
    ``estimator`` -- typically a whole pipeline from audio -- on the result. At
    prediction time the sampler is skipped and metadata passes through.

    Parameters
    ----------
    estimator : estimator object
        What is fitted on the resampled data (unfitted), e.g.
        ``make_pipeline(MFCC(), FrameStatistics(), SpeakerNormalizer(), SVC())``.
    sampler : imbalanced-learn sampler
        A sampler with ``fit_resample`` that sets ``sample_indices_``, such as
        :class:`SpeedPerturbResampler`, :class:`NoiseResampler` or
        :class:`VTLPResampler`.

    Attributes
    ----------
    estimator_ : estimator
        The fitted ``estimator``.
    sampler_ : sampler
        The fitted sampler (its ``sample_indices_`` say where every training row
        came from).
    classes_ : ndarray of shape (n_classes,)
        The estimator's classes (classifiers only).

    See Also
    --------
    SpeedPerturbResampler, PitchShiftResampler, NoiseResampler : samplers to wrap.

    Notes
    -----
    With ``sklearn.set_config(enable_metadata_routing=True)``, metadata
    requested by ``estimator`` is routed (and re-indexed in ``fit``); without
    routing, keyword arguments of ``fit`` are re-indexed and passed to
    ``estimator.fit`` directly. An argument is re-indexed when it has one entry
    per utterance of ``X``.

    Examples
    --------
    >>> import sklearn
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_ser.augment import NoiseResampler, ResampledEstimator
    >>> from sklearn_ser.datasets import make_emotional_speech
    >>> from sklearn_ser.features import MFCC, FrameStatistics, SpeakerNormalizer
    >>> d = make_emotional_speech(n_per_class=4, classes=("anger", "sadness"),
    ...                           n_speakers=2, random_state=0)
    >>> pipe = make_pipeline(MFCC(n_mfcc=13), FrameStatistics(stats=("mean",)),
    ...                      SpeakerNormalizer(min_samples=2), LogisticRegression())
    >>> noise = NoiseResampler(n_copies=1, random_state=0)
    >>> model = ResampledEstimator(pipe, sampler=noise)
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     model = model.fit(d.X, d.y, speaker=d.speaker)
    ...     model.predict(d.X[:3], speaker=d.speaker[:3]).shape
    (3,)
    >>> model.sampler_.sample_indices_.size
    16
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "sampler": [HasMethods(["fit_resample"])],
    }

    def __init__(self, estimator, *, sampler) -> None:
        self.estimator = estimator
        self.sampler = sampler

    def _route(self, method: str, params: dict) -> dict:
        if _routing_enabled():
            return process_routing(self, method, **params).estimator[method]
        return params

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any, **params: Any) -> ResampledEstimator:
        """Resample ``X``, ``y`` and the metadata, then fit ``estimator``.

        Parameters
        ----------
        X : sequence of waveforms or paths, or what ``sampler`` takes
            Training utterances. Not modified.
        y : array-like of shape (n_samples,)
            Labels.
        **params : dict
            Metadata for ``estimator.fit`` (e.g. ``speaker=``), re-indexed like
            the resampled rows.

        Returns
        -------
        self : ResampledEstimator
        """
        routed = self._route("fit", params)
        n = len(X)
        self.sampler_ = clone(self.sampler)
        X_res, y_res = self.sampler_.fit_resample(X, y)
        idx = getattr(self.sampler_, "sample_indices_", None)
        if idx is None:
            raise ValueError(
                f"{type(self).__name__}: sampler {type(self.sampler).__name__} sets "
                "no sample_indices_, so the metadata cannot follow the resampled rows"
            )
        res_params = {}
        for key, value in routed.items():
            if (
                value is not None
                and not isinstance(value, str)
                and hasattr(value, "__len__")
                and len(value) == n
            ):
                res_params[key] = _safe_indexing(value, idx)
            else:
                res_params[key] = value
        self.estimator_ = clone(self.estimator).fit(X_res, y_res, **res_params)
        return self

    @property
    def classes_(self) -> np.ndarray:
        """The fitted estimator's classes."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.classes_

    def _delegate(self, method: str, X: Any, *args: Any, **params: Any) -> Any:
        check_is_fitted(self, "estimator_")
        return getattr(self.estimator_, method)(X, *args, **self._route(method, params))

    @available_if(_estimator_has("predict"))
    def predict(self, X: Any, **params: Any) -> np.ndarray:
        """``estimator_.predict`` (no resampling; metadata passed through).

        Parameters
        ----------
        X : sequence of waveforms or paths
            Utterances.
        **params : dict
            Metadata for ``estimator_.predict``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self._delegate("predict", X, **params)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X: Any, **params: Any) -> np.ndarray:
        """``estimator_.predict_proba`` (no resampling; metadata passed through).

        Parameters
        ----------
        X : sequence of waveforms or paths
            Utterances.
        **params : dict
            Metadata for ``estimator_.predict_proba``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return self._delegate("predict_proba", X, **params)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X: Any, **params: Any) -> np.ndarray:
        """``estimator_.decision_function`` (no resampling).

        Parameters
        ----------
        X : sequence of waveforms or paths
            Utterances.
        **params : dict
            Metadata for ``estimator_.decision_function``.

        Returns
        -------
        scores : ndarray
        """
        return self._delegate("decision_function", X, **params)

    @available_if(_estimator_has("transform"))
    def transform(self, X: Any, **params: Any) -> Any:
        """``estimator_.transform`` (no resampling).

        Parameters
        ----------
        X : sequence of waveforms or paths
            Utterances.
        **params : dict
            Metadata for ``estimator_.transform``.

        Returns
        -------
        Xt : array-like
        """
        return self._delegate("transform", X, **params)

    @available_if(_estimator_has("score"))
    def score(self, X: Any, y: Any, **params: Any) -> float:
        """``estimator_.score`` (no resampling).

        Parameters
        ----------
        X : sequence of waveforms or paths
            Utterances.
        y : array-like of shape (n_samples,)
            True labels.
        **params : dict
            Metadata for ``estimator_.score``.

        Returns
        -------
        score : float
        """
        return self._delegate("score", X, y, **params)

    def get_metadata_routing(self) -> MetadataRouter:
        """Route every method's metadata to ``estimator``.

        Returns
        -------
        routing : MetadataRouter
        """
        mapping = MethodMapping().add(caller="fit", callee="fit")
        for method in _DELEGATED:
            mapping.add(caller=method, callee=method)
        return MetadataRouter(owner=self).add(
            estimator=self.estimator, method_mapping=mapping
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.input_tags = inner.input_tags
        tags.classifier_tags = inner.classifier_tags
        tags.non_deterministic = inner.non_deterministic
        return tags
