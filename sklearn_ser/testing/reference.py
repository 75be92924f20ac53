"""Slow, obviously correct implementations of the package's losses.

Written from the definitions, one sample, one pair or one triplet at a time, with
nothing shared with :mod:`sklearn_ser.losses`, so that agreement between the two is
evidence for both. They are differentiable (plain torch operations) but cost
``O(B^3)`` Python steps for the triplet losses: use them on batches of tens, as
``reference=`` of :func:`~sklearn_ser.testing.check_loss`.

* :func:`distance_matrix` — squared Euclidean, Euclidean and cosine distances
  (liu2021 eq. 1-2, liu2023 eq. 6-7, kumar eq. 3), one pair at a time;
* :func:`mine_triplets` — the triplets each mining rule selects: all valid ones,
  batch-hard (Hermans et al.), semi-hard (FaceNet) and hard + semi-hard (liu2021
  eq. 5-6);
* :func:`triplet_loss` (:func:`triplet_loss_from_distances` for a given distance
  matrix), :func:`cross_entropy`, :func:`joint_loss`,
  :func:`focal_loss`, :func:`additive_margin_softmax_loss`.

Every loss function takes ``(input, target, *, <the loss class's parameters>)``,
so ``functools.partial(reference.triplet_loss, margin=0.3, mining="hard")`` is the
reference of ``TripletLoss(margin=0.3, mining="hard")``.

Examples
--------
>>> import torch
>>> from sklearn_ser.testing import reference
>>> emb = torch.tensor([[0.0], [1.0], [1.5], [3.0]])
>>> y = torch.tensor([0, 0, 1, 1])
>>> reference.mine_triplets(
...     reference.distance_matrix(emb, distance="euclidean"), y, margin=1.0,
...     mining="hard")
[(0, 1, 2), (1, 0, 2), (2, 3, 1), (3, 2, 1)]
>>> reference.triplet_loss(emb, y, margin=1.0, distance="euclidean", mining="hard")
tensor(1.1250)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

__all__ = [
    "additive_margin_softmax_loss",
    "count_candidates",
    "cross_entropy",
    "distance_matrix",
    "focal_loss",
    "joint_loss",
    "mine_triplets",
    "triplet_loss",
    "triplet_loss_from_distances",
]


def _as_list(target: Any) -> list[int]:
    return [int(v) for v in (target.tolist() if hasattr(target, "tolist") else target)]


def _part(input: Any, index: int) -> torch.Tensor:
    """Element ``index`` of a ``(logits, embedding)`` tuple, or the tensor itself."""
    if isinstance(input, (tuple, list)):
        return input[index] if len(input) > index else input[0]
    return input


def _reduce(per_sample: list[torch.Tensor], weights: list[float], reduction: str,
            like: torch.Tensor) -> torch.Tensor:
    """``"none"``: the list as a tensor; ``"sum"``; ``"mean"``: the sum over the sum
    of weights (the weighted mean of torch's cross-entropy)."""
    if not per_sample:
        empty = like.sum() * 0.0
        return like.new_zeros((0,)) if reduction == "none" else empty
    values = torch.stack(per_sample)
    if reduction == "none":
        return values
    if reduction == "sum":
        return values.sum()
    return values.sum() / sum(weights)


# ----------------------------------------------------------------------- distances
def distance_matrix(embeddings: torch.Tensor, *, distance: str) -> torch.Tensor:
    """All pairwise distances, one explicit difference or dot product per pair.

    Parameters
    ----------
    embeddings : Tensor [shape=(batch, dim)]
    distance : {"squared_euclidean", "euclidean", "cosine"}
        ``||a - b||^2``, ``||a - b||`` or ``1 - a.b / (||a|| ||b||)``; a zero
        vector has cosine 0 to everything (distance 1), as in
        :func:`sklearn_ser.losses.pairwise_distances`.

    Returns
    -------
    Tensor [shape=(batch, batch)]
        Zero on the diagonal.
    """
    n = embeddings.shape[0]
    rows = []
    for i in range(n):
        row = []
        for j in range(n):
            a, b = embeddings[i], embeddings[j]
            if i == j:
                row.append(a.new_zeros(()))
            elif distance == "cosine":
                norms = torch.sqrt((a * a).sum()) * torch.sqrt((b * b).sum())
                if float(norms.detach()) == 0.0:
                    row.append(a.new_ones(()) + 0.0 * (a * b).sum())
                else:
                    row.append(1.0 - (a * b).sum() / norms)
            elif distance in ("euclidean", "squared_euclidean"):
                squared = ((a - b) * (a - b)).sum()
                row.append(torch.sqrt(squared) if distance == "euclidean" else squared)
            else:
                raise ValueError(f"distance_matrix: unknown distance {distance!r}")
        rows.append(torch.stack(row) if row else embeddings.new_zeros((0,)))
    return torch.stack(rows) if rows else embeddings.new_zeros((0, 0))


# -------------------------------------------------------------------------- mining
def _positives(labels: list[int], a: int) -> list[int]:
    return [p for p in range(len(labels)) if p != a and labels[p] == labels[a]]


def _negatives(labels: list[int], a: int) -> list[int]:
    return [q for q in range(len(labels)) if labels[q] != labels[a]]


def mine_triplets(
    dist: torch.Tensor, labels: Sequence[int] | torch.Tensor, *, margin: float,
    mining: str,
) -> list[tuple[int, int, int]]:
    """The ``(anchor, positive, negative)`` triplets a mining rule selects.

    Parameters
    ----------
    dist : Tensor [shape=(batch, batch)]
        Distances (only compared, never differentiated here).
    labels : sequence of int
    margin : float
    mining : {"all", "hard", "semihard", "hard+semihard"}
        * ``"all"``: every anchor, every positive (same class, not the anchor),
          every negative (another class);
        * ``"hard"``: per anchor, its farthest positive and its closest negative
          (the first one in batch order among equals);
        * ``"semihard"``: per anchor and positive, the closest negative strictly
          farther than the positive; none if there is none;
        * ``"hard+semihard"``: every triplet with ``d_an < d_ap + margin`` (a hard
          one, ``d_an <= d_ap``, or a semi-hard one) — exactly the triplets whose
          hinge is positive.

    Returns
    -------
    list of (int, int, int)
        In order of anchor, then positive, then negative.
    """
    y = _as_list(labels)
    d = [[float(v) for v in row] for row in dist.detach().tolist()]
    mined = []
    for a in range(len(y)):
        positives, negatives = _positives(y, a), _negatives(y, a)
        if not positives or not negatives:
            continue
        if mining == "all":
            mined += [(a, p, q) for p in positives for q in negatives]
        elif mining == "hard+semihard":
            mined += [
                (a, p, q) for p in positives for q in negatives
                if d[a][q] < d[a][p] + margin
            ]
        elif mining == "hard":
            p = max(positives, key=lambda j: (d[a][j], -j))
            q = min(negatives, key=lambda j: (d[a][j], j))
            mined.append((a, p, q))
        elif mining == "semihard":
            for p in positives:
                farther = [q for q in negatives if d[a][q] > d[a][p]]
                if farther:
                    mined.append((a, p, min(farther, key=lambda j: (d[a][j], j))))
        else:
            raise ValueError(f"mine_triplets: unknown mining {mining!r}")
    return mined


def count_candidates(labels: Sequence[int] | torch.Tensor, *, mining: str) -> int:
    """How many triplets (``"all"``, ``"hard+semihard"``), anchors (``"hard"``) or
    anchor-positive pairs (``"semihard"``) a mining rule chooses from: the
    denominator of ``TripletLoss.fraction_active_``."""
    y = _as_list(labels)
    count = 0
    for a in range(len(y)):
        n_pos, n_neg = len(_positives(y, a)), len(_negatives(y, a))
        if mining == "hard":
            count += int(n_pos > 0 and n_neg > 0)
        elif mining == "semihard":
            count += n_pos if n_neg else 0
        else:
            count += n_pos * n_neg
    return count


# ------------------------------------------------------------------------ losses
def triplet_loss(
    input: Any,
    target: Any,
    *,
    margin: float = 0.2,
    distance: str = "squared_euclidean",
    mining: str = "hard+semihard",
    reduction: str = "mean",
) -> torch.Tensor:
    """Triplet loss ``max(d_ap - d_an + margin, 0)`` over the mined triplets.

    ``"mean"`` divides by the number of mined triplets; ``"none"`` gives, per
    anchor, the sum of its triplets' hinges. No mined triplet: exactly 0. The
    reference of :class:`~sklearn_ser.losses.TripletLoss`.
    """
    embeddings = _part(input, 1)
    dist = distance_matrix(embeddings, distance=distance)
    return triplet_loss_from_distances(
        dist, target, margin=margin, mining=mining, reduction=reduction
    )


def triplet_loss_from_distances(
    dist: torch.Tensor,
    labels: Any,
    *,
    margin: float = 0.2,
    mining: str = "hard+semihard",
    reduction: str = "mean",
) -> torch.Tensor:
    """:func:`triplet_loss` of a given distance matrix (mining and hinges only)."""
    triplets = mine_triplets(dist, labels, margin=margin, mining=mining)
    hinges = [torch.relu(dist[a, p] - dist[a, q] + margin) for a, p, q in triplets]
    if reduction == "none":
        per_anchor = [dist.sum() * 0.0 for _ in range(dist.shape[0])]
        for (a, _, _), h in zip(triplets, hinges):
            per_anchor[a] = per_anchor[a] + h
        return torch.stack(per_anchor) if per_anchor else dist.new_zeros((0,))
    return _reduce(hinges, [1.0] * len(hinges), reduction, dist)


def _log_softmax_row(row: torch.Tensor) -> torch.Tensor:
    # log p_k = z_k - log sum_j exp(z_j), with the maximum taken out first so that
    # large scores do not overflow.
    top = row.max().detach()
    return row - top - torch.log(torch.exp(row - top).sum())


def _class_weights(weight: Any, n_classes: int) -> list[float]:
    if weight is None:
        return [1.0] * n_classes
    return [float(w) for w in torch.as_tensor(weight).tolist()]


def cross_entropy(
    input: Any,
    target: Any,
    *,
    weight: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
) -> torch.Tensor:
    """Softmax cross-entropy, one sample at a time.

    ``L_i = (1 - eps) w_{y_i} (-log p_{i, y_i}) + eps / C sum_k w_k (-log p_{i,k})``;
    ``"mean"`` divides the sum by ``sum_i w_{y_i}`` (torch's weighted mean). The
    reference of :class:`~sklearn_ser.losses.CrossEntropyLoss`.
    """
    logits = _part(input, 0)
    y = _as_list(target)
    n_classes = logits.shape[1]
    w = _class_weights(weight, n_classes)
    per_sample = []
    for i, label in enumerate(y):
        log_p = _log_softmax_row(logits[i])
        smooth = sum(w[k] * -log_p[k] for k in range(n_classes)) / n_classes
        per_sample.append(
            (1 - label_smoothing) * w[label] * -log_p[label] + label_smoothing * smooth
        )
    return _reduce(per_sample, [w[label] for label in y], reduction, logits)


def joint_loss(
    input: Any,
    target: Any,
    *,
    alpha: float = 0.3,
    margin: float = 0.2,
    distance: str = "squared_euclidean",
    mining: str = "hard+semihard",
    weight: Any = None,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """``alpha * triplet(embedding) + (1 - alpha) * cross_entropy(logits)`` (liu2021
    eq. 3), both terms means. The reference of :class:`~sklearn_ser.losses.JointLoss`.
    """
    triplet = triplet_loss(
        _part(input, 1), target, margin=margin, distance=distance, mining=mining
    )
    ce = cross_entropy(
        _part(input, 0), target, weight=weight, label_smoothing=label_smoothing
    )
    return alpha * triplet + (1 - alpha) * ce


def focal_loss(
    input: Any,
    target: Any,
    *,
    gamma: float = 2.0,
    alpha: Any = 1.0,
    weight: Any = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """Focal loss ``-alpha_t w_t (1 - p_t)^gamma log p_t`` (zhou eq. 3, Lin et al.).

    ``alpha`` is one number or one per class; ``"mean"`` divides by ``sum_i w_t``.
    The reference of :class:`~sklearn_ser.losses.FocalLoss`.
    """
    logits = _part(input, 0)
    y = _as_list(target)
    n_classes = logits.shape[1]
    w = _class_weights(weight, n_classes)
    if isinstance(alpha, (int, float)):
        alphas = [float(alpha)] * n_classes
    else:
        alphas = [float(a) for a in torch.as_tensor(alpha).tolist()]
    per_sample = []
    for i, label in enumerate(y):
        log_p = _log_softmax_row(logits[i])[label]
        # 1 - p_t, kept away from 0 so that (1 - p_t)^gamma has a finite slope
        tiny = torch.finfo(logits.dtype).tiny
        one_minus_p = torch.clamp(1 - torch.exp(log_p), min=tiny)
        focus = one_minus_p**gamma
        per_sample.append(-alphas[label] * w[label] * focus * log_p)
    return _reduce(per_sample, [w[label] for label in y], reduction, logits)


def additive_margin_softmax_loss(
    input: Any,
    target: Any,
    *,
    scale: float = 10.0,
    margin: float = 0.4,
    weight: Any = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """Additive-margin softmax on cosines (zhou eq. 2, AM-softmax).

    ``L_i = -log(e^{s (cos_y - m)} / (e^{s (cos_y - m)} + sum_{j != y} e^{s cos_j}))``,
    weighted by ``w_y``; ``"mean"`` divides by ``sum_i w_{y_i}``. The reference of
    :class:`~sklearn_ser.losses.AdditiveMarginSoftmaxLoss`.
    """
    cosines = _part(input, 0)
    y = _as_list(target)
    n_classes = cosines.shape[1]
    w = _class_weights(weight, n_classes)
    per_sample = []
    for i, label in enumerate(y):
        true = scale * (cosines[i, label] - margin)
        others = [scale * cosines[i, j] for j in range(n_classes) if j != label]
        terms = torch.stack([true, *others])
        top = terms.max().detach()
        log_denominator = top + torch.log(torch.exp(terms - top).sum())
        per_sample.append(w[label] * (log_denominator - true))
    return _reduce(per_sample, [w[label] for label in y], reduction, cosines)

