"""Fixtures of the evaluation tests: the tiny synthetic corpus as MFCC features."""

from __future__ import annotations

import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_ser.features import MFCC, FrameStatistics


@pytest.fixture(scope="session")
def corpus(tiny_corpus):
    """The tiny corpus (24 utterances, 4 classes, 4 speakers) with MFCC features."""
    features = MFCC(n_mfcc=13, deltas=1, stack="features").fit_transform(tiny_corpus.X)
    return tiny_corpus.X, features, tiny_corpus.y, tiny_corpus.speaker


def _svm(C=10.0):
    return make_pipeline(FrameStatistics(), StandardScaler(), SVC(C=C))


@pytest.fixture
def svm():
    """Builds MFCC statistics + SVM (on precomputed MFCCs): ``svm(C=10.0)``."""
    return _svm
