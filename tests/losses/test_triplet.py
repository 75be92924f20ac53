"""TripletLoss and pairwise_distances: mining against the reference of
:mod:`sklearn_ser.testing.reference`, with exact ties, and what check_loss does not
cover (counts, reductions, known values, memory). The generic properties —
non-negative, finite gradients, invariances, zero on separated classes, float32 vs
float64, agreement with the reference — run in test_loss_checks.py."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from sklearn_ser.losses import TripletLoss, pairwise_distances
from sklearn_ser.losses import _triplet
from sklearn_ser.testing import reference as R
from sklearn_ser.testing.strategies import (
    distance_matrices,
    generic_embeddings,
    margins,
)

DISTANCES = ("squared_euclidean", "euclidean", "cosine")
MININGS = ("all", "hard", "semihard", "hard+semihard")
DTYPES = (torch.float32, torch.float64)


def _active(dist, y, margin, mining):
    """The mined triplets of the reference whose hinge is positive."""
    d = dist.detach()
    return {
        (a, p, q)
        for a, p, q in R.mine_triplets(d, y, margin=margin, mining=mining)
        if float(d[a, p] - d[a, q] + margin) > 0
    }


def _t(x, dtype=torch.float64, grad=False):
    return torch.tensor(x, dtype=dtype, requires_grad=grad)


def _loss_and_grad(x, y, *, dtype=torch.float64, **params):
    emb = _t(x, dtype, grad=True)
    loss_fn = TripletLoss(**params)
    loss = loss_fn(emb, torch.as_tensor(y))
    loss.sum().backward()
    return loss.detach(), emb.grad, loss_fn


@contextmanager
def sort_backend(numpy_sort: bool):
    """Both row-sort back ends: numpy's on the CPU, torch's (used on other devices)."""
    saved = _triplet._NUMPY_SORT
    _triplet._NUMPY_SORT = numpy_sort
    try:
        yield
    finally:
        _triplet._NUMPY_SORT = saved


minings = st.sampled_from(MININGS)


# ---------------------------------------------------------- against the reference
@pytest.mark.parametrize("mining", MININGS)
@given(
    data=distance_matrices(),
    margin=margins,
    dtype=st.sampled_from(DTYPES),
    numpy_sort=st.booleans(),
)
def test_mining_matches_reference_with_ties(numpy_sort, mining, data, margin, dtype):
    # Same distance matrix for both, full of exact ties: value, active set size and
    # fraction must agree exactly as the inequalities are written.
    d, y = data
    dist = torch.tensor(d, dtype=dtype)
    with sort_backend(numpy_sort):
        mined = _triplet._mine(dist, torch.as_tensor(y), margin=margin, mining=mining)
    expected = R.triplet_loss_from_distances(dist, y, margin=margin, mining=mining)
    active = _active(dist, y, margin, mining)
    candidates = R.count_candidates(y, mining=mining)
    got = mined.per_anchor.sum() / mined.n_mined if mined.n_mined else torch.zeros(())
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    assert float(got) == pytest.approx(float(expected), rel=tol, abs=tol)
    assert mined.n_active == len(active)
    assert mined.n_candidates == candidates


@pytest.mark.parametrize("distance", DISTANCES)
@pytest.mark.parametrize("mining", MININGS)
@given(data=generic_embeddings(max_size=10), margin=margins, numpy_sort=st.booleans())
def test_loss_gradient_and_counts_match_reference(
    numpy_sort, distance, mining, data, margin
):
    # Both sort back ends (check_loss runs the default one); counts as well.
    x, y = data
    with sort_backend(numpy_sort):
        loss, grad, loss_fn = _loss_and_grad(
            x, y, margin=margin, distance=distance, mining=mining
        )
    emb = _t(x, grad=True)
    dist = R.distance_matrix(emb, distance=distance)
    expected = R.triplet_loss_from_distances(dist, y, margin=margin, mining=mining)
    active = _active(dist, y, margin, mining)
    candidates = R.count_candidates(y, mining=mining)
    assert float(loss) == pytest.approx(float(expected.detach()), rel=1e-9, abs=1e-9)
    assert loss_fn.n_active_ == len(active)
    fraction = len(active) / candidates if candidates else 0.0
    assert loss_fn.fraction_active_ == pytest.approx(fraction)
    assert 0.0 <= loss_fn.fraction_active_ <= 1.0
    if expected.requires_grad:
        expected.backward()
    expected_grad = emb.grad if emb.grad is not None else torch.zeros_like(emb)
    torch.testing.assert_close(grad, expected_grad, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("distance", DISTANCES)
def test_pairwise_distances_match_reference(distance):
    x = torch.randn(9, 5, dtype=torch.float64) * 3 + 10  # far from the origin
    got = pairwise_distances(x, distance=distance)
    torch.testing.assert_close(
        got, R.distance_matrix(x, distance=distance), rtol=1e-9, atol=1e-9
    )
    assert torch.all(got.diagonal() == 0)
    assert got.dtype == torch.float64


# ---------------------------------------------------------------- nesting of modes
@given(data=distance_matrices(), margin=margins)
def test_active_triplets_nest(data, margin):
    # hard ⊆ hard+semihard, semihard ⊆ hard+semihard, hard+semihard = active of all.
    d, y = data
    dist = torch.tensor(d)
    sets = {m: _active(dist, y, margin, m) for m in MININGS}
    assert sets["hard"] <= sets["hard+semihard"]
    assert sets["semihard"] <= sets["hard+semihard"]
    assert sets["hard+semihard"] == sets["all"]
    counts = {
        m: _triplet._mine(dist, torch.as_tensor(y), margin=margin, mining=m).n_active
        for m in MININGS
    }
    assert counts["hard"] <= counts["hard+semihard"] == counts["all"]
    assert counts["semihard"] <= counts["hard+semihard"]


# -------------------------------------------------------------------- properties
@given(
    data=distance_matrices(), margin=margins, seed=st.integers(0, 2**16), mining=minings
)
def test_permuting_the_distance_matrix_permutes_anchors(mining, data, margin, seed):
    # Exact ties kept under permutation: the counts must not move at all.
    d, y = data
    perm = np.random.default_rng(seed).permutation(len(y))
    dist = torch.tensor(d)
    a = _triplet._mine(dist, torch.as_tensor(y), margin=margin, mining=mining)
    b = _triplet._mine(
        dist[perm][:, perm], torch.as_tensor(y[perm]), margin=margin, mining=mining
    )
    assert (a.n_active, a.n_mined, a.n_candidates) == (
        b.n_active,
        b.n_mined,
        b.n_candidates,
    )
    torch.testing.assert_close(b.per_anchor, a.per_anchor[perm])


@pytest.mark.parametrize(
    "y", [[], [0], [0, 1], [2, 2, 2, 2], [0, 1, 2, 3], [5, 5, 5, 0]], ids=str
)
def test_no_valid_triplet_gives_exact_zero_and_zero_gradient(y):
    # No valid triplet at all, or (last case, mining="hard+semihard") valid triplets
    # of which none is selected: exactly 0, zero gradient, still in the graph.
    target = torch.tensor(y, dtype=torch.long)
    for distance in DISTANCES:
        x = np.zeros((len(y), 3))
        if y == [5, 5, 5, 0]:
            x[:3] = [1.0, 0.0, 0.0]
            x[3] = [100.0, 0.0, 0.0] if distance != "cosine" else [-1.0, 0.0, 0.0]
        minings_ = ["hard+semihard"] if y == [5, 5, 5, 0] else MININGS
        for mining in minings_:
            for reduction in ("mean", "sum", "none"):
                emb = torch.tensor(x, requires_grad=True)
                loss_fn = TripletLoss(
                    margin=0.2, distance=distance, mining=mining, reduction=reduction
                )
                loss = loss_fn(emb, target)
                assert torch.all(loss == 0)
                assert loss.shape == ((len(y),) if reduction == "none" else ())
                assert loss.requires_grad
                loss.sum().backward()
                assert torch.all(emb.grad == 0)
                assert loss_fn.n_active_ == 0 and loss_fn.fraction_active_ == 0.0


@pytest.mark.parametrize("mining", MININGS)
def test_collapsed_embedding(mining):
    # All embeddings equal: every d = 0, so every triplet has hinge m > 0 — also for
    # "hard+semihard", which counts the tie d_an = d_ap as hard. FaceNet's semi-hard
    # mining finds no negative *farther* than a positive and gives 0 (by definition).
    x = torch.ones(6, 2)
    y = torch.tensor([0, 0, 1, 1, 2, 2])
    loss_fn = TripletLoss(margin=0.3, mining=mining)
    expected = 0.0 if mining == "semihard" else 0.3
    assert float(loss_fn(x, y)) == pytest.approx(expected)
    assert loss_fn.fraction_active_ == (0.0 if mining == "semihard" else 1.0)


@given(data=generic_embeddings(min_size=1), margin=margins, mining=minings)
def test_reductions_are_consistent(mining, data, margin):
    x, y = data
    none, _, fn = _loss_and_grad(x, y, margin=margin, mining=mining, reduction="none")
    total, _, _ = _loss_and_grad(x, y, margin=margin, mining=mining, reduction="sum")
    mean, _, _ = _loss_and_grad(x, y, margin=margin, mining=mining, reduction="mean")
    assert none.shape == (len(y),)
    assert float(none.sum()) == pytest.approx(float(total), rel=1e-12, abs=1e-12)
    mined = _triplet._mine(
        pairwise_distances(torch.tensor(x)),
        torch.as_tensor(y),
        margin=margin,
        mining=mining,
    )
    expected_mean = float(total) / mined.n_mined if mined.n_mined else 0.0
    assert float(mean) == pytest.approx(expected_mean, rel=1e-12, abs=1e-12)


# ------------------------------------------------------------------- known values
def test_known_values_of_each_mode():
    # 1-D embeddings, classes a = {0, 1}, b = {2, 3}: d = |x_i - x_j|.
    x = torch.tensor([[0.0], [1.0], [1.5], [3.0]])
    y = torch.tensor([0, 0, 1, 1])
    m = 1.0
    loss = {
        mode: TripletLoss(margin=m, distance="euclidean", mining=mode)
        for mode in MININGS
    }
    # anchor 0: d_ap = 1, d_an = 1.5, 3 -> hinges 0.5, 0
    # anchor 1: d_ap = 1, d_an = 0.5, 2 -> hinges 1.5, 0
    # anchor 2: d_ap = 1.5, d_an = 1.5, 0.5 -> hinges 1.0, 2.0
    # anchor 3: d_ap = 1.5, d_an = 3, 2 -> hinges 0, 0.5
    assert float(loss["all"](x, y)) == pytest.approx((0.5 + 1.5 + 1.0 + 2.0 + 0.5) / 8)
    assert loss["all"].n_active_ == 5 and loss["all"].fraction_active_ == 5 / 8
    assert float(loss["hard+semihard"](x, y)) == pytest.approx(5.5 / 5)
    # batch-hard: one triplet per anchor, the largest hinge of its row
    assert float(loss["hard"](x, y)) == pytest.approx((0.5 + 1.5 + 2.0 + 0.5) / 4)
    # semi-hard: the closest negative farther than the positive
    # anchor 0 -> 1.5 (0.5); 1 -> 2 (0); 2 -> none (1.5 is not farther); 3 -> 2 (0.5)
    assert float(loss["semihard"](x, y)) == pytest.approx((0.5 + 0.0 + 0.5) / 3)
    assert loss["semihard"].n_active_ == 2
    assert loss["semihard"].fraction_active_ == pytest.approx(2 / 4)


def test_tuple_input_uses_the_embedding():
    emb = torch.randn(6, 3)
    logits = torch.randn(6, 2)
    y = torch.tensor([0, 0, 1, 1, 2, 2])
    loss_fn = TripletLoss(mining="all")
    assert torch.equal(loss_fn((logits, emb), y), loss_fn(emb, y))


def test_distances_of_degenerate_inputs():
    x = torch.tensor(
        [[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [1.0, 0.0]], requires_grad=True
    )
    for distance in DISTANCES:
        d = pairwise_distances(x, distance=distance)
        assert torch.all(torch.isfinite(d)) and torch.all(d >= 0)
        d.sum().backward()
        assert torch.all(torch.isfinite(x.grad))
        x.grad = None
    cos = pairwise_distances(x.detach(), distance="cosine")
    assert float(cos[0, 2]) == pytest.approx(1.0)  # zero vector: cosine 0
    assert float(cos[2, 3]) == pytest.approx(0.0, abs=1e-6)
    assert float(pairwise_distances(x.detach(), distance="euclidean")[2, 3]) < 1e-5


def test_memory_is_quadratic_in_the_batch():
    # The largest single allocation of forward + backward stays a few B^2 int64, far
    # below one B^3 tensor.
    from torch.profiler import ProfilerActivity, profile

    n = 200
    emb = torch.randn(n, 16, requires_grad=True)
    y = torch.arange(n) % 5
    for mining in MININGS:
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
            TripletLoss(mining=mining)(emb, y).backward()
        largest = max(e.cpu_memory_usage for e in prof.key_averages())
        assert largest <= 8 * 8 * n * n, (mining, largest)


# -------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "params, match",
    [
        ({"margin": -0.1}, "margin"),
        ({"margin": float("nan")}, "margin"),
        ({"distance": "manhattan"}, "distance"),
        ({"mining": "easy"}, "mining"),
        ({"reduction": "max"}, "reduction"),
    ],
)
def test_invalid_parameters_raise(params, match):
    with pytest.raises(ValueError, match=match):
        TripletLoss(**params)


def test_invalid_inputs_raise():
    loss_fn = TripletLoss()
    with pytest.raises(ValueError, match=r"\(batch, dim\)"):
        loss_fn(torch.randn(4), torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match=r"\(batch, dim\)"):
        loss_fn(torch.randn(4, 2, 2), torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="target must have shape"):
        loss_fn(torch.randn(4, 2), torch.zeros(3, dtype=torch.long))
    with pytest.raises(TypeError, match="integer class indices"):
        loss_fn(torch.randn(4, 2), torch.zeros(4))
    with pytest.raises(TypeError, match="floating-point"):
        loss_fn(torch.zeros(4, 2, dtype=torch.long), torch.zeros(4, dtype=torch.long))
    with pytest.raises(TypeError, match="margin"):
        TripletLoss(margin="0.2")
