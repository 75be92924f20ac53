"""CNN-BLSTM with attention or attentive-statistics pooling (zhou §3.1, §3.3)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from sklearn.utils._param_validation import StrOptions

from ._base import SERModule, bilstm_last_state
from ._heads import make_head
from ._params import DROPOUT, POSITIVE_INT, validate_params

__all__ = ["CNNBLSTMAttention"]


class _LuongAttentionPooling(nn.Module):
    """Attention (zhou eq. 4) or attentive-statistics (eq. 4 ⊕ eq. 5) pooling.

    The score is Luong's multiplicative ("general") form
    ``e_t = z_t^T W_a q`` with the utterance summary ``q`` as the query.
    """

    def __init__(self, dim: int, *, statistics: bool, eps: float = 1e-6) -> None:
        super().__init__()
        self.W_a = nn.Linear(dim, dim, bias=False)
        self.statistics = statistics
        self.eps = eps

    def forward(
        self, z: torch.Tensor, query: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        # Luong et al. 2015 eq. 8 ("general"): e_t = z_t^T W_a q.
        scores = torch.bmm(z, self.W_a(query).unsqueeze(2)).squeeze(2)  # (batch, T)
        alpha = torch.softmax(scores, dim=1)  # zhou eq. 4, sums to 1 over frames
        weights = alpha.unsqueeze(2)
        mu = (weights * z).sum(dim=1)  # zhou eq. 4: μ = Σ_t α_t h_t
        if not self.statistics:
            return mu, alpha
        # zhou eq. 5: σ = sqrt(max(Σ_t α_t h_t·h_t − μ·μ, 0)); the clamp floor
        # keeps the gradient of the square root finite where the variance vanishes.
        variance = (weights * z * z).sum(dim=1) - mu * mu
        sigma = torch.sqrt(variance.clamp(min=self.eps))
        return torch.cat([mu, sigma], dim=1), alpha


class CNNBLSTMAttention(SERModule):
    """CNN-BLSTM-attention baseline of zhou, with its combined attentive pooling.

    Six convolution blocks (3 x 3 convolution, batch normalisation, ReLU, 2 x 2
    average pooling except in the last block, dropout 0.25; 128, 128, 64, 64, 64, 64
    filters) turn the log-Mel map into a sequence over (pooled) frames; a
    bidirectional LSTM with 64 cells per direction reads it; each BLSTM frame
    ``h_t = [→h_t, ←h_t]`` is projected to the 64-d deep-feature space, and the
    frames are pooled with attention weights into the embedding; one fully connected
    layer maps the embedding to the logits.

    Parameters
    ----------
    n_classes : int, default=4
        Number of emotion classes.
    n_features : int, default=40
        Log-Mel bands; must be at least ``2 ** (len(conv_channels) - 1)`` (32).
    in_channels : int, default=1
        Input channels.
    conv_channels : sequence of int, default=(128, 128, 64, 64, 64, 64)
        Filters of the convolution blocks (zhou §3.1); every block but the last
        average-pools 2 x 2.
    dropout : float, default=0.25
        Dropout at the end of each convolution block (zhou §3.1).
    lstm_hidden : int, default=64
        LSTM cells per direction (zhou §3.1).
    embedding_dim : int, default=64
        Size of the deep feature the frames are projected to before pooling
        ("a compact deep feature with fixed-length of 64", zhou §3.1).
    pooling : {"attention", "attentive_stats"}, default="attention"
        ``"attention"``: attention-weighted mean (zhou eq. 4), embedding of
        ``embedding_dim``. ``"attentive_stats"``: weighted mean ⊕ weighted standard
        deviation (zhou eq. 4–5, the combined attentive pooling of §3.3), embedding
        of ``2 * embedding_dim``.
    head : {"linear", "cosine"}, default="linear"
        Classifier: :class:`torch.nn.Linear` logits, or
        :class:`sklearn_ser.nn.CosineLinear` cosines in [-1, 1] (the additive
        margin softmax system, zhou §2.2).

    Attributes
    ----------
    blocks : torch.nn.Sequential
        The convolution blocks.
    lstm : torch.nn.LSTM
        The bidirectional LSTM.
    projection : torch.nn.Linear
        ``2 * lstm_hidden`` → ``embedding_dim``, applied to every frame.
    attention : torch.nn.Module
        The pooling, holding Luong's matrix ``W_a``.
    classifier : torch.nn.Module
        The head.
    embedding_dim : int
        Size of the embedding ``forward`` returns (doubled by ``"attentive_stats"``).

    Notes
    -----
    ``forward`` takes ``[shape=(batch, in_channels, n_features, frames)]`` with at
    least ``2 ** (len(conv_channels) - 1)`` frames (32 by default) and returns
    ``(logits, embedding)``; with ``return_attention=True`` it also returns
    ``{"pooling": alpha}``, the weights ``[shape=(batch, frames // 32)]`` that sum
    to 1 over the pooled frames.

    The score ``e_t`` of eq. 4 is Luong's multiplicative form (§3.3),
    ``e_t = z_t^T W_a q``, where ``z_t`` is the projected BLSTM frame and the query
    ``q`` is the projection of the BLSTM's final states ``[→h_T, ←h_1]`` (Luong's
    target state: the sequence summary). The frequency axis shrinks with the
    pooling (40 → 1 bands for 40 log-Mel bands), and what is left of it is folded
    into the LSTM input (``64 * (n_features // 32)``).

    Choices the paper leaves open, and the parameter count: §3.1 lists no
    activation in the blocks (ReLU is used) and does not say where the 128-d BLSTM
    output becomes the 64-d deep feature. The projection is per frame, before
    pooling, because §4.3 says the combined pooling adds only about 0.07 % of the
    parameters: with the projection before pooling the only addition is the wider
    classifier (``64 * n_classes`` weights, 0.06 % for 4 classes). At 40 x 750 inputs
    this module has 413 124 parameters against the paper's 383K (§4.3; §4.2 says
    "less than 360K" for the same network): the convolutions (334K) and the BLSTM
    (66.6K) alone, at the sizes the paper states, already come to 400K, so the
    paper's figure cannot be met without shrinking a stated layer. The rest is the
    projection (8.3K), ``W_a`` (4.1K) and the classifier (260).

    References
    ----------
    .. [1] H. Zhou and K. Liu, "Speech emotion recognition with discriminative
       feature learning", Proc. Interspeech, 2020, §3.1, §3.3 (eq. 4–5), §4.3.
    .. [2] M.-T. Luong, H. Pham and C. D. Manning, "Effective approaches to
       attention-based neural machine translation", EMNLP, 2015, §3.1.
    .. [3] K. Okabe, T. Koshinaka and K. Shinoda, "Attentive statistics pooling for
       deep speaker embedding", Proc. Interspeech, 2018.

    Examples
    --------
    >>> import torch
    >>> from sklearn_ser.nn import CNNBLSTMAttention
    >>> net = CNNBLSTMAttention(n_classes=4, pooling="attentive_stats")
    >>> logits, embedding = net(torch.randn(2, 1, 40, 750))
    >>> tuple(logits.shape), tuple(embedding.shape)
    ((2, 4), (2, 128))
    """

    _parameter_constraints = {
        **SERModule._parameter_constraints,
        "conv_channels": ("each", [POSITIVE_INT]),
        "dropout": [DROPOUT],
        "lstm_hidden": [POSITIVE_INT],
        "embedding_dim": [POSITIVE_INT],
        "pooling": [StrOptions({"attention", "attentive_stats"})],
    }

    def __init__(
        self,
        n_classes: int = 4,
        n_features: int = 40,
        in_channels: int = 1,
        conv_channels: Sequence[int] = (128, 128, 64, 64, 64, 64),
        dropout: float = 0.25,
        lstm_hidden: int = 64,
        embedding_dim: int = 64,
        pooling: str = "attention",
        head: str = "linear",
    ) -> None:
        super().__init__(
            n_classes=n_classes, in_channels=in_channels, n_features=n_features
        )
        owner = type(self).__name__
        validate_params(
            self, conv_channels=conv_channels, dropout=dropout,
            lstm_hidden=lstm_hidden, embedding_dim=embedding_dim, pooling=pooling,
            head=head,
        )
        self.conv_channels = tuple(int(c) for c in conv_channels)
        if not self.conv_channels:
            raise ValueError(f"{owner}: conv_channels must name at least one block")
        self.dropout = float(dropout)
        self.lstm_hidden = int(lstm_hidden)
        self.pooling = pooling
        self.head = head
        self.n_pool = len(self.conv_channels) - 1
        reduced = self.n_features // 2**self.n_pool
        if reduced < 1:
            raise ValueError(
                f"{owner}: n_features must be >= {2**self.n_pool} for {self.n_pool} "
                f"average-pooling layers of 2, got {self.n_features}"
            )
        feature_dim = int(embedding_dim)
        statistics = self.pooling == "attentive_stats"
        self.embedding_dim = 2 * feature_dim if statistics else feature_dim

        # zhou §3.1: conv 3 x 3, batch norm, average pooling 2 x 2 (not in the last
        # block), dropout 0.25.
        blocks: list[nn.Module] = []
        previous = self.in_channels
        for index, width in enumerate(self.conv_channels):
            blocks += [
                nn.Conv2d(previous, width, 3, padding=1, bias=False),
                nn.BatchNorm2d(width),
                nn.ReLU(),
            ]
            if index < self.n_pool:
                blocks.append(nn.AvgPool2d(2))
            blocks.append(nn.Dropout(self.dropout))
            previous = width
        self.blocks = nn.Sequential(*blocks)
        # zhou §3.1: BLSTM, 64 memory cells on each direction.
        self.lstm = nn.LSTM(
            previous * reduced, self.lstm_hidden, batch_first=True, bidirectional=True
        )
        self.projection = nn.Linear(2 * self.lstm_hidden, feature_dim)
        self.attention = _LuongAttentionPooling(feature_dim, statistics=statistics)
        self.classifier = make_head(head, self.embedding_dim, self.n_classes)

    def train(self, mode: bool = True):
        """Set training mode; in eval mode the convolution blocks run channels-last.

        oneDNN's convolutions, batch norm and pooling are faster on the NHWC layout
        (inference about 1.6x, ``benchmarks/bench_networks.py --zhou``), with the
        same logits up to the order of summation (~1e-8). Training keeps the
        contiguous layout, so that training arithmetic is unchanged (a difference
        of 1e-8 per step grows under Adam to ~1e-4 after an epoch), except under
        :func:`torch.autocast` (``mixed_precision=True``), where the arithmetic
        changes anyway and ``forward`` switches to channels-last.
        """
        super().train(mode)
        self._use_layout(torch.contiguous_format if mode else torch.channels_last)
        return self

    def _use_layout(self, layout) -> None:
        """Put the convolution weights in ``layout`` (no copy when they are).

        The strides are compared, not ``is_contiguous``: the first convolution's
        weight ``(width, 1, 3, 3)`` counts as contiguous in both layouts, yet
        oneDNN picks the layout of a convolution from its weight's strides, and
        the first block (128 channels at full resolution) is the costliest one to
        leave in NCHW.
        """
        for p in self.blocks.parameters():
            if p.dim() != 4:
                continue
            n, c, h, w = p.shape
            strides = ((c * h * w, 1, w * c, c) if layout is torch.channels_last
                       else (c * h * w, h * w, w, 1))
            if p.stride() != strides:
                p.data = torch.empty_like(p.data, memory_format=layout).copy_(p.data)

    @property
    def min_frames(self) -> int:
        return 2**self.n_pool

    @property
    def _min_frames_reason(self) -> str:
        return f"{self.n_pool} average-pooling layers of 2"

    def forward(
        self, x: torch.Tensor, return_attention: bool = False
    ) -> (
        tuple[torch.Tensor, torch.Tensor]
        | tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]
    ):
        """Logits and embedding of a batch.

        Parameters
        ----------
        x : torch.Tensor [shape=(batch, in_channels, n_features, frames)]
            Log-Mel maps, frequency on axis -2 and time on axis -1.
        return_attention : bool, default=False
            Also return the pooling weights.

        Returns
        -------
        logits : torch.Tensor [shape=(batch, n_classes)]
        embedding : torch.Tensor [shape=(batch, embedding_dim)]
        attention : dict, only when ``return_attention``
            ``"pooling"``: ``[shape=(batch, pooled_frames)]``, rows summing to 1.
        """
        self._check_input(x)
        if not self.training:  # see ``train``
            x = x.contiguous(memory_format=torch.channels_last)
        elif torch.is_autocast_enabled(x.device.type):
            # under autocast the arithmetic changes anyway: the faster layout
            self._use_layout(torch.channels_last)
            x = x.contiguous(memory_format=torch.channels_last)
        else:
            self._use_layout(torch.contiguous_format)
        maps = self.blocks(x)  # (batch, channels, reduced bands, pooled frames)
        batch, channels, bands, frames = maps.shape
        sequence = maps.reshape(batch, channels * bands, frames).transpose(1, 2)
        output, (h_n, _) = self.lstm(sequence)  # h_t = [→h_t, ←h_t] (zhou §3.3)
        frames_z = self.projection(output)
        query = self.projection(bilstm_last_state(h_n))
        embedding, alpha = self.attention(frames_z, query)
        logits = self.classifier(embedding)
        if return_attention:
            return logits, embedding, {"pooling": alpha}
        return logits, embedding
