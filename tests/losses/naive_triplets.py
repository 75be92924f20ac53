"""A naive reference of the triplet loss: Python loops over every triplet.

Written from the definitions (liu2021 eq. 1-2, 5-6; liu2023 eq. 6-8; kumar eq. 2-3;
FaceNet semi-hard; Hermans batch-hard) with nothing shared with the vectorised code,
so that agreement between the two is evidence for both.
"""

from __future__ import annotations

import torch


def naive_distances(x: torch.Tensor, distance: str) -> torch.Tensor:
    """Distance matrix by one explicit difference / dot product per pair."""
    n = x.shape[0]
    if n == 0:
        return x.new_zeros((0, 0))
    rows = []
    for i in range(n):
        row = []
        for j in range(n):
            if i == j:
                row.append(x.new_zeros(()))
            elif distance == "cosine":
                ni = torch.sqrt((x[i] * x[i]).sum())
                nj = torch.sqrt((x[j] * x[j]).sum())
                row.append(1.0 - (x[i] * x[j]).sum() / (ni * nj))
            else:
                diff = x[i] - x[j]
                sq = (diff * diff).sum()
                row.append(torch.sqrt(sq) if distance == "euclidean" else sq)
        rows.append(torch.stack(row))
    return torch.stack(rows)


def naive_triplet(dist: torch.Tensor, labels, margin: float, mining: str):
    """Loss ("mean" reduction), the set of active triplets and the candidate count.

    ``dist`` is a ``B x B`` tensor (it may require grad); ``labels`` a sequence.
    """
    labels = [int(v) for v in labels]
    n = len(labels)
    positives = {
        a: [p for p in range(n) if p != a and labels[p] == labels[a]] for a in range(n)
    }
    negatives = {a: [q for q in range(n) if labels[q] != labels[a]] for a in range(n)}
    terms, active, candidates = [], set(), 0
    d = dist.detach()  # for the comparisons; the terms keep the graph

    def hinge(a, p, q):
        return torch.relu((dist[a, p] + margin) - dist[a, q])

    if mining in ("all", "hard+semihard"):
        for a in range(n):
            for p in positives[a]:
                for q in negatives[a]:
                    candidates += 1
                    d_ap, d_an = float(d[a, p]), float(d[a, q])
                    threshold = float(d[a, p] + margin)
                    semi_hard = d_ap < d_an < threshold  # liu2021 eq. 5
                    hard = d_an < d_ap  # liu2021 eq. 6
                    tie = d_an == d_ap and margin > 0  # counted as hard (hinge m > 0)
                    h = hinge(a, p, q)
                    if float(h.detach()) > 0:
                        active.add((a, p, q))
                    if mining == "all":
                        terms.append(h)
                    elif semi_hard or hard or tie:
                        terms.append(h)
    elif mining == "hard":
        for a in range(n):
            if not positives[a] or not negatives[a]:
                continue
            candidates += 1
            p = positives[a][0]
            for c in positives[a]:
                if float(d[a, c]) > float(d[a, p]):
                    p = c
            q = negatives[a][0]
            for c in negatives[a]:
                if float(d[a, c]) < float(d[a, q]):
                    q = c
            h = hinge(a, p, q)
            terms.append(h)
            if float(h.detach()) > 0:
                active.add((a, p, q))
    elif mining == "semihard":
        for a in range(n):
            if not negatives[a]:
                continue
            for p in positives[a]:
                candidates += 1
                farther = [q for q in negatives[a] if float(d[a, q]) > float(d[a, p])]
                if not farther:
                    continue
                q = farther[0]
                for c in farther:
                    if float(d[a, c]) < float(d[a, q]):
                        q = c
                h = hinge(a, p, q)
                terms.append(h)
                if float(h.detach()) > 0:
                    active.add((a, p, q))
    else:
        raise ValueError(mining)
    loss = torch.stack(terms).sum() / len(terms) if terms else dist.sum() * 0.0
    return loss, active, candidates
