"""JointLoss: alpha * triplet + (1 - alpha) * cross-entropy (liu2021, liu2023); the
generic properties run in test_loss_checks.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from sklearn_ser.losses import JointLoss, TripletLoss
from sklearn_ser.testing.strategies import generic_embeddings, margins

DISTANCES = ("squared_euclidean", "euclidean", "cosine")
MININGS = ("all", "hard", "semihard", "hard+semihard")


def _output(x, y, n_classes=5, seed=0, dtype=torch.float64):
    logits = torch.as_tensor(
        np.random.default_rng(seed).normal(size=(len(y), n_classes)), dtype=dtype
    )
    return logits, torch.as_tensor(x, dtype=dtype)


@given(
    data=generic_embeddings(min_size=1),
    margin=margins,
    distance=st.sampled_from(DISTANCES),
    mining=st.sampled_from(MININGS),
)
def test_alpha_zero_is_cross_entropy_and_one_is_triplet_exactly(
    data, margin, distance, mining
):
    x, y = data
    logits, emb = _output(x, y)
    target = torch.as_tensor(y)
    params = {"margin": margin, "distance": distance, "mining": mining}
    ce_only = JointLoss(alpha=0.0, **params)((logits, emb), target)
    triplet_only = JointLoss(alpha=1.0, **params)((logits, emb), target)
    assert torch.equal(ce_only, F.cross_entropy(logits, target))
    assert torch.equal(triplet_only, TripletLoss(**params)(emb, target))


@given(
    data=generic_embeddings(min_size=1),
    alpha=st.floats(0.0, 1.0),
    margin=margins,
    mining=st.sampled_from(MININGS),
)
def test_linear_in_alpha_and_non_negative(data, alpha, margin, mining):
    x, y = data
    out = _output(x, y)
    target = torch.as_tensor(y)
    at = {
        a: float(JointLoss(alpha=a, margin=margin, mining=mining)(out, target))
        for a in (0.0, 1.0, alpha)
    }
    linear = alpha * at[1.0] + (1 - alpha) * at[0.0]
    assert at[alpha] == pytest.approx(linear, rel=1e-12, abs=1e-12)
    assert at[alpha] >= 0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gradients_reach_both_outputs_and_dtype_is_kept(dtype):
    y = torch.tensor([0, 0, 1, 1, 2, 2])
    logits = torch.randn(6, 3, dtype=dtype, requires_grad=True)
    emb = torch.zeros(6, 4, dtype=dtype, requires_grad=True)  # collapsed: all active
    loss = JointLoss(alpha=0.3)((logits, emb), y)
    assert loss.dtype == dtype
    loss.backward()
    assert torch.all(torch.isfinite(logits.grad)) and logits.grad.abs().sum() > 0
    assert torch.all(torch.isfinite(emb.grad))


def test_logged_terms_and_active_triplets():
    y = torch.tensor([0, 0, 1, 1])
    logits = torch.tensor([[2.0, 0.0], [2.0, 0.0], [0.0, 2.0], [0.0, 2.0]])
    emb = torch.tensor([[0.0], [1.0], [0.5], [3.0]])
    joint = JointLoss(alpha=0.4, margin=0.5, distance="euclidean", mining="all")
    total = joint((logits, emb), y)
    triplet = TripletLoss(margin=0.5, distance="euclidean", mining="all")
    expected_t = float(triplet(emb, y))
    expected_ce = float(F.cross_entropy(logits, y))
    assert joint.triplet_loss_ == pytest.approx(expected_t)
    assert joint.ce_loss_ == pytest.approx(expected_ce)
    assert float(total) == pytest.approx(0.4 * expected_t + 0.6 * expected_ce)
    assert joint.n_active_ == triplet.n_active_ > 0
    assert joint.fraction_active_ == triplet.fraction_active_


def test_class_weight_and_label_smoothing_reach_the_cross_entropy():
    y = torch.tensor([0, 0, 0, 1])
    logits = torch.randn(4, 2)
    emb = torch.randn(4, 3)
    w = [0.5, 3.0]
    got = JointLoss(alpha=0.0, weight=w, label_smoothing=0.1)((logits, emb), y)
    expected = F.cross_entropy(logits, y, weight=torch.tensor(w), label_smoothing=0.1)
    torch.testing.assert_close(got, expected)


def test_plain_tensor_is_both_logits_and_embedding():
    y = torch.tensor([0, 0, 1, 1])
    logits = torch.randn(4, 2)
    got = JointLoss(alpha=0.5)(logits, y)
    triplet = TripletLoss(mining="hard+semihard")(logits, y)
    expected = 0.5 * triplet + 0.5 * F.cross_entropy(logits, y)
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alpha": -0.1}, "alpha"),
        ({"alpha": 1.5}, "alpha"),
        ({"margin": -1.0}, "margin"),
        ({"distance": "l1"}, "distance"),
        ({"mining": "random"}, "mining"),
        ({"weight": [1.0, -1.0]}, "weight"),
        ({"label_smoothing": 2.0}, "label_smoothing"),
    ],
)
def test_invalid_parameters_raise(params, match):
    with pytest.raises(ValueError, match=match):
        JointLoss(**params)


def test_invalid_inputs_raise():
    joint = JointLoss()
    y = torch.tensor([0, 1, 0])
    with pytest.raises(ValueError, match="rows"):
        joint((torch.randn(3, 2), torch.randn(4, 5)), y)
    with pytest.raises(ValueError, match="outside"):
        joint((torch.randn(3, 2), torch.randn(3, 5)), torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="weight has 3 entries"):
        JointLoss(weight=[1, 1, 1])((torch.randn(3, 2), torch.randn(3, 5)), y)


def test_grid_search_reaches_the_criterion_parameters():
    # skorch re-creates the criterion from criterion__* parameters, as GridSearchCV's
    # clone + set_params does.
    from sklearn.base import clone
    from skorch import NeuralNetClassifier
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(5, 4)
            self.head = nn.Linear(4, 3)

        def forward(self, X):
            emb = self.body(X)
            return self.head(emb), emb

    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 5)).astype(np.float32)
    y = np.arange(24) % 3
    net = NeuralNetClassifier(
        Net,
        criterion=JointLoss,
        criterion__alpha=0.3,
        max_epochs=2,
        batch_size=12,
        train_split=None,
        verbose=0,
    )
    net = clone(net).set_params(
        criterion__alpha=0.7,
        criterion__margin=0.4,
        criterion__mining="hard",
        criterion__distance="euclidean",
    )
    net.fit(X, y)
    crit = net.criterion_
    got = (crit.alpha, crit.margin, crit.mining, crit.distance)
    assert got == (0.7, 0.4, "hard", "euclidean")
    assert 0.0 <= crit.fraction_active_ <= 1.0
    assert np.isfinite(net.history[-1, "train_loss"])
