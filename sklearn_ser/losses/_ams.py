"""Additive-margin softmax (zhou eq. 2; AM-softmax / CosFace); its cosine head is
:class:`sklearn_ser.nn.CosineLinear`."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ._contract import NON_NEGATIVE, POSITIVE, REDUCTION, SERLoss
from ._utils import (
    check_class_vector,
    check_logits,
    class_vector_for,
    empty_batch_loss,
    select_output,
)

__all__ = ["AdditiveMarginSoftmaxLoss"]


class AdditiveMarginSoftmaxLoss(SERLoss, nn.Module):
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
        ``"mean"`` over the batch (weighted by ``weight``: the sum over the
        total weight), ``"sum"``, or one loss per sample
        ``[shape=(batch,)]``. A batch of no sample gives 0 (not torch's NaN), with
        zero gradients; ``"none"`` an empty tensor.

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

    head = "cosine"
    accepts_class_weight = True
    _parameter_constraints = {
        "scale": [POSITIVE],
        "margin": [NON_NEGATIVE],
        "weight": ["array-like", None],
        "reduction": [REDUCTION],
    }

    def __init__(
        self,
        *,
        scale: float = 10.0,
        margin: float = 0.4,
        weight: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__()
        self._validate_params(
            scale=scale, margin=margin, weight=weight, reduction=reduction
        )
        self.scale = float(scale)
        self.margin = float(margin)
        weight = check_class_vector(type(self).__name__, "weight", weight)
        self.register_buffer("weight", weight)
        self.reduction = reduction

    def logits(self, input: Any) -> torch.Tensor:
        """Inference logits ``scale * cos`` (no margin), for ``predict_proba``."""
        return self.scale * select_output(type(self).__name__, input, 0)

    def proba(self, output: Any) -> torch.Tensor:
        """Softmax of :meth:`logits`: the probabilities the loss (without margin)
        models."""
        return torch.softmax(self.logits(output).float(), dim=1)

    def forward(self, input: Any, target: Any) -> torch.Tensor:
        """AMS loss of ``input`` (cosines, or the tuple's element 0) and ``target``."""
        owner = type(self).__name__
        cos, target = check_logits(
            owner, select_output(owner, input, 0), target, what="cosines"
        )
        target = target.to(cos.device)
        weight = class_vector_for(owner, "weight", self.weight, cos)
        if cos.shape[0] == 0:
            return empty_batch_loss(cos, self.reduction)
        onehot = F.one_hot(target, cos.shape[1]).to(cos.dtype)
        logits = self.scale * (cos - self.margin * onehot)  # zhou eq. 2
        return F.cross_entropy(logits, target, weight=weight, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"scale={self.scale}, margin={self.margin}, reduction={self.reduction!r}"
