"""Issue 15 (fuzz): ``load_audio`` on random bytes and truncated WAV/FLAC files
gives a one-line ValueError naming the file, or a waveform — never a crash."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_ser.datasets import load_audio

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _encoded(fmt: str) -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    t = np.arange(4000) / 16000
    sf.write(buf, 0.3 * np.sin(2 * np.pi * 220 * t), 16000, format=fmt,
             subtype="PCM_16")
    return buf.getvalue()


WAV, FLAC = _encoded("WAV"), _encoded("FLAC")


def _check(path, data: bytes):
    path.write_bytes(data)
    try:
        y = load_audio(str(path), sr=16000)
    except ValueError as exc:
        msg = str(exc)
        assert repr(str(path)) in msg, msg
        assert "\n" not in msg, msg
    else:
        assert y.dtype == np.float32 and y.ndim == 1


@FUZZ
@given(data=st.binary(max_size=512))
def test_random_bytes(tmp_path, data):
    _check(tmp_path / "x.wav", data)


@FUZZ
@given(prefix=st.sampled_from([b"RIFF", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"fLaC",
                               b"OggS"]), data=st.binary(max_size=256))
def test_random_bytes_after_a_real_magic(tmp_path, prefix, data):
    _check(tmp_path / "x.wav", prefix + data)


@FUZZ
@given(fmt=st.sampled_from(["wav", "flac"]), cut=st.floats(0, 1))
def test_truncated_files(tmp_path, fmt, cut):
    full = WAV if fmt == "wav" else FLAC
    _check(tmp_path / f"x.{fmt}", full[: int(len(full) * cut)])


@FUZZ
@given(fmt=st.sampled_from(["wav", "flac"]), pos=st.integers(0, 200),
       value=st.integers(0, 255))
def test_flipped_header_bytes(tmp_path, fmt, pos, value):
    full = bytearray(WAV if fmt == "wav" else FLAC)
    full[pos % len(full)] = value
    _check(tmp_path / f"x.{fmt}", bytes(full))


def test_directory_is_named(tmp_path):
    (tmp_path / "d.wav").mkdir()
    with pytest.raises(ValueError, match="d.wav': it is a directory"):
        load_audio(str(tmp_path / "d.wav"))
