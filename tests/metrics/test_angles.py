"""Angles between class embeddings and their deviations (kumar Tables II-VII)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sklearn_ser.metrics as metrics
from sklearn_ser.metrics import (
    LabelledMatrix,
    angle_deviation,
    angle_table,
    class_embeddings,
)

# ---------------------------------------------------------------- references
# Written independently of the implementation: loops, arccos of cosines.


def _unit(v):
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v)


def _ref_directions(emb, y, classes):
    return {c: _unit(np.mean([_unit(e) for e, t in zip(emb, y) if t == c], axis=0))
            for c in classes}


def _ref_angle(u, v):
    return np.degrees(np.arccos(np.clip(np.dot(_unit(u), _unit(v)), -1.0, 1.0)))


def _clustered(rng, n_classes, n_per_class, dim, spread=0.3):
    centres = rng.normal(size=(n_classes, dim))
    y = np.repeat(np.arange(n_classes), n_per_class)
    emb = centres[y] + spread * rng.normal(size=(y.size, dim))
    return emb, y


def _orthogonal(rng, dim):
    q, r = np.linalg.qr(rng.normal(size=(dim, dim)))
    return q * np.sign(np.diag(r))


embedding_sets = st.builds(
    lambda seed, n_classes, n_per_class, dim: _clustered(
        np.random.default_rng(seed), n_classes, n_per_class, dim
    ),
    seed=st.integers(0, 2**16),
    n_classes=st.integers(2, 5),
    n_per_class=st.integers(1, 6),
    dim=st.integers(2, 8),
)


# ---------------------------------------------------------------- values


def test_angle_table_of_known_directions():
    emb = np.array([[1.0, 0, 0], [5.0, 0, 0], [0, 2.0, 0], [0, 0, 0.5], [1, 1, 0]])
    t = angle_table(emb, ["x", "x", "y", "z", "xy"])
    assert isinstance(t, LabelledMatrix)
    assert t.labels.tolist() == ["x", "xy", "y", "z"]
    assert t.kind == "distance"
    expected = np.array(
        [[0, 45, 90, 90], [45, 0, 45, 90], [90, 45, 0, 90], [90, 90, 90, 0]], float
    )
    np.testing.assert_allclose(t.values, expected, atol=1e-12)
    np.testing.assert_allclose(
        angle_table(emb, ["x", "x", "y", "z", "xy"], degrees=False).values,
        np.radians(expected),
        atol=1e-14,
    )


def test_angle_table_matches_a_loop_over_class_mean_directions(rng):
    emb, y = _clustered(rng, 4, 7, 16)
    y = np.array(["ang", "hap", "neu", "sad"])[y]
    t = angle_table(emb, y)
    dirs = _ref_directions(emb, y, t.labels)
    for a in t.labels:
        for b in t.labels:
            assert t.at(a, b) == pytest.approx(_ref_angle(dirs[a], dirs[b]), abs=1e-6)


def test_intra_diagonal_is_mean_angle_to_own_class_embedding(rng):
    emb, y = _clustered(rng, 3, 5, 6)
    t = angle_table(emb, y, diagonal="intra")
    zero = angle_table(emb, y)
    dirs = _ref_directions(emb, y, [0, 1, 2])
    for c in range(3):
        own = [_ref_angle(e, dirs[c]) for e, t_ in zip(emb, y) if t_ == c]
        assert t.at(c, c) == pytest.approx(np.mean(own), abs=1e-6)
        assert t.at(c, c) > 0
    off = ~np.eye(3, dtype=bool)
    np.testing.assert_array_equal(t.values[off], zero.values[off])


def test_small_angles_are_accurate():
    # two unit vectors 1e-7 rad apart: arccos of their dot product is off by far
    # more than that; kumar's intra-class angles are fractions of a degree
    eps = 1e-7
    emb = np.array([[1.0, 0.0], [np.cos(eps), np.sin(eps)]])
    t = angle_table(emb, ["a", "b"], degrees=False)
    assert t.at("a", "b") == pytest.approx(eps, rel=1e-6)


def test_angle_deviation_matches_a_loop(rng):
    emb, y = _clustered(rng, 3, 6, 5, spread=0.5)
    dev = angle_deviation(emb, y)
    dirs = _ref_directions(emb, y, [0, 1, 2])
    for i in range(3):
        members = [e for e, t in zip(emb, y) if t == i]
        to = {j: np.array([_ref_angle(e, dirs[j]) for e in members]) for j in range(3)}
        assert dev.intra[i] == pytest.approx(np.std(to[i]), abs=1e-6)
        pooled = np.sqrt(np.mean([np.var(to[j]) for j in range(3) if j != i]))
        assert dev.inter[i] == pytest.approx(pooled, abs=1e-6)
        for j in range(3):
            assert dev.mean_angles.at(i, j) == pytest.approx(to[j].mean(), abs=1e-6)
            assert dev.std_angles.at(i, j) == pytest.approx(to[j].std(), abs=1e-6)
    assert dev.labels.tolist() == [0, 1, 2]
    # the diagonal of mean_angles is angle_table's "intra" diagonal
    np.testing.assert_allclose(
        np.diag(dev.mean_angles.values),
        np.diag(angle_table(emb, y, diagonal="intra").values),
    )
    rad = angle_deviation(emb, y, degrees=False)
    np.testing.assert_allclose(np.radians(dev.intra), rad.intra)
    np.testing.assert_allclose(np.radians(dev.inter), rad.inter)


def test_angle_deviation_text_lists_every_class(rng):
    emb, y = _clustered(rng, 3, 4, 4)
    y = np.array(["anger", "sadness", "neutral"])[y]
    dev = angle_deviation(emb, y)
    lines = dev.text.splitlines()
    assert lines[0].split() == ["class", "intra", "inter"]
    for line, label, a, b in zip(lines[1:], dev.labels, dev.intra, dev.inter):
        assert line.split() == [label, f"{a:.2f}", f"{b:.2f}"]


def test_tight_classes_have_small_intra_and_large_inter_angles(rng):
    # the picture of kumar's tables: intra-class angles << inter-class angles
    emb, y = _clustered(rng, 4, 10, 32, spread=0.01)
    t = angle_table(emb, y, diagonal="intra")
    off = ~np.eye(4, dtype=bool)
    assert np.diag(t.values).max() < 1.0 < 20.0 < t.values[off].min()


def test_class_embeddings(rng):
    emb = np.array([[3.0, 0.0], [0.0, 0.5], [2.0, 2.0]])
    classes, centroids = class_embeddings(emb, ["a", "a", "b"])
    assert classes.tolist() == ["a", "b"]
    np.testing.assert_allclose(centroids, [[0.5, 0.5], [2**-0.5, 2**-0.5]])
    _, raw = class_embeddings(emb, ["a", "a", "b"], normalize=False)
    np.testing.assert_allclose(raw, [[1.5, 0.25], [2.0, 2.0]])
    classes, centroids = class_embeddings(emb, ["a", "a", "b"], labels=["b"])
    assert classes.tolist() == ["b"] and centroids.shape == (1, 2)


# ---------------------------------------------------------------- properties


@settings(max_examples=30, deadline=None)
@given(data=embedding_sets, seed=st.integers(0, 2**16))
def test_invariant_to_positive_per_sample_scaling(data, seed):
    emb, y = data
    scale = np.random.default_rng(seed).uniform(1e-3, 1e3, size=(emb.shape[0], 1))
    np.testing.assert_allclose(
        angle_table(emb * scale, y).values, angle_table(emb, y).values, atol=1e-8
    )
    np.testing.assert_allclose(
        angle_table(emb * scale, y, diagonal="intra").values,
        angle_table(emb, y, diagonal="intra").values,
        atol=1e-8,
    )
    a, b = angle_deviation(emb * scale, y), angle_deviation(emb, y)
    np.testing.assert_allclose(a.intra, b.intra, atol=1e-8)
    np.testing.assert_allclose(a.inter, b.inter, atol=1e-8)


@settings(max_examples=30, deadline=None)
@given(data=embedding_sets)
def test_symmetric_zero_diagonal_and_in_range(data):
    emb, y = data
    t = angle_table(emb, y).values
    np.testing.assert_array_equal(t, t.T)
    np.testing.assert_array_equal(np.diag(t), 0.0)
    assert np.all((t >= 0) & (t <= 180))
    intra = angle_table(emb, y, diagonal="intra").values
    np.testing.assert_array_equal(intra, intra.T)
    assert np.all(np.diag(intra) >= 0)


@settings(max_examples=30, deadline=None)
@given(data=embedding_sets, seed=st.integers(0, 2**16))
def test_invariant_to_rotations(data, seed):
    emb, y = data
    q = _orthogonal(np.random.default_rng(seed), emb.shape[1])
    np.testing.assert_allclose(
        angle_table(emb @ q, y).values, angle_table(emb, y).values, atol=1e-8
    )
    a, b = angle_deviation(emb @ q, y), angle_deviation(emb, y)
    np.testing.assert_allclose(a.intra, b.intra, atol=1e-8)
    np.testing.assert_allclose(a.inter, b.inter, atol=1e-8)
    np.testing.assert_allclose(a.mean_angles.values, b.mean_angles.values, atol=1e-8)


@settings(max_examples=20, deadline=None)
@given(data=embedding_sets, seed=st.integers(0, 2**16))
def test_invariant_to_sample_order_and_label_order(data, seed):
    emb, y = data
    rng = np.random.default_rng(seed)
    perm = rng.permutation(y.size)
    classes = np.unique(y)
    order = rng.permutation(classes)
    base = angle_table(emb, y).values
    shuffled = angle_table(emb[perm], y[perm], labels=order)
    assert shuffled.labels.tolist() == order.tolist()
    idx = np.searchsorted(classes, order)
    np.testing.assert_allclose(shuffled.values, base[np.ix_(idx, idx)], atol=1e-10)


# ---------------------------------------------------------------- edge cases


def test_single_sample_class():
    emb = np.array([[1.0, 0.0], [0.9, 0.1], [0.7, 0.5], [0.0, 2.0]])
    y = ["a", "a", "a", "b"]
    t = angle_table(emb, y, diagonal="intra")
    assert t.at("b", "b") == 0.0
    assert t.at("a", "b") == pytest.approx(
        _ref_angle(_ref_directions(emb, y, "a")["a"], [0, 1])
    )
    dev = angle_deviation(emb, y)
    assert dev.intra[1] == 0.0 and dev.inter[1] == 0.0
    assert dev.intra[0] > 0


def test_labels_select_and_order_classes():
    emb = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    t = angle_table(emb, ["a", "b", "c"], labels=["c", "a"])
    assert t.labels.tolist() == ["c", "a"]
    np.testing.assert_allclose(t.values, [[0, 180], [180, 0]])


def test_unknown_label_is_a_clear_error():
    emb = np.eye(3)
    with pytest.raises(ValueError, match=r"labels \['joy'\] have no samples in y"):
        angle_table(emb, ["a", "b", "c"], labels=["a", "joy"])
    with pytest.raises(ValueError, match="more than once"):
        angle_deviation(emb, ["a", "b", "c"], labels=["a", "b", "a"])
    with pytest.raises(ValueError, match="labels must be a non-empty 1-D"):
        angle_table(emb, ["a", "b", "c"], labels=[])


def test_zero_vector_is_a_clear_error():
    emb = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    for func in (angle_table, angle_deviation, class_embeddings):
        with pytest.raises(ValueError, match=r"samples \[1\] are zero vectors"):
            func(emb, ["a", "a", "b"])
    # indices refer to the input, also when labels= leaves samples out
    with pytest.raises(ValueError, match=r"samples \[3\] are zero vectors"):
        angle_table(np.r_[emb, [[0.0, 0.0]]], ["a", "c", "b", "a"], labels=["a", "b"])
    # a zero vector of a class left out by labels= does not matter
    t = angle_table(emb, ["a", "c", "b"], labels=["a", "b"])
    assert t.at("a", "b") == pytest.approx(90.0)
    # without normalisation a zero vector is just a point
    class_embeddings(emb, ["a", "a", "b"], normalize=False)


def test_cancelling_class_has_no_direction():
    emb = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="class 'a' cancel out"):
        angle_table(emb, ["a", "a", "b"])


def test_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        angle_table(np.ones(4), [0, 0, 1, 1])
    with pytest.raises(ValueError, match="one label per embedding"):
        angle_table(np.ones((4, 2)), [0, 1, 1])
    with pytest.raises(ValueError, match="finite"):
        angle_table(np.array([[1.0, np.nan], [1.0, 0.0]]), [0, 1])
    with pytest.raises(TypeError, match="numeric"):
        angle_table(np.array([["a", "b"], ["c", "d"]]), [0, 1])
    with pytest.raises(ValueError, match="diagonal must be one of"):
        angle_table(np.eye(2), [0, 1], diagonal="mean")
    with pytest.raises(ValueError, match="at least 2 classes"):
        angle_deviation(np.ones((3, 2)), [0, 0, 0])


def test_input_not_modified(rng):
    emb, y = _clustered(rng, 3, 4, 4)
    emb32 = emb.astype(np.float32)
    before, y_before = emb32.copy(), y.copy()
    angle_table(emb32, y, diagonal="intra")
    angle_deviation(emb32, y)
    class_embeddings(emb32, y)
    np.testing.assert_array_equal(emb32, before)
    np.testing.assert_array_equal(y, y_before)


def test_public_names_exported():
    for name in (
        "angle_table",
        "angle_deviation",
        "class_embeddings",
        "LabelledMatrix",
        "class_hashes",
        "class_similarity",
        "most_confusable",
        "confusable_from_confusion",
        "weighted_accuracy",
        "unweighted_accuracy",
    ):
        assert name in metrics.__all__
        assert callable(getattr(metrics, name))
