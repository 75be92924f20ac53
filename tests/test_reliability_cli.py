"""Issue 15, rows 5 and 10 and ``train --checkpoint-dir``: the command line fails
early and per file, and resumes interrupted training."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from sklearn_ser.cli import main


def _run(capsys, *args):
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    import soundfile as sf

    from sklearn_ser.datasets import make_emotional_speech

    root = tmp_path_factory.mktemp("corpus")
    data = make_emotional_speech(n_per_class=3, classes=("anger", "neutral"),
                                 n_speakers=2, duration=(0.5, 0.7), random_state=0)
    lines = ["path,label,speaker"]
    for i, (x, label, speaker) in enumerate(zip(data.X, data.y, data.speaker)):
        sf.write(root / f"u{i:02d}.wav", x, data.sr)
        lines.append(f"u{i:02d}.wav,{label},{speaker}")
    (root / "manifest.csv").write_text("\n".join(lines) + "\n")
    return root


def _read_only_folder(tmp_path) -> Path:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # root ignores the mode: use a kernel folder
        if sys.platform.startswith("linux") and Path("/sys").is_dir():
            return Path("/sys")
        pytest.skip("no read-only folder available")
    return folder


# ------------------------------------------------------------- row 5: --out
def test_train_out_in_read_only_folder_fails_before_training(capsys, corpus, tmp_path):
    folder = _read_only_folder(tmp_path)
    code, out, err = _run(capsys, "train", "--recipe", "liu2021", "--data",
                          corpus / "manifest.csv", "--max-epochs", "1",
                          "--out", folder / "model.sser")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "cannot write in folder" in lines[0] and "nothing was trained" in lines[0]
    assert "training liu2021" not in err and out == ""


def test_evaluate_out_in_read_only_folder_fails_first(capsys, corpus, tmp_path):
    folder = _read_only_folder(tmp_path)
    code, out, err = _run(capsys, "evaluate", "--recipe", "liu2021", "--data",
                          corpus / "manifest.csv", "--max-epochs", "1",
                          "--out", folder / "results")
    assert code == 1 and "cannot write in folder" in err and out == ""


# --------------------------------------------------------- --checkpoint-dir
def test_checkpoint_dir_saves_every_epoch_and_resumes(capsys, corpus, tmp_path):
    from sklearn_ser.io import load_model

    ckpt = tmp_path / "ckpt"
    args = ["train", "--recipe", "liu2021", "--data", corpus / "manifest.csv",
            "--checkpoint-dir", ckpt]
    code, out, err = _run(capsys, *args, "--max-epochs", "2",
                          "--out", tmp_path / "a.sser")
    assert code == 0, err
    for name in ("params.pt", "optimizer.pt", "history.json"):
        assert (ckpt / name).is_file(), name
    assert len(json.loads((ckpt / "history.json").read_text())) == 2
    # rerun with more epochs: it resumes and trains the remaining one only
    code, out, err = _run(capsys, *args, "--max-epochs", "3",
                          "--out", tmp_path / "b.sser")
    assert code == 0, err
    assert "resuming from" in err and "after 2 epochs" in err
    history = json.loads((ckpt / "history.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2, 3]
    model = load_model(tmp_path / "b.sser")
    net = model.steps[-1][1] if hasattr(model, "steps") else model
    assert net.get_params()["max_epochs"] == 3  # the recipe's value, not "1 more"
    assert net.callbacks is None


def test_checkpoint_dir_needs_a_network(capsys, corpus, tmp_path):
    from sklearn_ser import recipes

    from sklearn_ser.cli._common import final_step

    plain = [n for n in recipes.RECIPES
             if not hasattr(final_step(recipes.make_recipe(n)), "module")]
    if not plain:
        pytest.skip("every recipe trains a network")
    code, out, err = _run(capsys, "train", "--recipe", plain[0], "--data",
                          corpus / "manifest.csv", "--checkpoint-dir",
                          tmp_path / "c", "--out", tmp_path / "m.sser")
    assert code == 1 and "trains no network" in err


def test_checkpoint_dir_that_is_a_file(capsys, corpus, tmp_path):
    (tmp_path / "f").write_text("x")
    code, out, err = _run(capsys, "train", "--recipe", "liu2021", "--data",
                          corpus / "manifest.csv", "--checkpoint-dir", tmp_path / "f",
                          "--max-epochs", "1", "--out", tmp_path / "m.sser")
    assert code == 1 and "is not a folder" in err
    assert not (tmp_path / "m.sser").exists()


def test_main_prints_one_line_for_runtime_and_memory_errors(capsys, monkeypatch):
    for exc in (RuntimeError("CUDA out of\nmemory"), MemoryError()):
        def boom(args, exc=exc):
            raise exc

        from sklearn_ser.cli import _parser

        parser = _parser.build_parser()
        args = parser.parse_args(["demo"])
        args.func = boom
        import sklearn_ser.cli as cli

        monkeypatch.setattr(cli, "build_parser", lambda: _Fixed(parser, args))
        code, out, err = _run(capsys, "demo")
        assert code == 1
        assert len(err.strip().splitlines()) == 1, err
        assert err.startswith("sklearn-ser demo: error:")
        assert "Traceback" not in err


class _Fixed:
    def __init__(self, parser, args):
        self.parser, self.args = parser, args

    def parse_args(self, argv=None):
        return self.args

    def print_help(self):  # pragma: no cover
        self.parser.print_help()


# ------------------------------------------------------- row 10: per file
@pytest.fixture(scope="module")
def model_file(corpus, tmp_path_factory):
    import contextlib
    import io

    out = tmp_path_factory.mktemp("model") / "m.sser"
    with contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        code = main(["train", "--recipe", "liu2021", "--data",
                     str(corpus / "manifest.csv"), "--max-epochs", "1", "--quiet",
                     "--out", str(out)])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    import soundfile as sf

    d = tmp_path_factory.mktemp("bad")
    (d / "folder.wav").mkdir()
    sf.write(d / "silent.wav", np.zeros(16000, np.float32), 16000)
    sf.write(d / "short.wav", np.full(40, 0.1, np.float32), 16000)
    (d / "garbage.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot audio at all")
    return d


def test_predict_reports_bad_files_and_predicts_the_rest(capsys, corpus, model_file,
                                                         bad_files):
    good = [str(corpus / "u00.wav"), str(corpus / "u03.wav")]
    bad = {name: str(bad_files / name) for name in
           ("folder.wav", "silent.wav", "short.wav", "garbage.wav")}
    missing = str(bad_files / "missing.wav")
    files = [good[0], *bad.values(), missing, good[1]]
    code, out, err = _run(capsys, "predict", "--model", model_file, *files)
    assert code == 1
    rows = out.strip().splitlines()
    assert rows[0].startswith("path,label")
    assert [r.split(",")[0] for r in rows[1:]] == good  # the rest is predicted
    errors = [ln for ln in err.splitlines() if "error:" in ln]
    assert len(errors) == 5, err  # a line per failure, each naming its file
    for path in [*bad.values(), missing]:
        assert sum(repr(path) in ln for ln in errors) == 1, (path, err)
    assert any("folder.wav" in ln and "is a directory" in ln for ln in errors)
    assert any(repr(missing) in ln and "not found" in ln for ln in errors)
    assert "Traceback" not in err and "5 of 7 files failed" in err


def test_predict_all_bad_is_an_error(capsys, model_file, bad_files):
    code, out, err = _run(capsys, "predict", "--model", model_file,
                          str(bad_files / "folder.wav"))
    assert code == 1 and out == ""
    assert "is a directory" in err


def test_train_names_the_file_of_a_bad_utterance(capsys, corpus, bad_files, tmp_path):
    lines = (corpus / "manifest.csv").read_text().splitlines()
    import shutil

    for name in ("u00.wav", "u01.wav", "u02.wav", "u03.wav", "u04.wav", "u05.wav"):
        shutil.copy(corpus / name, tmp_path / name)
    shutil.copy(bad_files / "silent.wav", tmp_path / "silent.wav")
    rows = [ln for ln in lines[1:] if ln.split(",")[0] in
            {f"u0{i}.wav" for i in range(6)}]
    rows.append("silent.wav," + rows[0].split(",", 1)[1])
    (tmp_path / "m.csv").write_text("\n".join([lines[0], *rows]) + "\n")
    code, out, err = _run(capsys, "train", "--recipe", "liu2021", "--data",
                          tmp_path / "m.csv", "--max-epochs", "1", "--quiet",
                          "--out", tmp_path / "x.sser")
    assert code == 1
    assert "silent.wav" in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "x.sser").exists()


# ------------------------------------------------------ row 11: --timeline
@pytest.fixture(scope="module")
def long_file(tmp_path_factory, corpus):
    import soundfile as sf

    # a 10.5 s recording made of the corpus's utterances and a silent stretch
    waves = [sf.read(corpus / f"u{i:02d}.wav", dtype="float32")[0] for i in range(6)]
    y = np.concatenate(waves * 4)[: int(10.5 * 16000)]
    y = np.concatenate([y, np.zeros(16000 * 10 + 8000 - len(y), np.float32)]) \
        if len(y) < 10.5 * 16000 else y
    path = tmp_path_factory.mktemp("long") / "long.wav"
    sf.write(path, y, 16000)
    return path


def test_predict_timeline_csv(capsys, model_file, long_file):
    code, out, err = _run(capsys, "predict", "--model", model_file, "--timeline",
                          "--window", "4", "--hop", "3", long_file)
    assert code == 0, err
    rows = list(__import__("csv").reader(out.strip().splitlines()))
    assert rows[0][:4] == ["path", "start_s", "end_s", "label"]
    assert [(r[1], r[2]) for r in rows[1:]] == [
        ("0.000", "4.000"), ("3.000", "7.000"), ("6.000", "10.000"),
        ("6.500", "10.500")]
    assert all(r[3] in ("anger", "neutral") for r in rows[1:])
    probs = np.array([[float(v) for v in r[4:]] for r in rows[1:]])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)


def test_predict_timeline_json_matches_the_function(capsys, model_file, long_file):
    from sklearn_ser.io import load_model
    from sklearn_ser.timeline import predict_timeline

    code, out, err = _run(capsys, "predict", "--model", model_file, "--timeline",
                          "--window", "2.5", "--hop", "2", "--format", "json",
                          long_file)
    assert code == 0, err
    rows = json.loads(out)
    t = predict_timeline(load_model(model_file), long_file, window=2.5, hop=2)
    assert [r["start_s"] for r in rows] == pytest.approx(t.start.tolist())
    assert [r["label"] for r in rows] == t.label.tolist()


def test_timeline_reads_windows_not_the_file(monkeypatch, model_file, long_file):
    """Every read asks soundfile for one window's samples, never the whole file."""
    import soundfile as sf

    from sklearn_ser.io import load_model
    from sklearn_ser.timeline import predict_timeline

    sizes = []
    original = sf.SoundFile.read

    def spy(self, frames=-1, *args, **kwargs):
        sizes.append(frames)
        return original(self, frames, *args, **kwargs)

    monkeypatch.setattr(sf.SoundFile, "read", spy)
    monkeypatch.setattr(sf, "read", lambda *a, **k: pytest.fail("whole-file read"))
    t = predict_timeline(load_model(model_file), long_file, window=2.0, hop=1.0)
    assert len(t.start) == len(sizes) == 10
    assert max(sizes) == 2 * 16000 and min(sizes) > 0


def test_timeline_bad_arguments(capsys, model_file, long_file):
    code, out, err = _run(capsys, "predict", "--model", model_file, "--timeline",
                          "--window", "0", long_file)
    assert code == 2 and "expected a positive number" in err
