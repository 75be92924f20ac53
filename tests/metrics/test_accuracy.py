import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import cross_validate

from sklearn_ser.metrics import (
    per_class_recall,
    ser_scorers,
    unweighted_accuracy,
    weighted_accuracy,
)


def test_wa_ua_on_unbalanced_labels():
    y_true = np.array(["ang"] * 8 + ["sad"] * 2)
    y_pred = np.array(["ang"] * 10)
    assert weighted_accuracy(y_true, y_pred) == pytest.approx(0.8)
    assert unweighted_accuracy(y_true, y_pred) == pytest.approx(0.5)


# sklearn warns when a class is only predicted or a single class is present.
@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=60)
)
def test_ua_is_mean_of_recalls_and_wa_is_fraction_correct(pairs):
    y_true = np.array([p[0] for p in pairs])
    y_pred = np.array([p[1] for p in pairs])
    recalls = [np.mean(y_pred[y_true == c] == c) for c in np.unique(y_true)]
    assert unweighted_accuracy(y_true, y_pred) == pytest.approx(np.mean(recalls))
    assert weighted_accuracy(y_true, y_pred) == pytest.approx(np.mean(y_true == y_pred))
    report = per_class_recall(y_true, y_pred, labels=np.unique(y_true))
    assert report.UA == pytest.approx(np.mean(recalls))
    assert report.support.sum() == len(y_true)


def test_scorers_in_cross_validate():
    X = np.zeros((12, 1))
    y = np.array([0] * 9 + [1] * 3)
    res = cross_validate(DummyClassifier(), X, y, cv=3, scoring=ser_scorers())
    np.testing.assert_allclose(res["test_WA"], 0.75)
    np.testing.assert_allclose(res["test_UA"], 0.5)


def test_per_class_recall_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="differ in shape"):
        per_class_recall([0, 1], [0, 1, 1])
