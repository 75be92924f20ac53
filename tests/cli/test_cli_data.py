"""Issue 18, data selection and splits: --data refuses a folder of corpora,
--speakers / --exclude-speakers, --cv holdout, --protocol, predict on folders and
manifests with scores when the labels are known."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import RECIPE


def _fake_corpus(folder, layout):
    folder.mkdir(parents=True)
    if layout == "labels":
        (folder / "labels.csv").write_text("path,label,speaker\n")
    else:
        (folder / "Actor_01").mkdir()


@pytest.mark.parametrize("cv", [[], ["--cv", "kfold:2"]])
def test_data_refuses_a_folder_of_corpora_and_lists_them(cli, tmp_path, cv):
    _fake_corpus(tmp_path / "emodb", "labels")
    _fake_corpus(tmp_path / "ravdess", "actors")
    result = cli("evaluate", "--recipe", RECIPE, "--data", tmp_path, *cv)
    assert result.code == 1 and len(result.errors) == 1, result.err
    assert "folder of corpora (emodb, ravdess)" in result.errors[0]
    assert "speaker" not in result.errors[0]  # the real problem, not a symptom


def test_data_refuses_the_staged_corpora_folder(cli, ser_data):
    result = cli("train", "--recipe", RECIPE, "--data", ser_data, "--out",
                 ser_data / "never.sser")
    assert result.code == 1 and "folder of corpora" in result.err


def test_speakers_select_the_training_utterances(model, corpus):
    rows = list(csv.DictReader(open(corpus / "manifest.csv")))
    n = sum(r["speaker"] in ("spk00", "spk01") for r in rows)
    run = json.loads(model.with_name(model.name + ".run.json").read_text())["cli"]
    assert run["speakers"] == "spk0[01]"
    assert run["speakers_used"] == ["spk00", "spk01"] and run["n_utterances"] == n


@pytest.mark.parametrize("option", ["--speakers", "--exclude-speakers"])
def test_a_speaker_pattern_matching_nobody_lists_the_speakers(cli, corpus, option,
                                                             tmp_path):
    result = cli("train", "--recipe", RECIPE, "--data", corpus / "manifest.csv",
                 option, "spk9*", "--out", tmp_path / "m.sser")
    assert result.code == 1 and len(result.errors) == 1
    assert "'spk9*' matches no speaker" in result.err and "spk00, spk01, spk02" \
        in result.err


def test_cv_holdout_trains_on_the_others_and_tests_the_named_speakers(cli, corpus):
    result = cli("evaluate", "--recipe", RECIPE, "--data", corpus / "manifest.csv",
                 "--max-epochs", "1", "--cv", "holdout:2", "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    (fold,) = report["runs"][0]["folds"]
    n_test = sum(s == "spk02" for s in report["speaker"])
    assert fold["test_speakers"] == ["spk02"] and fold["n_test"] == n_test
    assert fold["n_train"] == 12 - n_test  # every other speaker, none of spk02
    assert report["protocol"]["name"] == "holdout"
    assert report["leakage"]["speaker_checked"] is True
    assert report["cli"]["cv"] == "holdout:2"
    assert "fold 1/1 UA=" in result.err


def test_protocol_and_seeds_with_csv_output(cli, corpus):
    result = cli("evaluate", "--recipe", RECIPE, "--data", corpus / "manifest.csv",
                 "--max-epochs", "1", "--protocol", "random-split", "--seeds", "0,1",
                 "--format", "csv", "--quiet")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [r["seed"] for r in rows] == ["0", "1", "0", "1"]  # folds, then pooled
    assert result.err == ""


def test_cv_and_protocol_must_agree(cli, corpus):
    result = cli("evaluate", "--recipe", RECIPE, "--data", corpus / "manifest.csv",
                 "--protocol", "loso", "--cv", "kfold:3")
    assert result.code == 1
    assert "--protocol loso and --cv stratified-kfold disagree" in result.err


def test_predict_a_manifest_prints_and_writes_the_scores(cli, model, corpus,
                                                        tmp_path):
    result = cli("predict", "--model", model, corpus / "manifest.csv",
                 "--out", tmp_path / "pred")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert len(rows) == 12 and {"true_label", "anger"} <= set(rows[0])
    for text in ("pooled over folds: WA", "recall", "confusion matrix"):
        assert text in result.err
    report = json.loads((tmp_path / "pred" / "report.json").read_text())
    wa = sum(r["label"] == r["true_label"] for r in rows) / len(rows)
    assert report["summary"]["WA"] == pytest.approx(wa)
    assert (tmp_path / "pred" / "confusion_matrix.png").is_file()
    assert "confusion matrix" in (tmp_path / "pred" / "scores.txt").read_text()


def test_predict_a_folder_and_a_speaker_selection(cli, model, corpus):
    result = cli("predict", "--model", model, corpus / "audio")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert len(rows) == 12 and "true_label" not in rows[0]
    assert "confusion" not in result.err  # no labels, no scores
    result = cli("predict", "--model", model, corpus / "manifest.csv",
                 "--speakers", "spk02", "--format", "json")
    rows = json.loads(result.out)
    assert 0 < len(rows) < 12 and all(r["true_label"] is not None for r in rows)


def test_predict_a_folder_of_class_subfolders_knows_the_labels(cli, model, corpus,
                                                              tmp_path):
    import shutil

    for label, name in (("anger", "u00.wav"), ("neutral", "u01.wav")):
        (tmp_path / label).mkdir()
        shutil.copy(corpus / "audio" / name, tmp_path / label / name)
    result = cli("predict", "--model", model, tmp_path)
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert sorted(r["true_label"] for r in rows) == ["anger", "neutral"]
    assert "scores over the 2 of 2 files" in result.err


# ------------------------------------------------------- every recipe's model file
def test_every_recipe_is_storable_or_refused_before_training(
    cli, corpus, tmp_path, monkeypatch
):
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline

    from sklearn_ser import recipes
    from sklearn_ser.cli._model import check_storable
    from sklearn_ser.features import MFCC, FrameStatistics

    for name in recipes.RECIPES:  # every recipe can be written to a model file
        check_storable(recipes.make_recipe(name), name)
    # a pipeline a model file cannot hold is refused before any training
    unsupported = make_pipeline(MFCC(), FrameStatistics(), KNeighborsClassifier())
    monkeypatch.setattr(recipes, "make_recipe", lambda *a, **k: unsupported)
    result = cli("train", "--recipe", "egemaps_svm", "--data",
                 corpus / "manifest.csv", "--out", tmp_path / "m.sser")
    assert result.code == 1 and "KNeighborsClassifier" in result.err
    assert "nothing was trained" in result.err and "training" not in result.err


def test_egemaps_svm_round_trips_through_train_and_predict(cli, corpus, tmp_path):
    """The speaker-normalised baseline: its SpeakerNormalizer is stored too."""
    import numpy as np
    from sklearn import config_context

    from sklearn_ser import recipes
    from sklearn_ser.datasets import load_manifest

    out = tmp_path / "egemaps.sser"
    result = cli("train", "--recipe", "egemaps_svm", "--data",
                 corpus / "manifest.csv", "--out", out, "--quiet")
    assert result.code == 0, result.err
    result = cli("predict", "--model", out, corpus / "manifest.csv", "--quiet")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    data = load_manifest(corpus / "manifest.csv")
    with config_context(enable_metadata_routing=True):
        pipe = recipes.make_recipe("egemaps_svm", random_state=0)
        pipe.fit(data.X, data.y, speaker=data.speaker)
        expected = pipe.predict(data.X, speaker=data.speaker)
    assert [r["label"] for r in rows] == list(np.asarray(expected).astype(str))
    # no probabilities (SVC): the per-class decision values are the scores
    assert {"score_anger", "score_neutral", "score_sadness"} <= set(rows[0])
