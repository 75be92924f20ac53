"""TripletLoss and pairwise_distances: against a naive loop over triplets, and the
properties of issue 3 item 6 (hypothesis)."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from loss_strategies import (
    DISTANCES,
    DTYPES,
    MININGS,
    distance_matrices,
    generic_embeddings,
    margins,
    tied_embeddings,
)
from naive_triplets import naive_distances, naive_triplet

from sklearn_ser.losses import TripletLoss, pairwise_distances
from sklearn_ser.losses import _triplet


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


distances = st.sampled_from(DISTANCES)
minings = st.sampled_from(MININGS)


# --------------------------------------------------------- against the naive loop
@pytest.mark.parametrize("mining", MININGS)
@given(
    data=distance_matrices(),
    margin=margins,
    dtype=st.sampled_from(DTYPES),
    numpy_sort=st.booleans(),
)
def test_mining_matches_naive_loop_with_ties(numpy_sort, mining, data, margin, dtype):
    # Same distance matrix for both, full of exact ties: value, active set size and
    # fraction must agree exactly as the inequalities are written.
    d, y = data
    dist = torch.tensor(d, dtype=dtype)
    with sort_backend(numpy_sort):
        mined = _triplet._mine(dist, torch.as_tensor(y), margin=margin, mining=mining)
    expected, active, candidates = naive_triplet(dist, y, margin, mining)
    got = mined.per_anchor.sum() / mined.n_mined if mined.n_mined else torch.zeros(())
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    assert float(got) == pytest.approx(float(expected), rel=tol, abs=tol)
    assert mined.n_active == len(active)
    assert mined.n_candidates == candidates


@pytest.mark.parametrize("distance", DISTANCES)
@pytest.mark.parametrize("mining", MININGS)
@given(data=generic_embeddings(max_size=10), margin=margins, numpy_sort=st.booleans())
def test_loss_and_gradient_match_naive_loop(numpy_sort, distance, mining, data, margin):
    x, y = data
    with sort_backend(numpy_sort):
        loss, grad, loss_fn = _loss_and_grad(
            x, y, margin=margin, distance=distance, mining=mining
        )
    emb = _t(x, grad=True)
    expected, active, candidates = naive_triplet(
        naive_distances(emb, distance), y, margin, mining
    )
    assert float(loss) == pytest.approx(float(expected.detach()), rel=1e-9, abs=1e-9)
    assert loss_fn.n_active_ == len(active)
    fraction = len(active) / candidates if candidates else 0.0
    assert loss_fn.fraction_active_ == pytest.approx(fraction)
    if expected.requires_grad:
        expected.backward()
    expected_grad = emb.grad if emb.grad is not None else torch.zeros_like(emb)
    torch.testing.assert_close(grad, expected_grad, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("distance", DISTANCES)
def test_pairwise_distances_match_naive(distance):
    x = torch.randn(9, 5, dtype=torch.float64) * 3 + 10  # far from the origin
    got = pairwise_distances(x, distance=distance)
    torch.testing.assert_close(got, naive_distances(x, distance), rtol=1e-9, atol=1e-9)
    assert torch.all(got.diagonal() == 0)
    assert got.dtype == torch.float64


# ---------------------------------------------------------------- nesting of modes
@given(data=distance_matrices(), margin=margins)
def test_active_triplets_nest(data, margin):
    # hard ⊆ hard+semihard, semihard ⊆ hard+semihard, hard+semihard = active of all.
    d, y = data
    dist = torch.tensor(d)
    sets = {m: naive_triplet(dist, y, margin, m)[1] for m in MININGS}
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
    data=tied_embeddings(),
    margin=margins,
    dtype=st.sampled_from(DTYPES),
    distance=distances,
    mining=minings,
)
def test_non_negative_and_finite_gradients(distance, mining, data, margin, dtype):
    # Any finite input, duplicates and zero vectors included: loss >= 0, no NaN.
    x, y = data
    for reduction in ("mean", "sum", "none"):
        loss, grad, loss_fn = _loss_and_grad(
            x, y, dtype=dtype, margin=margin, distance=distance, mining=mining,
            reduction=reduction,
        )
        assert loss.dtype == dtype
        assert torch.all(loss >= 0)
        assert torch.all(torch.isfinite(loss))
        assert grad is not None and torch.all(torch.isfinite(grad))
        assert 0.0 <= loss_fn.fraction_active_ <= 1.0


@given(
    data=generic_embeddings(),
    margin=margins,
    seed=st.integers(0, 2**16),
    distance=distances,
    mining=minings,
)
def test_batch_permutation_invariance(distance, mining, data, margin, seed):
    x, y = data
    perm = np.random.default_rng(seed).permutation(len(y))
    params = {"margin": margin, "distance": distance, "mining": mining}
    for reduction in ("mean", "sum"):
        loss, _, fn = _loss_and_grad(x, y, reduction=reduction, **params)
        loss_p, _, fn_p = _loss_and_grad(
            x[perm], y[perm], reduction=reduction, **params
        )
        assert float(loss_p) == pytest.approx(float(loss), rel=1e-9, abs=1e-12)
        assert fn_p.n_active_ == fn.n_active_
    # per-anchor losses follow the anchors
    none, _, _ = _loss_and_grad(x, y, reduction="none", **params)
    none_p, _, _ = _loss_and_grad(x[perm], y[perm], reduction="none", **params)
    torch.testing.assert_close(none_p, none[perm], rtol=1e-9, atol=1e-12)


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


@pytest.mark.parametrize("distance", ["squared_euclidean", "euclidean"])
@given(
    mining=minings,
    data=generic_embeddings(),
    margin=margins,
    shift=st.floats(-100.0, 100.0, allow_nan=False),
    seed=st.integers(0, 2**16),
)
def test_translation_invariance_of_euclidean(
    distance, mining, data, margin, shift, seed
):
    x, y = data
    offset = shift * np.random.default_rng(seed).normal(size=x.shape[1])
    params = {"margin": margin, "distance": distance, "mining": mining}
    loss, _, fn = _loss_and_grad(x, y, **params)
    moved, _, fn_m = _loss_and_grad(x + offset, y, **params)
    assert float(moved) == pytest.approx(float(loss), rel=1e-6, abs=1e-9)
    assert fn_m.n_active_ == fn.n_active_


@given(
    data=generic_embeddings(),
    margin=margins,
    seed=st.integers(0, 2**16),
    mining=minings,
)
def test_scale_invariance_of_cosine(mining, data, margin, seed):
    # Each embedding scaled by its own positive factor: the angles do not change.
    x, y = data
    scales = np.exp(np.random.default_rng(seed).uniform(-5, 5, size=(len(y), 1)))
    params = {"margin": margin, "distance": "cosine", "mining": mining}
    loss, _, fn = _loss_and_grad(x, y, **params)
    scaled, _, fn_s = _loss_and_grad(x * scales, y, **params)
    assert float(scaled) == pytest.approx(float(loss), rel=1e-6, abs=1e-9)
    assert fn_s.n_active_ == fn.n_active_


@given(
    mining=minings,
    distance=distances,
    y=st.lists(st.integers(0, 3), min_size=3, max_size=14),
    margin=st.sampled_from([0.0, 0.1, 0.3]),
    seed=st.integers(0, 2**16),
)
def test_zero_when_classes_are_farther_apart_than_the_margin(
    distance, mining, y, margin, seed
):
    # Classes around orthogonal directions, tight clusters: every d_an exceeds every
    # d_ap by more than the margin, so no triplet is active.
    rng = np.random.default_rng(seed)
    y = np.array(y)
    x = 5.0 * np.eye(4, 6)[y] + rng.uniform(-0.05, 0.05, size=(len(y), 6))
    dist = pairwise_distances(torch.tensor(x), distance=distance).numpy()
    same = y[:, None] == y[None, :]
    off = ~np.eye(len(y), dtype=bool)
    if (same & off).any() and (~same).any():
        assert dist[same & off].max() + margin < dist[~same].min()
    params = {"margin": margin, "distance": distance, "mining": mining}
    loss, grad, fn = _loss_and_grad(x, y, **params)
    assert float(loss) == 0.0
    assert fn.n_active_ == 0
    assert torch.all(grad == 0)


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


@given(
    data=generic_embeddings(min_size=3),
    margin=margins,
    distance=distances,
    mining=minings,
)
def test_float32_and_float64_agree(distance, mining, data, margin):
    x, y = data
    if mining == "semihard":
        # Semi-hard picks are discontinuous at d_an = d_ap: keep clear of near-ties
        # that float32 rounding could flip.
        d = pairwise_distances(torch.tensor(x), distance=distance).numpy()
        same = y[:, None] == y[None, :]
        gaps = [
            np.abs(d[a][same[a]][:, None] - d[a][~same[a]][None, :]).min()
            for a in range(len(y))
            if (~same[a]).any()
        ]
        assume(not gaps or min(gaps) > 1e-4 * (1.0 + d.max()))
    l64, _, _ = _loss_and_grad(
        x, y, dtype=torch.float64, margin=margin, distance=distance, mining=mining
    )
    l32, g32, _ = _loss_and_grad(
        x, y, dtype=torch.float32, margin=margin, distance=distance, mining=mining
    )
    assert l32.dtype == torch.float32 and g32.dtype == torch.float32
    assert float(l32) == pytest.approx(float(l64), rel=1e-4, abs=1e-4)


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
