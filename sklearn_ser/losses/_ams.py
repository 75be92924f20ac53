"""Additive-margin softmax (zhou eq. 2; AM-softmax / CosFace) and its cosine head."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ._utils import (
    check_class_vector,
    check_logits,
    check_real,
    check_reduction,
    class_vector_for,
    select_output,
)

__all__ = ["CosineLinear", "AdditiveMarginSoftmaxLoss"]

_NORM_EPS = 1e-12


class CosineLinear(nn.Module):
    """Linear layer without bias on L2-normalised inputs and weights: cosines.

    ``cos(theta_k) = W_k^T f / (||W_k|| ||f||)`` for every class ``k`` (zhou eq. 2:
    "both feature f_i and weights W_i are normalized and bias term is ignored"), the
    input of :class:`AdditiveMarginSoftmaxLoss`.

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

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        sizes = (("in_features", in_features), ("out_features", out_features))
        for name, value in sizes:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"CosineLinear: {name} must be an int, got {value!r}")
            if value < 1:
                raise ValueError(f"CosineLinear: {name} must be >= 1, got {value}")
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


class AdditiveMarginSoftmaxLoss(nn.Module):
    r"""Additive-margin softmax loss on cosines (zhou eq. 2; AM-softmax [1]_).

    ``L_i = -log( e^{s (cos theta_{y_i} - m)} / (e^{s (cos theta_{y_i} - m)} +
    sum_{j != y_i} e^{s cos theta_j}) )``: the cross-entropy of the logits
    ``s * (cos - m * onehot(y))``. zhou eq. 2 prints the log-probability without
    the minus sign; the loss minimised is its negative, as in [1]_.

    Parameters
    ----------
    scale : float, default=10.0
        ``s > 0`` (zhou Table 2: 10 or 30; best 10).
    margin : float, default=0.4
        ``m >= 0``, subtracted from the true class's cosine (zhou Table 2: 0.1, 0.2,
        0.4; best 0.4). ``m = 0`` is the softmax cross-entropy of ``s * cos``.
    weight : array-like of shape (n_classes,), default=None
        Per-class weights of the cross-entropy (``class_weight="balanced"``).
    reduction : {"mean", "sum", "none"}, default="mean"

    See Also
    --------
    CosineLinear : the head that produces the cosines (``module__head="cosine"``).

    Notes
    -----
    ``input`` are cosines in [-1, 1], e.g. from :class:`CosineLinear`, or the
    ``(cosines, embedding)`` tuple of a model. The margin only acts in training;
    at inference the logits are ``s * cos`` (:meth:`logits`), which
    :class:`~sklearn_ser.models.SERClassifier` turns into ``predict_proba`` with a
    softmax, so the probabilities are those the loss (without margin) models.

    References
    ----------
    .. [1] F. Wang, W. Liu, H. Liu, J. Cheng, "Additive margin softmax for face
       verification", IEEE Signal Processing Letters, 2018, §2.
    .. [2] zhou, §2.2 eq. 2 and §4 Table 2
       (``papers/zhou_discriminative_ams_focal_pooling.txt``).

    Examples
    --------
    >>> import torch
    >>> cos = torch.tensor([[0.9, 0.1], [0.2, 0.8]])
    >>> loss = AdditiveMarginSoftmaxLoss(scale=10.0, margin=0.4)
    >>> loss(cos, torch.tensor([0, 1]))  # CE of [[5, 1], [2, 4]]
    tensor(0.0725)
    >>> loss.logits(cos)
    tensor([[9., 1.],
            [2., 8.]])
    """

    def __init__(
        self,
        *,
        scale: float = 10.0,
        margin: float = 0.4,
        weight: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.scale = check_real(owner, "scale", scale, low=0.0, low_open=True)
        self.margin = check_real(owner, "margin", margin, low=0.0)
        self.register_buffer("weight", check_class_vector(owner, "weight", weight))
        self.reduction = check_reduction(owner, reduction)

    def logits(self, input: Any) -> torch.Tensor:
        """Inference logits ``scale * cos`` (no margin), for ``predict_proba``."""
        return self.scale * select_output(type(self).__name__, input, 0)

    def forward(self, input: Any, target: Any) -> torch.Tensor:
        """AMS loss of ``input`` (cosines, or the tuple's element 0) and ``target``."""
        owner = type(self).__name__
        cos, target = check_logits(
            owner, select_output(owner, input, 0), target, what="cosines"
        )
        target = target.to(cos.device)
        weight = class_vector_for(owner, "weight", self.weight, cos)
        onehot = F.one_hot(target, cos.shape[1]).to(cos.dtype)
        logits = self.scale * (cos - self.margin * onehot)  # zhou eq. 2
        return F.cross_entropy(logits, target, weight=weight, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"scale={self.scale}, margin={self.margin}, reduction={self.reduction!r}"
