"""Stacking whose held-out predictions get the routed metadata (the speaker) and
whose inner folds can be speaker-disjoint."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metadata_routing import MetadataRouter
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context

from ._fusion import _mapping, _NamedMembersMixin, _ProbaAveraging

# every call reaches the members' predict_proba (held-out ones in fit)
_STACK_METHODS = (
    ("fit", "fit"),
    ("fit", "predict_proba"),
    ("predict", "predict_proba"),
    ("predict_proba", "predict_proba"),
    ("score", "predict_proba"),
    ("transform", "predict_proba"),
)

__all__ = ["RoutedStackingClassifier"]


def _take(params: dict, idx: np.ndarray, n: int) -> dict:
    """Index every per-utterance array in ``params`` by ``idx`` (others as they are)."""
    out = {}
    for key, value in params.items():
        if (
            value is not None
            and hasattr(value, "__len__")
            and not isinstance(value, str)
            and len(value) == n
        ):
            out[key] = _safe_indexing(value, idx)
        else:
            out[key] = value
    return out


class RoutedStackingClassifier(_NamedMembersMixin, _ProbaAveraging):
    """Stacking over models with the speaker routed, and speaker-disjoint inner folds.

    A final estimator (by default a logistic regression) learns how to combine
    the members' class probabilities. As in
    :class:`~sklearn.ensemble.StackingClassifier`, it is trained on *held-out*
    probabilities: every member is fitted on the other inner folds and predicts
    the one left out. Two differences make it fit speaker-independent work:

    * metadata requested by a member (``speaker`` for a
      :class:`~sklearn_ser.features.SpeakerNormalizer`) is routed to its ``fit``
      and to its held-out and final ``predict_proba``, which scikit-learn's
      stacking does not do;
    * ``groups`` is requested in ``fit``, so with a group splitter as ``cv``
      (the default is :class:`~sklearn.model_selection.GroupKFold` when groups
      are given) the inner folds are speaker-disjoint too, and the final
      estimator learns from predictions on unseen speakers -- what it will see
      at test time.

    Parameters
    ----------
    estimators : list of (str, estimator)
        Named members (unfitted), each with ``fit`` and ``predict_proba``.
    final_estimator : estimator, default=None
        Fitted on the held-out probabilities (columns member by member, class by
        class); None is ``LogisticRegression(max_iter=1000)``.
    cv : int, cross-validation generator or iterable, default=5
        Inner folds. An int gives :class:`~sklearn.model_selection.GroupKFold`
        when ``groups`` reach ``fit`` and
        :class:`~sklearn.model_selection.StratifiedKFold` otherwise.

    Attributes
    ----------
    estimators_ : list of estimators
        The members refitted on all the training data.
    named_estimators_ : Bunch
        The same by name.
    final_estimator_ : estimator
        The fitted final estimator.
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    See Also
    --------
    SoftVotingClassifier : an unweighted (or fixed-weight) average instead.
    sklearn.ensemble.StackingClassifier : without metadata at prediction time.

    Notes
    -----
    Needs ``sklearn.set_config(enable_metadata_routing=True)`` for ``speaker``
    and ``groups``; ``cross_validate(stack, X, y, params={"groups": s,
    "speaker": s})`` then gives speaker-disjoint outer *and* inner folds.
    A member missing a class in an inner training fold gets probability 0
    for it in that fold.

    Examples
    --------
    >>> import sklearn
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_ser.datasets import make_emotional_speech
    >>> from sklearn_ser.features import MFCC, FrameStatistics, SpeakerNormalizer
    >>> from sklearn_ser.models import RoutedStackingClassifier
    >>> d = make_emotional_speech(n_per_class=6, classes=("anger", "sadness"),
    ...                           n_speakers=3, random_state=0)
    >>> def functionals(stats):
    ...     return make_pipeline(MFCC(n_mfcc=13), FrameStatistics(stats=stats),
    ...                          SpeakerNormalizer(min_samples=2), LogisticRegression())
    >>> stack = RoutedStackingClassifier([("mean", functionals(("mean",))),
    ...                                   ("std", functionals(("std",)))], cv=3)
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     stack = stack.fit(d.X, d.y, groups=d.speaker, speaker=d.speaker)
    ...     stack.transform(d.X[:2], speaker=d.speaker[:2]).shape
    (2, 4)
    """

    __metadata_request__fit = {"groups": True}

    _parameter_constraints: dict = {
        "estimators": [list],
        "final_estimator": [HasMethods(["fit", "predict_proba"]), None],
        "cv": ["cv_object"],
    }

    def __init__(self, estimators, *, final_estimator=None, cv=5) -> None:
        self.estimators = estimators
        self.final_estimator = final_estimator
        self.cv = cv

    def _named_templates(self):
        return list(self.estimators)

    def _cv(self, y, groups):
        if isinstance(self.cv, int) and groups is not None:
            from sklearn.model_selection import GroupKFold

            return GroupKFold(self.cv)
        return check_cv(self.cv, y, classifier=True)

    def _stacked(self, X, params_by_key: dict) -> np.ndarray:
        cols = []
        for key, est in zip(self._keys(), self.estimators_, strict=True):
            cols.append(np.asarray(est.predict_proba(X, **params_by_key[key]), float))
        return np.hstack(cols)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any, groups: Any = None, **params: Any):
        """Held-out probabilities over the inner folds, then the final estimator.

        Parameters
        ----------
        X : sequence of waveforms, paths or features, or array-like
            What the members take, one item per utterance.
        y : array-like of shape (n_samples,)
            Labels.
        groups : array-like of shape (n_samples,), default=None
            Groups of the inner folds (the speakers).
        **params : dict
            Metadata routed to the members' ``fit`` and ``predict_proba``.

        Returns
        -------
        self : RoutedStackingClassifier
        """
        self._check_estimators()
        routed = self._route("fit", params)
        y = np.asarray(y)
        n = len(y)
        classes = np.unique(y)
        n_classes = len(classes)
        templates = self._named_templates()
        held_out = np.zeros((n, len(templates) * n_classes))
        for train, test in self._cv(y, groups).split(X, y, groups):
            X_tr, X_te = _safe_indexing(X, train), _safe_indexing(X, test)
            for k, (key, template) in enumerate(templates):
                est = clone(template).fit(
                    X_tr, y[train], **_take(routed[key].fit, train, n)
                )
                proba = est.predict_proba(
                    X_te, **_take(routed[key].predict_proba, test, n)
                )
                cols = k * n_classes + np.searchsorted(classes, est.classes_)
                held_out[np.ix_(test, cols)] = proba
        self._fit_members(X, y, routed, templates)
        self.named_estimators_ = {
            name: est
            for (name, _), est in zip(self.estimators, self.estimators_, strict=True)
        }
        final = self.final_estimator
        self.final_estimator_ = clone(
            LogisticRegression(max_iter=1000) if final is None else final
        ).fit(held_out, y)
        self.classes_ = self.final_estimator_.classes_
        return self

    def transform(self, X: Any, **params: Any) -> np.ndarray:
        """The members' probabilities side by side: the final estimator's input.

        Parameters
        ----------
        X : sequence of waveforms, paths or features, or array-like
            What the members take.
        **params : dict
            Metadata routed to the members' ``predict_proba``.

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_estimators * n_classes)
        """
        check_is_fitted(self, "final_estimator_")
        routed = self._route("transform", params)
        return self._stacked(X, {k: routed[k].predict_proba for k in set(self._keys())})

    def predict_proba(self, X: Any, **params: Any) -> np.ndarray:
        """The final estimator's probabilities on the members' probabilities.

        Parameters
        ----------
        X : sequence of waveforms, paths or features, or array-like
            What the members take.
        **params : dict
            Metadata routed to the members' ``predict_proba`` (e.g. ``speaker=``).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return self.final_estimator_.predict_proba(self.transform(X, **params))

    def get_metadata_routing(self) -> MetadataRouter:
        """Route metadata to every member (``fit`` also to held-out ``predict_proba``).

        Returns
        -------
        routing : MetadataRouter
        """
        router = MetadataRouter(owner=self).add_self_request(self)
        for key, est in self.estimators:
            router.add(
                **{key: est},
                method_mapping=_mapping(*_STACK_METHODS),
            )
        return router
