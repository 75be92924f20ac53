"""Leakage guards: shared speakers are refused, identical audio is reported."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pytest
import soundfile as sf
from sklearn.model_selection import KFold, PredefinedSplit

from sklearn_ser.evaluation import LeakageWarning, check_leakage, evaluate


def test_speaker_leaking_into_a_test_fold_is_refused(corpus, svm):
    """Must-show: a speaker in both train and test -> evaluate refuses."""
    _, F, y, spk = corpus
    # speaker spk00's first utterance is moved into the test fold of spk01
    fold = np.searchsorted(np.unique(spk), spk)
    leak = np.flatnonzero(spk == "spk00")[0]
    fold[leak] = 1
    cv = PredefinedSplit(fold)
    with pytest.raises(ValueError, match=r"fold 1 has speaker\(s\) \['spk00'\]"):
        evaluate(svm(), F, y, speaker=spk, cv=cv, speaker_independent=True)
    # not claimed speaker-independent: evaluated, and the sharing is recorded
    report = evaluate(svm(), F, y, speaker=spk, cv=cv, n_boot=10)
    # spk00 is in fold 1's test and (one utterance) in fold 2's test
    assert report.leakage["folds_sharing_speakers"] == [
        {"fold": 1, "speakers": ["spk00"]},
        {"fold": 2, "speakers": ["spk00"]},
    ]
    assert report.protocol["speaker_independent"] is None


def test_check_leakage_directly():
    X = [np.full(4, float(i)) for i in range(6)]
    spk = ["a", "a", "b", "b", "c", "c"]
    ok = check_leakage(X, spk, [([0, 1, 2, 3], [4, 5]), ([2, 3, 4, 5], [0, 1])])
    assert ok["speaker_checked"] and ok["folds_sharing_speakers"] == []
    assert ok["n_duplicate_pairs"] == 0 and ok["hashed"] == "waveform/array bytes"
    with pytest.raises(ValueError, match="fold 1"):
        check_leakage(X, spk, [([0, 2], [1, 3])])
    rec = check_leakage(X, spk, [([0, 2], [1, 3])], speaker_independent=False)
    assert rec["folds_sharing_speakers"] == [{"fold": 1, "speakers": ["a", "b"]}]
    rec = check_leakage(X, None, [([0], [1])], check_duplicates=False)
    assert not rec["speaker_checked"] and not rec["duplicates_checked"]
    with pytest.raises(ValueError, match="outside"):
        check_leakage(X, spk, [([0], [9])])


def test_duplicated_waveform_is_reported(corpus, svm):
    X, F, y, spk = corpus
    X = list(X)
    X[5] = X[0].copy()  # the same waveform twice; they fall in different folds
    cv = KFold(3, shuffle=True, random_state=0)
    with pytest.warns(
        LeakageWarning, match="utterance 0 .* utterance 5|utterance 5 .* utterance 0"
    ) as caught:
        report = evaluate(
            svm(),
            F,
            y,
            speaker=spk,
            audio=X,
            protocol="stratified-kfold",
            n_splits=3,
            n_boot=10,
        )
    assert caught[0].filename == __file__  # points at the caller of evaluate
    pairs = report.leakage["duplicate_pairs"]
    assert report.leakage["n_duplicate_pairs"] == len(pairs) >= 1
    assert {frozenset((p["train"], p["test"])) for p in pairs} == {frozenset((0, 5))}
    assert (
        "1 train/test pair" in report.to_markdown()
        or "pair(s) found" in report.to_markdown()
    )
    del cv


def test_duplicated_file_is_reported(tmp_path, tiny_corpus):
    """Must-show: a file copied under another name is named in the warning."""
    paths = []
    for i in range(4):
        path = tmp_path / f"utt{i}.wav"
        sf.write(path, tiny_corpus.X[i], tiny_corpus.sr)
        paths.append(str(path))
    copy = tmp_path / "copy_of_utt0.wav"
    shutil.copy(paths[0], copy)
    paths.append(str(copy))
    splits = [([0, 1, 2], [3, 4]), ([3, 4], [0, 1, 2])]
    with pytest.warns(LeakageWarning, match="copy_of_utt0.wav") as caught:
        rec = check_leakage(paths, None, splits)
    assert "utt0.wav" in str(caught[0].message)
    assert rec["hashed"] == "file bytes" and rec["n_duplicate_pairs"] == 2
    assert {
        (
            p["fold"],
            p["train_item"].rsplit("/", 1)[-1],
            p["test_item"].rsplit("/", 1)[-1],
        )
        for p in rec["duplicate_pairs"]
    } == {(1, "utt0.wav", "copy_of_utt0.wav"), (2, "copy_of_utt0.wav", "utt0.wav")}
    # duplicates on the same side of every split are no leak
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = check_leakage(paths, None, [([1, 2], [0, 3, 4])])
    assert rec["n_duplicate_pairs"] == 0


def test_unreadable_file_names_it(tmp_path):
    with pytest.raises(ValueError, match="missing.wav"):
        check_leakage([str(tmp_path / "missing.wav")], None, [([], [0])])
