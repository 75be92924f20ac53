"""Short-time spectral analysis as librosa composes it: power, mel, dB.

The numbers are librosa's (``librosa.stft`` / ``feature.melspectrogram`` /
``power_to_db``) for the same parameters, but every utterance of a call is
analysed in one pass: :func:`~sklearn_ser.features._engine.frame_power` gives the
(mel) power of every frame of a batch, then the dB conversion is one numpy pass
with a per-utterance floor. MFCC (``_mfcc``) and deltas (``_deltas``) build on the
same frames.

Internal layout: ``frames`` arrays are ``(n_frames_total, C, n_features)``, the
frames of utterance 0 first, then those of utterance 1, ...; ``counts[i]`` is the
number of frames of utterance ``i``. The public functions return librosa's layout
``[shape=(..., n_features, t)]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.utils._param_validation import Interval
from sklearn_compat.utils._param_validation import validate_params

from sklearn_ser.features._engine import frame_power
from sklearn_ser.features._framing import FRAMING_PARAMS, Framing, framing_from_args
from sklearn_ser.utils._validation import check_audio

__all__ = [
    "log_mel_spectrogram",
    "mel_spectrogram",
    "power_to_db",
    "stft_power",
]

_AMIN = 1e-10  # librosa.power_to_db's amin

# The constraints of the mel and dB arguments, shared by the public functions
# (validate_params) and the transformers (_parameter_constraints).
MEL_PARAMS: dict = {
    "n_mels": [Interval(Integral, 1, None, closed="left")],
    "fmin": [Interval(Real, 0, None, closed="left")],
    "fmax": [Interval(Real, 0, None, closed="neither"), None],
}
TOP_DB_PARAM: dict = {"top_db": [Interval(Real, 0, None, closed="left"), None]}


@lru_cache(maxsize=64)
def _mel_basis(
    sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float | None
) -> np.ndarray:
    """librosa's Slaney mel filterbank ``(n_mels, 1 + n_fft // 2)``, float32."""
    from sklearn_ser.utils._numba import import_librosa

    mel = import_librosa().filters.mel

    basis = np.asarray(
        mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax), dtype=np.float32
    )
    basis.setflags(write=False)
    return basis


@lru_cache(maxsize=64)
def _mel_sparse(
    sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The mel filterbank as ``(k0, k1, offsets, weights)``: filter ``b`` is
    non-zero on the FFT bins ``k0[b] .. k1[b] - 1`` only, with the weights
    ``weights[offsets[b] : offsets[b] + k1[b] - k0[b]]`` (librosa's float32
    values). A filter spans a few bins, so the kernel does about a twentieth of a
    dense product's work."""
    basis = _mel_basis(sr, n_fft, n_mels, fmin, fmax)
    k0 = np.zeros(n_mels, dtype=np.int64)
    k1 = np.zeros(n_mels, dtype=np.int64)
    for b, row in enumerate(basis):
        nz = np.flatnonzero(row)
        if nz.size:
            k0[b], k1[b] = nz[0], nz[-1] + 1
    offsets = np.concatenate([[0], np.cumsum(k1 - k0)[:-1]]).astype(np.int64)
    weights = np.concatenate(
        [basis[b, k0[b] : k1[b]] for b in range(n_mels)] + [np.zeros(0, np.float32)]
    ).astype(np.float32)
    for arr in (k0, k1, offsets, weights):
        arr.setflags(write=False)
    return k0, k1, offsets, weights


def _power_to_db_frames(
    power: np.ndarray, counts: np.ndarray, *, top_db: float | None
) -> np.ndarray:
    """In place: ``10 log10(max(power, 1e-10))``, then per utterance floor at its
    maximum minus ``top_db`` (librosa ``power_to_db(ref=1.0)`` on each utterance)."""
    np.maximum(power, _AMIN, out=power)
    np.log10(power, out=power)
    power *= 10.0
    if top_db is not None and power.size:
        starts = np.cumsum(counts) - counts
        peak = np.maximum.reduceat(power.max(axis=1), starts)
        floor = np.repeat((peak - np.float32(top_db)).astype(np.float32), counts)
        np.maximum(power, floor[:, None], out=power)
    return power


def _stft_frames(
    waves: Sequence[np.ndarray],
    fr: Framing,
    *,
    scale: str = "power",
    top_db: float | None = 80.0,
) -> tuple[np.ndarray, np.ndarray]:
    power, counts = frame_power(waves, fr, n_out=fr.n_fft // 2 + 1)
    if scale == "db":
        _power_to_db_frames(power, counts, top_db=top_db)
    elif scale == "magnitude":
        np.sqrt(power, out=power)
    return power[:, None, :], counts


def _mel_frames(
    waves: Sequence[np.ndarray],
    fr: Framing,
    *,
    sr: int,
    n_mels: int,
    fmin: float,
    fmax: float | None,
    to_db: bool,
    top_db: float | None = 80.0,
) -> tuple[np.ndarray, np.ndarray]:
    sparse = _mel_sparse(sr, fr.n_fft, n_mels, float(fmin), fmax)
    mel, counts = frame_power(waves, fr, mel=sparse, n_out=n_mels)
    if to_db:
        _power_to_db_frames(mel, counts, top_db=top_db)
    return mel[:, None, :], counts


def _unpack(frames: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
    """``(N, C, K)`` frames -> list of ``(C, K, T_i)`` contiguous float32 arrays."""
    ends = np.cumsum(counts).tolist()
    starts = [0, *ends[:-1]]
    return [
        np.ascontiguousarray(frames[s:e].transpose(1, 2, 0))
        for s, e in zip(starts, ends, strict=True)
    ]


def _as_waves(y: Any, *, sr: int, fr: Framing, name: str) -> tuple[list, bool]:
    """One waveform -> ([wave], True); a collection -> (waves, False).

    The transformers call the public functions on waveforms they have checked,
    under scikit-learn's ``assume_finite``: check_audio then skips its scan for
    NaN/inf and silent utterances."""
    single = isinstance(y, np.ndarray) and y.dtype != object and y.ndim == 1
    waves = check_audio(
        [y] if single else y, sr=sr, name=name, min_samples=fr.min_samples, copy=False
    )
    return waves, single


def _finish(frames: np.ndarray, counts: np.ndarray, single: bool):
    """The frames as librosa returns them: one array, or a list of them."""
    items = _unpack(frames, counts)
    return items[0] if single else items


@validate_params(FRAMING_PARAMS, prefer_skip_nested_validation=True)
def stft_power(
    y: np.ndarray | Sequence[Any],
    *,
    sr: int = 16000,
    n_fft: int | None = None,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: str | tuple = "hamming",
    center: bool = True,
    pad_mode: str = "constant",
    pre_emphasis: float = 0.0,
) -> np.ndarray | list[np.ndarray]:
    """Power spectrogram ``|STFT|**2`` of one or many utterances.

    Equal to ``np.abs(librosa.stft(y, n_fft=, hop_length=, win_length=, window=,
    center=, pad_mode=)) ** 2`` (up to float32 rounding), computed for all
    utterances at once.

    Parameters
    ----------
    y : ndarray of shape (n,), or sequence of waveforms or file paths
        One waveform ``[shape=(n,)]`` at ``sr``, or a collection (as
        :func:`~sklearn_ser.utils._validation.check_audio` takes it).
    sr : int, default=16000
        Sample rate in Hz (files are resampled to it).
    n_fft : int, default=None
        FFT length; the next power of two >= ``win_length`` when None.
    hop_length : int, default=None
        Hop in samples; 10 ms when None.
    win_length : int, default=None
        Window length in samples; ``n_fft`` (or 40 ms when both are None).
    window : str or tuple, default="hamming"
        Window for :func:`scipy.signal.get_window` (periodic, as librosa).
    center : bool, default=True
        Pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
        ``y[t * hop_length]``.
    pad_mode : {"constant", "edge", "reflect"}, default="constant"
        Padding used when ``center`` (librosa's default is zeros).
    pre_emphasis : float, default=0.0
        Coefficient ``a`` of ``y[n] - a y[n-1]`` applied first; 0 turns it off.

    Returns
    -------
    S : ndarray [shape=(1, 1 + n_fft // 2, t)] or list of them, float32
        One channel; a list when ``y`` is a collection.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import stft_power
    >>> y = np.sin(2 * np.pi * 1000 * np.arange(16000) / 16000).astype(np.float32)
    >>> S = stft_power(y, sr=16000, n_fft=512, win_length=400, hop_length=160)
    >>> S.shape
    (1, 257, 101)
    >>> int(S[0, :, 50].argmax()) * 16000 // 512  # the 1 kHz bin
    1000
    """
    fr = framing_from_args(
        sr, n_fft, hop_length, win_length, window, center, pad_mode, pre_emphasis,
        "stft_power",
    )
    waves, single = _as_waves(y, sr=sr, fr=fr, name="stft_power")
    return _finish(*_stft_frames(waves, fr, scale="power"), single)


@validate_params({**FRAMING_PARAMS, **MEL_PARAMS}, prefer_skip_nested_validation=True)
def mel_spectrogram(
    y: np.ndarray | Sequence[Any],
    *,
    sr: int = 16000,
    n_fft: int | None = None,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: str | tuple = "hamming",
    center: bool = True,
    pad_mode: str = "constant",
    pre_emphasis: float = 0.0,
    n_mels: int = 40,
    fmin: float = 0.0,
    fmax: float | None = None,
) -> np.ndarray | list[np.ndarray]:
    """Power mel spectrogram, as ``librosa.feature.melspectrogram`` (Slaney mel).

    Parameters
    ----------
    y : ndarray of shape (n,), or sequence of waveforms or file paths
        One waveform at ``sr`` or a collection.
    sr, n_fft, hop_length, win_length, window, center, pad_mode, pre_emphasis
        As :func:`stft_power`.
    n_mels : int, default=40
        Mel bands.
    fmin, fmax : float, default=0.0, None
        Band edges in Hz; ``fmax=None`` is ``sr / 2``.

    Returns
    -------
    M : ndarray [shape=(1, n_mels, t)] or list of them, float32

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import mel_spectrogram
    >>> y = np.random.default_rng(0).standard_normal(8000).astype(np.float32)
    >>> mel_spectrogram(y, sr=16000, n_mels=40).shape
    (1, 40, 51)
    """
    fr = framing_from_args(
        sr, n_fft, hop_length, win_length, window, center, pad_mode, pre_emphasis,
        "mel_spectrogram",
    )
    waves, single = _as_waves(y, sr=sr, fr=fr, name="mel_spectrogram")
    frames, counts = _mel_frames(
        waves, fr, sr=sr, n_mels=n_mels, fmin=fmin, fmax=fmax, to_db=False
    )
    return _finish(frames, counts, single)


@validate_params(
    {**FRAMING_PARAMS, **MEL_PARAMS, **TOP_DB_PARAM}, prefer_skip_nested_validation=True
)
def log_mel_spectrogram(
    y: np.ndarray | Sequence[Any],
    *,
    sr: int = 16000,
    n_fft: int | None = None,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: str | tuple = "hamming",
    center: bool = True,
    pad_mode: str = "constant",
    pre_emphasis: float = 0.0,
    n_mels: int = 40,
    fmin: float = 0.0,
    fmax: float | None = None,
    top_db: float | None = 80.0,
) -> np.ndarray | list[np.ndarray]:
    """Log-mel spectrogram in dB: ``power_to_db(melspectrogram(...), top_db=)``.

    Parameters
    ----------
    y : ndarray of shape (n,), or sequence of waveforms or file paths
        One waveform at ``sr`` or a collection.
    sr, n_fft, hop_length, win_length, window, center, pad_mode, pre_emphasis
        As :func:`stft_power`.
    n_mels, fmin, fmax
        As :func:`mel_spectrogram`.
    top_db : float or None, default=80.0
        Floor at the utterance's maximum minus ``top_db`` dB; None: no floor.

    Returns
    -------
    M_db : ndarray [shape=(1, n_mels, t)] or list of them, float32

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import log_mel_spectrogram
    >>> y = np.random.default_rng(0).standard_normal(8000).astype(np.float32)
    >>> S = log_mel_spectrogram(y, sr=16000)
    >>> S.shape, bool(S.max() - S.min() <= 80)
    ((1, 40, 51), True)
    """
    fr = framing_from_args(
        sr, n_fft, hop_length, win_length, window, center, pad_mode, pre_emphasis,
        "log_mel_spectrogram",
    )
    waves, single = _as_waves(y, sr=sr, fr=fr, name="log_mel_spectrogram")
    frames, counts = _mel_frames(
        waves, fr, sr=sr, n_mels=n_mels, fmin=fmin, fmax=fmax, to_db=True,
        top_db=top_db,
    )
    return _finish(frames, counts, single)


@validate_params(
    {"S": ["array-like"], **TOP_DB_PARAM}, prefer_skip_nested_validation=True
)
def power_to_db(
    S: np.ndarray, *, top_db: float | None = 80.0
) -> np.ndarray:
    """``10 log10(max(S, 1e-10))`` floored at its maximum minus ``top_db``.

    librosa's ``power_to_db(S, ref=1.0, amin=1e-10, top_db=top_db)``, returning a
    new float32 array.

    Parameters
    ----------
    S : ndarray [shape=(..., F, t)]
        Power values (not modified).
    top_db : float or None, default=80.0
        Dynamic range kept below the maximum; None keeps everything.

    Returns
    -------
    S_db : ndarray [shape=(..., F, t)], float32

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import power_to_db
    >>> power_to_db(np.array([[1.0, 1e-3, 1e-12]]), top_db=80.0).round(3).tolist()
    [[0.0, -30.0, -80.0]]
    """
    arr = np.array(S, dtype=np.float32, copy=True)
    flat = arr.reshape(1, -1)
    _power_to_db_frames(flat, np.array([1]), top_db=top_db)
    return arr
