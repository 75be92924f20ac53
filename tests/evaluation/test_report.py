"""EvaluationReport: lossless JSON, CSV, markdown, plot, CI, figures."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.evaluation import EvaluationReport, evaluate
from sklearn_ser.metrics import per_class_recall, unweighted_accuracy, weighted_accuracy


@pytest.fixture(scope="module")
def report(tiny_corpus):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from sklearn_ser.features import MFCC, FrameStatistics

    pipe = make_pipeline(MFCC(n_mfcc=13), FrameStatistics(), StandardScaler(), SVC())
    return evaluate(
        pipe,
        tiny_corpus.X,
        tiny_corpus.y,
        speaker=tiny_corpus.speaker,
        protocol="loso",
        seeds=(0, 1),
        name="svm",
        corpus="tiny synthetic",
    )


def test_json_round_trip_is_lossless(report, tmp_path):
    """Must-show: to_json -> from_json gives the same report, figure for figure."""
    text = report.to_json()
    back = EvaluationReport.from_json(text)
    assert back == report
    assert back.to_json() == text
    assert back.to_dict() == report.to_dict()
    for attr in (
        "WA",
        "UA",
        "UA_ci",
        "WA_ci",
        "classes",
        "speakers",
        "protocol",
        "seeds",
        "runs",
        "leakage",
        "estimator",
        "versions",
        "ci",
    ):
        assert getattr(back, attr) == getattr(report, attr), attr
    np.testing.assert_array_equal(back.confusion_matrix, report.confusion_matrix)
    assert back.per_speaker_UA == report.per_speaker_UA
    for seed in (0, 1):
        a, b = back.predictions(seed), report.predictions(seed)
        for key in ("index", "fold", "y_true", "y_pred", "speaker"):
            np.testing.assert_array_equal(a[key], b[key])
    # through a file too
    path = tmp_path / "sub" / "r.json"
    report.to_json(path)
    assert EvaluationReport.from_json(path) == report
    # and it is standard JSON (no NaN)
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard {c}"))


def test_report_records_what_the_issue_lists(report, tiny_corpus):
    d = report.to_dict()
    assert report.protocol["name"] == "loso" and report.seeds == [0, 1]
    assert {"sklearn_ser", "scikit-learn", "numpy", "python"} <= set(report.versions)
    assert report.estimator["class"] == "sklearn.pipeline.Pipeline"
    assert report.estimator["params"]["svc__C"] == 1.0
    assert report.estimator["params"]["mfcc__n_mfcc"] == 13
    assert report.ci["unit"] == "speaker" and report.ci["n_units"] == 4
    assert report.summary["fit_seconds"] > 0 and report.summary["predict_seconds"] > 0
    assert d["leakage"]["speaker_checked"] and d["leakage"]["duplicates_checked"]
    assert report.corpus == "tiny synthetic"
    assert set(report.per_class_recall) == set(tiny_corpus.target_names)
    # pooled figures agree with sklearn_ser.metrics on the predictions of each seed
    for run in report.runs:
        p = report.predictions(run["seed"])
        assert run["UA"] == pytest.approx(unweighted_accuracy(p.y_true, p.y_pred))
        assert run["WA"] == pytest.approx(weighted_accuracy(p.y_true, p.y_pred))
        rec = per_class_recall(p.y_true, p.y_pred, labels=report.classes)
        np.testing.assert_allclose(run["per_class_recall"], rec.recall)
    assert report.confusion_matrix.sum() == 2 * len(tiny_corpus.y)
    assert report.UA_ci[0] <= report.UA <= report.UA_ci[1]


def test_bootstrap_is_seeded_and_over_speakers(tiny_corpus):
    y = np.array(["a", "b"] * 20)
    spk = np.repeat(["s0", "s1", "s2", "s3", "s4"], 8)
    pred = y.copy()
    pred[:8] = "a"  # speaker s0 at chance
    r1 = EvaluationReport.from_predictions(y, pred, speaker=spk)
    r2 = EvaluationReport.from_predictions(y, pred, speaker=spk)
    r3 = EvaluationReport.from_predictions(y, pred, speaker=spk, ci_random_state=1)
    assert r1.UA_ci == r2.UA_ci
    assert r1.ci["unit"] == "speaker" and r1.ci["n_units"] == 5
    # over speakers the interval can only reach values some speaker mix gives
    assert r1.UA_ci[1] == 1.0 and r1.UA_ci[0] >= 0.5
    assert r3.UA_ci[0] <= r3.UA <= r3.UA_ci[1]
    r4 = EvaluationReport.from_predictions(y, pred)
    assert r4.ci["unit"] == "utterance" and r4.ci["n_units"] == 40
    assert r4.speakers is None and r4.per_speaker_UA == {}


def test_return_predictions_false_keeps_the_figures(report, tiny_corpus):
    from sklearn.dummy import DummyClassifier

    X = np.zeros((len(tiny_corpus.y), 1))
    kept = evaluate(
        DummyClassifier(),
        X,
        tiny_corpus.y,
        speaker=tiny_corpus.speaker,
        protocol="loso",
        check_duplicates=False,
    )
    lean = evaluate(
        DummyClassifier(),
        X,
        tiny_corpus.y,
        speaker=tiny_corpus.speaker,
        protocol="loso",
        check_duplicates=False,
        return_predictions=False,
    )
    assert not lean.has_predictions and lean.UA_ci == kept.UA_ci
    assert "y_pred" not in lean.runs[0]["folds"][0]
    assert EvaluationReport.from_json(lean.to_json()) == lean
    with pytest.raises(ValueError, match="return_predictions=False"):
        lean.predictions()


def test_csv(report, tmp_path):
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert len(rows) == 2 * 4 + 2  # (seed, fold) rows, then one pooled row per seed
    assert rows[0]["seed"] == "0" and rows[0]["fold"] == "1"
    assert float(rows[-1]["UA"]) == pytest.approx(report.runs[1]["UA"])
    assert rows[-1]["fold"] == "pooled"
    pred = list(csv.DictReader(io.StringIO(report.to_csv(what="predictions"))))
    assert len(pred) == 2 * report.to_dict()["n_utterances"]
    report.to_csv(tmp_path / "f.csv")
    assert (tmp_path / "f.csv").read_text() == report.to_csv()
    with pytest.raises(ValueError, match="what must be"):
        report.to_csv(what="nope")


def test_markdown(report):
    md = report.to_markdown()
    assert "leave-one-speaker-out" in md and "speaker-independent" in md
    assert f"{report.UA:.3f}" in md
    assert f"[{report.UA_ci[0]:.3f}, {report.UA_ci[1]:.3f}]" in md
    assert "std over seeds" in md and "Leakage checks" in md
    for spk in report.speakers:
        assert f"| {spk} |" in md


def test_text(report):
    text = report.to_text()
    assert "leave-one-speaker-out" in text and f"UA {report.UA:.3f}" in text
    assert text.count("\n") > 2 * 4  # a line per (seed, fold)


def test_plot(report):
    import matplotlib.pyplot as plt

    fig = report.plot()
    assert len(fig.axes) >= 2
    assert "UA" in fig.axes[0].get_title()
    assert len(fig.axes[1].patches) >= len(report.speakers)
    plt.close(fig)


def test_bad_json():
    with pytest.raises(ValueError, match="format"):
        EvaluationReport({"format": "other"})
    with pytest.raises(ValueError, match="neither JSON text nor an existing file"):
        EvaluationReport.from_json("no/such/file.json")


@pytest.mark.filterwarnings("ignore::UserWarning")  # sklearn, on the reference side
@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 2)),
        min_size=2,
        max_size=40,
    )
)
def test_figures_match_metrics_property(rows):
    """WA / UA / recall from the report = sklearn_ser.metrics, and JSON is lossless."""
    y = np.array([r[0] for r in rows])
    pred = np.array([r[1] for r in rows])
    pred = np.where(np.isin(pred, y), pred, y[0])  # predictions among the classes
    spk = np.array([f"s{r[2]}" for r in rows])
    r = EvaluationReport.from_predictions(y, pred, speaker=spk, n_boot=20)
    assert r.WA == pytest.approx(weighted_accuracy(y, pred))
    assert r.UA == pytest.approx(unweighted_accuracy(y, pred))
    assert EvaluationReport.from_json(r.to_json()) == r
    for s, value in r.per_speaker_UA.items():
        m = spk == s
        assert value == pytest.approx(unweighted_accuracy(y[m], pred[m]))


def test_hold_out_counts_and_bootstraps_only_what_was_tested(tiny_corpus):
    """A split that tests some speakers: the class support is what was tested and
    the CI's units are the tested speakers, not the whole corpus's."""
    from sklearn.dummy import DummyClassifier
    from sklearn.pipeline import make_pipeline

    from sklearn_ser.features import FrameStatistics, MFCC

    spk = np.asarray(tiny_corpus.speaker)
    held = np.unique(spk)[-2:]
    test = np.flatnonzero(np.isin(spk, held))
    train = np.flatnonzero(~np.isin(spk, held))
    pipe = make_pipeline(MFCC(n_mfcc=4), FrameStatistics(), DummyClassifier())
    rep = evaluate(pipe, tiny_corpus.X, tiny_corpus.y, speaker=spk,
                   cv=[(train, test)], name="dummy")
    assert rep.ci["unit"] == "speaker" and rep.ci["n_units"] == 2
    y_test = np.asarray(tiny_corpus.y)[test]
    rows = [ln.split("|") for ln in rep.to_markdown().splitlines()
            if ln.startswith("| ") and ln.count("|") == 4]
    support = {r[1].strip(): int(r[3]) for r in rows if r[1].strip() in rep.classes}
    assert support == {c: int((y_test == c).sum()) for c in rep.classes}
