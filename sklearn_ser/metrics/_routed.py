"""A scorer that hands routed metadata (the speaker) to ``predict``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial, wraps
from typing import Any

from sklearn.metrics import get_scorer
from sklearn.utils.metadata_routing import MetadataRequest, get_routing_for_object

__all__ = ["routed_scorer"]

_RESPONSE_METHODS = frozenset(
    {"predict", "predict_proba", "predict_log_proba", "decision_function", "transform"}
)


class _BoundEstimator:
    """A fitted estimator whose response methods get ``params`` added to every call."""

    def __init__(self, estimator: Any, params: dict) -> None:
        self._estimator = estimator
        self._params = params

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._estimator, name)
        if name in _RESPONSE_METHODS and self._params:
            # only what the estimator asks for in this method (a pipeline without
            # a SpeakerNormalizer refuses speaker=)
            wanted = get_routing_for_object(self._estimator).consumes(
                method=name, params=set(self._params)
            )
            params = {k: v for k, v in self._params.items() if k in wanted}
            if params:
                # a named function, not a bare partial: scikit-learn reads __name__
                return wraps(attr)(partial(attr, **params))
        return attr


class _RoutedScorer:
    """Requests ``metadata`` for ``score`` and passes it to the estimator's
    ``predict`` / ``predict_proba`` / ``decision_function``."""

    def __init__(self, scorer: Callable, metadata: tuple[str, ...]) -> None:
        self._scorer = scorer
        self._metadata = metadata

    def __call__(self, estimator: Any, X: Any, y_true: Any, **kwargs: Any) -> float:
        bound = {k: kwargs.pop(k) for k in self._metadata if k in kwargs}
        return self._scorer(_BoundEstimator(estimator, bound), X, y_true, **kwargs)

    def get_metadata_routing(self) -> MetadataRequest:
        request = MetadataRequest(owner=type(self).__name__)
        for key in self._metadata:
            request.score.add_request(param=key, alias=True)
        return request

    def __repr__(self) -> str:
        return f"routed_scorer({self._scorer!r}, metadata={self._metadata!r})"


def routed_scorer(
    scoring: str | Callable, *, metadata: Sequence[str] = ("speaker",)
) -> Callable:
    """Make a scorer pass routed metadata (``speaker``) on to ``predict``.

    scikit-learn's scorers call ``estimator.predict(X)`` (or ``predict_proba``,
    ``decision_function``) without metadata, so a pipeline whose steps need the
    speaker at prediction time -- :class:`~sklearn_ser.features.SpeakerNormalizer`
    -- cannot be scored by ``scoring="balanced_accuracy"`` in
    :func:`~sklearn.model_selection.cross_validate` or
    :class:`~sklearn.model_selection.GridSearchCV`. The scorer returned here
    requests ``metadata`` for ``score`` (so ``params={"speaker": s}`` reaches it,
    indexed by the test fold) and hands it to the estimator's response methods
    that request it (an estimator that does not is scored as usual, so one
    scorer serves pipelines with and without the normaliser).
    Needs ``sklearn.set_config(enable_metadata_routing=True)``.

    Parameters
    ----------
    scoring : str or callable
        A scorer name (``"balanced_accuracy"`` = UA, ``"accuracy"`` = WA) or a
        scorer object such as :data:`UA_SCORER`.
    metadata : sequence of str, default=("speaker",)
        The routed parameters to pass to the response methods.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, **metadata)``, with ``get_metadata_routing``.

    Examples
    --------
    >>> import numpy as np
    >>> import sklearn
    >>> from sklearn.model_selection import GroupKFold, cross_validate
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.svm import SVC
    >>> from sklearn_ser.features import SpeakerNormalizer
    >>> from sklearn_ser.metrics import routed_scorer
    >>> rng = np.random.default_rng(0)
    >>> s = np.repeat(["a", "b", "c", "d"], 10)
    >>> y = np.tile([0, 1], 20)
    >>> offset = rng.normal(0, 20, (4, 1)).repeat(10, axis=0)
    >>> X = rng.normal(size=(40, 3)) + 2 * y[:, None] + offset
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     cv = cross_validate(make_pipeline(SpeakerNormalizer(), SVC()), X, y,
    ...                         cv=GroupKFold(4), params={"groups": s, "speaker": s},
    ...                         scoring={"UA": routed_scorer("balanced_accuracy")})
    >>> bool(cv["test_UA"].mean() > 0.8)
    True
    """
    return _RoutedScorer(get_scorer(scoring), tuple(metadata))
