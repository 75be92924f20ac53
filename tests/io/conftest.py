"""Fitted estimators and their model files, shared by the model-file tests."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_ser.io import save_model
from sklearn_ser.models import CNNLSTMClassifier

CLASSES = np.array(["anger", "neutral", "sadness"])


@pytest.fixture(scope="session")
def tabular():
    """Three separable classes of 4-d vectors: (X, y)."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.standard_normal((10, 4)) + 3 * k for k in range(3)])
    return X, np.repeat(CLASSES, 10)


@pytest.fixture(scope="session")
def spectra():
    """Class-dependent (n, 1, 12, 20) float32 features: (X, y)."""
    rng = np.random.default_rng(0)
    means = rng.standard_normal((3, 1, 12, 1)) * 2
    X = np.concatenate([means[k] + rng.standard_normal((4, 1, 12, 20)) for k in range(3)])
    return X.astype(np.float32), np.repeat(CLASSES, 4)


@pytest.fixture(scope="session")
def svc_pipe(tabular):
    return make_pipeline(StandardScaler(), SVC(random_state=0)).fit(*tabular)


@pytest.fixture(scope="session")
def net(spectra):
    return CNNLSTMClassifier(max_epochs=1, segment_frames=10, train_hop=10,
                             test_hop=10, random_state=0).fit(*spectra)


@pytest.fixture
def svc_file(svc_pipe, tmp_path):
    path = tmp_path / "svc.model"
    save_model(svc_pipe, path)
    return path


@pytest.fixture
def net_file(net, tmp_path):
    path = tmp_path / "net.model"
    save_model(net, path)
    return path
