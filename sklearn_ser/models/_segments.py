"""Cutting utterances into fixed-length segments and pooling segment outputs back.

liu2021 §3.1 and liu2023 §3.1 train on 2 s segments (1 s shift) and predict an
utterance by averaging the probabilities of its segments (0.4 s shift at test
time). These helpers keep the sklearn sample the utterance: the estimator segments
inside ``fit``/``predict`` and pools with :func:`pool_segments`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["segment_utterances", "pool_segments", "segment_starts"]


def segment_starts(n_frames: int, *, length: int, hop: int) -> np.ndarray:
    """Start frames of the segments of one utterance.

    Segments start every ``hop`` frames; when the last regular segment stops short
    of the end, one more segment is aligned to the end so that every frame is seen.
    An utterance shorter than ``length`` gives a single segment starting at 0 (it is
    zero-padded by :func:`segment_utterances`).

    Examples
    --------
    >>> segment_starts(450, length=200, hop=100).tolist()
    [0, 100, 200, 250]
    >>> segment_starts(120, length=200, hop=100).tolist()
    [0]
    """
    if n_frames <= length:
        return np.zeros(1, dtype=np.int64)
    starts = np.arange(0, n_frames - length + 1, hop, dtype=np.int64)
    if starts[-1] + length < n_frames:
        starts = np.append(starts, n_frames - length)
    return starts


def segment_utterances(
    items: list[np.ndarray],
    *,
    length: int | None,
    hop: int,
    pad_value: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut ``(C, F, T_i)`` arrays into ``(n_segments, C, F, length)`` segments.

    Parameters
    ----------
    items : list of ndarray of shape (C, F, T_i)
        Per-utterance features.
    length : int or None
        Segment length in frames. ``None`` keeps whole utterances, padded to the
        longest one.
    hop : int
        Shift between segment starts, in frames.
    pad_value : float, default=0.0
        Value used to pad utterances shorter than ``length``.

    Returns
    -------
    segments : ndarray of shape (n_segments, C, F, length), dtype float32
    owner : ndarray of shape (n_segments,), dtype int64
        Index of the utterance each segment comes from.

    Examples
    --------
    >>> import numpy as np
    >>> items = [np.ones((1, 2, 450)), np.ones((1, 2, 50))]
    >>> seg, owner = segment_utterances(items, length=200, hop=100)
    >>> seg.shape, owner.tolist()
    ((5, 1, 2, 200), [0, 0, 0, 0, 1])
    """
    if length is None:
        length = max(a.shape[-1] for a in items)
        hop = length
    starts = [segment_starts(a.shape[-1], length=length, hop=hop) for a in items]
    counts = np.array([len(s) for s in starts], dtype=np.int64)
    c, f = items[0].shape[:2]
    segments = np.full((int(counts.sum()), c, f, length), pad_value, dtype=np.float32)
    k = 0
    for a, st in zip(items, starts):
        t = a.shape[-1]
        if t <= length:
            segments[k, ..., :t] = a
            k += 1
            continue
        windows = np.lib.stride_tricks.sliding_window_view(a, length, axis=-1)
        segments[k : k + len(st)] = np.moveaxis(windows[:, :, st], 2, 0)
        k += len(st)
    owner = np.repeat(np.arange(len(items), dtype=np.int64), counts)
    return segments, owner


def pool_segments(
    values: np.ndarray, owner: np.ndarray, n_utterances: int, *, how: str = "mean"
) -> np.ndarray:
    """Pool per-segment rows into per-utterance rows.

    Parameters
    ----------
    values : ndarray of shape (n_segments, d)
        Per-segment probabilities or embeddings.
    owner : ndarray of shape (n_segments,)
        Utterance index of each segment.
    n_utterances : int
        Number of utterances.
    how : {"mean", "max"}, default="mean"
        ``"mean"`` averages (liu2021 §3.1); ``"max"`` takes the element-wise maximum.

    Returns
    -------
    pooled : ndarray of shape (n_utterances, d)

    Examples
    --------
    >>> import numpy as np
    >>> pool_segments(np.array([[1.0], [3.0], [5.0]]), np.array([0, 0, 1]), 2).ravel()
    array([2., 5.])
    """
    values = np.asarray(values)
    out = np.zeros((n_utterances, values.shape[1]), dtype=np.float64)
    if how == "mean":
        np.add.at(out, owner, values)
        counts = np.bincount(owner, minlength=n_utterances).astype(np.float64)
        out /= np.maximum(counts, 1.0)[:, None]
    elif how == "max":
        out[:] = -np.inf
        np.maximum.at(out, owner, values)
    else:
        raise ValueError(f"pool_segments: how must be 'mean' or 'max', got {how!r}")
    return out
