"""Weighted / unweighted accuracy (WA / UA), their scorers and a per-class recall report."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, make_scorer
from sklearn.metrics import recall_score as _recall_score
from sklearn.utils import Bunch

__all__ = [
    "weighted_accuracy",
    "unweighted_accuracy",
    "weighted_accuracy_score",
    "unweighted_accuracy_score",
    "per_class_recall",
    "ser_scorers",
    "WA_SCORER",
    "UA_SCORER",
]


def weighted_accuracy(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Weighted accuracy (WA): the fraction of utterances classified correctly.

    WA weights every class by its number of utterances, so on an unbalanced corpus it
    is dominated by the large classes. It is :func:`sklearn.metrics.accuracy_score`
    under the name the SER literature uses (liu2021 §3.2, liu2023 §3.2).

    Parameters
    ----------
    y_true : array-like of shape (n_utterances,)
        True labels.
    y_pred : array-like of shape (n_utterances,)
        Predicted labels.
    sample_weight : array-like of shape (n_utterances,), default=None
        Sample weights.

    Returns
    -------
    wa : float
        In [0, 1].

    See Also
    --------
    unweighted_accuracy : mean of per-class recalls (UA).

    Examples
    --------
    >>> weighted_accuracy(["a", "a", "a", "b"], ["a", "a", "a", "a"])
    0.75
    """
    return float(accuracy_score(y_true, y_pred, sample_weight=sample_weight))


def unweighted_accuracy(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Unweighted accuracy (UA): the mean of the per-class recalls.

    Every class counts the same whatever its size, so UA is the figure to report on
    unbalanced corpora. It is :func:`sklearn.metrics.balanced_accuracy_score`
    (without chance adjustment).

    Parameters
    ----------
    y_true : array-like of shape (n_utterances,)
        True labels.
    y_pred : array-like of shape (n_utterances,)
        Predicted labels.
    sample_weight : array-like of shape (n_utterances,), default=None
        Sample weights.

    Returns
    -------
    ua : float
        In [0, 1].

    See Also
    --------
    weighted_accuracy : fraction of correct utterances (WA).

    Examples
    --------
    >>> unweighted_accuracy(["a", "a", "a", "b"], ["a", "a", "a", "a"])
    0.5
    """
    return float(balanced_accuracy_score(y_true, y_pred, sample_weight=sample_weight))


# The names scikit-learn would give them (``*_score``), as aliases.
weighted_accuracy_score = weighted_accuracy
unweighted_accuracy_score = unweighted_accuracy

#: Scorer for WA, usable as ``scoring={"WA": WA_SCORER}``.
WA_SCORER = make_scorer(weighted_accuracy)
#: Scorer for UA, usable as ``scoring={"UA": UA_SCORER}``.
UA_SCORER = make_scorer(unweighted_accuracy)


def ser_scorers() -> dict:
    """The ``scoring=`` dictionary for WA and UA.

    Returns
    -------
    scoring : dict
        ``{"WA": scorer, "UA": scorer}`` for ``GridSearchCV`` / ``cross_validate``;
        results appear as ``test_WA`` / ``test_UA``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.model_selection import cross_validate
    >>> X, y = np.zeros((8, 1)), np.array([0, 0, 0, 0, 0, 0, 1, 1])
    >>> res = cross_validate(DummyClassifier(), X, y, cv=2, scoring=ser_scorers())
    >>> float(res["test_WA"].mean()), float(res["test_UA"].mean())
    (0.75, 0.5)
    """
    return {"WA": WA_SCORER, "UA": UA_SCORER}


def per_class_recall(y_true: Any, y_pred: Any, *, labels: Any = None) -> Bunch:
    """Per-class recall with WA and UA: the table the SER papers print.

    Parameters
    ----------
    y_true : array-like of shape (n_utterances,)
        True labels.
    y_pred : array-like of shape (n_utterances,)
        Predicted labels.
    labels : array-like of shape (n_classes,), default=None
        Classes to report, in this order; default: the sorted union of both.

    Returns
    -------
    report : Bunch
        ``labels`` (ndarray), ``recall`` (ndarray, one per label), ``support``
        (ndarray of int), ``WA``, ``UA`` (floats); ``str(report.text)`` is a
        printable table.

    Examples
    --------
    >>> r = per_class_recall(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    >>> r.recall.tolist(), r.UA
    ([0.5, 1.0], 0.75)
    >>> print(r.text)
    class    recall  support
    a         0.500        2
    b         1.000        2
    WA        0.750        4
    UA        0.750        4
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"per_class_recall: y_true and y_pred differ in shape: {y_true.shape} vs "
            f"{y_pred.shape}"
        )
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    labels = np.asarray(labels)
    recall = _recall_score(
        y_true, y_pred, labels=labels, average=None, zero_division=0.0
    )
    support = np.array([(y_true == lab).sum() for lab in labels], dtype=int)
    present = support > 0
    wa = weighted_accuracy(y_true, y_pred)
    ua = float(recall[present].mean()) if present.any() else 0.0
    width = max([5] + [len(str(lab)) for lab in labels])
    lines = [f"{'class':<{width}}  recall  support"]
    lines += [
        f"{str(lab):<{width}}  {rec:6.3f}  {sup:7d}"
        for lab, rec, sup in zip(labels, recall, support)
    ]
    lines.append(f"{'WA':<{width}}  {wa:6.3f}  {len(y_true):7d}")
    lines.append(f"{'UA':<{width}}  {ua:6.3f}  {len(y_true):7d}")
    return Bunch(
        labels=labels,
        recall=np.asarray(recall, dtype=float),
        support=support,
        WA=wa,
        UA=ua,
        text="\n".join(lines),
    )
