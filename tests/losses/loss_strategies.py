"""Hypothesis strategies shared by the loss tests."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

DISTANCES = ("squared_euclidean", "euclidean", "cosine")
MININGS = ("all", "hard", "semihard", "hard+semihard")
DTYPES = (torch.float32, torch.float64)


@st.composite
def labels(draw, *, min_size: int = 0, max_size: int = 14, max_classes: int = 4):
    """Class indices of a batch, any mix (single class, singletons, ...)."""
    n_classes = draw(st.integers(1, max_classes))
    index = st.integers(0, n_classes - 1)
    return draw(st.lists(index, min_size=min_size, max_size=max_size))


@st.composite
def tied_embeddings(draw, *, dim: int | None = None, magnitude: float = 1e3):
    """Labels and embeddings whose rows come from a small pool: duplicate rows, zero
    vectors and extreme-but-finite values are all likely."""
    y = draw(labels(max_size=12))
    dim = dim or draw(st.integers(1, 5))
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
    return x, np.array(y, dtype=np.int64)


@st.composite
def generic_embeddings(draw, *, min_size: int = 0, max_size: int = 16):
    """Labels and continuous random embeddings (ties have probability 0), from a drawn
    seed: for properties that recompute distances from transformed inputs."""
    y = draw(labels(min_size=min_size, max_size=max_size))
    dim = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([0.1, 1.0, 10.0]))
    x = np.random.default_rng(seed).normal(scale=scale, size=(len(y), dim))
    return x, np.array(y, dtype=np.int64)


@st.composite
def distance_matrices(draw):
    """Labels and a non-negative distance-like matrix with zero diagonal drawn from a
    few small values: many exact ties (not necessarily symmetric or metric)."""
    y = draw(labels(max_size=10))
    n = len(y)
    values = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0])
    d = np.array(
        [[0.0 if i == j else draw(values) for j in range(n)] for i in range(n)],
        dtype=np.float64,
    ).reshape(n, n)
    return d, np.array(y, dtype=np.int64)


margins = st.sampled_from([0.0, 0.25, 0.5, 1.0])
