"""Ensembles over models and seeds that pass routed metadata (the speaker) to their
members at fit *and* prediction time.

scikit-learn's :class:`~sklearn.ensemble.VotingClassifier` and
:class:`~sklearn.ensemble.StackingClassifier` accept the package's ragged-input
pipelines (audio in, one row per utterance), but route metadata to their members'
``fit`` only: a member that needs the speaker at prediction time
(:class:`~sklearn_ser.features.SpeakerNormalizer`) fails in their ``predict``
and in the held-out predictions of stacking. The classes here route ``speaker``
(or any requested metadata) to every call of every member.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import accuracy_score
from sklearn.utils import Bunch
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

__all__ = ["SeedEnsembleClassifier", "SoftVotingClassifier"]


def _members_have(attr: str):
    """``available_if`` check: every (fitted or unfitted) member has ``attr``."""

    def check(self) -> bool:
        members = getattr(self, "estimators_", None)
        if members is None:
            members = [est for _, est in self._named_templates()]
        return all(hasattr(est, attr) for est in members)

    return check


def _mapping(*pairs: tuple[str, str]) -> MethodMapping:
    mapping = MethodMapping()
    for caller, callee in pairs:
        mapping.add(caller=caller, callee=callee)
    return mapping


# predict and score average the members' probabilities, so they route to
# predict_proba; transform routes to transform.
_METHODS = (
    ("fit", "fit"),
    ("predict", "predict_proba"),
    ("predict_proba", "predict_proba"),
    ("score", "predict_proba"),
    ("transform", "transform"),
)


class _ProbaAveraging(ClassifierMixin, BaseEstimator):
    """Members fitted on the same data; probabilities averaged (weighted)."""

    def _named_templates(self) -> list[tuple[str, Any]]:
        """(router key, unfitted estimator) of every member, in order."""
        raise NotImplementedError

    def _member_weights(self) -> np.ndarray | None:
        return None

    def _route(self, method: str, params: dict) -> Bunch:
        if _routing_enabled():
            return process_routing(self, method, **params)
        if params:
            raise ValueError(
                f"{type(self).__name__}.{method} got {sorted(params)}; metadata "
                "such as speaker reaches the members only through scikit-learn's "
                "metadata routing: sklearn.set_config(enable_metadata_routing=True)"
            )
        keys = {key for key, _ in self._named_templates()}
        return Bunch(**{k: Bunch(**{m: {} for _, m in _METHODS}) for k in keys})

    def _fit_members(self, X, y, routed: Bunch, templates: list) -> None:
        self.estimators_ = []
        for key, template in templates:
            est = clone(template).fit(X, y, **routed[key].fit)
            self.estimators_.append(est)
        classes = [np.asarray(est.classes_) for est in self.estimators_]
        for est, c in zip(self.estimators_, classes, strict=True):
            if not np.array_equal(c, classes[0]):
                raise ValueError(
                    f"{type(self).__name__}: members disagree on the classes: "
                    f"{type(est).__name__} has {c.tolist()}, the first member "
                    f"{classes[0].tolist()}"
                )
        self.classes_ = classes[0]

    def _keys(self) -> list[str]:
        return [key for key, _ in self._named_templates()]

    def predict_proba(self, X: Any, **params: Any) -> np.ndarray:
        """Weighted mean of the members' class probabilities.

        Parameters
        ----------
        X : sequence of waveforms, paths or features, or array-like
            What the members take, one item per utterance.
        **params : dict
            Metadata routed to the members' ``predict_proba`` (e.g.
            ``speaker=``), with routing enabled.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        routed = self._route("predict_proba", params)
        probas = [
            np.asarray(
                est.predict_proba(X, **routed[key].predict_proba), dtype=np.float64
            )
            for key, est in zip(self._keys(), self.estimators_, strict=True)
        ]
        return np.average(np.stack(probas), axis=0, weights=self._member_weights())

    def predict(self, X: Any, **params: Any) -> np.ndarray:
        """The class of highest mean probability.

        Parameters
        ----------
        X : sequence of waveforms, paths or features, or array-like
            What the members take, one item per utterance.
        **params : dict
            Metadata routed to the members' ``predict_proba``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self.classes_[np.argmax(self.predict_proba(X, **params), axis=1)]

    def score(self, X: Any, y: Any, sample_weight: Any = None, **params: Any) -> float:
        """Accuracy (WA) of ``predict``.

        Parameters
        ----------
        X : sequence of waveforms, paths or features, or array-like
            What the members take.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        **params : dict
            Metadata routed to the members' ``predict_proba``.

        Returns
        -------
        score : float
        """
        return float(
            accuracy_score(y, self.predict(X, **params), sample_weight=sample_weight)
        )

    @available_if(_members_have("transform"))
    def transform(self, X: Any, **params: Any) -> np.ndarray:
        """Every member's ``transform`` output side by side (e.g. embeddings).

        Parameters
        ----------
        X : sequence of waveforms, paths or features, or array-like
            What the members take.
        **params : dict
            Metadata routed to the members' ``transform``.

        Returns
        -------
        Xt : ndarray of shape (n_samples, sum of the members' output widths)
        """
        check_is_fitted(self)
        routed = self._route("transform", params)
        return np.hstack(
            [
                np.asarray(est.transform(X, **routed[key].transform))
                for key, est in zip(self._keys(), self.estimators_, strict=True)
            ]
        )

    def get_metadata_routing(self) -> MetadataRouter:
        """Route metadata to every member (see the class docstring).

        Returns
        -------
        routing : MetadataRouter
        """
        router = MetadataRouter(owner=self)
        for key, est in dict(self._named_templates()).items():
            router.add(**{key: est}, method_mapping=_mapping(*_METHODS))
        return router

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.string = True
        return tags


class _NamedMembersMixin:
    """``estimators`` as (name, estimator) pairs: validation and nested params."""

    def _check_estimators(self) -> None:
        name = type(self).__name__
        if not self.estimators:
            raise ValueError(
                f"{name}: estimators must be a non-empty list of (name, estimator)"
            )
        names = []
        for item in self.estimators:
            if not (
                isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
            ):
                raise ValueError(
                    f"{name}: estimators must be (name, estimator) pairs, got {item!r}"
                )
            if not hasattr(item[1], "predict_proba"):
                raise ValueError(
                    f"{name}: estimator {item[0]!r} ({type(item[1]).__name__}) has no "
                    "predict_proba, which soft voting needs"
                )
            names.append(item[0])
        if len(set(names)) != len(names) or any("__" in n for n in names):
            raise ValueError(
                f"{name}: estimator names must be unique and without '__', got {names}"
            )

    def get_params(self, deep: bool = True) -> dict:
        """Parameters, with the members' under ``<name>__`` when ``deep``.

        Parameters
        ----------
        deep : bool, default=True
            Also the members and their parameters.

        Returns
        -------
        params : dict
        """
        out = super().get_params(deep=False)
        if deep:
            for name, est in self._members_dict().items():
                out[name] = est
                for key, value in est.get_params(deep=True).items():
                    out[f"{name}__{key}"] = value
        return out

    def set_params(self, **params: Any) -> Any:
        """Set parameters, members' ones as ``<name>__<param>``.

        Parameters
        ----------
        **params : dict
            Parameters.

        Returns
        -------
        self : estimator
        """
        members = self._members_dict()
        own, nested = {}, {}
        for key, value in params.items():
            head, _, rest = key.partition("__")
            if head in members and rest:
                nested.setdefault(head, {})[rest] = value
            elif head in members:
                members[head] = value
            else:
                own[key] = value
        if any(n in params for n in members):
            self.estimators = [(n, members[n]) for n, _ in self.estimators]
        super().set_params(**own)
        for head, sub in nested.items():
            self._members_dict()[head].set_params(**sub)
        return self

    def _members_dict(self) -> dict:
        """``{name: estimator}``; empty while ``estimators`` is not a list of
        pairs (it is validated in ``fit``)."""
        try:
            members = dict(self.estimators)
        except (TypeError, ValueError):
            return {}
        return {k: v for k, v in members.items() if hasattr(v, "get_params")}


class SeedEnsembleClassifier(_ProbaAveraging):
    """Average one model trained with several random seeds (soft voting over seeds).

    A deep model's accuracy on unseen speakers varies from seed to seed by
    several points; the mean of the class probabilities of ``len(seeds)``
    copies, each cloned from ``estimator`` with its own seed, is both better and
    steadier than one of them. Any classifier with ``predict_proba`` works -- a
    skorch classifier of :mod:`sklearn_ser.models` or a whole pipeline from
    audio.

    Parameters
    ----------
    estimator : estimator object
        The model (unfitted), e.g. ``make_pipeline(MFCC(...),
        ResNetEmbeddingClassifier(...))``. It needs ``fit`` and
        ``predict_proba``.
    seeds : sequence of int, default=(0, 1, 2)
        One member per seed.
    seed_params : "auto", str or sequence of str, default="auto"
        The parameters of ``estimator`` (as ``get_params(deep=True)`` names them)
        set to the seed. ``"auto"``: every parameter named ``random_state`` or
        ending in ``__random_state`` (the network's, the samplers', ...).

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members, in the order of ``seeds``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    seed_params_ : list of str
        The parameters that were set to the seeds.

    See Also
    --------
    SoftVotingClassifier : soft voting over different models.
    sklearn.ensemble.VotingClassifier : the same without metadata routing at
        prediction time.

    Notes
    -----
    With ``sklearn.set_config(enable_metadata_routing=True)``, metadata requested
    by the members (``speaker`` for a pipeline with a
    :class:`~sklearn_ser.features.SpeakerNormalizer`) reaches every member in
    ``fit``, ``predict``, ``predict_proba``, ``score`` and ``transform``.
    ``transform`` (when the members have one, e.g. the skorch classifiers)
    returns the members' embeddings side by side, not their mean: the embedding
    spaces of two seeds are not aligned.

    Examples
    --------
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_ser.datasets import make_emotional_speech
    >>> from sklearn_ser.features import MFCC, FrameStatistics
    >>> from sklearn_ser.models import SeedEnsembleClassifier
    >>> X, y = make_emotional_speech(n_per_class=4, classes=("anger", "sadness"),
    ...                              random_state=0, return_X_y=True)
    >>> pipe = make_pipeline(MFCC(n_mfcc=13), FrameStatistics(stats=("mean",)),
    ...                      SGDClassifier(loss="log_loss", max_iter=20, tol=None))
    >>> ens = SeedEnsembleClassifier(pipe, seeds=(0, 1, 2)).fit(X, y)
    >>> ens.seed_params_, [m[-1].random_state for m in ens.estimators_]
    (['sgdclassifier__random_state'], [0, 1, 2])
    >>> ens.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "seeds": ["array-like"],
        "seed_params": [str, "array-like"],
    }

    def __init__(self, estimator, *, seeds=(0, 1, 2), seed_params="auto") -> None:
        self.estimator = estimator
        self.seeds = seeds
        self.seed_params = seed_params

    def _seed_params(self) -> list[str]:
        name = type(self).__name__
        names = list(self.estimator.get_params(deep=True))
        if isinstance(self.seed_params, str) and self.seed_params == "auto":
            found = [
                p for p in names if p == "random_state" or p.endswith("__random_state")
            ]
            if not found:
                raise ValueError(
                    f"{name}: estimator {type(self.estimator).__name__} has no "
                    "random_state parameter; name the seed parameters in seed_params"
                )
            return found
        wanted = (
            [self.seed_params]
            if isinstance(self.seed_params, str)
            else list(self.seed_params)
        )
        unknown = [p for p in wanted if p not in names]
        if unknown or not wanted:
            raise ValueError(
                f"{name}: seed_params {unknown or wanted} are not parameters of "
                f"{type(self.estimator).__name__}"
            )
        return wanted

    def _seeds(self) -> list[int]:
        seeds = list(self.seeds)
        if not seeds or any(
            isinstance(s, bool) or not isinstance(s, Integral) for s in seeds
        ):
            raise ValueError(
                f"{type(self).__name__}: seeds must be a non-empty sequence of ints, "
                f"got {self.seeds!r}"
            )
        return [int(s) for s in seeds]

    def _named_templates(self):
        # one router key for all seeds: they request the same metadata
        return [("estimator", self.estimator)]

    def _keys(self) -> list[str]:
        return ["estimator"] * len(self.estimators_)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any, **params: Any) -> SeedEnsembleClassifier:
        """Fit one clone of ``estimator`` per seed.

        Parameters
        ----------
        X : sequence of waveforms, paths or features, or array-like
            What ``estimator`` takes, one item per utterance.
        y : array-like of shape (n_samples,)
            Labels.
        **params : dict
            Metadata routed to the members' ``fit`` (e.g. ``speaker=``), with
            routing enabled.

        Returns
        -------
        self : SeedEnsembleClassifier
        """
        seeds = self._seeds()
        self.seed_params_ = self._seed_params()
        routed = self._route("fit", params)
        templates = [
            (
                "estimator",
                clone(self.estimator).set_params(**dict.fromkeys(self.seed_params_, s)),
            )
            for s in seeds
        ]
        self._fit_members(X, y, routed, templates)
        return self


class SoftVotingClassifier(_NamedMembersMixin, _ProbaAveraging):
    """Soft voting over different models, with metadata routed at predict time.

    The class probabilities of several models -- e.g. a deep network on MFCCs,
    an SVM on functionals, each a pipeline from audio -- are averaged (with
    ``weights``). It is :class:`~sklearn.ensemble.VotingClassifier` with
    ``voting="soft"``, except that metadata requested by a member (``speaker``
    for a :class:`~sklearn_ser.features.SpeakerNormalizer`) is routed to the
    members in ``predict``, ``predict_proba``, ``score`` and ``transform`` too,
    not only in ``fit``. A member may itself be a
    :class:`SeedEnsembleClassifier` (models x seeds).

    Parameters
    ----------
    estimators : list of (str, estimator)
        Named members (unfitted), each with ``fit`` and ``predict_proba``.
    weights : array-like of shape (n_estimators,), default=None
        Weight of each member's probabilities; None weighs them equally.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members, in the order of ``estimators``.
    named_estimators_ : Bunch
        The fitted members by name.
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    See Also
    --------
    SeedEnsembleClassifier : one model over several seeds.
    sklearn.ensemble.StackingClassifier : a learnt combination (no metadata at
        prediction time).

    Examples
    --------
    >>> import sklearn
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_ser.datasets import make_emotional_speech
    >>> from sklearn_ser.features import MFCC, FrameStatistics, SpeakerNormalizer
    >>> from sklearn_ser.models import SoftVotingClassifier
    >>> d = make_emotional_speech(n_per_class=4, classes=("anger", "sadness"),
    ...                           n_speakers=2, random_state=0)
    >>> def functionals(stats):
    ...     return make_pipeline(MFCC(n_mfcc=13), FrameStatistics(stats=stats),
    ...                          SpeakerNormalizer(min_samples=2), LogisticRegression())
    >>> vote = SoftVotingClassifier([("mean", functionals(("mean",))),
    ...                              ("std", functionals(("std",)))])
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     vote = vote.fit(d.X, d.y, speaker=d.speaker)
    ...     vote.predict(d.X[:3], speaker=d.speaker[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "estimators": [list],
        "weights": ["array-like", None],
    }

    def __init__(self, estimators, *, weights=None) -> None:
        self.estimators = estimators
        self.weights = weights

    def _named_templates(self):
        return list(self.estimators)

    def _member_weights(self):
        return None if self.weights is None else np.asarray(self.weights, dtype=float)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any, **params: Any) -> SoftVotingClassifier:
        """Fit every member on the same data.

        Parameters
        ----------
        X : sequence of waveforms, paths or features, or array-like
            What the members take, one item per utterance.
        y : array-like of shape (n_samples,)
            Labels.
        **params : dict
            Metadata routed to the members' ``fit`` (e.g. ``speaker=``), with
            routing enabled.

        Returns
        -------
        self : SoftVotingClassifier
        """
        self._check_estimators()
        if self.weights is not None and len(self.weights) != len(self.estimators):
            raise ValueError(
                f"{type(self).__name__}: weights has {len(self.weights)} values for "
                f"{len(self.estimators)} estimators"
            )
        routed = self._route("fit", params)
        self._fit_members(X, y, routed, self._named_templates())
        self.named_estimators_ = Bunch(
            **{
                n: est
                for (n, _), est in zip(self.estimators, self.estimators_, strict=True)
            }
        )
        return self
