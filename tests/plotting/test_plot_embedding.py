"""EmbeddingDisplay: 2-D map of utterance embeddings coloured by class."""

from __future__ import annotations

import sys
import types

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_ser.plotting import EmbeddingDisplay

CLASSES = np.array(["anger", "happiness", "neutral", "sadness"])


def _embeddings(rng, n_per_class=10, dim=12):
    y = np.repeat(CLASSES, n_per_class)
    centres = 4.0 * rng.normal(size=(CLASSES.size, dim))
    codes = np.repeat(np.arange(CLASSES.size), n_per_class)
    return centres[codes] + rng.normal(size=(y.size, dim)), y


def _legend_texts(disp):
    return [t.get_text() for t in disp.legend_.get_texts()]


def _points_by_class(disp):
    return [s.get_offsets().data for s in disp.scatter_]


def test_pca_map_places_every_utterance_by_its_class(rng):
    emb, y = _embeddings(rng)
    disp = EmbeddingDisplay.from_embeddings(emb, y, method="pca", random_state=0)
    assert isinstance(disp.figure_, plt.Figure) and disp.ax_.figure is disp.figure_
    assert _legend_texts(disp) == CLASSES.tolist()
    assert len(disp.scatter_) == CLASSES.size
    expected = PCA(n_components=2).fit_transform(emb)
    for label, points in zip(CLASSES, _points_by_class(disp)):
        np.testing.assert_allclose(np.abs(points), np.abs(expected[y == label]),
                                   atol=1e-8)
    # one colour per class, all different
    colours = {tuple(s.get_facecolor()[0]) for s in disp.scatter_}
    assert len(colours) == CLASSES.size
    assert disp.ax_.get_xlabel() == "PC 1"
    assert isinstance(disp.reducer_, PCA)


def test_tsne_on_40_points_is_deterministic_and_separates_classes(rng):
    emb, y = _embeddings(rng)
    kw = dict(method="tsne", random_state=0, perplexity=8,
              reducer_kw={"max_iter": 250})
    a = EmbeddingDisplay.from_embeddings(emb, y, **kw)
    b = EmbeddingDisplay.from_embeddings(emb, y, **kw)
    for pa, pb in zip(_points_by_class(a), _points_by_class(b)):
        np.testing.assert_array_equal(pa, pb)
    assert _legend_texts(a) == CLASSES.tolist()
    assert a.ax_.get_xlabel() == "t-SNE 1"
    # well separated clusters stay separated: nearest neighbour of the same class
    points = np.concatenate(_points_by_class(a))
    labels = np.repeat(np.arange(CLASSES.size), 10)
    d = np.linalg.norm(points[:, None] - points[None], axis=-1)
    np.fill_diagonal(d, np.inf)
    assert np.mean(labels[d.argmin(axis=1)] == labels) > 0.9


def test_perplexity_is_clipped_with_a_warning(rng):
    emb, y = _embeddings(rng, n_per_class=3)  # 12 samples
    with pytest.warns(UserWarning, match=r"perplexity=30.0 is too large for 12"):
        disp = EmbeddingDisplay.from_embeddings(
            emb, y, method="tsne", random_state=0, reducer_kw={"max_iter": 250}
        )
    assert disp.reducer_.perplexity == pytest.approx(11 / 3)
    assert np.concatenate(_points_by_class(disp)).shape == (12, 2)


def test_from_estimator_with_transform(rng):
    emb, y = _embeddings(rng)
    lda = LinearDiscriminantAnalysis(n_components=2).fit(emb, y)
    disp = EmbeddingDisplay.from_estimator(lda, emb, y, method=None)
    expected = lda.transform(emb)
    for label, points in zip(CLASSES, _points_by_class(disp)):
        np.testing.assert_allclose(points, expected[y == label])
    assert disp.reducer_ is None


def test_from_estimator_pipeline_uses_steps_before_the_classifier(rng):
    emb, y = _embeddings(rng)
    pipe = make_pipeline(StandardScaler(), PCA(n_components=5), LogisticRegression())
    pipe.fit(emb, y)
    disp = EmbeddingDisplay.from_estimator(pipe, emb, y, method="pca", random_state=0)
    inner = pipe[:-1].transform(emb)
    ref = EmbeddingDisplay.from_embeddings(inner, y, method="pca", random_state=0)
    for pa, pb in zip(_points_by_class(disp), _points_by_class(ref)):
        np.testing.assert_allclose(pa, pb)
    assert _legend_texts(disp) == CLASSES.tolist()


def test_from_estimator_without_transform_fails(rng):
    emb, y = _embeddings(rng)
    clf = LogisticRegression().fit(emb, y)
    with pytest.raises(TypeError, match="no transform method"):
        EmbeddingDisplay.from_estimator(clf, emb, y)


def test_labels_select_and_order_classes(rng):
    emb, y = _embeddings(rng)
    disp = EmbeddingDisplay.from_embeddings(
        emb, y, method="pca", labels=["sadness", "anger"]
    )
    assert _legend_texts(disp) == ["sadness", "anger"]
    assert [len(p) for p in _points_by_class(disp)] == [10, 10]
    with pytest.raises(ValueError, match=r"labels \['joy'\] have no samples"):
        EmbeddingDisplay.from_embeddings(emb, y, method="pca", labels=["joy"])


def test_normalize_maps_directions_only(rng):
    emb, y = _embeddings(rng)
    scale = rng.uniform(0.1, 10.0, size=(emb.shape[0], 1))
    a = EmbeddingDisplay.from_embeddings(emb, y, method="pca", normalize=True)
    b = EmbeddingDisplay.from_embeddings(emb * scale, y, method="pca", normalize=True)
    for pa, pb in zip(_points_by_class(a), _points_by_class(b)):
        np.testing.assert_allclose(pa, pb, atol=1e-8)
    emb[3] = 0.0
    with pytest.raises(ValueError, match="zero vectors"):
        EmbeddingDisplay.from_embeddings(emb, y, method="pca", normalize=True)


def test_umap_missing_names_the_package(rng, monkeypatch):
    emb, y = _embeddings(rng)
    monkeypatch.setitem(sys.modules, "umap", None)  # makes `import umap` fail
    with pytest.raises(ImportError, match=r"umap-learn.*sklearn-ser\[umap\]"):
        EmbeddingDisplay.from_embeddings(emb, y, method="umap")


def test_umap_is_used_when_installed(rng, monkeypatch):
    emb, y = _embeddings(rng, n_per_class=3)
    seen = {}

    class FakeUMAP:
        def __init__(self, **params):
            seen.update(params)

        def fit_transform(self, X):
            return X[:, :2] * 2.0

    monkeypatch.setitem(sys.modules, "umap", types.SimpleNamespace(UMAP=FakeUMAP))
    disp = EmbeddingDisplay.from_embeddings(emb, y, method="umap", random_state=7)
    assert seen == {"n_components": 2, "n_neighbors": 11, "random_state": 7}
    np.testing.assert_allclose(_points_by_class(disp)[0], 2.0 * emb[y == "anger", :2])
    assert disp.ax_.get_xlabel() == "UMAP 1"


def test_bad_input(rng):
    emb, y = _embeddings(rng)
    with pytest.raises(ValueError, match="method must be one of"):
        EmbeddingDisplay.from_embeddings(emb, y, method="mds")
    with pytest.raises(ValueError, match="method=None needs 2-D"):
        EmbeddingDisplay.from_embeddings(emb, y, method=None)
    with pytest.raises(ValueError, match="one label per embedding"):
        EmbeddingDisplay.from_embeddings(emb, y[:-1], method="pca")
    with pytest.raises(ValueError, match="shape \\(n_samples, 2\\)"):
        EmbeddingDisplay(emb, y).plot()


def test_plot_on_given_axes_without_legend(rng):
    emb, y = _embeddings(rng)
    fig, ax = plt.subplots()
    disp = EmbeddingDisplay(emb[:, :2], y).plot(ax=ax, legend=False, title="map")
    assert disp.ax_ is ax and disp.figure_ is fig
    assert disp.legend_ is None and ax.get_legend() is None
    assert ax.get_title() == "map"
