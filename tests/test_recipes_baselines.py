"""The two non-paper recipes: egemaps_svm and speaker_independent."""

import numpy as np
import pytest
import sklearn
import soundfile as sf
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.svm import SVC

from sklearn_ser import recipes
from sklearn_ser.augment import ResampledEstimator, SpeedPerturbResampler
from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.features import EGeMAPS, SpeakerNormalizer

NAMES = ("egemaps_svm", "speaker_independent")


@pytest.fixture(scope="module")
def corpus():
    return make_emotional_speech(
        n_per_class=6, classes=("anger", "sadness"), n_speakers=3, random_state=0
    )


@pytest.fixture(autouse=True)
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def test_registered_everywhere():
    for name in NAMES:
        assert name in recipes.RECIPES
        assert name in recipes.__all__
        assert callable(getattr(recipes, name))
    assert recipes.param_grid("egemaps_svm") == {"clf__C": [0.1, 1.0, 10.0, 100.0]}
    grid = recipes.param_grid("speaker_independent")
    assert grid == {"estimator__clf__C": [0.1, 1.0, 10.0, 100.0]}
    assert set(grid) <= set(recipes.make_recipe("speaker_independent").get_params())
    from sklearn_ser.cli._parser import _recipe_options

    help_text = _recipe_options().format_help()
    assert "egemaps_svm" in help_text and "speaker_independent" in help_text


def _pipeline(name, **kwargs):
    prefix = "estimator__" if name == "speaker_independent" else ""
    model = recipes.make_recipe(
        name, **{prefix + k: v for k, v in kwargs.items()}
    )
    return getattr(model, "estimator", model)


def test_speaker_independent_augments_by_speed_around_the_pipeline():
    model = recipes.make_recipe("speaker_independent", random_state=0)
    assert isinstance(model, ResampledEstimator)
    assert isinstance(model.sampler, SpeedPerturbResampler)
    assert model.sampler.n_copies == 2 and tuple(model.sampler.speeds) == (0.9, 1.1)
    assert model.sampler.random_state == 0
    doc = recipes.speaker_independent.__doc__
    assert "ResampledEstimator" in doc and "speed 0.9 and 1.1" in doc


def test_speaker_independent_copies_keep_their_speaker(corpus):
    d = corpus
    model = recipes.make_recipe("speaker_independent", estimator__clf__C=1.0)
    model.fit(d.X, d.y, speaker=d.speaker)
    idx = model.sampler_.sample_indices_
    assert idx.size == 3 * len(d.X)
    normalizer = model.estimator_.named_steps["normalize"]
    assert set(normalizer.speakers_) == set(d.speaker)
    assert model.estimator_.named_steps["clf"].C == 1.0


@pytest.mark.parametrize("name", NAMES)
def test_steps(name):
    pipe = _pipeline(name, clf__C=3.0)
    assert isinstance(pipe, Pipeline)
    assert [n for n, _ in pipe.steps] == ["features", "normalize", "clf"]
    assert isinstance(pipe.named_steps["normalize"], SpeakerNormalizer)
    assert isinstance(pipe.named_steps["clf"], SVC)
    assert pipe.named_steps["clf"].C == 3.0
    clone(pipe)


def test_egemaps_svm_features_are_egemaps():
    pipe = recipes.make_recipe("egemaps_svm")
    assert isinstance(pipe.named_steps["features"], EGeMAPS)
    assert pipe.named_steps["features"].level == "functionals"


def test_speaker_independent_fuses_egemaps_with_cepstral_functionals(corpus):
    union = _pipeline("speaker_independent").named_steps["features"]
    Z = union.fit_transform(corpus.X[:2])
    names = union.get_feature_names_out()
    assert Z.shape == (2, len(names)) and Z.shape[1] > 88
    assert np.isfinite(Z).all()
    assert any("F0semitone" in n for n in names)


@pytest.mark.parametrize("name", NAMES)
def test_fit_predict_waveforms_with_speaker(name, corpus):
    d = corpus
    train = d.speaker != d.speaker[-1]
    pipe = recipes.make_recipe(name).fit(
        d.X[train], d.y[train], speaker=d.speaker[train]
    )
    test = ~train
    pred = pipe.predict(d.X[test], speaker=d.speaker[test])
    assert pred.shape == (test.sum(),)
    assert set(pred) <= set(d.y)
    # the training data is learnt
    assert pipe.score(d.X[train], d.y[train], speaker=d.speaker[train]) >= 0.9


def test_new_speaker_normalised_by_its_own_utterances(corpus):
    # a speaker's predictions do not depend on other speakers in the same call
    d = corpus
    spk = np.unique(d.speaker)
    train = d.speaker == spk[0]
    pipe = recipes.make_recipe("egemaps_svm").fit(
        d.X[train], d.y[train], speaker=d.speaker[train]
    )
    b, c = d.speaker == spk[1], d.speaker == spk[2]
    alone = pipe.decision_function(d.X[b], speaker=d.speaker[b])
    both = pipe.decision_function(
        np.concatenate([d.X[b], d.X[c]]),
        speaker=np.concatenate([d.speaker[b], d.speaker[c]]),
    )
    np.testing.assert_allclose(both[: b.sum()], alone, rtol=1e-6, atol=1e-9)


def test_paths_give_the_same_predictions_as_waveforms(corpus, tmp_path):
    d = corpus
    paths = []
    for i, wave in enumerate(d.X):
        path = tmp_path / f"{i}.wav"
        sf.write(path, np.asarray(wave), 16000, subtype="FLOAT")
        paths.append(str(path))
    paths = np.asarray(paths, dtype=object)
    pipe = recipes.make_recipe("egemaps_svm")
    a = clone(pipe).fit(d.X, d.y, speaker=d.speaker).predict(d.X, speaker=d.speaker)
    b = clone(pipe).fit(paths, d.y, speaker=d.speaker).predict(
        paths, speaker=d.speaker
    )
    np.testing.assert_array_equal(a, b)


def test_predict_without_speaker_says_how(corpus):
    d = corpus
    pipe = recipes.make_recipe("egemaps_svm").fit(d.X, d.y, speaker=d.speaker)
    with pytest.raises(ValueError, match="speaker"):
        pipe.predict(d.X[:4])
