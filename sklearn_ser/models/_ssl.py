"""A classifier on the layers of a pretrained speech encoder (SUPERB's recipe)."""

from __future__ import annotations

import numpy as np
import torch

from sklearn_ser.nn import LayerWeightedHead

from ._base import SERClassifier

__all__ = ["LayerWeightedClassifier"]


class LayerWeightedClassifier(SERClassifier):
    """Learnt weighted sum of an encoder's layers, pooling and a small classifier.

    Takes :class:`~sklearn_ser.features.SpeechEncoder` output with
    ``pooling="none"`` -- one ``(layers, dim, frames)`` array per utterance -- and
    trains :class:`sklearn_ser.nn.LayerWeightedHead`: softmax weights over the
    layers, a projection, mean (or mean ⊕ std) pooling over the frames and a linear
    classifier, as SUPERB's downstream models do [1]_. The encoder stays frozen;
    with ``SpeechEncoder(memory=...)`` a grid search over this classifier runs the
    encoder once per utterance.

    Every loss of the package works (``loss="joint"`` with ``criterion__alpha`` /
    ``criterion__margin``, ``"focal"``, ``"ams"``), and ``module__hidden``,
    ``module__pooling``, ``module__n_mlp``, ``module__dropout`` reach the head.

    Parameters
    ----------
    module : torch.nn.Module class, default=LayerWeightedHead
        The head; its sizes go through ``module__*``.
    loss : {"ce", "joint", "focal", "ams"}, default="ce"
        The criterion (SUPERB: cross-entropy).
    optimizer__lr : float, default=1e-3
        Adam's learning rate (chosen here for a frozen encoder's features).
    max_epochs : int, default=30
        Training epochs.
    batch_size : int, default=16
        Utterances (segments) per batch.
    segment_frames, train_hop, test_hop : int, default=500, 250, 250
        Utterances longer than 10 s (500 frames at 50 frames/s) are cut into
        10 s pieces every 5 s, their probabilities averaged; shorter ones are
        padded with zeros, which the head leaves out of its pooling. Keep
        ``pad_value=0``.
    **kwargs
        Parameters of :class:`~sklearn_ser.models.SERClassifier`.

    All other parameters, attributes and methods are those of
    :class:`~sklearn_ser.models.SERClassifier`; ``module__*``, ``criterion__*`` and
    ``optimizer__*`` reach the module, the loss and the optimiser.

    Attributes
    ----------
    layer_weights_ : ndarray of shape (n_layers,)
        The learnt weights of the layers (they sum to one): which layers the
        classifier found useful.

    See Also
    --------
    sklearn_ser.features.SpeechEncoder : The encoder whose layers this weighs.

    References
    ----------
    .. [1] Yang et al., "SUPERB: Speech processing Universal PERformance
       Benchmark", Interspeech 2021, §3.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.models import LayerWeightedClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.empty(12, dtype=object)  # as SpeechEncoder(pooling="none") gives
    >>> for i in range(12):
    ...     X[i] = rng.standard_normal((3, 16, 40 + i)).astype(np.float32)
    ...     X[i][:, 0] += 3 * (i % 2)  # the class shows in dimension 0
    >>> y = np.array(["neutral", "anger"] * 6)
    >>> clf = LayerWeightedClassifier(module__hidden=8, optimizer__lr=1e-2,
    ...                               max_epochs=20, random_state=0).fit(X, y)
    >>> clf.predict(X[:2]).tolist(), clf.layer_weights_.shape
    (['neutral', 'anger'], (3,))
    """

    def __init__(
        self,
        module=LayerWeightedHead,
        *,
        loss: str = "ce",
        optimizer__lr: float = 1e-3,
        max_epochs: int = 30,
        batch_size: int = 16,
        segment_frames: int | None = 500,
        train_hop: int = 250,
        test_hop: int = 250,
        **kwargs,
    ):
        super().__init__(
            module,
            loss=loss,
            optimizer__lr=optimizer__lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            segment_frames=segment_frames,
            train_hop=train_hop,
            test_hop=test_hop,
            **kwargs,
        )

    @property
    def layer_weights_(self) -> np.ndarray:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        weights = getattr(self.module_, "layer_weights", None)
        if not callable(weights):
            raise AttributeError(
                f"{type(self).__name__}: the module {type(self.module_).__name__} "
                "has no layer_weights()"
            )
        with torch.no_grad():
            return weights().detach().cpu().numpy().astype(np.float64)
