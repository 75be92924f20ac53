"""load_folder (<label>/*.wav) and load_manifest (CSV), and get_data_home."""

from __future__ import annotations

import os

import numpy as np
import pytest

from sklearn_ser.datasets import (
    CorpusNotFoundError,
    get_data_home,
    load_folder,
    load_manifest,
)

# --------------------------------------------------------------------- load_folder


def _tree(root, tone):
    tone(root / "sadness" / "b.wav")
    tone(root / "anger" / "z.WAV")
    tone(root / "anger" / "spk1" / "a.flac")
    tone(root / "neutral" / "c.ogg")
    # ignored: a top-level file, a hidden file and folder, other suffixes
    tone(root / "top.wav")
    tone(root / "anger" / ".hidden.wav")
    tone(root / ".cache" / "x.wav")
    (root / "neutral" / "notes.txt").write_text("x")
    return root


def test_load_folder(tmp_path, tone):
    data = load_folder(_tree(tmp_path, tone))
    names = [os.path.relpath(p, tmp_path) for p in data.X]
    assert names == [
        "anger/spk1/a.flac", "anger/z.WAV", "neutral/c.ogg", "sadness/b.wav"
    ]  # fmt: skip
    assert data.y.tolist() == ["anger", "anger", "neutral", "sadness"]
    assert data.target_names.tolist() == ["anger", "neutral", "sadness"]
    assert data.speaker is None  # documented: speakers unknown in this layout
    assert all(os.path.isabs(p) for p in data.X)
    assert "anger 2" in data.DESCR


def test_load_folder_extensions(tmp_path, tone):
    data = load_folder(_tree(tmp_path, tone), extensions=["flac", ".OGG"])
    assert data.y.tolist() == ["anger", "neutral"]


def test_load_folder_load_audio(tmp_path, tone):
    X, y = load_folder(_tree(tmp_path, tone), load_audio=True, sr=8000, return_X_y=True)
    assert X.dtype == object and len(X) == len(y) == 4
    assert all(w.dtype == np.float32 and w.shape == (400,) for w in X)


def test_load_folder_empty(tmp_path):
    with pytest.raises(ValueError, match="no audio files"):
        load_folder(tmp_path)


def test_load_folder_label_folders_without_audio(tmp_path, tone):
    (tmp_path / "anger").mkdir()
    tone(tmp_path / "loose.wav")
    with pytest.raises(ValueError, match=r"no audio files \(.wav, .flac, .ogg\)"):
        load_folder(tmp_path)


def test_load_folder_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere") as e:
        load_folder(tmp_path / "nowhere")
    assert isinstance(e.value, ValueError)


def test_load_folder_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="path must be a path"):
        load_folder(3)
    with pytest.raises(ValueError, match="extensions is empty"):
        load_folder(tmp_path, extensions=[])


# ------------------------------------------------------------------- load_manifest


def test_load_manifest_relative_paths(tmp_path, tone):
    tone(tmp_path / "audio" / "u2.wav")
    tone(tmp_path / "audio" / "u1.wav")
    manifest = tmp_path / "meta" / "list.csv"
    manifest.parent.mkdir()
    manifest.write_text(
        "path,label,speaker,gender,text\n"
        "../audio/u2.wav,sadness,s2,male,hello\n"
        f"{tmp_path / 'audio' / 'u1.wav'},anger,s1,female,bye\n"
    )
    # paths outside the manifest's folder are refused unless allowed (issue 15)
    with pytest.raises(ValueError, match="line 2: path '../audio/u2.wav'.*outside"):
        load_manifest(manifest)
    data = load_manifest(manifest, allow_outside_root=True)
    assert [os.path.basename(p) for p in data.X] == ["u1.wav", "u2.wav"]
    assert data.X[1] == str(tmp_path / "audio" / "u2.wav")  # resolved, normalised
    assert data.y.tolist() == ["anger", "sadness"]
    assert data.speaker.tolist() == ["s1", "s2"]
    assert data.gender.tolist() == ["female", "male"]
    assert data.text.tolist() == ["bye", "hello"]  # extra columns come along
    assert "2 speakers" in data.DESCR


def test_load_manifest_root(tmp_path, tone):
    tone(tmp_path / "corpus" / "a.wav")
    manifest = tmp_path / "m.csv"
    manifest.write_text("label,path\nneutral,a.wav\n")  # any column order
    data = load_manifest(manifest, root=tmp_path / "corpus")
    assert data.X.tolist() == [str(tmp_path / "corpus" / "a.wav")]
    assert data.speaker is None and data.gender is None
    assert "speakers unknown" in data.DESCR


def test_load_manifest_bom_and_spaces(tmp_path, tone):
    tone(tmp_path / "a.wav")
    (tmp_path / "m.csv").write_text("\ufeffpath , label\n a.wav , fear \n", "utf-8")
    assert load_manifest(tmp_path / "m.csv").y.tolist() == ["fear"]


@pytest.mark.parametrize(
    "header, missing",
    [("path,speaker", r"\['label'\]"), ("file,emotion", r"\['path', 'label'\]")],
)
def test_load_manifest_missing_columns(tmp_path, header, missing):
    (tmp_path / "m.csv").write_text(f"{header}\na.wav,x\n")
    with pytest.raises(ValueError, match=rf"lacks the column\(s\) {missing}"):
        load_manifest(tmp_path / "m.csv")


def test_load_manifest_empty(tmp_path):
    (tmp_path / "m.csv").write_text("path,label\n")
    with pytest.raises(ValueError, match="has no rows"):
        load_manifest(tmp_path / "m.csv")


def test_load_manifest_empty_label(tmp_path, tone):
    tone(tmp_path / "a.wav")
    (tmp_path / "m.csv").write_text("path,label\na.wav,\n")
    with pytest.raises(ValueError, match="line 2 has an empty path or label"):
        load_manifest(tmp_path / "m.csv")


def test_load_manifest_missing_audio_named(tmp_path):
    (tmp_path / "m.csv").write_text("path,label\ngone.wav,anger\n")
    with pytest.raises(FileNotFoundError, match="gone.wav"):
        load_manifest(tmp_path / "m.csv")


def test_load_manifest_missing_manifest(tmp_path):
    with pytest.raises(CorpusNotFoundError, match="m.csv"):
        load_manifest(tmp_path / "m.csv")


def test_load_manifest_load_audio(tmp_path, tone):
    tone(tmp_path / "a.wav", sr=22050, n=2205)
    (tmp_path / "m.csv").write_text("path,label\na.wav,anger\n")
    data = load_manifest(tmp_path / "m.csv", load_audio=True)
    assert data.sr == 16000 and data.X[0].shape == (1600,)


# ------------------------------------------------------------------- get_data_home


def test_get_data_home_argument_beats_env(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.setenv("SER_DATA", str(tmp_path / "b"))
    assert get_data_home(tmp_path / "a") == tmp_path / "a"
    assert get_data_home() == tmp_path / "b"


def test_get_data_home_errors(tmp_path, monkeypatch, no_ser_data):
    with pytest.raises(CorpusNotFoundError, match="SER_DATA is not set"):
        get_data_home()
    monkeypatch.setenv("SER_DATA", str(tmp_path / "gone"))
    with pytest.raises(CorpusNotFoundError, match=r"gone.*\(from \$SER_DATA\)"):
        get_data_home()
    with pytest.raises(TypeError, match="data_home must be a path"):
        get_data_home(3)
