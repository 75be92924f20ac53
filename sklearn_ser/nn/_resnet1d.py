"""1-D residual embedding network of kumar (§III-B, §IV-A3)."""

from __future__ import annotations

import torch
from torch import nn

from numbers import Real

from ._base import SERModule
from ._heads import make_head
from ._params import NON_NEGATIVE_INT, POSITIVE_INT, validate_params

__all__ = ["ResNet1D"]


class _ResidualBlock1D(nn.Module):
    """conv → BN → LeakyReLU → conv → BN, plus the identity, then LeakyReLU."""

    def __init__(self, channels: int, kernel_size: int, negative_slope: float) -> None:
        super().__init__()
        padding = kernel_size // 2
        self.body = nn.Sequential(
            nn.Conv1d(channels, channels, kernel_size, padding=padding, bias=False),
            nn.BatchNorm1d(channels),
            nn.LeakyReLU(negative_slope),
            nn.Conv1d(channels, channels, kernel_size, padding=padding, bias=False),
            nn.BatchNorm1d(channels),
        )
        self.activation = nn.LeakyReLU(negative_slope)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(x + self.body(x))  # skip connection (He et al. 2016)


class ResNet1D(SERModule):
    """Residual Conv1D embedding network of kumar.

    The MFCC (+ Δ + ΔΔ) values of each frame are the channels of a 1-D convolution
    over frames: a stem convolution, then ``n_blocks`` residual blocks (two
    convolutions with batch normalisation and LeakyReLU, and an identity shortcut);
    the map is flattened and a fully connected layer gives the embedding, and a
    classifier on the embedding the logits (softmax pre-training, kumar §III-B2).

    Parameters
    ----------
    n_classes : int, default=4
        Number of emotion classes.
    n_features : int, default=39
        Features per frame: 13 MFCC + 13 Δ + 13 ΔΔ in kumar §III-B1.
    in_channels : int, default=1
        Input channels; the convolution sees ``in_channels * n_features`` channels.
    n_frames : int, default=10
        Frames per input, fixed because of the flatten: kumar takes windows of 10
        consecutive MFCC frames.
    channels : int, default=64
        Width of the convolutions.
    n_blocks : int, default=2
        Residual blocks (kumar §IV-A3: two).
    kernel_size : int, default=3
        Convolution width in frames (odd, so the frame count is kept).
    negative_slope : float, default=0.01
        Slope of the LeakyReLU for negative inputs.
    embedding_dim : int, default=128
        Size of the embedding (the fully connected layer after the flatten).
    head : {"linear", "cosine"}, default="linear"
        Classifier: :class:`torch.nn.Linear` logits, or
        :class:`sklearn_ser.nn.CosineLinear` cosines in [-1, 1] (kumar classifies
        by the angle between embeddings and class embeddings).

    Attributes
    ----------
    stem : torch.nn.Sequential
        First convolution, batch norm, LeakyReLU.
    blocks : torch.nn.Sequential
        The residual blocks.
    embedding : torch.nn.Linear
        Flattened map → embedding.
    classifier : torch.nn.Module
        The head.

    Notes
    -----
    ``forward`` takes ``[shape=(batch, in_channels, n_features, n_frames)]`` (exactly
    ``n_frames`` frames) and returns ``(logits, embedding)``, the embedding
    ``[shape=(batch, embedding_dim)]``.

    kumar §IV-A3 chose a "ResNet with 11 layers (and two residual blocks)" and lists
    Conv1D, BatchNorm, LeakyReLU, Flatten and fully connected layers, but the sizes
    are only in its Fig. 3, which the text does not reproduce. The default counts
    the 11 as the layers with weights up to the embedding: stem convolution and
    batch norm (2), two blocks of convolution, batch norm, convolution, batch norm
    (8), and the fully connected embedding layer (1); the classifier comes on top.
    The widths (64 channels, a 128-d embedding) are this package's choice. The
    embedding is the linear output of the fully connected layer, not activated, so
    that angles between embeddings (kumar §III-B2, eq. 3) can exceed 90°.

    References
    ----------
    .. [1] P. Kumar, S. Jain, B. Raman, P. P. Roy and M. Iwamura, "End-to-end triplet
       loss based emotion embedding system for speech emotion recognition", ICPR,
       2020, §III-B, §IV-A3, Table I.
    .. [2] K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image
       recognition", CVPR, 2016.

    Examples
    --------
    >>> import torch
    >>> from sklearn_ser.nn import ResNet1D
    >>> net = ResNet1D(n_classes=8, n_features=39, n_frames=10)
    >>> logits, embedding = net(torch.randn(2, 1, 39, 10))
    >>> tuple(logits.shape), tuple(embedding.shape)
    ((2, 8), (2, 128))
    """

    data_params = (*SERModule.data_params, "n_frames")
    _parameter_constraints = {
        **SERModule._parameter_constraints,
        "n_frames": [POSITIVE_INT],
        "channels": [POSITIVE_INT],
        "n_blocks": [NON_NEGATIVE_INT],
        "kernel_size": [POSITIVE_INT],
        "negative_slope": [Real],
        "embedding_dim": [POSITIVE_INT],
    }

    def __init__(
        self,
        n_classes: int = 4,
        n_features: int = 39,
        in_channels: int = 1,
        n_frames: int = 10,
        channels: int = 64,
        n_blocks: int = 2,
        kernel_size: int = 3,
        negative_slope: float = 0.01,
        embedding_dim: int = 128,
        head: str = "linear",
    ) -> None:
        super().__init__(
            n_classes=n_classes, in_channels=in_channels, n_features=n_features
        )
        owner = type(self).__name__
        validate_params(
            self, n_frames=n_frames, channels=channels, n_blocks=n_blocks,
            kernel_size=kernel_size, negative_slope=negative_slope,
            embedding_dim=embedding_dim, head=head,
        )
        self.n_frames = int(n_frames)
        self.channels = int(channels)
        self.n_blocks = int(n_blocks)
        self.kernel_size = int(kernel_size)
        if self.kernel_size % 2 == 0:
            raise ValueError(
                f"{owner}: kernel_size must be odd to keep the frame count, "
                f"got {kernel_size}"
            )
        self.negative_slope = float(negative_slope)
        self.embedding_dim = int(embedding_dim)
        self.head = head

        self.stem = nn.Sequential(
            nn.Conv1d(
                self.in_channels * self.n_features,
                self.channels,
                self.kernel_size,
                padding=self.kernel_size // 2,
                bias=False,
            ),
            nn.BatchNorm1d(self.channels),
            nn.LeakyReLU(self.negative_slope),
        )
        self.blocks = nn.Sequential(
            *(
                _ResidualBlock1D(self.channels, self.kernel_size, self.negative_slope)
                for _ in range(self.n_blocks)
            )
        )
        # kumar §IV-A3: Flatten, then the fully connected (embedding) layer.
        self.embedding = nn.Linear(self.channels * self.n_frames, self.embedding_dim)
        self.classifier = make_head(head, self.embedding_dim, self.n_classes)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits and embedding of a batch.

        Parameters
        ----------
        x : torch.Tensor [shape=(batch, in_channels, n_features, n_frames)]
            MFCC windows, frequency on axis -2 and time on axis -1.

        Returns
        -------
        logits : torch.Tensor [shape=(batch, n_classes)]
        embedding : torch.Tensor [shape=(batch, embedding_dim)]
        """
        self._check_input(x)
        batch = x.shape[0]
        maps = self.blocks(self.stem(x.reshape(batch, -1, self.n_frames)))
        embedding = self.embedding(maps.flatten(1))
        return self.classifier(embedding), embedding
