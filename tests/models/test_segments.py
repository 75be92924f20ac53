import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.models._sampling import MPerClassBatchSampler
from sklearn_ser.models._segments import pool_segments, segment_starts, segment_utterances


@settings(max_examples=60, deadline=None)
@given(
    n_frames=st.integers(1, 700),
    length=st.integers(1, 250),
    hop=st.integers(1, 150),
)
def test_segments_cover_every_frame_and_stay_inside(n_frames, length, hop):
    starts = segment_starts(n_frames, length=length, hop=hop)
    covered = np.zeros(max(n_frames, length), dtype=bool)
    for s in starts:
        assert 0 <= s
        assert s + length <= max(n_frames, length)
        covered[s : s + length] = True
    if hop <= length:  # a hop longer than the segment skips frames on purpose
        assert covered[:n_frames].all()
    assert covered[n_frames - 1] or n_frames <= length
    assert np.all(np.diff(starts) > 0)
    assert np.all(np.diff(starts) <= hop)


def test_segment_content_matches_source_and_short_utterances_are_padded():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2, 3, 450)).astype(np.float32)
    b = rng.normal(size=(2, 3, 50)).astype(np.float32)
    seg, owner = segment_utterances([a, b], length=200, hop=100, pad_value=-1.0)
    assert seg.shape == (5, 2, 3, 200)
    assert owner.tolist() == [0, 0, 0, 0, 1]
    np.testing.assert_array_equal(seg[1], a[..., 100:300])
    np.testing.assert_array_equal(seg[3], a[..., 250:450])  # aligned to the end
    np.testing.assert_array_equal(seg[4, ..., :50], b)
    assert np.all(seg[4, ..., 50:] == -1.0)


def test_whole_utterances_when_length_is_none():
    items = [np.ones((1, 2, 30)), np.ones((1, 2, 70))]
    seg, owner = segment_utterances(items, length=None, hop=1)
    assert seg.shape == (2, 1, 2, 70)
    assert owner.tolist() == [0, 1]
    assert seg[0, ..., 30:].sum() == 0


def test_pool_mean_and_max():
    values = np.array([[0.2, 0.8], [0.6, 0.4], [1.0, 0.0]])
    owner = np.array([0, 0, 1])
    np.testing.assert_allclose(pool_segments(values, owner, 2), [[0.4, 0.6], [1, 0]])
    np.testing.assert_allclose(
        pool_segments(values, owner, 2, how="max"), [[0.6, 0.8], [1, 0]]
    )
    with pytest.raises(ValueError, match="how must be"):
        pool_segments(values, owner, 2, how="median")


@settings(max_examples=30, deadline=None)
@given(
    n_classes=st.integers(2, 7),
    m=st.integers(2, 8),
    batch_size=st.integers(4, 64),
    seed=st.integers(0, 1000),
)
def test_m_per_class_batches(n_classes, m, batch_size, seed):
    labels = np.repeat(np.arange(n_classes), [3 + 5 * c for c in range(n_classes)])
    sampler = MPerClassBatchSampler(labels, m=m, batch_size=batch_size, seed=seed)
    batches = list(sampler)
    assert len(batches) == len(sampler)
    for batch in batches:
        classes, counts = np.unique(labels[batch], return_counts=True)
        assert np.all(counts == m)  # every anchor has m - 1 positives
        assert len(classes) >= 2  # and at least one negative class
    # an epoch sees about as many samples as there are (fewer classes than
    # batch_size // m make smaller batches, and so more of them)
    seen = sum(len(b) for b in batches)
    assert len(labels) <= seen < len(labels) + len(batches[0])
    again = list(MPerClassBatchSampler(labels, m=m, batch_size=batch_size, seed=seed))
    assert batches == again
