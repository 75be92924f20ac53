"""The estimators follow the module contract (sklearn_ser.nn.SERModule) and the loss
contract (sklearn_ser.losses.SERLoss); parameters and defaults are visible."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone
from torch import nn

from sklearn_ser.models import (
    AttentionBLSTMClassifier,
    CascadedAttentionClassifier,
    CNNLSTMClassifier,
    SERClassifier,
    TrainingProgressBar,
)
from sklearn_ser.nn import CNNLSTM, SERModule


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((12, 1, 6, 16)).astype(np.float32)
    X[6:] += 1.0
    return X, np.repeat(["calm", "angry"], 6)


class MeanNet(nn.Module):
    """A network of the test: no SERModule, only the contract's keywords."""

    def __init__(self, *, n_classes, in_channels, n_features, width=4):
        super().__init__()
        self.embed = nn.Linear(in_channels * n_features, width)
        self.out = nn.Linear(width, n_classes)

    def forward(self, x):
        emb = self.embed(x.mean(dim=-1).flatten(1))
        return self.out(emb), emb


class FixedFramesNet(MeanNet):
    """Declares one more size from the data, as ResNet1D does."""

    data_params = (*SERModule.data_params, "n_frames")

    def __init__(self, *, n_frames, **kwargs):
        super().__init__(**kwargs)
        self.n_frames = n_frames


def fit_small(module, X, y, **kwargs):
    params = dict(max_epochs=1, segment_frames=8, train_hop=8, test_hop=8,
                  batch_size=8, random_state=0)
    params.update(kwargs)
    return SERClassifier(module, **params).fit(X, y)


def test_a_module_gets_the_sizes_it_declares(data):
    X, y = data
    clf = fit_small(MeanNet, X, y)
    assert clf.module_.out.out_features == 2
    assert clf.module_.embed.in_features == 6
    assert fit_small(FixedFramesNet, X, y).module_.n_frames == 8
    assert clf.transform(X).shape == (12, 4)


def test_a_cosine_loss_needs_a_module_with_a_cosine_head(data):
    X, y = data
    with pytest.raises(ValueError, match="needs a 'cosine' head.*MeanNet"):
        fit_small(MeanNet, X, y, loss="ams")


def test_class_weight_needs_a_loss_that_takes_it(data):
    X, y = data
    with pytest.raises(ValueError, match="class_weight needs a loss"):
        fit_small(MeanNet, X, y, criterion=nn.CrossEntropyLoss, class_weight="balanced")
    clf = fit_small(MeanNet, X, y, class_weight="balanced")
    assert clf.criterion_.weight is not None


def test_paper_defaults_show_in_get_params_and_reach_the_loss():
    params = CascadedAttentionClassifier().get_params()
    assert params["loss_params"] == {"joint": {"distance": "euclidean", "mining": "hard"}}
    zhou = AttentionBLSTMClassifier(loss="focal").get_params()["loss_params"]
    assert zhou["focal"] == {"gamma": 2.0, "alpha": 2.0}
    net = CascadedAttentionClassifier(criterion__mining="all")
    net.set_params(loss_params={"joint": {"distance": "cosine", "mining": "hard"}})
    crit = net.initialize().criterion_
    assert (crit.distance, crit.mining) == ("cosine", "all")  # explicit wins


def test_get_params_shows_only_parameters_that_act():
    params = CNNLSTMClassifier().get_params(deep=False)
    assert "lr" not in params and not any(k.startswith("_") for k in params)
    assert params["optimizer__lr"] == 1e-4
    assert clone(CNNLSTMClassifier(loss="ce")).loss == "ce"


def test_no_temporary_attributes_survive_fit(data):
    X, y = data
    clf = fit_small(CNNLSTM, X, y, early_stopping=2, validation_fraction=0.3,
                    max_epochs=2, module__conv_channels=(2, 2, 2),
                    module__cnn_out_channels=2, module__lstm_hidden=2)
    assert "valid_loss" in clf.history[-1]
    assert not any(k in vars(clf) for k in ("valid_data_", "phase_"))


def test_parameters_are_checked_by_constraints(data):
    X, y = data
    with pytest.raises(ValueError, match="'train_hop' parameter of SERClassifier"):
        fit_small(MeanNet, X, y, train_hop=0)
    with pytest.raises(ValueError, match="'aggregate' parameter"):
        fit_small(MeanNet, X, y, aggregate="median")


def test_progress_bar_counts_epochs_with_eta(data, capsys):
    X, y = data
    bar = TrainingProgressBar(unit="epoch", desc="fold 1")
    fit_small(MeanNet, X, y, max_epochs=3, callbacks=[("bar", bar)])
    err = capsys.readouterr().err
    assert "fold 1" in err and "3/3" in err and "epoch" in err


def test_forward_returns_what_the_contract_says():
    net = MeanNet(n_classes=3, in_channels=1, n_features=5)
    logits, emb = net(torch.zeros(2, 1, 5, 7))
    assert logits.shape == (2, 3) and emb.shape == (2, 4)
