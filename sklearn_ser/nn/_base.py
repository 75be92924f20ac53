"""Shared pieces of the ``sklearn_ser.nn`` modules: the module contract
(:class:`SERModule`), the input-shape check and the convolution front end of
liu2021 / liu2023.

Every module in ``sklearn_ser.nn`` subclasses :class:`SERModule`, which holds the input
geometry (``in_channels``, ``n_features`` and, where a flatten fixes it, ``n_frames``)
and checks each batch against it before any layer runs, so a wrong shape fails with a
message naming the expected input instead of a matmul error deep inside the network.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._heads import HEAD, HEADS, make_head  # noqa: F401  (make_head re-exported)
from ._params import POSITIVE_INT, validate_params

__all__ = [
    "SERModule",
    "check_input",
    "make_head",
    "FrequencyCollapsingCNN",
    "bilstm_last_state",
]

def check_input(
    x: object,
    *,
    owner: str,
    in_channels: int,
    n_features: int,
    n_frames: int | None = None,
    min_frames: int = 1,
    min_frames_reason: str = "",
) -> None:
    """Raise unless ``x`` is a float tensor of shape
    ``(batch, in_channels, n_features, frames)``.

    Parameters
    ----------
    x : object
        The batch given to ``forward``.
    owner : str
        Module name used in the messages.
    in_channels, n_features : int
        The channel and feature sizes the module was built for.
    n_frames : int or None, default=None
        The exact number of frames, for modules whose flatten fixes it; ``None``
        accepts any number of at least ``min_frames``.
    min_frames : int, default=1
        The fewest frames the layer stack can take.
    min_frames_reason : str, default=""
        Why (e.g. ``"5 average-pooling layers of 2"``), added to the message.
    """
    frames = "frames" if n_frames is None else f"n_frames={n_frames}"
    expected = f"(batch, {in_channels}, n_features={n_features}, {frames})"
    if not isinstance(x, torch.Tensor):
        kind = type(x).__name__
        raise TypeError(
            f"{owner} expects a torch.Tensor of shape {expected}, got {kind}"
        )
    shape = tuple(x.shape)
    if (
        x.ndim != 4
        or shape[1] != in_channels
        or shape[2] != n_features
        or (n_frames is not None and shape[3] != n_frames)
    ):
        raise ValueError(f"{owner} expects input of shape {expected}, got {shape}")
    if not torch.is_floating_point(x):
        raise TypeError(f"{owner} expects a floating-point tensor, got {x.dtype}")
    if shape[3] < min_frames:
        why = f" ({min_frames_reason})" if min_frames_reason else ""
        raise ValueError(
            f"{owner} needs at least {min_frames} frames{why}, got input with "
            f"{shape[3]} frames; use longer segments or pad them"
        )


class SERModule(nn.Module):
    """Base of the ``sklearn_ser.nn`` modules, and the contract every network given
    to the estimators of :mod:`sklearn_ser.models` follows.

    The contract:

    * the constructor takes, as keyword arguments, the sizes that come from the
      data, named in the class attribute :attr:`data_params` (here ``n_classes``,
      ``in_channels``, ``n_features``; a module whose flatten fixes the number of
      frames adds ``"n_frames"``); the estimators fill them in at fit time;
    * ``head`` selects the classifier head among :attr:`heads` (``"linear"``
      logits, ``"cosine"`` :class:`CosineLinear` cosines); an estimator passes
      ``head=`` when its loss declares a head other than ``"linear"``;
    * ``forward`` takes ``[shape=(batch, in_channels, n_features, frames)]`` and
      returns ``(logits, embedding)``; :attr:`min_frames` is the fewest frames it
      accepts.

    Constructor arguments are checked once against ``_parameter_constraints``
    (scikit-learn's ``Interval`` / ``StrOptions``). Subclasses set ``n_frames``
    when it is fixed, override :attr:`min_frames` / :attr:`_min_frames_reason` when
    pooling bounds the input length, and call ``self._check_input(x)`` first in
    ``forward``.
    """

    #: Constructor arguments an estimator fills in from the data.
    data_params: tuple[str, ...] = ("n_classes", "in_channels", "n_features")
    #: Heads the ``head`` argument accepts.
    heads: tuple[str, ...] = HEADS
    _parameter_constraints: dict = {
        "n_classes": [POSITIVE_INT],
        "in_channels": [POSITIVE_INT],
        "n_features": [POSITIVE_INT],
        "head": [HEAD],
    }
    n_frames: int | None = None

    def __init__(self, *, n_classes: int, in_channels: int, n_features: int) -> None:
        super().__init__()
        validate_params(
            self, n_classes=n_classes, in_channels=in_channels, n_features=n_features
        )
        self.n_classes = int(n_classes)
        self.in_channels = int(in_channels)
        self.n_features = int(n_features)

    @property
    def min_frames(self) -> int:
        """The fewest input frames the layer stack accepts."""
        return 1

    @property
    def _min_frames_reason(self) -> str:
        return ""

    def _check_input(self, x: torch.Tensor) -> None:
        check_input(
            x,
            owner=type(self).__name__,
            in_channels=self.in_channels,
            n_features=self.n_features,
            n_frames=self.n_frames,
            min_frames=self.min_frames,
            min_frames_reason=self._min_frames_reason,
        )


def _conv_bn(
    in_channels: int,
    out_channels: int,
    kernel_size: tuple[int, int],
    padding: int | tuple[int, int],
) -> list[nn.Module]:
    # No conv bias: the batch norm that follows has its own shift.
    return [
        nn.Conv2d(in_channels, out_channels, kernel_size, padding=padding, bias=False),
        nn.BatchNorm2d(out_channels),
    ]


class FrequencyCollapsingCNN(nn.Module):
    """The convolution front end shared by liu2021 (Table 1) and liu2023 (Table 1).

    Three 3 x 3 convolutions with padding 1 keep the map size, then one convolution
    with kernel ``(n_features, 1)`` and no padding spans the whole frequency axis, so
    the output is a sequence over frames with ``out_channels`` features. Every
    convolution is followed by batch normalisation (liu2021 §2.1); the papers name no
    activation, ReLU follows every normalisation except, when ``final_relu=False``,
    the last one (liu2023 applies its ReLU after the residual addition instead).

    Parameters
    ----------
    in_channels : int
        Input channels (1 for MFCC, 3 for MFCC/Δ/ΔΔ).
    n_features : int
        Height of the input map; the last kernel is ``(n_features, 1)``.
    channels : sequence of int
        Output channels of the three 3 x 3 convolutions.
    out_channels : int
        Output channels of the frequency-spanning convolution.
    final_relu : bool, default=True
        Whether a ReLU follows the last batch normalisation.

    Notes
    -----
    Input ``[shape=(batch, in_channels, n_features, frames)]``, output
    ``[shape=(batch, out_channels, 1, frames)]``.
    """

    def __init__(
        self,
        in_channels: int,
        n_features: int,
        channels: Sequence[int],
        out_channels: int,
        *,
        final_relu: bool = True,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        previous = in_channels
        for width in channels:
            layers += [*_conv_bn(previous, width, (3, 3), 1), nn.ReLU()]
            previous = width
        layers += _conv_bn(previous, out_channels, (n_features, 1), 0)
        if final_relu:
            layers.append(nn.ReLU())
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def bilstm_last_state(h_n: torch.Tensor) -> torch.Tensor:
    """Concatenate the final forward and backward states of a one-layer BiLSTM.

    ``h_n`` is the second output of :class:`torch.nn.LSTM`
    ``[shape=(2, batch, hidden)]``; the forward state has read every frame left to
    right and the backward state right to left, so both summarise the whole input.
    Returns ``[shape=(batch, 2 * hidden)]``.
    """
    return torch.cat([h_n[-2], h_n[-1]], dim=1)
