"""load_iemocap on a small fake tree in IEMOCAP's release layout."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklearn_ser.datasets import CorpusNotFoundError, load_iemocap
from sklearn_ser.datasets._iemocap import iemocap_quadrant

# (session dir, dialog, utterance, category, valence, activation, dominance)
UTTERANCES = [
    (1, "Ses01F_impro01", "Ses01F_impro01_F000", "neu", 2.5, 2.5, 2.5),
    (1, "Ses01F_impro01", "Ses01F_impro01_M000", "hap", 4.0, 3.5, 3.0),
    (1, "Ses01F_impro01", "Ses01F_impro01_F001", "exc", 3.5, 4.0, 3.5),
    (1, "Ses01F_impro01", "Ses01F_impro01_M001", "fru", 2.0, 3.5, 3.0),
    (1, "Ses01F_script01_1", "Ses01F_script01_1_F000", "ang", 1.5, 4.5, 4.0),
    (1, "Ses01F_script01_1", "Ses01F_script01_1_M000", "sad", 1.5, 2.0, 2.0),
    (1, "Ses01F_script01_1", "Ses01F_script01_1_M001", "xxx", 3.0, 2.0, 2.5),
    (2, "Ses02M_impro02", "Ses02M_impro02_F000", "sad", 2.0, 1.5, 2.0),
    (2, "Ses02M_impro02", "Ses02M_impro02_M000", "ang", 2.0, 3.0, 3.5),
    (2, "Ses02M_impro02", "Ses02M_impro02_M001", "sur", 3.5, 3.5, 3.0),
]
HEADER = (
    "% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]\n\n"
)


def _fake_iemocap(root, tone, utterances=UTTERANCES):
    """``root`` gets Session1/, Session2/ as in IEMOCAP_full_release."""
    evaluations: dict = {}
    for k, (sess, dialog, utt, cat, v, a, d) in enumerate(utterances):
        tone(root / f"Session{sess}" / "sentences" / "wav" / dialog / f"{utt}.wav")
        lines = evaluations.setdefault((sess, dialog), [HEADER])
        start = 1.0 + 3 * k
        lines.append(
            f"[{start:.4f} - {start + 2:.4f}]\t{utt}\t{cat}\t"
            f"[{v:.4f}, {a:.4f}, {d:.4f}]\n"
            f"C-E1:\tNeutral state;\t()\nC-E2:\tFrustration;\t()\n"
            f"A-E1:\tval 3; act 2; dom  2;\t()\n\n"
        )
    for (sess, dialog), lines in evaluations.items():
        folder = root / f"Session{sess}" / "dialog" / "EmoEvaluation"
        (folder / "Categorical").mkdir(parents=True, exist_ok=True)
        (folder / f"{dialog}.txt").write_text("".join(lines))
        # what the release also holds there, to be ignored
        (folder / "Categorical" / f"{dialog}_e1_cat.txt").write_text("x :Neutral; ()\n")
        (folder / f"._{dialog}.txt").write_bytes(b"\0\1binary")
    return root


@pytest.fixture
def iemocap_home(tmp_path, tone):
    _fake_iemocap(tmp_path / "iemocap" / "IEMOCAP_full_release", tone)
    return tmp_path


def _by_utterance(data, field):
    return dict(zip(data.utterance.tolist(), getattr(data, field).tolist()))


def test_four_classes(iemocap_home):
    data = load_iemocap(iemocap_home)
    labels = _by_utterance(data, "y")
    assert labels == {
        "Ses01F_impro01_F000": "neutral",
        "Ses01F_impro01_M000": "happiness",
        "Ses01F_impro01_F001": "happiness",  # excited merged into happy
        "Ses01F_script01_1_F000": "anger",
        "Ses01F_script01_1_M000": "sadness",
        "Ses02M_impro02_F000": "sadness",
        "Ses02M_impro02_M000": "anger",
    }
    assert data.target_names.tolist() == ["anger", "happiness", "neutral", "sadness"]
    assert data.X.tolist() == sorted(data.X.tolist())
    for path, utt, dialog in zip(data.X, data.utterance, data.dialog):
        assert path.endswith(f"/sentences/wav/{dialog}/{utt}.wav")


def test_speaker_gender_session_improvised(iemocap_home):
    data = load_iemocap(iemocap_home, classes="all")
    speaker = _by_utterance(data, "speaker")
    # the speaker's letter is the one before the number, not the one after SesNN
    assert speaker["Ses01F_impro01_M000"] == "Ses01M"
    assert speaker["Ses02M_impro02_F000"] == "Ses02F"
    assert speaker["Ses01F_script01_1_F000"] == "Ses01F"
    assert _by_utterance(data, "gender")["Ses02M_impro02_F000"] == "female"
    assert _by_utterance(data, "session")["Ses02M_impro02_M001"] == 2
    improvised = _by_utterance(data, "improvised")
    assert improvised["Ses01F_impro01_F000"] is True
    assert improvised["Ses01F_script01_1_M000"] is False
    assert data.improvised.dtype == bool and data.session.dtype.kind == "i"


def test_improvised_only(iemocap_home):
    data = load_iemocap(iemocap_home, improvised_only=True)
    assert data.improvised.all()
    assert sorted(data.utterance.tolist()) == [
        "Ses01F_impro01_F000", "Ses01F_impro01_F001", "Ses01F_impro01_M000",
        "Ses02M_impro02_F000", "Ses02M_impro02_M000",
    ]  # fmt: skip


def test_all_categories(iemocap_home):
    data = load_iemocap(iemocap_home, classes="all")
    labels = _by_utterance(data, "y")
    assert "Ses01F_script01_1_M001" not in labels  # "xxx": no agreement
    assert labels["Ses01F_impro01_F001"] == "excitement"
    assert labels["Ses01F_impro01_M001"] == "frustration"
    assert labels["Ses02M_impro02_M001"] == "surprise"
    assert len(data.y) == len(UTTERANCES) - 1


def test_quadrants(iemocap_home):
    """li2021 Tab. 4: <= 2.5 negative/low, > 2.5 positive/high; every utterance."""
    data = load_iemocap(iemocap_home, classes="quadrants")
    assert len(data.y) == len(UTTERANCES)  # xxx and fru kept too
    labels = _by_utterance(data, "y")
    assert labels["Ses01F_impro01_F000"] == "sadness"  # (2.5, 2.5): boundary is low
    assert labels["Ses01F_impro01_M000"] == "joy"
    assert labels["Ses01F_impro01_M001"] == "anger"  # frustration, V 2.0 A 3.5
    assert labels["Ses01F_script01_1_M001"] == "pleasure"  # xxx, V 3.0 A 2.0
    assert labels["Ses02M_impro02_F000"] == "sadness"
    assert data.target_names.tolist() == ["anger", "joy", "pleasure", "sadness"]
    valence = _by_utterance(data, "valence")
    arousal = _by_utterance(data, "arousal")
    assert valence["Ses01F_impro01_M001"] == 2.0
    assert arousal["Ses01F_impro01_M001"] == 3.5
    assert data.dominance.dtype == np.float64


@given(
    v=st.floats(1.0, 5.0, allow_nan=False), a=st.floats(1.0, 5.0, allow_nan=False)
)
def test_quadrant_rule(v, a):
    label = iemocap_quadrant(v, a)
    assert (label in ("joy", "pleasure")) == (v > 2.5)
    assert (label in ("joy", "anger")) == (a > 2.5)


def test_corpus_folder_layouts(tmp_path, tone):
    """iemocap/ may be IEMOCAP_full_release itself; data_home may be the corpus."""
    _fake_iemocap(tmp_path / "iemocap", tone)
    assert len(load_iemocap(tmp_path).y) == 7
    assert len(load_iemocap(tmp_path / "iemocap").y) == 7


def test_counts_in_descr(iemocap_home):
    data = load_iemocap(iemocap_home)
    counts = Counter(data.y.tolist())
    assert f"anger {counts['anger']}" in data.DESCR and "Busso" in data.DESCR


def test_missing_wav_is_named(tmp_path, tone):
    root = _fake_iemocap(tmp_path / "iemocap", tone)
    missing = root / "Session2/sentences/wav/Ses02M_impro02/Ses02M_impro02_M000.wav"
    missing.unlink()
    with pytest.raises(FileNotFoundError, match="Ses02M_impro02_M000.wav"):
        load_iemocap(tmp_path)


def test_bad_classes(iemocap_home):
    with pytest.raises(ValueError, match="classes must be .* got '5class'"):
        load_iemocap(iemocap_home, classes="5class")


def test_unknown_layout(tmp_path):
    (tmp_path / "iemocap" / "wav").mkdir(parents=True)
    with pytest.raises(ValueError, match="no Session1/ ... Session5/ folders") as e:
        load_iemocap(tmp_path)
    assert str(tmp_path / "iemocap") in str(e.value)


def test_no_evaluation_folder(tmp_path):
    (tmp_path / "iemocap" / "Session1" / "sentences").mkdir(parents=True)
    with pytest.raises(ValueError, match="no dialog/EmoEvaluation/"):
        load_iemocap(tmp_path)


def test_no_evaluation_lines(tmp_path):
    folder = tmp_path / "Session1" / "dialog" / "EmoEvaluation"
    folder.mkdir(parents=True)
    (folder / "Ses01F_impro01.txt").write_text(HEADER)
    with pytest.raises(ValueError, match="no evaluation lines"):
        load_iemocap(tmp_path)


def test_missing_corpus(tmp_path, no_ser_data):
    with pytest.raises(CorpusNotFoundError, match="no iemocap/ folder"):
        load_iemocap(tmp_path)
    with pytest.raises(CorpusNotFoundError, match="SER_DATA"):
        load_iemocap()
