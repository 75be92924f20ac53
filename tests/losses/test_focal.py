"""FocalLoss (zhou eq. 3): the formula and its bounds; the generic properties run in
test_loss_checks.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from sklearn_ser.losses import CrossEntropyLoss, FocalLoss
from sklearn_ser.testing.strategies import logits


def logits_and_target(*, magnitude=50.0):
    return logits(min_size=1, magnitude=magnitude).map(
        lambda lt: (torch.from_numpy(lt[0]), torch.from_numpy(lt[1]))
    )


weights = st.one_of(st.none(), st.just("random"))


def _weight(choice, c, seed=0):
    if choice is None:
        return None
    return torch.tensor(np.random.default_rng(seed).uniform(0.1, 3.0, size=c))


@given(
    data=logits_and_target(),
    weight=weights,
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_gamma_zero_alpha_one_is_cross_entropy_exactly(data, weight, dtype):
    logits, target = data
    logits = logits.to(dtype)
    w = _weight(weight, logits.shape[1])
    got = FocalLoss(gamma=0.0, alpha=1.0, weight=w)(logits, target)
    w_ = None if w is None else w.to(dtype)
    expected = F.cross_entropy(logits, target, weight=w_)
    assert got.dtype == dtype
    assert torch.equal(got, expected)


@given(
    data=logits_and_target(),
    gamma=st.floats(0.01, 6.0),
    alpha=st.sampled_from([0.5, 1.0, 2.0, 4.0]),
)
def test_focal_at_most_alpha_times_cross_entropy_and_non_negative(data, gamma, alpha):
    logits, target = data
    focal = FocalLoss(gamma=gamma, alpha=alpha, reduction="none")(logits, target)
    ce = F.cross_entropy(logits, target, reduction="none")
    assert torch.all(focal >= 0)
    assert torch.all(focal <= alpha * ce * (1 + 1e-12) + 1e-300)
    # strictly smaller wherever the sample is not hopeless and not certain
    p = torch.softmax(logits, 1).gather(1, target[:, None])[:, 0]
    mid = (p > 1e-6) & (p < 1 - 1e-6)
    assert torch.all(focal[mid] < alpha * ce[mid])


@given(
    data=logits_and_target(magnitude=1e4),
    gamma=st.sampled_from([0.0, 0.3, 0.5, 1.0, 2.0, 5.0]),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_finite_gradients_even_for_saturated_probabilities(data, gamma, dtype):
    logits, target = data
    logits = logits.to(dtype).requires_grad_(True)
    loss = FocalLoss(gamma=gamma, alpha=2.0)(logits, target)
    loss.backward()
    assert torch.isfinite(loss)
    assert torch.all(torch.isfinite(logits.grad))


def test_formula_with_per_class_alpha_and_weight():
    logits = torch.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 2.0, 2.0]])
    target = torch.tensor([0, 2, 1])
    alpha = torch.tensor([0.25, 1.0, 2.0])
    w = torch.tensor([1.0, 3.0, 0.5])
    p = torch.softmax(logits, 1)[torch.arange(3), target]
    per_sample = -alpha[target] * w[target] * (1 - p) ** 2 * torch.log(p)
    got = FocalLoss(gamma=2.0, alpha=alpha, weight=w)(logits, target)
    torch.testing.assert_close(got, per_sample.sum() / w[target].sum())
    got_none = FocalLoss(gamma=2.0, alpha=alpha.tolist(), weight=w, reduction="none")(
        logits, target
    )
    torch.testing.assert_close(got_none, per_sample)
    # a scalar alpha multiplies the loss
    torch.testing.assert_close(
        FocalLoss(gamma=2.0, alpha=2.0)(logits, target),
        2.0 * FocalLoss(gamma=2.0, alpha=1.0)(logits, target),
    )


def test_tuple_input_and_agreement_with_cross_entropy_module():
    logits = torch.randn(5, 3)
    target = torch.tensor([0, 1, 2, 1, 0])
    emb = torch.randn(5, 7)
    assert torch.equal(
        FocalLoss(gamma=0.0)((logits, emb), target),
        CrossEntropyLoss()((logits, emb), target),
    )


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"gamma": -1.0}, ValueError, "gamma"),
        ({"alpha": 0.0}, ValueError, "alpha"),
        ({"alpha": [1.0, -2.0]}, ValueError, "alpha"),
        ({"alpha": [[1.0, 2.0]]}, ValueError, "alpha"),
        ({"weight": [float("nan"), 1.0]}, ValueError, "weight"),
        ({"reduction": "avg"}, ValueError, "reduction"),
        ({"gamma": "2"}, TypeError, "gamma"),
    ],
)
def test_invalid_parameters_raise(params, error, match):
    with pytest.raises(error, match=match):
        FocalLoss(**params)


def test_invalid_inputs_raise():
    with pytest.raises(ValueError, match=r"\(batch, n_classes\)"):
        FocalLoss()(torch.randn(4), torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="outside"):
        FocalLoss()(torch.randn(4, 2), torch.tensor([0, 1, 2, 0]))
    with pytest.raises(ValueError, match="alpha has 3 entries"):
        FocalLoss(alpha=[1, 1, 1])(torch.randn(4, 2), torch.tensor([0, 1, 1, 0]))
