"""scikit-learn estimators around the papers' networks (skorch) and meta-classifiers.

The names are imported lazily (``sklearn_ser/utils/_lazy.py``): a model file that
holds one classifier imports its module, not every estimator's.
"""

from typing import TYPE_CHECKING

from sklearn_ser.utils._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "_classifiers": ["AttentionBLSTMClassifier", "CNNLSTMClassifier",
                     "CascadedAttentionClassifier", "ResNetEmbeddingClassifier",
                     "TFCNNClassifier"],
    "_cosine": ["CosineEmbeddingClassifier"],
    "_hierarchical": ["HierarchicalConfusionClassifier"],
    "_ssl": ["LayerWeightedClassifier"],
    "_stacking": ["RoutedStackingClassifier"],
    "_base": ["SERClassifier"],
    "_fusion": ["SeedEnsembleClassifier", "SoftVotingClassifier"],
    "_callbacks": ["TrainingProgressBar"],
    "_split": ["SpeakerSplit"],
})

if TYPE_CHECKING:  # what type checkers and IDEs read
    from ._base import SERClassifier
    from ._callbacks import TrainingProgressBar
    from ._classifiers import (
        AttentionBLSTMClassifier,
        CascadedAttentionClassifier,
        CNNLSTMClassifier,
        ResNetEmbeddingClassifier,
        TFCNNClassifier,
    )
    from ._cosine import CosineEmbeddingClassifier
    from ._fusion import SeedEnsembleClassifier, SoftVotingClassifier
    from ._hierarchical import HierarchicalConfusionClassifier
    from ._split import SpeakerSplit
    from ._ssl import LayerWeightedClassifier
    from ._stacking import RoutedStackingClassifier
