"""Training a package classifier through skorch's ``AccelerateMixin`` (optional
``accelerate`` extra; docs/performance.rst, "More than one machine").

On a CPU in one process the accelerator is a no-op wrapper: the documented recipe
must train and predict exactly like the plain classifier with the same seed, and
leave an unwrapped network behind.
"""

from __future__ import annotations

import numpy as np
import pytest

accelerate = pytest.importorskip(
    "accelerate", reason="accelerate is not installed (the 'accelerate' extra)"
)

from skorch.hf import AccelerateMixin  # noqa: E402

from sklearn_ser.models import CNNLSTMClassifier  # noqa: E402
from sklearn_ser.nn import CNNLSTM  # noqa: E402


class AcceleratedCNNLSTM(AccelerateMixin, CNNLSTMClassifier):
    """The recipe of docs/performance.rst."""


def _data(n=18, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X = np.empty(n, dtype=object)
    for i in range(n):
        X[i] = rng.standard_normal((1, 20, int(rng.integers(50, 80)))).astype(
            np.float32
        )
    return X, np.arange(n) % n_classes


PARAMS = dict(max_epochs=2, segment_frames=50, train_hop=25, test_hop=25,
              batch_size=16, random_state=0, module__conv_channels=(4, 8),
              module__lstm_hidden=8)


def test_accelerated_classifier_matches_plain_fit(capsys):
    X, y = _data()
    accelerator = accelerate.Accelerator(cpu=True)
    clf = AcceleratedCNNLSTM(accelerator=accelerator, **PARAMS).fit(X, y)
    plain = CNNLSTMClassifier(**PARAMS).fit(X, y)
    # unwrap_after_train: the fitted attribute is the package's network again
    assert type(clf.module_) is CNNLSTM
    assert clf.device is None and clf.n_threads_ >= 1
    np.testing.assert_array_equal(clf.predict_proba(X), plain.predict_proba(X))
    np.testing.assert_array_equal(clf.predict(X), plain.predict(X))
    assert len(clf.history) == PARAMS["max_epochs"]


def test_accelerator_decides_mixed_precision():
    """With an accelerator the classifier's own autocast stays off (the
    accelerator's ``mixed_precision`` decides), whatever ``mixed_precision`` says."""
    clf = AcceleratedCNNLSTM(accelerator=accelerate.Accelerator(cpu=True),
                             mixed_precision=True, **PARAMS)
    assert not clf._amp()
    assert clf._device_type() == "cpu"
