"""Cross-entropy that takes a model's ``(logits, embedding)`` output."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ._contract import REDUCTION, UNIT_INTERVAL, SERLoss
from ._utils import (
    check_class_vector,
    check_logits,
    class_vector_for,
    empty_batch_loss,
    select_output,
)

__all__ = ["CrossEntropyLoss"]


def cross_entropy(
    owner: str,
    logits: torch.Tensor,
    target: torch.Tensor,
    *,
    weight: torch.Tensor | None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
) -> torch.Tensor:
    """:func:`torch.nn.functional.cross_entropy` with our shape and class checks."""
    logits, target = check_logits(owner, logits, target)
    weight = class_vector_for(owner, "weight", weight, logits)
    if logits.shape[0] == 0:
        return empty_batch_loss(logits, reduction)
    return F.cross_entropy(
        logits,
        target.to(logits.device),
        weight=weight,
        label_smoothing=label_smoothing,
        reduction=reduction,
    )


class CrossEntropyLoss(SERLoss, nn.CrossEntropyLoss):
    """Softmax cross-entropy on the logits of a ``(logits, embedding)`` output.

    :class:`torch.nn.CrossEntropyLoss` (it is a subclass, so skorch still knows to
    apply a softmax in ``predict_proba``) that also accepts the tuple the
    :mod:`sklearn_ser.nn` modules return, using its element 0. liu2021 eq. 4,
    liu2023 eq. 9, zhou eq. 1 (the baseline), li2021 §5.

    Parameters
    ----------
    weight : array-like of shape (n_classes,), default=None
        Per-class weights (e.g. :func:`balanced_class_weight`; ``class_weight=
        "balanced"`` of the estimators); ``"mean"`` is then the weighted mean.
    label_smoothing : float, default=0.0
        In [0, 1], as in torch.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` over the batch (weighted by ``weight``: the sum over the
        total weight), ``"sum"``, or one loss per sample
        ``[shape=(batch,)]``. A batch of no sample gives 0 (not torch's NaN), with
        zero gradients; ``"none"`` an empty tensor.

    See Also
    --------
    FocalLoss : equals this loss at ``gamma=0, alpha=1``.
    JointLoss : this loss plus a triplet term.

    Examples
    --------
    >>> import torch
    >>> logits = torch.tensor([[2.0, 0.0], [0.0, 2.0]])
    >>> CrossEntropyLoss()((logits, torch.zeros(2, 3)), torch.tensor([0, 1]))
    tensor(0.1269)
    """

    accepts_class_weight = True
    _parameter_constraints = {
        "weight": ["array-like", None],
        "label_smoothing": [UNIT_INTERVAL],
        "reduction": [REDUCTION],
    }

    def __init__(
        self,
        *,
        weight: Any = None,
        label_smoothing: float = 0.0,
        reduction: str = "mean",
    ) -> None:
        self._validate_params(
            weight=weight, label_smoothing=label_smoothing, reduction=reduction
        )
        super().__init__(
            weight=check_class_vector(type(self).__name__, "weight", weight),
            label_smoothing=float(label_smoothing),
            reduction=reduction,
        )

    def forward(self, input: Any, target: Any) -> torch.Tensor:
        """Cross-entropy of ``input`` (logits, or the tuple's element 0)."""
        owner = type(self).__name__
        logits = select_output(owner, input, 0)
        return cross_entropy(
            owner,
            logits,
            target,
            weight=self.weight,
            label_smoothing=self.label_smoothing,
            reduction=self.reduction,
        )
