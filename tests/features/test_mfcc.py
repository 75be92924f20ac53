"""MFCC: numbers against librosa, output layouts, batching/threads, file input, and
properties (hypothesis).

Tolerance against librosa: ``atol=1e-3`` in the units of the coefficients (DCT of
dB values, magnitudes up to a few hundred), the bound the issue sets; the deltas
(librosa's ``feature.delta``, Savitzky-Golay with ``mode="interp"`` edges) get the
same bound, edges included.
"""

from __future__ import annotations

import warnings

import librosa
import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.signal import lfilter

from sklearn_ser.utils._audio import resample, trim_silence
from sklearn_ser.features import MFCC, deltas

ATOL = 1e-3  # librosa agreement, in cepstral (dB) units


def speechlike(rng, n, sr=16000):
    """A tone, a chirp and a little noise: energy in many mel bands."""
    t = np.arange(n) / sr
    y = (
        0.3 * np.sin(2 * np.pi * 220 * t)
        + 0.2 * np.sin(2 * np.pi * (300 + 1500 * t) * t)
        + 0.05 * rng.standard_normal(n)
    )
    return y.astype(np.float32)


def librosa_mfcc(y, *, est, n_fft):
    """librosa's MFCC (+ deltas) for the settings of ``est``."""
    sr = est.sr
    kw = dict(
        sr=sr,
        n_fft=n_fft,
        hop_length=int(round(est.hop_ms * sr / 1000)),
        win_length=int(round(est.win_ms * sr / 1000)),
        window=est.window,
        center=est.center,
        n_mels=est.n_mels,
        fmin=est.fmin,
        fmax=est.fmax,
    )
    with warnings.catch_warnings():
        # librosa warns when n_fft exceeds a (padded) clip of one window
        warnings.simplefilter("ignore", UserWarning)
        if est.top_db is None:
            mel = librosa.feature.melspectrogram(y=y, **kw)
            S = librosa.power_to_db(mel, top_db=None)
            m = librosa.feature.mfcc(S=S, n_mfcc=est.n_mfcc, lifter=est.lifter)
        else:
            m = librosa.feature.mfcc(y=y, n_mfcc=est.n_mfcc, lifter=est.lifter, **kw)
    out = [m]
    if m.shape[-1] >= 9:
        out += [librosa.feature.delta(m, order=o, width=9) for o in (1, 2)]
    return out


LIBROSA_CASES = [
    dict(sr=16000, n_mfcc=13, n_mels=40, win_ms=40, hop_ms=10),
    dict(sr=16000, n_mfcc=40, n_mels=40, win_ms=25, hop_ms=10, window="hann"),
    dict(sr=22050, n_mfcc=20, n_mels=64, fmin=50.0, fmax=8000.0, lifter=22.0),
    dict(sr=16000, n_mfcc=13, n_mels=26, win_ms=32, hop_ms=16, center=False),
    dict(sr=22050, n_mfcc=13, n_mels=128, win_ms=92.88, hop_ms=23.22, n_fft=2048,
         window="hann", center=False),
    dict(sr=16000, n_mfcc=13, n_mels=40, top_db=None),
    dict(sr=16000, n_mfcc=40, n_mels=80, fmin=300.0, fmax=7000.0, lifter=40.0),
]


@pytest.mark.parametrize("params", LIBROSA_CASES, ids=lambda p: ",".join(
    f"{k}={v}" for k, v in p.items()))
def test_matches_librosa(params, rng):
    est = MFCC(deltas=2, **params)
    fr = est._framing()
    hop = fr.hop_length
    # one window (librosa's minimum), exactly 9 frames (the delta width), longer
    n9 = fr.min_samples + 8 * hop if not fr.center else 8 * hop + hop // 2
    lengths = [fr.min_samples, n9, 3 * params["sr"] // 2 + 37]
    X = [speechlike(rng, n, params["sr"]) for n in lengths]
    out = est.fit_transform(X)
    for y, got in zip(X, out, strict=True):
        ref = librosa_mfcc(y, est=est, n_fft=fr.n_fft)
        assert got.dtype == np.float32
        assert got.shape == (3, est.n_mfcc, ref[0].shape[-1])
        for k, r in enumerate(ref):  # MFCC, then delta and delta-delta
            np.testing.assert_allclose(got[k], r, rtol=0, atol=ATOL)
    assert out[1].shape[-1] == 9


def test_default_n_fft_is_next_power_of_two():
    assert MFCC()._framing().n_fft == 1024  # 640-sample window at 16 kHz
    assert MFCC(sr=22050)._framing().n_fft == 1024  # 882 samples
    assert MFCC(win_ms=25)._framing().n_fft == 512  # 400 samples
    assert MFCC(win_ms=32)._framing().n_fft == 512  # 512 samples exactly


@pytest.mark.parametrize("center", [True, False])
def test_frame_count(center, rng):
    est = MFCC(n_mfcc=5, center=center)
    fr = est._framing()
    for n in (fr.min_samples, 1183, 1184, 1599, 1600, 16001):
        (got,) = est.transform([rng.standard_normal(n)])
        expected = 1 + n // 160 if center else 1 + (n - 1024) // 160
        assert got.shape == (1, 5, expected)


def _polyfit_derivative(x, order):
    """d^order/dt^order of the least-squares polynomial of degree ``order`` through
    the columns of ``x`` (F, T): a constant per row."""
    t = np.arange(x.shape[-1], dtype=np.float64)
    coef = np.polyfit(t, x.T.astype(np.float64), order)  # highest power first
    return coef[0] * (1 if order == 1 else 2)


@pytest.mark.parametrize("n_frames", [3, 5, 8])
def test_deltas_of_short_utterances_fit_one_polynomial(n_frames, rng):
    # librosa raises below `width` frames; the documented rule is the interp edge
    # rule applied to all frames: derivative of one polynomial fitted to them
    est = MFCC(n_mfcc=6, deltas=2, center=False)
    y = speechlike(rng, 1024 + (n_frames - 1) * 160 + 40)
    (got,) = est.transform([y])
    assert got.shape[-1] == n_frames
    for order in (1, 2):
        expected = _polyfit_derivative(got[0], order)
        np.testing.assert_allclose(
            got[order], np.repeat(expected[:, None], n_frames, axis=1), atol=1e-3
        )


def test_deltas_vanish_with_too_few_frames(rng):
    est = MFCC(n_mfcc=4, deltas=2, center=False)
    (one,) = est.transform([rng.standard_normal(1024)])
    assert one.shape[-1] == 1
    np.testing.assert_array_equal(one[1:], 0.0)
    (two,) = MFCC(n_mfcc=4, deltas=2, center=False).transform(
        [rng.standard_normal(1024 + 160)]
    )
    np.testing.assert_array_equal(two[2], 0.0)  # a parabola needs 3 points
    np.testing.assert_allclose(two[1], (two[0][:, 1:] - two[0][:, :1]).repeat(2, 1),
                               atol=1e-4)


@pytest.mark.parametrize("n_deltas", [0, 1, 2])
def test_stack_channels_and_features_hold_the_same_numbers(n_deltas, rng):
    X = [speechlike(rng, n) for n in (4000, 6400)]
    ch = MFCC(n_mfcc=13, deltas=n_deltas, stack="channels").transform(X)
    ft = MFCC(n_mfcc=13, deltas=n_deltas, stack="features").transform(X)
    for a, b in zip(ch, ft, strict=True):
        assert a.shape == (n_deltas + 1, 13, a.shape[-1])
        assert b.shape == (1, (n_deltas + 1) * 13, a.shape[-1])
        np.testing.assert_array_equal(a.reshape(1, -1, a.shape[-1]), b)
    names = MFCC(n_mfcc=13, deltas=n_deltas, stack="features").get_feature_names_out()
    assert list(names) == list(
        MFCC(n_mfcc=13, deltas=n_deltas).get_feature_names_out()
    )


def test_feature_names_follow_the_output_rows():
    names = MFCC(n_mfcc=3, deltas=2).get_feature_names_out()
    assert names.dtype == object
    assert list(names) == [
        "mfcc0", "mfcc1", "mfcc2",
        "d1_mfcc0", "d1_mfcc1", "d1_mfcc2",
        "d2_mfcc0", "d2_mfcc1", "d2_mfcc2",
    ]
    assert len(MFCC(n_mfcc=40).get_feature_names_out()) == 40


def test_deltas_channels_are_the_derivatives_of_channel_zero(rng):
    (got,) = MFCC(n_mfcc=13, deltas=2).transform([speechlike(rng, 12000)])
    np.testing.assert_allclose(got[1], deltas(got[0], order=1), atol=1e-4)
    np.testing.assert_allclose(got[2], deltas(got[0], order=2), atol=1e-4)


# ------------------------------------------------------------------ max_frames
def test_max_frames_pads_at_the_end_with_pad_value(rng):
    X = [speechlike(rng, n) for n in (3200, 8000)]  # 21 and 51 frames
    ragged = MFCC(n_mfcc=13, deltas=1).transform(X)
    dense = MFCC(n_mfcc=13, deltas=1, max_frames=60, pad_value=-7.5).transform(X)
    assert dense.shape == (2, 2, 13, 60) and dense.dtype == np.float32
    for i, r in enumerate(ragged):
        t = r.shape[-1]
        np.testing.assert_array_equal(dense[i, ..., :t], r)
        np.testing.assert_array_equal(dense[i, ..., t:], -7.5)


@pytest.mark.parametrize("crop", ["start", "center"])
def test_max_frames_crops_start_or_center(crop, rng):
    X = [speechlike(rng, n) for n in (8000, 4800, 1600)]  # 51, 31, 11 frames
    ragged = MFCC(n_mfcc=8, deltas=2).transform(X)
    dense = MFCC(n_mfcc=8, deltas=2, max_frames=20, crop=crop).transform(X)
    assert dense.shape == (3, 3, 8, 20)
    for i, r in enumerate(ragged):
        t = r.shape[-1]
        if t >= 20:
            skip = (t - 20) // 2 if crop == "center" else 0
            np.testing.assert_array_equal(dense[i], r[..., skip : skip + 20])
        else:
            np.testing.assert_array_equal(dense[i, ..., :t], r)
            np.testing.assert_array_equal(dense[i, ..., t:], 0.0)


def test_max_frames_with_stack_features(rng):
    X = [speechlike(rng, 8000)]
    dense = MFCC(n_mfcc=13, deltas=2, stack="features", max_frames=10).transform(X)
    assert dense.shape == (1, 1, 39, 10)
    (ragged,) = MFCC(n_mfcc=13, deltas=2, stack="features").transform(X)
    np.testing.assert_array_equal(dense[0], ragged[..., :10])


# --------------------------------------------------------- conditioning of audio
@pytest.mark.parametrize("a", [0.97, 0.5])
def test_pre_emphasis_equals_filtering_first(a, rng):
    y = speechlike(rng, 9000)
    filtered = lfilter([1.0, -a], [1.0], y.astype(np.float64)).astype(np.float32)
    got = MFCC(n_mfcc=13, deltas=2, pre_emphasis=a).transform([y])[0]
    ref = MFCC(n_mfcc=13, deltas=2).transform([filtered])[0]
    np.testing.assert_allclose(got, ref, rtol=0, atol=ATOL)
    # and it does change the features (a high-pass tilts the spectrum)
    assert np.abs(got[0] - MFCC(n_mfcc=13, deltas=2).transform([y])[0][0]).max() > 1.0


def test_trim_silence_cuts_quiet_ends(rng):
    tone = speechlike(rng, 8000)
    quiet = 1e-5 * rng.standard_normal(4000).astype(np.float32)  # -90 dB
    y = np.concatenate([quiet, tone, quiet])
    trimmed = MFCC(n_mfcc=13, trim_silence=True).transform([y])[0]
    untrimmed = MFCC(n_mfcc=13).transform([y])[0]
    ref_y, _ = librosa.effects.trim(y, top_db=30, frame_length=1024, hop_length=256)
    ref = MFCC(n_mfcc=13).transform([ref_y])[0]
    np.testing.assert_array_equal(trimmed, ref)
    assert untrimmed.shape[-1] - trimmed.shape[-1] >= 40  # most of the 0.5 s cut
    assert trimmed.shape[-1] >= 8000 // 160


def test_trim_silence_then_too_short_names_the_trimming(rng):
    y = np.zeros(16000, dtype=np.float32)
    y[8000:8100] = 0.5 * rng.standard_normal(100)  # a click in silence
    # trimming keeps ~1.5k samples around the click: less than a 128 ms window
    with pytest.raises(
        ValueError,
        match=r"MFCC: utterance 0 \(after trimming silence\) has \d+ samples, shorter "
        r"than one 2048-sample",
    ):
        MFCC(win_ms=128, trim_silence=True).transform([y])


# ------------------------------------------------------------- inputs and batches
def test_same_result_for_list_object_array_and_2d_array(rng):
    X2d = np.stack([speechlike(rng, 6000) for _ in range(4)])
    obj = np.empty(4, dtype=object)
    for i in range(4):
        obj[i] = X2d[i]
    est = MFCC(n_mfcc=13, deltas=2)
    a, b, c = est.transform(list(X2d)), est.transform(obj), est.transform(X2d)
    for x, y, z in zip(a, b, c, strict=True):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(x, z)


def test_ragged_output_is_an_object_array_of_contiguous_float32(rng):
    X = [speechlike(rng, n) for n in (2000, 5000, 3000)]
    out = MFCC(n_mfcc=13, deltas=2).transform(X)
    assert out.dtype == object and out.shape == (3,)
    assert [o.shape[-1] for o in out] == [1 + n // 160 for n in (2000, 5000, 3000)]
    for o in out:
        assert o.dtype == np.float32 and o.flags.c_contiguous


def test_n_jobs_two_equals_one_exactly(rng):
    X = [speechlike(rng, int(n)) for n in rng.integers(1000, 9000, 11)]
    one = MFCC(n_mfcc=13, deltas=2, n_jobs=1, batch_size=2).transform(X)
    two = MFCC(n_mfcc=13, deltas=2, n_jobs=2, batch_size=2).transform(X)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)
    dense1 = MFCC(n_jobs=1, batch_size=3, max_frames=30).transform(X)
    dense2 = MFCC(n_jobs=2, batch_size=3, max_frames=30).transform(X)
    np.testing.assert_array_equal(dense1, dense2)


def test_errors_from_worker_threads_name_the_utterance(rng):
    X = [speechlike(rng, 3000) for _ in range(9)]
    X[7] = np.zeros(3000, dtype=np.float32)
    with pytest.raises(ValueError, match="MFCC: utterance 7 is silent"):
        MFCC(n_jobs=2, batch_size=2).transform(X)


@pytest.mark.parametrize("batch_size", [1, 3, 100])
def test_batch_size_does_not_change_the_numbers(batch_size, rng):
    X = [speechlike(rng, int(n)) for n in rng.integers(700, 9000, 7)]
    ref = [MFCC(n_mfcc=13, deltas=2).transform([y])[0] for y in X]  # one at a time
    got = MFCC(n_mfcc=13, deltas=2, batch_size=batch_size).transform(X)
    for a, b in zip(got, ref, strict=True):
        # only BLAS rounding may differ with a row's place in a batch
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-4)


def test_input_is_not_modified(rng):
    X = [speechlike(rng, 4000), (speechlike(rng, 3000) * 2**14).astype(np.int16),
         rng.standard_normal((2, 3500))]
    before = [x.copy() for x in X]
    MFCC(n_mfcc=13, deltas=2, pre_emphasis=0.97, trim_silence=True).transform(X)
    for x, b in zip(X, before, strict=True):
        np.testing.assert_array_equal(x, b)
    X2d = np.stack([speechlike(rng, 4000)] * 2)
    copy = X2d.copy()
    MFCC(pre_emphasis=0.97).transform(X2d)
    np.testing.assert_array_equal(X2d, copy)


def test_integer_pcm_and_stereo_arrays_are_converted(rng):
    y = speechlike(rng, 6000)
    pcm = np.round(y * 32767).astype(np.int16)
    est = MFCC(n_mfcc=13)
    np.testing.assert_allclose(
        est.transform([pcm])[0], est.transform([pcm / 32768.0])[0], atol=1e-4
    )
    left, right = speechlike(rng, 6000), speechlike(rng, 6000)
    mono = est.transform([(left + right) / 2])[0]
    for stereo in (np.stack([left, right]), np.stack([left, right], axis=1)):
        np.testing.assert_allclose(est.transform([stereo])[0], mono, atol=1e-4)


# --------------------------------------------------------------------- files
def test_file_paths_are_read_converted_and_resampled(tmp_path, rng):
    y = speechlike(rng, 8000)
    f32 = tmp_path / "float.wav"
    sf.write(f32, y, 16000, subtype="FLOAT")
    pcm = np.round(y * 30000).astype(np.int16)
    i16 = tmp_path / "pcm16.wav"
    sf.write(i16, pcm, 16000, subtype="PCM_16")
    left, right = speechlike(rng, 8000), speechlike(rng, 8000)
    stereo = tmp_path / "stereo.wav"
    sf.write(stereo, np.stack([left, right], axis=1), 16000, subtype="FLOAT")
    y22 = speechlike(rng, 22050, sr=22050)
    other_rate = tmp_path / "rate22050.wav"
    sf.write(other_rate, y22, 22050, subtype="FLOAT")

    est = MFCC(n_mfcc=13, deltas=2)
    got = est.transform([str(f32), i16, stereo, other_rate])  # str and Path
    expected = est.transform([
        y,
        pcm.astype(np.float64) / 32768.0,
        (left + right) / 2,
        resample(y22, orig_sr=22050, target_sr=16000),
    ])
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-4)
    assert got[3].shape[-1] == 1 + 16000 // 160  # one second at 16 kHz


def test_paths_and_arrays_mix(tmp_path, rng):
    y = speechlike(rng, 5000)
    path = tmp_path / "a.wav"
    sf.write(path, y, 16000, subtype="FLOAT")
    got = MFCC(n_mfcc=13).transform([y, path, y])
    np.testing.assert_array_equal(got[0], got[1])
    np.testing.assert_array_equal(got[0], got[2])


# ------------------------------------------------------------------ properties
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(y=hnp.arrays(np.float32, st.integers(640, 3000),
                    elements=st.floats(-1e3, 1e3, width=32)))
def test_output_is_finite_for_any_finite_non_silent_input(y):
    assume(np.any(y))
    (out,) = MFCC(n_mfcc=13, deltas=2).transform([y])
    assert out.shape == (3, 13, 1 + y.size // 160)
    assert np.all(np.isfinite(out))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), gain=st.floats(0.05, 20.0),
       n=st.integers(2000, 6000))
def test_gain_shifts_only_c0(seed, gain, n):
    # log mel energies move by 20 log10(gain) dB in every band; the orthonormal
    # DCT puts a constant c into c0 as c * sqrt(n_mels) and nowhere else
    y = np.random.default_rng(seed).standard_normal(n).astype(np.float32) * 0.1
    est = MFCC(n_mfcc=20, n_mels=40, top_db=None, deltas=1)
    a, b = est.transform([y, (y * np.float32(gain))])
    shift = 20 * np.log10(np.float32(gain) * 1.0) * np.sqrt(40)
    np.testing.assert_allclose(b[0, 0] - a[0, 0], shift, atol=2e-3)
    np.testing.assert_allclose(b[0, 1:], a[0, 1:], atol=2e-3)
    np.testing.assert_allclose(b[1], a[1], atol=2e-3)  # a shift has no slope


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), k=st.integers(1, 12), n=st.integers(1200, 5000))
def test_shifting_by_whole_hops_shifts_the_frames(seed, k, n):
    y = np.random.default_rng(seed).standard_normal(n + k * 160).astype(np.float32)
    est = MFCC(n_mfcc=13, center=False, top_db=None)
    full, shifted = est.transform([y, y[k * 160 :]])
    assert full.shape[-1] == shifted.shape[-1] + k
    np.testing.assert_allclose(shifted, full[..., k:], rtol=0, atol=1e-3)


def test_top_db_floors_each_utterance_at_its_own_peak(rng):
    # a quiet and a loud clip in one batch: each is floored 80 dB below its own
    # maximum (as librosa on each clip), not the batch's
    y = speechlike(rng, 6000) * np.float32(20.0)
    est = MFCC(n_mfcc=13)
    loud, quiet = est.transform([y, y * np.float32(1e-2)])  # 40 dB apart
    np.testing.assert_allclose(quiet[0, 1:], loud[0, 1:], atol=2e-3)
    np.testing.assert_allclose(quiet[0, 0] - loud[0, 0], -40 * np.sqrt(40), atol=2e-3)
    assert loud[0, 0].max() - loud[0, 0].min() > 10  # the floor did act


def test_trim_silence_matches_the_audio_helper(rng):
    y = np.concatenate([np.zeros(3000), speechlike(rng, 5000), np.zeros(2000)])
    np.testing.assert_array_equal(
        MFCC(trim_silence=True).transform([y])[0],
        MFCC().transform([trim_silence(y.astype(np.float32))])[0],
    )
