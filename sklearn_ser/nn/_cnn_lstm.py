"""CNN-LSTM of liu2021 (§2.1, Table 1)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from sklearn.utils._param_validation import StrOptions

from ._base import FrequencyCollapsingCNN, SERModule, bilstm_last_state
from ._heads import make_head
from ._params import POSITIVE_INT, validate_params

__all__ = ["CNNLSTM"]


class CNNLSTM(SERModule):
    """CNN-BiLSTM of liu2021: four convolutions, a BiLSTM and a linear classifier.

    Three 3 x 3 convolutions (1 → 8 → 16 → 32, padding 1) each followed by batch
    normalisation and ReLU keep the map size; a fourth convolution with kernel
    ``(n_features, 1)`` (32 → 32) spans the whole frequency axis and turns the map
    into a sequence of 32-d frames; a bidirectional LSTM with 32 cells per direction
    reads that sequence; its pooled output is the embedding, on which the triplet
    loss acts, and one fully connected layer maps it to the class logits.

    Parameters
    ----------
    n_classes : int, default=4
        Number of emotion classes.
    n_features : int, default=40
        Feature bins per frame (MFCCs); the fourth kernel is ``(n_features, 1)``.
    in_channels : int, default=1
        Input channels.
    conv_channels : sequence of int, default=(8, 16, 32)
        Output channels of the three 3 x 3 convolutions (liu2021 Table 1).
    cnn_out_channels : int, default=32
        Output channels of the frequency-spanning convolution (Table 1, Conv4).
    lstm_hidden : int, default=32
        LSTM cells per direction (liu2021 §2.1).
    pooling : {"last", "mean"}, default="last"
        How the BiLSTM output becomes the embedding: ``"last"`` concatenates the
        final forward and final backward states, ``"mean"`` averages the output over
        frames. See Notes.
    head : {"linear", "cosine"}, default="linear"
        Classifier: :class:`torch.nn.Linear` logits, or
        :class:`sklearn_ser.nn.CosineLinear` cosines in [-1, 1] (for the additive
        margin softmax loss).

    Attributes
    ----------
    cnn : FrequencyCollapsingCNN
        The four convolutions.
    lstm : torch.nn.LSTM
        The bidirectional LSTM.
    classifier : torch.nn.Module
        The head.
    embedding_dim : int
        ``2 * lstm_hidden``.

    Notes
    -----
    ``forward`` takes ``[shape=(batch, in_channels, n_features, frames)]`` (any number
    of frames; no layer pools over time) and returns ``(logits, embedding)`` with
    logits ``[shape=(batch, n_classes)]`` and embedding
    ``[shape=(batch, 2 * lstm_hidden)]``.

    Choices the paper leaves open:

    * Table 1 prints the fourth kernel as ``(26, 1)``, which spans the whole frequency
      axis only for 26 input bins; the text says the layer performs "a convolution
      over frequency", so the kernel height here is ``n_features``.
    * §2.1 names batch normalisation after each convolution and no activation or
      pooling; a ReLU follows each normalisation (without it the four convolutions
      would compose to one linear map) and nothing pools, so the frame count is kept.
    * Neither the text nor Fig. 1 says whether the embedding is the last BiLSTM state
      or a time average; the default ``"last"`` (final forward ⊕ final backward
      state) is the usual reading of "BiLSTM then FC", and ``pooling="mean"``
      provides the other.

    References
    ----------
    .. [1] J. Liu and H. Wang, "A speech emotion recognition framework for better
       discrimination of confusions", Proc. Interspeech, 2021, §2.1 and Table 1.

    Examples
    --------
    >>> import torch
    >>> from sklearn_ser.nn import CNNLSTM
    >>> net = CNNLSTM(n_classes=4, n_features=40)
    >>> logits, embedding = net(torch.randn(2, 1, 40, 200))
    >>> tuple(logits.shape), tuple(embedding.shape)
    ((2, 4), (2, 64))
    """

    _parameter_constraints = {
        **SERModule._parameter_constraints,
        "conv_channels": ("each", [POSITIVE_INT]),
        "cnn_out_channels": [POSITIVE_INT],
        "lstm_hidden": [POSITIVE_INT],
        "pooling": [StrOptions({"last", "mean"})],
    }

    def __init__(
        self,
        n_classes: int = 4,
        n_features: int = 40,
        in_channels: int = 1,
        conv_channels: Sequence[int] = (8, 16, 32),
        cnn_out_channels: int = 32,
        lstm_hidden: int = 32,
        pooling: str = "last",
        head: str = "linear",
    ) -> None:
        super().__init__(
            n_classes=n_classes, in_channels=in_channels, n_features=n_features
        )
        validate_params(
            self,
            conv_channels=conv_channels,
            cnn_out_channels=cnn_out_channels,
            lstm_hidden=lstm_hidden,
            pooling=pooling,
            head=head,
        )
        self.conv_channels = tuple(int(c) for c in conv_channels)
        self.cnn_out_channels = int(cnn_out_channels)
        self.lstm_hidden = int(lstm_hidden)
        self.pooling = pooling
        self.head = head
        self.embedding_dim = 2 * self.lstm_hidden

        # liu2021 Table 1: Conv1-3 3 x 3 pad 1, Conv4 spans frequency.
        self.cnn = FrequencyCollapsingCNN(
            self.in_channels, self.n_features, self.conv_channels, self.cnn_out_channels
        )
        # liu2021 §2.1: bi-directional LSTM, 32 cells per direction.
        self.lstm = nn.LSTM(
            self.cnn_out_channels,
            self.lstm_hidden,
            batch_first=True,
            bidirectional=True,
        )
        self.classifier = make_head(head, self.embedding_dim, self.n_classes)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits and embedding of a batch.

        Parameters
        ----------
        x : torch.Tensor [shape=(batch, in_channels, n_features, frames)]
            Feature maps, frequency on axis -2 and time on axis -1.

        Returns
        -------
        logits : torch.Tensor [shape=(batch, n_classes)]
        embedding : torch.Tensor [shape=(batch, 2 * lstm_hidden)]
        """
        self._check_input(x)
        sequence = self.cnn(x).squeeze(2).transpose(1, 2)  # (batch, frames, channels)
        output, (h_n, _) = self.lstm(sequence)
        if self.pooling == "last":
            embedding = bilstm_last_state(h_n)
        else:
            embedding = output.mean(dim=1)
        return self.classifier(embedding), embedding
