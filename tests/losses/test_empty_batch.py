"""Every loss on a batch of no sample: 0 (a zero that backpropagates) for "mean"
and "sum", an empty tensor for "none" -- never NaN (torch's mean over no sample)."""

from __future__ import annotations

import pytest
import torch

from sklearn_ser.losses import (
    AdditiveMarginSoftmaxLoss,
    CrossEntropyLoss,
    FocalLoss,
    JointLoss,
    TripletLoss,
)

WEIGHT = [0.5, 2.0, 1.0, 3.0]
LOSSES = [
    (CrossEntropyLoss, {}),
    (CrossEntropyLoss, {"weight": WEIGHT, "label_smoothing": 0.1}),
    (FocalLoss, {}),
    (FocalLoss, {"gamma": 2.0, "alpha": [1.0, 2.0, 1.0, 4.0], "weight": WEIGHT}),
    (AdditiveMarginSoftmaxLoss, {"scale": 30.0, "margin": 0.2, "weight": WEIGHT}),
    (TripletLoss, {"mining": "all"}),
    (TripletLoss, {"mining": "hard+semihard", "distance": "cosine"}),
]
CASES = [
    pytest.param(cls, {**params, "reduction": reduction},
                 id=f"{cls.__name__}-{reduction}-{i}")
    for i, (cls, params) in enumerate(LOSSES)
    for reduction in ("mean", "sum", "none")
] + [
    pytest.param(JointLoss, params, id=f"JointLoss-{i}")
    for i, params in enumerate([{}, {"weight": WEIGHT, "label_smoothing": 0.1,
                                     "mining": "hard", "distance": "euclidean"}])
]


class TwoHeads(torch.nn.Module):
    """(logits or cosines of 4 classes, 4-d embedding) of 3 input features."""

    def __init__(self):
        super().__init__()
        self.logits = torch.nn.Linear(3, 4)
        self.embed = torch.nn.Linear(3, 4)

    def forward(self, x):
        return torch.tanh(self.logits(x)), self.embed(x)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("cls, params", CASES)
def test_empty_batch_gives_zero_and_zero_gradients(cls, params, dtype):
    torch.manual_seed(0)
    net = TwoHeads().to(dtype)
    loss = cls(**params)
    value = loss(net(torch.zeros(0, 3, dtype=dtype)), torch.zeros(0, dtype=torch.long))
    assert value.dtype == dtype and value.requires_grad
    if params.get("reduction", "mean") == "none":
        assert value.shape == (0,)
        value = value.sum()
    else:
        assert value.shape == () and value.item() == 0.0  # not NaN
    value.backward()
    reads = {TripletLoss: ("embed",), JointLoss: ("logits", "embed")}.get(
        cls, ("logits",))
    for name, param in net.named_parameters():
        if name.split(".")[0] in reads:  # still connected to the network
            assert param.grad is not None, name
        if param.grad is not None:
            assert torch.equal(param.grad, torch.zeros_like(param)), name


@pytest.mark.parametrize("cls, params", CASES)
def test_empty_then_full_batch_trains_normally(cls, params):
    """An optimiser step on an empty batch leaves the weights as they were (Adam
    with zero gradients moves nothing on its first step), so training goes on."""
    torch.manual_seed(0)
    net = TwoHeads()
    before = [p.detach().clone() for p in net.parameters()]
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    loss = cls(**params)
    value = loss(net(torch.zeros(0, 3)), torch.zeros(0, dtype=torch.long))
    value.sum().backward()
    opt.step()
    for p, b in zip(net.parameters(), before):
        assert torch.equal(p, b)
    x = torch.randn(8, 3)
    y = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])
    full = loss(net(x), y)
    assert bool(torch.isfinite(full).all())


def test_joint_loss_records_zero_terms_on_an_empty_batch():
    loss = JointLoss()
    out = (torch.zeros(0, 4, requires_grad=True), torch.zeros(0, 4, requires_grad=True))
    assert loss(out, torch.zeros(0, dtype=torch.long)).item() == 0.0
    assert loss.ce_loss_ == 0.0 and loss.triplet_loss_ == 0.0
    assert loss.n_active_ == 0 and loss.fraction_active_ == 0.0


@pytest.mark.parametrize("cls", [CrossEntropyLoss, FocalLoss, AdditiveMarginSoftmaxLoss,
                                 JointLoss])
def test_empty_batch_still_checks_the_class_weights(cls):
    """The shortcut comes after the checks: 3 weights for 4 classes is an error
    whatever the batch size."""
    out = (torch.zeros(0, 4), torch.zeros(0, 4))
    with pytest.raises(ValueError, match="weight has 3 entries"):
        cls(weight=[1.0, 1.0, 1.0])(out, torch.zeros(0, dtype=torch.long))
