"""scikit-learn estimators around the papers' networks (skorch) and meta-classifiers."""

from ._base import SERClassifier
from ._callbacks import TrainingProgressBar
from ._cosine import CosineEmbeddingClassifier
from ._fusion import SeedEnsembleClassifier, SoftVotingClassifier
from ._stacking import RoutedStackingClassifier
from ._hierarchical import HierarchicalConfusionClassifier
from ._ssl import LayerWeightedClassifier
from ._split import SpeakerSplit
from ._classifiers import (
    AttentionBLSTMClassifier,
    CascadedAttentionClassifier,
    CNNLSTMClassifier,
    ResNetEmbeddingClassifier,
    TFCNNClassifier,
)

__all__ = [
    "AttentionBLSTMClassifier",
    "CNNLSTMClassifier",
    "CascadedAttentionClassifier",
    "CosineEmbeddingClassifier",
    "HierarchicalConfusionClassifier",
    "LayerWeightedClassifier",
    "ResNetEmbeddingClassifier",
    "RoutedStackingClassifier",
    "SERClassifier",
    "SeedEnsembleClassifier",
    "SoftVotingClassifier",
    "SpeakerSplit",
    "TFCNNClassifier",
    "TrainingProgressBar",
]
