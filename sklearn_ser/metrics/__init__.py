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
from ._routed import routed_scorer
from ._angles import angle_deviation, angle_table, class_embeddings
from ._similarity import (
    LabelledMatrix,
    class_hashes,
    class_similarity,
    confusable_from_confusion,
    most_confusable,
)

__all__ = [
    "UA_SCORER",
    "WA_SCORER",
    "LabelledMatrix",
    "angle_deviation",
    "angle_table",
    "class_embeddings",
    "class_hashes",
    "class_similarity",
    "confusable_from_confusion",
    "most_confusable",
    "per_class_recall",
    "routed_scorer",
    "ser_scorers",
    "unweighted_accuracy",
    "unweighted_accuracy_score",
    "weighted_accuracy",
    "weighted_accuracy_score",
]
