"""Plots of speech emotion recognition results, as scikit-learn ``Display`` objects.

* :class:`ConfusionMatrixDisplay` -- confusion matrix with the per-class recall on
  the diagonal and WA / UA in the title, as the papers show it;
* :class:`EmbeddingDisplay` -- 2-D map (t-SNE, PCA or UMAP) of utterance
  embeddings coloured by class (kumar Fig. 4, liu2023 Fig. 8);
* :class:`AngleHeatmapDisplay` -- angles between class embeddings (kumar
  Tables II/III).

Each has ``from_estimator`` and ``from_predictions`` / ``from_embeddings``
constructors and a ``plot`` method that returns the display with ``figure_`` and
``ax_`` set. matplotlib is imported only when a plot is drawn.
"""

from ._angles import AngleHeatmapDisplay
from ._confusion import ConfusionMatrixDisplay
from ._embedding import EmbeddingDisplay

__all__ = ["AngleHeatmapDisplay", "ConfusionMatrixDisplay", "EmbeddingDisplay"]
