"""Hypothesis strategies for what losses take: labels, embeddings, logits, cosines.

Every strategy draws numpy arrays (``torch.from_numpy`` turns them into tensors
without a copy), so that hypothesis prints a falsifying example as plain numbers.
Batch strategies draw the labels and the matching rows together and return
``(values, labels)``: ``values`` of shape ``(batch, dim)`` (or ``(batch,
n_classes)``), ``labels`` int64 of shape ``(batch,)``.

Bounds, by strategy (each is a keyword argument too):

==========================  ===========================================================
strategy                    draws
==========================  ===========================================================
:func:`labels`              0-12 samples, 1-5 classes; one class, all singletons,
                            one majority class with a few others, or uniform
:func:`generic_embeddings`  continuous Gaussian rows (no ties), dimension 1-6, scale
                            0.1, 1 or 10, a random offset of up to 10 per axis
:func:`tied_embeddings`     rows from a pool of 1-4 vectors plus the zero vector:
                            duplicates, ties, zeros; entries 0, small integers or any
                            float in [-1e3, 1e3]
:func:`extreme_embeddings`  rows of norm 1e-30 to 1e4 (tiny, huge and in between),
                            some zero, dimension 1-6
:func:`embedding_batches`   any of the three above, float32 or float64
:func:`logits`              scores in [-1e4, 1e4] (or ``magnitude``): ties, all-equal
                            rows, saturated rows, 2-5 classes, every class index valid
:func:`cosine_matrices`     cosines in [-1, 1] with exact -1, 0 and 1, 2-5 classes
:func:`distance_matrices`   zero-diagonal matrices of values from {0, 0.25, ..., 2}:
                            many exact ties (not necessarily symmetric)
:data:`margins`             0, 0.25, 0.5 or 1
==========================  ===========================================================

Examples
--------
>>> from hypothesis import given, settings
>>> from sklearn_ser.testing import strategies
>>> @settings(max_examples=5)
... @given(batch=strategies.embedding_batches(min_size=1))
... def test_rows_match_labels(batch):
...     x, y = batch
...     assert x.shape[0] == y.shape[0] >= 1
>>> test_rows_match_labels()
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from sklearn_ser.utils._docs import fill_doc

__all__ = [
    "DTYPES",
    "cosine_matrices",
    "distance_matrices",
    "embedding_batches",
    "extreme_embeddings",
    "generic_embeddings",
    "labels",
    "logits",
    "margins",
    "tied_embeddings",
]

#: The floating-point dtypes the strategies draw from (numpy).
DTYPES = (np.float32, np.float64)

margins = st.sampled_from([0.0, 0.25, 0.5, 1.0])
"""Triplet/AMS margins: 0 (no margin), 0.25, 0.5 and 1."""


# Parameter texts several strategies share (``fill_doc``).
_DOCS = {
    "dtype": """dtype : numpy dtype or None, default=np.float64
        ``None`` draws float32 or float64.""",
    "batch": """min_size, max_size : int, default=0, 12
        Batch size bounds.""",
}


def _dtype(draw, dtype):
    return np.dtype(draw(st.sampled_from(DTYPES)) if dtype is None else dtype)


@st.composite
@fill_doc(**_DOCS)
def labels(draw, *, min_size: int = 0, max_size: int = 12, max_classes: int = 5):
    """Class indices of a batch: the label mixes losses must survive.

    Parameters
    ----------
    %(batch)s
    max_classes : int, default=5
        Indices lie in ``[0, max_classes)``; not every index need occur.

    Returns
    -------
    strategy of ndarray of int64 [shape=(batch,)]
        One of: indices drawn uniformly, an imbalanced batch (one class takes most
        rows, the others one or two; each a third of the draws), a single class, or
        all singleton classes (as far as ``max_classes`` allows; a sixth each).
    """
    n = draw(st.integers(min_size, max_size))
    # uniform and imbalanced batches twice as often as the two extremes
    shape = draw(st.sampled_from(
        ["uniform", "imbalanced", "uniform", "imbalanced", "one", "singletons"]
    ))
    n_classes = draw(st.integers(1 if shape == "one" else min(2, max_classes),
                                 max_classes))
    if shape == "one" or n_classes == 1:
        y = [draw(st.integers(0, n_classes - 1))] * n
    elif shape == "singletons":
        y = [i % n_classes for i in range(n)]
    elif shape == "imbalanced":
        major = draw(st.integers(0, n_classes - 1))
        minors = [c for c in range(n_classes) if c != major]
        n_minor = draw(st.integers(0, min(n, 2 * len(minors))))
        y = [minors[i % len(minors)] for i in range(n_minor)] + [major] * (n - n_minor)
    else:
        y = draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n))
    order = draw(st.permutations(range(n)))
    return np.array([y[i] for i in order], dtype=np.int64)


@st.composite
@fill_doc(**_DOCS)
def generic_embeddings(
    draw,
    *,
    min_size: int = 0,
    max_size: int = 12,
    max_dim: int = 6,
    max_classes: int = 5,
    dtype=np.float64,
):
    """Labels and continuous random embeddings, from a drawn seed.

    Ties between distances have probability 0, so properties that compare two
    computations of a discontinuous loss (semi-hard mining picks the closest negative
    *farther* than the positive) are not at the mercy of round-off.

    Parameters
    ----------
    min_size, max_size, max_classes : int
        As :func:`labels`.
    max_dim : int, default=6
        Embedding dimension in ``[1, max_dim]``.
    %(dtype)s

    Returns
    -------
    strategy of (ndarray [shape=(batch, dim)], ndarray of int64 [shape=(batch,)])
        Gaussian rows of scale 0.1, 1 or 10 around an offset of up to 10 per axis.
    """
    y = draw(labels(min_size=min_size, max_size=max_size, max_classes=max_classes))
    dim = draw(st.integers(1, max_dim))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([0.1, 1.0, 10.0]))
    rng = np.random.default_rng(seed)
    offset = draw(st.sampled_from([0.0, 1.0, 10.0])) * rng.uniform(-1, 1, size=dim)
    x = offset + rng.normal(scale=scale, size=(len(y), dim))
    return x.astype(_dtype(draw, dtype)), y


@st.composite
@fill_doc(**_DOCS)
def tied_embeddings(
    draw,
    *,
    min_size: int = 0,
    max_size: int = 12,
    max_dim: int = 5,
    magnitude: float = 1e3,
    max_classes: int = 5,
    dtype=np.float64,
):
    """Labels and embeddings whose rows come from a small pool: duplicate rows, zero
    vectors, tied distances and large-but-finite entries are all likely.

    Parameters
    ----------
    min_size, max_size, max_classes : int, default=0, 12, 5
        As :func:`labels`.
    max_dim : int, default=5
        Dimension in ``[1, max_dim]``.
    magnitude : float, default=1e3
        Entries are 0, an integer in [-3, 3], or a float32-representable number in
        ``[-magnitude, magnitude]``.
    %(dtype)s

    Returns
    -------
    strategy of (ndarray [shape=(batch, dim)], ndarray of int64 [shape=(batch,)])
    """
    y = draw(labels(min_size=min_size, max_size=max_size, max_classes=max_classes))
    dim = draw(st.integers(1, max_dim))
    value = st.one_of(
        st.just(0.0),
        st.floats(-magnitude, magnitude, allow_nan=False, width=32),
        st.integers(-3, 3).map(float),
    )
    pool_size = draw(st.integers(1, 4))
    pool = [draw(st.lists(value, min_size=dim, max_size=dim)) for _ in range(pool_size)]
    pool.append([0.0] * dim)
    rows = [pool[draw(st.integers(0, len(pool) - 1))] for _ in y]
    x = np.array(rows, dtype=np.float64).reshape(len(y), dim)
    return x.astype(_dtype(draw, dtype)), y


@st.composite
@fill_doc(**_DOCS)
def extreme_embeddings(
    draw,
    *,
    min_size: int = 0,
    max_size: int = 12,
    max_dim: int = 6,
    min_norm: float = 1e-30,
    max_norm: float = 1e4,
    max_classes: int = 5,
    dtype=np.float64,
):
    """Labels and embeddings of very different norms: tiny, huge, zero, in between.

    Parameters
    ----------
    min_size, max_size, max_classes : int, default=0, 12, 5
        As :func:`labels`.
    max_dim : int, default=6
        Dimension in ``[1, max_dim]``.
    min_norm, max_norm : float, default=1e-30, 1e4
        Each non-zero row has a norm ``10**k`` for an integer ``k`` between
        ``log10(min_norm)`` and ``log10(max_norm)``; both defaults are normal
        float32 numbers and keep squared distances far below float32's maximum.
    %(dtype)s

    Returns
    -------
    strategy of (ndarray [shape=(batch, dim)], ndarray of int64 [shape=(batch,)])
        About one row in five is the zero vector.
    """
    y = draw(labels(min_size=min_size, max_size=max_size, max_classes=max_classes))
    dim = draw(st.integers(1, max_dim))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    low, high = int(np.ceil(np.log10(min_norm))), int(np.floor(np.log10(max_norm)))
    exponent = st.one_of(st.integers(low, high), st.none())
    rows = []
    for _ in y:
        k = draw(exponent)
        direction = rng.normal(size=dim)
        direction /= max(np.linalg.norm(direction), 1e-300)
        rows.append(np.zeros(dim) if k is None else direction * 10.0**k)
    x = np.array(rows, dtype=np.float64).reshape(len(y), dim)
    return x.astype(_dtype(draw, dtype)), y


def embedding_batches(
    *,
    min_size: int = 0,
    max_size: int = 12,
    max_dim: int = 6,
    max_classes: int = 5,
    dtype=None,
):
    """Any embedding batch: generic, tied or extreme, float32 or float64.

    Parameters
    ----------
    min_size, max_size, max_classes : int, default=0, 12, 5
        As :func:`labels`.
    max_dim : int, default=6
        Dimension in ``[1, max_dim]``.
    dtype : numpy dtype or None, default=None
        ``None`` draws float32 or float64.

    Returns
    -------
    strategy of (ndarray [shape=(batch, dim)], ndarray of int64 [shape=(batch,)])
        One of :func:`generic_embeddings`, :func:`tied_embeddings` (entries up to
        1e3) and :func:`extreme_embeddings` (norms 1e-30 to 1e4).
    """
    sizes = {"min_size": min_size, "max_size": max_size, "dtype": dtype,
             "max_classes": max_classes}
    return st.one_of(
        generic_embeddings(max_dim=max_dim, **sizes),
        tied_embeddings(max_dim=max(1, min(max_dim, 5)), **sizes),
        extreme_embeddings(max_dim=max_dim, **sizes),
    )


def _classes_and_labels(draw, min_size, max_size, min_classes, max_classes):
    """A number of classes, then labels that are valid indices of them."""
    n_classes = draw(st.integers(min_classes, max_classes))
    return n_classes, draw(
        labels(min_size=min_size, max_size=max_size, max_classes=n_classes)
    )


def _score_rows(draw, n: int, n_classes: int, magnitude: float) -> np.ndarray:
    """``n`` rows of ``n_classes`` scores as :func:`logits` describes them."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    extremes = [-magnitude, -1.0, 0.0, 1.0, magnitude]
    rows = []
    for _ in range(n):
        kind = draw(st.sampled_from(["zero", "constant", "gaussian", "extreme"]))
        if kind == "zero":
            rows.append(np.zeros(n_classes))
        elif kind == "constant":
            rows.append(np.full(n_classes, draw(st.floats(-magnitude, magnitude))))
        elif kind == "gaussian":
            rows.append(rng.normal(scale=min(3.0, magnitude), size=n_classes))
        else:
            rows.append(rng.choice(extremes, size=n_classes))
    return np.array(rows, dtype=np.float64).reshape(n, n_classes)


@st.composite
@fill_doc(**_DOCS)
def logits(
    draw,
    *,
    min_size: int = 0,
    max_size: int = 12,
    min_classes: int = 2,
    max_classes: int = 5,
    magnitude: float = 1e4,
    dtype=np.float64,
):
    """Labels and classification scores: ties, equal rows, saturated rows.

    Parameters
    ----------
    %(batch)s
    min_classes, max_classes : int, default=2, 5
        Number of columns; the labels are valid indices of them.
    magnitude : float, default=1e4
        Scores lie in ``[-magnitude, magnitude]``.
    %(dtype)s

    Returns
    -------
    strategy of (ndarray [shape=(batch, n_classes)], ndarray of int64 [shape=(batch,)])
        Each row is all zeros, one constant (every class tied), moderate Gaussian
        scores, or entries from {-magnitude, -1, 0, 1, magnitude} (saturated
        softmax, exact ties).
    """
    n_classes, y = _classes_and_labels(draw, min_size, max_size, min_classes,
                                       max_classes)
    x = _score_rows(draw, len(y), n_classes, magnitude)
    return x.astype(_dtype(draw, dtype)), y


@st.composite
@fill_doc(**_DOCS)
def cosine_matrices(
    draw,
    *,
    min_size: int = 0,
    max_size: int = 12,
    min_classes: int = 2,
    max_classes: int = 5,
    dtype=np.float64,
):
    """Labels and a matrix of cosines between samples and class vectors.

    Parameters
    ----------
    %(batch)s
    min_classes, max_classes : int, default=2, 5
        Number of columns (classes).
    %(dtype)s

    Returns
    -------
    strategy of (ndarray [shape=(batch, n_classes)], ndarray of int64 [shape=(batch,)])
        Entries in [-1, 1]; exact -1, 0 and 1 are likely (a sample on a class vector,
        opposite it, orthogonal to it, or a zero embedding).
    """
    n_classes, y = _classes_and_labels(draw, min_size, max_size, min_classes,
                                       max_classes)
    entry = st.one_of(st.sampled_from([-1.0, 0.0, 1.0]), st.floats(-1.0, 1.0))
    rows = [draw(st.lists(entry, min_size=n_classes, max_size=n_classes)) for _ in y]
    x = np.array(rows, dtype=np.float64).reshape(len(y), n_classes)
    return x.astype(_dtype(draw, dtype)), y


@st.composite
def distance_matrices(draw, *, max_size: int = 10):
    """Labels and a non-negative distance-like matrix with a zero diagonal.

    Parameters
    ----------
    max_size : int, default=10
        Batch size in ``[0, max_size]``.

    Returns
    -------
    strategy of (ndarray of float64 [shape=(batch, batch)], ndarray of int64)
        Off-diagonal entries from {0, 0.25, 0.5, 0.75, 1, 1.5, 2}: many exact ties,
        for mining rules that compare distances (not necessarily symmetric or
        metric).
    """
    y = draw(labels(max_size=max_size))
    n = len(y)
    values = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0])
    d = np.array(
        [[0.0 if i == j else draw(values) for j in range(n)] for i in range(n)],
        dtype=np.float64,
    ).reshape(n, n)
    return d, y
