"""Sample rates from a file header: plausible ones are resampled cheaply (odd ones
approximated within 0.1 %), implausible ones are refused naming the file."""

from __future__ import annotations

import time

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.utils._audio import MAX_FILE_SR, MIN_FILE_SR, load_audio, resample


@pytest.mark.parametrize("rate", [45, 999, 4_210_688])
def test_a_header_rate_no_recorder_writes_is_refused(tmp_path, rate):
    path = tmp_path / "bad.wav"
    sf.write(path, np.zeros(64, dtype=np.float32), rate)
    with pytest.raises(ValueError, match=rf"bad\.wav.*{rate} Hz.*damaged header"):
        load_audio(path)


@settings(max_examples=25, deadline=None)
@given(rate=st.integers(8_000, 96_000))
def test_any_plausible_rate_resamples_fast_to_the_exact_length(rate):
    y = np.sin(np.arange(rate // 10) / 7.0).astype(np.float32)  # 0.1 s
    t0 = time.process_time()
    out = resample(y, orig_sr=rate, target_sr=16_000)
    assert time.process_time() - t0 < 1.0  # exact ratios up to 96000/8000: factors < 1000
    assert out.dtype == np.float32
    assert len(out) == -(-len(y) * 16_000 // rate)
    assert np.isfinite(out).all()


def test_an_odd_rate_is_approximated_not_expanded():
    # 16000/44057 is irreducible: the exact filter would have 44 057 phases
    rate = 44_057
    t = np.arange(rate) / rate
    y = np.sin(2 * np.pi * 440 * t).astype(np.float32)  # 1 s of 440 Hz
    out = resample(y, orig_sr=rate, target_sr=16_000)
    assert len(out) == -(-rate * 16_000 // rate)
    # still a 440 Hz tone at 16 kHz (the approximation moves it by < 0.1 %)
    spectrum = np.abs(np.fft.rfft(out * np.hanning(len(out))))
    peak = np.argmax(spectrum) * 16_000 / len(out)
    assert abs(peak - 440) < 2


def test_the_limits_admit_the_usual_rates():
    for rate in (8_000, 11_025, 16_000, 22_050, 44_100, 48_000, 96_000, 192_000):
        assert MIN_FILE_SR <= rate <= MAX_FILE_SR
