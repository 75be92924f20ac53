"""Metrics of speech emotion recognition: WA, UA, per-class recall, embedding geometry."""

from ._accuracy import (
    UA_SCORER,
    WA_SCORER,
    per_class_recall,
    ser_scorers,
    unweighted_accuracy,
    unweighted_accuracy_score,
    weighted_accuracy,
    weighted_accuracy_score,
)

__all__ = [
    "UA_SCORER",
    "WA_SCORER",
    "per_class_recall",
    "ser_scorers",
    "unweighted_accuracy",
    "unweighted_accuracy_score",
    "weighted_accuracy",
    "weighted_accuracy_score",
]
