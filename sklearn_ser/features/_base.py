"""What the audio feature transformers share: parameters, batching, output packing.

``MFCC``, ``LogMelSpectrogram`` and ``Spectrogram`` differ only in the frame-level
function they call (``_frames``) and in the names of their features; reading and
checking the audio, splitting the utterances into batches run on ``n_jobs``
threads, and packing the frames into a ragged object array or a padded/cropped
dense array happen here once.
"""

from __future__ import annotations

import math
import os
import threading
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn_compat.base import _fit_context

from sklearn_ser.features._spectral import BadSamplesError, Framing, make_framing
from sklearn_ser.utils._validation import (
    audio_items,
    check_audio,
    check_consistent_length,
    utterance_label,
)

__all__ = ["AudioFeatureTransformer", "fill_doc", "pack_frames", "split_batches"]


# Shared numpydoc text, substituted into the transformers' docstrings.
_DOCS = {
    "framing": """sr : int, default=16000
        Sample rate in Hz. Waveforms are taken to be at this rate; files at another
        rate are resampled to it, stereo is mixed down, integer PCM scaled to
        [-1, 1].
    win_ms : float, default=40.0
        Analysis window in milliseconds; ``win_length = round(win_ms * sr / 1000)``
        samples (640 at 16 kHz).
    hop_ms : float, default=10.0
        Hop between frames in milliseconds (160 samples at 16 kHz).
    n_fft : int, default=None
        FFT length (>= the window length); None is the next power of two >= the
        window length (1024 for 640 samples). The window is centred in the
        ``n_fft`` frame and zero-padded, as in :func:`librosa.stft`.
    window : str or tuple, default="hamming"
        Window for :func:`scipy.signal.get_window`, built periodic
        (``fftbins=True``) as librosa builds it.
    center : bool, default=True
        Pad ``n_fft // 2`` samples on both sides so that frame ``t`` is centred on
        sample ``t * hop_length`` (librosa's default); an utterance of ``n``
        samples then has ``1 + n // hop_length`` frames. When False, frame ``t``
        starts at sample ``t * hop_length`` and there are
        ``1 + (n - n_fft) // hop_length`` frames.
    pad_mode : {"constant", "edge", "reflect"}, default="constant"
        Padding when ``center=True``; librosa 0.11's :func:`~librosa.stft` (and so
        ``feature.melspectrogram`` / ``feature.mfcc``) pads with zeros.
    pre_emphasis : float, default=0.0
        Coefficient ``a`` of the pre-emphasis ``y[n] - a y[n-1]`` (``y[0]`` kept)
        applied to every utterance before framing; 0 turns it off, li2021 uses
        0.97.
    trim_silence : bool, default=False
        Cut leading and trailing silence (30 dB below the peak) first, as kumar
        does.""",
    "output": """max_frames : int, default=None
        None returns a ragged object array, one ``(C, F, T_i)`` array per
        utterance. An int returns a dense ``(n_utterances, C, F, max_frames)``
        array: shorter utterances are padded with ``pad_value`` at the end, longer
        ones cropped as ``crop`` says.
    pad_value : float, default=0.0
        Value of the padding frames when ``max_frames`` is set.
    crop : {"start", "center"}, default="start"
        Which ``max_frames`` frames a longer utterance keeps: its first ones, or
        the middle ones.""",
    "parallel": """n_jobs : int, default=None
        Threads analysing batches of utterances at the same time, the calling
        thread one of them (the FFTs and the compiled frame kernels release the
        GIL). Read as joblib reads it: None means 1 unless in a
        :func:`joblib.parallel_config` context, -1 means all processors. The other
        threads are a pool kept between calls (joblib's threading backend takes
        longer to start than a batch takes). BLAS is held to one
        thread during the call (its products here are small, and a product split
        over threads would round differently), so ``n_jobs=2`` gives exactly the
        numbers of ``n_jobs=1``.
    batch_size : int, default=64
        Most utterances analysed together in one batch (on average; batches are
        balanced by duration, the last quarter of them half as long, and also
        hold at most about 2**19 samples, 33 s at 16 kHz). The batches, and so the numbers, do not depend on
        ``n_jobs``; the jobs take them one after the other.""",
    "short": """Every utterance needs at least one window of samples (``win_length``;
    ``n_fft`` when ``center=False``, as librosa requires); a shorter one raises a
    ``ValueError`` naming it, as do empty, silent (all-zero) and NaN/inf
    utterances, 3-D input and missing or unreadable files. The input is never
    modified.""",
}


def fill_doc(**texts: str):
    """Class decorator putting shared numpydoc text where the docstring says
    ``%(name)s`` (plain replacement: braces and percent signs elsewhere are safe)."""

    def decorate(obj):
        doc = obj.__doc__
        for key, text in texts.items():
            doc = doc.replace(f"%({key})s", text)
        obj.__doc__ = doc
        return obj

    return decorate


_POOL_LOCK = threading.Lock()
_POOLS: dict = {}


def _executor(n_jobs: int):
    """A pool of ``n_jobs - 1`` helper threads kept for the process (re-made after
    a fork; None for one job), and a BLAS limiter.

    The calling thread is the n-th job. Starting joblib's threading backend costs
    about 10 ms per call (it builds and tears down a
    ``multiprocessing.pool.ThreadPool``), as long as analysing a batch of a hundred
    clips; a kept pool costs nothing per call. The same goes for threadpoolctl's
    scan of the loaded libraries, so one controller is kept.
    """
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import ThreadpoolController

    key = (os.getpid(), n_jobs)
    with _POOL_LOCK:
        if key not in _POOLS:
            for old in [k for k in _POOLS if k[0] != key[0]]:
                del _POOLS[old]  # inherited across a fork: its threads are gone
            pool = (
                ThreadPoolExecutor(n_jobs - 1, thread_name_prefix="sklearn_ser-feat")
                if n_jobs > 1
                else None
            )
            _POOLS[key] = (pool, ThreadpoolController())
        return _POOLS[key]


def run_batches(run, batches: list[tuple[int, int]], n_jobs: int) -> None:
    """``run(start, stop)`` for every batch, on ``n_jobs`` threads: the calling
    thread and ``n_jobs - 1`` kept helpers take the next batch in order as they
    finish one. The first error stops the others taking more and is raised here.
    """
    pool, _ = _executor(n_jobs)
    if pool is None or len(batches) == 1:
        for start, stop in batches:
            run(start, stop)
        return
    todo = iter(batches)
    lock = threading.Lock()
    failed = threading.Event()

    def work() -> None:
        while not failed.is_set():
            with lock:
                batch = next(todo, None)
            if batch is None:
                return
            try:
                run(*batch)
            except BaseException:
                failed.set()
                raise

    helpers = [pool.submit(work) for _ in range(min(n_jobs, len(batches)) - 1)]
    error = None
    try:
        work()
    except BaseException as exc:  # wait for the helpers before raising
        error = exc
    for helper in helpers:
        exc = helper.exception()
        if error is None and exc is not None:
            error = exc
    if error is not None:
        raise error


# Most samples in one batch (about 33 s at 16 kHz): the analysis buffer (2 MiB)
# and the per-batch arrays stay small, and a few hundred seconds of audio split
# into batches fine enough to balance over the threads, whatever the clip lengths.
_BATCH_SAMPLES = 1 << 19


def split_batches(
    sizes: np.ndarray, *, batch_size: int, max_samples: float = _BATCH_SAMPLES
) -> list[tuple[int, int]]:
    """Contiguous ``(start, stop)`` utterance ranges balanced by total size
    (duration): ``ceil(n / batch_size)`` of them, more when that leaves more than
    ``max_samples`` samples in a batch, rounded up to a multiple of 4 (never more
    than ``n``); the last quarter of them are half the size of the others.

    The split depends on the data and ``batch_size`` only, never on ``n_jobs``, so
    that the output does not either (BLAS rounds a row of a product differently
    depending on where it sits in the matrix).
    """
    n = len(sizes)
    cum = np.cumsum(sizes, dtype=np.float64)
    total = float(cum[-1]) if n else 0.0
    n_batches = max(math.ceil(n / batch_size), math.ceil(total / max_samples))
    if n_batches > 1:
        # a multiple of 4, so that 2 or 4 threads get equal shares (the last
        # batch of an odd count would run alone)
        n_batches = -(-n_batches // 4) * 4
    n_batches = max(1, min(n_batches, n))
    if n_batches == 1:
        return [(0, n)]
    # the last quarter of the batches half as long as the others: threads taking
    # batches as they finish then end closer together
    weights = np.ones(n_batches)
    weights[n_batches - n_batches // 4 :] = 0.5
    targets = total * np.cumsum(weights)[:-1] / weights.sum()
    cuts = np.searchsorted(cum, targets, side="left") + 1
    bounds = np.unique(np.clip(np.concatenate([[0], cuts, [n]]), 0, n))
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _durations(items: list) -> np.ndarray:
    """Rough sizes of the items, to balance batches: samples of an array, bytes of
    a file (1 when unknown; the real checks come later)."""
    sizes = np.ones(len(items), dtype=np.float64)
    for i, item in enumerate(items):
        if isinstance(item, np.ndarray):
            sizes[i] = max(item.size, 1)
        elif isinstance(item, (str, bytes, os.PathLike)):
            try:
                sizes[i] = max(os.path.getsize(item) / 2, 1)
            except OSError:
                pass
    return sizes


def pack_frames(
    frames: np.ndarray,
    counts: np.ndarray,
    out: np.ndarray,
    offset: int,
    *,
    max_frames: int | None,
    crop: str = "start",
) -> None:
    """Write ``(N, C, K)`` frames of consecutive utterances into ``out``.

    ``out`` is an object array (ragged: each utterance becomes a contiguous
    ``(C, K, T_i)`` array) or a dense ``(n, C, K, max_frames)`` array already
    filled with the padding value; utterance ``j`` of ``frames`` goes to row
    ``offset + j``.
    """
    ends = np.cumsum(counts).tolist()
    starts = [0, *ends[:-1]]
    for j, (s, e) in enumerate(zip(starts, ends, strict=True)):
        if max_frames is None:
            out[offset + j] = np.ascontiguousarray(frames[s:e].transpose(1, 2, 0))
            continue
        t = e - s
        m = min(t, max_frames)
        skip = (t - m) // 2 if crop == "center" else 0
        out[offset + j, :, :, :m] = frames[s + skip : s + skip + m].transpose(1, 2, 0)


class AudioFeatureTransformer(
    TransformerMixin, BaseEstimator, auto_wrap_output_keys=None
):
    """Base of the stateless transformers from audio to frame-level features.

    Subclasses define ``__init__`` (all parameters, keyword-only), ``_frames(waves,
    framing)`` returning ``(frames (N, C, K), counts)``, ``_output_shape()``
    returning ``(C, K)``, ``_feature_names()`` and, when needed, ``_check_settings``.
    ``set_output`` does not apply: the output is 3-D/4-D, not a table.
    """

    _parameter_constraints: dict = {
        "sr": [Interval(Integral, 1, None, closed="left")],
        "win_ms": [Interval(Real, 0, None, closed="neither")],
        "hop_ms": [Interval(Real, 0, None, closed="neither")],
        "n_fft": [Interval(Integral, 1, None, closed="left"), None],
        "window": [str, tuple],
        "center": ["boolean"],
        "pad_mode": [StrOptions({"constant", "edge", "reflect"})],
        "pre_emphasis": [Interval(Real, 0, 1, closed="both")],
        "trim_silence": ["boolean"],
        "max_frames": [Interval(Integral, 1, None, closed="left"), None],
        "pad_value": [Real],
        "crop": [StrOptions({"start", "center"})],
        # joblib's meaning: None, -1 (all processors), -2 ..., or a positive count
        "n_jobs": [
            Interval(Integral, None, -1, closed="right"),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    # -- subclass hooks ---------------------------------------------------------------

    def _frames(
        self, waves: list[np.ndarray], framing: Framing
    ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _output_shape(self, framing: Framing) -> tuple[int, int]:
        raise NotImplementedError

    def _feature_names(self, framing: Framing) -> list[str]:
        raise NotImplementedError

    def _check_settings(self, framing: Framing) -> None:
        """Cross-parameter checks beyond ``_parameter_constraints``."""

    def _check_mel_band(self) -> None:
        nyquist = self.sr / 2.0
        fmax = nyquist if self.fmax is None else float(self.fmax)
        if not 0 <= self.fmin < fmax <= nyquist:
            raise ValueError(
                f"{type(self).__name__}: need 0 <= fmin < fmax <= sr / 2 = {nyquist:g}"
                f" Hz, got fmin={self.fmin}, fmax={self.fmax}"
            )

    # -- shared machinery -------------------------------------------------------------

    def _framing(self) -> Framing:
        name = type(self).__name__
        win_length = int(round(self.win_ms * self.sr / 1000.0))
        hop_length = int(round(self.hop_ms * self.sr / 1000.0))
        if win_length < 1 or hop_length < 1:
            raise ValueError(
                f"{name}: win_ms={self.win_ms} and hop_ms={self.hop_ms} give "
                f"{win_length} and {hop_length} samples at sr={self.sr}; both must be "
                "at least one sample"
            )
        framing = make_framing(
            win_length=win_length,
            hop_length=hop_length,
            n_fft=self.n_fft,
            window=self.window,
            center=self.center,
            pad_mode=self.pad_mode,
            pre_emphasis=self.pre_emphasis,
            name=name,
        )
        self._check_settings(framing)
        return framing

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> AudioFeatureTransformer:
        """Check the parameters; nothing is learnt and ``X`` is not read.

        Parameters
        ----------
        X : sequence of waveforms or file paths
            Ignored (the transformer is stateless).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The transformer.
        """
        self._framing()
        if hasattr(X, "__len__"):
            check_consistent_length(X, y, name=type(self).__name__)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Compute the features of every utterance.

        Parameters
        ----------
        X : sequence of waveforms or file paths, or ndarray of shape (n, n_samples)
            One item per utterance: a 1-D waveform at ``sr`` (2-D
            ``(channels, samples)`` audio is mixed down), or a path to an audio
            file. Not modified.

        Returns
        -------
        features : object ndarray of shape (n,) of float32 arrays (C, F, T_i), or ndarray of shape (n, C, F, max_frames)
            Ragged by default; dense, padded/cropped, when ``max_frames`` is set.
        """
        from joblib import effective_n_jobs

        self._validate_params()
        framing = self._framing()
        name = type(self).__name__
        items = audio_items(X, name=name)
        n = len(items)
        n_jobs = effective_n_jobs(self.n_jobs)
        batches = split_batches(_durations(items), batch_size=self.batch_size)
        if self.max_frames is None:
            out = np.empty(n, dtype=object)
        else:
            c, k = self._output_shape(framing)
            out = np.full((n, c, k, self.max_frames), self.pad_value, dtype=np.float32)

        def run(start: int, stop: int) -> None:
            # reading and checking the audio is per-clip work too: done by the
            # workers, with errors naming the utterance's index in X. NaN/inf and
            # silence are checked on the whole batch by _frame_power (two
            # reductions per batch instead of two per clip)
            waves = check_audio(
                items[start:stop],
                sr=self.sr,
                name=name,
                min_samples=framing.min_samples,
                trim=self.trim_silence,
                start=start,
                copy=False,  # only read: copied into the analysis buffer
                check_samples=False,
            )
            try:
                frames, counts = self._frames(waves, framing)
            except BadSamplesError as exc:
                i = start + exc.index
                label = utterance_label(items[i], i)
                raise ValueError(f"{name}: {label} {exc.problem}") from None
            pack_frames(
                frames, counts, out, start, max_frames=self.max_frames, crop=self.crop
            )

        _, blas = _executor(n_jobs)
        # BLAS is held to one thread: the jobs are the parallelism, and a product
        # split over threads would round differently from one that is not
        with blas.limit(limits=1, user_api="blas"):
            run_batches(run, batches, n_jobs)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the per-frame features, channel after channel.

        The ``C * F`` names in the order of ``features[i].reshape(C * F, T)``, as
        :class:`FrameStatistics` takes them.

        Parameters
        ----------
        input_features : None
            Ignored (the input is audio).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        return np.asarray(self._feature_names(self._framing()), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True  # file paths
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
