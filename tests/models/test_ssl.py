"""The layer-weighted head (SUPERB) and the ssl_probe recipe."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sklearn_ser.models import LayerWeightedClassifier
from sklearn_ser.nn import LayerWeightedHead


def _frames(n=16, layers=3, dim=16, seed=0):
    """Ragged (layers, dim, frames) utterances; the class shows in dimension 0 of
    the last layer only (the others are noise)."""
    rng = np.random.default_rng(seed)
    X = np.empty(n, dtype=object)
    y = np.array(["anger", "neutral"] * (n // 2))
    for i in range(n):
        a = rng.standard_normal((layers, dim, 20 + 3 * i)).astype(np.float32)
        a[-1, 0] += 3.0 * (y[i] == "anger")
        X[i] = a
    return X, y


# --------------------------------------------------------------------- module
@settings(max_examples=15, deadline=None)
@given(pad=st.integers(1, 30), seed=st.integers(0, 2**16))
def test_padding_frames_do_not_change_the_output(pad, seed):
    torch.manual_seed(seed)
    net = LayerWeightedHead(n_classes=3, in_channels=4, n_features=8, hidden=6,
                            pooling="mean+std", n_mlp=1).eval()
    x = torch.randn(1, 4, 8, 11)
    padded = torch.cat([x, torch.zeros(1, 4, 8, pad)], dim=3)
    with torch.no_grad():
        for a, b in zip(net(x), net(padded), strict=True):
            torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_layer_weights_start_equal_and_sum_to_one():
    net = LayerWeightedHead(n_classes=2, in_channels=5, n_features=4)
    w = net.layer_weights()
    torch.testing.assert_close(w, torch.full((5,), 0.2))
    with pytest.raises(ValueError, match="'pooling' parameter of LayerWeightedHead"):
        LayerWeightedHead(n_classes=2, in_channels=5, n_features=4, pooling="max")
    with pytest.raises(ValueError, match=r"expects input of shape \(batch, 5"):
        net(torch.randn(2, 3, 4, 10))


# ----------------------------------------------------------------- classifier
@pytest.mark.parametrize("loss", ["ce", "joint", "focal", "ams"])
def test_learns_with_every_loss_and_weighs_the_useful_layer(loss):
    X, y = _frames()
    clf = LayerWeightedClassifier(loss=loss, module__hidden=8, optimizer__lr=2e-2,
                                  max_epochs=25, batch_size=16, m_per_class=4,
                                  random_state=0).fit(X, y)
    assert clf.score(X, y) == 1.0
    w = clf.layer_weights_
    assert w.shape == (3,) and np.isclose(w.sum(), 1.0)
    if loss == "ce":
        assert w.argmax() == 2  # the layer holding the class
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


def test_grid_search_over_the_heads_parameters():
    X, y = _frames()
    search = GridSearchCV(
        LayerWeightedClassifier(loss="joint", module__hidden=8, max_epochs=3,
                                m_per_class=4, random_state=0),
        {"criterion__alpha": [0.1, 0.5], "module__pooling": ["mean", "mean+std"]},
        cv=StratifiedKFold(2),
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.criterion__alpha in (0.1, 0.5)


def test_clone_pickle_and_same_seed_same_model():
    X, y = _frames(n=8)
    clf = LayerWeightedClassifier(module__hidden=4, max_epochs=2, random_state=0)
    fitted = clone(clf).fit(X, y)
    again = clone(clf).fit(X, y)
    np.testing.assert_array_equal(fitted.predict_proba(X), again.predict_proba(X))
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))


# ------------------------------------------------- with the encoder, the recipe
def test_the_encoder_runs_once_per_utterance_in_a_grid_search(tmp_path):
    pytest.importorskip(
        "transformers", reason="the 'encoders' extra (transformers) is not installed"
    )
    from sklearn.pipeline import Pipeline

    from sklearn_ser.features import SpeechEncoder
    from sklearn_ser.features._encoder import _save_tiny_model
    from sklearn_ser.io import load_model, save_model

    folder = _save_tiny_model(tmp_path / "tiny")
    rng = np.random.default_rng(0)
    t = np.arange(8000) / 16000
    y = np.array(["low", "high"] * 6)
    X = [
        (np.sin(2 * np.pi * (150 if c == "low" else 900) * t)
         + 0.05 * rng.standard_normal(t.size)).astype(np.float32)
        for c in y
    ]
    encoder = SpeechEncoder(model=folder, pooling="none", memory=str(tmp_path / "c"))
    pipe = Pipeline([
        ("features", encoder),
        ("clf", LayerWeightedClassifier(module__hidden=8, optimizer__lr=1e-2,
                                        max_epochs=5, random_state=0)),
    ])
    pieces = []
    hook = encoder.fit().model_.register_forward_hook(
        lambda module, args, out: pieces.append(int(args[0].shape[0]))
    )
    try:
        search = GridSearchCV(pipe, {"clf__module__hidden": [4, 8]},
                              cv=StratifiedKFold(2)).fit(X, y)
    finally:
        hook.remove()
    # 2 candidates x 2 folds x (fit + score) and the refit read the utterances
    # many times; the network encoded each of the 12 once
    assert sum(pieces) == 12
    pipe = search.best_estimator_
    # the head alone goes into a model file (the encoder's state: see below)
    save_model(pipe[-1], tmp_path / "head.model")
    head = load_model(tmp_path / "head.model")
    frames = pipe[0].transform(X)
    np.testing.assert_array_equal(head.predict(frames), pipe.predict(X))
    # the whole pipeline too: the encoder is stored as its reference only
    save_model(pipe, tmp_path / "pipe.model")
    np.testing.assert_array_equal(
        load_model(tmp_path / "pipe.model").predict(X), pipe.predict(X)
    )


def test_ssl_probe_recipe(tmp_path):
    pytest.importorskip(
        "transformers", reason="the 'encoders' extra (transformers) is not installed"
    )
    from sklearn_ser import recipes
    from sklearn_ser.features._encoder import _save_tiny_model

    folder = _save_tiny_model(tmp_path / "tiny")
    rng = np.random.default_rng(0)
    X = [(0.1 * rng.standard_normal(6000)).astype(np.float32) for _ in range(6)]
    y = np.array(["a", "b", "c"] * 2)
    pipe = recipes.make_recipe("ssl_probe", random_state=0, features__model=folder)
    assert pipe.fit(X, y).score(X, y) == 1.0  # 96 features, 6 utterances
    weighted = recipes.ssl_probe(
        features__model=folder, features__pooling="none", normalize="passthrough",
        clf=LayerWeightedClassifier(module__hidden=4, max_epochs=1), random_state=0,
    ).fit(X, y)
    assert weighted.predict(X).shape == (6,)
    assert recipes.param_grid("ssl_probe") == {"clf__C": [0.01, 0.1, 1.0, 10.0]}
