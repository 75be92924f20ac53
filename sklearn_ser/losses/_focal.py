"""Focal loss (zhou eq. 3; Lin et al.)."""

from __future__ import annotations

from typing import Any

import numpy as np
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

__all__ = ["FocalLoss"]


class FocalLoss(SERLoss, nn.Module):
    r"""Focal loss: cross-entropy scaled down on well-classified samples.

    ``FL = -alpha_t * w_t * (1 - p_t)^gamma * log(p_t)`` (zhou eq. 3, after Lin et
    al. [1]_), with ``p_t`` the softmax probability of the true class, ``alpha_t``
    the balancing factor and ``w_t`` the class weight of the true class. At
    ``gamma=0, alpha=1`` it is the cross-entropy exactly (same computation as
    :func:`torch.nn.functional.cross_entropy`); for ``gamma > 0`` every sample's
    loss is at most its ``alpha_t``-scaled cross-entropy.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter ``gamma >= 0`` (zhou Table 2: 2 or 5).
    alpha : float or array-like of shape (n_classes,), default=1.0
        Balancing factor: one positive number for every class (zhou Table 2: 1, 2
        or 4; zhou's best is ``gamma=2, alpha=2``), or one non-negative number per
        class. It multiplies the loss and, unlike ``weight``, does not enter the
        denominator of the mean.
    weight : array-like of shape (n_classes,), default=None
        Per-class weights as in :class:`CrossEntropyLoss` (``class_weight=
        "balanced"``): ``"mean"`` is ``sum_i w_i FL_i / sum_i w_i``.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` over the batch (weighted by ``weight``: the sum over the
        total weight), ``"sum"``, or one loss per sample
        ``[shape=(batch,)]``. A batch of no sample gives 0 (not torch's NaN), with
        zero gradients; ``"none"`` an empty tensor.

    See Also
    --------
    CrossEntropyLoss
    balanced_class_weight

    Notes
    -----
    Computed from :func:`torch.nn.functional.log_softmax`, with ``1 - p_t =
    -expm1(log p_t)``, so large logits neither overflow nor lose ``1 - p_t`` to
    round-off. ``(1 - p_t)`` is clamped at the smallest normal number before the
    power, so a saturated ``p_t = 1`` gives a finite gradient for ``0 < gamma < 1``.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollár, "Focal loss for dense
       object detection", ICCV 2017, §3.
    .. [2] zhou, "Discriminative feature learning ... additive margin softmax, focal
       loss and attentive pooling", §2.3 eq. 3 and §4 Table 2
       (``papers/zhou_discriminative_ams_focal_pooling.txt``).

    Examples
    --------
    >>> import torch
    >>> from sklearn_ser.losses import CrossEntropyLoss
    >>> logits = torch.tensor([[3.0, 0.0], [0.0, 0.5]])
    >>> y = torch.tensor([0, 1])
    >>> FocalLoss(gamma=0.0)(logits, y) == CrossEntropyLoss()(logits, y)
    tensor(True)
    >>> FocalLoss(gamma=2.0)(logits, y)
    tensor(0.0338)
    """

    accepts_class_weight = True
    _parameter_constraints = {
        "gamma": [NON_NEGATIVE],
        "alpha": [POSITIVE, "array-like"],
        "weight": ["array-like", None],
        "reduction": [REDUCTION],
    }

    def __init__(
        self,
        *,
        gamma: float = 2.0,
        alpha: Any = 1.0,
        weight: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        if isinstance(alpha, torch.Tensor) and alpha.ndim == 0:
            alpha = alpha.item()
        self._validate_params(
            gamma=gamma, alpha=alpha, weight=weight, reduction=reduction
        )
        self.gamma = float(gamma)
        if np.ndim(alpha) == 0:
            self.alpha = float(alpha)
            self.register_buffer("class_alpha", None)
        else:
            self.alpha = alpha
            class_alpha = check_class_vector(owner, "alpha", alpha)
            self.register_buffer("class_alpha", class_alpha)
        self.register_buffer("weight", check_class_vector(owner, "weight", weight))
        self.reduction = reduction

    def forward(self, input: Any, target: Any) -> torch.Tensor:
        """Focal loss of ``input`` (logits, or the tuple's element 0) and ``target``."""
        owner = type(self).__name__
        logits, target = check_logits(owner, select_output(owner, input, 0), target)
        target = target.to(logits.device)
        weight = class_vector_for(owner, "weight", self.weight, logits)
        if logits.shape[0] == 0:
            return empty_batch_loss(logits, self.reduction)
        log_p = F.log_softmax(logits, dim=1)
        if self.gamma != 0.0:
            # zhou eq. 3: (1 - p)^gamma log p, for every class column; nll_loss then
            # picks the true class and applies the weighted mean.
            one_minus_p = (-torch.expm1(log_p)).clamp_min(torch.finfo(log_p.dtype).tiny)
            log_p = one_minus_p.pow(self.gamma) * log_p
        class_alpha = class_vector_for(owner, "alpha", self.class_alpha, logits)
        if class_alpha is not None:
            log_p = log_p * class_alpha
        elif self.alpha != 1.0:
            log_p = log_p * self.alpha
        return F.nll_loss(log_p, target, weight=weight, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"gamma={self.gamma}, alpha={self.alpha}, reduction={self.reduction!r}"
