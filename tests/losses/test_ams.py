"""AdditiveMarginSoftmaxLoss and CosineLinear (zhou eq. 2): the formula and the head;
the generic properties run in test_loss_checks.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_ser.losses import AdditiveMarginSoftmaxLoss, CosineLinear
from sklearn_ser.testing.strategies import cosine_matrices


def cosines_and_target(**kwargs):
    return cosine_matrices(min_size=1, **kwargs).map(
        lambda ct: (torch.from_numpy(ct[0]), torch.from_numpy(ct[1]))
    )


@given(
    data=cosines_and_target(),
    scale=st.floats(0.1, 64.0),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_zero_margin_is_cross_entropy_of_scaled_cosines(data, scale, dtype):
    cos, target = data
    cos = cos.to(dtype)
    loss = AdditiveMarginSoftmaxLoss(scale=scale, margin=0.0)
    got = loss(cos, target)
    assert got.dtype == dtype
    assert torch.equal(got, F.cross_entropy(scale * cos, target))
    assert torch.equal(loss.logits(cos), scale * cos)


@given(
    data=cosines_and_target(),
    scale=st.sampled_from([10.0, 30.0]),
    margins=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2, unique=True),
)
def test_non_negative_and_increasing_in_the_margin(data, scale, margins):
    cos, target = data
    small, large = sorted(margins)
    a, b = (
        AdditiveMarginSoftmaxLoss(scale=scale, margin=m, reduction="none")(cos, target)
        for m in (small, large)
    )
    assert torch.all(a >= 0)
    assert torch.all(b >= a)


def test_formula_of_zhou_eq_2_with_weights():
    cos = torch.tensor([[0.9, 0.1, -0.2], [0.3, 0.2, 0.6]])
    target = torch.tensor([0, 2])
    s, m = 30.0, 0.2
    w = torch.tensor([2.0, 1.0, 0.5])
    num = torch.exp(s * (cos[torch.arange(2), target] - m))
    others = torch.exp(s * cos).sum(1) - torch.exp(s * cos[torch.arange(2), target])
    per_sample = -torch.log(num / (num + others))
    loss = AdditiveMarginSoftmaxLoss(scale=s, margin=m, weight=w, reduction="none")
    got = loss(cos, target)
    torch.testing.assert_close(got, w[target] * per_sample)
    mean = AdditiveMarginSoftmaxLoss(scale=s, margin=m, weight=w)((cos, None), target)
    torch.testing.assert_close(mean, (w[target] * per_sample).sum() / w[target].sum())


@given(
    x=arrays(np.float64, (5, 4), elements=st.floats(-1e3, 1e3)),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_cosine_linear_gives_cosines_with_finite_gradients(x, dtype):
    torch.manual_seed(0)
    head = CosineLinear(4, 3).to(dtype)
    x = torch.tensor(x, dtype=dtype)
    x[0] = 0.0  # a zero vector
    x.requires_grad_(True)
    cos = head(x)
    assert cos.shape == (5, 3) and cos.dtype == dtype
    assert torch.all(cos.abs() <= 1)
    assert torch.all(cos[0] == 0)
    # cos = x.w / (max(|x|, 1e-12) max(|w|, 1e-12)): inputs shorter than 1e-12
    # count as (almost) zero vectors
    w = head.weight.detach()
    xd = x.detach()
    norms = xd.norm(dim=1, keepdim=True).clamp_min(1e-12) * w.norm(dim=1).clamp_min(
        1e-12
    )
    expected = xd @ w.T / norms
    torch.testing.assert_close(
        cos.detach(), expected.clamp(-1, 1), rtol=1e-4, atol=1e-5
    )
    AdditiveMarginSoftmaxLoss()(cos, torch.tensor([0, 1, 2, 0, 1])).backward()
    assert torch.all(torch.isfinite(x.grad))
    assert torch.all(torch.isfinite(head.weight.grad))


def test_cosine_linear_has_no_bias_and_ignores_norms():
    head = CosineLinear(6, 4)
    assert [name for name, _ in head.named_parameters()] == ["weight"]
    x = torch.randn(3, 6)
    torch.testing.assert_close(head(x), head(7.5 * x))
    with torch.no_grad():
        head.weight.mul_(3.0)
    torch.testing.assert_close(head(x), head(7.5 * x))
    assert head(torch.randn(2, 5, 6)).shape == (2, 5, 4)


def test_ams_trains_the_cosine_head():
    # A margin loss on a cosine head separates two linearly separable classes.
    torch.manual_seed(0)
    x = torch.cat([torch.randn(20, 2) + 3, torch.randn(20, 2) - 3])
    y = torch.tensor([0] * 20 + [1] * 20)
    head = CosineLinear(2, 2)
    loss_fn = AdditiveMarginSoftmaxLoss(scale=10.0, margin=0.4)
    opt = torch.optim.SGD(head.parameters(), lr=0.1)
    first = None
    for _ in range(50):
        opt.zero_grad()
        loss = loss_fn(head(x), y)
        first = first if first is not None else float(loss.detach())
        loss.backward()
        opt.step()
    assert float(loss.detach()) < first
    assert (loss_fn.logits(head(x)).argmax(1) == y).float().mean() > 0.9


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"scale": 0.0}, ValueError, "scale"),
        ({"scale": -1.0}, ValueError, "scale"),
        ({"margin": -0.1}, ValueError, "margin"),
        ({"weight": [0.0, 0.0]}, ValueError, "weight"),
        ({"reduction": None}, ValueError, "reduction"),
    ],
)
def test_invalid_parameters_raise(params, error, match):
    with pytest.raises(error, match=match):
        AdditiveMarginSoftmaxLoss(**params)


def test_invalid_inputs_raise():
    with pytest.raises(ValueError, match="cosines"):
        AdditiveMarginSoftmaxLoss()(torch.rand(3), torch.tensor([0, 1, 0]))
    with pytest.raises(ValueError, match=r"\(\.\.\., 4\)"):
        CosineLinear(4, 2)(torch.randn(3, 5))
    with pytest.raises(TypeError, match="in_features"):
        CosineLinear(4.0, 2)
    with pytest.raises(ValueError, match="out_features"):
        CosineLinear(4, 0)
