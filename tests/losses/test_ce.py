"""CrossEntropyLoss on tuples, class weights and balanced_class_weight."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from sklearn.utils.class_weight import compute_class_weight

from sklearn_ser.losses import (
    CrossEntropyLoss,
    FocalLoss,
    balanced_class_weight,
)


def test_cross_entropy_takes_the_tuple_and_matches_torch():
    logits = torch.randn(6, 3, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 2, 1, 0])
    w = [1.0, 2.0, 0.5]
    loss = CrossEntropyLoss(weight=w, label_smoothing=0.1)
    expected = F.cross_entropy(
        logits, y, weight=torch.tensor(w, dtype=torch.float64), label_smoothing=0.1
    )
    assert torch.equal(loss((logits, torch.randn(6, 4)), y), expected)
    assert torch.equal(loss(logits, y), expected)
    assert isinstance(loss, torch.nn.CrossEntropyLoss)  # skorch's softmax inference


def test_weight_is_a_buffer_that_follows_the_module():
    loss = CrossEntropyLoss(weight=np.array([1.0, 3.0]))
    assert "weight" in dict(loss.named_buffers())
    assert loss.double().weight.dtype == torch.float64


def test_cross_entropy_rejects_bad_inputs():
    with pytest.raises(ValueError, match="outside"):
        CrossEntropyLoss()(torch.randn(2, 2), torch.tensor([0, 5]))
    with pytest.raises(ValueError, match="target must have shape"):
        CrossEntropyLoss()(torch.randn(2, 2), torch.tensor([0, 1, 1]))
    with pytest.raises(ValueError, match="label_smoothing"):
        CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(TypeError, match="torch.Tensor"):
        CrossEntropyLoss()("logits", torch.tensor([0]))


@given(y=st.lists(st.integers(0, 4), min_size=1, max_size=40))
def test_balanced_class_weight_matches_scikit_learn(y):
    y = np.array(y)
    classes = np.unique(y)
    if len(classes) != classes.max() + 1:  # a gap: every index must have samples
        with pytest.raises(ValueError, match="no samples"):
            balanced_class_weight(y)
        return
    got = balanced_class_weight(y)
    assert got.dtype == np.float32
    np.testing.assert_allclose(
        got, compute_class_weight("balanced", classes=classes, y=y), rtol=1e-6
    )
    # every class then carries the same total weight
    totals = np.bincount(y, weights=got[y])
    np.testing.assert_allclose(totals, totals[0], rtol=1e-5)


def test_balanced_weights_balance_the_weighted_losses():
    # With balanced weights, a constant prediction's weighted CE / focal loss is the
    # mean over classes of the per-class losses, whatever the class sizes.
    y = torch.tensor([0] * 9 + [1] * 3)
    logits = torch.tensor([[1.0, -1.0]]).repeat(12, 1)
    w = balanced_class_weight(y)
    per_class = F.cross_entropy(logits[[0, 9]], torch.tensor([0, 1]), reduction="none")
    torch.testing.assert_close(CrossEntropyLoss(weight=w)(logits, y), per_class.mean())
    focal = FocalLoss(gamma=0.0, weight=w)(logits, y)
    torch.testing.assert_close(focal, per_class.mean())


@pytest.mark.parametrize(
    "y, n_classes, match",
    [
        ([], None, "non-empty"),
        ([[0, 1]], None, "1-D"),
        ([0, -1], None, ">= 0"),
        ([0, 1.5], None, "integer"),
        ([0, 3], 2, "n_classes"),
        ([0, 1], 3, "no samples"),
        ([0, 1], 0, "n_classes"),
    ],
)
def test_balanced_class_weight_rejects_bad_input(y, n_classes, match):
    with pytest.raises(ValueError, match=match):
        balanced_class_weight(y, n_classes)


def test_balanced_class_weight_takes_tensors_and_n_classes():
    np.testing.assert_allclose(
        balanced_class_weight(torch.tensor([0, 1, 1, 2]), n_classes=3),
        [4 / 3, 2 / 3, 4 / 3],
        rtol=1e-6,
    )
