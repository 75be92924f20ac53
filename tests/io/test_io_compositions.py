"""Model files of compositions: FeatureUnion and ResampledEstimator (the
``speaker_independent`` recipe), their state checked like a pipeline's steps."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import config_context
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.svm import SVC

from sklearn_ser.augment import ResampledEstimator, SpeedPerturbResampler
from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.features import (
    MFCC,
    FrameStatistics,
    LogMelSpectrogram,
    SpeakerNormalizer,
)
from sklearn_ser.io import load_model, save_model


@pytest.fixture(scope="module")
def data():
    return make_emotional_speech(n_per_class=3, n_speakers=3, duration=1.0,
                                 random_state=0)


@pytest.fixture(scope="module")
def fitted(data):
    """speaker_independent's shape at a small size: a union of two feature
    pipelines, speaker normalisation, an SVM, speed perturbation around it."""
    union = FeatureUnion([
        ("mfcc", make_pipeline(MFCC(n_mfcc=8), FrameStatistics())),
        ("logmel", make_pipeline(LogMelSpectrogram(n_mels=12), FrameStatistics())),
    ])
    pipe = make_pipeline(union, SpeakerNormalizer(), SVC(C=10.0))
    est = ResampledEstimator(pipe, sampler=SpeedPerturbResampler(n_copies=2,
                                                                 random_state=0))
    with config_context(enable_metadata_routing=True):
        return est.fit(data.X, data.y, speaker=data.speaker)


def test_speaker_independent_shape_round_trips(fitted, data, tmp_path):
    path = tmp_path / "m.sser"
    save_model(fitted, path)
    loaded = load_model(path)
    with config_context(enable_metadata_routing=True):
        expected = fitted.decision_function(data.X, speaker=data.speaker)
        got = loaded.decision_function(data.X, speaker=data.speaker)
    np.testing.assert_array_equal(got, expected)


def test_recipe_speaker_independent_is_storable():
    from sklearn_ser.cli._model import check_storable
    from sklearn_ser.recipes import make_recipe

    check_storable(make_recipe("speaker_independent"), "speaker_independent")


def test_resampler_values_longer_than_its_rows_are_refused(fitted, tmp_path):
    import copy

    broken = copy.deepcopy(fitted)
    broken.sampler_.speeds_ = np.ones(10_000)
    with pytest.raises(ValueError, match="'speeds_' holds 10000 values"):
        save_model(broken, tmp_path / "m.sser")
