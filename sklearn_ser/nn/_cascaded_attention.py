"""Cascaded attention network (CAN) of liu2023 (§2.2, Table 1, eq. 1–5)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from ._base import FrequencyCollapsingCNN, SERModule
from ._heads import make_head
from ._params import POSITIVE_INT, validate_params

__all__ = ["CascadedAttentionNet"]


class _ChannelAttention(nn.Module):
    """liu2023 eq. 1 (CBAM form): ``σ(S(Avg(F0)) + S(Max(F0)))``, per channel."""

    def __init__(self, channels: int, reduction: int) -> None:
        super().__init__()
        hidden = max(1, channels // reduction)
        # The shared network S = W1 ReLU(W0 ·) of eq. 1.
        self.shared = nn.Sequential(
            nn.Linear(channels, hidden), nn.ReLU(), nn.Linear(hidden, channels)
        )

    def forward(self, f0: torch.Tensor) -> torch.Tensor:
        avg = f0.mean(dim=(2, 3))  # F_c^avg
        mx = f0.amax(dim=(2, 3))  # F_c^max
        return torch.sigmoid(self.shared(avg) + self.shared(mx))  # (batch, channels)


class _SpatialAttention(nn.Module):
    """liu2023 eq. 2: ``σ(f([Avg(F1); Max(F1)]))`` over the channel axis, one weight
    per position of the (1 x frames) map."""

    def __init__(self, kernel_size: int) -> None:
        super().__init__()
        # The map is one band high, so of the paper's 7 x 7 kernel only the middle
        # row ever meets non-padding input; that row is the whole kernel here.
        self.conv = nn.Conv2d(2, 1, (1, kernel_size), padding=(0, kernel_size // 2))

    def forward(self, f1: torch.Tensor) -> torch.Tensor:
        avg = f1.mean(dim=1, keepdim=True)  # F_s^avg
        mx = f1.amax(dim=1, keepdim=True)  # F_s^max
        pooled = torch.cat([avg, mx], dim=1)
        return torch.sigmoid(self.conv(pooled))  # (batch, 1, 1, frames)


class _HeadFusionSelfAttention(nn.Module):
    """liu2023 eq. 3–5: ``n_heads`` full-width self-attention heads, averaged."""

    def __init__(self, dim: int, n_heads: int) -> None:
        super().__init__()
        self.dim = dim
        self.n_heads = n_heads
        # W_j^Q, W_j^K, W_j^V for every head j, stacked.
        self.query = nn.Linear(dim, n_heads * dim)
        self.key = nn.Linear(dim, n_heads * dim)
        self.value = nn.Linear(dim, n_heads * dim)

    def _split(self, projected: torch.Tensor) -> torch.Tensor:
        batch, frames, _ = projected.shape
        return projected.view(batch, frames, self.n_heads, self.dim).transpose(1, 2)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        q = self._split(self.query(x))  # (batch, heads, frames, dim)
        k = self._split(self.key(x))
        v = self._split(self.value(x))
        # liu2023 eq. 3: sft(Q_j K_j^T) V_j, with the usual 1/sqrt(d) temperature.
        weights = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(self.dim), dim=-1)
        heads = weights @ v  # eq. 4: X_j^attn
        return heads.mean(dim=1), weights  # eq. 5: X_m = Σ_j X_j^attn / n_head


class CascadedAttentionNet(SERModule):
    """Cascaded attention network (CAN) of liu2023.

    A convolution front end (3 → 8 → 16 → 32, 3 x 3, padding 1, batch norm, then a
    ``(n_features, 1)`` convolution 32 → 64 spanning the frequency axis) gives
    ``F0``; channel attention (eq. 1) and spatial attention (eq. 2) reweight it to
    ``F2``; the residual sum ``ReLU(F0 + F2)`` goes through a BiLSTM with 32 cells per
    direction; self-attention with head fusion (eq. 3–5) relates all frames; global
    average pooling over frames gives the embedding, and a fully connected layer the
    logits. Each attention stage can be switched off for the ablation of Table 3, and
    ``in_channels`` drops MFCC, Δ or ΔΔ for the ablation of Table 2.

    Parameters
    ----------
    n_classes : int, default=4
        Number of emotion classes.
    n_features : int, default=40
        MFCCs per frame; the fourth kernel is ``(n_features, 1)``.
    in_channels : int, default=3
        Input channels: 3 for MFCC, Δ and ΔΔ stacked (liu2023 §2.1), 2 or 1 for the
        ablations M1-2 to M1-4.
    conv_channels : sequence of int, default=(8, 16, 32)
        Output channels of the three 3 x 3 convolutions (liu2023 Table 1).
    cnn_out_channels : int, default=64
        Output channels of the frequency-spanning convolution (Table 1, Conv4).
    channel_attention : bool, default=True
        Use channel attention (eq. 1); ``False`` is ablation M2-2.
    spatial_attention : bool, default=True
        Use spatial attention (eq. 2); ``False`` is ablation M2-3.
    self_attention : bool, default=True
        Use self-attention with head fusion (eq. 3–5); ``False`` is ablation M2-4,
        pooling the BiLSTM output directly.
    reduction : int, default=16
        Reduction ratio of the channel-attention shared network (hidden size
        ``cnn_out_channels // reduction``, at least 1).
    spatial_kernel_size : int, default=7
        Width of the spatial-attention kernel (odd).
    lstm_hidden : int, default=32
        LSTM cells per direction (liu2023 §2.2).
    n_heads : int, default=4
        Self-attention heads fused by their mean (eq. 5).
    head : {"linear", "cosine"}, default="linear"
        Classifier: :class:`torch.nn.Linear` logits, or
        :class:`sklearn_ser.nn.CosineLinear` cosines in [-1, 1].

    Attributes
    ----------
    cnn : FrequencyCollapsingCNN
        The four convolutions.
    channel_gate, spatial_gate, self_attn : torch.nn.Module or None
        The attention stages; ``None`` when switched off.
    lstm : torch.nn.LSTM
        The BiLSTM.
    classifier : torch.nn.Module
        The head.
    embedding_dim : int
        ``2 * lstm_hidden``.

    Notes
    -----
    ``forward`` takes ``[shape=(batch, in_channels, n_features, frames)]`` (any number
    of frames) and returns ``(logits, embedding)`` with embedding
    ``[shape=(batch, 2 * lstm_hidden)]``; with ``return_attention=True`` it also
    returns a dict with, for the stages switched on, ``"channel"``
    ``[shape=(batch, cnn_out_channels)]`` and ``"spatial"`` ``[shape=(batch, frames)]``
    (sigmoid gates in (0, 1)) and ``"self"`` ``[shape=(batch, n_heads, frames,
    frames)]`` (each row sums to 1 over the frames attended to).

    Readings of the paper:

    * Eq. 1 prints both ``σ(S(Avg(F0)) + S(Max(F0)))`` (CBAM) and
      ``σ(W1(W0(F_avg + F_max)))``; the first, CBAM form is used. The paper gives no
      reduction ratio; CBAM's 16 is the default.
    * ``F0`` is one band high (its last kernel spans all ``n_features``), so the
      7 x 7 kernel of eq. 2 with zero padding only ever uses its middle row; the
      module stores that 1 x 7 row alone (same output, no dead weights).
    * The ReLU of §2.2 comes after the residual sum ``F3 = ReLU(F0 + F2)``, so the
      front end ends at the fourth batch normalisation, without activation.
    * Eq. 3 prints no ``1/sqrt(d)`` in the softmax; it is kept (a fixed
      temperature, which training could absorb into ``W^Q``) because unscaled 64-d
      scores saturate the softmax at initialisation. Since eq. 5 averages the heads
      rather than concatenating them, each head is full width (64); the paper gives
      no head count, 4 is the default.

    References
    ----------
    .. [1] Y. Liu, H. Sun, W. Guan, Y. Xia and Z. Zhao, "Speech emotion recognition
       using cascaded attention network with joint loss for discrimination of
       confusions", Machine Intelligence Research 20(4), 2023, §2.2, Table 1,
       eq. 1–5, Tables 2–3.
    .. [2] S. Woo, J. Park, J.-Y. Lee and I. S. Kweon, "CBAM: Convolutional block
       attention module", ECCV, 2018.

    Examples
    --------
    >>> import torch
    >>> from sklearn_ser.nn import CascadedAttentionNet
    >>> net = CascadedAttentionNet(n_classes=4, n_features=40, in_channels=3)
    >>> logits, embedding = net(torch.randn(2, 3, 40, 200))
    >>> tuple(logits.shape), tuple(embedding.shape)
    ((2, 4), (2, 64))
    """

    _parameter_constraints = {
        **SERModule._parameter_constraints,
        "conv_channels": ("each", [POSITIVE_INT]),
        "cnn_out_channels": [POSITIVE_INT],
        "channel_attention": ["boolean"],
        "spatial_attention": ["boolean"],
        "self_attention": ["boolean"],
        "reduction": [POSITIVE_INT],
        "spatial_kernel_size": [POSITIVE_INT],
        "lstm_hidden": [POSITIVE_INT],
        "n_heads": [POSITIVE_INT],
    }

    def __init__(
        self,
        n_classes: int = 4,
        n_features: int = 40,
        in_channels: int = 3,
        conv_channels: Sequence[int] = (8, 16, 32),
        cnn_out_channels: int = 64,
        channel_attention: bool = True,
        spatial_attention: bool = True,
        self_attention: bool = True,
        reduction: int = 16,
        spatial_kernel_size: int = 7,
        lstm_hidden: int = 32,
        n_heads: int = 4,
        head: str = "linear",
    ) -> None:
        super().__init__(
            n_classes=n_classes, in_channels=in_channels, n_features=n_features
        )
        owner = type(self).__name__
        validate_params(
            self, conv_channels=conv_channels, cnn_out_channels=cnn_out_channels,
            channel_attention=channel_attention, spatial_attention=spatial_attention,
            self_attention=self_attention, reduction=reduction,
            spatial_kernel_size=spatial_kernel_size, lstm_hidden=lstm_hidden,
            n_heads=n_heads, head=head,
        )
        self.conv_channels = tuple(int(c) for c in conv_channels)
        self.cnn_out_channels = int(cnn_out_channels)
        self.channel_attention = bool(channel_attention)
        self.spatial_attention = bool(spatial_attention)
        self.self_attention = bool(self_attention)
        self.reduction = int(reduction)
        self.spatial_kernel_size = int(spatial_kernel_size)
        if self.spatial_kernel_size % 2 == 0:
            raise ValueError(
                f"{owner}: spatial_kernel_size must be odd to keep the frame count, "
                f"got {spatial_kernel_size}"
            )
        self.lstm_hidden = int(lstm_hidden)
        self.n_heads = int(n_heads)
        self.head = head
        self.embedding_dim = 2 * self.lstm_hidden

        # liu2023 Table 1; F0 is the output of the fourth convolution.
        self.cnn = FrequencyCollapsingCNN(
            self.in_channels,
            self.n_features,
            self.conv_channels,
            self.cnn_out_channels,
            final_relu=False,
        )
        self.channel_gate = (
            _ChannelAttention(self.cnn_out_channels, self.reduction)
            if self.channel_attention
            else None
        )
        self.spatial_gate = (
            _SpatialAttention(self.spatial_kernel_size)
            if self.spatial_attention
            else None
        )
        # liu2023 §2.2: BLSTM with 32 cells per direction.
        self.lstm = nn.LSTM(
            self.cnn_out_channels,
            self.lstm_hidden,
            batch_first=True,
            bidirectional=True,
        )
        self.self_attn = (
            _HeadFusionSelfAttention(self.embedding_dim, self.n_heads)
            if self.self_attention
            else None
        )
        self.classifier = make_head(head, self.embedding_dim, self.n_classes)

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
            MFCC / Δ / ΔΔ maps, frequency on axis -2 and time on axis -1.
        return_attention : bool, default=False
            Also return the attention weights of the stages switched on.

        Returns
        -------
        logits : torch.Tensor [shape=(batch, n_classes)]
        embedding : torch.Tensor [shape=(batch, 2 * lstm_hidden)]
        attention : dict, only when ``return_attention``
            See the class Notes.
        """
        self._check_input(x)
        attention: dict[str, torch.Tensor] = {}
        f0 = self.cnn(x)  # (batch, channels, 1, frames)
        f1 = f0
        if self.channel_gate is not None:
            fc = self.channel_gate(f0)  # eq. 1
            f1 = f0 * fc[:, :, None, None]  # F1 = F0 ⊗ Fc
            attention["channel"] = fc
        f2 = f1
        if self.spatial_gate is not None:
            fs = self.spatial_gate(f1)  # eq. 2
            f2 = f1 * fs  # F2 = F1 ⊗ Fs
            attention["spatial"] = fs[:, 0, 0, :]
        f3 = torch.relu(f0 + f2)  # §2.2: shortcut F0 + F2, then ReLU
        output, _ = self.lstm(f3.squeeze(2).transpose(1, 2))  # (batch, frames, 2H)
        if self.self_attn is not None:
            output, weights = self.self_attn(output)  # eq. 3-5
            attention["self"] = weights
        embedding = output.mean(dim=1)  # global average pooling over frames
        logits = self.classifier(embedding)
        if return_attention:
            return logits, embedding, attention
        return logits, embedding
