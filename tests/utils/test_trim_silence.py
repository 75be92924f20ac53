"""trim_silence: librosa.effects.trim's samples, bit for bit, without librosa."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_ser.datasets import load_audio
from sklearn_ser.utils import _audio
from sklearn_ser.utils._audio import trim_silence


def librosa_trim(y, **kwargs):
    return librosa.effects.trim(np.asarray(y, dtype=np.float32), **kwargs)[0]


def trim_in_blocks(y, block, **kwargs):
    """trim_silence squaring ``block`` framed samples at a time (None: its
    default, more than these tests' signals have), so block edges are tested."""
    default = _audio._TRIM_BLOCK
    _audio._TRIM_BLOCK = default if block is None else block
    try:
        return trim_silence(y, **kwargs)
    finally:
        _audio._TRIM_BLOCK = default


#: the default block, or blocks of one frame to a few hundred
BLOCKS = st.one_of(st.none(), st.integers(1, 100_000))


@st.composite
def waveforms(draw):
    """A waveform of 1..20000 samples: a silent or quietly noisy head, a body of
    noise, tone or clicks, a tail like the head; float32, float64 or int16."""
    n = draw(st.integers(1, 20000))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    head = draw(st.integers(0, n))
    tail = draw(st.integers(0, n - head))
    y = np.zeros(n)
    body = n - head - tail
    kind = draw(st.sampled_from(["noise", "tone", "clicks", "zeros"]))
    amp = 10.0 ** draw(st.integers(-4, 0))
    if kind == "noise":
        y[head:head + body] = amp * rng.standard_normal(body)
    elif kind == "tone":
        y[head:head + body] = amp * np.sin(np.arange(body) * rng.uniform(0.01, 3))
    elif kind == "clicks":
        y[head:head + body][rng.random(body) < 0.01] = amp
    floor = draw(st.sampled_from([0.0, 1e-7, 1e-5, 1e-3]))  # silence or hiss
    if floor:
        y[:head] = floor * rng.standard_normal(head)
        y[n - tail:] = floor * rng.standard_normal(tail)
    dtype = draw(st.sampled_from(["float32", "float64", "int16"]))
    if dtype == "int16":
        y = np.clip(np.round(y * 32767), -32768, 32767).astype(np.int16)
    return y.astype(dtype)


@st.composite
def frames(draw):
    frame_length = draw(st.integers(1, 2048))
    # at most ~20000 * 16 framed samples: librosa's frame view is squared whole
    hop_length = draw(st.integers(max(1, frame_length // 16), 2 * frame_length))
    return frame_length, hop_length


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(y=waveforms(), sizes=frames(), block=BLOCKS,
       top_db=st.one_of(st.sampled_from([10, 30, 60, 80]),
                        st.floats(0.5, 120.0, allow_nan=False)))
def test_trim_silence_equals_librosa_bit_for_bit(y, sizes, block, top_db):
    frame_length, hop_length = sizes
    kwargs = dict(top_db=top_db, frame_length=frame_length, hop_length=hop_length)
    before = y.copy()
    out = trim_in_blocks(y, block, **kwargs)
    np.testing.assert_array_equal(out, librosa_trim(y, **kwargs), strict=True)
    np.testing.assert_array_equal(y, before)  # the input is not modified


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(y=waveforms(), sizes=frames(), block=BLOCKS,
       which=st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)))
def test_a_frame_exactly_at_the_threshold_is_silence(y, sizes, block, which):
    """top_db set to one frame's own level (librosa's rms in dB; the first, the
    last or any frame), so that frame sits on the threshold: the float32 rounding
    of every step has to agree for the ends to be the same."""
    frame_length, hop_length = sizes
    y32 = np.asarray(y, dtype=np.float32)
    rms = librosa.feature.rms(y=y32, frame_length=frame_length, hop_length=hop_length)
    db = librosa.amplitude_to_db(rms[0], ref=np.max, top_db=None)
    top_db = -float(db[int(which * (db.size - 1))])
    if not 0 < top_db < np.inf:
        top_db = 1.0
    kwargs = dict(top_db=top_db, frame_length=frame_length, hop_length=hop_length)
    np.testing.assert_array_equal(trim_in_blocks(y, block, **kwargs),
                                  librosa_trim(y, **kwargs), strict=True)


@pytest.mark.parametrize("frame_length, hop_length", [(1024, 256), (2048, 512),
                                                      (7, 3), (1, 1), (5, 9)])
@pytest.mark.parametrize("n", [1, 2, 3, 100, 1023, 1024, 1025])
def test_shorter_than_a_frame_equals_librosa(rng, n, frame_length, hop_length):
    y = rng.standard_normal(n).astype(np.float32)
    y[: n // 2] *= 1e-3
    kwargs = dict(top_db=30, frame_length=frame_length, hop_length=hop_length)
    np.testing.assert_array_equal(trim_silence(y, **kwargs), librosa_trim(y, **kwargs),
                                  strict=True)


def test_edge_cases_as_librosa(rng):
    """All zeros (every frame equally loud) is kept whole; a NaN leaves nothing
    above the threshold; an empty waveform stays empty."""
    zeros = np.zeros(5000, dtype=np.float32)
    np.testing.assert_array_equal(trim_silence(zeros), librosa_trim(zeros, top_db=30,
                                  frame_length=1024, hop_length=256))
    assert trim_silence(zeros).size == 5000
    nan = rng.standard_normal(3000).astype(np.float32)
    nan[10] = np.nan
    assert trim_silence(nan).size == 0 == librosa_trim(nan).size
    empty = trim_silence(np.zeros(0, dtype=np.float32))
    assert empty.dtype == np.float32 and empty.shape == (0,)


def test_returns_a_float32_copy(rng):
    y = rng.standard_normal(4000).astype(np.float32)
    out = trim_silence(y)
    assert out.dtype == np.float32 and out.flags.c_contiguous
    out[:] = 0
    assert np.any(y)


@pytest.mark.parametrize(
    "y, kwargs, match",
    [(np.zeros((2, 100)), {}, r"y must be a 1-D waveform, got an array of shape "
                              r"\(2, 100\)"),
     (np.zeros(100), {"frame_length": 0}, "frame_length and hop_length must be "
                                          "positive, got 0 and 256"),
     (np.zeros(100), {"hop_length": -1}, "got 1024 and -1")],
)
def test_bad_arguments_are_named(y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        trim_silence(y, **kwargs)


def test_load_audio_trim_uses_it(rng):
    y = np.concatenate([np.zeros(3000), rng.standard_normal(5000),
                        1e-4 * rng.standard_normal(2000)]).astype(np.float32)
    np.testing.assert_array_equal(load_audio(y, trim=True, top_db=40),
                                  trim_silence(y, top_db=40))


def test_long_recording_memory_is_bounded_by_blocks(rng):
    """2.5 minutes: the same samples as librosa, whose frame view squared at once
    takes 4x the signal (hop = frame / 4); here a block of frames at a time, so the
    peak is the padded copy, the result and one 16-MB block."""
    import tracemalloc

    y = rng.standard_normal(16000 * 150).astype(np.float32)
    y[:20000] *= 1e-4
    y[-30000:] = 0.0
    tracemalloc.start()
    try:
        out = trim_silence(y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * y.nbytes + 20 * 2**20
    assert 0 < out.size < y.size
    np.testing.assert_array_equal(out, librosa_trim(y, top_db=30, frame_length=1024,
                                                    hop_length=256), strict=True)
