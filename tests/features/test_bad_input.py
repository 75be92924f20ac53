"""Bad input to the audio feature transformers: each a ValueError/TypeError whose
message names the transformer, the utterance and the problem; parameters checked
in fit (and in transform, as they are stateless)."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_ser.features import MFCC, LogMelSpectrogram, Spectrogram

AUDIO_TRANSFORMERS = [MFCC, LogMelSpectrogram, Spectrogram]


def ok(rng, n=2000):
    return (0.1 * rng.standard_normal(n)).astype(np.float32)


@pytest.fixture(params=AUDIO_TRANSFORMERS, ids=lambda c: c.__name__)
def Est(request):
    return request.param


def test_empty_waveform(Est, rng):
    with pytest.raises(ValueError, match=rf"{Est.__name__}: utterance 1 is empty "
                       r"\(0 samples\)"):
        Est().transform([ok(rng), np.array([], dtype=np.float32)])


def test_all_zero_audio(Est, rng):
    with pytest.raises(ValueError, match=rf"{Est.__name__}: utterance 2 is silent "
                       r"\(all samples are zero\)"):
        Est().transform([ok(rng), ok(rng), np.zeros(3000, dtype=np.int16)])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_samples(Est, bad, rng):
    y = ok(rng)
    y[123] = bad
    with pytest.raises(ValueError, match=rf"{Est.__name__}: utterance 0 contains NaN "
                       "or inf samples"):
        Est().transform([y])


@pytest.mark.parametrize("center, needed", [(True, 640), (False, 1024)])
def test_clip_shorter_than_one_window(Est, center, needed, rng):
    # centred frames need one window (win_length); uncentred ones one n_fft frame,
    # as librosa requires
    X = [ok(rng), ok(rng), ok(rng), ok(rng, needed - 1)]
    with pytest.raises(
        ValueError,
        match=rf"{Est.__name__}: utterance 3 has {needed - 1} samples, shorter than "
        rf"one {needed}-sample analysis window",
    ):
        Est(center=center).transform(X)
    Est(center=center).transform(X[:3] + [ok(rng, needed)])  # exactly one: fine


def test_short_clip_is_found_in_any_batch_and_thread(Est, rng):
    X = [ok(rng) for _ in range(10)]
    X[8] = ok(rng, 300)
    with pytest.raises(ValueError, match=rf"{Est.__name__}: utterance 8 has 300 "):
        Est(batch_size=3, n_jobs=2).transform(X)


def test_three_d_input(Est):
    with pytest.raises(ValueError, match=rf"{Est.__name__}: X must be a sequence of "
                       r"1-D waveforms .* got an array of shape \(2, 1, 4000\)"):
        Est().transform(np.ones((2, 1, 4000), dtype=np.float32))
    with pytest.raises(ValueError, match=r"utterance 0 has shape \(2, 2, 1000\)"):
        Est().transform([np.ones((2, 2, 1000))])


def test_single_waveform_instead_of_a_collection(Est, rng):
    with pytest.raises(ValueError, match=r"got a single 1-D array of 2000 samples; "
                       r"wrap one waveform in a list: \[y\]"):
        Est().transform(ok(rng))


def test_missing_file_names_it(Est, tmp_path, rng):
    missing = tmp_path / "missing.wav"
    with pytest.raises(FileNotFoundError, match=rf"{Est.__name__}: utterance 1 "
                       r"\('.*missing\.wav'\): audio file not found"):
        Est().transform([ok(rng), missing])
    with pytest.raises(ValueError, match="missing.wav"):  # also a ValueError
        Est().transform([str(missing)])


def test_unreadable_file_names_it(Est, tmp_path, rng):
    bad = tmp_path / "corrupt.wav"
    bad.write_bytes(b"RIFF" + bytes(range(256)) * 4)
    with pytest.raises(ValueError, match=rf"{Est.__name__}: utterance 0 "
                       r"\('.*corrupt\.wav'\): cannot read audio file"):
        Est().transform([bad, ok(rng)])


def test_silent_file_names_it(Est, tmp_path):
    sf.write(tmp_path / "quiet.wav", np.zeros(4000, dtype=np.int16), 16000,
             subtype="PCM_16")
    with pytest.raises(ValueError, match=r"\('.*quiet\.wav'\) is silent"):
        Est().transform([tmp_path / "quiet.wav"])


@pytest.mark.parametrize(
    "X, exc, match",
    [
        ([], ValueError, "X contains no utterances"),
        ("a.wav", TypeError, "got a single str; wrap it in a list"),
        (None, TypeError, "got NoneType"),
        ([np.ones(2000, dtype=complex)], TypeError, "expected a real waveform"),
        ([np.array(["a"] * 2000)], TypeError, "expected a numeric waveform"),
        ([1.0, 2.0], ValueError, "utterance 0 is a float, not a waveform"),
    ],
)
def test_other_bad_collections(Est, X, exc, match):
    with pytest.raises(exc, match=rf"{Est.__name__}: .*{match}"):
        Est().transform(X)


def test_input_is_never_modified_even_on_error(Est, rng):
    X = [ok(rng), ok(rng), np.zeros(2000, dtype=np.float32)]
    before = [x.copy() for x in X]
    with pytest.raises(ValueError):
        Est(pre_emphasis=0.97).transform(X)
    Est(pre_emphasis=0.97, trim_silence=True).transform(X[:2])
    for x, b in zip(X, before, strict=True):
        np.testing.assert_array_equal(x, b)


@pytest.mark.parametrize(
    "params, exc, match",
    [
        (dict(sr=0), InvalidParameterError, "'sr' parameter"),
        (dict(win_ms=-1.0), InvalidParameterError, "'win_ms' parameter"),
        (dict(max_frames=0), InvalidParameterError, "'max_frames' parameter"),
        (dict(crop="end"), InvalidParameterError, "'crop' parameter"),
        (dict(pre_emphasis=1.5), InvalidParameterError, "'pre_emphasis' parameter"),
        (dict(n_jobs=0), InvalidParameterError, "'n_jobs' parameter"),
        (dict(win_ms=0.01), ValueError,
         r"win_ms=0.01 and hop_ms=10.0 give 0 and 160 samples at sr=16000"),
        (dict(n_fft=256), ValueError, "n_fft=256 is shorter than the 640-sample"),
        (dict(window="no-such-window"), ValueError, "is not a window"),
    ],
)
def test_bad_parameters(Est, params, exc, match, rng):
    with pytest.raises(exc, match=match):
        Est(**params).fit([ok(rng)])
    with pytest.raises(exc, match=match):  # stateless: checked in transform too
        Est(**params).transform([ok(rng)])


@pytest.mark.parametrize("Mel", [MFCC, LogMelSpectrogram])
def test_bad_mel_band(Mel):
    with pytest.raises(ValueError, match=r"need 0 <= fmin < fmax <= sr / 2 = 8000 Hz, "
                       "got fmin=0.0, fmax=9000"):
        Mel(fmax=9000).fit(None)
    with pytest.raises(ValueError, match="got fmin=4000, fmax=3000"):
        Mel(fmin=4000, fmax=3000).fit(None)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_mfcc=41), "MFCC: n_mfcc=41 exceeds n_mels=40"),
        (dict(delta_width=4), "MFCC: delta_width must be an odd integer >= 3, got 4"),
    ],
)
def test_bad_mfcc_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        MFCC(**params).fit(None)
    with pytest.raises(InvalidParameterError, match="'deltas' parameter"):
        MFCC(deltas=3).fit(None)


def test_mismatched_labels_in_fit(Est, rng):
    X = [0.1 * rng.standard_normal(4000) for _ in range(3)]
    with pytest.raises(ValueError, match=rf"{Est.__name__}: X and y .* 3 utterances, 2"):
        Est().fit(X, ["a", "b"])


@pytest.mark.parametrize("name", ["FrameStatistics", "FeatureNormalizer",
                                  "SpectrogramHasher"])
def test_mismatched_labels_in_fit_of_feature_steps(name, rng):
    import sklearn_ser.features as features

    X = [rng.standard_normal((1, 8, 20)).astype(np.float32) for _ in range(3)]
    with pytest.raises(ValueError, match=rf"{name}: X and y .* 3 utterances, 4 labels"):
        getattr(features, name)().fit(X, [0, 1, 0, 1])
