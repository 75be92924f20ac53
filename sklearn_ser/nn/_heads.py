"""Classifier heads on an embedding: linear logits, or cosines (:class:`CosineLinear`)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import StrOptions
from torch import nn

from ._params import POSITIVE_INT, validate_params

__all__ = ["CosineLinear", "HEADS", "make_head"]

HEADS = ("linear", "cosine")
HEAD = StrOptions(set(HEADS))
_NORM_EPS = 1e-12


class CosineLinear(nn.Module):
    """Linear layer without bias on L2-normalised inputs and weights: cosines.

    ``cos(theta_k) = W_k^T f / (||W_k|| ||f||)`` for every class ``k`` (zhou eq. 2:
    "both feature f_i and weights W_i are normalized and bias term is ignored"), the
    input of :class:`~sklearn_ser.losses.AdditiveMarginSoftmaxLoss`.

    Parameters
    ----------
    in_features : int
        Size of each input sample (the embedding).
    out_features : int
        Number of classes.

    Attributes
    ----------
    weight : Parameter [shape=(out_features, in_features)]
        Class weight vectors (normalised in ``forward``; their norm is irrelevant).

    Notes
    -----
    Input ``[shape=(..., in_features)]``, output ``[shape=(..., out_features)]`` in
    [-1, 1]. Normalisation divides by ``max(||x||, 1e-12)``: a zero input gives
    cosines 0 and finite gradients.

    Examples
    --------
    >>> import torch
    >>> head = CosineLinear(4, 3)
    >>> cos = head(torch.randn(5, 4))
    >>> cos.shape, bool(cos.abs().max() <= 1)
    (torch.Size([5, 3]), True)
    """

    _parameter_constraints = {
        "in_features": [POSITIVE_INT],
        "out_features": [POSITIVE_INT],
    }

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        validate_params(self, in_features=in_features, out_features=out_features)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # As torch.nn.Linear; only the directions matter.
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n_in = self.in_features
        if not isinstance(x, torch.Tensor) or x.ndim < 1 or x.shape[-1] != n_in:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(
                f"CosineLinear expects input of shape (..., {n_in}), got {got}"
            )
        unit_x = F.normalize(x, p=2.0, dim=-1, eps=_NORM_EPS)
        unit_w = F.normalize(self.weight, p=2.0, dim=1, eps=_NORM_EPS)
        return F.linear(unit_x, unit_w.to(unit_x.dtype)).clamp(-1.0, 1.0)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"


def make_head(head: str, in_features: int, n_classes: int) -> nn.Module:
    """The classifier on top of an embedding (``head`` checked by the module).

    ``"linear"`` is a :class:`torch.nn.Linear` (with bias) giving logits;
    ``"cosine"`` is :class:`CosineLinear` (no bias), giving the cosines between the
    embedding and each class weight, in [-1, 1], as the additive margin softmax loss
    needs (zhou eq. 2).
    """
    if head == "cosine":
        return CosineLinear(in_features, n_classes)
    return nn.Linear(in_features, n_classes)
