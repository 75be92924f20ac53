"""Two-layer LSTM ("Double-LSTM") of li2021 (§5.2)."""

from __future__ import annotations

import torch
from torch import nn

from ._base import SERModule
from ._heads import make_head
from ._params import DROPOUT, POSITIVE_INT, validate_params

__all__ = ["DoubleLSTM"]


class DoubleLSTM(SERModule):
    """Two stacked LSTM layers of 256 cells over frames, then a classifier (li2021).

    Each frame's values (all channels and features) are one LSTM input vector; two
    LSTM layers of 256 cells read the frames in order, with dropout between them;
    the last layer's final state is the embedding, and a classifier (after dropout)
    gives the logits. li2021 uses it as the fine-grained model for the most similar
    classes of its multi-level framework.

    Parameters
    ----------
    n_classes : int, default=4
        Number of emotion classes.
    n_features : int, default=13
        Features per frame (li2021's baseline: 13 MFCCs).
    in_channels : int, default=1
        Input channels; the LSTM input size is ``in_channels * n_features``.
    hidden_size : int, default=256
        Cells per LSTM layer (li2021 §5.2: "a two-layer 256-node LSTM").
    num_layers : int, default=2
        Stacked LSTM layers.
    dropout : float, default=0.5
        Dropout between the LSTM layers and before the classifier (li2021 Table 7).
    head : {"linear", "cosine"}, default="linear"
        Classifier: :class:`torch.nn.Linear` logits, or
        :class:`sklearn_ser.nn.CosineLinear` cosines in [-1, 1].

    Attributes
    ----------
    lstm : torch.nn.LSTM
        The stacked LSTM.
    classifier : torch.nn.Module
        The head.
    embedding_dim : int
        ``hidden_size``.

    Notes
    -----
    ``forward`` takes ``[shape=(batch, in_channels, n_features, frames)]`` (any number
    of frames) and returns ``(logits, embedding)``, the embedding
    ``[shape=(batch, hidden_size)]``: the final hidden state of the top layer, which
    has read every frame.

    In li2021 §5.2 the LSTM reads the 512-d output of TF-CNN's fully connected layer
    ("the input vector is 1 * 1 * 512"); this module reads frames, so it can stand on
    its own on any frame-level features, or on TF-CNN outputs arranged as frames.

    References
    ----------
    .. [1] J. Li, "Speech emotion recognition with polymorphic spectrograms, TF-CNN
       and a multi-level framework", MSc thesis, LIACS, Leiden University, 2021,
       §5.2, Table 7.

    Examples
    --------
    >>> import torch
    >>> from sklearn_ser.nn import DoubleLSTM
    >>> net = DoubleLSTM(n_classes=2, n_features=13)
    >>> logits, embedding = net(torch.randn(2, 1, 13, 50))
    >>> tuple(logits.shape), tuple(embedding.shape)
    ((2, 2), (2, 256))
    """

    _parameter_constraints = {
        **SERModule._parameter_constraints,
        "hidden_size": [POSITIVE_INT],
        "num_layers": [POSITIVE_INT],
        "dropout": [DROPOUT],
    }

    def __init__(
        self,
        n_classes: int = 4,
        n_features: int = 13,
        in_channels: int = 1,
        hidden_size: int = 256,
        num_layers: int = 2,
        dropout: float = 0.5,
        head: str = "linear",
    ) -> None:
        super().__init__(
            n_classes=n_classes, in_channels=in_channels, n_features=n_features
        )
        validate_params(
            self, hidden_size=hidden_size, num_layers=num_layers, dropout=dropout,
            head=head,
        )
        self.hidden_size = int(hidden_size)
        self.num_layers = int(num_layers)
        self.dropout = float(dropout)
        self.head = head
        self.embedding_dim = self.hidden_size

        # torch applies LSTM dropout only between layers, so one layer gets none.
        self.lstm = nn.LSTM(
            self.in_channels * self.n_features,
            self.hidden_size,
            num_layers=self.num_layers,
            batch_first=True,
            dropout=self.dropout if self.num_layers > 1 else 0.0,
        )
        self.drop = nn.Dropout(self.dropout)
        self.classifier = make_head(head, self.embedding_dim, self.n_classes)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits and embedding of a batch.

        Parameters
        ----------
        x : torch.Tensor [shape=(batch, in_channels, n_features, frames)]
            Frame-level features, frequency on axis -2 and time on axis -1.

        Returns
        -------
        logits : torch.Tensor [shape=(batch, n_classes)]
        embedding : torch.Tensor [shape=(batch, hidden_size)]
        """
        self._check_input(x)
        batch, _, _, frames = x.shape
        sequence = x.reshape(batch, -1, frames).transpose(1, 2)  # (batch, frames, C*F)
        _, (h_n, _) = self.lstm(sequence)
        embedding = h_n[-1]  # final state of the top layer
        return self.classifier(self.drop(embedding)), embedding
