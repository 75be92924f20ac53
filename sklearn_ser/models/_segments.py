"""Cutting utterances into fixed-length segments and pooling segment outputs back.

liu2021 §3.1 and liu2023 §3.1 train on 2 s segments (1 s shift) and predict an
utterance by averaging the probabilities of its segments (0.4 s shift at test
time). These helpers keep the sklearn sample the utterance: the estimator segments
inside ``fit``/``predict`` and pools with :func:`pool_segments`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from skorch.dataset import Dataset

from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets

from sklearn_ser.utils._validation import (
    check_consistent_length,
    check_features,
    check_labels,
)

__all__ = [
    "SegmentDataset",
    "as_utterances",
    "check_segment_length",
    "encode_labels",
    "pool_segments",
    "segment_starts",
    "segment_utterances",
    "training_segments",
    "validation_split",
]


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


# ------------------------------------------------------------ estimator input
def as_utterances(
    X, *, name: str, feature_shape: tuple[int, int] | None = None
) -> list[np.ndarray]:
    """The estimators' input as a list of ``(C, F, T_i)`` float arrays.

    Object arrays / lists of per-utterance arrays and dense ``(n, C, F, T)`` or
    ``(n, F, T)`` arrays go to :func:`~sklearn_ser.utils._validation.check_features`;
    2-D tabular rows ``(n, F)`` become one-frame utterances. ``feature_shape`` is
    the ``(C, F)`` seen in fit (``None`` while fitting).
    """
    if sp.issparse(X):
        raise TypeError(
            f"{name}: sparse input is not supported; pass dense features "
            "(X.toarray()) or per-utterance (C, F, T) arrays"
        )
    if not isinstance(X, np.ndarray) and not isinstance(X, (str, bytes)):
        try:
            first = X[0] if len(X) else None
        except (TypeError, KeyError):
            first = None
        if first is None or np.ndim(first) <= 1:
            X = np.asarray(X)  # rows of a table, or an array-like
    if isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype != object:
        raise ValueError(
            f"{name}: expected 2D array (tabular rows) or per-utterance features, "
            f"got 1D array instead: Reshape your data either using "
            "array.reshape(-1, 1) if your data has a single feature or "
            "array.reshape(1, -1) if it contains a single sample."
        )
    if isinstance(X, np.ndarray) and X.ndim == 2:
        if X.dtype == object:
            X = X.astype(np.float64)
        if X.shape[1] == 0:
            raise ValueError(
                f"{name}: 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
                "required."
            )
        if feature_shape is not None and X.shape[1] != feature_shape[1]:
            raise ValueError(
                f"X has {X.shape[1]} features, but {name} is expecting "
                f"{feature_shape[1]} features as input."
            )
        X = X[:, None, :, None]  # tabular rows: one-frame utterances
    kwargs: dict = {"name": name}
    if feature_shape is not None:
        kwargs.update(n_channels=feature_shape[0], n_features=feature_shape[1])
    items, _ = check_features(X, **kwargs)
    return items


def encode_labels(y, items, *, name: str, encoder: LabelEncoder | None = None):
    """``(encoder, y as int64 codes)``: a new encoder (fit: at least 2 classes) or the
    fitted one (``encoder``; labels unseen by it raise)."""
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None")
    y = check_labels(y, name=name)
    if encoder is None:
        check_classification_targets(y)
    check_consistent_length(items, y, name=name)
    if encoder is None:
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"{name}: y has 1 class ({encoder.classes_[0]!r}); a classifier "
                "needs samples of at least 2 classes"
            )
    else:
        unseen = np.setdiff1d(np.unique(y), encoder.classes_)
        if unseen.size:
            raise ValueError(
                f"{name}: y contains labels unseen in fit: {unseen.tolist()}"
            )
    return encoder, encoder.transform(y).astype(np.int64)


def check_segment_length(module, *, length: int, segment_frames, name: str) -> None:
    """Segments too short for the network (its ``min_frames``): say so in the
    estimator's terms (``segment_frames``) before the first forward pass."""
    need = getattr(module, "min_frames", 1)
    if isinstance(need, (int, np.integer)) and length < need:
        what = (
            f"segment_frames={segment_frames}"
            if segment_frames is not None
            else f"the longest utterance ({length} frames)"
        )
        raise ValueError(
            f"{name}: {type(module).__name__} needs segments of at least {need} "
            f"frames, but {what} gives {length}; raise segment_frames (or use longer "
            "utterances / a smaller hop)"
        )


# ------------------------------------------------------------------ training
class SegmentDataset(Dataset):
    """Training segments (a skorch :class:`~skorch.dataset.Dataset`) that carry the
    validation segments held out with them (``valid``: a Dataset or ``None``), so
    the estimator's ``get_split_datasets`` reads them from its argument."""

    def __init__(self, X, y, *, valid: Dataset | None = None):
        super().__init__(X, y)
        self.valid = valid


def validation_split(
    y_enc: np.ndarray, *, fraction: float, rng: np.random.Generator, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Stratified (when every class has 2 utterances) train/validation indices of
    the utterances, at least one validation utterance per class."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(y_enc))
    counts = np.bincount(y_enc)
    stratify = y_enc if counts.min() >= 2 else None
    n_valid = max(int(round(fraction * len(idx))), len(counts))
    if n_valid >= len(idx):
        raise ValueError(
            f"{name}: too few utterances ({len(idx)}) to hold out a validation set "
            "for early stopping"
        )
    train_idx, valid_idx = train_test_split(
        idx,
        test_size=n_valid,
        stratify=stratify,
        random_state=int(rng.integers(2**31 - 1)),
    )
    return np.sort(train_idx), np.sort(valid_idx)


def training_segments(
    items: list[np.ndarray],
    y_enc: np.ndarray,
    *,
    length: int,
    hop: int,
    pad_value: float,
    validation_fraction: float | None,
    rng: np.random.Generator,
    name: str,
) -> SegmentDataset:
    """The training segments and labels; with a ``validation_fraction``, utterances
    held out (drawn with ``rng``) are cut the same way into ``valid``, so no
    utterance has segments on both sides."""
    train_idx = np.arange(len(items))
    valid = None
    if validation_fraction is not None:
        train_idx, valid_idx = validation_split(
            y_enc, fraction=validation_fraction, rng=rng, name=name
        )
        v_seg, v_owner = segment_utterances(
            [items[i] for i in valid_idx], length=length, hop=hop, pad_value=pad_value
        )
        valid = Dataset(v_seg, y_enc[valid_idx][v_owner])
    seg, owner = segment_utterances(
        [items[i] for i in train_idx], length=length, hop=hop, pad_value=pad_value
    )
    return SegmentDataset(seg, y_enc[train_idx][owner], valid=valid)
