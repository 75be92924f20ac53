"""mixup_alpha of the skorch classifiers: batches and one-hot targets mixed in fit."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError
from torch import nn

from sklearn_ser.losses import CrossEntropyLoss
from sklearn_ser.models import CNNLSTMClassifier, SERClassifier
from sklearn_ser.nn import CosineLinear


def make_constant_features(n_per_class=6, classes=3, frames=8, seed=0):
    """Utterance of class k: every value equals k (so a mixed input tells its lam)."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k in range(classes):
        for _ in range(n_per_class):
            X.append(np.full((1, 2, frames + int(rng.integers(0, 3))), float(k),
                             dtype=np.float32))
            y.append(k)
    out = np.empty(len(X), dtype=object)
    out[:] = X
    return out, np.array(y)


class RecordingNet(nn.Module):
    """A linear model over the frame mean that records the inputs of training."""

    data_params = ("n_classes", "in_channels", "n_features")
    heads = ("linear", "cosine")
    seen: list = []

    def __init__(self, *, n_classes, in_channels, n_features, head="linear"):
        super().__init__()
        d = in_channels * n_features
        self.fc = nn.Linear(d, n_classes) if head == "linear" else CosineLinear(
            d, n_classes)

    def forward(self, x):
        if self.training:
            RecordingNet.seen.append(x.detach().clone())
        z = x.mean(dim=-1).flatten(1)
        return self.fc(z), z


class RecordingCE(CrossEntropyLoss):
    """Cross-entropy that records the targets it is called with in training."""

    calls: list = []

    def forward(self, input, target):
        RecordingCE.calls.append((input[0].requires_grad, target.clone()))
        return super().forward(input, target)


def _net(**kwargs):
    params = dict(segment_frames=8, train_hop=8, test_hop=8, max_epochs=2,
                  batch_size=6, optimizer__lr=1e-2, random_state=0)
    return SERClassifier(RecordingNet, **{**params, **kwargs})


def test_mixup_alpha_is_a_parameter_off_by_default():
    clf = CNNLSTMClassifier()
    assert clf.get_params()["mixup_alpha"] == 0.0
    assert clone(clf.set_params(mixup_alpha=0.3)).mixup_alpha == 0.3
    assert CNNLSTMClassifier(mixup_alpha=0.2).get_params()["mixup_alpha"] == 0.2


def test_batches_are_convex_mixes_and_the_loss_gets_both_targets():
    X, y = make_constant_features()
    RecordingNet.seen.clear()
    RecordingCE.calls.clear()
    _net(criterion=RecordingCE, mixup_alpha=0.4).fit(X, y)
    train_calls = [c for c in RecordingCE.calls if c[0]]
    # two loss terms per training batch: y and y[perm]
    assert len(train_calls) == 2 * len(RecordingNet.seen)
    lams = []
    for b, x in enumerate(RecordingNet.seen):
        (_, ya), (_, yb) = train_calls[2 * b], train_calls[2 * b + 1]
        assert sorted(ya.tolist()) == sorted(yb.tolist())  # a permutation
        value = x[:, 0, 0, 0]  # constant utterances: lam * ya + (1 - lam) * yb
        differ = ya != yb
        if differ.any():
            lam = (value[differ] - yb[differ]) / (ya[differ] - yb[differ])
            torch.testing.assert_close(lam, lam[0].expand_as(lam))
            assert 0.0 <= float(lam[0]) <= 1.0
            lams.append(float(lam[0]))
        torch.testing.assert_close(value[~differ], ya[~differ].float())
    assert len(lams) >= 3 and len({round(v, 6) for v in lams}) > 1  # one lam per batch
    # validation/prediction inputs are not mixed: all recorded were training batches
    RecordingNet.seen.clear()


def test_mixup_off_gives_plain_batches_and_one_loss_term():
    X, y = make_constant_features()
    RecordingNet.seen.clear()
    RecordingCE.calls.clear()
    _net(criterion=RecordingCE).fit(X, y)
    train_calls = [c for c in RecordingCE.calls if c[0]]
    assert len(train_calls) == len(RecordingNet.seen)
    for x, (_, t) in zip(RecordingNet.seen, train_calls, strict=True):
        torch.testing.assert_close(x[:, 0, 0, 0], t.float())


@pytest.mark.parametrize("loss", ["ce", "focal", "ams"])
def test_same_seed_same_model_and_mixup_changes_it(loss):
    X, y = make_constant_features()
    rng = np.random.default_rng(0)
    for x in X:  # noisy copies of the constants (X holds its own arrays)
        x += rng.normal(0.0, 0.5, x.shape).astype(np.float32)

    def fit(**kw):
        return _net(loss=loss, max_epochs=3, **kw).fit(X, y).predict_proba(X)

    a, b = fit(mixup_alpha=0.4), fit(mixup_alpha=0.4)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, fit(mixup_alpha=0.0))
    assert not np.allclose(a, fit(mixup_alpha=0.4, random_state=1))


def test_triplet_losses_refuse_mixup_in_one_line():
    X, y = make_constant_features()
    with pytest.raises(ValueError, match="mixup_alpha=0.4 needs a loss that reads") as e:
        CNNLSTMClassifier(loss="joint", mixup_alpha=0.4, max_epochs=1,
                          segment_frames=8).fit(X, y)
    assert "\n" not in str(e.value)


def test_negative_mixup_alpha_is_refused():
    X, y = make_constant_features()
    with pytest.raises(InvalidParameterError, match="mixup_alpha"):
        _net(mixup_alpha=-0.1).fit(X, y)


@settings(max_examples=25, deadline=None)
@given(lam=st.floats(0.0, 1.0), seed=st.integers(0, 2**16))
def test_mixed_loss_is_cross_entropy_of_mixed_one_hot_targets(lam, seed):
    # what the estimator computes (lam * L(y) + (1 - lam) * L(y[perm])) is the
    # cross-entropy of the mixed one-hot targets (the definition of mixup)
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(6, 4, generator=g)
    y = torch.randint(0, 4, (6,), generator=g)
    perm = torch.randperm(6, generator=g)
    ce = CrossEntropyLoss()
    mixed = lam * ce(logits, y) + (1 - lam) * ce(logits, y[perm])
    soft = lam * nn.functional.one_hot(y, 4) + (1 - lam) * nn.functional.one_hot(
        y[perm], 4)
    reference = -(soft * torch.log_softmax(logits, 1)).sum(1).mean()
    torch.testing.assert_close(mixed, reference)
