"""Losses of the papers as torch modules that skorch takes as ``criterion``.

Every loss takes the model output as skorch passes it — a tensor, or the
``(logits, embedding)`` tuple of the :mod:`sklearn_ser.nn` modules — and int64 class
indices; its hyper-parameters are constructor arguments, which a grid search reaches
as ``criterion__<name>``.

==================================  ===============================  ==================
loss                                paper                            acts on
==================================  ===============================  ==================
:class:`CrossEntropyLoss`           all (baseline)                   logits
:class:`TripletLoss`                liu2021, liu2023, kumar          embedding
:class:`JointLoss`                  liu2021 eq. 3, liu2023 eq. 10    both
:class:`FocalLoss`                  zhou eq. 3                       logits
:class:`AdditiveMarginSoftmaxLoss`  zhou eq. 2                       cosines
==================================  ===============================  ==================

:class:`CosineLinear` is the bias-free normalised head whose cosines the additive
margin softmax needs; :func:`balanced_class_weight` gives ``weight=`` for unbalanced
corpora; :func:`pairwise_distances` the distances the triplet mining uses.
"""

from ._ams import AdditiveMarginSoftmaxLoss, CosineLinear
from ._ce import CrossEntropyLoss
from ._focal import FocalLoss
from ._joint import JointLoss
from ._triplet import TripletLoss, pairwise_distances
from ._utils import balanced_class_weight

__all__ = [
    "AdditiveMarginSoftmaxLoss",
    "CosineLinear",
    "CrossEntropyLoss",
    "FocalLoss",
    "JointLoss",
    "TripletLoss",
    "balanced_class_weight",
    "pairwise_distances",
]
