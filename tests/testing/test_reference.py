"""The reference implementations against hand-computed values and torch's own
functions (not against sklearn_ser.losses: that is check_loss's job)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.testing import reference as R
from sklearn_ser.testing.strategies import cosine_matrices, distance_matrices, logits


# No deadline: a first torch call can be slow, and the machine may be shared.
relaxed = settings(deadline=None)


def _t(batch):
    return torch.from_numpy(batch[0]), torch.from_numpy(batch[1])


@relaxed
@given(
    batch=logits(min_size=1, min_classes=3, max_classes=3, magnitude=50.0),
    smoothing=st.sampled_from([0.0, 0.1, 0.5]),
    weighted=st.booleans(),
    reduction=st.sampled_from(["mean", "sum", "none"]),
)
def test_cross_entropy_is_torchs(batch, smoothing, weighted, reduction):
    x, y = _t(batch)
    w = torch.tensor([0.5, 2.0, 1.0], dtype=x.dtype) if weighted else None
    got = R.cross_entropy(x, y, weight=w, label_smoothing=smoothing,
                          reduction=reduction)
    expected = F.cross_entropy(x, y, weight=w, label_smoothing=smoothing,
                               reduction=reduction)
    torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-9)


@relaxed
@given(batch=logits(min_size=1, magnitude=20.0))
def test_focal_at_gamma_zero_is_cross_entropy(batch):
    x, y = _t(batch)
    torch.testing.assert_close(R.focal_loss(x, y, gamma=0.0),
                               F.cross_entropy(x, y), rtol=1e-9, atol=1e-12)


def test_focal_formula():
    x = torch.tensor([[1.0, 2.0, 0.5]], dtype=torch.float64)
    p = torch.softmax(x, 1)[0, 0]
    got = R.focal_loss(x, torch.tensor([0]), gamma=2.0, alpha=[4.0, 1.0, 1.0])
    torch.testing.assert_close(got, -4.0 * (1 - p) ** 2 * torch.log(p))


@relaxed
@given(batch=cosine_matrices(min_size=1), scale=st.sampled_from([1.0, 10.0, 30.0]))
def test_ams_at_zero_margin_is_cross_entropy_of_scaled_cosines(batch, scale):
    x, y = _t(batch)
    got = R.additive_margin_softmax_loss(x, y, scale=scale, margin=0.0)
    torch.testing.assert_close(got, F.cross_entropy(scale * x, y),
                               rtol=1e-9, atol=1e-12)


def test_ams_formula():
    cos = torch.tensor([[0.9, 0.1]], dtype=torch.float64)
    got = R.additive_margin_softmax_loss(cos, torch.tensor([0]), scale=10.0,
                                         margin=0.4)
    expected = -np.log(np.exp(5.0) / (np.exp(5.0) + np.exp(1.0)))
    assert float(got) == pytest.approx(expected, rel=1e-12)


def test_distances_by_hand():
    x = torch.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 2.0]], dtype=torch.float64)
    torch.testing.assert_close(
        R.distance_matrix(x, distance="euclidean")[1],
        torch.tensor([5.0, 0.0, 13**0.5], dtype=torch.float64),
    )
    sq = R.distance_matrix(x, distance="squared_euclidean")
    assert float(sq[0, 1]) == 25.0
    cos = R.distance_matrix(x, distance="cosine")
    assert float(cos[0, 1]) == 1.0  # the zero vector: cosine 0
    assert float(cos[1, 2]) == pytest.approx(1 - 8 / 10)


def test_each_mining_rule_on_a_known_batch():
    # 1-D, classes {0, 1} and {2, 3}; d = |x_i - x_j|, margin 1 (as in the package's
    # own known-value test, computed here from the definitions).
    x = torch.tensor([[0.0], [1.0], [1.5], [3.0]], dtype=torch.float64)
    y = [0, 0, 1, 1]
    d = R.distance_matrix(x, distance="euclidean")
    mined = {m: R.mine_triplets(d, y, margin=1.0, mining=m)
             for m in ("all", "hard", "semihard", "hard+semihard")}
    assert len(mined["all"]) == 8 == R.count_candidates(y, mining="all")
    assert mined["hard"] == [(0, 1, 2), (1, 0, 2), (2, 3, 1), (3, 2, 1)]
    # anchor 2: its negative at 1.5 ties its positive, so it is not "farther"
    assert mined["semihard"] == [(0, 1, 2), (1, 0, 3), (3, 2, 1)]
    assert set(mined["hard+semihard"]) == {
        (0, 1, 2), (1, 0, 2), (2, 3, 0), (2, 3, 1), (3, 2, 1)
    }
    loss = {m: float(R.triplet_loss(x, torch.tensor(y), margin=1.0,
                                    distance="euclidean", mining=m)) for m in mined}
    assert loss["all"] == pytest.approx(5.5 / 8)
    assert loss["hard+semihard"] == pytest.approx(5.5 / 5)
    assert loss["hard"] == pytest.approx(4.5 / 4)
    assert loss["semihard"] == pytest.approx(1.0 / 3)
    per_anchor = R.triplet_loss(x, torch.tensor(y), margin=1.0, distance="euclidean",
                                mining="all", reduction="none")
    torch.testing.assert_close(
        per_anchor, torch.tensor([0.5, 1.5, 3.0, 0.5], dtype=torch.float64)
    )


@relaxed
@given(batch=distance_matrices(), margin=st.sampled_from([0.0, 0.5]))
def test_hard_and_semihard_together_are_the_active_triplets(batch, margin):
    d, y = batch
    d = torch.from_numpy(d)
    everything = R.mine_triplets(d, y, margin=margin, mining="all")
    active = [(a, p, q) for a, p, q in everything if d[a, p] - d[a, q] + margin > 0]
    assert R.mine_triplets(d, y, margin=margin, mining="hard+semihard") == active


def test_no_triplet_gives_zero_connected_to_the_input():
    x = torch.zeros(3, 2, requires_grad=True)
    loss = R.triplet_loss(x, torch.tensor([0, 1, 2]))
    assert float(loss.detach()) == 0.0
    loss.backward()
    assert torch.equal(x.grad, torch.zeros(3, 2))


def test_joint_is_the_weighted_sum():
    logits_ = torch.tensor([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=torch.float64)
    emb = torch.tensor([[0.0], [0.1], [0.3]], dtype=torch.float64)
    y = torch.tensor([0, 0, 1])
    got = R.joint_loss((logits_, emb), y, alpha=0.25, mining="all")
    expected = 0.25 * R.triplet_loss(emb, y, mining="all") + 0.75 * F.cross_entropy(
        logits_, y
    )
    torch.testing.assert_close(got, expected)
