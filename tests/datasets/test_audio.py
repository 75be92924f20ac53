"""load_audio, to_mono_float, resample, trim_silence: paths or arrays in, mono float32
at ``sr`` out."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
import soundfile as sf

from sklearn_ser.utils._audio import (
    AudioFileNotFoundError,
    load_audio,
    resample,
    to_mono_float,
    trim_silence,
)


def sine(f, sr, seconds=1.0, amp=0.5):
    t = np.arange(int(round(seconds * sr))) / sr
    return (amp * np.sin(2 * np.pi * f * t)).astype(np.float32)


def peak_hz(y, sr):
    spec = np.abs(np.fft.rfft(y * np.hanning(y.size)))
    return np.argmax(spec) * sr / y.size


# ---------------------------------------------------------------- arrays
def test_float_array_comes_back_as_a_float32_copy(rng):
    y = rng.standard_normal(1000).astype(np.float32)
    out = load_audio(y)
    assert out.dtype == np.float32 and out is not y
    np.testing.assert_array_equal(out, y)
    out[:] = 0
    assert np.any(y)  # a copy
    y64 = rng.standard_normal(1000)
    np.testing.assert_array_equal(load_audio(y64), y64.astype(np.float32))


@pytest.mark.parametrize(
    "dtype, values, expected",
    [
        (np.int16, [-32768, -16384, 0, 16384, 32767],
         [-1, -0.5, 0, 0.5, 32767 / 32768]),
        (np.int32, [-(2**31), -(2**30), 0, 2**30, 2**31 - 1],
         [-1, -0.5, 0, 0.5, (2**31 - 1) / 2**31]),
        (np.uint8, [0, 64, 128, 192, 255], [-1, -0.5, 0, 0.5, 127 / 128]),
        (np.int8, [-128, -64, 0, 64, 127], [-1, -0.5, 0, 0.5, 127 / 128]),
    ],
)
def test_integer_pcm_is_scaled_to_unit_range(dtype, values, expected):
    pcm = np.array(values, dtype=dtype)
    out = load_audio(pcm)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-7)
    assert out.min() >= -1.0 and out.max() <= 1.0  # int32's top rounds to 1 in float32


@pytest.mark.parametrize("channels_first", [True, False])
def test_stereo_is_mixed_down_in_either_orientation(channels_first, rng):
    left, right = rng.standard_normal((2, 500)).astype(np.float32)
    stereo = np.stack([left, right]) if channels_first else np.stack([left, right], 1)
    np.testing.assert_allclose(load_audio(stereo), (left + right) / 2, rtol=1e-6)


def test_stereo_int16_is_scaled_and_mixed(rng):
    pcm = np.array([[16384, -32768, 0], [16384, 0, 8192]], dtype=np.int16)
    np.testing.assert_allclose(load_audio(pcm), [0.5, -0.5, 0.125])


@pytest.mark.parametrize("f", [440.0, 1000.0, 3000.0, 6500.0])
def test_resampling_22050_to_16000_keeps_a_sine_frequency(f):
    y = sine(f, 22050)
    out = load_audio(y, sr=16000, orig_sr=22050)
    assert out.dtype == np.float32
    assert out.size == 16000
    assert abs(peak_hz(out, 16000) - f) <= 1.0  # 1 Hz bins over one second
    # the amplitude survives (no energy lost in the pass band)
    assert np.abs(out[1000:-1000]).max() == pytest.approx(0.5, rel=0.02)


def test_resampling_removes_content_above_the_new_nyquist():
    y = sine(10000.0, 22050)  # above 8 kHz: must not alias into the band
    out = load_audio(y, sr=16000, orig_sr=22050)
    assert np.sqrt(np.mean(out[500:-500] ** 2)) < 0.01 * np.sqrt(np.mean(y**2))


def test_resample_function_lengths_and_identity(rng):
    y = rng.standard_normal(22050).astype(np.float32)
    assert resample(y, orig_sr=22050, target_sr=16000).shape == (16000,)
    assert resample(y, orig_sr=22050, target_sr=44100).shape == (44100,)
    assert resample(y[:8000], orig_sr=8000, target_sr=16000).shape == (16000,)
    np.testing.assert_array_equal(resample(y, orig_sr=16000, target_sr=16000), y)


def test_orig_sr_equal_to_sr_changes_nothing(rng):
    y = rng.standard_normal(300).astype(np.float32)
    np.testing.assert_array_equal(load_audio(y, sr=16000, orig_sr=16000), y)


def test_input_arrays_are_not_modified(rng):
    for x in (
        (rng.standard_normal(2000) * 1000).astype(np.int16),
        rng.standard_normal((2, 2000)),
        rng.standard_normal(2000).astype(np.float32),
    ):
        before = x.copy()
        out = load_audio(x, sr=16000, orig_sr=22050, trim=True)
        out[...] = 0.0
        np.testing.assert_array_equal(x, before)


# ------------------------------------------------------------------ files
def test_reads_files_in_their_own_formats(tmp_path, rng):
    y = sine(440.0, 16000, 0.5)
    sf.write(tmp_path / "f.wav", y, 16000, subtype="FLOAT")
    np.testing.assert_array_equal(load_audio(tmp_path / "f.wav"), y)
    pcm = (rng.standard_normal(4000) * 8000).astype(np.int16)
    sf.write(tmp_path / "i.wav", pcm, 16000, subtype="PCM_16")
    np.testing.assert_allclose(load_audio(str(tmp_path / "i.wav")), pcm / 32768.0,
                               rtol=1e-7)
    sf.write(tmp_path / "s.flac", np.stack([pcm, pcm // 2], axis=1), 16000,
             subtype="PCM_16")
    mixed = (pcm + pcm.astype(np.float64) // 2) / 2 / 32768.0
    np.testing.assert_allclose(load_audio(tmp_path / "s.flac"), mixed,
                               rtol=1e-6, atol=1e-7)
    assert load_audio(bytes(tmp_path / "f.wav")).shape == y.shape  # bytes paths too


def test_file_at_another_rate_is_resampled(tmp_path):
    sf.write(tmp_path / "a.wav", sine(1000.0, 22050, 2.0), 22050, subtype="PCM_16")
    out = load_audio(tmp_path / "a.wav", sr=16000)
    assert out.shape == (32000,)
    assert abs(peak_hz(out, 16000) - 1000.0) <= 0.5
    # orig_sr is ignored for files: their header tells
    again = load_audio(tmp_path / "a.wav", sr=16000, orig_sr=8000)
    np.testing.assert_array_equal(again, out)


def test_missing_file_names_it_and_is_both_not_found_and_value_error(tmp_path):
    path = tmp_path / "nope.wav"
    with pytest.raises(FileNotFoundError, match="audio file not found.*nope.wav"):
        load_audio(path)
    with pytest.raises(ValueError, match="nope.wav"):
        load_audio(str(path))
    try:
        load_audio(path)
    except AudioFileNotFoundError as exc:
        assert exc.filename == str(path)


def test_unreadable_file_names_it(tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00not really a wave file" * 10)
    with pytest.raises(ValueError, match=r"cannot read audio file '.*broken\.wav'"):
        load_audio(bad)
    with pytest.raises(ValueError, match="cannot read audio file"):
        load_audio(tmp_path)  # a folder


# ------------------------------------------------------------------- trim
def test_trim_removes_leading_and_trailing_silence(rng):
    tone = sine(300.0, 16000, 0.5)
    y = np.concatenate([np.zeros(8000, np.float32), tone, np.zeros(8000, np.float32)])
    out = load_audio(y, trim=True)
    assert out.size < tone.size + 2 * 1024  # frame-level precision
    assert out.size >= tone.size - 2 * 256
    # what remains is the tone, not the silence
    assert np.sqrt(np.mean(out**2)) > 0.8 * np.sqrt(np.mean(tone**2))
    assert load_audio(y, trim=False).size == y.size


def test_trim_follows_top_db(rng):
    tone = sine(300.0, 16000, 0.5)
    hum = 0.01 * sine(50.0, 16000, 0.5) / 0.5  # -34 dB below the tone
    y = np.concatenate([hum, tone])
    assert load_audio(y, trim=True, top_db=30).size < tone.size + 1024
    assert load_audio(y, trim=True, top_db=60).size > tone.size + 4000


def test_trim_silence_equals_librosa_effects_trim(rng):
    y = np.concatenate([1e-4 * rng.standard_normal(5000), sine(200.0, 16000, 0.3),
                        1e-4 * rng.standard_normal(3000)]).astype(np.float32)
    ref, _ = librosa.effects.trim(y, top_db=30, frame_length=1024, hop_length=256)
    np.testing.assert_array_equal(trim_silence(y), ref)
    ref, _ = librosa.effects.trim(y, top_db=50, frame_length=512, hop_length=128)
    np.testing.assert_array_equal(trim_silence(y, top_db=50, frame_length=512,
                                               hop_length=128), ref)


# ------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "source, exc, match",
    [
        (np.zeros((2, 2, 10)), ValueError,
         r"expected a 1-D waveform \(or 2-D multi-channel audio\), got an array of "
         r"shape \(2, 2, 10\)"),
        (np.ones(10, dtype=complex), TypeError, "expected a real waveform"),
        (np.array(["a", "b"]), TypeError, "expected a numeric waveform, got an array "
         "of dtype <U1"),
        (np.array([None, 1.0]), TypeError, "expected a numeric waveform"),
    ],
)
def test_bad_arrays(source, exc, match):
    with pytest.raises(exc, match=match):
        load_audio(source)


@pytest.mark.parametrize("sr", [0, -16000, 16000.5, True])
def test_bad_sr(sr):
    with pytest.raises(ValueError, match="sr must be a positive integer"):
        load_audio(np.ones(10), sr=sr)


def test_bad_orig_sr():
    with pytest.raises(ValueError, match="orig_sr must be positive, got -1"):
        load_audio(np.ones(10), sr=16000, orig_sr=-1)


def test_to_mono_float_copy_switch(rng):
    y = rng.standard_normal(10).astype(np.float32)
    assert to_mono_float(y, copy=False) is y
    assert to_mono_float(y) is not y
    with pytest.raises(ValueError, match="my clip: expected a 1-D"):
        to_mono_float(np.ones((1, 2, 3)), name="my clip")
