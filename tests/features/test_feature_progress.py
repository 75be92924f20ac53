"""feature_progress: every feature transformer reports its utterances, in order,
from any number of threads, and what it computes does not change."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.features import (
    MFCC,
    EGeMAPS,
    LogMelSpectrogram,
    feature_progress,
)


def _clips(lengths, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(n).astype(np.float32) for n in lengths]


@settings(max_examples=15, deadline=None)
@given(lengths=st.lists(st.integers(800, 24_000), min_size=1, max_size=12),
       n_jobs=st.sampled_from([1, 2]))
def test_reports_every_utterance_once_and_changes_nothing(lengths, n_jobs):
    X = _clips(lengths)
    est = MFCC(n_mfcc=8, n_jobs=n_jobs)
    calls, lock = [], threading.Lock()

    def record(name, done, total):
        with lock:
            calls.append((name, done, total))

    with feature_progress(record):
        got = est.transform(X)
    plain = est.transform(X)
    for a, b in zip(got, plain, strict=True):
        np.testing.assert_array_equal(a, b)
    assert calls[0] == ("MFCC", 0, len(X))
    done = [d for _, d, _ in calls]
    assert done == sorted(done) and done[-1] == len(X)
    assert {t for _, _, t in calls} == {len(X)}


def test_each_transformer_reports_under_its_name_and_outside_nothing():
    X = _clips([16_000, 8_000, 12_000])
    calls = []
    with feature_progress(lambda *a: calls.append(a)):
        LogMelSpectrogram(n_mels=16).transform(X)
        EGeMAPS().transform(X)
    names = [c[0] for c in calls]
    assert names[0] == "LogMelSpectrogram" and names[-1] == "EGeMAPS"
    n = len(calls)
    MFCC().transform(X)  # no block: no callback
    assert len(calls) == n


def test_callback_must_be_callable():
    with pytest.raises(TypeError, match="callback must be callable"):
        with feature_progress(3):
            pass
