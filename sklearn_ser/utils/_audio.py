"""Reading and conditioning audio: paths or arrays in, mono float32 at ``sr`` out.

The lowest layer of the package: the input validation (``_validation.check_audio``)
and the corpus loaders (``sklearn_ser.datasets``, whose public
:func:`~sklearn_ser.datasets.load_audio` this is) both read audio through it, so it
imports no other subpackage.
"""

from __future__ import annotations

import errno
import os
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = [
    "AudioFileNotFoundError",
    "check_file_sr",
    "load_audio",
    "resample",
    "to_mono_float",
    "trim_silence",
]


class AudioFileNotFoundError(FileNotFoundError, ValueError):
    """An audio path that does not exist.

    A :class:`FileNotFoundError` (what ``open`` raises) that is also a
    :class:`ValueError`, the class every other bad input of sklearn_ser raises, so
    that either ``except`` clause catches it.
    """


def to_mono_float(y: Any, *, name: str = "audio", copy: bool = True) -> np.ndarray:
    """Turn one waveform into a 1-D float32 array (a copy; the input is untouched).

    Integer PCM is scaled to [-1, 1] by its type's full scale; a 2-D array is taken
    as multi-channel audio and averaged over the channel axis, which is the shorter
    one (librosa's ``(channels, samples)`` and soundfile's ``(samples, channels)``
    both work).

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_channels, n_samples)
        The waveform.
    name : str, default="audio"
        How the waveform is named in error messages.
    copy : bool, default=True
        When False, a 1-D float32 input is returned as is (not copied); for
        callers that only read the result.

    Returns
    -------
    y : ndarray of shape (n_samples,), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> to_mono_float(np.array([0, 16384, -32768], dtype=np.int16))
    array([ 0. ,  0.5, -1. ], dtype=float32)
    >>> to_mono_float([[0.2, 0.4, 0.6], [0.0, 0.0, 0.2]])  # (channels, samples)
    array([0.1, 0.2, 0.4], dtype=float32)
    """
    arr = np.asarray(y)
    if arr.dtype == np.float32 and arr.ndim == 1:
        return arr.copy() if copy else arr
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_
    ):
        raise TypeError(
            f"{name}: expected a numeric waveform, got an array of dtype {arr.dtype}"
        )
    if np.iscomplexobj(arr):
        raise TypeError(f"{name}: expected a real waveform, got complex values")
    if np.issubdtype(arr.dtype, np.integer):
        info = np.iinfo(arr.dtype)
        if info.min == 0:  # unsigned PCM (8-bit WAV) is centred on the mid value
            mid = (int(info.max) + 1) / 2.0
            arr = (arr.astype(np.float64) - mid) / mid
        else:
            arr = arr.astype(np.float64) / float(-int(info.min))
    if arr.ndim == 2:
        ch_axis = 0 if arr.shape[0] <= arr.shape[1] else 1
        arr = arr.mean(axis=ch_axis)
    elif arr.ndim != 1:
        raise ValueError(
            f"{name}: expected a 1-D waveform (or 2-D multi-channel audio), "
            f"got an array of shape {arr.shape}"
        )
    return np.array(arr, dtype=np.float32, copy=True)


#: Sample rates (Hz) an audio file may declare: below, no speech fits in the band;
#: above, no recorder writes them. A damaged header outside is refused, not
#: resampled with factors of millions (seconds and gigabytes for one sample).
MIN_FILE_SR, MAX_FILE_SR = 1_000, 768_000
#: Largest up/down factor of the polyphase filter (its length grows with it); an
#: odd rate whose exact ratio needs more is approximated within 1/_MAX_FACTOR.
_MAX_FACTOR = 1024


def check_file_sr(sr: int, path: str) -> int:
    """``sr`` if a file may declare it, else a one-line ValueError naming the file."""
    if not MIN_FILE_SR <= int(sr) <= MAX_FILE_SR:
        raise ValueError(
            f"cannot read audio file {path!r}: its header declares a sample rate of "
            f"{int(sr)} Hz, outside {MIN_FILE_SR}-{MAX_FILE_SR} Hz (damaged header?)"
        )
    return int(sr)


def resample(y: np.ndarray, *, orig_sr: int, target_sr: int) -> np.ndarray:
    """Resample a 1-D waveform with a polyphase filter (``scipy.signal.resample_poly``).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The waveform.
    orig_sr, target_sr : int
        Its rate and the wanted rate, in Hz.

    Returns
    -------
    y : ndarray of shape (round(n_samples * target_sr / orig_sr),), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> y = np.zeros(22050, dtype=np.float32)
    >>> resample(y, orig_sr=22050, target_sr=16000).shape
    (16000,)
    """
    if orig_sr == target_sr:
        return np.asarray(y, dtype=np.float32)
    from scipy.signal import resample_poly

    ratio = Fraction(int(target_sr), int(orig_sr))
    n_out = -(-len(y) * ratio.numerator // ratio.denominator)  # the exact length
    if max(ratio.numerator, ratio.denominator) > _MAX_FACTOR:
        # an odd rate (e.g. 44 056 Hz): the nearest ratio with small factors, a
        # change of rate below 0.1 %; the length stays the exact one
        limit = max(1, int(_MAX_FACTOR / max(1.0, float(ratio))))
        ratio = ratio.limit_denominator(limit)
    out = resample_poly(
        np.asarray(y, dtype=np.float64), ratio.numerator, ratio.denominator
    )
    if len(out) != n_out:
        out = np.pad(out[:n_out], (0, max(0, n_out - len(out))))
    return out.astype(np.float32)


#: Framed samples that ``trim_silence`` squares at a time (16 MB of float32).
_TRIM_BLOCK = 1 << 22


def trim_silence(
    y: np.ndarray,
    *,
    top_db: float = 30.0,
    frame_length: int = 1024,
    hop_length: int = 256,
) -> np.ndarray:
    """Cut leading and trailing silence (``librosa.effects.trim``), as kumar §IV-A1.

    The same samples as ``librosa.effects.trim(y, top_db=top_db,
    frame_length=frame_length, hop_length=hop_length)[0]`` (bit for bit), computed
    with numpy alone: librosa's call imports its feature and pitch modules, whose
    numba kernels take ~18 s to compile on a cold cache. It also takes less
    memory: librosa squares every frame at once (four times the signal with the
    default sizes), this a block of frames (16 MB) at a time.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The waveform; cast to float32 (not rescaled) first.
    top_db : float, default=30.0
        Frames more than ``top_db`` below the loudest frame count as silence.
    frame_length, hop_length : int, default=1024, 256
        Analysis frames of the energy envelope, in samples.

    Returns
    -------
    y : ndarray of shape (n_trimmed,), dtype float32
        A new array. As librosa's: a waveform whose frames are all equally loud
        (all zeros included) is kept whole, and one with a NaN gives an empty
        array (no frame compares above the threshold).

    Notes
    -----
    librosa 0.11's algorithm, operation for operation so that the float32
    rounding is the same: the RMS of frames centred on ``t * hop_length``
    (``feature.rms``: zero padding of ``frame_length // 2`` each side, the mean of
    the squares over the frame), in dB relative to the loudest frame
    (``amplitude_to_db(rms, ref=np.max, top_db=None)``, floor ``amin=1e-5``);
    frames above ``-top_db`` are speech; the result runs from the first speech
    frame's ``t * hop_length`` to ``min(n_samples, (t_last + 1) * hop_length)``.

    Examples
    --------
    >>> import numpy as np
    >>> tone = np.sin(np.arange(4000) / 3).astype(np.float32)
    >>> quiet = np.zeros(3000, dtype=np.float32)
    >>> y = np.concatenate([quiet, tone, quiet])
    >>> trim_silence(y).shape  # 3000 + 4000 + 3000 samples
    (5120,)
    """
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1:
        raise ValueError(
            f"trim_silence: y must be a 1-D waveform, got an array of shape {y.shape}"
        )
    frame_length, hop_length = int(frame_length), int(hop_length)
    if frame_length < 1 or hop_length < 1:
        raise ValueError(
            f"trim_silence: frame_length and hop_length must be positive, got "
            f"{frame_length} and {hop_length}"
        )
    if y.size == 0:
        return np.empty(0, dtype=np.float32)
    non_silent = _frames_non_silent(y, top_db, frame_length, hop_length)
    nonzero = np.flatnonzero(non_silent)
    if nonzero.size == 0:
        return np.empty(0, dtype=np.float32)
    start = int(nonzero[0]) * hop_length
    end = min(y.size, (int(nonzero[-1]) + 1) * hop_length)
    return np.array(y[start:end], dtype=np.float32, copy=True)


def _frames_non_silent(
    y: np.ndarray, top_db: float, frame_length: int, hop_length: int
) -> np.ndarray:
    """librosa.effects._signal_to_frame_nonsilent for a 1-D float32 ``y``."""
    # feature.rms(y=y, center=True, pad_mode="constant"): the same strided view
    # (frame_length, n_frames) as util.frame, so that np.mean sums in the same order
    half = frame_length // 2
    # one frame at least: a non-empty y gains 2 * (frame_length // 2) >= fl - 1
    padded = np.pad(y, (half, half), mode="constant")
    frames = np.lib.stride_tricks.sliding_window_view(padded, frame_length)
    frames = np.moveaxis(frames, -1, -2)[..., ::hop_length]
    # librosa squares all frames at once (4x the signal at hop = frame/4: 460 MB
    # for 30 minutes); a block of frames at a time sums each frame the same way
    rms = np.empty(frames.shape[-1], dtype=np.float32)
    step = max(1, _TRIM_BLOCK // frame_length)
    for b in range(0, frames.shape[-1], step):
        block = frames[:, b : b + step]
        power = np.mean(np.square(block, dtype=np.float32), axis=-2, keepdims=True)
        rms[b : b + step] = np.sqrt(power)[0]
    # core.amplitude_to_db(rms, ref=np.max, top_db=None) -> power_to_db
    magnitude = np.abs(rms)
    ref_value = np.max(magnitude)
    power = np.square(magnitude, out=magnitude)
    amin = 1e-5**2
    ref_power = np.abs(ref_value**2)
    db = 10.0 * np.log10(np.maximum(amin, power))
    db -= 10.0 * np.log10(np.maximum(amin, ref_power))
    return db > -top_db


def _read_file(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    import soundfile as sf

    if not os.path.exists(path):
        raise AudioFileNotFoundError(
            errno.ENOENT, "audio file not found", os.fspath(path)
        )
    if os.path.isdir(path):
        raise ValueError(
            f"cannot read audio file {os.fspath(path)!r}: it is a directory"
        )
    try:
        data, file_sr = sf.read(os.fspath(path), dtype="float32", always_2d=True)
    except MemoryError:
        raise ValueError(
            f"cannot read audio file {os.fspath(path)!r}: not enough memory for it"
        ) from None
    except Exception as exc:  # soundfile raises its own LibsndfileError/RuntimeError
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise ValueError(
            f"cannot read audio file {os.fspath(path)!r}: {detail}"
        ) from exc
    check_file_sr(file_sr, os.fspath(path))
    # soundfile gives (samples, channels); average the channels (down-mix).
    return data.mean(axis=1).astype(np.float32), int(file_sr)


def load_audio(
    source: Any,
    *,
    sr: int = 16000,
    orig_sr: int | None = None,
    trim: bool = False,
    top_db: float = 30.0,
) -> np.ndarray:
    """Load one utterance as mono float32 at ``sr``.

    Parameters
    ----------
    source : str, os.PathLike or array-like
        A path to an audio file that ``soundfile`` reads (WAV, FLAC, OGG, ...) or a
        waveform ``[shape=(n_samples,) or (n_channels, n_samples)]``. Integer PCM is
        scaled to [-1, 1]; multi-channel audio is averaged to mono.
    sr : int, default=16000
        Sample rate of the returned waveform, in Hz. Files at another rate are
        resampled.
    orig_sr : int, default=None
        Sample rate of an array ``source``; ``None`` means it is already at ``sr``.
        Ignored for files (their header tells).
    trim : bool, default=False
        Cut leading and trailing silence (kumar §IV-A1).
    top_db : float, default=30.0
        Silence threshold for ``trim``, in dB below the peak.

    Returns
    -------
    y : ndarray of shape (n_samples,), dtype float32
        A new array; the input is never modified.

    Raises
    ------
    AudioFileNotFoundError
        When a path does not exist (the message names it); both a
        :class:`FileNotFoundError` and a :class:`ValueError`.
    ValueError
        When a file cannot be decoded (named), the waveform is not 1-D/2-D, or a
        sample rate is not positive.
    TypeError
        When the waveform is not numeric, or complex.

    Examples
    --------
    >>> import numpy as np
    >>> pcm = (np.sin(np.arange(8000) / 5) * 16000).astype(np.int16)
    >>> y = load_audio(pcm, sr=16000, orig_sr=8000)
    >>> y.dtype, y.shape, bool(np.abs(y).max() <= 1)
    (dtype('float32'), (16000,), True)
    """
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ValueError(f"load_audio: sr must be a positive integer, got {sr!r}")
    if isinstance(source, (str, bytes, os.PathLike)):
        path = os.fsdecode(source)
        y, file_sr = _read_file(path)
        y = resample(y, orig_sr=file_sr, target_sr=sr)
    else:
        y = to_mono_float(source, name="load_audio")
        if orig_sr is not None and int(orig_sr) != int(sr):
            if orig_sr <= 0:
                raise ValueError(f"load_audio: orig_sr must be positive, got {orig_sr}")
            y = resample(y, orig_sr=int(orig_sr), target_sr=int(sr))
    if trim and y.size:
        y = trim_silence(y, top_db=top_db)
    return y
