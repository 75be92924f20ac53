"""load_emodb on the real corpus (SER_DATA) and on fake trees."""

from __future__ import annotations

import csv
import shutil
from collections import Counter

import numpy as np
import pytest

from sklearn_ser.datasets import CorpusNotFoundError, load_emodb
from sklearn_ser.datasets._emodb import parse_emodb_filename

# From the corpus documentation (shared/data/README.md), not from the loader.
EMODB_COUNTS = {
    "anger": 127,
    "boredom": 81,
    "neutral": 79,
    "happiness": 71,
    "fear": 69,
    "sadness": 62,
    "disgust": 46,
}


@pytest.mark.corpus
def test_real_corpus(emodb_home):
    data = load_emodb(emodb_home.parent)
    assert data.X.shape == (535,)
    assert dict(Counter(data.y.tolist())) == EMODB_COUNTS
    assert data.target_names.tolist() == sorted(EMODB_COUNTS)
    assert len(set(data.speaker.tolist())) == 10
    spk_gender = dict(zip(data.speaker.tolist(), data.gender.tolist()))
    assert Counter(spk_gender.values()) == {"female": 5, "male": 5}
    assert data.X.tolist() == sorted(data.X.tolist())
    assert all(p.endswith(".wav") for p in data.X)
    assert len(set(data.text.tolist())) == 10
    assert "535 utterances" in data.DESCR and "Burkhardt" in data.DESCR
    assert data.sr is None


@pytest.mark.corpus
def test_real_corpus_folder_given_directly(emodb_home):
    """data_home may be the corpus folder itself."""
    via_parent = load_emodb(emodb_home.parent)
    direct = load_emodb(emodb_home)
    np.testing.assert_array_equal(direct.X, via_parent.X)
    np.testing.assert_array_equal(direct.y, via_parent.y)


@pytest.mark.corpus
def test_real_corpus_via_ser_data(emodb_home, monkeypatch):
    monkeypatch.setenv("SER_DATA", str(emodb_home.parent))
    X, y = load_emodb(return_X_y=True)
    assert X.shape == y.shape == (535,)


@pytest.mark.corpus
def test_labels_csv_agrees_with_file_names(emodb_home):
    with open(emodb_home / "labels.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 535
    for row in rows:
        parsed = parse_emodb_filename(row["path"])
        assert parsed["label"] == row["label"], row["path"]
        assert parsed["speaker"] == row["speaker"], row["path"]
        assert parsed["gender"] == row["gender"], row["path"]
        assert parsed["text"] == row["text"], row["path"]


@pytest.mark.corpus
def test_real_files_resampled(emodb_home, tmp_path):
    """Two real 22 050 Hz files, parsed from their names and loaded at 16 kHz."""
    import soundfile as sf

    names = ["03a01Fa.wav", "16b10Wb.wav"]
    for name in names:
        (tmp_path / "wav").mkdir(exist_ok=True)
        shutil.copy(emodb_home / "wav" / name, tmp_path / "wav" / name)
    data = load_emodb(tmp_path, load_audio=True, sr=16000)
    assert data.y.tolist() == ["happiness", "anger"]
    assert data.gender.tolist() == ["male", "female"]
    assert data.sr == 16000
    for name, wave in zip(names, data.X):
        info = sf.info(str(emodb_home / "wav" / name))
        assert wave.dtype == np.float32 and wave.ndim == 1
        assert abs(len(wave) - info.frames * 16000 / info.samplerate) <= 1
        # resampling a near-full-scale file may overshoot 1 slightly (16b10Wb)
        assert 0 < np.abs(wave).max() <= 1.05


def _fake_emodb(root, tone):
    names = ["03a01Fa.wav", "03a02Wb.wav", "08b01Lc.wav", "08a05Td.wav", "16b10Na.wav"]
    for name in names:
        tone(root / "wav" / name)
    (root / "wav" / "notes.txt").write_text("not audio")
    return names


def test_fake_tree_parsed_from_file_names(tmp_path, tone):
    _fake_emodb(tmp_path / "emodb", tone)
    data = load_emodb(tmp_path)
    assert [p.rsplit("/", 1)[-1] for p in data.X] == sorted(
        ["03a01Fa.wav", "03a02Wb.wav", "08a05Td.wav", "08b01Lc.wav", "16b10Na.wav"]
    )
    assert data.y.tolist() == ["happiness", "anger", "sadness", "boredom", "neutral"]
    assert data.speaker.tolist() == ["03", "03", "08", "08", "16"]
    assert data.gender.tolist() == ["male", "male", "female", "female", "female"]
    assert data.text.tolist() == ["a01", "a02", "a05", "b01", "b10"]
    assert data.target_names.tolist() == [
        "anger", "boredom", "happiness", "neutral", "sadness"
    ]  # fmt: skip
    assert "file names" in data.DESCR


@pytest.mark.parametrize(
    "letter, label",
    [("W", "anger"), ("L", "boredom"), ("E", "disgust"), ("A", "fear"),
     ("F", "happiness"), ("T", "sadness"), ("N", "neutral")],
)  # fmt: skip
def test_emotion_letters(letter, label):
    assert parse_emodb_filename(f"11b03{letter}a.wav")["label"] == label


def test_labels_csv_preferred_over_file_names(tmp_path, tone):
    """The CSV's label wins (a staged corpus may fix a label); paths are relative."""
    tone(tmp_path / "wav" / "03a01Fa.wav")
    tone(tmp_path / "wav" / "09a01Wa.wav")
    (tmp_path / "labels.csv").write_text(
        "path,label,speaker,gender,text,version,duration_s\n"
        "wav/09a01Wa.wav,anger,09,female,a01,a,0.05\n"
        "wav/03a01Fa.wav,neutral,03,male,a01,a,0.05\n"
    )
    data = load_emodb(tmp_path)
    assert data.y.tolist() == ["neutral", "anger"]  # sorted by path
    assert data.speaker.tolist() == ["03", "09"]
    assert "labels.csv" in data.DESCR


def test_labels_csv_missing_columns_filled_from_names(tmp_path, tone):
    tone(tmp_path / "wav" / "13a01Ea.wav")
    (tmp_path / "labels.csv").write_text("path,label\nwav/13a01Ea.wav,disgust\n")
    data = load_emodb(tmp_path)
    assert data.speaker.tolist() == ["13"] and data.gender.tolist() == ["female"]


def test_labels_csv_without_label_column(tmp_path, tone):
    tone(tmp_path / "wav" / "13a01Ea.wav")
    (tmp_path / "labels.csv").write_text("path,speaker\nwav/13a01Ea.wav,13\n")
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['label'\]"):
        load_emodb(tmp_path)


def test_labels_csv_lists_a_missing_file(tmp_path, tone):
    tone(tmp_path / "wav" / "13a01Ea.wav")
    (tmp_path / "labels.csv").write_text("path,label\nwav/13a02Ea.wav,disgust\n")
    with pytest.raises(FileNotFoundError, match="13a02Ea.wav"):
        load_emodb(tmp_path)


def test_bad_file_name(tmp_path, tone):
    tone(tmp_path / "emodb" / "wav" / "03a01Xa.wav")
    with pytest.raises(ValueError, match="03a01Xa.wav.*EmoDB's pattern"):
        load_emodb(tmp_path)


def test_empty_wav_folder(tmp_path):
    (tmp_path / "emodb" / "wav").mkdir(parents=True)
    with pytest.raises(ValueError, match="no .wav files"):
        load_emodb(tmp_path)


def test_unknown_layout(tmp_path):
    (tmp_path / "emodb" / "audio").mkdir(parents=True)
    with pytest.raises(ValueError, match="no wav/ folder and no labels.csv under") as e:
        load_emodb(tmp_path)
    assert str(tmp_path / "emodb") in str(e.value)


def test_no_corpus_folder(tmp_path):
    """data_home exists but holds no emodb/ and is not the corpus."""
    (tmp_path / "ravdess").mkdir()
    with pytest.raises(CorpusNotFoundError, match="no emodb/ folder under") as e:
        load_emodb(tmp_path)
    assert str(tmp_path) in str(e.value) and "SER_DATA" in str(e.value)


def test_missing_data_home(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="SER_DATA") as e:
        load_emodb(missing)
    assert isinstance(e.value, ValueError)
    assert str(missing) in str(e.value)


def test_no_data_home_and_no_ser_data(no_ser_data):
    with pytest.raises(ValueError, match="SER_DATA is not set"):
        load_emodb()


def test_return_X_y_and_load_audio(tmp_path, tone):
    _fake_emodb(tmp_path, tone)
    X, y = load_emodb(tmp_path, return_X_y=True)
    assert X.shape == y.shape == (5,) and X.dtype.kind == "U"
    waves, y2 = load_emodb(tmp_path, load_audio=True, sr=8000, return_X_y=True)
    assert waves.dtype == object and y2.tolist() == y.tolist()
    assert all(w.dtype == np.float32 and w.shape == (400,) for w in waves)
