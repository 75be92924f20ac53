"""Batched short-time spectral analysis: power spectrogram, mel, MFCC and deltas.

The numbers are librosa's (``librosa.stft`` / ``feature.melspectrogram`` /
``power_to_db`` / ``feature.mfcc`` / ``feature.delta``) for the same parameters, but
every utterance of a call is analysed in one pass: the waveforms are concatenated
once, and the frames of all of them go, in cache-sized chunks, through compiled
kernels (``_kernels``: windowing with the pad and pre-emphasis applied on the fly,
then the power or the sparse mel sum) around one real FFT per chunk; the log and
the DCT are one numpy pass and one matrix product per batch, the deltas one
compiled pass. The per-utterance parts (``top_db`` clipping, delta edges, output
packing) are vectorised over the concatenated frames.

Internal layout: ``frames`` arrays are ``(n_frames_total, n_features)``, the frames
of utterance 0 first, then those of utterance 1, ...; ``counts[i]`` is the number of
frames of utterance ``i``. The public functions return librosa's layout
``[shape=(..., n_features, t)]``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from sklearn_ser.utils._validation import NAN_SAMPLES, SILENT_SAMPLES, check_audio

__all__ = [
    "deltas",
    "log_mel_spectrogram",
    "mel_spectrogram",
    "mfcc",
    "power_to_db",
    "stft_power",
]

# Frames per FFT chunk: 256 frames x 1024 float32 samples = 1 MiB, which keeps the
# windowed frames, their spectrum and its reduction in cache. scipy's rfft is
# markedly slower when it zero-pads small batches itself (``n=``), so the zero tail
# of every frame lives in a reused buffer instead.
_CHUNK = 256

_AMIN = 1e-10  # librosa.power_to_db's amin


# --------------------------------------------------------------------------------------
# Cached constants (keyed on parameters, never on an estimator)
# --------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _window(window: str | tuple, win_length: int) -> np.ndarray:
    """Periodic window of ``win_length`` samples, as ``librosa.filters.get_window``."""
    from scipy.signal import get_window

    try:
        w = get_window(window, win_length, fftbins=True)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"window={window!r} is not a window scipy.signal.get_window knows: {exc}"
        ) from exc
    w = np.asarray(w, dtype=np.float32)
    w.setflags(write=False)
    return w


@lru_cache(maxsize=64)
def _mel_basis(
    sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float | None
) -> np.ndarray:
    """librosa's Slaney mel filterbank ``(n_mels, 1 + n_fft // 2)``, float32."""
    from librosa.filters import mel

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


@lru_cache(maxsize=64)
def _dct_matrix(n_mels: int, n_mfcc: int, lifter: float) -> np.ndarray:
    """``(n_mels, n_mfcc)`` matrix of the orthonormal DCT-II (times the lifter).

    ``S_db @ D`` equals ``scipy.fft.dct(S_db, type=2, norm="ortho")[:, :n_mfcc]``
    (librosa.feature.mfcc), with librosa's lifter ``1 + (L / 2) sin(pi k / L)``,
    ``k = 1..n_mfcc``, folded into the columns.
    """
    from scipy.fft import dct

    d = dct(np.eye(n_mels), type=2, norm="ortho", axis=0)[:n_mfcc].T
    if lifter > 0:
        k = np.arange(1, n_mfcc + 1, dtype=np.float64)
        d = d * (1.0 + (lifter / 2.0) * np.sin(np.pi * k / lifter))
    d = np.ascontiguousarray(d, dtype=np.float32)
    d.setflags(write=False)
    return d


@lru_cache(maxsize=32)
def _savgol(width: int, order: int) -> np.ndarray:
    """Savitzky-Golay weights of the ``order``-th derivative (``polyorder=order``)."""
    from scipy.signal import savgol_coeffs

    c = savgol_coeffs(width, order, deriv=order, use="dot")
    c.setflags(write=False)
    return c


@lru_cache(maxsize=64)
def _short_fit(n_frames: int, order: int) -> np.ndarray:
    """Weights giving the ``order``-th derivative of one least-squares polynomial of
    degree ``order`` fitted to ``n_frames`` points (a constant)."""
    if n_frames <= order:
        return np.zeros(n_frames)
    t = np.arange(n_frames, dtype=np.float64) - (n_frames - 1) / 2.0
    vander = np.vander(t, order + 1)  # columns t**order, ..., 1
    w = np.linalg.pinv(vander)[0] * math.factorial(order)
    w.setflags(write=False)
    return w


# --------------------------------------------------------------------------------------
# Framing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Framing:
    """Analysis frames in samples, with librosa's ``stft`` conventions.

    Frame ``t`` of an utterance covers ``n_fft`` samples starting at
    ``t * hop_length`` of the signal padded by ``n_fft // 2`` on both sides (when
    ``center``); the ``win_length``-sample window sits in the middle of the frame,
    the rest is zero.
    """

    n_fft: int
    hop_length: int
    win_length: int
    window: str | tuple = "hamming"
    center: bool = True
    pad_mode: str = "constant"
    pre_emphasis: float = 0.0

    @property
    def min_samples(self) -> int:
        """Fewest samples an utterance needs: one window (one ``n_fft`` frame when
        not centred, as librosa requires)."""
        return self.win_length if self.center else self.n_fft

    def n_frames(self, n_samples: np.ndarray | int) -> np.ndarray | int:
        """Frames of an utterance of ``n_samples`` samples (librosa's count)."""
        pad = 2 * (self.n_fft // 2) if self.center else 0
        return 1 + (n_samples + pad - self.n_fft) // self.hop_length


def make_framing(
    *,
    win_length: int,
    hop_length: int,
    n_fft: int | None = None,
    window: str | tuple = "hamming",
    center: bool = True,
    pad_mode: str = "constant",
    pre_emphasis: float = 0.0,
    name: str = "features",
) -> Framing:
    """Check the analysis settings (in samples) and return a :class:`Framing`.

    ``n_fft`` defaults to the next power of two >= ``win_length``.
    """
    win_length, hop_length = int(win_length), int(hop_length)
    if win_length < 1 or hop_length < 1:
        raise ValueError(
            f"{name}: the window ({win_length} samples) and the hop ({hop_length} "
            "samples) must both be at least one sample"
        )
    if n_fft is None:
        n_fft = 1 << (win_length - 1).bit_length()
    elif n_fft < win_length:
        raise ValueError(
            f"{name}: n_fft={n_fft} is shorter than the {win_length}-sample window; "
            "n_fft must be >= the window length"
        )
    if pad_mode not in ("constant", "edge", "reflect"):
        raise ValueError(
            f"{name}: pad_mode must be 'constant', 'edge' or 'reflect', got "
            f"{pad_mode!r}"
        )
    if isinstance(window, list):
        window = tuple(window)
    try:
        hash(window)
    except TypeError:
        raise TypeError(
            f"{name}: window must be a window name or a tuple such as ('kaiser', 8.0), "
            f"got {type(window).__name__}"
        ) from None
    try:
        _window(window, win_length)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    return Framing(
        n_fft=int(n_fft),
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=bool(center),
        pad_mode=pad_mode,
        pre_emphasis=float(pre_emphasis),
    )


class BadSamplesError(ValueError):
    """An utterance of a batch has NaN/inf samples or is silent; ``index`` is its
    position in the batch (callers that know the utterance's name re-raise it)."""

    def __init__(self, index: int, problem: str):
        self.index, self.problem = index, problem
        super().__init__(f"utterance {index} {problem}")




class _Scratch(threading.local):
    """Per-thread analysis buffers, kept between batches: the frames of one chunk,
    its spectrum and its power (transposed), by ``(n_fft, win_length)`` (the
    kernels write the window's samples only: the zeros around them must be those
    of this framing). Allocating them per batch costs page faults that, in threads
    of one process, serialise on the kernel's memory lock."""

    def get(self, n_fft: int, win_length: int) -> tuple[np.ndarray, ...]:
        bufs = self.__dict__.setdefault("bufs", {})
        key = (n_fft, win_length)
        if key not in bufs:
            if len(bufs) >= 4:
                bufs.clear()
            bufs[key] = (
                np.zeros((_CHUNK, n_fft), dtype=np.float32),
                np.empty((_CHUNK, n_fft // 2 + 1), dtype=np.complex64),
                np.empty((n_fft // 2 + 1, _CHUNK), dtype=np.float32),
            )
        return bufs[key]


_SCRATCH = _Scratch()

try:  # scipy's pocketfft binding, which writes into a given array
    from scipy.fft._pocketfft.pypocketfft import r2c as _r2c
except ImportError:  # pragma: no cover - depends on the scipy build
    _r2c = None


def _rfft_rows(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``scipy.fft.rfft(x, axis=-1)`` written into ``out`` when scipy's binding
    allows it (no 1 MiB allocation per chunk), else returned new."""
    global _r2c
    if _r2c is not None:
        try:
            return _r2c(x, (x.ndim - 1,), True, 0, out, 1)
        except (TypeError, ValueError):  # pragma: no cover - another scipy
            _r2c = None
    from scipy.fft import rfft

    return rfft(x, axis=-1)


def _frame_power(
    waves: Sequence[np.ndarray],
    fr: Framing,
    *,
    mel: tuple | None = None,
    n_out: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Power spectrum (or mel power, from ``_mel_sparse``, when ``mel``) of every
    frame of ``waves``.

    The waveforms are concatenated once; compiled kernels (``_kernels``) window
    the frames of a chunk straight from there (applying pre-emphasis and the
    centring pad on the fly) and reduce its spectrum, one call each per chunk.
    Raises :class:`BadSamplesError` for a NaN/inf or all-zero utterance.

    Returns ``(power, counts)``: ``power`` of shape ``(sum(counts), n_out)`` float32.
    """
    from sklearn_ser.features import _kernels

    n_utt = len(waves)
    lengths = np.fromiter((w.shape[0] for w in waves), dtype=np.int64, count=n_utt)
    counts = np.asarray(fr.n_frames(lengths), dtype=np.int64)
    # check_audio gives float32 waveforms
    flat = np.ascontiguousarray(waves[0] if n_utt == 1 else np.concatenate(waves))
    offsets = np.zeros(n_utt, dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    # two reductions per batch: NaN and inf propagate to the minimum or maximum
    lo = np.minimum.reduceat(flat, offsets)
    hi = np.maximum.reduceat(flat, offsets)
    bad = ~(np.isfinite(lo) & np.isfinite(hi)) | ((lo == 0) & (hi == 0))
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        finite = np.isfinite(lo[j]) and np.isfinite(hi[j])
        raise BadSamplesError(j, SILENT_SAMPLES if finite else NAN_SAMPLES)

    hop, win, n_fft = fr.hop_length, fr.win_length, fr.n_fft
    pad = n_fft // 2 if fr.center else 0
    lpad = (n_fft - win) // 2
    n_total = int(counts.sum())
    first = np.repeat(np.cumsum(counts) - counts, counts)
    frame_utt = np.repeat(np.arange(n_utt, dtype=np.int64), counts)
    # window sample k of frame f is sample frame_pos[f] + k of its utterance
    frame_pos = (np.arange(n_total, dtype=np.int64) - first) * hop + (lpad - pad)
    window = _window(fr.window, win)
    pad_code = _kernels.PAD_CODES[fr.pad_mode]
    a = float(fr.pre_emphasis)

    out = np.empty((n_total, n_out), dtype=np.float32)
    fbuf, sbuf, power_t = _SCRATCH.get(n_fft, win)
    for c0 in range(0, n_total, _CHUNK):
        m = min(_CHUNK, n_total - c0)
        _kernels.window_frames(
            flat, offsets, lengths, frame_utt, frame_pos, c0, m, window, lpad, a,
            pad_code, fbuf,
        )
        spec = _rfft_rows(fbuf[:m], sbuf[:m])
        if mel is None:
            _kernels.power_frames(spec, out[c0 : c0 + m])
        else:
            k0, k1, offs, weights = mel
            _kernels.mel_frames(spec, k0, k1, offs, weights, power_t, out[c0 : c0 + m])
    return out, counts


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


def _delta_frames(
    feats: np.ndarray,
    counts: np.ndarray,
    *,
    src: int,
    dst: int,
    order: int,
    width: int,
) -> None:
    """In place: ``feats[:, dst]`` = librosa ``feature.delta(order=order,
    width=width, mode="interp")`` of every utterance's ``feats[:, src]``, along
    the frame axis of the C-contiguous ``feats`` ``(n_frames_total, C, F)``.

    Inside an utterance it is the Savitzky-Golay derivative (polynomial order =
    ``order``), one compiled pass over the frames of all utterances
    (``_kernels.delta_frames``). Within ``width // 2`` frames of an utterance's
    ends, ``mode="interp"`` fits one polynomial to the first (last) ``width``
    frames; its ``order``-th derivative is a constant, the value of the first
    (last) full window, which is copied there. An utterance with fewer than
    ``width`` frames gets that one fit over all its frames (zero when it has
    ``order`` frames or fewer).
    """
    from sklearn_ser.features import _kernels

    counts = np.asarray(counts, dtype=np.int64)
    starts = np.cumsum(counts) - counts
    coef = _savgol(width, order).astype(np.float32)
    _kernels.delta_frames(feats, src, dst, starts, counts, coef)
    short = counts < width
    for s, t in zip(starts[short].tolist(), counts[short].tolist(), strict=True):
        fit = _short_fit(t, order) @ feats[s : s + t, src].astype(np.float64)
        feats[s : s + t, dst] = fit.astype(np.float32)


# --------------------------------------------------------------------------------------
# Frame-level feature pipelines (validated waveforms in, (N, C, K) frames out)
# --------------------------------------------------------------------------------------


def _stft_frames(
    waves: Sequence[np.ndarray],
    fr: Framing,
    *,
    scale: str = "power",
    top_db: float | None = 80.0,
) -> tuple[np.ndarray, np.ndarray]:
    power, counts = _frame_power(waves, fr, n_out=fr.n_fft // 2 + 1)
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
    mel, counts = _frame_power(waves, fr, mel=sparse, n_out=n_mels)
    if to_db:
        _power_to_db_frames(mel, counts, top_db=top_db)
    return mel[:, None, :], counts


def _mfcc_frames(
    waves: Sequence[np.ndarray],
    fr: Framing,
    *,
    sr: int,
    n_mfcc: int,
    n_mels: int,
    fmin: float,
    fmax: float | None,
    lifter: float = 0.0,
    top_db: float | None = 80.0,
    n_deltas: int = 0,
    delta_width: int = 9,
    stack: str = "channels",
) -> tuple[np.ndarray, np.ndarray]:
    """MFCC (+ deltas) of every frame: ``(n_frames_total, C, K)`` and counts."""
    log_mel, counts = _mel_frames(
        waves, fr, sr=sr, n_mels=n_mels, fmin=fmin, fmax=fmax, to_db=True,
        top_db=top_db,
    )
    dct = _dct_matrix(n_mels, n_mfcc, float(lifter))
    n = log_mel.shape[0]
    feats = np.empty((n, n_deltas + 1, n_mfcc), dtype=np.float32)
    np.matmul(log_mel[:, 0, :], dct, out=feats[:, 0, :])
    for order in range(1, n_deltas + 1):
        _delta_frames(feats, counts, src=0, dst=order, order=order, width=delta_width)
    if stack == "features":
        feats = feats.reshape(n, 1, (n_deltas + 1) * n_mfcc)
    return feats, counts


def _unpack(frames: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
    """``(N, C, K)`` frames -> list of ``(C, K, T_i)`` contiguous float32 arrays."""
    ends = np.cumsum(counts).tolist()
    starts = [0, *ends[:-1]]
    return [
        np.ascontiguousarray(frames[s:e].transpose(1, 2, 0))
        for s, e in zip(starts, ends, strict=True)
    ]


# --------------------------------------------------------------------------------------
# Public pure functions
# --------------------------------------------------------------------------------------


def _as_waves(y: Any, *, sr: int, fr: Framing, name: str) -> tuple[list, bool]:
    """One waveform -> ([wave], True); a collection -> (waves, False)."""
    single = isinstance(y, np.ndarray) and y.dtype != object and y.ndim == 1
    waves = check_audio(
        [y] if single else y, sr=sr, name=name, min_samples=fr.min_samples, copy=False
    )
    return waves, single


def _framing_args(
    sr: int, n_fft: int | None, hop_length: int | None, win_length: int | None,
    window: str | tuple, center: bool, pad_mode: str, pre_emphasis: float, name: str,
) -> Framing:
    if win_length is None:
        win_length = n_fft if n_fft is not None else int(round(0.04 * sr))
    if hop_length is None:
        hop_length = int(round(0.01 * sr))
    return make_framing(
        win_length=win_length, hop_length=hop_length, n_fft=n_fft, window=window,
        center=center, pad_mode=pad_mode, pre_emphasis=pre_emphasis, name=name,
    )


def _finish(frames: np.ndarray, counts: np.ndarray, single: bool):
    items = _unpack(frames, counts)
    return items[0] if single else items


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
    fr = _framing_args(
        sr, n_fft, hop_length, win_length, window, center, pad_mode, pre_emphasis,
        "stft_power",
    )
    waves, single = _as_waves(y, sr=sr, fr=fr, name="stft_power")
    return _finish(*_stft_frames(waves, fr, scale="power"), single)


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
    fr = _framing_args(
        sr, n_fft, hop_length, win_length, window, center, pad_mode, pre_emphasis,
        "mel_spectrogram",
    )
    waves, single = _as_waves(y, sr=sr, fr=fr, name="mel_spectrogram")
    frames, counts = _mel_frames(
        waves, fr, sr=sr, n_mels=n_mels, fmin=fmin, fmax=fmax, to_db=False
    )
    return _finish(frames, counts, single)


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
    fr = _framing_args(
        sr, n_fft, hop_length, win_length, window, center, pad_mode, pre_emphasis,
        "log_mel_spectrogram",
    )
    waves, single = _as_waves(y, sr=sr, fr=fr, name="log_mel_spectrogram")
    frames, counts = _mel_frames(
        waves, fr, sr=sr, n_mels=n_mels, fmin=fmin, fmax=fmax, to_db=True,
        top_db=top_db,
    )
    return _finish(frames, counts, single)


def mfcc(
    y: np.ndarray | Sequence[Any],
    *,
    sr: int = 16000,
    n_mfcc: int = 40,
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
    lifter: float = 0.0,
    top_db: float | None = 80.0,
    n_deltas: int = 0,
    delta_width: int = 9,
    stack: str = "channels",
) -> np.ndarray | list[np.ndarray]:
    """Mel-frequency cepstral coefficients (and their deltas), as librosa.

    ``librosa.feature.mfcc(y=, sr=, n_mfcc=, n_fft=, hop_length=, win_length=,
    window=, center=, pad_mode=, n_mels=, fmin=, fmax=, lifter=)`` followed by
    ``librosa.feature.delta(order=1, 2, width=delta_width)``: power mel spectrogram
    -> ``power_to_db(ref=1.0, amin=1e-10, top_db=80)`` per utterance -> DCT-II
    (orthonormal) -> first ``n_mfcc`` coefficients.

    Parameters
    ----------
    y : ndarray of shape (n,), or sequence of waveforms or file paths
        One waveform at ``sr`` or a collection.
    sr : int, default=16000
        Sample rate in Hz.
    n_mfcc : int, default=40
        Coefficients kept (<= ``n_mels``).
    n_fft, hop_length, win_length, window, center, pad_mode, pre_emphasis
        As :func:`stft_power` (40 ms Hamming window, 10 ms hop by default).
    n_mels, fmin, fmax
        As :func:`mel_spectrogram`.
    lifter : float, default=0.0
        Cepstral liftering (librosa's); 0 turns it off.
    top_db : float or None, default=80.0
        dB floor below the utterance's maximum mel power.
    n_deltas : {0, 1, 2}, default=0
        Also return the first (and second) derivative over frames.
    delta_width : int, default=9
        Frames of the derivative's Savitzky-Golay window (odd, >= 3). Utterances
        with fewer frames get the derivative of one polynomial fitted to all their
        frames (see :func:`deltas`).
    stack : {"channels", "features"}, default="channels"
        MFCC, delta, delta-delta as channels ``(n_deltas + 1, n_mfcc, t)``, or
        along the feature axis ``(1, (n_deltas + 1) * n_mfcc, t)``.

    Returns
    -------
    M : ndarray [shape=(C, K, t)] or list of them, float32

    See Also
    --------
    sklearn_ser.features.MFCC : the transformer.

    Examples
    --------
    Compare with librosa:

    >>> import librosa
    >>> import numpy as np
    >>> from sklearn_ser.features import mfcc
    >>> y = np.random.default_rng(0).standard_normal(16000).astype(np.float32)
    >>> M = mfcc(y, sr=16000, n_mfcc=13, n_deltas=2)
    >>> M.shape
    (3, 13, 101)
    >>> ref = librosa.feature.mfcc(y=y, sr=16000, n_mfcc=13, n_fft=1024,
    ...                            hop_length=160, win_length=640, window="hamming",
    ...                            n_mels=40)
    >>> bool(np.abs(M[0] - ref).max() < 1e-3)
    True
    """
    fr = _framing_args(
        sr, n_fft, hop_length, win_length, window, center, pad_mode, pre_emphasis,
        "mfcc",
    )
    check_mfcc_args(n_mfcc=n_mfcc, n_mels=n_mels, n_deltas=n_deltas,
                    delta_width=delta_width, stack=stack, name="mfcc")
    waves, single = _as_waves(y, sr=sr, fr=fr, name="mfcc")
    frames, counts = _mfcc_frames(
        waves, fr, sr=sr, n_mfcc=n_mfcc, n_mels=n_mels, fmin=fmin, fmax=fmax,
        lifter=lifter, top_db=top_db, n_deltas=n_deltas, delta_width=delta_width,
        stack=stack,
    )
    return _finish(frames, counts, single)


def check_mfcc_args(
    *, n_mfcc: int, n_mels: int, n_deltas: int, delta_width: int, stack: str,
    name: str,
) -> None:
    """Cross-argument checks of the MFCC settings (ValueError naming the argument)."""
    if n_mfcc > n_mels:
        raise ValueError(
            f"{name}: n_mfcc={n_mfcc} exceeds n_mels={n_mels}; the DCT of {n_mels} mel "
            "bands has at most that many coefficients"
        )
    if n_deltas not in (0, 1, 2):
        raise ValueError(f"{name}: n_deltas must be 0, 1 or 2, got {n_deltas!r}")
    if delta_width < 3 or delta_width % 2 != 1:
        raise ValueError(
            f"{name}: delta_width must be an odd integer >= 3, got {delta_width!r}"
        )
    if stack not in ("channels", "features"):
        raise ValueError(
            f"{name}: stack must be 'channels' or 'features', got {stack!r}"
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


def deltas(
    data: np.ndarray, *, order: int = 1, width: int = 9
) -> np.ndarray:
    """Derivative over frames, as ``librosa.feature.delta(mode="interp")``.

    A Savitzky-Golay derivative of polynomial order ``order`` over ``width``
    frames; at each end the derivative of one polynomial fitted to the first (last)
    ``width`` frames (scipy's ``mode="interp"``), so there is no edge artefact.

    librosa raises when there are fewer than ``width`` frames; here the derivative
    is then that of one polynomial of degree ``order`` fitted to all frames (the
    same rule the edges follow, so the result is continuous in the number of
    frames), and zero with ``order`` frames or fewer.

    Parameters
    ----------
    data : ndarray [shape=(..., F, t)]
        Features over frames (time on the last axis). Not modified.
    order : int, default=1
        1 for delta, 2 for delta-delta.
    width : int, default=9
        Odd window length >= 3, in frames.

    Returns
    -------
    delta : ndarray [shape=(..., F, t)], float32

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import deltas
    >>> x = np.arange(12, dtype=np.float32)[None] ** 2  # d/dt t**2 = 2 t
    >>> deltas(x, order=1).round(3).tolist()  # the ends: slope of a line fit
    [[8.0, 8.0, 8.0, 8.0, 8.0, 10.0, 12.0, 14.0, 14.0, 14.0, 14.0, 14.0]]
    >>> deltas(x, order=2).round(3).tolist()
    [[2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]]
    """
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(f"deltas: order must be a positive integer, got {order!r}")
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or (
        width < 3 or width % 2 != 1
    ):
        raise ValueError(f"deltas: width must be an odd integer >= 3, got {width!r}")
    arr = np.asarray(data, dtype=np.float32)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(
            f"deltas: data must have frames on its last axis, got {arr.shape}"
        )
    lead = arr.shape[:-1]
    x = np.empty((arr.shape[-1], 2, arr[..., 0].size), dtype=np.float32)
    x[:, 0] = arr.reshape(-1, arr.shape[-1]).T
    _delta_frames(
        x, np.array([arr.shape[-1]]), src=0, dst=1, order=int(order), width=int(width)
    )
    return np.ascontiguousarray(x[:, 1].T).reshape(*lead, arr.shape[-1])
