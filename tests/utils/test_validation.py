"""The shared input validation: check_audio / audio_items, check_features,
check_consistent_length, check_labels, to_object_array, is_ragged."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from sklearn.exceptions import DataConversionWarning

from sklearn_ser.utils._audio import AudioFileNotFoundError
from sklearn_ser.utils._validation import (
    audio_items,
    check_audio,
    check_consistent_length,
    check_features,
    check_labels,
    is_ragged,
    to_object_array,
)


def wave(rng, n=1000):
    return rng.standard_normal(n).astype(np.float32)


# ------------------------------------------------------------------ check_audio
def test_check_audio_returns_mono_float32_copies(rng):
    X = [wave(rng), rng.standard_normal(800), (wave(rng) * 1000).astype(np.int16),
         rng.standard_normal((2, 700))]
    before = [x.copy() for x in X]
    waves = check_audio(X, sr=16000)
    assert [w.shape for w in waves] == [(1000,), (800,), (1000,), (700,)]
    assert all(w.dtype == np.float32 for w in waves)
    for w in waves:
        w[...] = 0.0
    for x, b in zip(X, before, strict=True):
        np.testing.assert_array_equal(x, b)


def test_check_audio_copy_false_shares_float32_waveforms_only(rng):
    y, y64 = wave(rng), rng.standard_normal(900)
    waves = check_audio([y, y64], sr=16000, copy=False)
    assert waves[0] is y
    assert waves[1] is not y64 and waves[1].dtype == np.float32


def test_two_d_array_is_one_utterance_per_row(rng):
    X = rng.standard_normal((3, 1200)).astype(np.float32)
    waves = check_audio(X, sr=16000)
    assert len(waves) == 3
    np.testing.assert_array_equal(waves[2], X[2])
    assert len(audio_items(X)) == 3


def test_paths_are_loaded(tmp_path, rng):
    y = wave(rng, 2000) * np.float32(0.1)
    sf.write(tmp_path / "a.wav", y, 8000, subtype="FLOAT")
    (w,) = check_audio([tmp_path / "a.wav"], sr=16000)
    assert w.shape == (4000,) and w.dtype == np.float32


@pytest.mark.parametrize(
    "X, exc, match",
    [
        ([], ValueError, "MFCC: X contains no utterances"),
        (np.zeros((2, 3, 100)), ValueError,
         r"MFCC: X must be a sequence of 1-D waveforms \(or a 2-D array with one "
         r"utterance per row\), got an array of shape \(2, 3, 100\)"),
        (np.ones(1000), ValueError,
         r"MFCC: X must be a sequence of waveforms \(one per utterance\), got a single "
         r"1-D array of 1000 samples; wrap one waveform in a list"),
        ([0.1, 0.2, 0.3], ValueError,
         r"MFCC: utterance 0 is a float, not a waveform or a file path"),
        ("clip.wav", TypeError, "got a single str; wrap it in a list"),
        ({"a": np.ones(10)}, TypeError, "got a dict; pass its values as a list"),
        (None, TypeError,
         "X must be a sequence of waveforms or file paths, got NoneType"),
        (np.float32(3.0), TypeError, "got a scalar"),
        ([np.ones(1000), np.array([], dtype=np.float32)], ValueError,
         r"MFCC: utterance 1 is empty \(0 samples\)"),
        ([np.zeros(1000)], ValueError,
         r"MFCC: utterance 0 is silent \(all samples are zero\)"),
        ([np.ones(1000), np.r_[np.ones(10), np.nan]], ValueError,
         "MFCC: utterance 1 contains NaN or inf samples"),
        ([np.r_[np.ones(10), -np.inf, np.ones(10)]], ValueError,
         "utterance 0 contains NaN or inf samples"),
        ([np.ones(1000), np.ones(1000), np.ones(100)], ValueError,
         "MFCC: utterance 2 has 100 samples, shorter than one 640-sample analysis "
         "window"),
        ([np.ones((2, 2, 500))], ValueError,
         r"MFCC: utterance 0 has shape \(2, 2, 500\); expected a 1-D waveform"),
        ([np.ones(1000, dtype=complex)], TypeError,
         "MFCC: utterance 0: expected a real waveform"),
        ([np.array(["x", "y"])], TypeError,
         "MFCC: utterance 0: expected a numeric waveform"),
    ],
)
def test_check_audio_bad_input(X, exc, match):
    with pytest.raises(exc, match=match):
        check_audio(X, sr=16000, name="MFCC", min_samples=640)


def test_nan_is_reported_even_with_zeros_around():
    y = np.zeros(1000)
    y[500] = np.nan  # min/max alone would see 0 and NaN: must not read as silence
    with pytest.raises(ValueError, match="contains NaN or inf"):
        check_audio([y], sr=16000)


def test_start_offsets_the_utterance_index_in_messages(rng):
    with pytest.raises(ValueError, match="est: utterance 12 is silent"):
        check_audio([wave(rng), np.zeros(100)], sr=16000, name="est", start=11)


def test_missing_file_names_the_file_and_the_utterance(tmp_path, rng):
    path = tmp_path / "gone.wav"
    with pytest.raises(AudioFileNotFoundError,
                       match=r"MFCC: utterance 1 \('.*gone\.wav'\): audio file "
                       "not found"):
        check_audio([wave(rng), path], sr=16000, name="MFCC")
    # catchable as the ValueError every other bad input raises
    with pytest.raises(ValueError, match="gone.wav"):
        check_audio([str(path)], sr=16000)


def test_unreadable_file_names_the_file_and_the_utterance(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"\x00\x01garbage" * 50)
    with pytest.raises(ValueError, match=r"MFCC: utterance 0 \('.*bad\.wav'\): cannot "
                       r"read audio file '.*bad\.wav'"):
        check_audio([bad], sr=16000, name="MFCC")


def test_silent_and_short_files_are_named(tmp_path):
    sf.write(tmp_path / "silent.wav", np.zeros(2000, np.float32), 16000)
    with pytest.raises(ValueError, match=r"utterance 0 \('.*silent\.wav'\) is silent"):
        check_audio([tmp_path / "silent.wav"], sr=16000)
    sf.write(tmp_path / "short.wav", np.ones(100, np.float32) * 0.5, 16000)
    with pytest.raises(ValueError, match=r"\('.*short\.wav'\) has 100 samples"):
        check_audio([tmp_path / "short.wav"], sr=16000, min_samples=640)


def test_trim_runs_after_the_checks_and_is_named_in_the_length_error(rng):
    with pytest.raises(ValueError, match="is silent"):  # not "empty after trimming"
        check_audio([np.zeros(5000)], sr=16000, trim=True)
    y = np.zeros(20000, dtype=np.float32)
    y[10000:10050] = 1.0
    with pytest.raises(ValueError, match=r"utterance 0 \(after trimming silence\) has"):
        check_audio([y], sr=16000, trim=True, min_samples=4096)
    (w,) = check_audio([y], sr=16000, trim=True)
    assert w.size < 5000


# -------------------------------------------------------------- check_features
def test_check_features_ragged_and_dense(rng):
    X = [rng.normal(size=(2, 4, t)) for t in (5, 9)]
    items, dense = check_features(X)
    assert not dense and [a.shape for a in items] == [(2, 4, 5), (2, 4, 9)]
    assert all(a.dtype == np.float32 for a in items)
    D = rng.normal(size=(3, 2, 4, 6))
    items, dense = check_features(D, dtype=np.float64)
    assert dense and len(items) == 3 and items[0].dtype == np.float64
    items[0][...] = 0
    assert np.any(D[0])  # copies


def test_check_features_adds_the_channel_axis(rng):
    items, _ = check_features([rng.normal(size=(4, 7))])
    assert items[0].shape == (1, 4, 7)
    items, dense = check_features(rng.normal(size=(3, 4, 7)))
    assert dense and items[0].shape == (1, 4, 7)


@pytest.mark.parametrize(
    "X, kw, exc, match",
    [
        ([np.ones((1, 3, 5)), np.ones((1, 4, 5))], {}, ValueError,
         r"est: utterances differ in \(channels, n_features\): \[\(1, 3\), \(1, 4\)\]"),
        ([np.ones((1, 3, 5))], dict(n_features=4), ValueError,
         r"est: utterance 0 has 3 features, expected 4 \(as seen in fit\)"),
        ([np.ones((2, 3, 5))], dict(n_channels=1), ValueError,
         "est: utterance 0 has 2 channels, expected 1"),
        ([np.ones((1, 3, 2))], dict(min_frames=3), ValueError,
         "est: utterance 0 has 2 frames, fewer than the 3 required"),
        ([np.ones(5)], {}, ValueError,
         r"est: utterance 0 has shape \(5,\); expected \(channels, n_features, "
         r"n_frames\)"),
        (np.ones((2, 5)), {}, ValueError, "dense features must have shape"),
        ([np.ones((1, 2, 3)), "x.wav"], {}, TypeError,
         "est: utterance 1 is not a numeric array"),
        ([np.full((1, 2, 3), np.nan)], {}, ValueError,
         "est: utterance 0 contains NaN or inf features"),
        ([], {}, ValueError, "est: X contains no utterances"),
    ],
)
def test_check_features_bad_input(X, kw, exc, match):
    with pytest.raises(exc, match=match):
        check_features(X, name="est", **kw)


# ------------------------------------------------------------ labels and lengths
def test_check_consistent_length():
    check_consistent_length([1, 2, 3], ["a", "b", "c"])
    check_consistent_length([1, 2, 3], None)
    with pytest.raises(ValueError, match="est: X and y have different lengths: 3 "
                       "utterances, 2 labels"):
        check_consistent_length([1, 2, 3], [0, 1], name="est")


def test_check_labels():
    y = np.array([[1], [0], [1]])
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        out = check_labels(y)
    assert out.shape == (3,)
    out[0] = 5
    assert y[0, 0] == 1  # a copy
    assert check_labels(["a", "b"]).tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="est: y is required"):
        check_labels(None, name="est")
    with pytest.raises(ValueError, match=r"est: y must be 1-D, got shape \(2, 2\)"):
        check_labels(np.ones((2, 2)), name="est")
    with pytest.raises(ValueError, match="est: y is empty"):
        check_labels([], name="est")
    with pytest.raises(ValueError, match="est: y contains NaN or inf"):
        check_labels([0.0, np.nan], name="est")


def test_object_arrays():
    same = [np.ones((1, 2, 3)), np.zeros((1, 2, 3))]
    packed = to_object_array(same)
    assert packed.dtype == object and packed.shape == (2,)  # never stacked
    assert packed[1] is same[1]
    assert is_ragged(packed) and is_ragged(same)
    assert not is_ragged(np.ones((2, 1, 2, 3)))
