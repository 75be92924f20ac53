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

:class:`CosineLinear` (defined in :mod:`sklearn_ser.nn`, re-exported here) is the
bias-free normalised head whose cosines the additive
margin softmax needs; :func:`balanced_class_weight` gives ``weight=`` for unbalanced
corpora; :func:`pairwise_distances` the distances the triplet mining uses.

**Extension contract.** Every loss derives from :class:`SERLoss` and declares, as
class attributes, what an estimator needs from it: ``needs_balanced_batches``,
``head`` (``"linear"`` or ``"cosine"``), ``uses_embeddings``,
``accepts_class_weight``, its ``_parameter_constraints``, and how its outputs become
probabilities (:meth:`SERLoss.proba`). The estimators ask the loss
(:func:`loss_contract`) and branch on nothing else, so a new loss is one class here
plus its tests; ``loss="<name>"`` resolves through the one mapping :data:`LOSSES`
(:func:`get_loss`).
"""

from sklearn_ser.nn import CosineLinear  # noqa: F401  (its home is sklearn_ser.nn)

from ._ams import AdditiveMarginSoftmaxLoss
from ._ce import CrossEntropyLoss
from ._contract import LossContract, SERLoss, loss_contract
from ._focal import FocalLoss
from ._joint import JointLoss
from ._registry import LOSSES, get_loss
from ._triplet import TripletLoss, pairwise_distances
from ._utils import balanced_class_weight

__all__ = [
    "LOSSES",
    "AdditiveMarginSoftmaxLoss",
    "CrossEntropyLoss",
    "FocalLoss",
    "JointLoss",
    "LossContract",
    "SERLoss",
    "TripletLoss",
    "balanced_class_weight",
    "get_loss",
    "loss_contract",
    "pairwise_distances",
]
