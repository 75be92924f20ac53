"""Which emotions look alike: class hashes, Hamming distances (li2021 §3.4, §6.8) and
the same question asked of a confusion matrix.

li2021 hashes the spectrograms of every class (:class:`SpectrogramHasher`), takes the
bit-wise majority vote per class as the class hash, tabulates the Hamming distances
between class hashes (its Table 11) and merges the closest pair (Sad, Angry) into one
class of a coarse first-level classifier. :func:`confusable_from_confusion` answers
the same question from the confusion matrix of cross-validated predictions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix

__all__ = [
    "LabelledMatrix",
    "class_hashes",
    "class_similarity",
    "most_confusable",
    "confusable_from_confusion",
]

_KINDS = ("distance", "similarity")


class LabelledMatrix:
    """A square class-by-class matrix with its class labels.

    A minimal stand-in for a labelled data frame (pandas is not a dependency):
    ``np.asarray(m)`` / ``m.values`` give the numbers, ``m.labels`` the classes of
    the rows and columns, ``m.at(a, b)`` one entry by labels, ``m.to_frame()`` a
    :class:`pandas.DataFrame` when pandas is installed.

    Parameters
    ----------
    values : array-like of shape (n_classes, n_classes)
        The matrix.
    labels : array-like of shape (n_classes,)
        Class of every row (and column).
    kind : {"distance", "similarity"}
        Whether a small value (``"distance"``, e.g. Hamming distance) or a large
        one (``"similarity"``, e.g. a confusion rate) means "alike";
        :func:`most_confusable` reads it.

    Attributes
    ----------
    values : ndarray of shape (n_classes, n_classes)
    labels : ndarray of shape (n_classes,)
    kind : str

    Examples
    --------
    >>> m = LabelledMatrix([[0, 3], [3, 0]], ["sad", "ang"], kind="distance")
    >>> m.at("sad", "ang")
    3
    >>> m
    LabelledMatrix(kind='distance')
         sad  ang
    sad    0    3
    ang    3    0
    """

    def __init__(self, values: Any, labels: Any, *, kind: str) -> None:
        values = np.asarray(values)
        labels = np.asarray(labels)
        if values.ndim != 2 or values.shape[0] != values.shape[1]:
            raise ValueError(
                f"LabelledMatrix: values must be a square matrix, got shape "
                f"{values.shape}"
            )
        if labels.shape != (values.shape[0],):
            raise ValueError(
                f"LabelledMatrix: {values.shape[0]} rows but {labels.size} labels"
            )
        if kind not in _KINDS:
            raise ValueError(
                f"LabelledMatrix: kind must be one of {_KINDS}, got {kind!r}"
            )
        self.values = values
        self.labels = labels
        self.kind = kind

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self.values, dtype=dtype, copy=True)
        return np.asarray(self.values, dtype=dtype)

    def __len__(self) -> int:
        return len(self.labels)

    def _index(self, label: Any) -> int:
        hits = np.flatnonzero(self.labels == label)
        if hits.size == 0:
            raise KeyError(f"{label!r} is not one of the labels {self.labels.tolist()}")
        return int(hits[0])

    def at(self, row: Any, col: Any) -> Any:
        """The entry of class ``row`` and class ``col``."""
        return self.values[self._index(row), self._index(col)].item()

    def to_frame(self):
        """Return a :class:`pandas.DataFrame` indexed by the labels (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "LabelledMatrix.to_frame needs pandas, which is not installed; use "
                "`.values` and `.labels` instead"
            ) from exc
        labels = self.labels.tolist()
        return pd.DataFrame(self.values, index=labels, columns=labels)

    def __repr__(self) -> str:
        names = [str(label) for label in self.labels.tolist()]
        if self.values.dtype.kind == "f":
            cells = [[f"{v:.3g}" for v in row] for row in self.values.tolist()]
        else:
            cells = [[str(v) for v in row] for row in self.values.tolist()]
        width = max(len(s) for s in names + [c for row in cells for c in row])
        head = " " * width + "".join(f"  {s:>{width}}" for s in names)
        rows = [
            f"{name:<{width}}" + "".join(f"  {c:>{width}}" for c in row)
            for name, row in zip(names, cells)
        ]
        return f"LabelledMatrix(kind={self.kind!r})\n" + "\n".join([head, *rows])


def _check_bits(bits: Any, name: str) -> np.ndarray:
    arr = np.asarray(bits)
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(
            f"{name}: bits must be a 2-D array (n_samples, n_bits), got shape "
            f"{arr.shape}"
        )
    if arr.dtype != bool:
        if not np.isin(arr, (0, 1)).all():
            raise ValueError(f"{name}: bits must hold only 0/1 or booleans")
        arr = arr.astype(bool)
    return arr


def class_hashes(bits: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Hash of every class: the bit-wise majority vote of its utterances' hashes.

    li2021 §3.4: bit ``j`` of class ``E`` is 1 when more of its utterances have bit
    ``j`` set than not, 0 when fewer; a tie (possible with an even number of
    utterances) gives 1, as the pixel rule of the average hash (``p >= mean``).

    Parameters
    ----------
    bits : array-like of shape (n_samples, n_bits), bool or 0/1
        Utterance hashes, e.g. :meth:`SpectrogramHasher.transform`.
    y : array-like of shape (n_samples,)
        Class of every utterance.

    Returns
    -------
    hashes : ndarray of shape (n_classes, n_bits), dtype bool
        One row per class, in the order of ``classes``.
    classes : ndarray of shape (n_classes,)
        The sorted classes of ``y``.

    Examples
    --------
    >>> hashes, classes = class_hashes([[1, 0, 1], [1, 1, 0], [0, 0, 0]],
    ...                                ["a", "a", "b"])
    >>> hashes.astype(int), classes.tolist()
    (array([[1, 1, 1],
           [0, 0, 0]]), ['a', 'b'])
    """
    arr = _check_bits(bits, "class_hashes")
    y = np.asarray(y)
    if y.shape != (arr.shape[0],):
        raise ValueError(
            f"class_hashes: bits has {arr.shape[0]} rows but y has shape {y.shape}"
        )
    classes, codes = np.unique(y, return_inverse=True)
    ones = np.zeros((classes.size, arr.shape[1]), dtype=np.int64)
    np.add.at(ones, codes, arr.astype(np.int64))
    sizes = np.bincount(codes, minlength=classes.size)[:, None]
    # 1 where count(1) >= count(0), i.e. 2 * ones >= size (ties -> 1)
    return 2 * ones >= sizes, classes


def class_similarity(
    bits: Any,
    y: Any = None,
    *,
    classes: Any = None,
    normalize: bool = False,
) -> LabelledMatrix:
    """Hamming distances between class hashes (li2021 §3.4, Table 11).

    Parameters
    ----------
    bits : array-like of shape (n_samples, n_bits) or (n_classes, n_bits)
        Utterance hashes with their classes ``y`` (class hashes are then computed
        by :func:`class_hashes`), or class hashes already (``y=None``).
    y : array-like of shape (n_samples,), default=None
        Class of every utterance; ``None`` when ``bits`` are class hashes.
    classes : array-like of shape (n_classes,), default=None
        Labels of the rows of ``bits`` when they are class hashes; default
        ``0 .. n_classes - 1``. Ignored when ``y`` is given.
    normalize : bool, default=False
        Divide the distances by the number of bits (fraction of differing bits)
        instead of counting them, as li2021 does.

    Returns
    -------
    distances : LabelledMatrix of shape (n_classes, n_classes), kind "distance"
        Symmetric with a zero diagonal; smaller means more alike.

    See Also
    --------
    most_confusable : the closest pair (or set) of classes.
    confusable_from_confusion : the same analysis from a confusion matrix.

    References
    ----------
    .. [1] Y. Li, "Speech emotion recognition with TF-CNN and multi-level
       classification" (thesis), 2021, §3.4 and §6.8.

    Examples
    --------
    >>> bits = [[1, 1, 0, 0], [1, 1, 0, 1], [1, 0, 0, 0], [0, 0, 1, 1]]
    >>> d = class_similarity(bits, ["sad", "sad", "ang", "joy"])
    >>> d
    LabelledMatrix(kind='distance')
         ang  joy  sad
    ang    0    3    2
    joy    3    0    3
    sad    2    3    0
    >>> most_confusable(d)
    ('ang', 'sad')
    """
    if y is not None:
        hashes, labels = class_hashes(bits, y)
    else:
        hashes = _check_bits(bits, "class_similarity")
        labels = np.arange(hashes.shape[0]) if classes is None else np.asarray(classes)
        if labels.shape != (hashes.shape[0],):
            raise ValueError(
                f"class_similarity: {hashes.shape[0]} class hashes but classes has "
                f"shape {labels.shape}"
            )
    h = hashes.astype(np.int64)
    # Hamming distance = number of differing bits
    dist = h @ (1 - h).T + (1 - h) @ h.T
    if normalize:
        dist = dist / hashes.shape[1]
    return LabelledMatrix(dist, labels, kind="distance")


def _as_labelled(matrix: Any, labels: Any, kind: str | None) -> LabelledMatrix:
    if isinstance(matrix, LabelledMatrix):
        return matrix
    values = np.asarray(matrix)
    if values.ndim != 2 or values.shape[0] != values.shape[1]:
        raise ValueError(
            f"most_confusable: expected a square class-by-class matrix, got shape "
            f"{values.shape}"
        )
    labels = np.arange(values.shape[0]) if labels is None else labels
    return LabelledMatrix(values, labels, kind=kind or "distance")


def most_confusable(
    matrix: LabelledMatrix | Any,
    *,
    size: int = 2,
    labels: Any = None,
    kind: str | None = None,
    return_score: bool = False,
):
    """The most alike pair of classes -- or set of ``size`` classes.

    li2021 §6.8 merges the closest pair (smallest Hamming distance between class
    hashes) into one class of its first-level classifier. With ``size > 2`` the
    set is grown greedily from that pair, each time adding the class whose
    *farthest* member of the set is closest (complete linkage), so every pair in
    the set stays alike.

    Parameters
    ----------
    matrix : LabelledMatrix or array-like of shape (n_classes, n_classes)
        From :func:`class_similarity` (distances) or
        :func:`confusable_from_confusion` (similarities); a plain array is read
        with ``labels`` and ``kind``. Only the off-diagonal entries are used, and
        the matrix is symmetrised (mean with its transpose).
    size : int, default=2
        Number of classes to return, in ``[2, n_classes]``.
    labels : array-like of shape (n_classes,), default=None
        Classes of a plain-array ``matrix``; default ``0 .. n_classes - 1``.
    kind : {"distance", "similarity"}, default=None
        Meaning of a plain-array ``matrix``; default ``"distance"``.
    return_score : bool, default=False
        Also return the score of the set: its largest pairwise distance (or its
        smallest pairwise similarity).

    Returns
    -------
    classes : tuple
        The chosen classes, in the order of the matrix's labels. Ties go to the
        first pair in that order.
    score : float
        Only with ``return_score=True``.

    Examples
    --------
    li2021 Table 11 (Hamming distances between class hashes):

    >>> import numpy as np
    >>> d = np.array([[0, 23, 12, 28], [23, 0, 25, 17], [12, 25, 0, 20],
    ...               [28, 17, 20, 0]])
    >>> most_confusable(d, labels=["sad", "pleasure", "angry", "joy"])
    ('sad', 'angry')
    >>> most_confusable(d, labels=["sad", "pleasure", "angry", "joy"], size=3,
    ...                 return_score=True)
    (('sad', 'pleasure', 'angry'), 25.0)
    """
    m = _as_labelled(matrix, labels, kind)
    n_classes = len(m)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not (
        2 <= size <= n_classes
    ):
        raise ValueError(
            f"most_confusable: size must be an integer in [2, {n_classes}] (the "
            f"number of classes), got {size!r}"
        )
    values = np.asarray(m.values, dtype=np.float64)
    values = (values + values.T) / 2.0
    # work with distances: a similarity becomes its negative
    dist = values if m.kind == "distance" else -values
    off = dist.copy()
    np.fill_diagonal(off, np.inf)
    i, j = np.unravel_index(np.argmin(off), off.shape)
    chosen = [int(min(i, j)), int(max(i, j))]
    while len(chosen) < size:
        rest = [k for k in range(n_classes) if k not in chosen]
        worst = dist[np.ix_(rest, chosen)].max(axis=1)  # complete linkage
        chosen.append(rest[int(np.argmin(worst))])
    chosen.sort()
    score = float(dist[np.ix_(chosen, chosen)][~np.eye(len(chosen), dtype=bool)].max())
    if m.kind == "similarity":
        score = -score
    result = tuple((m.labels[k].item() if hasattr(m.labels[k], "item") else m.labels[k]) for k in chosen)
    return (result, score) if return_score else result


def confusable_from_confusion(
    y_true: Any = None,
    y_pred: Any = None,
    *,
    confusion: Any = None,
    labels: Any = None,
) -> LabelledMatrix:
    """Class similarity from a confusion matrix: how often two classes are confused.

    An alternative to hashing spectrograms (li2021 §3.4) that li2021 did not use:
    from the confusion matrix of **cross-validated** predictions (e.g.
    :func:`sklearn.model_selection.cross_val_predict`, with speaker-grouped folds),
    the similarity of classes ``i`` and ``j`` is the mean of the rate at which ``i``
    is predicted as ``j`` and ``j`` as ``i`` (rows normalised to recall). Feed it to
    :func:`most_confusable`.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,), default=None
        True and (cross-validated) predicted classes. Give these, or ``confusion``.
    confusion : array-like of shape (n_classes, n_classes), default=None
        A confusion matrix already computed (rows: true class, columns: predicted
        class, as :func:`sklearn.metrics.confusion_matrix`).
    labels : array-like of shape (n_classes,), default=None
        Classes, in the order of the matrix; default the sorted classes of
        ``y_true`` and ``y_pred`` (or ``0 .. n_classes - 1`` with ``confusion``).

    Returns
    -------
    similarity : LabelledMatrix of shape (n_classes, n_classes), kind "similarity"
        Symmetric; off the diagonal ``(R[i, j] + R[j, i]) / 2`` with ``R`` the
        row-normalised confusion matrix, on the diagonal the recall ``R[i, i]``.
        Larger means more confused. A class without true samples has a zero row.

    See Also
    --------
    class_similarity : the hash-based analysis of li2021.

    Examples
    --------
    >>> y_true = ["sad"] * 4 + ["ang"] * 4 + ["joy"] * 4
    >>> y_pred = ["sad", "sad", "ang", "ang", "ang", "ang", "ang", "sad",
    ...           "joy", "joy", "joy", "sad"]
    >>> s = confusable_from_confusion(y_true, y_pred)
    >>> s
    LabelledMatrix(kind='similarity')
           ang    joy    sad
    ang   0.75      0  0.375
    joy      0   0.75  0.125
    sad  0.375  0.125    0.5
    >>> most_confusable(s)
    ('ang', 'sad')
    """
    if confusion is not None:
        if y_true is not None or y_pred is not None:
            raise ValueError(
                "confusable_from_confusion: give either y_true and y_pred, or "
                "confusion, not both"
            )
        cm = np.asarray(confusion, dtype=np.float64)
        if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] < 2:
            raise ValueError(
                "confusable_from_confusion: confusion must be a square matrix of "
                f"at least 2 classes, got shape {cm.shape}"
            )
        if np.any(cm < 0) or not np.all(np.isfinite(cm)):
            raise ValueError(
                "confusable_from_confusion: confusion must hold finite counts >= 0"
            )
        labels = np.arange(cm.shape[0]) if labels is None else np.asarray(labels)
        if labels.shape != (cm.shape[0],):
            raise ValueError(
                f"confusable_from_confusion: {cm.shape[0]} classes but labels has "
                f"shape {labels.shape}"
            )
    else:
        if y_true is None or y_pred is None:
            raise ValueError(
                "confusable_from_confusion: give y_true and y_pred, or confusion"
            )
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if labels is None:
            labels = np.unique(np.concatenate([y_true, y_pred]))
        labels = np.asarray(labels)
        cm = confusion_matrix(y_true, y_pred, labels=labels).astype(np.float64)
    support = cm.sum(axis=1, keepdims=True)
    rates = np.divide(cm, support, out=np.zeros_like(cm), where=support > 0)
    sim = (rates + rates.T) / 2.0
    np.fill_diagonal(sim, np.diag(rates))
    return LabelledMatrix(sim, labels, kind="similarity")
