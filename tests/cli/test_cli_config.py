"""Issue 18, parameters and output: --set, --config (TOML), the configuration
echoed into the outputs and read back, --device, --max-epochs help, the recipes
command, the training history, fold and epoch progress of the demo."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import RECIPE


def test_set_device_and_the_history_beside_the_model(cli, corpus, tmp_path):
    from sklearn_ser.io import load_model

    out = tmp_path / "m.sser"
    result = cli("train", "--recipe", RECIPE, "--data", corpus / "manifest.csv",
                 "--set", "clf__max_epochs=2", "--set", "clf__optimizer__lr=3e-3",
                 "--set", "clf__module__pooling=mean", "--device", "cpu", "--out", out)
    assert result.code == 0, result.err
    params = load_model(out).get_params()
    assert params["clf__max_epochs"] == 2 and params["clf__optimizer__lr"] == 3e-3
    assert params["clf__module__pooling"] == "mean" and params["clf__device"] == "cpu"
    run = json.loads((tmp_path / "m.sser.run.json").read_text())["cli"]
    assert run["set"] == {"clf__max_epochs": 2, "clf__optimizer__lr": 3e-3,
                          "clf__module__pooling": "mean"}
    assert run["device"] == "cpu" and run["recipe"] == RECIPE
    with open(tmp_path / "m.sser.history.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert {"train_loss", "dur"} <= set(rows[0]) and float(rows[0]["train_loss"]) > 0
    # epoch progress as lines (stderr is no terminal here)
    assert "training: epoch 2/2 train_loss=" in result.err


def test_set_an_unknown_parameter_names_close_ones(cli, corpus, tmp_path):
    result = cli("train", "--recipe", RECIPE, "--data", corpus / "manifest.csv",
                 "--set", "clf__max_epoch=3", "--out", tmp_path / "m.sser")
    assert result.code == 1 and len(result.errors) == 1
    assert "--set clf__max_epoch: not a parameter" in result.err
    assert "clf__max_epochs" in result.err


def test_set_needs_name_equals_value(cli, corpus):
    result = cli("train", "--recipe", RECIPE, "--data", corpus, "--set", "oops",
                 "--out", "x")
    assert result.code == 2 and "expected name=value" in result.err


def test_config_file_and_rerun_from_the_report(cli, corpus, tmp_path):
    config = tmp_path / "run.toml"
    config.write_text(
        f'recipe = "{RECIPE}"\ndata = "{corpus / "manifest.csv"}"\n'
        'split = "holdout:spk00"\n\n[set]\nclf__max_epochs = 1\n'
    )
    first = cli("evaluate", "--config", config, "--out", tmp_path / "r1.json",
                "--quiet")
    assert first.code == 0, first.err
    report = json.loads((tmp_path / "r1.json").read_text())
    assert report["cli"]["cv"] == "holdout:spk00"
    assert report["cli"]["set"] == {"clf__max_epochs": 1}
    assert report["runs"][0]["folds"][0]["test_speakers"] == ["spk00"]
    # the report is a config: the same run again gives the same predictions
    again = cli("evaluate", "--config", tmp_path / "r1.json", "--format", "json",
                "--quiet")
    assert again.code == 0, again.err
    second = json.loads(again.out)
    assert second["runs"][0]["folds"][0]["y_pred"] == \
        report["runs"][0]["folds"][0]["y_pred"]


def test_config_with_an_unknown_key(cli, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('recipe = "liu2021"\ndatta = "x"\n')
    result = cli("evaluate", "--config", config)
    assert result.code == 1 and "unknown key 'datta' (did you mean data?)" in result.err


def test_recipe_and_data_are_required_somewhere(cli):
    result = cli("train", "--out", "x.sser")
    assert result.code == 1 and "--recipe is required" in result.err


@pytest.mark.skipif(
    __import__("torch").cuda.is_available(), reason="this machine has CUDA"
)
def test_device_cuda_without_cuda(cli, corpus, tmp_path):
    result = cli("train", "--recipe", RECIPE, "--data", corpus / "manifest.csv",
                 "--device", "cuda", "--out", tmp_path / "m.sser")
    assert result.code == 1 and "--device cuda" in result.err


def test_recipes_lists_the_registry_with_measured_minutes(cli, tmp_path):
    from sklearn_ser import recipes

    report = {"format": "x", "name": "whatever", "cli": {"recipe": "zhou"},
              "corpus": "EmoDB (535 utt.)", "protocol": {"name": "loso"},
              "runs": [{"folds": [{"fit_seconds": 60.0}, {"fit_seconds": 180.0}]}]}
    (tmp_path / "zhou.json").write_text(json.dumps(report))
    result = cli("recipes", "--results", tmp_path)
    assert result.code == 0, result.err
    for name in recipes.RECIPES:
        assert f"\n{name}\n" in f"\n{result.out}"
    assert "2.0 min/fold on EmoDB (loso, 2 folds" in result.out
    assert "not measured" in result.out
    assert "clf__max_epochs=30" in result.out  # liu2021's default epochs
    assert "clf__pretrain_epochs=1000" in result.out  # kumar's


def test_recipes_params_lists_the_set_keys(cli):
    result = cli("recipes", "--params", RECIPE)
    assert result.code == 0 and "clf__max_epochs = 30" in result.out


def test_demo_reports_in_json_with_fold_and_epoch_progress(cli, tmp_path):
    result = cli("demo", "--n-per-class", "4", "--n-speakers", "4", "--folds", "2",
                 "--epochs", "1", "--jobs", "1", "--format", "json", "--out", tmp_path)
    assert result.code == 0, result.err
    reports = json.loads(result.out)
    assert set(reports) == {"MFCC-stats + SVM", "CNN-LSTM, joint loss"}
    assert all(r["protocol"]["name"] == "speaker-kfold" for r in reports.values())
    assert "CNN-LSTM, joint loss: fold 2/2 UA=" in result.err
    assert "epochs: epoch 1/1" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cnn_lstm__joint_loss.json", "mfcc_stats___svm.json"]
