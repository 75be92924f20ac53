"""ResampledEstimator: the routed speaker follows the resampled rows into a pipeline
with a SpeakerNormalizer, where a sampler inside an imblearn Pipeline cannot."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_validate
from sklearn.pipeline import make_pipeline

from sklearn_ser.augment import (
    NoiseResampler,
    ResampledEstimator,
    SpeedPerturbResampler,
)
from sklearn_ser.features import MFCC, FrameStatistics, SpeakerNormalizer
from sklearn_ser.metrics import routed_scorer


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


class _Spy(ClassifierMixin, BaseEstimator):
    __metadata_request__fit = {"speaker": True}
    __metadata_request__predict = {"speaker": True}

    def fit(self, X, y, speaker=None):
        self.classes_ = np.unique(y)
        self.n_fit_, self.y_fit_, self.speaker_fit_ = len(X), np.asarray(y), speaker
        return self

    def predict(self, X, speaker=None):
        self.speaker_predict_ = speaker
        return np.full(len(X), self.classes_[0])


def normalised_pipeline():
    return make_pipeline(
        MFCC(n_mfcc=13),
        FrameStatistics(stats=("mean", "std")),
        SpeakerNormalizer(min_samples=2),
        LogisticRegression(max_iter=500),
    )


def test_speaker_is_reindexed_like_the_rows(routing):
    X = [np.full(800, i + 1.0, dtype=np.float32) for i in range(6)]
    y = np.array([0, 0, 0, 1, 1, 1])
    s = np.array(["a", "b", "c", "a", "b", "c"])
    model = ResampledEstimator(
        _Spy(), sampler=NoiseResampler(n_copies=2, random_state=0)
    )
    model.fit(X, y, speaker=s)
    idx = model.sampler_.sample_indices_
    assert model.estimator_.n_fit_ == 18
    np.testing.assert_array_equal(model.estimator_.speaker_fit_, s[idx])
    np.testing.assert_array_equal(model.estimator_.y_fit_, y[idx])
    model.predict(X, speaker=s)  # no resampling at predict time
    np.testing.assert_array_equal(model.estimator_.speaker_predict_, s)
    assert model.classes_.tolist() == [0, 1]


def test_without_routing_fit_params_are_reindexed_too():
    X = [np.ones(800, dtype=np.float32) * (i + 1) for i in range(4)]
    s = np.array(["a", "b", "a", "b"])
    model = ResampledEstimator(_Spy(), sampler=NoiseResampler(n_copies=1)).fit(
        X, [0, 0, 1, 1], speaker=s
    )
    np.testing.assert_array_equal(
        model.estimator_.speaker_fit_, s[model.sampler_.sample_indices_]
    )


def test_sampler_in_the_pipeline_fails_wrapper_works(tiny_corpus, routing):
    X, y, s = tiny_corpus.X, tiny_corpus.y, tiny_corpus.speaker
    inside = make_imb_pipeline(
        NoiseResampler(n_copies=1, random_state=0),
        *[step for _, step in normalised_pipeline().steps],
    )
    with pytest.raises(ValueError, match="ResampledEstimator"):
        inside.fit(X, y, speaker=s)
    model = ResampledEstimator(
        normalised_pipeline(), sampler=SpeedPerturbResampler(n_copies=2, random_state=0)
    )
    model.fit(X, y, speaker=s)
    assert model.predict(X, speaker=s).shape == (len(X),)
    assert model.score(X, y, speaker=s) > 0.5
    cv = cross_validate(
        clone(model),
        X,
        y,
        cv=GroupKFold(2),
        params={"groups": s, "speaker": s},
        scoring={"UA": routed_scorer("balanced_accuracy")},
    )
    assert np.all(np.isfinite(cv["test_UA"]))


def test_a_sampler_without_sample_indices_is_refused():
    class NoIndices(BaseEstimator):
        def fit_resample(self, X, y):
            return X, y

    with pytest.raises(ValueError, match="sample_indices_"):
        ResampledEstimator(LogisticRegression(), sampler=NoIndices()).fit(
            np.eye(4), [0, 1, 0, 1]
        )


def test_data_free_api_checks_and_documented_parameters():
    from numpydoc.docscrape import ClassDoc
    from sklearn.utils.estimator_checks import (
        check_estimator_cloneable,
        check_estimator_repr,
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_set_params,
    )

    est = ResampledEstimator(LogisticRegression(), sampler=NoiseResampler())
    for check in (
        check_estimator_cloneable,
        check_estimator_repr,
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_set_params,
    ):
        check("ResampledEstimator", est)
    documented = {p.name for p in ClassDoc(ResampledEstimator)["Parameters"]}
    assert set(est.get_params(deep=False)) == documented
