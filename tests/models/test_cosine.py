"""kumar's CosineEmbeddingClassifier: two phases, angle decisions, angle tables."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone

from sklearn_ser.losses import TripletLoss
from sklearn_ser.models import CosineEmbeddingClassifier


def make_windows(n_per_class=6, classes=("angry", "calm", "sad"), seed=0):
    rng = np.random.default_rng(seed)
    templates = rng.standard_normal((len(classes), 1, 39, 1)) * 2.0
    X = np.concatenate([
        templates[k] + 0.5 * rng.standard_normal((n_per_class, 1, 39, 30))
        for k in range(len(classes))
    ]).astype(np.float32)
    y = np.repeat(np.array(classes), n_per_class)
    return X, y


def small(**kw):
    params = dict(pretrain_epochs=3, finetune_epochs=3, early_stopping=None,
                  module__channels=8, module__embedding_dim=16, batch_size=24,
                  m_per_class=4, random_state=0)
    params.update(kw)
    return CosineEmbeddingClassifier(**params)


@pytest.fixture(scope="module")
def fitted():
    X, y = make_windows()
    return small().fit(X, y), X, y


def test_two_phases_and_triplet_criterion(fitted):
    clf, X, y = fitted
    assert len(clf.pretrain_history_) == 3
    assert len(clf.history) == 3
    assert isinstance(clf.criterion_, TripletLoss)
    assert clf.criterion_.distance == "cosine"
    assert "active_triplets" in clf.history[-1]


def test_class_embeddings_are_unit_class_means(fitted):
    clf, X, y = fitted
    emb = clf.transform(X)
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    for k, label in enumerate(clf.classes_):
        mean = unit[y == label].mean(axis=0)
        np.testing.assert_allclose(
            clf.class_embeddings_[k], mean / np.linalg.norm(mean), atol=1e-5
        )


def test_predicts_the_class_at_the_smallest_angle(fitted):
    clf, X, y = fitted
    ang = clf.angles(X)
    assert ang.shape == (len(X), 3)
    assert np.all((ang >= 0) & (ang <= 180))
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[ang.argmin(axis=1)])
    assert np.mean(clf.predict(X) == y) > 0.8
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(proba.argmax(axis=1), ang.argmin(axis=1))


def test_invariant_to_embedding_scale(fitted):
    clf, X, _ = fitted
    before = clf.decision_function(X)
    scaled = clone(clf)
    scaled.__dict__.update(
        {k: v for k, v in clf.__dict__.items() if k.endswith("_")}
    )
    import copy

    scaled.module_ = copy.deepcopy(clf.module_)
    with torch.no_grad():
        scaled.module_.embedding.weight.mul_(7.0)
        scaled.module_.embedding.bias.mul_(7.0)
    np.testing.assert_allclose(scaled.decision_function(X), before, atol=1e-5)
    np.testing.assert_array_equal(scaled.predict(X), clf.predict(X))


def test_angle_table_and_deviation(fitted):
    clf, X, y = fitted
    table = clf.angle_table()
    values = np.asarray(table.values)
    assert values.shape == (3, 3)
    np.testing.assert_allclose(values, values.T, atol=1e-4)
    off = values[~np.eye(3, dtype=bool)]
    # trained classes point in different directions
    assert off.min() > 5.0
    c = clf.class_embeddings_
    expected = np.degrees(np.arccos(np.clip(c[0] @ c[1], -1, 1)))
    assert values[0, 1] == pytest.approx(expected, abs=1e-2)
    dev = clf.angle_deviation()
    assert len(dev.intra) == 3
    with pytest.raises(ValueError, match="y is required"):
        clf.angle_table(X)


def test_finetune_only_and_bad_params():
    X, y = make_windows(n_per_class=4)
    clf = small(pretrain_epochs=0, finetune_epochs=2).fit(X, y)
    assert len(clf.history) == 2 and isinstance(clf.criterion_, TripletLoss)
    with pytest.raises(ValueError, match="pretrain_epochs"):
        small(pretrain_epochs=-1).fit(X, y)
    with pytest.raises(ValueError, match=">= 1"):
        small(pretrain_epochs=0, finetune_epochs=0).fit(X, y)


def test_same_seed_same_result():
    X, y = make_windows(n_per_class=4)
    a = small(pretrain_epochs=1, finetune_epochs=1).fit(X, y).decision_function(X)
    b = small(pretrain_epochs=1, finetune_epochs=1).fit(X, y).decision_function(X)
    np.testing.assert_array_equal(a, b)
