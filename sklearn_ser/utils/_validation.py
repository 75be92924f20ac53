"""Input validation shared by every sklearn_ser estimator.

One copy of each check: audio collections (`check_audio`), per-utterance feature
collections (`check_features`), and label vectors (`check_labels`). Each returns new
arrays, so nothing the user gave is modified in place, and raises a ``ValueError`` or
``TypeError`` whose message names the estimator, the utterance and the problem.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn import get_config

from sklearn_ser.utils._audio import (
    AudioFileNotFoundError,
    load_audio,
    to_mono_float,
    trim_silence,
)

__all__ = [
    "audio_items",
    "check_audio",
    "check_features",
    "check_labels",
    "check_consistent_length",
    "is_ragged",
    "to_object_array",
    "utterance_label",
]

_PATH_TYPES = (str, bytes, os.PathLike)

# what is wrong with an utterance's samples, after its label in an error message
NAN_SAMPLES = "contains NaN or inf samples"
SILENT_SAMPLES = "is silent (all samples are zero)"


def _as_items(X: Any, *, name: str, what: str) -> list:
    """Split ``X`` into a list of per-utterance items, rejecting scalars and strings."""
    if isinstance(X, _PATH_TYPES):
        raise TypeError(
            f"{name}: X must be a sequence of {what} (one per utterance), got a single "
            f"{type(X).__name__}; wrap it in a list"
        )
    if hasattr(X, "iloc") and hasattr(X, "columns"):  # a pandas DataFrame
        raise TypeError(f"{name}: X must be a sequence of {what}, got a DataFrame")
    if isinstance(X, np.generic) or (isinstance(X, np.ndarray) and X.ndim == 0):
        raise TypeError(f"{name}: X must be a sequence of {what}, got a scalar")
    if isinstance(X, np.ndarray):
        return list(X)
    if hasattr(X, "tolist") and hasattr(X, "dtype"):  # pandas Series
        return list(np.asarray(X, dtype=object))
    if not isinstance(X, Sequence) and not hasattr(X, "__iter__"):
        raise TypeError(
            f"{name}: X must be a sequence of {what}, got {type(X).__name__}"
        )
    return list(X)


def audio_items(X: Any, *, name: str = "estimator") -> list:
    """Split an audio collection into its per-utterance items, unchecked.

    The collection-level checks of :func:`check_audio` (a 3-D or higher array, a
    single waveform or path, a mapping, a scalar, an empty collection);
    ``check_audio(items[a:b], start=a)`` then checks the items of a slice, naming
    them by their index in ``X``.
    """
    if isinstance(X, np.ndarray) and X.dtype != object:
        if X.ndim >= 3:
            raise ValueError(
                f"{name}: X must be a sequence of 1-D waveforms (or a 2-D array with "
                f"one utterance per row), got an array of shape {X.shape}"
            )
        if X.ndim == 1 and X.dtype.kind in "biuf":
            raise ValueError(
                f"{name}: X must be a sequence of waveforms (one per utterance), got "
                f"a single 1-D array of {X.shape[0]} samples; wrap one waveform in a "
                "list: [y]"
            )
    if isinstance(X, Mapping):
        raise TypeError(
            f"{name}: X must be a sequence of waveforms or file paths, got a "
            f"{type(X).__name__}; pass its values as a list"
        )
    items = _as_items(X, name=name, what="waveforms or file paths")
    if len(items) == 0:
        raise ValueError(f"{name}: X contains no utterances")
    return items


def utterance_label(item: Any, index: int) -> str:
    """How error messages name utterance ``index`` of ``X``: with its file's path
    when it is one."""
    if isinstance(item, _PATH_TYPES):
        return f"utterance {index} ({os.fsdecode(item)!r})"
    return f"utterance {index}"


def _waveform(item: Any, *, sr: int, name: str, label: str, copy: bool) -> np.ndarray:
    """One item (path or array) as a mono float32 waveform at ``sr``, unchecked."""
    if isinstance(item, _PATH_TYPES):
        try:
            return load_audio(item, sr=sr)
        except AudioFileNotFoundError as exc:
            raise AudioFileNotFoundError(
                exc.errno, f"{name}: {label}: audio file not found", exc.filename
            ) from None
        except ValueError as exc:
            raise ValueError(f"{name}: {label}: {exc}") from exc
    if isinstance(item, np.ndarray) and item.dtype == np.float32 and item.ndim == 1:
        return item.copy() if copy else item  # the common case, kept cheap
    if isinstance(item, (Mapping, set)) or np.ndim(item) == 0:
        raise ValueError(
            f"{name}: {label} is a {type(item).__name__}, not a waveform or a file "
            "path; X must hold one item per utterance (wrap a single waveform in a "
            "list: [y])"
        )
    arr = np.asarray(item)
    if arr.ndim > 2:
        raise ValueError(
            f"{name}: {label} has shape {arr.shape}; expected a 1-D waveform (or "
            "2-D multi-channel audio)"
        )
    return to_mono_float(arr, name=f"{name}: {label}", copy=copy)


def check_audio(
    X: Any,
    *,
    sr: int,
    name: str = "estimator",
    min_samples: int = 1,
    trim: bool = False,
    start: int = 0,
    copy: bool = True,
) -> list[np.ndarray]:
    """Validate a collection of utterances and return mono float32 waveforms.

    Parameters
    ----------
    X : sequence of paths or waveforms, or ndarray of shape (n_utterances, n_samples)
        One item per utterance: a path to an audio file, or a waveform
        ``[shape=(n_samples,) or (n_channels, n_samples)]`` already at ``sr``.
        A 2-D float array is read as equal-length mono utterances, one per row.
    sr : int
        Sample rate wanted; files at another rate are resampled.
    name : str, default="estimator"
        Named in error messages.
    min_samples : int, default=1
        Shortest acceptable utterance (after loading and trimming), e.g. one
        analysis window.
    trim : bool, default=False
        Trim leading/trailing silence
        (:func:`~sklearn_ser.utils._audio.trim_silence`) after the other checks,
        before the length check.
    start : int, default=0
        Index of ``X``'s first utterance in the whole collection, used in error
        messages when ``X`` is a slice of it (see :func:`audio_items`).
    copy : bool, default=True
        When False, waveforms given as 1-D float32 arrays are returned as they are
        (not copied), for callers that only read them. ``X`` is never modified
        either way.

    Returns
    -------
    waves : list of ndarray of shape (n_samples_i,), dtype float32
        New arrays (unless ``copy=False``); ``X`` is not modified.

    Notes
    -----
    Under scikit-learn's ``assume_finite`` configuration
    (``sklearn.config_context(assume_finite=True)``) the scan of the samples for
    NaN/inf and for all-zero utterances is skipped (unless ``trim``), as
    ``check_array`` skips its finiteness check; the feature transformers do so
    around the public functions they call on waveforms they have checked.

    Raises
    ------
    ValueError
        Empty collection; a single waveform instead of a collection (or a scalar
        item); 3-D or higher input; an empty, all-zero, NaN/inf or too short
        utterance; an unreadable file (named).
    AudioFileNotFoundError
        A path that does not exist (named); a ``FileNotFoundError`` and a
        ``ValueError``.
    TypeError
        ``X`` a single path, a mapping or a scalar; a non-numeric or complex
        waveform.

    Examples
    --------
    >>> import numpy as np
    >>> waves = check_audio([np.ones(800, dtype=np.int16)], sr=16000, name="MFCC")
    >>> waves[0].dtype, waves[0].shape
    (dtype('float32'), (800,))
    >>> check_audio([np.ones(800), np.ones(100)], sr=16000, name="MFCC",
    ...             min_samples=640)
    Traceback (most recent call last):
    ...
    ValueError: MFCC: utterance 1 has 100 samples, shorter than one 640-sample ...
    """
    items = audio_items(X, name=name)
    waves = []
    check_samples = trim or not get_config()["assume_finite"]
    for i, item in enumerate(items, start=start):
        label = utterance_label(item, i)
        y = _waveform(item, sr=sr, name=name, label=label, copy=copy)
        if y.size == 0:
            raise ValueError(f"{name}: {label} is empty (0 samples)")
        if check_samples:
            # two reductions without temporaries: NaN propagates through min and max
            lo, hi = float(y.min()), float(y.max())
            if not (math.isfinite(lo) and math.isfinite(hi)):
                raise ValueError(f"{name}: {label} {NAN_SAMPLES}")
            if lo == 0.0 and hi == 0.0:
                raise ValueError(f"{name}: {label} {SILENT_SAMPLES}")
        if trim:
            y = trim_silence(y)
            label = f"{label} (after trimming silence)"
        if y.size < min_samples:
            raise ValueError(
                f"{name}: {label} has {y.size} samples, shorter than one "
                f"{min_samples}-sample analysis window"
            )
        waves.append(y)
    return waves


def is_ragged(X: Any) -> bool:
    """True when ``X`` is an object array / list of per-utterance arrays."""
    return not (isinstance(X, np.ndarray) and X.dtype != object)


def to_object_array(items: Sequence[np.ndarray]) -> np.ndarray:
    """Pack per-utterance arrays into a 1-D object array (never a stacked N-D array)."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def check_features(
    X: Any,
    *,
    name: str = "estimator",
    ndim: int = 3,
    min_frames: int = 1,
    n_channels: int | None = None,
    n_features: int | None = None,
    dtype: Any = np.float32,
) -> tuple[list[np.ndarray], bool]:
    """Validate per-utterance feature arrays ``(channels, n_features, n_frames)``.

    Parameters
    ----------
    X : object array or list of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
        Features as the transformers of :mod:`sklearn_ser.features` return them:
        ragged (one array per utterance) or dense. 2-D items ``(F, T_i)`` (and dense
        ``(n, F, T)``) are read as one channel.
    name : str, default="estimator"
        Named in error messages.
    ndim : int, default=3
        Rank of one utterance's array after the channel axis is added.
    min_frames : int, default=1
        Fewest frames an utterance may have.
    n_channels, n_features : int, default=None
        When given, every utterance must have this many channels / features.
    dtype : numpy dtype, default=np.float32
        dtype of the returned arrays.

    Returns
    -------
    items : list of ndarray of shape (C, F, T_i)
        New arrays of ``dtype``; ``X`` is not modified.
    dense : bool
        Whether ``X`` was a dense N-D array.
    """
    dense = isinstance(X, np.ndarray) and X.dtype != object
    if dense:
        if X.ndim == ndim:  # (n, F, T): one channel
            X = X[:, None]
        if X.ndim != ndim + 1:
            raise ValueError(
                f"{name}: dense features must have shape (n_utterances, channels, "
                f"n_features, n_frames), got an array of shape {X.shape}"
            )
    items = _as_items(X, name=name, what="feature arrays")
    if len(items) == 0:
        raise ValueError(f"{name}: X contains no utterances")
    out = []
    for i, item in enumerate(items):
        arr = np.asarray(item)
        if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
            raise TypeError(
                f"{name}: utterance {i} is not a numeric array (dtype {arr.dtype}); "
                "did you pass waveforms or paths to an estimator that expects "
                "features? Put a feature transformer (e.g. MFCC) before it"
            )
        if arr.ndim == ndim - 1:
            arr = arr[None]
        if arr.ndim != ndim:
            raise ValueError(
                f"{name}: utterance {i} has shape {arr.shape}; expected "
                "(channels, n_features, n_frames)"
            )
        if n_channels is not None and arr.shape[0] != n_channels:
            raise ValueError(
                f"{name}: utterance {i} has {arr.shape[0]} channels, expected "
                f"{n_channels}"
            )
        if n_features is not None and arr.shape[-2] != n_features:
            raise ValueError(
                f"{name}: utterance {i} has {arr.shape[-2]} features, expected "
                f"{n_features} (as seen in fit)"
            )
        if arr.shape[-1] < min_frames:
            raise ValueError(
                f"{name}: utterance {i} has {arr.shape[-1]} frames, fewer than the "
                f"{min_frames} required"
            )
        arr = np.array(arr, dtype=dtype, copy=True)
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}: utterance {i} contains NaN or inf features")
        out.append(arr)
    if len(out) > 1 and n_channels is None:
        shapes = {a.shape[:-1] for a in out}
        if len(shapes) > 1:
            raise ValueError(
                f"{name}: utterances differ in (channels, n_features): {sorted(shapes)}"
            )
    return out, dense


def check_consistent_length(X: Any, y: Any, *, name: str = "estimator") -> None:
    """Raise a ValueError when ``len(X) != len(y)``."""
    if y is None:
        return
    n_x, n_y = len(X), len(y)
    if n_x != n_y:
        raise ValueError(
            f"{name}: X and y have different lengths: {n_x} utterances, {n_y} labels"
        )


def check_labels(y: Any, *, name: str = "estimator") -> np.ndarray:
    """Validate a 1-D label vector (strings or integers) and return it as an array."""
    if y is None:
        raise ValueError(f"{name}: y is required")
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        import warnings

        from sklearn.exceptions import DataConversionWarning

        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please "
            f"change the shape of y to (n_samples,), for example using ravel() ({name})",
            DataConversionWarning,
            stacklevel=3,
        )
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"{name}: y must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: y is empty")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: y contains NaN or inf")
    return arr.copy()
