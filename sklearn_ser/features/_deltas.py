"""Derivatives over frames: librosa's ``feature.delta`` (Savitzky-Golay, ``interp``
edges), for one array (:func:`deltas`) or for every utterance of a batch at once."""

from __future__ import annotations

import math
from functools import lru_cache
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval
from sklearn_compat.utils._param_validation import validate_params

__all__ = ["deltas"]


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
    from sklearn_ser.features._kernels import delta_frames

    counts = np.asarray(counts, dtype=np.int64)
    starts = np.cumsum(counts) - counts
    coef = _savgol(width, order).astype(np.float32)
    delta_frames(feats, src, dst, starts, counts, coef)
    short = counts < width
    for s, t in zip(starts[short].tolist(), counts[short].tolist(), strict=True):
        fit = _short_fit(t, order) @ feats[s : s + t, src].astype(np.float64)
        feats[s : s + t, dst] = fit.astype(np.float32)


@validate_params(
    {
        "data": ["array-like"],
        "order": [Interval(Integral, 1, None, closed="left")],
        "width": [Interval(Integral, 3, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
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
    if width % 2 != 1:  # what the Interval cannot say
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
