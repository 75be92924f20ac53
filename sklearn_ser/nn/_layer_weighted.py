"""SUPERB's downstream model: a learnt weighted sum of an encoder's layers, a
projection, pooling over frames and a small classifier."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from sklearn.utils._param_validation import StrOptions

from ._base import SERModule
from ._heads import make_head
from ._params import DROPOUT, NON_NEGATIVE_INT, POSITIVE_INT, validate_params

__all__ = ["LayerWeightedHead"]


class LayerWeightedHead(SERModule):
    """Softmax-weighted sum of hidden layers, projection, pooling and an MLP.

    The input is what :class:`~sklearn_ser.features.SpeechEncoder` returns with
    ``pooling="none"``: one channel per hidden layer. Each frame's layer vectors are
    (optionally) layer-normalised, summed with weights ``softmax(w)`` learnt with the
    rest (SUPERB [1]_, eq. 1), projected to ``hidden`` dimensions, pooled over the
    utterance's frames (mean, or mean ⊕ standard deviation), passed through
    ``n_mlp`` ReLU layers and classified.

    Frames that are zero in every layer and dimension are padding (what the
    estimators of :mod:`sklearn_ser.models` add to short utterances with
    ``pad_value=0``) and are left out of the pooling; real hidden states are never
    exactly zero everywhere.

    Parameters
    ----------
    n_classes : int, default=4
        Number of classes (the estimators set it from the data, as the next two).
    in_channels : int, default=13
        Number of hidden layers in the input (13: all of a base-size encoder).
    n_features : int, default=768
        Dimension of a hidden state (768: base size).
    hidden : int, default=256
        Size of the projection and of the MLP layers (SUPERB's emotion task
        projects to 256).
    pooling : {"mean", "mean+std"}, default="mean"
        Pooling over frames (SUPERB: mean).
    n_mlp : int, default=0
        ReLU layers between the pooling and the classifier.
    dropout : float, default=0.0
        Dropout after the pooling and after each MLP layer.
    layer_norm : bool, default=True
        Layer-normalise every layer's vectors before the weighted sum, so that
        the weights compare layers of different scales.
    head : {"linear", "cosine"}, default="linear"
        ``"cosine"`` for the additive-margin softmax loss.

    Notes
    -----
    Input ``[shape=(batch, in_channels, n_features, frames)]``; output
    ``(logits [shape=(batch, n_classes)], embedding [shape=(batch, d)])`` with ``d``
    the pooled size (``hidden``, twice that with ``"mean+std"``).

    References
    ----------
    .. [1] Yang et al., "SUPERB: Speech processing Universal PERformance
       Benchmark", Interspeech 2021, §3 (weighted sum of the upstream's layers).

    Examples
    --------
    >>> import torch
    >>> from sklearn_ser.nn import LayerWeightedHead
    >>> net = LayerWeightedHead(n_classes=4, in_channels=13, n_features=768, hidden=64)
    >>> logits, embedding = net(torch.randn(2, 13, 768, 50))
    >>> logits.shape, embedding.shape, net.layer_weights().shape
    (torch.Size([2, 4]), torch.Size([2, 64]), torch.Size([13]))
    """

    _parameter_constraints = {
        **SERModule._parameter_constraints,
        "hidden": [POSITIVE_INT],
        "pooling": [StrOptions({"mean", "mean+std"})],
        "n_mlp": [NON_NEGATIVE_INT],
        "dropout": [DROPOUT],
        "layer_norm": ["boolean"],
    }

    def __init__(
        self,
        *,
        n_classes: int = 4,
        in_channels: int = 13,
        n_features: int = 768,
        hidden: int = 256,
        pooling: str = "mean",
        n_mlp: int = 0,
        dropout: float = 0.0,
        layer_norm: bool = True,
        head: str = "linear",
    ) -> None:
        super().__init__(
            n_classes=n_classes, in_channels=in_channels, n_features=n_features
        )
        validate_params(
            self, hidden=hidden, pooling=pooling, n_mlp=n_mlp, dropout=dropout,
            layer_norm=layer_norm, head=head,
        )
        self.pooling = pooling
        self.layer_norm = bool(layer_norm)
        # equal weights at the start: the plain mean of the layers
        self.weights = nn.Parameter(torch.zeros(self.in_channels))
        self.projector = nn.Linear(self.n_features, hidden)
        size = hidden * (2 if self.pooling == "mean+std" else 1)
        layers: list[nn.Module] = [nn.Dropout(dropout)]
        for _ in range(n_mlp):
            layers += [nn.Linear(size, hidden), nn.ReLU(), nn.Dropout(dropout)]
            size = hidden
        self.mlp = nn.Sequential(*layers)
        self.embedding_dim = size
        self.classifier = make_head(head, size, self.n_classes)

    def layer_weights(self) -> torch.Tensor:
        """The weights of the layers, ``softmax(w)`` (they sum to one)."""
        return torch.softmax(self.weights, dim=0)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self._check_input(x)
        h = x.transpose(2, 3)  # (batch, layers, frames, dim)
        valid = (h != 0).any(dim=3).any(dim=1)  # (batch, frames)
        # an all-zero input has no frame to pool: take them all rather than none
        valid = valid | ~valid.any(dim=1, keepdim=True)
        if self.layer_norm:
            h = F.layer_norm(h, (h.shape[-1],))
        h = torch.einsum("l,bltd->btd", self.layer_weights(), h)
        h = self.projector(h)
        m = valid.unsqueeze(-1).to(h.dtype)
        n = m.sum(dim=1)
        mean = (h * m).sum(dim=1) / n
        pooled = mean
        if self.pooling == "mean+std":
            var = (((h - mean.unsqueeze(1)) ** 2) * m).sum(dim=1) / n
            pooled = torch.cat([mean, torch.sqrt(var.clamp_min(1e-8))], dim=1)
        embedding = self.mlp(pooled)
        return self.classifier(embedding), embedding
