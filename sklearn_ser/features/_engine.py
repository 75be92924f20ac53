"""The feature engine: batches of utterances on threads, frames through the kernels.

Everything about *how* the frame analysis runs fast lives here, behind two calls:

* :func:`map_batches` ``(items, run, n_jobs=, batch_size=)`` splits a collection
  into batches balanced by duration (:func:`split_batches`) and calls
  ``run(start, stop)`` for each on a kept pool of threads, with BLAS held to one
  thread;
* :func:`frame_power` ``(waves, framing, mel=, n_out=)`` turns a batch of
  waveforms into the power (or mel power) of every frame: the compiled kernels of
  ``_kernels`` window the frames straight from the concatenated samples, around one
  real FFT per chunk written into per-thread scratch buffers.

The feature math (``_spectral``, ``_mfcc``, ``_deltas``) composes these frames the
way librosa composes its functions; it knows nothing of threads or buffers.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

from sklearn_ser.features._framing import Framing, get_window

__all__ = [
    "feature_progress", "frame_power", "map_batches", "run_batches", "split_batches",
]

_PROGRESS: ContextVar[Callable[[str, int, int], None] | None] = ContextVar(
    "sklearn_ser_feature_progress", default=None
)


@contextmanager
def feature_progress(callback: Callable[[str, int, int], None]) -> Iterator[None]:
    """Report the progress of every feature transformer run inside the block.

    ``callback(name, n_done, n_total)`` is called once with ``n_done=0`` when a
    transformer (``name``: its class name) starts on ``n_total`` utterances, and
    again after each batch of utterances it finishes, with the number done so far;
    from the calling thread or a worker thread, one call at a time. Meant for
    progress bars (the command line shows one); what the features compute does not
    change.

    Parameters
    ----------
    callback : callable
        ``callback(name, n_done, n_total)``; its return value is ignored.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import MFCC, feature_progress
    >>> rng = np.random.default_rng(0)
    >>> calls = []
    >>> with feature_progress(lambda name, done, total: calls.append((name, done))):
    ...     _ = MFCC().transform([rng.standard_normal(16000), rng.standard_normal(8000)])
    >>> calls[0], calls[-1]
    (('MFCC', 0), ('MFCC', 2))
    """
    if not callable(callback):
        raise TypeError(
            f"feature_progress: callback must be callable, got {type(callback).__name__}"
        )
    token = _PROGRESS.set(callback)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def _reporting(run: Callable[[int, int], None], name: str, total: int):
    """``run`` that also reports finished items to the active progress callback."""
    callback = _PROGRESS.get()
    if callback is None:
        return run
    lock = threading.Lock()
    done = [0]
    callback(name, 0, total)

    def reporting_run(start: int, stop: int) -> None:
        run(start, stop)
        with lock:
            done[0] += stop - start
            callback(name, done[0], total)

    return reporting_run

# Frames per FFT chunk: 256 frames x 1024 float32 samples = 1 MiB, which keeps the
# windowed frames, their spectrum and its reduction in cache. scipy's rfft is
# markedly slower when it zero-pads small batches itself (``n=``), so the zero tail
# of every frame lives in a reused buffer instead.
_CHUNK = 256


# --------------------------------------------------------------------------------------
# Frames: scratch buffers, the rfft binding, the chunk loop
# --------------------------------------------------------------------------------------


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


def frame_power(
    waves: Sequence[np.ndarray],
    fr: Framing,
    *,
    mel: tuple | None = None,
    n_out: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Power spectrum (or mel power, when ``mel``) of every frame of ``waves``.

    ``waves`` are checked mono float32 waveforms (``check_audio``), each at least
    ``fr.min_samples`` long; ``mel`` is a sparse filterbank ``(k0, k1, offsets,
    weights)``: filter ``b`` weighs the FFT bins ``k0[b] .. k1[b] - 1`` with
    ``weights[offsets[b] : offsets[b] + k1[b] - k0[b]]``.

    The waveforms are concatenated once; compiled kernels (``_kernels``) window
    the frames of a chunk straight from there (applying pre-emphasis and the
    centring pad on the fly) and reduce its spectrum, one call each per chunk.

    Returns ``(power, counts)``: ``power`` of shape ``(sum(counts), n_out)``
    float32, the frames of utterance 0 first; ``counts[i]`` frames of utterance
    ``i``.
    """
    # numba compiles (or loads) the kernels on first use, not at package import
    from sklearn_ser.features._kernels import (
        PAD_CODES,
        mel_frames,
        power_frames,
        window_frames,
    )

    n_utt = len(waves)
    lengths = np.fromiter((w.shape[0] for w in waves), dtype=np.int64, count=n_utt)
    counts = np.asarray(fr.n_frames(lengths), dtype=np.int64)
    # check_audio gives float32 waveforms
    flat = np.ascontiguousarray(waves[0] if n_utt == 1 else np.concatenate(waves))
    offsets = np.zeros(n_utt, dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])

    hop, win, n_fft = fr.hop_length, fr.win_length, fr.n_fft
    pad = n_fft // 2 if fr.center else 0
    lpad = (n_fft - win) // 2
    n_total = int(counts.sum())
    first = np.repeat(np.cumsum(counts) - counts, counts)
    frame_utt = np.repeat(np.arange(n_utt, dtype=np.int64), counts)
    # window sample k of frame f is sample frame_pos[f] + k of its utterance
    frame_pos = (np.arange(n_total, dtype=np.int64) - first) * hop + (lpad - pad)
    window = get_window(fr.window, win)
    pad_code = PAD_CODES[fr.pad_mode]
    a = float(fr.pre_emphasis)

    out = np.empty((n_total, n_out), dtype=np.float32)
    fbuf, sbuf, power_t = _SCRATCH.get(n_fft, win)
    for c0 in range(0, n_total, _CHUNK):
        m = min(_CHUNK, n_total - c0)
        window_frames(
            flat, offsets, lengths, frame_utt, frame_pos, c0, m, window, lpad, a,
            pad_code, fbuf,
        )
        spec = _rfft_rows(fbuf[:m], sbuf[:m])
        if mel is None:
            power_frames(spec, out[c0 : c0 + m])
        else:
            k0, k1, offs, weights = mel
            mel_frames(spec, k0, k1, offs, weights, power_t, out[c0 : c0 + m])
    return out, counts


# --------------------------------------------------------------------------------------
# Batches: splitting, the kept thread pool
# --------------------------------------------------------------------------------------


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


def map_batches(
    items: list, run: Callable[[int, int], None], *, n_jobs: int | None,
    batch_size: int, name: str = "features",
) -> None:
    """``run(start, stop)`` over batches of ``items`` on ``n_jobs`` threads.

    The batches are :func:`split_batches` of the items' rough durations (so they,
    and the numbers, do not depend on ``n_jobs``); ``n_jobs`` is read as joblib
    reads it. BLAS is held to one thread meanwhile: the jobs are the parallelism,
    and a product split over threads would round differently from one that is not.
    Finished batches are reported, under ``name``, to a :func:`feature_progress`
    callback when one is active.
    """
    from joblib import effective_n_jobs

    n_jobs = effective_n_jobs(n_jobs)
    batches = split_batches(_durations(items), batch_size=batch_size)
    _, blas = _executor(n_jobs)
    run = _reporting(run, name, len(items))
    with blas.limit(limits=1, user_api="blas"):
        run_batches(run, batches, n_jobs)
