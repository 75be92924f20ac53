"""AngleHeatmapDisplay: heat-map of the angles between class embeddings."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_ser.metrics import LabelledMatrix, angle_table
from sklearn_ser.plotting import AngleHeatmapDisplay

CLASSES = np.array(["anger", "neutral", "sadness"])


def _embeddings(rng, n_per_class=8, dim=6):
    y = np.repeat(CLASSES, n_per_class)
    codes = np.repeat(np.arange(CLASSES.size), n_per_class)
    centres = rng.normal(size=(CLASSES.size, dim))
    return centres[codes] + 0.3 * rng.normal(size=(y.size, dim)), y


def _ref_angle(u, v):
    u, v = np.asarray(u, float), np.asarray(v, float)
    cos = u @ v / np.linalg.norm(u) / np.linalg.norm(v)
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def _texts(disp):
    return [[t.get_text() for t in row] for row in disp.text_]


def test_annotations_are_the_angles_in_degrees():
    # classes along x, along y and on the diagonal: 90 and 45 degrees apart
    emb = np.array([[2.0, 0.0], [5.0, 0.0], [0.0, 1.0], [1.0, 1.0], [3.0, 3.0]])
    disp = AngleHeatmapDisplay.from_embeddings(emb, ["x", "x", "y", "xy", "xy"])
    assert isinstance(disp.figure_, plt.Figure) and disp.ax_.figure is disp.figure_
    assert _texts(disp) == [
        ["0.0°", "45.0°", "90.0°"],
        ["45.0°", "0.0°", "45.0°"],
        ["90.0°", "45.0°", "0.0°"],
    ]
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["x", "xy", "y"]
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == ["x", "xy", "y"]


def test_texts_match_independent_angles_between_class_means(rng):
    emb, y = _embeddings(rng)
    disp = AngleHeatmapDisplay.from_embeddings(emb, y, values_format=".2f")
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    means = {c: unit[y == c].mean(axis=0) for c in CLASSES}
    for i, a in enumerate(CLASSES):
        for j, b in enumerate(CLASSES):
            expected = 0.0 if i == j else _ref_angle(means[a], means[b])
            assert disp.text_[i, j].get_text() == f"{expected:.2f}°"
    np.testing.assert_array_equal(disp.im_.get_array(), np.asarray(disp.angles))


def test_intra_diagonal_and_radians(rng):
    emb, y = _embeddings(rng)
    disp = AngleHeatmapDisplay.from_embeddings(emb, y, diagonal="intra")
    table = angle_table(emb, y, diagonal="intra")
    for i in range(CLASSES.size):
        assert disp.text_[i, i].get_text() == f"{table.values[i, i]:.1f}°"
        assert disp.text_[i, i].get_text() != "0.0°"
    rad = AngleHeatmapDisplay.from_embeddings(emb, y, degrees=False,
                                              values_format=".3f")
    assert rad.text_[0, 1].get_text() == f"{np.radians(table.values[0, 1]):.3f}"
    assert "radians" in rad.figure_.axes[-1].get_ylabel()


def test_from_estimator_uses_transform(rng):
    emb, y = _embeddings(rng)
    lda = LinearDiscriminantAnalysis(n_components=2).fit(emb, y)
    disp = AngleHeatmapDisplay.from_estimator(lda, emb, y)
    np.testing.assert_allclose(
        np.asarray(disp.angles), angle_table(lda.transform(emb), y).values
    )


def test_from_estimator_with_a_pipeline(rng):
    emb, y = _embeddings(rng)
    pipe = make_pipeline(PCA(n_components=3), LogisticRegression()).fit(emb, y)
    disp = AngleHeatmapDisplay.from_estimator(pipe, emb, y, labels=["sadness", "anger"])
    np.testing.assert_allclose(
        np.asarray(disp.angles),
        angle_table(pipe[:-1].transform(emb), y, labels=["sadness", "anger"]).values,
    )
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["sadness", "anger"]


def test_direct_construction_and_options():
    m = LabelledMatrix([[0.0, 30.0], [30.0, 0.0]], ["sad", "ang"], kind="distance")
    fig, ax = plt.subplots()
    disp = AngleHeatmapDisplay(m).plot(ax=ax, colorbar=False, title="angles")
    assert disp.ax_ is ax and disp.figure_ is fig and len(fig.axes) == 1
    assert [t.get_text() for t in ax.get_xticklabels()] == ["sad", "ang"]
    assert ax.get_title() == "angles"
    disp = AngleHeatmapDisplay(np.asarray(m), display_labels=["S", "A"]).plot(
        include_values=False
    )
    assert disp.text_ is None
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == ["S", "A"]
    plain = AngleHeatmapDisplay(np.asarray(m)).plot()
    assert [t.get_text() for t in plain.ax_.get_xticklabels()] == ["0", "1"]


def test_bad_input(rng):
    with pytest.raises(ValueError, match="square matrix"):
        AngleHeatmapDisplay(np.zeros((2, 3))).plot()
    with pytest.raises(ValueError, match="2 classes but 3 display_labels"):
        AngleHeatmapDisplay(np.zeros((2, 2)), display_labels=["a", "b", "c"]).plot()
    emb, y = _embeddings(rng)
    emb[0] = 0.0
    with pytest.raises(ValueError, match="zero vectors"):
        AngleHeatmapDisplay.from_embeddings(emb, y)
    with pytest.raises(TypeError, match="no transform method"):
        AngleHeatmapDisplay.from_estimator(LogisticRegression().fit(emb, y), emb, y)
