"""Time-frequency CNN (TF-CNN) of li2021 (§5.1)."""

from __future__ import annotations

import torch
from torch import nn

from numbers import Integral

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import SERModule
from ._heads import make_head
from ._params import DROPOUT, POSITIVE_INT, validate_params

__all__ = ["TFCNN"]


class TFCNN(SERModule):
    """Time-frequency CNN of li2021: parallel time and frequency kernels, then fusion.

    Two parallel branches read the stacked spectrogram and mel spectrogram: a *time*
    branch of 64 kernels 2 x 10 (2 bands x 10 frames, stride 2) and a *frequency*
    branch of 64 kernels 8 x 2 (8 bands x 2 frames, stride 2), each followed by ReLU
    and a 2 x 2 max pooling of stride 1. Their maps are concatenated and fused by a
    3 x 3 convolution; the result is averaged over frames, flattened over
    (channels, bands), and a fully connected layer gives the 512-d embedding, a
    classifier on it the logits.

    Parameters
    ----------
    n_classes : int, default=4
        Number of emotion classes.
    n_features : int, default=128
        Frequency bins of the (resized) spectrograms; at least 4.
    in_channels : int, default=2
        Stacked maps: channel 0 the (log) spectrogram, channel 1 the mel spectrogram,
        both resampled to ``n_features`` bins (li2021 §5.1 resizes both to 256 x 256).
    branch_channels : int, default=64
        Kernels in each branch (li2021 §5.1: 64).
    time_kernel : tuple of int, default=(2, 10)
        (bands, frames) of the time-branch kernel (li2021 §5.1: 2 x 10); each at
        least 2.
    frequency_kernel : tuple of int, default=(8, 2)
        (bands, frames) of the frequency-branch kernel (li2021 §5.1: 8 x 2); each at
        least 2.
    time_branch_input : {"first", "all"}, default="first"
        Which channels the time branch reads: the spectrogram only (§5.1: "the speech
        spectrogram is fed into the first convolution layer") or every channel.
    time_branch : bool, default=True
        Use the time branch.
    frequency_branch : bool, default=True
        Use the frequency branch.
    fusion_channels : int, default=64
        Output channels of the 3 x 3 fusion convolution.
    embedding_dim : int, default=512
        Size of the fully connected layer's output, the embedding (§5.2: the 512-d
        vector that replaces the softmax).
    dropout : float, default=0.5
        Dropout before the fully connected layer (li2021 Table 7).
    head : {"linear", "cosine"}, default="linear"
        Classifier: :class:`torch.nn.Linear` logits, or
        :class:`sklearn_ser.nn.CosineLinear` cosines in [-1, 1].

    Attributes
    ----------
    time_conv, frequency_conv : torch.nn.Sequential or None
        The branches; ``None`` when switched off.
    fusion : torch.nn.Sequential
        The 3 x 3 convolution and ReLU.
    fc : torch.nn.Sequential
        Dropout, fully connected layer and ReLU giving the embedding.
    classifier : torch.nn.Module
        The head.

    Notes
    -----
    ``forward`` takes ``[shape=(batch, in_channels, n_features, frames)]`` with at
    least 4 frames and returns ``(logits, embedding)``, the embedding
    ``[shape=(batch, embedding_dim)]``.

    The thesis' description (§5.1, Fig. 10-11) leaves the wiring open; this module
    takes the closest design that runs on any number of frames:

    * Both maps are the channels of one input; the time branch reads the spectrogram
      alone and the frequency branch both maps, as §5.1 writes ("the speech
      spectrogram is fed into the first convolution layer, kernel 2*10 ...
      Meanwhile, two spectrograms are fed into a parallel convolution layer ... 8*2").
      The thesis' 256 x 256 x 3 "colour map" input is replaced by real channels.
    * The kernels are (bands, frames): the "transverse" 2 x 10 field is wide in
      time, the "longitudinal" 8 x 2 field tall in frequency. Both branches are
      padded so that their stride-2 outputs have the same size
      (``n_features // 2, frames // 2``) and can be concatenated: "the two types of
      feature maps are fed in parallel into the next convolutional layer".
    * The thesis flattens a fixed 256 x 256 map into its fully connected layer; here
      the fused map is first averaged over frames, so any length is accepted, and
      only (channels, bands) is flattened. The thesis names no batch norm; none is
      used.

    References
    ----------
    .. [1] J. Li, "Speech emotion recognition with polymorphic spectrograms, TF-CNN
       and a multi-level framework", MSc thesis, LIACS, Leiden University, 2021,
       §5.1, §5.2, Table 7.
    .. [2] P. Li, Y. Song, I. McLoughlin, W. Guo and L. Dai, "An attention pooling
       based representation learning method for speech emotion recognition",
       Interspeech, 2018 (the 2 x 10 / 8 x 2 kernels).

    Examples
    --------
    >>> import torch
    >>> from sklearn_ser.nn import TFCNN
    >>> net = TFCNN(n_classes=4, n_features=64, in_channels=2)
    >>> logits, embedding = net(torch.randn(2, 2, 64, 100))
    >>> tuple(logits.shape), tuple(embedding.shape)
    ((2, 4), (2, 512))
    """

    _parameter_constraints = {
        **SERModule._parameter_constraints,
        "branch_channels": [POSITIVE_INT],
        "time_kernel": ("each", [Interval(Integral, 2, None, closed="left")]),
        "frequency_kernel": ("each", [Interval(Integral, 2, None, closed="left")]),
        "time_branch_input": [StrOptions({"first", "all"})],
        "fusion_channels": [POSITIVE_INT],
        "embedding_dim": [POSITIVE_INT],
        "dropout": [DROPOUT],
    }

    def __init__(
        self,
        n_classes: int = 4,
        n_features: int = 128,
        in_channels: int = 2,
        branch_channels: int = 64,
        time_kernel: tuple[int, int] = (2, 10),
        frequency_kernel: tuple[int, int] = (8, 2),
        time_branch_input: str = "first",
        time_branch: bool = True,
        frequency_branch: bool = True,
        fusion_channels: int = 64,
        embedding_dim: int = 512,
        dropout: float = 0.5,
        head: str = "linear",
    ) -> None:
        super().__init__(
            n_classes=n_classes, in_channels=in_channels, n_features=n_features
        )
        owner = type(self).__name__
        if self.n_features < 4:
            raise ValueError(
                f"{owner}: n_features must be >= 4 (a stride-2 convolution then a "
                f"2 x 2 max pooling), got {self.n_features}"
            )
        for name, kernel in (
            ("time_kernel", time_kernel),
            ("frequency_kernel", frequency_kernel),
        ):
            if len(tuple(kernel)) != 2:
                raise ValueError(
                    f"{owner}: {name} must be (bands, frames), got {kernel!r}"
                )
        validate_params(
            self, branch_channels=branch_channels, time_kernel=time_kernel,
            frequency_kernel=frequency_kernel, time_branch_input=time_branch_input,
            fusion_channels=fusion_channels, embedding_dim=embedding_dim,
            dropout=dropout, head=head,
        )
        self.branch_channels = int(branch_channels)
        self.time_kernel = tuple(int(k) for k in time_kernel)
        self.frequency_kernel = tuple(int(k) for k in frequency_kernel)
        self.time_branch_input = time_branch_input
        self.time_branch = bool(time_branch)
        self.frequency_branch = bool(frequency_branch)
        if not (self.time_branch or self.frequency_branch):
            raise ValueError(
                f"{owner}: at least one of time_branch and frequency_branch must be "
                "True"
            )
        self.fusion_channels = int(fusion_channels)
        self.embedding_dim = int(embedding_dim)
        self.dropout = float(dropout)
        self.head = head

        time_in = 1 if self.time_branch_input == "first" else self.in_channels
        self.time_conv = (
            self._branch(time_in, self.time_kernel) if self.time_branch else None
        )
        self.frequency_conv = (
            self._branch(self.in_channels, self.frequency_kernel)
            if self.frequency_branch
            else None
        )
        n_branches = int(self.time_branch) + int(self.frequency_branch)
        self.fusion = nn.Sequential(
            nn.Conv2d(
                n_branches * self.branch_channels, self.fusion_channels, 3, padding=1
            ),
            nn.ReLU(),
        )
        # Bands left after the stride-2 convolution and the stride-1 2 x 2 pooling.
        bands = self.n_features // 2 - 1
        self.fc = nn.Sequential(
            nn.Dropout(self.dropout),
            nn.Linear(self.fusion_channels * bands, self.embedding_dim),
            nn.ReLU(),
        )
        self.classifier = make_head(head, self.embedding_dim, self.n_classes)

    def _branch(self, in_channels: int, kernel: tuple[int, int]) -> nn.Sequential:
        # A total padding of k - 2 gives floor(size / 2) outputs at stride 2 for any
        # kernel size k >= 2, so the two branches' maps align.
        pad = tuple(p for k in reversed(kernel) for p in ((k - 2) // 2, (k - 1) // 2))
        return nn.Sequential(
            nn.ZeroPad2d(pad),
            nn.Conv2d(in_channels, self.branch_channels, kernel, stride=2),
            nn.ReLU(),
            nn.MaxPool2d(2, stride=1),  # li2021 §5.1: 2 x 2 window, step 1
        )

    @property
    def min_frames(self) -> int:
        return 4

    @property
    def _min_frames_reason(self) -> str:
        return "a stride-2 convolution then a 2 x 2 max pooling"

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits and embedding of a batch.

        Parameters
        ----------
        x : torch.Tensor [shape=(batch, in_channels, n_features, frames)]
            Stacked spectrogram and mel spectrogram, frequency on axis -2 and time on
            axis -1.

        Returns
        -------
        logits : torch.Tensor [shape=(batch, n_classes)]
        embedding : torch.Tensor [shape=(batch, embedding_dim)]
        """
        self._check_input(x)
        maps = []
        if self.time_conv is not None:
            time_x = x[:, :1] if self.time_branch_input == "first" else x
            maps.append(self.time_conv(time_x))
        if self.frequency_conv is not None:
            maps.append(self.frequency_conv(x))
        fused = self.fusion(torch.cat(maps, dim=1))  # (batch, C, bands, frames')
        embedding = self.fc(fused.mean(dim=3).flatten(1))
        return self.classifier(embedding), embedding
