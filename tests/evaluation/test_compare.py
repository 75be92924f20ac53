"""compare(): paired bootstrap over speakers on the same folds."""

from __future__ import annotations

import numpy as np
import pytest

from sklearn_ser.evaluation import EvaluationReport, compare, evaluate


def test_clear_difference_is_larger_than_the_noise():
    rng = np.random.default_rng(0)
    y = np.array(["a", "b", "c"] * 40)
    spk = np.repeat([f"s{i}" for i in range(8)], 15)
    good = y.copy()
    good[rng.random(len(y)) < 0.1] = "a"
    bad = np.where(rng.random(len(y)) < 0.6, rng.choice(["a", "b", "c"], len(y)), y)
    ra = EvaluationReport.from_predictions(y, good, speaker=spk, name="good")
    rb = EvaluationReport.from_predictions(y, bad, speaker=spk, name="bad")
    res = compare(ra, rb)
    assert res.significant and res.difference == pytest.approx(ra.UA - rb.UA)
    assert res.difference > 0
    assert res.ci[0] > 0 and res.p_value < 0.05
    assert res.unit == "speaker" and res.n_units == 8
    assert res.wilcoxon_p is not None and res.wilcoxon_p < 0.05
    assert "larger than the noise" in res.sentence and "not" not in res.sentence
    assert "good minus bad" in str(res)
    back = compare(rb, ra)
    assert back.difference == pytest.approx(-res.difference)


def test_same_model_is_not_different(corpus, svm):
    _, F, y, spk = corpus
    a = evaluate(svm(), F, y, speaker=spk, protocol="loso", n_boot=20)
    res = compare(a, a)
    assert res.difference == 0 and not res.significant and res.p_value == 1.0
    assert "not larger than the noise" in res.sentence


def test_reports_on_other_folds_are_refused(corpus, svm):
    _, F, y, spk = corpus
    a = evaluate(
        svm(),
        F,
        y,
        speaker=spk,
        protocol="stratified-kfold",
        n_splits=3,
        split_random_state=0,
        n_boot=10,
    )
    b = evaluate(
        svm(),
        F,
        y,
        speaker=spk,
        protocol="stratified-kfold",
        n_splits=3,
        split_random_state=1,
        n_boot=10,
    )
    with pytest.raises(ValueError, match="different folds"):
        compare(a, b)
    with pytest.raises(ValueError, match="metric must be"):
        compare(a, a, metric="F1")
    with pytest.raises(TypeError, match="EvaluationReport"):
        compare(a, {})


def test_without_speakers_pairs_utterances():
    y = np.array(["a", "b"] * 30)
    pred = y.copy()
    pred[:6] = "a"
    a = EvaluationReport.from_predictions(y, y)
    b = EvaluationReport.from_predictions(y, pred)
    res = compare(a, b, metric="WA")
    assert res.unit == "utterance" and res.n_units == 60
    assert res.difference == pytest.approx(3 / 60)
