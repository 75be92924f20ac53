"""device="auto", mixed precision and the thread budget of the classifiers."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from sklearn_ser.models import CNNLSTMClassifier


def make_features(n_per_class=4, n_features=12, seed=0):
    """Ragged (1, F, T_i) features, a spectral template per class."""
    rng = np.random.default_rng(seed)
    templates = rng.standard_normal((4, 1, n_features, 1)) * 2.0
    X, y = [], []
    for k in range(4):
        for _ in range(n_per_class):
            t = int(rng.integers(50, 91))
            X.append((templates[k] + 0.5 * rng.standard_normal((1, n_features, t)))
                     .astype(np.float32))
            y.append(f"c{k}")
    out = np.empty(len(X), dtype=object)
    out[:] = X
    return out, np.array(y)

CUDA = pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason="needs a CUDA device (torch.cuda.is_available() is False)",
)


def small(**kwargs):
    params = dict(max_epochs=2, segment_frames=32, train_hop=16, test_hop=16,
                  optimizer__lr=1e-2, random_state=0)
    params.update(kwargs)
    return CNNLSTMClassifier(**params)


@pytest.fixture(scope="module")
def data():
    return make_features()


def test_auto_resolves_to_the_cpu_here_and_stays_auto(data):
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present; see the gpu tests")
    X, y = data
    clf = small(device="auto").fit(X, y)
    assert clf.device_ == "cpu"
    assert clf.get_params()["device"] == "auto"
    assert next(clf.module_.parameters()).device.type == "cpu"
    # same arithmetic as device="cpu"
    ref = small(device="cpu").fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), ref.predict_proba(X))


def test_auto_model_pickles_and_loads(data):
    X, y = data
    clf = small(device="auto").fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    assert again.get_params()["device"] == "auto"
    np.testing.assert_allclose(again.predict_proba(X), clf.predict_proba(X), atol=1e-6)


def test_n_jobs_sets_the_threads_of_fit_and_predict(data, monkeypatch):
    X, y = data
    seen = []
    clf = small(n_jobs=1, max_epochs=1)
    forward = clf.module  # the module class
    original = forward.forward

    def spy(self, *args, **kwargs):
        seen.append(torch.get_num_threads())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(forward, "forward", spy)
    before = torch.get_num_threads()
    clf.fit(X, y).predict(X)
    assert set(seen) == {1}
    assert torch.get_num_threads() == before


def test_n_jobs_zero_is_rejected(data):
    X, y = data
    with pytest.raises(ValueError, match="n_jobs"):
        small(n_jobs=0).fit(X, y)


class _CPUFloat16(CNNLSTMClassifier):
    """The CUDA path (float16 + gradient scaler), run on the CPU (no GPU here)."""

    _amp_device_types = ("cpu",)

    def _amp_dtype(self):
        return torch.float16


@pytest.mark.parametrize("make", [
    lambda **p: CNNLSTMClassifier(mixed_precision=True, **p),  # bfloat16
    lambda **p: _CPUFloat16(**p),  # float16 + GradScaler, as on CUDA
], ids=["bfloat16", "float16-scaler"])
def test_mixed_precision_path_trains_and_predicts(data, make):
    X, y = data
    params = dict(max_epochs=3, segment_frames=32, train_hop=16, test_hop=16,
                  optimizer__lr=1e-2, random_state=0)
    clf = make(**params).fit(X, y)
    assert clf._amp()
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert np.isfinite(clf.history[:, "train_loss"]).all()
    full = CNNLSTMClassifier(**params).fit(X, y)
    # low precision, same model: the decisions mostly agree
    assert (clf.predict(X) == full.predict(X)).mean() >= 0.75
    pickle.loads(pickle.dumps(clf)).predict(X)


@pytest.mark.gpu
@CUDA
def test_auto_picks_cuda_with_mixed_precision(data):
    X, y = data
    clf = small(device="auto").fit(X, y)
    assert clf.device_ == "cuda"
    assert next(clf.module_.parameters()).device.type == "cuda"
    assert clf._amp()
    assert clf.get_params_for("iterator_train")["pin_memory"] is True
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-4)
    cpu = small(device="cpu").fit(X, y)
    assert (clf.predict(X) == cpu.predict(X)).mean() >= 0.75


@pytest.mark.gpu
@CUDA
def test_cuda_model_loads_and_predicts_after_pickling(data):
    X, y = data
    clf = small(device="cuda").fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(again.predict_proba(X), clf.predict_proba(X), atol=1e-4)
