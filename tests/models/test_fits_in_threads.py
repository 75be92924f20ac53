"""Fits in threads of one process: torch's generator is process-wide, so the
package lets one seeded block run at a time and the models are the same as when
the fits run one after the other."""

from __future__ import annotations

import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from sklearn_ser.models import CNNLSTMClassifier
from sklearn_ser.utils._random import torch_rng


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 1, 12, 40)).astype(np.float32)
    y = np.repeat(["anger", "neutral", "sadness"], 8)
    return X, y


def _fit(seed, X, y):
    clf = CNNLSTMClassifier(loss="ce", max_epochs=2, batch_size=8, n_jobs=1,
                            random_state=seed,
                            module__lstm_hidden=8, module__conv_channels=(4, 4, 4))
    return clf.fit(X, y).predict_proba(X)


@pytest.mark.filterwarnings("ignore:.*random generator is shared")
def test_fits_in_threads_equal_fits_one_after_the_other(data):
    X, y = data
    seeds = [0, 1, 2, 3]
    alone = [_fit(s, X, y) for s in seeds]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda s: _fit(s, X, y), seeds))
    for a, b in zip(alone, together, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(alone[0], alone[1])  # the seeds do differ


def test_a_fit_that_waits_for_another_thread_says_so(data):
    X, y = data
    caught = []

    def fit_in_thread():
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            _fit(0, X, y)
        caught.extend(w)

    with torch_rng():  # another thread's block is running
        worker = threading.Thread(target=fit_in_thread)
        worker.start()
        worker.join(timeout=0.5)
        assert worker.is_alive()  # waiting for the block to end
    worker.join()
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert any("random generator is shared" in m and "loky" in m for m in messages)


def test_torch_rng_seeds_and_restores_the_generator():
    import torch

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    with torch_rng(7):
        first = torch.rand(3)
    with torch_rng(7):
        assert torch.equal(torch.rand(3), first)
    assert torch.equal(torch.rand(3), expected)  # as if the blocks never drew
