"""The strategies of sklearn_ser.testing keep their documented bounds and reach the
cases they promise (one class, singletons, duplicates, zero rows, extremes)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.testing import strategies as S


# No deadline: a first torch call can be slow, and the machine may be shared.
relaxed = settings(deadline=None)


def _seen(strategy, n=200):
    """Examples of a strategy (hypothesis's generator, not shrunk)."""
    out = []

    @settings(max_examples=n, database=None, deadline=None)
    @given(strategy)
    def collect(example):
        out.append(example)

    collect()
    return out


@relaxed
@given(y=S.labels(min_size=2, max_size=9, max_classes=3))
def test_labels_bounds(y):
    assert y.dtype == np.int64 and y.ndim == 1
    assert 2 <= len(y) <= 9
    assert y.min() >= 0 and y.max() < 3


def test_labels_reach_one_class_singletons_and_imbalance():
    seen = _seen(S.labels(min_size=4, max_size=12))
    counts = [np.bincount(y) for y in seen]
    assert any((c > 0).sum() == 1 for c in counts)  # a single class
    assert any(((c == 1) | (c == 0)).all() for c in counts)  # all singletons
    assert any(c.max() >= 3 * max(1, c[c > 0].min()) for c in counts)  # imbalanced


@relaxed
@given(batch=S.generic_embeddings(min_size=1, max_dim=4, dtype=None))
def test_generic_embeddings(batch):
    x, y = batch
    assert x.shape[0] == y.shape[0] >= 1 and 1 <= x.shape[1] <= 4
    assert x.dtype in (np.float32, np.float64)
    assert np.isfinite(x).all()


@relaxed
@given(batch=S.tied_embeddings(magnitude=10.0))
def test_tied_embeddings_bounds(batch):
    x, y = batch
    assert x.shape[0] == len(y) and x.dtype == np.float64
    assert np.abs(x).max(initial=0.0) <= 10.0


def test_tied_embeddings_have_duplicates_and_zero_rows():
    seen = [x for x, _ in _seen(S.tied_embeddings(min_size=3))]
    assert any(len(np.unique(x, axis=0)) < len(x) for x in seen)
    assert any((x == 0).all(axis=1).any() for x in seen)


@relaxed
@given(batch=S.extreme_embeddings(min_size=1, dtype=np.float32))
def test_extreme_embeddings_norms(batch):
    x, _ = batch
    assert x.dtype == np.float32
    norms = np.linalg.norm(x.astype(np.float64), axis=1)
    nonzero = norms[norms > 0]
    assert np.all(nonzero >= 1e-30 * (1 - 1e-5)) and np.all(nonzero <= 1e4 * 1.0001)


def test_extreme_embeddings_span_tiny_to_huge():
    norms = np.concatenate([
        np.linalg.norm(x, axis=1) for x, _ in _seen(S.extreme_embeddings(min_size=4))
    ])
    assert (norms == 0).any() and (norms[norms > 0] < 1e-20).any()
    assert (norms > 1e3).any()


def test_embedding_batches_draw_both_dtypes():
    dtypes = {x.dtype for x, _ in _seen(S.embedding_batches(min_size=1), n=60)}
    assert dtypes == {np.dtype(np.float32), np.dtype(np.float64)}


@relaxed
@given(batch=S.logits(min_size=1, min_classes=3, max_classes=4, magnitude=100.0))
def test_logits_bounds(batch):
    x, y = batch
    assert x.shape[0] == len(y) and x.shape[1] in (3, 4)
    assert y.max() < x.shape[1]
    assert np.abs(x).max() <= 100.0


def test_logits_have_tied_and_saturated_rows():
    seen = [x for x, _ in _seen(S.logits(min_size=2))]
    rows = [r for x in seen for r in x]
    assert any((r == r[0]).all() for r in rows)  # every class tied
    assert any((np.abs(r) == 1e4).any() for r in rows)  # saturated softmax


@relaxed
@given(batch=S.cosine_matrices(min_size=1, dtype=None))
def test_cosine_matrices_bounds(batch):
    x, y = batch
    assert np.all(x >= -1) and np.all(x <= 1)
    assert y.max() < x.shape[1]


def test_cosine_matrices_hit_the_ends_exactly():
    values = np.concatenate([x.ravel() for x, _ in _seen(S.cosine_matrices())])
    assert {-1.0, 0.0, 1.0} <= set(values.tolist())


@relaxed
@given(batch=S.distance_matrices(), margin=S.margins)
def test_distance_matrices(batch, margin):
    d, y = batch
    assert d.shape == (len(y), len(y))
    assert np.all(d >= 0) and np.all(np.diag(d) == 0)
    assert margin in (0.0, 0.25, 0.5, 1.0)


@relaxed
@given(st.data())
def test_documented_example_runs(data):
    x, y = data.draw(S.embedding_batches(min_size=1, max_size=3))
    assert x.shape[0] == y.shape[0] <= 3
