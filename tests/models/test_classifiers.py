"""The skorch estimators: the sklearn API over utterances, paper defaults, bad input."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedGroupKFold,
    cross_validate,
)

from sklearn_ser.losses import AdditiveMarginSoftmaxLoss, JointLoss
from sklearn_ser.models import (
    AttentionBLSTMClassifier,
    CascadedAttentionClassifier,
    CNNLSTMClassifier,
    ResNetEmbeddingClassifier,
    SERClassifier,
    TFCNNClassifier,
)
from sklearn_ser.nn import CNNLSTM, DoubleLSTM

CLASSES = np.array(["anger", "happiness", "neutral", "sadness"])


def make_features(n_per_class=8, n_features=12, frames=(50, 90), channels=1, seed=0,
                  noise=0.5, classes=CLASSES):
    """Ragged (C, F, T_i) features; each class has its own spectral pattern."""
    rng = np.random.default_rng(seed)
    templates = rng.standard_normal((len(classes), channels, n_features, 1)) * 2.0
    X, y, groups = [], [], []
    for k, label in enumerate(classes):
        for i in range(n_per_class):
            t = int(rng.integers(frames[0], frames[1] + 1))
            x = templates[k] + noise * rng.standard_normal((channels, n_features, t))
            X.append(x.astype(np.float32))
            y.append(label)
            groups.append(f"spk{i % 4}")
    out = np.empty(len(X), dtype=object)
    out[:] = X
    return out, np.array(y), np.array(groups)


def small_cnnlstm(**kwargs):
    params = dict(
        max_epochs=6,
        segment_frames=32,
        train_hop=16,
        test_hop=16,
        optimizer__lr=1e-2,
        random_state=0,
    )
    params.update(kwargs)
    return CNNLSTMClassifier(**params)


@pytest.fixture(scope="module")
def data():
    return make_features()


@pytest.fixture(scope="module")
def fitted(data):
    X, y, _ = data
    return small_cnnlstm(loss="ce").fit(X, y)


def test_fit_predict_ragged_string_labels(data, fitted):
    X, y, _ = data
    assert fitted.classes_.tolist() == sorted(set(y))
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(y), 4) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    pred = fitted.predict(X)
    assert pred.dtype == y.dtype and set(pred) <= set(y)
    # learnable patterns: far above the 0.25 chance level on the training set
    assert np.mean(pred == y) >= 0.9
    assert fitted.score(X, y) == pytest.approx(np.mean(pred == y))
    assert fitted.n_features_in_ == 12 and fitted.feature_shape_ == (1, 12)


def test_transform_gives_utterance_embeddings(data, fitted):
    X, y, _ = data
    emb = fitted.transform(X)
    assert emb.shape == (len(X), 64) and emb.dtype == np.float32
    assert np.isfinite(emb).all()
    # one utterance alone gets the same embedding as inside the batch
    np.testing.assert_allclose(fitted.transform(X[3:4])[0], emb[3], rtol=1e-4, atol=1e-5)


def test_prediction_averages_segments(fitted, data):
    X, _, _ = data
    x = X[0]
    # a long utterance has several segments; its probability is their mean
    from sklearn_ser.models._segments import segment_utterances

    seg, owner = segment_utterances([x], length=32, hop=16)
    assert len(seg) > 1
    with torch.no_grad():
        logits, _ = fitted.module_(torch.as_tensor(seg))
    expected = torch.softmax(logits, 1).numpy().mean(axis=0)
    np.testing.assert_allclose(fitted.predict_proba(X[:1])[0], expected, atol=1e-5)


def test_dense_input_equals_ragged(data):
    X, y, _ = data
    dense = np.stack([x[:, :, :50] for x in X])
    ragged = np.empty(len(X), dtype=object)
    ragged[:] = list(dense)
    a = small_cnnlstm(loss="ce", max_epochs=2).fit(dense, y).predict_proba(dense)
    b = small_cnnlstm(loss="ce", max_epochs=2).fit(ragged, y).predict_proba(ragged)
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_same_seed_same_model_and_global_rng_untouched(data):
    X, y, _ = data
    state = torch.random.get_rng_state()
    a = small_cnnlstm(max_epochs=2).fit(X, y).predict_proba(X)
    assert torch.equal(state, torch.random.get_rng_state())
    b = small_cnnlstm(max_epochs=2).fit(X, y).predict_proba(X)
    c = small_cnnlstm(max_epochs=2, random_state=1).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_input_not_modified(data):
    X, y, _ = data
    before = [x.copy() for x in X]
    y_before = y.copy()
    small_cnnlstm(max_epochs=1).fit(X, y).predict(X)
    for x, b in zip(X, before):
        np.testing.assert_array_equal(x, b)
    np.testing.assert_array_equal(y, y_before)


def test_clone_and_pickle(data, fitted):
    X, _, _ = data
    c = clone(fitted)
    assert not hasattr(c, "module_")
    assert c.get_params()["optimizer__lr"] == fitted.get_params()["optimizer__lr"]
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))


@pytest.mark.slow
def test_compile_opt_in_compiles_the_network_not_the_loss(data):
    # torch.compile's graph capture with the "aot_eager" backend: the contract
    # tested here (the network compiled, the loss eager, same training, picklable)
    # does not depend on the code generator; inductor's C++ kernels would take a
    # cold CI machine ~30 s to build (bench_training.py --compile times inductor)
    X, y, _ = data
    # (not margin=100: its huge loss at lr 1e-2 turns rounding into divergence)
    kw = dict(loss="joint", max_epochs=2, batch_size=16, m_per_class=4)
    eager = small_cnnlstm(**kw).fit(X, y)
    with warnings.catch_warnings():
        # torch's own, from inside dynamo/inductor
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        compiled = small_cnnlstm(compile=True, compile__backend="aot_eager",
                                 **kw).fit(X, y)
        assert type(compiled.module_).__name__ == "OptimizedModule"
        assert isinstance(compiled.criterion_, JointLoss)  # left eager
        proba = compiled.predict_proba(X)
        # same seed, same batches: the same training, to rounding
        np.testing.assert_allclose(proba, eager.predict_proba(X), atol=1e-4)
        np.testing.assert_allclose(  # the loss ran eagerly on the compiled output
            compiled.history[:, "train_loss"], eager.history[:, "train_loss"],
            rtol=1e-3, atol=1e-5,
        )
        restored = pickle.loads(pickle.dumps(compiled))
        np.testing.assert_allclose(restored.predict_proba(X), proba, atol=1e-6)
    assert clone(compiled).get_params()["compile"] is True


def test_joint_loss_uses_class_balanced_batches_and_logs_triplets(data):
    X, y, _ = data
    # a margin far larger than the distances keeps every mined triplet active
    clf = small_cnnlstm(max_epochs=2, batch_size=16, m_per_class=4,
                        criterion__margin=100.0).fit(X, y)
    assert isinstance(clf.criterion_, JointLoss)
    assert clf.criterion_.alpha == pytest.approx(0.3)
    active = clf.history[:, "active_triplets"]
    assert len(active) == 2 and all(0.0 < a <= 1.0 for a in active)
    assert all(s > 0 for s in clf.history[:, "segments_per_s"])
    # the batches are m per class: every batch of the iterator has 4 classes x 4
    it = clf.get_iterator(clf.get_dataset(*_segments(clf, X, y)), training=True)
    _, yb = next(iter(it))
    assert sorted(np.bincount(yb.numpy()).tolist()) == [4, 4, 4, 4]


def _segments(clf, X, y):
    from sklearn_ser.models._segments import segment_utterances

    seg, owner = segment_utterances(list(X), length=32, hop=16)
    return seg, clf.label_encoder_.transform(y)[owner].astype(np.int64)


def test_criterion_parameters_reach_the_loss(data):
    X, y, _ = data
    clf = small_cnnlstm(max_epochs=1, criterion__alpha=0.7, criterion__margin=0.5)
    clf.fit(X, y)
    assert clf.criterion_.alpha == pytest.approx(0.7)
    assert clf.criterion_.margin == pytest.approx(0.5)


def test_grid_search_over_alpha_and_margin(data):
    X, y, groups = data
    grid = GridSearchCV(
        small_cnnlstm(max_epochs=2),
        {"criterion__alpha": [0.0, 0.3], "criterion__margin": [0.1, 0.4]},
        cv=StratifiedGroupKFold(n_splits=2),
        scoring={"WA": "accuracy", "UA": "balanced_accuracy"},
        refit="UA",
    )
    grid.fit(X, y, groups=groups)
    assert len(grid.cv_results_["params"]) == 4
    assert np.isfinite(grid.cv_results_["mean_test_UA"]).all()
    assert grid.best_estimator_.criterion_.alpha in (0.0, 0.3)


@pytest.mark.slow
def test_grid_search_two_processes(data):
    X, y, groups = data
    grid = GridSearchCV(
        small_cnnlstm(max_epochs=1, loss="ce"),
        {"optimizer__lr": [1e-3, 1e-2]},
        cv=StratifiedGroupKFold(n_splits=2),
        n_jobs=2,
    )
    grid.fit(X, y, groups=groups)
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


def test_cross_validate_by_speaker(data):
    X, y, groups = data
    res = cross_validate(
        small_cnnlstm(max_epochs=2, loss="ce"),
        X,
        y,
        groups=groups,
        cv=StratifiedGroupKFold(n_splits=2),
        scoring={"WA": "accuracy", "UA": "balanced_accuracy"},
    )
    assert res["test_UA"].shape == (2,)


@pytest.mark.parametrize("loss", ["ce", "focal", "ams"])
def test_losses_train_and_give_probabilities(data, loss):
    X, y, _ = data
    clf = small_cnnlstm(loss=loss, max_epochs=3).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert np.mean(clf.predict(X) == y) > 0.5
    if loss == "ams":
        assert isinstance(clf.criterion_, AdditiveMarginSoftmaxLoss)
        assert clf.module_.head == "cosine"


def test_class_weight_balanced(data):
    X, y, _ = data
    keep = np.r_[0:8, 8:10, 16:24, 24:32]
    clf = small_cnnlstm(loss="ce", max_epochs=1, class_weight="balanced")
    clf.fit(X[keep], y[keep])
    w = clf.criterion_.weight
    counts = np.bincount(clf.label_encoder_.transform(y[keep]))
    np.testing.assert_allclose(w.numpy(), len(keep) / (4 * counts), rtol=1e-6)


def test_early_stopping_and_linear_lr(data):
    X, y, _ = data
    clf = small_cnnlstm(
        loss="ce", max_epochs=40, early_stopping=2, early_stopping_threshold=10.0,
        lr_schedule="linear",
    ).fit(X, y)
    # no improvement can exceed a threshold of 10: stops after patience epochs
    assert len(clf.history) < 40
    assert "valid_loss" in clf.history[-1]
    lrs = [g["lr"] for g in clf.optimizer_.param_groups]
    assert lrs[0] < 1e-2


def test_linear_lr_reaches_a_tenth():
    from sklearn_ser.models._callbacks import _linear_decay

    assert _linear_decay(0, last=9) == 1.0
    assert _linear_decay(9, last=9) == pytest.approx(0.1)
    assert _linear_decay(20, last=9) == pytest.approx(0.1)


def test_unseen_labels_in_score(data, fitted):
    X, y, _ = data
    y2 = y.copy()
    y2[0] = "surprise"
    with pytest.raises(ValueError, match="unseen in fit.*surprise"):
        fitted.score(X, y2)


def test_single_utterance_class_warns_under_triplet_loss(data):
    X, y, _ = data
    keep = np.r_[0:8, 8:16, 16:24, 24]
    with pytest.warns(UserWarning, match="single utterance"):
        small_cnnlstm(max_epochs=1).fit(X[keep], y[keep])


def test_bad_input_messages(data, fitted):
    X, y, _ = data
    with pytest.raises(ValueError):
        small_cnnlstm(max_epochs=1).fit(np.zeros((4, 1, 2, 3, 5), np.float32), y[:4])
    bad = X.copy()
    bad[2] = bad[2].copy()
    bad[2][0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="(?i)nan"):
        small_cnnlstm(max_epochs=1).fit(bad, y)
    with pytest.raises(ValueError, match="(?i)feature"):
        fitted.predict(np.zeros((2, 1, 7, 40), np.float32))
    with pytest.raises(ValueError, match="'loss' parameter of .* must be a str among"):
        small_cnnlstm(loss="hinge").fit(X, y)
    with pytest.raises(ValueError):
        small_cnnlstm(max_epochs=1).fit(X, y[:-1])


def test_tabular_input_is_one_frame_utterances():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 6)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    clf = SERClassifier(DoubleLSTM, module__hidden_size=8, max_epochs=20,
                        optimizer__lr=3e-2, segment_frames=None, random_state=0)
    clf.fit(X, y)
    assert clf.predict(X).shape == (40,)
    assert clf.score(X, y) > 0.8


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: CascadedAttentionClassifier(module__n_heads=2), (3, 12)),
        (lambda: AttentionBLSTMClassifier(early_stopping=None, segment_frames=32,
                                          train_hop=16, test_hop=16), (1, 32)),
        (lambda: ResNetEmbeddingClassifier(early_stopping=None, module__channels=8),
         (1, 39)),
        (lambda: TFCNNClassifier(segment_frames=32, train_hop=16, test_hop=16,
                                 module__branch_channels=4, module__fusion_channels=4,
                                 module__embedding_dim=16), (2, 32)),
    ],
    ids=["liu2023", "zhou", "kumar", "li2021"],
)
def test_paper_estimators_fit_briefly(make, shape):
    X, y, _ = make_features(n_per_class=4, channels=shape[0], n_features=shape[1],
                            frames=(36, 60))
    clf = make().set_params(max_epochs=1, random_state=0)
    clf.fit(X, y)
    assert clf.predict_proba(X).shape == (len(y), 4)
    assert clf.transform(X).shape[0] == len(y)


def test_paper_defaults():
    liu2023 = CascadedAttentionClassifier()
    assert liu2023.loss == "joint" and liu2023.optimizer__lr == 1e-4
    X, y, _ = make_features(n_per_class=3, channels=3, n_features=8, frames=(30, 40))
    liu2023.set_params(max_epochs=1, segment_frames=16, train_hop=8, test_hop=8,
                       module__n_heads=1).fit(X, y)
    assert liu2023.criterion_.distance == "euclidean"
    assert liu2023.criterion_.mining == "hard"
    zhou = AttentionBLSTMClassifier()
    assert (zhou.loss, zhou.early_stopping, zhou.max_epochs) == ("ams", 10, 100)
    kumar = ResNetEmbeddingClassifier()
    assert kumar.segment_frames == 10 and kumar.lr_schedule == "linear"
    assert kumar.optimizer__lr == 0.05
    li = TFCNNClassifier()
    assert (li.optimizer__lr, li.batch_size) == (1e-3, 50)


def test_explicit_criterion_params_override_paper_defaults():
    X, y, _ = make_features(n_per_class=3, channels=3, n_features=8, frames=(30, 40))
    clf = CascadedAttentionClassifier(
        max_epochs=1, segment_frames=16, train_hop=8, test_hop=8, module__n_heads=1,
        criterion__mining="semihard",
    ).fit(X, y)
    assert clf.criterion_.mining == "semihard"


def test_custom_module_class_gets_data_shape():
    X, y, _ = make_features(n_per_class=3)
    clf = SERClassifier(CNNLSTM, max_epochs=1, segment_frames=20, train_hop=20,
                        test_hop=20).fit(X, y)
    assert clf.module_.n_features == 12 and clf.module_.n_classes == 4


def test_verbose_prints_epochs(data, capsys):
    X, y, _ = data
    small_cnnlstm(max_epochs=2, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "segments_per_s" in out and "active_triplets" in out


def test_verbose_2_shows_a_bar_of_segments_per_second(data, capsys):
    X, y, _ = data
    clf = small_cnnlstm(max_epochs=1, verbose=2).fit(X, y)
    err = capsys.readouterr().err
    assert "seg/s" in err and "epoch 1" in err and "train_loss" in err
    assert clf.history[-1]["segments"] > 0


def test_partial_fit_after_fit_with_early_stopping(data):
    """partial_fit holds out utterances of its own call for the stopping rule."""
    X, y, _ = data
    clf = small_cnnlstm(loss="ce", max_epochs=2, early_stopping=5).fit(X, y)
    n = len(clf.history)
    clf.partial_fit(X, y)
    assert len(clf.history) == n + 2
    assert all("valid_loss" in row for row in clf.history[n:])
    assert clf.predict(X).shape == y.shape


@pytest.mark.parametrize("criterion", ["triplet", "joint"])
def test_any_triplet_criterion_gets_class_balanced_batches(data, criterion):
    from sklearn_ser.losses import TripletLoss

    X, y, _ = data
    cls = TripletLoss if criterion == "triplet" else JointLoss
    clf = SERClassifier(CNNLSTM, criterion=cls, criterion__margin=100.0, max_epochs=1,
                        batch_size=16, m_per_class=4, segment_frames=32, train_hop=16,
                        random_state=0).fit(X, y)
    assert clf._uses_m_per_class()
    it = clf.get_iterator(clf.get_dataset(*_segments(clf, X, y)), training=True)
    _, yb = next(iter(it))
    assert sorted(np.bincount(yb.numpy()).tolist()) == [4, 4, 4, 4]
    assert "active_triplets" in clf.history[-1]
    keep = np.r_[0:8, 8:16, 16:24, 24]
    with pytest.warns(UserWarning, match="single utterance"):
        clone(clf).fit(X[keep], y[keep])


def test_class_balanced_batch_must_hold_two_classes(data):
    X, y, _ = data
    with pytest.raises(ValueError, match=r"batch_size must be >= 2 \* m_per_class"):
        small_cnnlstm(max_epochs=1, batch_size=8, m_per_class=8).fit(X, y)


def test_segments_too_short_for_the_network_fail_at_fit():
    X, y, _ = make_features(n_per_class=3, n_features=40)
    clf = AttentionBLSTMClassifier(segment_frames=16, train_hop=8, test_hop=8,
                                   max_epochs=1, random_state=0)
    with pytest.raises(ValueError, match=r"at least 32 frames.*segment_frames=16"):
        clf.fit(X, y)


def test_ams_probabilities_are_softmax_of_scaled_cosines(data):
    X, y, _ = data
    clf = small_cnnlstm(loss="ams", max_epochs=1, criterion__scale=30.0).fit(X, y)
    logits, _, owner, n = clf._forward_segments(X[:4])
    cos = logits.float()
    assert cos.abs().max() <= 1.0 + 1e-5  # the cosine head's output
    per_segment = torch.softmax(30.0 * cos, dim=1).numpy()
    expected = np.stack([per_segment[owner == i].mean(axis=0) for i in range(n)])
    np.testing.assert_allclose(clf.predict_proba(X[:4]), expected, rtol=1e-5, atol=1e-6)
    unscaled = np.stack([torch.softmax(cos, 1).numpy()[owner == i].mean(0)
                         for i in range(n)])
    assert not np.allclose(clf.predict_proba(X[:4]), unscaled, atol=1e-3)


def test_grid_search_alpha_and_margin_through_an_mfcc_pipeline():
    """The issue's own search: clf__criterion__alpha x clf__criterion__margin over a
    Pipeline that starts from waveforms, speaker-grouped folds."""
    from sklearn.pipeline import Pipeline

    from sklearn_ser.datasets import make_emotional_speech
    from sklearn_ser.features import MFCC

    d = make_emotional_speech(n_per_class=4, classes=("anger", "neutral", "sadness"),
                              n_speakers=2, duration=(0.6, 0.9), random_state=0)
    pipe = Pipeline([("mfcc", MFCC(n_mfcc=13, hop_ms=20.0)),
                     ("clf", small_cnnlstm(max_epochs=1, segment_frames=20,
                                           train_hop=10, test_hop=10, batch_size=12,
                                           m_per_class=4))])
    grid = GridSearchCV(
        pipe, {"clf__criterion__alpha": [0.1, 0.5], "clf__criterion__margin": [0.1, 0.4]},
        cv=StratifiedGroupKFold(n_splits=2),
        scoring={"WA": "accuracy", "UA": "balanced_accuracy"}, refit="UA",
    ).fit(d.X, d.y, groups=d.speaker)
    assert len(grid.cv_results_["params"]) == 4
    assert np.isfinite(grid.cv_results_["mean_test_UA"]).all()
    best = grid.best_estimator_.named_steps["clf"].criterion_
    assert (best.alpha, best.margin) == (
        grid.best_params_["clf__criterion__alpha"], grid.best_params_["clf__criterion__margin"]
    )
