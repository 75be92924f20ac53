"""Class hashes, Hamming-distance class similarity and confusion-based similarity
(li2021 §3.4, §6.8)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix

from sklearn_ser.metrics._similarity import (
    LabelledMatrix,
    class_hashes,
    class_similarity,
    confusable_from_confusion,
    most_confusable,
)

TABLE_11 = np.array(
    [[0, 23, 12, 28], [23, 0, 25, 17], [12, 25, 0, 20], [28, 17, 20, 0]]
)
TABLE_11_LABELS = ["sad", "pleasure", "angry", "joy"]


def test_class_hash_is_the_bitwise_majority():
    bits = np.array(
        [[1, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1], [0, 1, 1, 1], [0, 1, 0, 0]]
    )
    y = ["a", "a", "a", "b", "b"]
    hashes, classes = class_hashes(bits, y)
    assert classes.tolist() == ["a", "b"]
    np.testing.assert_array_equal(hashes, [[1, 0, 0, 0], [0, 1, 1, 1]])  # b: ties -> 1
    assert hashes.dtype == bool


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n_bits=st.integers(1, 40),
    n_classes=st.integers(2, 5),
)
def test_class_similarity_is_pairwise_hamming(seed, n_bits, n_classes):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, size=30)
    y[:n_classes] = np.arange(n_classes)
    bits = rng.random((30, n_bits)) > 0.5
    d = class_similarity(bits, y)
    hashes, classes = class_hashes(bits, y)
    expected = (hashes[:, None, :] != hashes[None, :, :]).sum(axis=-1)
    np.testing.assert_array_equal(np.asarray(d), expected)
    np.testing.assert_array_equal(d.labels, classes)
    assert d.kind == "distance"
    np.testing.assert_allclose(np.asarray(class_similarity(bits, y, normalize=True)),
                               expected / n_bits)
    # from class hashes directly
    direct = class_similarity(hashes, classes=classes)
    np.testing.assert_array_equal(direct.values, d.values)


def test_class_similarity_errors():
    with pytest.raises(ValueError, match="rows"):
        class_hashes([[0, 1], [1, 0]], [0])
    with pytest.raises(ValueError, match="0/1"):
        class_hashes([[0, 2]], [0])
    with pytest.raises(ValueError, match="2-D"):
        class_similarity([0, 1, 1])
    with pytest.raises(ValueError, match="classes"):
        class_similarity([[0, 1], [1, 1]], classes=["a"])


def test_most_confusable_on_li2021_table_11():
    assert most_confusable(TABLE_11, labels=TABLE_11_LABELS) == ("sad", "angry")
    pair, score = most_confusable(TABLE_11, labels=TABLE_11_LABELS, return_score=True)
    assert score == 12
    triple = most_confusable(TABLE_11, labels=TABLE_11_LABELS, size=3)
    assert set(triple) == {"sad", "angry", "pleasure"}
    assert most_confusable(TABLE_11, size=4) == (0, 1, 2, 3)
    m = LabelledMatrix(TABLE_11, TABLE_11_LABELS, kind="distance")
    assert most_confusable(m) == ("sad", "angry")


def test_most_confusable_on_similarities_and_ties():
    s = LabelledMatrix([[1.0, 0.3, 0.1], [0.3, 1.0, 0.3], [0.1, 0.3, 1.0]],
                       ["a", "b", "c"], kind="similarity")
    assert most_confusable(s) == ("a", "b")  # tie: first pair in label order
    assert most_confusable(s, return_score=True)[1] == pytest.approx(0.3)
    # an asymmetric plain array is symmetrised
    assert most_confusable([[0, 9, 1], [9, 0, 5], [9, 5, 0]], kind="distance") == (0, 2)


@pytest.mark.parametrize("size", [1, 5, 2.0, True])
def test_most_confusable_bad_size(size):
    with pytest.raises(ValueError, match="size"):
        most_confusable(TABLE_11, size=size)


def test_most_confusable_bad_matrix():
    with pytest.raises(ValueError, match="square"):
        most_confusable(np.zeros((2, 3)))


def test_confusable_from_confusion():
    y_true = np.repeat(["ang", "hap", "neu", "sad"], 10)
    y_pred = y_true.copy()
    y_pred[[0, 1, 2]] = "sad"  # angry predicted as sad
    y_pred[[30, 31]] = "ang"  # sad predicted as angry
    y_pred[10] = "neu"
    s = confusable_from_confusion(y_true, y_pred)
    assert s.kind == "similarity"
    np.testing.assert_allclose(s.values, s.values.T)
    assert s.at("ang", "sad") == pytest.approx((0.3 + 0.2) / 2)
    assert s.at("ang", "ang") == pytest.approx(0.7)  # diagonal: recall
    assert most_confusable(s) == ("ang", "sad")
    cm = confusion_matrix(y_true, y_pred, labels=s.labels)
    same = confusable_from_confusion(confusion=cm, labels=s.labels)
    np.testing.assert_allclose(same.values, s.values)
    assert most_confusable(confusable_from_confusion(confusion=cm)) == (0, 3)


def test_confusable_from_confusion_with_unseen_class_and_errors():
    s = confusable_from_confusion([0, 0, 1], [0, 1, 1], labels=[0, 1, 2])
    np.testing.assert_array_equal(s.values[2], [0, 0, 0])
    with pytest.raises(ValueError, match="either"):
        confusable_from_confusion([0], [0], confusion=np.eye(2))
    with pytest.raises(ValueError, match="give y_true"):
        confusable_from_confusion([0, 1])
    with pytest.raises(ValueError, match="square"):
        confusable_from_confusion(confusion=np.ones((2, 3)))
    with pytest.raises(ValueError, match="counts"):
        confusable_from_confusion(confusion=-np.eye(2))
    with pytest.raises(ValueError, match="labels"):
        confusable_from_confusion(confusion=np.eye(2), labels=["a"])


def test_labelled_matrix():
    m = LabelledMatrix([[0.0, 0.25], [0.25, 0.0]], ["sad", "angry"], kind="distance")
    assert m.shape == (2, 2) and len(m) == 2
    assert m.at("angry", "sad") == 0.25
    assert np.asarray(m, dtype=np.float32).dtype == np.float32
    assert "angry" in repr(m) and "0.25" in repr(m)
    with pytest.raises(KeyError, match="fear"):
        m.at("fear", "sad")
    with pytest.raises(ValueError, match="square"):
        LabelledMatrix(np.zeros((2, 3)), ["a", "b"], kind="distance")
    with pytest.raises(ValueError, match="labels"):
        LabelledMatrix(np.zeros((2, 2)), ["a"], kind="distance")
    with pytest.raises(ValueError, match="kind"):
        LabelledMatrix(np.zeros((2, 2)), ["a", "b"], kind="angle")


def test_labelled_matrix_to_frame():
    pd = pytest.importorskip("pandas")
    m = LabelledMatrix([[0, 3], [3, 0]], ["sad", "angry"], kind="distance")
    frame = m.to_frame()
    assert isinstance(frame, pd.DataFrame) and frame.loc["sad", "angry"] == 3
