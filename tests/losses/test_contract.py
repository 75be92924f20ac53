"""The losses' extension contract: what each loss declares, and that the estimators
act on the declarations alone (a loss written here trains with no change in models/)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from sklearn_ser import losses
from sklearn_ser.losses import (
    LOSSES,
    AdditiveMarginSoftmaxLoss,
    CrossEntropyLoss,
    FocalLoss,
    JointLoss,
    SERLoss,
    TripletLoss,
    get_loss,
    loss_contract,
)
from sklearn_ser.models import SERClassifier
from sklearn_ser.nn import CNNLSTM, CosineLinear


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 1, 12, 24)).astype(np.float32)
    y = np.repeat(["a", "b"], 8)
    X[8:] += 1.0
    return X, y


def small(**kwargs):
    params = dict(max_epochs=1, segment_frames=12, train_hop=12, test_hop=12,
                  batch_size=16, m_per_class=4, random_state=0,
                  module__conv_channels=(2, 2, 2), module__cnn_out_channels=4,
                  module__lstm_hidden=4)
    params.update(kwargs)
    return SERClassifier(CNNLSTM, **params)


@pytest.mark.parametrize(
    "cls, balanced, head, embeddings, weight",
    [
        (CrossEntropyLoss, False, "linear", False, True),
        (FocalLoss, False, "linear", False, True),
        (AdditiveMarginSoftmaxLoss, False, "cosine", False, True),
        (JointLoss, True, "linear", True, True),
        (TripletLoss, True, "linear", True, False),
    ],
)
def test_every_loss_declares_what_the_estimator_needs(
    cls, balanced, head, embeddings, weight
):
    assert issubclass(cls, SERLoss)
    contract = loss_contract(cls)
    assert contract.needs_balanced_batches is balanced
    assert contract.head == head
    assert contract.uses_embeddings is embeddings
    assert contract.accepts_class_weight is weight
    assert set(cls._parameter_constraints) <= set(cls.__init__.__code__.co_varnames)


def test_the_registry_names_every_loss_once():
    assert LOSSES == {"ce": CrossEntropyLoss, "joint": JointLoss, "focal": FocalLoss,
                      "ams": AdditiveMarginSoftmaxLoss}
    assert get_loss("ams") is AdditiveMarginSoftmaxLoss
    with pytest.raises(ValueError, match="loss must be one of"):
        get_loss("hinge")


def test_a_foreign_criterion_gets_the_defaults():
    contract = loss_contract(nn.CrossEntropyLoss)
    assert (contract.needs_balanced_batches, contract.head) == (False, "linear")
    logits = torch.tensor([[0.0, 1.0]])
    assert torch.equal(loss_contract(nn.CrossEntropyLoss()).proba(logits),
                       torch.softmax(logits, dim=1))


def test_proba_of_ams_is_the_softmax_of_scaled_cosines():
    loss = AdditiveMarginSoftmaxLoss(scale=30.0)
    cos = torch.tensor([[0.5, -0.5]])
    assert torch.allclose(loss.proba((cos, torch.zeros(1, 3))),
                          torch.softmax(30 * cos, dim=1))


def test_hyper_parameters_are_checked_once_by_constraints():
    with pytest.raises(ValueError, match="'margin' parameter of TripletLoss"):
        TripletLoss(margin=-1.0)
    with pytest.raises(TypeError, match="'gamma' parameter of FocalLoss"):
        FocalLoss(gamma="2")


class ToyCosineLoss(SERLoss, nn.Module):
    """A loss of the test: cross-entropy of 5 x cosines, on the cosine head."""

    head = "cosine"
    calls = 0

    def forward(self, output, target):
        type(self).calls += 1
        return nn.functional.cross_entropy(5.0 * output[0], target)

    def proba(self, output):
        return torch.softmax(5.0 * output.float(), dim=1)


class ToyBalancedLoss(SERLoss, nn.Module):
    """Declares class-balanced batches; records the class counts of every batch."""

    needs_balanced_batches = True
    counts: list = []

    def forward(self, output, target):
        type(self).counts.append(sorted(np.bincount(target.numpy()).tolist()))
        return nn.functional.cross_entropy(output[0], target)


def test_a_new_loss_with_a_cosine_head_trains_through_the_estimator(data):
    X, y = data
    clf = small(criterion=ToyCosineLoss).fit(X, y)
    assert ToyCosineLoss.calls > 0
    assert isinstance(clf.module_.classifier, CosineLinear)
    one_segment = X[:, :, :, :12]
    proba = clf.predict_proba(one_segment)
    cos, _ = clf.forward(one_segment, training=False)
    expected = torch.softmax(5.0 * cos.float(), dim=1).numpy()
    np.testing.assert_allclose(proba, expected, rtol=1e-6)
    assert clf.score(X, y) >= 0.5


def test_a_new_loss_that_asks_for_balanced_batches_gets_them(data):
    X, y = data
    ToyBalancedLoss.counts = []
    small(criterion=ToyBalancedLoss, max_epochs=2).fit(X, y)
    assert ToyBalancedLoss.counts and all(c == [4, 4] for c in ToyBalancedLoss.counts)


def test_cosine_linear_is_still_importable_from_the_losses():
    assert losses.CosineLinear is CosineLinear


def test_a_mining_rule_is_one_function(monkeypatch):
    from sklearn_ser.losses import _triplet

    assert set(_triplet.MINERS) == {"all", "hard", "semihard", "hard+semihard"}

    def first_negative(batch):
        """Per anchor, its first positive and first negative column (a toy rule)."""
        pos = (batch.same & ~torch.eye(len(batch.same), dtype=torch.bool)).float()
        d_ap = batch.dist.gather(1, pos.argmax(1, keepdim=True)).squeeze(1)
        d_an = batch.dist.gather(1, (~batch.same).float().argmax(1, keepdim=True))
        hinge = _triplet._hinge(d_ap, d_an.squeeze(1), batch.margin)
        n = len(hinge)
        return _triplet._Mined(hinge, n, int((hinge > 0).sum()), n)

    monkeypatch.setitem(_triplet.MINERS, "first", first_negative)
    emb = torch.tensor([[0.0], [1.0], [0.1], [1.1]], requires_grad=True)
    y = torch.tensor([0, 0, 1, 1])
    dist = losses.pairwise_distances(emb, distance="euclidean")
    mined = _triplet._mine(dist, y, margin=0.5, mining="first")
    loss = _triplet._reduce(mined, emb, "mean")
    loss.backward()
    assert mined.n_mined == 4 and loss.item() > 0 and emb.grad.abs().sum() > 0
