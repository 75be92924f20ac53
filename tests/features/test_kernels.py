"""The compiled frame-analysis kernels and the threads that run them.

Each kernel is checked against a plain numpy/scipy reference (``np.pad`` for the
centring pad, an explicit filter for pre-emphasis, ``scipy.fft.rfft``), on the
edge cases that take the kernels' slow paths: frames in the pad, pre-emphasis on
an utterance's first sample, reflect/edge padding of the shortest utterances.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.fft import rfft
from scipy.signal import get_window

from sklearn_ser.features import MFCC, Spectrogram, _engine, deltas, stft_power


def reference_power(y, *, n_fft, hop, win, center, pad_mode, a):
    """|STFT|**2 the slow way: emphasise, pad, frame, window, FFT."""
    y = y.astype(np.float64)
    if a:
        y = np.concatenate([y[:1], y[1:] - a * y[:-1]])
    if center:
        y = np.pad(y, n_fft // 2, mode=pad_mode)
    w = np.zeros(n_fft)
    lpad = (n_fft - win) // 2
    w[lpad : lpad + win] = get_window("hamming", win, fftbins=True)
    n_frames = 1 + (len(y) - n_fft) // hop
    frames = np.stack([y[t * hop : t * hop + n_fft] * w for t in range(n_frames)])
    return (np.abs(rfft(frames, axis=-1)) ** 2).T


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=700),
    win=st.sampled_from([64, 100, 128]),
    hop=st.sampled_from([16, 33, 64, 200]),
    center=st.booleans(),
    pad_mode=st.sampled_from(["constant", "edge", "reflect"]),
    a=st.sampled_from([0.0, 0.97]),
    seed=st.integers(0, 2**16),
)
def test_stft_power_matches_the_slow_reference(n, win, hop, center, pad_mode, a, seed):
    n_fft = 128
    rng = np.random.default_rng(seed)
    n = n + (win if center else n_fft)  # at least one window
    y = rng.standard_normal(n).astype(np.float32)
    got = stft_power(
        y, sr=16000, n_fft=n_fft, hop_length=hop, win_length=win, center=center,
        pad_mode=pad_mode, pre_emphasis=a,
    )[0]  # one channel
    ref = reference_power(
        y, n_fft=n_fft, hop=hop, win=win, center=center, pad_mode=pad_mode, a=a
    )
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4 * ref.max())


def test_batch_equals_one_utterance_at_a_time(rng):
    # the utterances share one concatenated buffer: no frame may read a neighbour
    lengths = (1024, 1025, 1300, 3000, 1024)
    X = [rng.standard_normal(n).astype(np.float32) for n in lengths]
    for kw in (dict(), dict(pad_mode="reflect"), dict(pre_emphasis=0.97),
               dict(center=False, pre_emphasis=0.5)):
        batch = Spectrogram(**kw).transform(X)
        for y, got in zip(X, batch, strict=True):
            alone = Spectrogram(**kw).transform([y])[0]
            np.testing.assert_array_equal(got, alone)


def test_framings_sharing_n_fft_do_not_leak_into_each_other(rng):
    # both use n_fft 1024: a 40 ms window at 22 050 Hz (882 samples) and at
    # 16 kHz (640); the per-thread frame buffer must not keep the wider one's
    # samples around the narrower window
    y = rng.standard_normal(16000).astype(np.float32)
    wide = dict(sr=22050, n_fft=1024, hop_length=220, win_length=882)
    narrow = dict(sr=16000, n_fft=1024, hop_length=160, win_length=640)
    first = stft_power(y, **narrow)[0]
    stft_power(y, **wide)
    again = stft_power(y, **narrow)[0]
    np.testing.assert_array_equal(first, again)
    ref = reference_power(
        y, n_fft=1024, hop=160, win=640, center=True, pad_mode="constant", a=0.0
    )
    np.testing.assert_allclose(again, ref, rtol=1e-4, atol=1e-4 * ref.max())


def test_rfft_fallback_gives_the_same_numbers(rng, monkeypatch):
    X = [rng.standard_normal(4000).astype(np.float32)]
    fast = MFCC(deltas=2).transform(X)[0]
    monkeypatch.setattr(_engine, "_r2c", None)  # scipy without the binding
    slow = MFCC(deltas=2).transform(X)[0]
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-5)


def test_scratch_buffers_are_per_thread():
    seen = {}

    def grab(key):
        seen[key] = _engine._SCRATCH.get(256, 200)[0]

    threads = [threading.Thread(target=grab, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    grab("main")
    assert seen[0] is not seen[1] and seen["main"] is not seen[0]
    assert seen["main"] is _engine._SCRATCH.get(256, 200)[0]  # kept


@pytest.mark.parametrize("n_jobs", [1, 2, 3])
def test_run_batches_runs_every_batch_once(n_jobs):
    batches = [(i, i + 1) for i in range(25)]
    done, lock = [], threading.Lock()

    def run(start, stop):
        with lock:
            done.append(start)

    _engine.run_batches(run, batches, n_jobs)
    assert sorted(done) == list(range(25))


@pytest.mark.parametrize("failing", [0, 7, 24])
def test_run_batches_raises_a_workers_error_and_stops(failing):
    batches = [(i, i + 1) for i in range(25)]
    done, lock = [], threading.Lock()

    def run(start, stop):
        if start == failing:
            raise ValueError(f"batch {start} failed")
        with lock:
            done.append(start)

    with pytest.raises(ValueError, match=f"batch {failing} failed"):
        _engine.run_batches(run, batches, 2)
    assert failing not in done


def test_nan_in_a_later_batch_on_two_threads_names_the_file(tmp_path, rng):
    import soundfile as sf

    X = [rng.standard_normal(2000).astype(np.float32) for _ in range(9)]
    path = tmp_path / "quiet.wav"
    sf.write(path, np.zeros(2000, dtype=np.float32), 16000)
    X[6] = str(path)
    silent = r"MFCC: utterance 6 \('.*quiet\.wav'\) is silent"
    with pytest.raises(ValueError, match=silent):
        MFCC(n_jobs=2, batch_size=2).transform(X)
    X[6] = np.full(2000, np.nan, dtype=np.float32)
    with pytest.raises(ValueError, match="MFCC: utterance 6 contains NaN or inf"):
        MFCC(n_jobs=2, batch_size=2).transform(X)


@settings(max_examples=40, deadline=None)
@given(
    t=st.integers(min_value=1, max_value=40),
    width=st.sampled_from([3, 5, 9]),
    order=st.sampled_from([1, 2]),
    seed=st.integers(0, 2**16),
)
def test_deltas_match_librosa(t, width, order, seed):
    import librosa

    x = np.random.default_rng(seed).standard_normal((3, t)).astype(np.float32)
    got = deltas(x, order=order, width=width)
    if t >= width:
        ref = librosa.feature.delta(x, order=order, width=width)
        np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)
    assert got.shape == x.shape and np.all(np.isfinite(got))
