"""load_ravdess on fake trees (real file names, tiny synthetic audio)."""

from __future__ import annotations

import numpy as np
import pytest

from sklearn_ser.datasets import CorpusNotFoundError, load_ravdess
from sklearn_ser.datasets._ravdess import parse_ravdess_filename

SPEECH = [
    # (actor, emotion, intensity, statement, repetition)
    (1, 1, 1, 1, 1),
    (1, 5, 2, 2, 1),
    (1, 3, 1, 1, 2),
    (2, 2, 1, 2, 2),
    (2, 4, 2, 1, 1),
    (2, 6, 1, 1, 1),
    (2, 7, 2, 2, 2),
    (2, 8, 1, 2, 1),
]


def _name(modality, channel, emotion, intensity, statement, repetition, actor):
    codes = (modality, channel, emotion, intensity, statement, repetition, actor)
    return "-".join(f"{c:02d}" for c in codes) + ".wav"


def _fake_ravdess(root, tone):
    for actor, emo, inten, stmt, rep in SPEECH:
        tone(root / f"Actor_{actor:02d}" / _name(3, 1, emo, inten, stmt, rep, actor))
    # skipped: song (channel 02) and audio-video (modality 01) files, hidden files
    tone(root / "Actor_01" / _name(3, 2, 5, 1, 1, 1, 1))
    tone(root / "Actor_02" / _name(1, 1, 5, 1, 1, 1, 2))
    (root / "Actor_02" / "._03-01-05-01-01-01-02.wav").write_bytes(b"\0")
    return root


def test_fake_tree(tmp_path, tone):
    _fake_ravdess(tmp_path / "ravdess", tone)
    data = load_ravdess(tmp_path)
    assert data.X.shape == (len(SPEECH),)
    assert data.X.tolist() == sorted(data.X.tolist())
    assert all("-01-" in p.rsplit("/", 1)[-1][:6] for p in data.X)  # speech only
    assert data.y.tolist() == [
        "neutral", "happiness", "anger",  # Actor_01, sorted by file name
        "calm", "sadness", "fear", "disgust", "surprise",
    ]  # fmt: skip
    assert data.emotion.tolist() == [
        "neutral", "happy", "angry", "calm", "sad", "fearful", "disgust", "surprised"
    ]  # fmt: skip
    # "actorNN", as the staged labels.csv writes them (issue 15 row 12)
    assert data.speaker.tolist() == ["actor01"] * 3 + ["actor02"] * 5
    assert data.actor.tolist() == [1] * 3 + [2] * 5
    assert data.gender.tolist() == ["male"] * 3 + ["female"] * 5
    assert data.intensity.tolist() == [
        "normal", "normal", "strong", "normal", "strong", "normal", "strong", "normal"
    ]  # fmt: skip
    assert data.statement[1] == "Kids are talking by the door"
    assert data.statement[2] == "Dogs are sitting by the door"
    assert data.repetition.tolist() == [1, 2, 1, 2, 1, 1, 2, 1]
    assert data.target_names.tolist() == sorted(set(data.y.tolist()))
    assert "Livingstone" in data.DESCR and "CC BY-NC-SA" in data.DESCR


def test_zip_layout_one_level_down(tmp_path, tone):
    """The publisher's zip unpacks to Audio_Speech_Actors_01-24/Actor_XX/."""
    _fake_ravdess(tmp_path / "ravdess" / "Audio_Speech_Actors_01-24", tone)
    assert load_ravdess(tmp_path).X.shape == (len(SPEECH),)


def test_data_home_is_the_corpus(tmp_path, tone):
    _fake_ravdess(tmp_path, tone)
    assert load_ravdess(tmp_path).X.shape == (len(SPEECH),)


@pytest.mark.parametrize(
    "code, label",
    [(1, "neutral"), (2, "calm"), (3, "happiness"), (4, "sadness"), (5, "anger"),
     (6, "fear"), (7, "disgust"), (8, "surprise")],
)  # fmt: skip
def test_emotion_codes(code, label):
    assert parse_ravdess_filename(_name(3, 1, code, 1, 1, 1, 9))["label"] == label


@pytest.mark.parametrize("actor, gender", [(1, "male"), (23, "male"), (24, "female")])
def test_actor_gender(actor, gender):
    assert parse_ravdess_filename(_name(3, 1, 1, 1, 1, 1, actor))["gender"] == gender


@pytest.mark.parametrize(
    "bad", ["03-01-09-01-01-01-01.wav", "03-01-01-01-01-01-25.wav", "03-01-01.wav"]
)
def test_bad_file_name(tmp_path, tone, bad):
    tone(tmp_path / "ravdess" / "Actor_01" / bad)
    with pytest.raises(ValueError, match=bad.replace(".", r"\.")):
        load_ravdess(tmp_path)


def test_only_song_files(tmp_path, tone):
    tone(tmp_path / "ravdess" / "Actor_01" / _name(3, 2, 5, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="no audio-only speech files"):
        load_ravdess(tmp_path)


def test_unknown_layout(tmp_path, tone):
    tone(tmp_path / "ravdess" / "audio" / _name(3, 1, 5, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="no Actor_XX/ folders") as e:
        load_ravdess(tmp_path)
    assert str(tmp_path / "ravdess") in str(e.value)


def test_missing_corpus(tmp_path):
    with pytest.raises(CorpusNotFoundError, match="no ravdess/ folder"):
        load_ravdess(tmp_path)


def test_load_audio(tmp_path, tone):
    _fake_ravdess(tmp_path, tone)
    data = load_ravdess(tmp_path, load_audio=True, sr=8000)
    assert data.sr == 8000 and data.X.dtype == object
    assert all(w.dtype == np.float32 and w.shape == (400,) for w in data.X)
