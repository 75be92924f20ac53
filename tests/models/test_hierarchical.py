"""Tests of li2021's two-level classifier (HierarchicalConfusionClassifier)."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.model_selection import GridSearchCV, GroupKFold, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_ser.models._hierarchical import HierarchicalConfusionClassifier
from sklearn_ser.utils._validation import to_object_array

H = HierarchicalConfusionClassifier


def _blobs(rng, labels=("A", "B", "C", "D"), n=40):
    """A and B overlap strongly; C and D are far from them and from each other."""
    centres = [(0.0, 0.0), (0.3, 0.0), (8.0, 0.0), (0.0, 8.0)]
    X = np.vstack([rng.normal(c, 1.0, size=(n, 2)) for c in centres])
    y = np.repeat(np.asarray(labels), n)
    return X, y


@pytest.fixture
def blobs(rng):
    return _blobs(rng)


def _flatten(X):
    """Ragged (C, F, T) utterances -> one row each (module level: picklable)."""
    return np.stack([np.asarray(x, dtype=np.float64).ravel() for x in X])


def _spectro_classes(rng, n_per_class=12):
    """(1, 16, 32) features of 4 classes; "ang" and "sad" share one template.

    Every utterance is its class template plus noise, times a random gain (the
    average hash ignores gains). Returned as a ragged list, as the feature
    transformers of sklearn_ser produce.
    """
    templates = rng.random((3, 16, 32))
    which = {"ang": 0, "sad": 0, "joy": 1, "neu": 2}
    X, y = [], []
    for label, t in which.items():
        for _ in range(n_per_class):
            gain = rng.uniform(0.5, 2.0)
            X.append(gain * (templates[t] + 0.05 * rng.normal(size=(16, 32)))[None])
            y.append(label)
    return X, np.asarray(y)


# ----------------------------------------------------------------- empty set
def test_empty_confusable_equals_coarse(blobs):
    X, y = blobs
    clf = H(LogisticRegression(), KNeighborsClassifier(), confusable=[]).fit(X, y)
    flat = LogisticRegression().fit(X, y)
    assert clf.confusable_ == ()
    assert clf.fine_ is None and clf.merged_label_ is None
    np.testing.assert_array_equal(clf.classes_, flat.classes_)
    np.testing.assert_array_equal(clf.predict(X), flat.predict(X))
    np.testing.assert_array_equal(clf.predict_proba(X), flat.predict_proba(X))
    assert clf.score(X, y) == flat.score(X, y)


# ------------------------------------------------------------------- routing
def test_routing_sends_merged_predictions_to_fine(blobs):
    X, y = blobs
    # a fine model that always answers "B" makes routed samples recognisable
    fine = DummyClassifier(strategy="constant", constant="B")
    clf = H(LogisticRegression(), fine, confusable=["B", "A"]).fit(X, y)
    assert clf.confusable_ == ("A", "B")
    assert clf.merged_label_ == "A+B"
    assert clf.coarse_.classes_.tolist() == ["A+B", "C", "D"]
    assert clf.fine_.classes_.tolist() == ["A", "B"]

    coarse_pred = clf.coarse_.predict(X)
    routed = coarse_pred == "A+B"
    assert 0 < routed.sum() < len(y)
    pred = clf.predict(X)
    assert set(pred[routed]) == {"B"}
    np.testing.assert_array_equal(pred[~routed], coarse_pred[~routed])
    # the well-separated classes are recognised by the coarse model alone
    assert (pred[y == "C"] == "C").mean() > 0.95
    assert (pred[y == "D"] == "D").mean() > 0.95


@pytest.mark.parametrize(
    "coarse, fine",
    [
        (LogisticRegression(), DecisionTreeClassifier(random_state=0)),
        (KNeighborsClassifier(5), LogisticRegression()),
        (DecisionTreeClassifier(max_depth=3, random_state=0), KNeighborsClassifier(1)),
    ],
)
def test_predict_is_routing_of_the_parts(coarse, fine, blobs, rng):
    X, y = blobs
    clf = H(coarse, fine, confusable=["A", "B"]).fit(X, y)
    X_test, _ = _blobs(rng, n=25)
    coarse_pred = clf.coarse_.predict(X_test)
    expected = np.where(
        coarse_pred == clf.merged_label_, clf.fine_.predict(X_test), coarse_pred
    )
    np.testing.assert_array_equal(clf.predict(X_test), expected)
    assert set(clf.predict(X_test)) <= set(y)


def test_fine_is_fitted_on_the_confusable_samples_only(blobs):
    X, y = blobs
    clf = H(LogisticRegression(), KNeighborsClassifier(1), confusable=["A", "B"])
    clf.fit(X, y)
    in_set = np.isin(y, ["A", "B"])
    assert clf.fine_.n_samples_fit_ == in_set.sum()
    # 1-NN on its own training samples returns their labels
    np.testing.assert_array_equal(clf.fine_.predict(X[in_set]), y[in_set])


# --------------------------------------------------------------- probability
def test_predict_proba_is_composed_from_the_parts(blobs, rng):
    X, y = blobs
    clf = H(LogisticRegression(), LogisticRegression(C=0.5), confusable=["A", "B"])
    clf.fit(X, y)
    X_test, _ = _blobs(rng, n=20)
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)

    p_coarse = clf.coarse_.predict_proba(X_test)
    p_fine = clf.fine_.predict_proba(X_test)
    col = {c: j for j, c in enumerate(clf.coarse_.classes_)}
    fcol = {c: j for j, c in enumerate(clf.fine_.classes_)}
    for j, c in enumerate(clf.classes_):
        if c in ("A", "B"):
            expected = p_coarse[:, col["A+B"]] * p_fine[:, fcol[c]]
        else:
            expected = p_coarse[:, col[c]]
        np.testing.assert_allclose(proba[:, j], expected)
    np.testing.assert_allclose(clf.predict_log_proba(X_test), np.log(proba))


def test_predict_proba_only_when_both_parts_have_it(blobs):
    X, y = blobs
    clf = H(LogisticRegression(), RidgeClassifier(), confusable=["A", "B"])
    assert not hasattr(clf, "predict_proba")
    clf.fit(X, y)
    assert not hasattr(clf, "predict_proba")
    assert clf.predict(X).shape == (len(y),)
    # nothing merged: only the coarse model answers
    clf = H(LogisticRegression(), RidgeClassifier(), confusable=[]).fit(X, y)
    assert hasattr(clf, "predict_proba")


# ------------------------------------------------------- finding the set
def test_hash_detects_engineered_similar_pair(rng):
    X, y = _spectro_classes(rng)
    coarse = make_pipeline(FunctionTransformer(_flatten), LogisticRegression())
    fine = make_pipeline(FunctionTransformer(_flatten), KNeighborsClassifier(3))
    clf = H(coarse, fine, confusable="hash").fit(X, y)
    assert clf.confusable_ == ("ang", "sad")
    d = clf.similarity_
    assert d.kind == "distance"
    others = [d.at(a, b) for a in d.labels for b in d.labels if a < b]
    assert d.at("ang", "sad") == min(others) < sorted(others)[1]
    # ragged input flows through both levels
    pred = clf.predict(X)
    assert set(pred) <= set(y)
    assert (pred[np.isin(y, ["joy", "neu"])] == y[np.isin(y, ["joy", "neu"])]).all()


def test_hash_with_object_array_and_custom_hasher(rng):
    X, y = _spectro_classes(rng)
    X_obj = to_object_array(X)
    from sklearn_ser.features._hashing import SpectrogramHasher

    coarse = make_pipeline(FunctionTransformer(_flatten), LogisticRegression())
    clf = H(coarse, clone(coarse), confusable="hash", hasher=SpectrogramHasher(n=4))
    clf.fit(X_obj, y)
    assert clf.confusable_ == ("ang", "sad")
    assert clf.similarity_.values.max() <= 16  # 4 x 4 bits
    assert clf.predict(X_obj).shape == (len(y),)


def test_confusion_picks_the_overlapping_pair(blobs):
    X, y = blobs
    clf = H(LogisticRegression(), KNeighborsClassifier(), confusable="confusion", cv=3)
    clf.fit(X, y)
    assert clf.confusable_ == ("A", "B")
    s = clf.similarity_
    assert s.kind == "similarity"
    assert s.at("A", "B") > max(s.at("A", "C"), s.at("C", "D"), s.at("B", "D"))


def test_confusion_set_of_three(rng):
    centres = [(0.0, 0.0), (0.4, 0.0), (0.0, 0.4), (9.0, 0.0), (0.0, 9.0)]
    X = np.vstack([rng.normal(c, 1.0, size=(30, 2)) for c in centres])
    y = np.repeat(np.arange(5), 30)
    clf = H(LogisticRegression(), LogisticRegression(), n_confusable=3).fit(X, y)
    assert clf.confusable_ == (0, 1, 2)
    assert clf.merged_label_ == 5
    assert clf.coarse_.classes_.tolist() == [3, 4, 5]


def test_groups_reach_the_confusion_splitter(blobs):
    X, y = blobs
    groups = np.tile(np.arange(8), len(y) // 8)
    clf = H(LogisticRegression(), LogisticRegression(), cv=GroupKFold(4))
    clf.fit(X, y, groups=groups)
    assert clf.confusable_ == ("A", "B")
    with pytest.raises(ValueError, match="groups"):
        clf.fit(X, y)  # GroupKFold without groups


def test_groups_through_metadata_routing_in_a_search(blobs):
    import sklearn

    X, y = blobs
    groups = np.tile(np.arange(8), len(y) // 8)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = H(LogisticRegression(), LogisticRegression(), cv=GroupKFold(4))
        clf.set_fit_request(groups=True)
        search = GridSearchCV(clf, {"coarse__C": [0.1, 1.0]}, cv=GroupKFold(2))
        search.fit(X, y, groups=groups)  # GroupKFold(4) inside needs the groups
    assert search.best_estimator_.confusable_ == ("A", "B")


# ----------------------------------------------------------------- labels
def test_integer_labels(rng):
    X, y = _blobs(rng, labels=(3, 7, 1, 2))
    clf = H(LogisticRegression(), LogisticRegression(), confusable=[7, 3]).fit(X, y)
    assert clf.confusable_ == (3, 7)
    assert clf.merged_label_ == 8
    assert clf.coarse_.classes_.tolist() == [1, 2, 8]
    pred = clf.predict(X)
    assert pred.dtype == y.dtype
    assert set(pred.tolist()) <= {1, 2, 3, 7}
    assert clf.score(X, y) > 0.7


def test_explicit_merged_label(blobs):
    X, y = blobs
    clf = H(LogisticRegression(), LogisticRegression(), confusable=["A", "B"],
            merged_label="HN").fit(X, y)
    assert clf.coarse_.classes_.tolist() == ["C", "D", "HN"]
    assert set(clf.predict(X)) <= {"A", "B", "C", "D"}


def test_long_merged_label_is_not_truncated(rng):
    # fixed-width string labels: the merged label is longer than any class name
    X, y = _blobs(rng, labels=("a", "b", "c", "d"))
    assert y.dtype == np.dtype("<U1")
    clf = H(LogisticRegression(), LogisticRegression(), confusable=["a", "b"],
            merged_label="high-arousal-negative").fit(X, y)
    assert "high-arousal-negative" in clf.coarse_.classes_.tolist()
    assert clf.predict(X).dtype == y.dtype


@pytest.mark.parametrize(
    "merged_label, match",
    [("C", "is one of the classes"), (5, "must be a string")],
)
def test_bad_merged_label(blobs, merged_label, match):
    X, y = blobs
    clf = H(LogisticRegression(), LogisticRegression(), confusable=["A", "B"],
            merged_label=merged_label)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


# ------------------------------------------------------------- bad input
def test_unknown_confusable_classes_are_named(blobs):
    X, y = blobs
    clf = H(LogisticRegression(), LogisticRegression(), confusable=["A", "Z", "E"])
    with pytest.raises(ValueError, match=r"not in y: \['Z', 'E'\]"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "confusable, match",
    [(["A"], "at least 2 classes"), (["A", "B", "A"], "more than once")],
)
def test_bad_confusable_list(blobs, confusable, match):
    X, y = blobs
    clf = H(LogisticRegression(), LogisticRegression(), confusable=confusable)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


def test_confusable_string_must_be_a_method(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="confusable"):
        H(LogisticRegression(), LogisticRegression(), confusable="A").fit(X, y)


def test_bad_n_confusable(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="n_confusable"):
        H(LogisticRegression(), LogisticRegression(), n_confusable=1).fit(X, y)


@pytest.mark.parametrize("confusable", ["confusion", "hash", ["A", "B"]])
def test_merging_every_class_falls_back_to_coarse(rng, confusable):
    X, y = _blobs(rng, labels=("A", "B", "C", "D"))
    keep = np.isin(y, ["A", "B"])
    X, y = X[keep], y[keep]
    hasher = FunctionTransformer(lambda Z: Z > 0)  # 2-D input: any 0/1 hasher
    clf = H(LogisticRegression(), KNeighborsClassifier(), confusable=confusable,
            hasher=hasher)
    with pytest.warns(UserWarning, match="single class; nothing is merged"):
        clf.fit(X, y)
    assert clf.confusable_ == () and clf.fine_ is None
    np.testing.assert_array_equal(
        clf.predict(X), LogisticRegression().fit(X, y).predict(X)
    )


# --------------------------------------------------------------- API
def test_clone_and_get_params():
    clf = H(LogisticRegression(C=0.3), KNeighborsClassifier(4), confusable=["a", "b"])
    params = clf.get_params(deep=True)
    assert params["coarse__C"] == 0.3 and params["fine__n_neighbors"] == 4
    twin = clone(clf)
    assert twin.coarse is not clf.coarse
    assert twin.get_params()["confusable"] == ["a", "b"]


def test_fit_does_not_change_the_given_estimators(blobs):
    X, y = blobs
    coarse, fine = LogisticRegression(), LogisticRegression()
    H(coarse, fine, confusable="confusion").fit(X, y)
    assert not hasattr(coarse, "coef_") and not hasattr(fine, "coef_")


def test_pickle_round_trip(blobs):
    X, y = blobs
    clf = H(LogisticRegression(), KNeighborsClassifier(), confusable="confusion")
    clf.fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert again.confusable_ == clf.confusable_


def test_refit_is_idempotent(blobs):
    X, y = blobs
    clf = H(LogisticRegression(), LogisticRegression(), confusable="confusion")
    first = clf.fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(clf.fit(X, y).predict_proba(X), first)


def test_grid_search_tunes_both_levels(blobs):
    X, y = blobs
    clf = H(LogisticRegression(), LogisticRegression(), confusable=["A", "B"])
    search = GridSearchCV(
        clf, {"coarse__C": [1e-4, 1.0], "fine__C": [1e-4, 1.0]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(X, y)
    assert set(search.best_params_) == {"coarse__C", "fine__C"}
    # a vanishing C makes the coarse model useless: the search must avoid it
    assert search.best_params_["coarse__C"] == 1.0
    assert search.best_estimator_.coarse_.C == 1.0


def test_input_not_modified(rng):
    X, y = _spectro_classes(rng)
    X_before = [x.copy() for x in X]
    y_before = y.copy()
    coarse = make_pipeline(FunctionTransformer(_flatten), LogisticRegression())
    clf = H(coarse, clone(coarse), confusable="hash").fit(X, y)
    clf.predict(X)
    clf.predict_proba(X)
    for a, b in zip(X, X_before):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(y, y_before)


def test_predict_before_fit_raises(blobs):
    from sklearn.exceptions import NotFittedError

    X, _ = blobs
    with pytest.raises(NotFittedError):
        H(LogisticRegression(), LogisticRegression()).predict(X)


def test_n_features_in_follows_coarse(blobs):
    X, y = blobs
    clf = H(LogisticRegression(), LogisticRegression(), confusable=["A", "B"])
    assert not hasattr(clf, "n_features_in_")
    assert clf.fit(X, y).n_features_in_ == 2


def test_no_warning_on_a_regular_fit(blobs):
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        H(LogisticRegression(), LogisticRegression()).fit(X, y)


@pytest.mark.slow
def test_deep_sub_estimators_on_ragged_features(rng):
    """li2021's set-up in miniature: skorch LSTM classifiers at both levels."""
    from sklearn_ser import losses

    if not hasattr(losses, "CrossEntropyLoss"):
        pytest.skip("sklearn_ser.losses is not implemented yet in this checkout")
    from sklearn_ser.models import SERClassifier
    from sklearn_ser.nn import DoubleLSTM

    X, y = _spectro_classes(rng, n_per_class=6)
    X = to_object_array([x.astype(np.float32) for x in X])

    def lstm():
        return SERClassifier(DoubleLSTM, module__hidden_size=8, max_epochs=3,
                             optimizer__lr=3e-2, segment_frames=None,
                             random_state=0)

    clf = H(lstm(), lstm(), confusable="hash", merged_label="HN").fit(X, y)
    assert clf.confusable_ == ("ang", "sad")
    assert clf.coarse_.classes_.tolist() == ["HN", "joy", "neu"]
    assert clf.fine_.classes_.tolist() == ["ang", "sad"]
    coarse_pred = clf.coarse_.predict(X)
    expected = np.where(coarse_pred == "HN", clf.fine_.predict(X), coarse_pred)
    np.testing.assert_array_equal(clf.predict(X), expected)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0, rtol=1e-5)


# -------------------------------------------------------- common checks
def _expected_failures(estimator):
    return {
        "check_classifiers_train": (
            "predict routes hard as li2021 §6.4 (the fine model decides exactly when "
            "the coarse model predicts the merged class); the arg-max of the "
            "composed predict_proba can differ on a sample near a boundary"
        ),
    }


@parametrize_with_checks(
    [H(LogisticRegression(), LogisticRegression(), confusable="confusion",
       n_confusable=2)],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        # binary data sets of the checks: merging 2 of 2 classes is skipped
        warnings.filterwarnings("ignore", message=".*nothing is merged")
        check(estimator)
