"""evaluate(): protocols, equivalence with a hand-written loop, seeds, routing, jobs."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from joblib import parallel_config
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import (
    GroupKFold,
    LeaveOneGroupOut,
    StratifiedGroupKFold,
    cross_val_predict,
)
from sklearn.pipeline import make_pipeline

from sklearn_ser.evaluation import evaluate
from sklearn_ser.metrics import unweighted_accuracy, weighted_accuracy


def test_loso_equals_hand_written_loop(corpus, svm):
    """Must-show: pooled UA of 'loso' = LeaveOneGroupOut + cross_val_predict."""
    _, F, y, spk = corpus
    report = evaluate(svm(), F, y, speaker=spk, protocol="loso")
    y_hand = cross_val_predict(svm(), F, y, groups=spk, cv=LeaveOneGroupOut())
    assert report.UA == pytest.approx(unweighted_accuracy(y, y_hand), abs=1e-12)
    assert report.WA == pytest.approx(weighted_accuracy(y, y_hand), abs=1e-12)
    pred = report.predictions()
    np.testing.assert_array_equal(pred.y_pred, y_hand[pred.index])
    assert sorted(pred.index.tolist()) == list(range(len(y)))
    # per-fold figures are those of each left-out speaker
    for fold in report.runs[0]["folds"]:
        (s,) = fold["test_speakers"]
        mask = spk == s
        assert fold["UA"] == pytest.approx(unweighted_accuracy(y[mask], y_hand[mask]))
        assert report.per_speaker_UA[s] == pytest.approx(fold["UA"])


@pytest.mark.parametrize(
    "protocol, n_folds, shared",
    [
        ("loso", 4, False),
        ("speaker-kfold", 2, False),
        ("stratified-kfold", 3, True),
        ("random-split", 1, True),
    ],
)
def test_protocols(corpus, svm, protocol, n_folds, shared):
    _, F, y, spk = corpus
    n_splits = None if protocol in ("loso", "random-split") else n_folds
    report = evaluate(
        svm(),
        F,
        y,
        speaker=spk,
        protocol=protocol,
        n_splits=n_splits,
        test_size=0.25,
        n_boot=50,
    )
    folds = report.runs[0]["folds"]
    assert report.protocol["name"] == protocol
    assert len(folds) == n_folds == report.protocol["n_splits"]
    assert report.protocol["speaker_independent"] is (not shared)
    assert bool(report.leakage["folds_sharing_speakers"]) is shared
    if protocol == "random-split":
        assert folds[0]["n_test"] == 6 and folds[0]["n_train"] == 18
        assert "75/25" in report.protocol["description"]
    else:
        assert sum(f["n_test"] for f in folds) == len(y)


def test_speaker_kfold_folds_are_speaker_disjoint_and_match_splitter(corpus, svm):
    _, F, y, spk = corpus
    report = evaluate(
        svm(),
        F,
        y,
        speaker=spk,
        protocol="speaker-kfold",
        n_splits=2,
        split_random_state=3,
        n_boot=0,
    )
    cv = StratifiedGroupKFold(n_splits=2, shuffle=True, random_state=3)
    expected = [te.tolist() for _, te in cv.split(F, y, spk)]
    assert [f["test_index"] for f in report.runs[0]["folds"]] == expected
    assert report.UA_ci is None  # n_boot=0: no interval


def test_custom_cv_and_errors(corpus, svm):
    _, F, y, spk = corpus
    report = evaluate(svm(), F, y, speaker=spk, cv=GroupKFold(2), n_boot=10)
    assert report.protocol["name"] == "custom"
    assert "GroupKFold" in report.protocol["cv"]
    with pytest.raises(ValueError, match="protocol must be one of"):
        evaluate(svm(), F, y, speaker=spk, protocol="kfold")
    with pytest.raises(ValueError, match="pass speaker="):
        evaluate(svm(), F, y, protocol="loso")
    with pytest.raises(ValueError, match="either protocol= or cv="):
        evaluate(svm(), F, y, speaker=spk, protocol="loso", cv=GroupKFold(2))
    with pytest.raises(ValueError, match="X has 23 items"):
        evaluate(svm(), F[:-1], y, speaker=spk)
    with pytest.raises(ValueError, match="n_splits <= the number of speakers"):
        evaluate(svm(), F, y, speaker=spk, protocol="speaker-kfold", n_splits=5)


def test_seeds_set_nested_random_state(corpus, svm):
    """Each seed sets every *random_state parameter; same seed, same predictions."""
    _, F, y, spk = corpus

    def pipe():
        return make_pipeline(DummyClassifier(strategy="uniform"))

    report = evaluate(
        pipe(), F, y, speaker=spk, protocol="loso", seeds=(0, 1, 0), n_boot=20
    )
    assert report.seeds == [0, 1, 0]
    assert report.estimator["random_state_params"] == ["dummyclassifier__random_state"]
    p0, p1 = (report.predictions(s).y_pred for s in (0, 1))
    runs = report.runs
    assert [f["y_pred"] for f in runs[0]["folds"]] == [
        f["y_pred"] for f in runs[2]["folds"]
    ]
    assert np.any(p0 != p1)
    # seed 1 as set by hand
    hand = cross_val_predict(
        make_pipeline(DummyClassifier(strategy="uniform", random_state=1)),
        F,
        y,
        groups=spk,
        cv=LeaveOneGroupOut(),
    )
    assert runs[1]["UA"] == pytest.approx(unweighted_accuracy(y, hand))
    assert report.UA == pytest.approx(np.mean([r["UA"] for r in runs]))
    assert report.summary["UA_std_seeds"] > 0


def test_parallel_equals_sequential_and_callback(corpus, svm):
    _, F, y, spk = corpus
    calls = []
    seq = evaluate(
        svm(), F, y, speaker=spk, protocol="loso", callback=calls.append, n_boot=20
    )
    assert [c["fold"] for c in calls] == [1, 2, 3, 4]
    assert {"seed", "n_folds", "WA", "UA", "fit_seconds", "n_test"} <= set(calls[0])
    assert calls[0]["UA"] == pytest.approx(seq.runs[0]["folds"][0]["UA"])
    calls.clear()
    # the parallel branch, on threads (process workers take long to start here)
    with parallel_config(backend="threading"):
        par = evaluate(
            svm(),
            F,
            y,
            speaker=spk,
            protocol="loso",
            n_jobs=2,
            callback=calls.append,
            n_boot=20,
        )
    assert len(calls) == 4
    assert par.predictions().y_pred.tolist() == seq.predictions().y_pred.tolist()
    assert par.UA_ci == seq.UA_ci


def test_dask_backend(corpus, svm):
    """The folds run on a Dask cluster through joblib's dask backend."""
    distributed = pytest.importorskip("dask.distributed")
    _, F, y, spk = corpus
    ref = evaluate(svm(), F, y, speaker=spk, protocol="loso", n_boot=20)
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ):
        with parallel_config(backend="dask"):
            rep = evaluate(
                svm(), F, y, speaker=spk, protocol="loso", n_jobs=-1, n_boot=20
            )
    assert rep.predictions().y_pred.tolist() == ref.predictions().y_pred.tolist()
    assert rep.UA == ref.UA


class _SpeakerCheck(TransformerMixin, BaseEstimator):
    """Passes X through; fit records the speakers it was given (metadata routing)."""

    def fit(self, X, y=None, speaker=None):
        if speaker is None or len(speaker) != len(X):
            raise ValueError("_SpeakerCheck: speaker not routed")
        self.speakers_ = sorted(set(np.asarray(speaker).tolist()))
        return self

    def transform(self, X):
        return X


def test_speaker_reaches_steps_that_request_it(corpus, svm):
    _, F, y, spk = corpus
    with sklearn.config_context(enable_metadata_routing=True):
        step = _SpeakerCheck().set_fit_request(speaker=True)
        pipe = make_pipeline(step, svm())
        report = evaluate(pipe, F, y, speaker=spk, protocol="loso", n_boot=10)
        assert report.summary is not None
        assert report._data["metadata_routed"] == {"fit": ["speaker"], "predict": []}
        # a pipeline that requests nothing is evaluated without the metadata
        plain = evaluate(svm(), F, y, speaker=spk, protocol="loso", n_boot=10)
        assert plain._data["metadata_routed"]["fit"] == []
    assert report.UA == plain.UA


def test_extra_scoring_is_stored_per_fold(corpus, svm):
    _, F, y, spk = corpus
    report = evaluate(
        svm(),
        F,
        y,
        speaker=spk,
        protocol="loso",
        scoring={"acc": "accuracy"},
        n_boot=10,
    )
    for fold in report.runs[0]["folds"]:
        assert fold["scores"]["acc"] == pytest.approx(fold["WA"])
    assert "acc" in report.to_csv().splitlines()[0]


def test_input_not_modified(corpus, svm):
    _, F, y, spk = corpus
    y0, spk0 = y.copy(), spk.copy()
    est = svm()
    evaluate(est, F, y, speaker=spk, protocol="loso", n_boot=10)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(spk, spk0)
    assert not hasattr(est[-1], "support_")  # the given estimator is never fitted
