"""Angles between class embeddings and their spread (kumar §IV-B, Tables II-VII).

kumar classifies an utterance by the smallest angle between its embedding and the
embedding of every emotion class, so the geometry of the embedding space *is* the
model: how far apart the class directions lie (Tables II/III) and how tightly the
utterances of a class gather around them (Tables VI/VII). These functions compute
both from any embeddings -- those of
:class:`~sklearn_ser.models.CosineEmbeddingClassifier`, of any deep classifier's
``transform`` or of a plain feature matrix.

Only directions matter: every embedding is divided by its L2 norm first, so a
zero embedding (no direction) is an error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils import Bunch

from ._similarity import LabelledMatrix

__all__ = ["class_embeddings", "angle_table", "angle_deviation"]

_DIAGONALS = ("zero", "intra")
# A class whose unit embeddings average to less than this has no direction.
_MIN_CENTROID_NORM = 1e-10
# Largest n_rows * n_cols * n_dims block held in memory by _angles.
_BLOCK = 2**22


def _check_embeddings(
    embeddings: Any, y: Any, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """2-D finite float64 embeddings without zero rows, and y of matching length."""
    arr = np.asarray(embeddings)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == bool
    ):
        raise TypeError(
            f"{name}: embeddings must be a numeric array of shape (n_samples, "
            f"n_dims), got dtype {arr.dtype}"
        )
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"{name}: embeddings must be a non-empty 2-D array (n_samples, n_dims), "
            f"got shape {arr.shape}"
        )
    if np.iscomplexobj(arr):
        raise TypeError(f"{name}: embeddings must be real, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)  # a copy: the input is never modified
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr).all(axis=1))
        raise ValueError(
            f"{name}: embeddings must be finite; samples {bad[:5].tolist()} hold "
            "NaN or inf"
        )
    y = np.asarray(y)
    if y.shape != (arr.shape[0],):
        raise ValueError(
            f"{name}: embeddings has {arr.shape[0]} rows but y has shape {y.shape}; "
            "expected one label per embedding"
        )
    return arr, y


def _unit_rows(arr: np.ndarray, rows: np.ndarray, name: str) -> np.ndarray:
    """``arr`` with unit rows; ``rows`` are their indices in the caller's input."""
    norms = np.linalg.norm(arr, axis=1)
    zero = rows[norms == 0]
    if zero.size:
        raise ValueError(
            f"{name}: embeddings of samples {zero[:5].tolist()} are zero vectors "
            f"({zero.size} in all); a zero embedding has no direction, so its angle "
            "to anything is undefined"
        )
    return arr / norms[:, None]


def _select_classes(
    y: np.ndarray, labels: Any, name: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classes, the rows to keep and each kept row's class index."""
    if labels is None:
        classes, codes = np.unique(y, return_inverse=True)
        return classes, np.arange(y.size), codes.reshape(-1)
    classes = np.asarray(labels)
    if classes.ndim != 1 or classes.size == 0:
        raise ValueError(
            f"{name}: labels must be a non-empty 1-D array of classes, got shape "
            f"{classes.shape}"
        )
    codes = np.full(y.size, -1, dtype=np.intp)
    missing = []
    for k, label in enumerate(classes.tolist()):
        hit = y == label
        if np.any(codes[hit] >= 0):
            raise ValueError(f"{name}: labels holds {label!r} more than once")
        if not hit.any():
            missing.append(label)
        codes[hit] = k
    if missing:
        raise ValueError(
            f"{name}: labels {missing} have no samples in y (classes of y: "
            f"{np.unique(y).tolist()}); every class in labels needs at least one "
            "embedding"
        )
    keep = np.flatnonzero(codes >= 0)
    return classes, keep, codes[keep]


def _angles(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Angles in radians between the unit rows of ``u`` and of ``v``.

    ``2 atan2(|u - v|, |u + v|)`` rather than ``arccos(u . v)``: arccos loses half
    the digits near 0 and pi, where the small intra-class angles of kumar's tables
    (a fraction of a degree) lie. It is also exactly symmetric with a zero diagonal.
    """
    out = np.empty((u.shape[0], v.shape[0]))
    step = max(1, _BLOCK // max(1, v.shape[0] * u.shape[1]))
    for start in range(0, u.shape[0], step):
        a = u[start : start + step, None, :]
        diff = np.linalg.norm(a - v[None, :, :], axis=-1)
        summ = np.linalg.norm(a + v[None, :, :], axis=-1)
        out[start : start + step] = 2.0 * np.arctan2(diff, summ)
    return out


def _directions(
    embeddings: Any, y: Any, labels: Any, name: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unit utterance embeddings, their class codes, the classes and their unit
    directions (mean direction of each class)."""
    arr, y = _check_embeddings(embeddings, y, name)
    classes, keep, codes = _select_classes(y, labels, name)
    unit = _unit_rows(arr[keep], keep, name)
    centroids = _centroids(unit, codes, classes.size)
    norms = np.linalg.norm(centroids, axis=1)
    flat = np.flatnonzero(norms < _MIN_CENTROID_NORM)
    if flat.size:
        raise ValueError(
            f"{name}: the unit embeddings of class {classes.tolist()[flat[0]]!r} "
            "cancel out "
            f"(their mean has norm {norms[flat[0]]:.2g}), so the class has no mean "
            "direction"
        )
    return unit, codes, classes, centroids / norms[:, None]


def _centroids(arr: np.ndarray, codes: np.ndarray, n_classes: int) -> np.ndarray:
    sums = np.zeros((n_classes, arr.shape[1]))
    np.add.at(sums, codes, arr)
    return sums / np.bincount(codes, minlength=n_classes)[:, None]


def class_embeddings(
    embeddings: Any,
    y: Any,
    *,
    labels: Any = None,
    normalize: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Embedding of every class: the mean of its utterances' (unit) embeddings.

    kumar §III-B2b L2-normalises the embeddings and §IV-B2 classifies an utterance
    by its angle to the embedding of every emotion class; the class embedding is
    taken here as the centroid of the class's unit embeddings (its direction is
    the mean direction of the class).

    Parameters
    ----------
    embeddings : array-like of shape (n_samples, n_dims)
        One embedding per utterance, e.g. ``estimator.transform(X)``.
    y : array-like of shape (n_samples,)
        Class of every utterance.
    labels : array-like of shape (n_classes,), default=None
        Classes to return, in this order; samples of other classes are ignored.
        Default: the sorted classes of ``y``.
    normalize : bool, default=True
        Divide every embedding by its L2 norm before averaging (kumar). With
        ``False`` the centroids are plain means.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        The classes, in the order of the rows of ``centroids``.
    centroids : ndarray of shape (n_classes, n_dims)
        Mean embedding of every class. With ``normalize=True`` its norm is at most
        1: close to 1 when the class's utterances point the same way, smaller the
        more they spread; divide by it for a unit class embedding.

    Raises
    ------
    ValueError
        If an embedding is a zero vector (with ``normalize=True``), if a class in
        ``labels`` has no sample, or on shape mismatch.

    See Also
    --------
    angle_table : angles between the class embeddings.

    References
    ----------
    .. [1] P. Kumar, S. Jain, B. Raman, P. P. Roy and M. Iwamura, "End-to-end
       triplet loss based emotion embedding system for speech emotion
       recognition", ICPR 2020, §III-B and §IV-B2.

    Examples
    --------
    >>> classes, centroids = class_embeddings([[2, 0], [0, 3], [1, 1]],
    ...                                       ["a", "a", "b"])
    >>> classes.tolist(), centroids.round(3).tolist()
    (['a', 'b'], [[0.5, 0.5], [0.707, 0.707]])
    """
    arr, y = _check_embeddings(embeddings, y, "class_embeddings")
    classes, keep, codes = _select_classes(y, labels, "class_embeddings")
    arr = arr[keep]
    if normalize:
        arr = _unit_rows(arr, keep, "class_embeddings")
    return classes, _centroids(arr, codes, classes.size)


def angle_table(
    embeddings: Any,
    y: Any,
    *,
    labels: Any = None,
    degrees: bool = True,
    diagonal: str = "zero",
) -> LabelledMatrix:
    """Angles between the class embeddings (kumar Tables II and III).

    The class embedding is the mean direction of the class's L2-normalised
    utterance embeddings (:func:`class_embeddings`); entry ``(i, j)`` is the angle
    between the embeddings of classes ``i`` and ``j``. Large angles between classes
    mean well separated emotions; a small one, two emotions the angle classifier
    confuses.

    Parameters
    ----------
    embeddings : array-like of shape (n_samples, n_dims)
        One embedding per utterance, e.g. ``estimator.transform(X)``. Their norms
        do not matter.
    y : array-like of shape (n_samples,)
        Class of every utterance.
    labels : array-like of shape (n_classes,), default=None
        Classes of the table, in this order; samples of other classes are
        ignored. Default: the sorted classes of ``y``.
    degrees : bool, default=True
        Angles in degrees (as kumar) or, with ``False``, radians.
    diagonal : {"zero", "intra"}, default="zero"
        What the diagonal holds. ``"zero"``: the angle of each class embedding to
        itself. ``"intra"``: the mean angle between the class's utterances and its
        class embedding -- kumar prints this "average intra-class angle" on the
        diagonal of Tables II/III (their means, 0.51° and 1.68°, are the averages
        quoted in §IV-B3).

    Returns
    -------
    table : LabelledMatrix of shape (n_classes, n_classes), kind "distance"
        Symmetric, values in ``[0, 180]`` degrees (``[0, pi]`` radians).

    Raises
    ------
    ValueError
        If an embedding is a zero vector, if the embeddings of a class cancel out
        (no mean direction), if a class in ``labels`` has no sample, or on shape
        mismatch.

    See Also
    --------
    angle_deviation : spread of the angles within and between classes.
    sklearn_ser.plotting.AngleHeatmapDisplay : heat-map of this table.

    Notes
    -----
    Angles are computed as ``2 atan2(|u - v|, |u + v|)`` of unit vectors, accurate
    also for the fraction-of-a-degree angles of tight classes, where
    ``arccos(u . v)`` loses half its digits. A class of one sample has that
    sample's direction as its embedding (its intra-class angle is 0).

    References
    ----------
    .. [1] P. Kumar, S. Jain, B. Raman, P. P. Roy and M. Iwamura, "End-to-end
       triplet loss based emotion embedding system for speech emotion
       recognition", ICPR 2020, §IV-B2, Tables II and III.

    Examples
    --------
    >>> emb = [[1, 0], [3, 0], [0, 1], [0, 2], [1, 1]]
    >>> angle_table(emb, ["a", "a", "b", "b", "c"])
    LabelledMatrix(kind='distance')
         a   b   c
    a    0  90  45
    b   90   0  45
    c   45  45   0

    With ``diagonal="intra"``, as kumar prints it: the utterances of class "b" lie
    at 14.6°, 14.6° and 30.4° from its mean direction.

    >>> t = angle_table(emb, ["a", "a", "b", "b", "b"], diagonal="intra")
    >>> round(t.at("b", "b"), 1), round(t.at("a", "b"), 1)
    (19.9, 75.4)
    """
    if diagonal not in _DIAGONALS:
        raise ValueError(
            f"angle_table: diagonal must be one of {_DIAGONALS}, got {diagonal!r}"
        )
    unit, codes, classes, directions = _directions(embeddings, y, labels, "angle_table")
    table = _angles(directions, directions)
    if diagonal == "intra":
        to_own = _angles(unit, directions)[np.arange(codes.size), codes]
        np.fill_diagonal(
            table, np.bincount(codes, to_own, classes.size) / np.bincount(codes)
        )
    if degrees:
        table = np.degrees(table)
    return LabelledMatrix(table, classes, kind="distance")


def angle_deviation(
    embeddings: Any,
    y: Any,
    *,
    labels: Any = None,
    degrees: bool = True,
) -> Bunch:
    """Intra- and inter-class standard deviation of the angles (kumar Tables VI/VII).

    kumar classifies an utterance by its angles to the class embeddings ("the
    predicted angles", §IV-B3) and tabulates per class how much those angles vary:
    to the utterance's own class (intra-class deviation) and to the other classes
    (inter-class deviation). See Notes for the exact definition used.

    Parameters
    ----------
    embeddings : array-like of shape (n_samples, n_dims)
        One embedding per utterance, e.g. ``estimator.transform(X)``. Their norms
        do not matter.
    y : array-like of shape (n_samples,)
        Class of every utterance.
    labels : array-like of shape (n_classes,), default=None
        Classes, in this order; samples of other classes are ignored. At least 2.
        Default: the sorted classes of ``y``.
    degrees : bool, default=True
        Angles (and deviations) in degrees, as kumar, or radians.

    Returns
    -------
    deviation : :class:`~sklearn.utils.Bunch`
        ``labels`` : ndarray of shape (n_classes,), the classes;
        ``intra`` : ndarray of shape (n_classes,), intra-class deviation (Table VI,
        first column);
        ``inter`` : ndarray of shape (n_classes,), inter-class deviation (Table VI,
        second column);
        ``mean_angles`` : LabelledMatrix, entry ``(i, j)`` the mean angle between
        the utterances of class ``i`` and the embedding of class ``j`` (not
        symmetric; the diagonal is kumar's "average intra-class angle");
        ``std_angles`` : LabelledMatrix, the matching standard deviations (diagonal
        = ``intra``);
        ``text`` : str, the table as kumar prints it.

    Raises
    ------
    ValueError
        On zero embeddings, classes without a mean direction, a class in
        ``labels`` without samples, fewer than 2 classes or a shape mismatch.

    See Also
    --------
    angle_table : angles between the class embeddings.

    Notes
    -----
    kumar (§IV-B3) speaks of the "deviation in the predicted angles among emotion
    embedding vectors ... among similar (intra-class) and different (inter-class)
    emotion classes" without a formula. Its reported numbers exclude the simplest
    readings -- the inter-class deviations (0.12 to 9.76 degrees) are far below the
    spread of the off-diagonal entries of Tables II/III (7 to 19 degrees per row)
    -- so the definition taken here is the one consistent with its classification
    rule. With :math:`c_j` the unit embedding of class :math:`j` (mean direction of
    its utterances) and :math:`\\theta(x, c_j)` the angle of utterance :math:`x` to
    it, for class :math:`i` with utterances :math:`X_i`:

    * intra-class deviation: the standard deviation of :math:`\\theta(x, c_i)` over
      :math:`x \\in X_i`;
    * inter-class deviation: the pooled standard deviation of
      :math:`\\theta(x, c_j)` over :math:`x \\in X_i`, for every other class
      :math:`j \\ne i`, i.e. the root mean square over :math:`j \\ne i` of the
      per-pair standard deviations. Pooling per pair keeps the differences between
      the mean angles to different classes -- what Table II shows -- out of the
      deviation.

    Standard deviations are population ones (``ddof=0``), so a class of a single
    utterance has deviation 0 (its utterance *is* the class embedding).

    References
    ----------
    .. [1] P. Kumar, S. Jain, B. Raman, P. P. Roy and M. Iwamura, "End-to-end
       triplet loss based emotion embedding system for speech emotion
       recognition", ICPR 2020, §IV-B3, Tables VI and VII.

    Examples
    --------
    Four utterances of class "a" at ±10° and ±20° around the x-axis, one of "b" on
    the y-axis: class "a" lies at 10°, 10°, 20°, 20° from its own embedding
    (standard deviation 5°) and at 100°, 80°, 110°, 70° from that of "b" (15.81°).

    >>> import numpy as np
    >>> a = np.radians([-10.0, 10.0, -20.0, 20.0])
    >>> emb = np.r_[np.c_[np.cos(a), np.sin(a)], [[0.0, 1.0]]]
    >>> dev = angle_deviation(emb, ["a", "a", "a", "a", "b"])
    >>> dev.intra.round(2).tolist(), dev.inter.round(2).tolist()
    ([5.0, 0.0], [15.81, 0.0])
    >>> print(dev.text)
    class   intra   inter
    a        5.00   15.81
    b        0.00    0.00
    """
    unit, codes, classes, directions = _directions(
        embeddings, y, labels, "angle_deviation"
    )
    n_classes = classes.size
    if n_classes < 2:
        raise ValueError(
            f"angle_deviation: needs at least 2 classes for an inter-class "
            f"deviation, got {n_classes} ({classes.tolist()})"
        )
    angles = _angles(unit, directions)  # (n_samples, n_classes)
    if degrees:
        angles = np.degrees(angles)
    counts = np.bincount(codes, minlength=n_classes)[:, None]
    mean = np.zeros((n_classes, n_classes))
    np.add.at(mean, codes, angles)
    mean /= counts
    var = np.zeros((n_classes, n_classes))
    np.add.at(var, codes, (angles - mean[codes]) ** 2)
    var /= counts
    std = np.sqrt(var)
    intra = np.diag(std).copy()
    off = ~np.eye(n_classes, dtype=bool)
    inter = np.sqrt(np.where(off, var, 0.0).sum(axis=1) / (n_classes - 1))
    names = [str(c) for c in classes.tolist()]
    width = max(5, *(len(s) for s in names))
    lines = [f"{'class':<{width}}   intra   inter"]
    lines += [
        f"{name:<{width}}  {a:6.2f}  {b:6.2f}"
        for name, a, b in zip(names, intra, inter)
    ]
    return Bunch(
        labels=classes,
        intra=intra,
        inter=inter,
        mean_angles=LabelledMatrix(mean, classes, kind="distance"),
        std_angles=LabelledMatrix(std, classes, kind="distance"),
        text="\n".join(lines),
    )
