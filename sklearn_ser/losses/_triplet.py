"""Triplet loss with online mining over a batch (liu2021, liu2023, kumar).

Everything works on the ``B x B`` matrix of pairwise distances and ``B x B`` masks;
no tensor of all ``B^3`` triplets is ever formed:

* ``"hard"`` (batch-hard) is a masked max and a masked min per row;
* ``"semihard"``, ``"all"`` and ``"hard+semihard"`` sort every row once, with the
  anchor-positive distances (or the margin-shifted thresholds ``d_ap + m``) merged
  into the row of anchor-negative distances, and read the answers off running counts
  of that order: the first negative after each positive (semi-hard), or how many
  negatives fall below each threshold (``cnt``) and how many thresholds lie above each
  negative (``r``). The hinge sum over all active triplets is then linear in the
  distances, ``sum_ap cnt_ap * (d_ap + m) - sum_an r_an * d_an``, so its gradient is
  exact without differentiating through a sort.

The counts are integers and need no gradient; on the CPU the row sort is numpy's
(SIMD) sort of int64 keys ``(value bits, tie flag, column)``, elsewhere torch's.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from sklearn.utils._param_validation import StrOptions, validate_parameter_constraints

from ._contract import NON_NEGATIVE, REDUCTION, SERLoss
from ._utils import check_target, empty_batch_loss, select_output

__all__ = ["TripletLoss", "pairwise_distances"]

DISTANCES = ("squared_euclidean", "euclidean", "cosine")
DISTANCE = StrOptions(set(DISTANCES))

# Below this squared distance the Euclidean distance is clamped before the square
# root: sqrt'(x) = 1 / (2 sqrt(x)) is infinite at 0 (duplicate embeddings).
_SQUARED_EPS = 1e-12
# L2 normalisation of the cosine distance: a zero vector stays zero (cosine 0).
_NORM_EPS = 1e-12


# ------------------------------------------------------------------------ distances
def pairwise_distances(
    embeddings: torch.Tensor, *, distance: str = "squared_euclidean"
) -> torch.Tensor:
    """Distances between all rows of a batch of embeddings, differentiable.

    Parameters
    ----------
    embeddings : Tensor [shape=(batch, dim)]
        Floating-point embeddings.
    distance : {"squared_euclidean", "euclidean", "cosine"}, default="squared_euclidean"
        ``"squared_euclidean"``: ``||x_i - x_j||_2^2`` (liu2021 eq. 1–2);
        ``"euclidean"``: ``||x_i - x_j||_2`` (liu2023 eq. 6–7); ``"cosine"``:
        ``1 - x_i^T x_j / (||x_i|| ||x_j||)`` in [0, 2] (kumar eq. 3).

    Returns
    -------
    dist : Tensor [shape=(batch, batch)]
        Non-negative, zero on the diagonal, same dtype as ``embeddings``.

    Notes
    -----
    The Euclidean forms use the Gram matrix, ``||x_i||^2 + ||x_j||^2 - 2 x_i^T x_j``,
    of the batch *centred on its mean*: distances do not change under a translation,
    and centring keeps the norms, hence the cancellation error, small. Round-off
    below zero is clamped to 0. The plain Euclidean distance is ``sqrt(max(d^2,
    1e-12))`` off the diagonal, so duplicate embeddings have finite (zero) gradients
    instead of the infinite slope of the square root at 0. The cosine distance
    normalises with an epsilon: a zero vector has cosine 0 to every vector (distance
    1) and a finite gradient.

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[0.0, 0.0], [3.0, 4.0]])
    >>> pairwise_distances(x, distance="euclidean")
    tensor([[0., 5.],
            [5., 0.]])
    """
    validate_parameter_constraints(
        {"distance": [DISTANCE]},
        {"distance": distance},
        caller_name="pairwise_distances",
    )
    if not isinstance(embeddings, torch.Tensor) or not embeddings.is_floating_point():
        raise TypeError(
            "pairwise_distances expects a floating-point torch.Tensor, got "
            f"{getattr(embeddings, 'dtype', type(embeddings).__name__)}"
        )
    if embeddings.ndim != 2:
        raise ValueError(
            "pairwise_distances expects embeddings of shape (batch, dim), got "
            f"{tuple(embeddings.shape)}"
        )
    n = embeddings.shape[0]
    eye = torch.eye(n, dtype=torch.bool, device=embeddings.device)
    if distance == "cosine":
        unit = F.normalize(embeddings, p=2.0, dim=1, eps=_NORM_EPS)
        dist = (1.0 - unit @ unit.T).clamp(0.0, 2.0)  # kumar eq. 3
    else:
        centred = embeddings - embeddings.mean(dim=0, keepdim=True)
        gram = centred @ centred.T
        sq = gram.diagonal()
        dist = (sq[:, None] + sq[None, :] - 2.0 * gram).clamp_min(0.0)
        if distance == "euclidean":
            dist = dist.clamp_min(_SQUARED_EPS).sqrt()
    return dist.masked_fill(eye, 0.0)


# -------------------------------------------------------------------- row ordering
def _sort_rows(keys: torch.Tensor) -> torch.Tensor:
    """Sort every row of an int64 tensor (numpy's SIMD sort on the CPU)."""
    if keys.device.type == "cpu" and _NUMPY_SORT:
        keys.numpy().sort(axis=1)  # in place: ``keys`` is a fresh temporary
        return keys
    return keys.sort(dim=1).values


def _argsort_rows(values: torch.Tensor) -> torch.Tensor:
    if values.device.type == "cpu" and _NUMPY_SORT:
        return torch.from_numpy(np.argsort(values.numpy(), axis=1))
    return values.argsort(dim=1)


_NUMPY_SORT = True  # tests switch it off to check the torch path


def _order_keys(values: torch.Tensor) -> torch.Tensor:
    """Integers (int64) ordered as the non-negative ``values`` of each row, with equal
    values mapping to equal integers."""
    if values.dtype == torch.float32:
        # IEEE 754: the bit patterns of non-negative floats, read as integers, are
        # ordered as the floats (+0.0 first: "+ 0.0" turns a -0.0 into +0.0).
        return (values + 0.0).view(torch.int32).to(torch.int64)
    # Other dtypes: dense ranks within the row (equal values, equal ranks).
    order = _argsort_rows(values)
    ordered = values.gather(1, order)
    new = torch.ones_like(ordered, dtype=torch.bool)
    new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ranks = torch.empty_like(order)
    ranks.scatter_(1, order, new.to(torch.int64).cumsum(1) - 1)
    return ranks


def _sorted_rows(
    values: torch.Tensor, flags: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sort each row by ``(value, flag)``; return the sorted flags and columns.

    ``flags`` (0 or 1) break ties between equal values: 0 comes first. The keys
    ``(order << 1 | flag) << colbits | column`` are unique, so one plain sort of
    int64 gives a deterministic order.
    """
    n_rows, n_cols = values.shape
    colbits = max(1, (n_cols - 1).bit_length())
    cols = torch.arange(n_cols, device=values.device)
    keys = ((_order_keys(values) << 1 | flags) << colbits) | cols
    keys = _sort_rows(keys)
    return (keys >> colbits) & 1, keys & ((1 << colbits) - 1)


# --------------------------------------------------------------------------- mining
# After pytorch-metric-learning's split: a *miner* chooses triplets, the *hinge*
# ``max(d_ap - d_an + m, 0)`` scores them and a *reducer* makes one number. Here a
# miner is one function ``miner(batch) -> _Mined`` of the distances and masks of one
# batch (:class:`_Batch`); it returns the hinge sums per anchor because the fused
# ``O(B^2)`` mining selects a triplet by the sign of its hinge and never lists the
# triplets. :func:`_reduce` is the reducer. A new mining rule is one function
# registered in ``MINERS``.
class _Mined(NamedTuple):
    per_anchor: torch.Tensor  # sum of the mined triplets' hinge losses per anchor (B,)
    n_mined: int  # triplets the "mean" divides by
    n_active: int  # mined triplets with a positive hinge
    n_candidates: int  # triplets (or anchors / pairs) the mode mines from


class _Batch(NamedTuple):
    """What every miner reads: ``dist`` has a zero diagonal; ``same[a, j]`` is "j has
    a's class" (j = a included), so the positives of ``a`` are ``same`` off the
    diagonal and its negatives ``~same``."""

    dist: torch.Tensor  # (B, B), differentiable
    detached: torch.Tensor  # (B, B), float32/float64, no gradient (for ordering)
    same: torch.Tensor  # (B, B) bool
    n_pos: torch.Tensor  # (B,) positives per anchor
    n_neg: torch.Tensor  # (B,) negatives per anchor
    margin: float
    zero: torch.Tensor  # scalar 0 of dist's dtype/device


def _hinge(d_ap: torch.Tensor, d_an: torch.Tensor, margin: float) -> torch.Tensor:
    """``max(d_ap - d_an + m, 0)`` (liu2021 eq. 2, liu2023 eq. 8, kumar eq. 2)."""
    return torch.relu((d_ap + margin) - d_an)


def _excluding_self(values: torch.Tensor) -> torch.Tensor:
    # The anchor itself gets +inf, so it sorts last in its row and is dropped.
    values.diagonal().fill_(float("inf"))
    return values


def _mine_hard(b: _Batch) -> _Mined:
    """Hermans et al.: per anchor, its farthest positive and its closest negative.
    The anchor's own d_aa = 0 never exceeds a positive's distance."""
    valid = (b.n_pos > 0) & (b.n_neg > 0)
    hardest_pos = torch.where(b.same, b.dist, b.zero).max(dim=1).values
    big = (b.detached.max() + b.margin + 1.0).to(b.dist.dtype)
    hardest_neg = torch.where(b.same, big, b.dist).min(dim=1).values
    hinge = torch.where(valid, _hinge(hardest_pos, hardest_neg, b.margin), b.zero)
    n_valid = int(valid.sum())
    return _Mined(hinge, n_valid, int((hinge > 0).sum()), n_valid)


def _mine_semihard(b: _Batch) -> _Mined:
    """FaceNet: per anchor-positive pair, the closest negative farther than the
    positive. Each row sorts d_an and d_ap together; a negative tied with the
    positive sorts before it (flag 0 < 1), as it is not farther (liu2021 eq. 5)."""
    n = b.dist.shape[0]
    flag_s, col_s = _sorted_rows(_excluding_self(b.detached.clone()), b.same.long())
    flag_s, col_s = flag_s[:, :-1], col_s[:, :-1]
    is_neg = flag_s == 0
    width = n - 1
    position = torch.arange(width, device=b.dist.device).expand_as(col_s)
    negative_at = torch.where(is_neg, position, width)
    next_negative = negative_at.flip(1).cummin(1).values.flip(1)  # first j >= i
    mined = ~is_neg & (next_negative < width)
    n_col = col_s.gather(1, next_negative.clamp_max(width - 1))
    d_ap = b.dist.gather(1, col_s)
    d_an = b.dist.gather(1, n_col)
    hinge = torch.where(mined, _hinge(d_ap, d_an, b.margin), b.zero)
    n_candidates = int((b.n_pos * (b.n_neg > 0)).sum())
    n_active = int((hinge > 0).sum())
    return _Mined(hinge.sum(1), int(mined.sum()), n_active, n_candidates)


def _active_hinge_sums(b: _Batch) -> tuple[torch.Tensor, int, int]:
    """Per-anchor sums of every active hinge (``d_an < d_ap + m``), their number and
    the number of valid triplets.

    Each row sorts the thresholds d_ap + m with the d_an (a threshold before an
    equal d_an: the inequality is strict). cnt_ap = negatives below the threshold,
    r_an = thresholds above the negative, and the sum of the active hinges,
    sum_p cnt_ap (d_ap + m) - sum_n r_an d_an, is linear in the distances.
    """
    n, dist, same = b.dist.shape[0], b.dist, b.same
    values = _excluding_self(b.detached + b.margin * same.to(b.detached.dtype))
    flag_s, col_s = _sorted_rows(values, (~same).long())
    flag_s, col_s = flag_s[:, :-1], col_s[:, :-1]
    is_neg = flag_s.bool()
    negatives_below = is_neg.cumsum(1)
    position = torch.arange(1, n, device=dist.device)
    thresholds_upto = position - negatives_below
    # Coefficient of each sorted distance: +cnt_ap at a positive, -r_an at a negative.
    coef = torch.where(is_neg, thresholds_upto - b.n_pos[:, None], negatives_below)
    cnt_per_anchor = coef.clamp_min(0).sum(1)
    acc = torch.float64 if dist.device.type != "mps" else torch.float32
    per_anchor = (coef.to(acc) * dist.gather(1, col_s).to(acc)).sum(1)
    per_anchor = (per_anchor + b.margin * cnt_per_anchor.to(acc)).clamp_min(0.0)
    n_candidates = int((b.n_pos * b.n_neg).sum())
    return per_anchor.to(dist.dtype), int(cnt_per_anchor.sum()), n_candidates


def _mine_all(b: _Batch) -> _Mined:
    """Batch-all: every valid triplet is mined (the mean divides by all of them)."""
    per_anchor, n_active, n_candidates = _active_hinge_sums(b)
    return _Mined(per_anchor, n_candidates, n_active, n_candidates)


def _mine_hard_semihard(b: _Batch) -> _Mined:
    """liu2021 §2.3: every semi-hard (eq. 5) or hard (eq. 6) triplet, i.e. every
    active one (the mean divides by them only)."""
    per_anchor, n_active, n_candidates = _active_hinge_sums(b)
    return _Mined(per_anchor, n_active, n_active, n_candidates)


MINERS = {
    "all": _mine_all,
    "hard": _mine_hard,
    "semihard": _mine_semihard,
    "hard+semihard": _mine_hard_semihard,
}
MININGS = tuple(MINERS)


def _mine(
    dist: torch.Tensor, target: torch.Tensor, *, margin: float, mining: str
) -> _Mined:
    """Mined triplets' hinge losses per anchor and the counts, for one mining mode."""
    n = dist.shape[0]
    if n < 3:  # a triplet needs an anchor, a positive and a negative
        return _Mined(dist.sum(1) * 0.0, 0, 0, 0)
    same = target[:, None] == target[None, :]
    n_same = same.sum(1)
    detached = dist.detach()
    if detached.dtype not in (torch.float32, torch.float64):
        detached = detached.float()
    batch = _Batch(
        dist=dist,
        detached=detached,
        same=same,
        n_pos=n_same - 1,
        n_neg=n - n_same,
        margin=margin,
        zero=torch.zeros((), dtype=dist.dtype, device=dist.device),
    )
    return MINERS[mining](batch)


def _reduce(
    mined: _Mined, embeddings: torch.Tensor, reduction: str
) -> torch.Tensor:
    """The reducer: ``"mean"`` over the mined triplets, ``"sum"``, or per anchor."""
    if mined.n_mined == 0:
        # No valid (or, for "hard+semihard", no selected) triplet: exactly 0, with a
        # zero gradient, still connected to the graph.
        return empty_batch_loss(embeddings, reduction)
    if reduction == "none":
        return mined.per_anchor
    total = mined.per_anchor.sum()
    return total if reduction == "sum" else total / mined.n_mined


def _triplet_loss(
    embeddings: torch.Tensor,
    target: torch.Tensor,
    *,
    margin: float,
    distance: str,
    mining: str,
    reduction: str,
) -> tuple[torch.Tensor, _Mined]:
    dist = pairwise_distances(embeddings, distance=distance)
    mined = _mine(dist, target, margin=margin, mining=mining)
    return _reduce(mined, embeddings, reduction), mined


# --------------------------------------------------------------------------- module
class TripletLoss(SERLoss, nn.Module):
    r"""Triplet loss with online (in-batch) mining: liu2021, liu2023, kumar.

    For an anchor ``a``, a positive ``p`` (same class, ``p != a``) and a negative
    ``n`` (another class) the hinge is ``max(d(a, p) - d(a, n) + m, 0)`` [1]_; the
    batch's triplets are *mined* from all ``(a, p, n)`` of the batch without forming
    them (memory ``O(B^2)``).

    Parameters
    ----------
    margin : float, default=0.2
        ``m >= 0``; liu2021's ``m`` (eq. 1–2, value not given), liu2023's ``M = 0.2``
        (eq. 8, §4.1), kumar's ``alpha`` (eq. 2).
    distance : {"squared_euclidean", "euclidean", "cosine"}, default="squared_euclidean"
        ``d``: squared L2 (liu2021 eq. 1–2, 5–6), L2 (liu2023 eq. 6–7) or cosine
        distance ``1 - cos`` (kumar eq. 3); see :func:`pairwise_distances`.
    mining : {"all", "hard", "semihard", "hard+semihard"}, default="hard+semihard"
        Which triplets enter the loss (see Notes):

        * ``"all"`` — every valid triplet (batch-all);
        * ``"hard"`` — batch-hard [2]_: per anchor, its farthest positive and
          closest negative (one triplet per anchor);
        * ``"semihard"`` — FaceNet [1]_: per anchor-positive pair, the closest
          negative farther than the positive (one triplet per pair);
        * ``"hard+semihard"`` — liu2021 §2.3: every triplet that is semi-hard (eq. 5)
          or hard (eq. 6).
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"``: sum of the mined triplets' hinges over the number of mined
        triplets (table below); ``"sum"``: the sum (kumar eq. 2 sums); ``"none"``:
        the sum per anchor, ``[shape=(batch,)]``, so that ``"none"`` summed is
        ``"sum"``. A batch without a mined triplet (an empty batch included)
        gives 0 with zero gradients, never NaN.

    Attributes
    ----------
    n_active_ : int
        After each ``forward``: mined triplets with a positive hinge.
    fraction_active_ : float
        ``n_active_`` over the candidates of the mining mode (see Notes), in
        [0, 1]; 0.0 when the batch has none. Logged as ``active_triplets`` by
        :class:`~sklearn_ser.models.SERClassifier`.

    See Also
    --------
    JointLoss : ``alpha * TripletLoss + (1 - alpha) * cross-entropy``.
    pairwise_distances : the distance matrix the mining works on.

    Notes
    -----
    **Losses of the papers.** liu2021 eq. 2 averages ``d(a,p) - d(a,n) + m`` with
    squared L2 over the selected triplets; its selection keeps only triplets whose
    term is positive, so it equals the hinge. liu2023 eq. 6–8 is the hinge with plain
    L2 (its text calls ``||.||_2^2`` the distance, its equations use ``||.||_2``),
    averaged over its (hard) triplets. kumar eq. 2 sums the hinge with a cosine
    distance (eq. 3 on L2-normalised embeddings); its ``d(f(e_3), f(e_2))``, the
    negative-to-positive distance, is read as FaceNet's anchor-to-negative distance
    [1]_, which kumar cites for it.

    **Mining modes** (``d_ap = d(a, p)``, ``d_an = d(a, n)``): the *mined*
    triplets (``"mean"`` divides by their number), the *active* ones among them
    (``n_active_``) and the *candidates* (denominator of ``fraction_active_``).

    ``"all"``
        Mined: every valid ``(a, p, n)``. Active: ``d_an < d_ap + m``.
        Candidates: every valid triplet.
    ``"hard"``
        Mined: for each anchor with a positive and a negative, ``(a, argmax_p d_ap,
        argmin_n d_an)``. Active: its hinge is > 0. Candidates: those anchors.
    ``"semihard"``
        Mined: for each positive pair ``(a, p)`` with some ``d_an > d_ap``,
        ``(a, p, n*)`` with ``n* = argmin {d_an : d_an > d_ap}``. Active:
        ``d_an* < d_ap + m``. Candidates: positive pairs whose anchor has a
        negative (a pair with no farther negative is not mined).
    ``"hard+semihard"``
        Mined = active: every triplet with ``d_an < d_ap + m``. Candidates: every
        valid triplet.

    ``"hard+semihard"`` is liu2021 §2.3 read literally. It selects, in each batch,
    "semi-hard triplets that follow ``d_ap < d_an < d_ap + m`` (5) and hard triplets
    that follow ``d_an < d_ap`` (6)" — conditions on single triplets, not on an
    anchor's extreme positive/negative — and averages eq. 2 over them. The union is
    ``d_an < d_ap + m`` except the tie ``d_an = d_ap``; we count that tie as hard
    when ``m > 0`` (its hinge ``m`` is positive), otherwise a collapsed embedding
    (all distances 0) would select nothing and be a loss-free fixed point. The mode
    is therefore batch-all averaged over the positive terms only (Hermans et al.'s
    "BA≠0" [2]_), while ``"all"`` averages over every valid triplet (eq. 2's ``1/N``
    over all of ``Gamma``, with the hinge). FaceNet's ``"semihard"`` gives 0 on a
    collapsed embedding (no negative is farther than a positive). Active triplets
    nest: hard ⊆ hard+semihard, semihard ⊆ hard+semihard,
    and hard+semihard = the active triplets of all.

    liu2023 §3.3 (eq. 11) selects "hard triplets" ``d_an < d_ap``, again per
    triplet; its recipe here uses ``mining="hard"`` (batch-hard), whose triplet is one
    of eq. 11's whenever the anchor has any, and otherwise the anchor's hardest
    (semi-hard or easy) triplet.

    Ties in the distances are resolved as the inequalities say (``d_an = d_ap`` is
    not "farther" for ``"semihard"``; a hinge of exactly 0 is inactive); a tie between
    two hardest positives/negatives sends the gradient to one of them.

    A batch without a mined triplet — one class, singleton classes, a batch of fewer
    than 3, or nothing selected by ``"hard+semihard"`` — gives exactly 0 with a zero
    gradient (``reduction="none"``: zeros), never NaN.

    Cost: a ``B x B`` distance matrix from one ``B x B x dim`` matrix product; mining
    is ``O(B^2)`` memory and ``O(B^2 log B)`` time (one sort per row, none for
    ``"hard"``).

    References
    ----------
    .. [1] F. Schroff, D. Kalenichenko, J. Philbin, "FaceNet: a unified embedding for
       face recognition and clustering", CVPR 2015, §3, §3.1.
    .. [2] A. Hermans, L. Beyer, B. Leibe, "In defense of the triplet loss for person
       re-identification", arXiv:1703.07737, 2017, §2.
    .. [3] J. Liu, H. Wang, "A speech emotion recognition framework for better
       discrimination of confusions", §2.2 eq. 1–2, §2.3 eq. 5–6
       (``papers/liu2021_triplet_specaugment_cnnlstm.txt``).
    .. [4] Y. Liu, H. Sun, W. Guan, Y. Xia, Z. Zhao, "Speech emotion recognition
       using cascaded attention network with joint loss for discrimination of
       confusions", §2.3 eq. 6–8, §3.3 eq. 11, §4.1
       (``papers/liu2023_cascaded_attention_joint_loss.txt``).
    .. [5] P. Kumar, S. Jain, B. Raman, P. P. Roy, M. Iwamura, "End-to-end triplet
       loss based emotion embedding system for speech emotion recognition", §III-B
       eq. 2–3 (``papers/kumar_triplet_resnet_cosine_embedding.txt``).

    Examples
    --------
    >>> import torch
    >>> emb = torch.tensor([[0.0, 0.0], [0.1, 0.0], [1.0, 0.0], [1.1, 0.0]])
    >>> y = torch.tensor([0, 0, 1, 1])
    >>> loss = TripletLoss(margin=0.2, distance="euclidean", mining="hard")
    >>> loss(emb, y)  # classes 0.8 apart: no active triplet
    tensor(0.)
    >>> loss(emb, torch.tensor([0, 1, 0, 1]))  # 1.0 + 0.2 - 0.1 for every anchor
    tensor(1.1000)
    >>> loss.n_active_, loss.fraction_active_
    (4, 1.0)
    """

    needs_balanced_batches = True
    uses_embeddings = True
    _parameter_constraints = {
        "margin": [NON_NEGATIVE],
        "distance": [DISTANCE],
        "mining": [StrOptions(set(MININGS))],
        "reduction": [REDUCTION],
    }

    def __init__(
        self,
        *,
        margin: float = 0.2,
        distance: str = "squared_euclidean",
        mining: str = "hard+semihard",
        reduction: str = "mean",
    ) -> None:
        super().__init__()
        self._validate_params(
            margin=margin, distance=distance, mining=mining, reduction=reduction
        )
        self.margin = float(margin)
        self.distance = distance
        self.mining = mining
        self.reduction = reduction

    def forward(self, input: Any, target: Any) -> torch.Tensor:
        """Mine the batch's triplets and return their loss.

        Parameters
        ----------
        input : Tensor [shape=(batch, dim)] or tuple (logits, embedding)
            Embeddings; from a model's ``(logits, embedding)`` output the embedding.
        target : Tensor of int [shape=(batch,)]
            Class indices.

        Returns
        -------
        loss : Tensor
            A scalar, or ``[shape=(batch,)]`` with ``reduction="none"``.
        """
        owner = type(self).__name__
        embeddings = check_embeddings(owner, select_output(owner, input, 1))
        target = check_target(owner, target, embeddings.shape[0]).to(embeddings.device)
        loss, mined = _triplet_loss(
            embeddings,
            target,
            margin=self.margin,
            distance=self.distance,
            mining=self.mining,
            reduction=self.reduction,
        )
        self.n_active_ = mined.n_active
        self.fraction_active_ = (
            mined.n_active / mined.n_candidates if mined.n_candidates else 0.0
        )
        return loss

    def extra_repr(self) -> str:
        return (
            f"margin={self.margin}, distance={self.distance!r}, "
            f"mining={self.mining!r}, reduction={self.reduction!r}"
        )


def check_embeddings(owner: str, embeddings: torch.Tensor) -> torch.Tensor:
    if embeddings.ndim != 2:
        raise ValueError(
            f"{owner} expects embeddings of shape (batch, dim), got "
            f"{tuple(embeddings.shape)}"
        )
    return embeddings
