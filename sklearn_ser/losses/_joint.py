"""Joint loss: triplet + cross-entropy (liu2021 eq. 3, liu2023 eq. 10)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ._ce import cross_entropy
from ._contract import NON_NEGATIVE, UNIT_INTERVAL, SERLoss
from ._triplet import TripletLoss, _triplet_loss, check_embeddings
from ._utils import check_class_vector, check_target, select_output

__all__ = ["JointLoss"]


class JointLoss(SERLoss, nn.Module):
    r"""``alpha * L_T + (1 - alpha) * L_CE`` on a model's ``(logits, embedding)``.

    The triplet term :class:`TripletLoss` acts on the embedding (mean over its mined
    triplets), the cross-entropy on the logits (liu2021 eq. 3–4, liu2023 eq. 9–10).
    ``alpha=0`` is the cross-entropy exactly and ``alpha=1`` the triplet loss
    exactly. The parameters are flat so that a grid search reaches them as
    ``criterion__alpha``, ``criterion__margin``, ``criterion__distance`` and
    ``criterion__mining``.

    Parameters
    ----------
    alpha : float, default=0.3
        Weight of the triplet term, in [0, 1]; 0.3 in both liu2021 (Fig. 3) and
        liu2023 (§4.1).
    margin : float, default=0.2
        Triplet margin ``m >= 0``; liu2023's ``M = 0.2`` (liu2021 gives no value).
    distance : {"squared_euclidean", "euclidean", "cosine"}, default="squared_euclidean"
        Triplet distance; liu2021: squared L2 (the default), liu2023: ``"euclidean"``.
    mining : {"all", "hard", "semihard", "hard+semihard"}, default="hard+semihard"
        Triplet mining (see :class:`TripletLoss`); liu2021: hard and semi-hard
        triplets (the default), liu2023: ``"hard"``.
    weight : array-like of shape (n_classes,), default=None
        Per-class weights of the cross-entropy term.
    label_smoothing : float, default=0.0
        Label smoothing of the cross-entropy term.

    Attributes
    ----------
    n_active_ : int
        Active triplets of the last batch (see :class:`TripletLoss`).
    fraction_active_ : float
        Their fraction of the candidates, in [0, 1].
    triplet_loss_ : float
        The last batch's triplet term (before weighting).
    ce_loss_ : float
        The last batch's cross-entropy term (before weighting).

    See Also
    --------
    TripletLoss
    CrossEntropyLoss

    Notes
    -----
    A plain tensor as ``input`` serves as both logits and embedding (a model that
    returns only logits gets the triplet term on its logits). The triplet term is
    computed, and logged, also at ``alpha=0``; it then contributes ``0 * L_T = 0``.
    Both terms are means over the batch; a batch of no sample gives 0 (not torch's
    NaN), with zero gradients.

    References
    ----------
    .. [1] liu2021, §2.2 eq. 3–4
       (``papers/liu2021_triplet_specaugment_cnnlstm.txt``).
    .. [2] liu2023, §2.3 eq. 9–10 and §4.1
       (``papers/liu2023_cascaded_attention_joint_loss.txt``).

    Examples
    --------
    >>> import torch
    >>> logits = torch.tensor([[2.0, 0.0], [2.0, 0.0], [0.0, 2.0], [0.0, 2.0]])
    >>> emb = torch.tensor([[0.0], [0.1], [1.0], [1.1]])
    >>> y = torch.tensor([0, 0, 1, 1])
    >>> loss = JointLoss(alpha=0.3)
    >>> loss((logits, emb), y)  # classes well apart: only 0.7 x cross-entropy
    tensor(0.0888)
    >>> loss.triplet_loss_, round(loss.ce_loss_, 4)
    (0.0, 0.1269)
    """

    needs_balanced_batches = True
    uses_embeddings = True
    accepts_class_weight = True
    _parameter_constraints = {
        "alpha": [UNIT_INTERVAL],
        "margin": [NON_NEGATIVE],
        "distance": TripletLoss._parameter_constraints["distance"],
        "mining": TripletLoss._parameter_constraints["mining"],
        "weight": ["array-like", None],
        "label_smoothing": [UNIT_INTERVAL],
    }

    def __init__(
        self,
        *,
        alpha: float = 0.3,
        margin: float = 0.2,
        distance: str = "squared_euclidean",
        mining: str = "hard+semihard",
        weight: Any = None,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__()
        self._validate_params(
            alpha=alpha,
            margin=margin,
            distance=distance,
            mining=mining,
            weight=weight,
            label_smoothing=label_smoothing,
        )
        self.alpha = float(alpha)
        self.margin = float(margin)
        self.distance = distance
        self.mining = mining
        weight = check_class_vector(type(self).__name__, "weight", weight)
        self.register_buffer("weight", weight)
        self.label_smoothing = float(label_smoothing)

    def forward(self, input: Any, target: Any) -> torch.Tensor:
        """``alpha * triplet(embedding) + (1 - alpha) * cross_entropy(logits)``."""
        owner = type(self).__name__
        logits = select_output(owner, input, 0)
        embeddings = check_embeddings(owner, select_output(owner, input, 1))
        target = check_target(owner, target, logits.shape[0] if logits.ndim else -1)
        if embeddings.shape[0] != logits.shape[0]:
            raise ValueError(
                f"{owner}: logits have {logits.shape[0]} rows but the embedding "
                f"{embeddings.shape[0]}"
            )
        ce = cross_entropy(
            owner,
            logits,
            target,
            weight=self.weight,
            label_smoothing=self.label_smoothing,
        )
        triplet, mined = _triplet_loss(
            embeddings,
            target.to(embeddings.device),
            margin=self.margin,
            distance=self.distance,
            mining=self.mining,
            reduction="mean",
        )
        self.n_active_ = mined.n_active
        self.fraction_active_ = (
            mined.n_active / mined.n_candidates if mined.n_candidates else 0.0
        )
        self.triplet_loss_ = float(triplet.detach())
        self.ce_loss_ = float(ce.detach())
        return self.alpha * triplet + (1.0 - self.alpha) * ce  # liu2021 eq. 3

    def extra_repr(self) -> str:
        return (
            f"alpha={self.alpha}, margin={self.margin}, distance={self.distance!r}, "
            f"mining={self.mining!r}, label_smoothing={self.label_smoothing}"
        )
