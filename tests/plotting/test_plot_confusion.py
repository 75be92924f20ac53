"""ConfusionMatrixDisplay: per-class recall on the diagonal, WA/UA in the title."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import sklearn.metrics
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_ser.plotting import ConfusionMatrixDisplay

CLASSES = np.array(["anger", "happiness", "neutral", "sadness"])


def _predictions(rng, n=60):
    y_true = rng.choice(CLASSES, size=n)
    flip = rng.random(n) < 0.3
    y_pred = np.where(flip, rng.choice(CLASSES, size=n), y_true)
    return y_true, y_pred


def _recall(y_true, y_pred, label):
    mask = [t == label for t in y_true]
    hits = [p == label for p, m in zip(y_pred, mask) if m]
    return sum(hits) / len(hits)


def _title_numbers(title):
    # "WA 71.7 %   UA 70.2 %" -> {"WA": 71.7, "UA": 70.2}
    words = title.split()
    return {words[k]: float(words[k + 1]) for k in range(0, len(words), 3)}


def test_diagonal_shows_recall_and_title_wa_ua(rng):
    y_true, y_pred = _predictions(rng)
    disp = ConfusionMatrixDisplay.from_predictions(y_true, y_pred)
    assert isinstance(disp, sklearn.metrics.ConfusionMatrixDisplay)
    assert isinstance(disp.figure_, plt.Figure)
    assert disp.ax_.figure is disp.figure_
    recalls = [_recall(y_true, y_pred, c) for c in CLASSES]
    diagonal = [t.get_text() for t in disp.text_.diagonal()]
    assert diagonal == [f"{r:.2f}" for r in recalls]
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == CLASSES.tolist()
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == CLASSES.tolist()
    # every row is the distribution of the predictions of one true class
    np.testing.assert_allclose(disp.confusion_matrix.sum(axis=1), 1.0)
    wa = np.mean(y_true == y_pred)
    ua = np.mean(recalls)
    numbers = _title_numbers(disp.ax_.get_title())
    assert numbers == {"WA": round(100 * wa, 1), "UA": round(100 * ua, 1)}
    assert disp.weighted_accuracy == pytest.approx(wa)
    assert disp.unweighted_accuracy == pytest.approx(ua)


def test_off_diagonal_texts_are_the_row_rates(rng):
    y_true, y_pred = _predictions(rng)
    disp = ConfusionMatrixDisplay.from_predictions(y_true, y_pred)
    for i, a in enumerate(CLASSES):
        n_a = np.sum(y_true == a)
        for j, b in enumerate(CLASSES):
            rate = np.sum((y_true == a) & (y_pred == b)) / n_a
            assert disp.text_[i, j].get_text() == f"{rate:.2f}"


def test_labels_order_and_subset(rng):
    y_true, y_pred = _predictions(rng)
    order = ["sadness", "anger", "neutral"]
    disp = ConfusionMatrixDisplay.from_predictions(y_true, y_pred, labels=order)
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == order
    assert disp.confusion_matrix.shape == (3, 3)
    assert [t.get_text() for t in disp.text_.diagonal()] == [
        f"{_recall(y_true, y_pred, c):.2f}" for c in order
    ]
    # WA/UA stay those of all predictions
    assert disp.weighted_accuracy == pytest.approx(np.mean(y_true == y_pred))


def test_counts_without_normalisation(rng):
    y_true, y_pred = _predictions(rng)
    disp = ConfusionMatrixDisplay.from_predictions(y_true, y_pred, normalize=None)
    for i, a in enumerate(CLASSES):
        count = np.sum((y_true == a) & (y_pred == a))
        assert disp.text_[i, i].get_text() == str(count)
    assert disp.confusion_matrix.sum() == y_true.size


def test_from_estimator_with_a_pipeline():
    X, y = make_blobs(n_samples=60, centers=3, n_features=5, cluster_std=3.0,
                      random_state=0)
    names = np.array(["anger", "neutral", "sadness"])[y]
    clf = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, names)
    disp = ConfusionMatrixDisplay.from_estimator(clf, X, names)
    y_pred = clf.predict(X)
    expected = sklearn.metrics.confusion_matrix(names, y_pred, normalize="true")
    np.testing.assert_allclose(disp.confusion_matrix, expected)
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == names[
        np.unique(y, return_index=True)[1]
    ].tolist()
    assert _title_numbers(disp.ax_.get_title())["WA"] == round(
        100 * np.mean(y_pred == names), 1
    )


def test_from_estimator_rejects_non_classifiers():
    X = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.raises(ValueError, match="must be a classifier"):
        ConfusionMatrixDisplay.from_estimator(PCA(2).fit(X), X, np.arange(10) % 2)


def test_title_options_and_given_axes(rng):
    y_true, y_pred = _predictions(rng)
    fig, ax = plt.subplots()
    disp = ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, ax=ax, title="fold 1", colorbar=False
    )
    assert disp.ax_ is ax and disp.figure_ is fig
    assert ax.get_title() == "fold 1"
    disp = ConfusionMatrixDisplay.from_predictions(y_true, y_pred, title=False)
    assert disp.ax_.get_title() == ""
    # built by hand without accuracies: no title
    disp = ConfusionMatrixDisplay(np.eye(2)).plot()
    assert disp.ax_.get_title() == ""
    assert disp.text_[0, 0].get_text() == "1.00"


def test_include_values_false(rng):
    y_true, y_pred = _predictions(rng)
    disp = ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, include_values=False
    )
    assert disp.text_ is None
    assert len(disp.ax_.texts) == 0


def test_normalize_pred_gives_precision_and_bad_normalize_fails(rng):
    y_true, y_pred = _predictions(rng)
    order = ["neutral", "anger"]
    disp = ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=order, normalize="pred"
    )
    for k, c in enumerate(order):
        precision = np.sum((y_pred == c) & (y_true == c)) / np.sum(y_pred == c)
        assert disp.text_[k, k].get_text() == f"{precision:.2f}"
    with pytest.raises(ValueError, match="normalize must be one of"):
        ConfusionMatrixDisplay.from_predictions(y_true, y_pred, normalize="rows")


def test_sample_weight_enters_recall_and_accuracies():
    y_true = np.array(["a", "a", "b", "b"])
    y_pred = np.array(["a", "b", "b", "b"])
    weight = np.array([3.0, 1.0, 1.0, 1.0])
    disp = ConfusionMatrixDisplay.from_predictions(y_true, y_pred, sample_weight=weight)
    assert disp.text_[0, 0].get_text() == "0.75"  # 3 / (3 + 1)
    assert disp.weighted_accuracy == pytest.approx(5 / 6)
    assert disp.unweighted_accuracy == pytest.approx((0.75 + 1.0) / 2)
