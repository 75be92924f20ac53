"""Emotion over time in a long recording, read in windows (``predict_timeline``).

A 30-minute call is not one utterance: :func:`predict_timeline` reads the file in
windows of ``window`` seconds every ``hop`` seconds with :mod:`soundfile` (seeking,
never loading the whole file) and predicts each window as an utterance, one (or
``batch_size``) at a time, so memory is bounded by the window and the batch, not
by the file; the memory freed after each batch is handed back to the system, so
the resident size does not creep up over a long file either.
``sklearn-ser predict --timeline`` is the command-line side; peak memory on a
30-minute file is measured by ``benchmarks/bench_long_audio.py`` (the user guide's
"Long recordings" section gives the figures: most of it is the libraries, not the
recording).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np
from sklearn.utils import Bunch

__all__ = ["predict_timeline", "timeline_windows"]


def _check_seconds(value, *, arg: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"predict_timeline: {arg} must be a number of seconds, got "
                        f"{type(value).__name__}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"predict_timeline: {arg} must be > 0 seconds, got {value!r}")
    return float(value)


def timeline_windows(duration: float, *, window: float, hop: float) -> np.ndarray:
    """Start times (s) of the windows: every ``hop`` seconds, the last one ending
    at the end of the recording (one window when it is shorter than ``window``).

    Examples
    --------
    >>> from sklearn_ser.timeline import timeline_windows
    >>> timeline_windows(10.0, window=4.0, hop=3.0).tolist()
    [0.0, 3.0, 6.0]
    >>> timeline_windows(10.5, window=4.0, hop=3.0).tolist()
    [0.0, 3.0, 6.0, 6.5]
    """
    if duration <= window:
        return np.zeros(1)
    starts = np.arange(0.0, duration - window + 1e-9, hop)
    if starts[-1] + window < duration - 1e-6:
        starts = np.append(starts, duration - window)
    return starts


def _release_freed_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``):
    the arrays of a batch are freed but glibc keeps their pages, so without this
    the resident size creeps up over a long file. A no-op elsewhere."""
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        _MALLOC_TRIM = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
            except (OSError, AttributeError):  # not glibc (musl...)
                pass
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


_MALLOC_TRIM = None


def _model_sr(estimator) -> int | None:
    first = estimator.steps[0][1] if hasattr(estimator, "steps") else estimator
    sr = getattr(first, "sr", None)
    return int(sr) if isinstance(sr, (int, np.integer)) and sr > 0 else None


def predict_timeline(
    estimator: Any,
    path: str | os.PathLike,
    *,
    window: float = 3.0,
    hop: float = 1.0,
    sr: int | None = None,
    batch_size: int = 1,
) -> Bunch:
    """Predict the emotion of every window of a long recording.

    Parameters
    ----------
    estimator : fitted classifier or pipeline
        Takes waveforms (an object array of float32 arrays at ``sr``), as the
        recipes of :mod:`sklearn_ser.recipes` and the estimators on audio do.
    path : str or path-like
        An audio file :mod:`soundfile` reads (WAV, FLAC, OGG); multi-channel audio
        is mixed down, other rates resampled.
    window : float, default=3.0
        Window length in seconds (each window is one utterance to the estimator).
    hop : float, default=1.0
        Seconds between window starts.
    sr : int or None, default=None
        Sample rate the estimator expects; None reads the ``sr`` of its first
        step (16000 when it has none).
    batch_size : int, default=1
        Windows predicted together; with ``window`` it bounds the memory. A
        network's activations grow with it (about 15 MB per 3-s window for the
        liu2021 CNN-LSTM, whose segments it predicts together); a light model such
        as an SVM runs faster with larger batches (fewer calls).

    Returns
    -------
    timeline : :class:`~sklearn.utils.Bunch`
        start, end : ndarray of shape (n_windows,)
            Window bounds in seconds.
        label : ndarray of shape (n_windows,), dtype object
            Predicted label per window; None for a window the estimator refused
            (e.g. pure silence), whose reason is in ``errors``.
        proba : ndarray of shape (n_windows, n_classes) or None
            Class probabilities (NaN rows for refused windows), when the
            estimator has ``predict_proba``.
        classes : ndarray
            The estimator's ``classes_``.
        errors : dict
            Window index -> one-line reason, for refused windows.

    Raises
    ------
    ValueError
        The file cannot be read (named), or ``window``/``hop`` is not positive.

    Examples
    --------
    >>> import tempfile, numpy as np, soundfile as sf
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_ser.features import MFCC, FrameStatistics
    >>> from sklearn_ser.timeline import predict_timeline
    >>> rng = np.random.default_rng(0)
    >>> X = np.empty(4, dtype=object)
    >>> for i in range(4):
    ...     X[i] = rng.standard_normal(16000).astype(np.float32)
    >>> clf = make_pipeline(MFCC(sr=16000), FrameStatistics(), DummyClassifier())
    >>> clf = clf.fit(X, ["calm", "calm", "anger", "calm"])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     sf.write(f"{tmp}/long.wav", rng.standard_normal(16000 * 10) * 0.1, 16000)
    ...     t = predict_timeline(clf, f"{tmp}/long.wav", window=4.0, hop=3.0)
    >>> t.start.tolist(), t.label.tolist()
    ([0.0, 3.0, 6.0], ['calm', 'calm', 'calm'])
    """
    import soundfile as sf

    from sklearn_ser.utils._audio import check_file_sr, resample

    window = _check_seconds(window, arg="window")
    hop = _check_seconds(hop, arg="hop")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(f"predict_timeline: batch_size must be a positive integer, "
                         f"got {batch_size!r}")
    target_sr = int(sr) if sr is not None else (_model_sr(estimator) or 16000)
    name = os.fsdecode(path)
    if os.path.isdir(name):
        raise ValueError(f"cannot read audio file {name!r}: it is a directory")
    if not os.path.exists(name):
        raise FileNotFoundError(f"audio file {name!r} not found")
    try:
        f = sf.SoundFile(name)
    except Exception as exc:
        detail = " ".join(str(exc).split())
        raise ValueError(f"cannot read audio file {name!r}: {detail}") from exc
    with f:
        file_sr, n_frames = check_file_sr(f.samplerate, name), int(f.frames)
        duration = n_frames / file_sr
        starts = timeline_windows(duration, window=window, hop=hop)
        ends = np.minimum(starts + window, duration)
        classes = np.asarray(getattr(estimator, "classes_", []))
        has_proba = hasattr(estimator, "predict_proba")
        labels = np.empty(len(starts), dtype=object)
        proba = np.full((len(starts), len(classes)), np.nan) if has_proba else None
        errors: dict[int, str] = {}

        def read(i: int) -> np.ndarray:
            first = int(round(starts[i] * file_sr))
            f.seek(first)
            n = int(round(ends[i] * file_sr)) - first
            block = f.read(n, dtype="float32", always_2d=True).mean(axis=1)
            return resample(block, orig_sr=file_sr, target_sr=target_sr)

        def predict(idx: list[int], waves: list[np.ndarray]) -> None:
            X = np.empty(len(waves), dtype=object)
            for j, w in enumerate(waves):
                X[j] = w
            if has_proba:
                p = np.asarray(estimator.predict_proba(X), dtype=float)
                proba[idx] = p
                labels[idx] = classes[np.argmax(p, axis=1)]
            else:
                labels[idx] = np.asarray(estimator.predict(X), dtype=object)

        for b in range(0, len(starts), batch_size):
            idx = list(range(b, min(b + batch_size, len(starts))))
            try:
                waves = [read(i) for i in idx]
            except Exception as exc:  # a damaged stretch of the file
                detail = " ".join(str(exc).split())
                raise ValueError(f"cannot read audio file {name!r} at "
                                 f"{starts[idx[0]]:.2f} s: {detail}") from exc
            try:
                predict(idx, waves)
            except (ValueError, TypeError):  # e.g. a silent window: one by one
                for i, w in zip(idx, waves, strict=True):
                    try:
                        predict([i], [w])
                    except (ValueError, TypeError) as exc:
                        errors[i] = " ".join(str(exc).split())
                        labels[i] = None
            del waves
            _release_freed_memory()
    return Bunch(start=starts, end=ends, label=labels, proba=proba, classes=classes,
                 errors=errors, path=name, sr=target_sr)
