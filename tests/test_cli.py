"""The ``sklearn-ser`` command line, through ``main(argv)`` in this process.

Two smoke tests run it as a separate process (``--help`` and a tiny ``demo``), so
that the console script and ``python -m sklearn_ser.cli`` are covered too.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from sklearn_ser import recipes
from sklearn_ser.cli import build_parser, main

COMMANDS = ("demo", "evaluate", "train", "predict", "recipes")
# The cheapest recipe, shrunk by --max-epochs 1 (the corpus below is tiny).
RECIPE = "liu2021"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def _main(args) -> int:
    try:
        return main(list(args))
    except SystemExit as exc:  # argparse: --help, usage errors
        return exc.code if isinstance(exc.code, int) else 1


def run_cli(capsys, *args: str) -> Result:
    """Run the command line in this process; stdout and stderr as it printed them."""
    capsys.readouterr()
    code = _main(args)
    out, err = capsys.readouterr()
    return Result(code, out, err)


def run_recipe(capsys, command: str, data, *args: str) -> Result:
    """``sklearn-ser COMMAND --recipe liu2021 --data DATA ARGS...`` in this process."""
    return run_cli(capsys, command, "--recipe", RECIPE, "--data", str(data), *args)


def run_process(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.run(list(args), capture_output=True, text=True, env=env,
                          timeout=timeout)


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode in (1, 2), result
    assert "Traceback" not in result.stderr, result.stderr
    errors = [ln for ln in result.stderr.splitlines() if "error:" in ln]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("sklearn-ser"), errors[0]
    for fragment in fragments:
        assert fragment in errors[0], (fragment, errors[0])


def _subparsers(parser):
    return next(
        a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A tiny corpus of WAV files (3 classes x 4, 3 speakers) and its CSV manifest."""
    import soundfile as sf

    from sklearn_ser.datasets import make_emotional_speech

    root = tmp_path_factory.mktemp("corpus")
    data = make_emotional_speech(
        n_per_class=4, classes=("anger", "neutral", "sadness"), n_speakers=3,
        duration=(0.5, 0.8), random_state=0,
    )
    lines = ["path,label,speaker"]
    for i, (x, label, speaker) in enumerate(zip(data.X, data.y, data.speaker)):
        sf.write(root / f"u{i:02d}.wav", x, data.sr)
        lines.append(f"u{i:02d}.wav,{label},{speaker}")
    (root / "manifest.csv").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def model_file(corpus):
    out = corpus / "model.sser"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = _main(["train", "--recipe", RECIPE, "--data",
                      str(corpus / "manifest.csv"), "--max-epochs", "1",
                      "--out", str(out)])
    assert code == 0, stderr.getvalue()
    assert "saved" in stdout.getvalue()
    return out


# -------------------------------------------------------------- as a process
def test_help_as_a_process():
    """The console script (when installed) and ``python -m sklearn_ser.cli``."""
    commands = [[sys.executable, "-m", "sklearn_ser.cli", "--help"]]
    script = shutil.which("sklearn-ser")
    if script is not None:
        commands.append([script, "--help"])
    for command in commands:
        result = run_process(*command)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("usage: sklearn-ser")
        for name in COMMANDS:
            assert name in result.stdout


def test_tiny_demo_as_a_process():
    result = run_process(sys.executable, "-m", "sklearn_ser.cli", "demo",
                         "--n-per-class", "4", "--n-speakers", "4", "--folds", "2",
                         "--no-deep")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["model", "WA", "UA"]
    assert "MFCC-stats + SVM" in result.stdout and "CNN-LSTM" not in result.stdout
    assert "fold 2/2" in result.stderr


# ---------------------------------------------------------------------- help
@pytest.mark.parametrize("command", ("",) + COMMANDS)
def test_help_of_every_command(capsys, command):
    result = run_cli(capsys, *([command] if command else []), "--help")
    assert result.returncode == 0, result.stderr
    usage = f"usage: sklearn-ser {command}".rstrip()
    assert result.stdout.startswith(usage)
    if not command:
        for name in COMMANDS:
            assert name in result.stdout


def test_no_command_prints_help_and_fails(capsys):
    result = run_cli(capsys)
    assert result.returncode == 2
    assert "usage: sklearn-ser" in result.stdout


def test_parser_names_every_documented_command():
    sub = _subparsers(build_parser())
    assert set(COMMANDS) <= set(sub.choices)
    options = {o for a in sub.choices["evaluate"]._actions for o in a.option_strings}
    assert {"--recipe", "--data", "--cv", "--out", "--backend", "--scheduler",
            "--max-epochs", "--random-state", "--quiet", "--protocol", "--seeds",
            "--format", "--set", "--config", "--device", "--speakers",
            "--exclude-speakers"} <= options


@pytest.mark.parametrize("command", ["evaluate", "train"])
def test_recipe_choices_are_the_registry(command):
    sub = _subparsers(build_parser())
    action = next(a for a in sub.choices[command]._actions if a.dest == "recipe")
    assert tuple(action.choices) == tuple(recipes.RECIPES)
    text = sub.choices[command].format_help()
    for name in recipes.RECIPES:
        assert name in text


def test_help_names_every_layout_and_every_default():
    sub = _subparsers(build_parser())
    for command, parser in sub.choices.items():
        help_text = " ".join(parser.format_help().split())
        for action in parser._actions:
            if not action.option_strings or action.dest == "help":
                continue
            words = " ".join((action.help or "").split())
            assert "default" in words or "required" in words, (command, action.dest)
        if command in ("evaluate", "train"):
            for layout in ("EmoDB", "RAVDESS", "<label>/*.wav", "CSV manifest"):
                assert layout in help_text, (command, layout)
            # the recipes' own epochs, read from the records' built pipelines
            assert "liu2021 30" in help_text and "kumar 1000 + 1000" in help_text


# -------------------------------------------------------------------- errors
def test_missing_data_dir(capsys, tmp_path):
    result = run_recipe(capsys, "evaluate", str(tmp_path / "nope"))
    assert_one_line_error(result, "nope", "does not exist")


def test_unknown_recipe(capsys, corpus):
    result = run_cli(capsys, "train", "--recipe", "nosuchpaper", "--data", str(corpus),
                     "--out", str(corpus / "x.model"))
    assert_one_line_error(result, "nosuchpaper", RECIPE)


@pytest.mark.parametrize("spec", ["kfold:x", "kfold:1", "leave-one-out", ""])
def test_bad_cv_spec(capsys, corpus, spec):
    result = run_recipe(capsys, "evaluate", str(corpus), "--cv", spec)
    assert_one_line_error(result, "--cv")
    assert result.returncode == 2


def test_unreadable_model_file(capsys, corpus, tmp_path):
    bad = tmp_path / "bad.model"
    bad.write_text("not a model")
    result = run_cli(capsys, "predict", "--model", str(bad), str(corpus / "u00.wav"))
    assert_one_line_error(result, "bad.model", "not a sklearn_ser model file")
    result = run_cli(capsys, "predict", "--model", str(tmp_path / "absent.model"),
                     str(corpus / "u00.wav"))
    assert_one_line_error(result, "absent.model", "not found")


def test_missing_audio_file(capsys, model_file, tmp_path):
    result = run_cli(capsys, "predict", "--model", str(model_file),
                     str(tmp_path / "ghost.wav"))
    assert_one_line_error(result, "ghost.wav", "not found")


def test_loso_needs_speakers(capsys, corpus, tmp_path):
    for label in ("anger", "sadness"):
        (tmp_path / label).mkdir()
        shutil.copy(corpus / "u00.wav", tmp_path / label / "a.wav")
    result = run_recipe(capsys, "evaluate", str(tmp_path), "--cv", "loso")
    assert_one_line_error(result, "loso", "speaker")


def test_ravdess_layout_labels_come_from_the_file_names(capsys, corpus, tmp_path):
    """Actor_XX/ folders are RAVDESS, not two classes called Actor_01 and Actor_02:
    with every file angry (emotion code 05) the corpus has one class."""
    for actor in ("01", "02"):
        folder = tmp_path / f"Actor_{actor}"
        folder.mkdir()
        for rep in ("01", "02"):
            name = f"03-01-05-01-01-{rep}-{actor}.wav"  # emotion 05: angry
            shutil.copy(corpus / "u00.wav", folder / name)
    result = run_recipe(capsys, "train", str(tmp_path),
                        "--out", str(tmp_path / "m.model"))
    assert_one_line_error(result, "holds 1 class (anger; 4 files)")


def test_dask_backend_needs_a_scheduler(capsys, corpus):
    result = run_recipe(capsys, "evaluate", str(corpus), "--backend", "dask")
    assert_one_line_error(result, "--scheduler")


def test_scheduler_needs_the_dask_backend(capsys, corpus):
    result = run_recipe(capsys, "evaluate", str(corpus),
                        "--scheduler", "tcp://127.0.0.1:8786")
    assert_one_line_error(result, "--scheduler", "--backend dask")


def test_dask_backend_without_dask_installed(capsys, corpus, monkeypatch):
    # ``sys.modules[name] = None`` makes ``import name`` fail as if not installed
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = run_recipe(capsys, "evaluate", str(corpus),
                        "--backend", "dask", "--scheduler", "tcp://127.0.0.1:8786")
    assert_one_line_error(result, "dask", "sklearn-ser[dask]")


# ---------------------------------------------------------------- end to end
def test_train_then_predict_csv_and_json(capsys, model_file, corpus):
    from sklearn_ser.datasets import load_audio
    from sklearn_ser.io import load_model

    files = [str(corpus / f"u{i:02d}.wav") for i in (0, 5, 9)]
    result = run_cli(capsys, "predict", "--model", str(model_file), *files, "--quiet")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    model = load_model(model_file)
    classes = [str(c) for c in model.classes_]
    assert [r["path"] for r in rows] == files
    proba = np.array([[float(r[c]) for c in classes] for r in rows])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert [r["label"] for r in rows] == [classes[k] for k in proba.argmax(axis=1)]
    sr = model.steps[0][1].sr
    expected = model.predict_proba([load_audio(f, sr=sr) for f in files])
    np.testing.assert_allclose(proba, expected, atol=1e-6)

    result = run_cli(capsys, "predict", "--model", str(model_file), *files,
                     "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [d["path"] for d in doc] == files
    assert [d["label"] for d in doc] == [r["label"] for r in rows]
    np.testing.assert_allclose(
        [[d["proba"][c] for c in classes] for d in doc], expected, atol=1e-6
    )


def test_evaluate_writes_scores_plot_and_predictions(capsys, corpus, tmp_path):
    from sklearn_ser.evaluation import EvaluationReport

    out = tmp_path / "results"
    result = run_recipe(capsys, "evaluate", corpus / "manifest.csv", "--cv",
                        "speaker-kfold:3", "--max-epochs", "1", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "UA" in result.stdout and "pooled over folds" in result.stdout
    report = EvaluationReport.from_json(out / "report.json")
    assert report.protocol["name"] == "speaker-kfold"
    cli = report.to_dict()["cli"]
    assert cli["recipe"] == RECIPE and cli["cv"] == "speaker-kfold:3"
    assert len(report.runs[0]["folds"]) == 3
    # the three test sets hold disjoint speakers (speaker-independent folds)
    speakers = [s for f in report.runs[0]["folds"] for s in f["test_speakers"]]
    assert len(speakers) == len(set(speakers)) == 3
    with open(out / "predictions.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 12 and all(r["path"].endswith(".wav") for r in rows)
    y = np.array([r["label"] for r in rows])
    y_pred = np.array([r["predicted"] for r in rows])
    assert report.WA == pytest.approx(np.mean(y == y_pred))
    recalls = [np.mean(y_pred[y == c] == c) for c in np.unique(y)]
    assert report.UA == pytest.approx(np.mean(recalls))
    assert (out / "confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # per-fold progress goes to stderr, never into the results on stdout
    assert "fold 3/3 UA=" in result.stderr and "elapsed" in result.stderr
    assert "%|" not in result.stdout


def test_quiet_prints_no_progress(capsys, model_file, corpus):
    result = run_cli(capsys, "predict", "--model", str(model_file),
                     str(corpus / "u01.wav"), "--quiet")
    assert result.returncode == 0 and result.stderr == ""


# ------------------------------------------------------------ demo and checks
def test_demo_runs_and_prints_the_wa_ua_table(capsys):
    """The main job, shrunk: both models, two speaker folds, one epoch (one fold at
    a time: this process's epoch progress)."""
    result = run_cli(capsys, "demo", "--n-per-class", "6", "--n-speakers", "4",
                     "--folds", "2", "--epochs", "1", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["model", "WA", "UA"]
    rows = {ln.rsplit(None, 2)[0]: ln.split()[-2:] for ln in lines[1:3]}
    assert set(rows) == {"MFCC-stats + SVM", "CNN-LSTM, joint loss"}
    for wa, ua in rows.values():
        assert 0.0 <= float(wa) <= 1.0 and 0.0 <= float(ua) <= 1.0
    assert "chance UA: 0.143" in result.stdout  # 7 classes
    assert "fold 2/2" in result.stderr  # progress goes to stderr


@pytest.mark.parametrize("protocol, mixed", [("speaker-kfold", False),
                                              ("stratified-kfold", True)])
def test_demo_says_when_speakers_are_shared(capsys, protocol, mixed):
    result = run_cli(capsys, "demo", "--n-per-class", "4", "--n-speakers", "4",
                     "--folds", "2", "--no-deep", "--protocol", protocol)
    assert result.returncode == 0, result.stderr
    assert ("speakers SHARED between training and test" in result.stderr) == mixed
    assert ("test speakers unheard in training" in result.stderr) != mixed


@pytest.mark.parametrize("option", ["--epochs", "--folds", "--n-per-class"])
def test_demo_rejects_non_positive_counts(capsys, option):
    result = run_cli(capsys, "demo", option, "-1")
    assert result.returncode == 2
    assert "positive integer" in result.stderr


def test_one_class_corpus_fails_before_training(capsys, tmp_path):
    """--data one level too high: every file under one folder, one label."""
    import soundfile as sf

    (tmp_path / "corpus" / "anger").mkdir(parents=True)
    for i in range(3):
        wav = tmp_path / "corpus" / "anger" / f"a{i}.wav"
        sf.write(wav, 0.1 * np.ones(1600), 16000)
    result = run_recipe(capsys, "train", tmp_path / "corpus", "--out",
                        str(tmp_path / "m.model"))
    assert_one_line_error(result, "holds 1 class", "at least two")


def test_train_checks_out_before_fitting(capsys, corpus, tmp_path):
    result = run_recipe(capsys, "train", corpus / "manifest.csv", "--out",
                        str(tmp_path / "missing" / "m.model"))
    assert_one_line_error(result, "does not exist")
    assert "training" not in result.stderr  # nothing was fitted


def test_evaluate_out_must_be_a_folder(capsys, corpus, tmp_path):
    (tmp_path / "file.dat").write_text("x")
    result = run_recipe(capsys, "evaluate", corpus / "manifest.csv", "--out",
                        str(tmp_path / "file.dat"))
    assert_one_line_error(result, "not a folder")


def test_the_model_file_of_a_recipe_with_channel_steps_loads(capsys, corpus, tmp_path):
    """liu2023's "select" step is a public transformer, so its model file loads."""
    out = tmp_path / "liu2023.sser"
    result = run_cli(capsys, "train", "--recipe", "liu2023", "--data",
                     str(corpus / "manifest.csv"), "--max-epochs", "1", "--out",
                     str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    result = run_cli(capsys, "predict", "--model", str(out), str(corpus / "u03.wav"),
                     "--quiet")
    assert result.returncode == 0, result.stderr
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert Path(row["path"]).name == "u03.wav" and row["label"] in row
