"""The papers' recipes: building, a short fit of each, their search spaces, errors."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import ParameterGrid
from sklearn.utils.validation import check_is_fitted

from sklearn_ser import recipes
from sklearn_ser.augment import SpecAugmentResampler, VTLPResampler
from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.features import MFCC, FeatureNormalizer, LogMelSpectrogram
from sklearn_ser.models import (
    AttentionBLSTMClassifier,
    CascadedAttentionClassifier,
    CNNLSTMClassifier,
    CosineEmbeddingClassifier,
    HierarchicalConfusionClassifier,
    SERClassifier,
    TFCNNClassifier,
)

NAMES = ("liu2021", "zhou", "kumar", "li2021", "liu2023")

# Parameters that shrink training only: one or two epochs, the papers' networks.
# li2021's 256 frequency bins are cut to 32 (the TF-CNN is the costliest module).
SHORT = {
    "liu2021": {"clf__max_epochs": 2},
    "zhou": {"clf__max_epochs": 1},
    "kumar": {"clf__pretrain_epochs": 1, "clf__finetune_epochs": 1},
    "li2021": {
        "features__n_features": 32,
        "clf__coarse__max_epochs": 1,
        "clf__fine__max_epochs": 1,
    },
    "liu2023": {"clf__max_epochs": 2},
}


@pytest.fixture(scope="module")
def corpus():
    """12 short synthetic utterances, 3 classes made unbalanced (4, 4, 2)."""
    data = make_emotional_speech(
        n_per_class=4,
        classes=("anger", "neutral", "sadness"),
        n_speakers=2,
        duration=(0.6, 1.0),
        random_state=0,
    )
    X, y = np.asarray(data.X, dtype=object), np.asarray(data.y)
    keep = np.ones(len(y), dtype=bool)
    keep[np.flatnonzero(y == "sadness")[:2]] = False
    return X[keep], y[keep]


@pytest.fixture(scope="module")
def fitted(corpus):
    """``fitted(name)``: the recipe fitted once on ``corpus`` (random_state=0)."""
    cache: dict[str, Pipeline] = {}

    def get(name: str) -> Pipeline:
        if name not in cache:
            X, y = corpus
            cache[name] = recipes.make_recipe(name, random_state=0, **SHORT[name]).fit(
                X, y
            )
        return cache[name]

    return get


def _as_list(grid):
    return grid if isinstance(grid, list) else [grid]


def _networks(pipe: Pipeline) -> list[SERClassifier]:
    clf = pipe.steps[-1][1]
    return [clf] if isinstance(clf, SERClassifier) else [clf.coarse, clf.fine]


def _build_networks(pipe: Pipeline) -> list[SERClassifier]:
    """Initialise a clone of every network: module__* and criterion__* must be
    arguments of the torch classes (skorch only checks them here)."""
    built = []
    for network in _networks(pipe):
        network = clone(network)
        network._check_params()
        built.append(network.initialize())
    return built


# ---------------------------------------------------------------------- building
def test_recipes_names_the_five_papers():
    assert tuple(recipes.RECIPES) == NAMES
    for name in NAMES:
        assert callable(getattr(recipes, name))
        assert name in recipes.__all__
    assert "param_grid" in recipes.__all__


@pytest.mark.parametrize("name", NAMES)
def test_recipe_builds_a_cloneable_pipeline(name):
    pipe = recipes.make_recipe(name)
    assert isinstance(pipe, Pipeline)
    names = [step for step, _ in pipe.steps]
    assert {"features", "normalize", "augment"} <= set(names)
    assert names[-1] == "clf"
    # GridSearchCV clones: every parameter must survive clone unchanged.
    params, cloned = pipe.get_params(deep=False), clone(pipe).get_params(deep=False)
    assert [s for s, _ in cloned["steps"]] == [s for s, _ in params["steps"]]
    assert all(net.initialized_ for net in _build_networks(pipe))


@pytest.mark.parametrize("name", NAMES)
def test_random_state_reaches_every_random_step(name):
    pipe = recipes.make_recipe(name, random_state=123)
    seeds = {k: v for k, v in pipe.get_params().items() if k.endswith("random_state")}
    assert seeds and set(seeds.values()) == {123}, seeds
    for network in _networks(pipe):
        assert network.random_state == 123
    for _, step in pipe.steps:
        if isinstance(step, (SpecAugmentResampler, VTLPResampler)):
            assert step.random_state == 123


# The papers' values (section in the recipe's docstring); classes by step.
PAPER_SETTINGS = {
    "liu2021": {
        "features": MFCC, "augment": SpecAugmentResampler, "clf": CNNLSTMClassifier,
        "features__win_ms": 40.0, "features__hop_ms": 10.0,
        "clf__criterion__alpha": 0.3, "clf__criterion__mining": "hard+semihard",
        "clf__optimizer__lr": 1e-4, "clf__optimizer__weight_decay": 1e-6,
        "clf__batch_size": 32, "clf__segment_frames": 200, "clf__train_hop": 100,
        "clf__test_hop": 40,
    },
    "zhou": {
        "features": LogMelSpectrogram, "clf": AttentionBLSTMClassifier,
        "features__n_mels": 40, "features__win_ms": 25.0, "features__max_frames": 750,
        "clf__loss": "ams", "clf__early_stopping": 10, "clf__max_epochs": 100,
        "clf__optimizer__lr": 1e-4,
    },
    "kumar": {
        "features": MFCC, "clf": CosineEmbeddingClassifier,
        "features__n_mfcc": 13, "features__deltas": 2, "features__stack": "features",
        "features__trim_silence": True, "clf__segment_frames": 10,
        "clf__early_stopping": 15, "clf__early_stopping_threshold": 5e-4,
        "clf__lr_schedule": "linear", "clf__optimizer__lr": 0.05,
        "clf__batch_size": 900,
    },
    "li2021": {
        "augment": VTLPResampler, "clf": HierarchicalConfusionClassifier,
        "clf__coarse": TFCNNClassifier, "augment__alpha_range": (0.9, 1.1),
        "clf__confusable": "hash", "clf__coarse__optimizer__lr": 1e-3,
        "clf__coarse__batch_size": 50, "clf__fine__optimizer__lr": 1e-3,
        "clf__fine__batch_size": 50, "clf__fine__module__hidden_size": 256,
        "clf__fine__module__num_layers": 2,
    },
    "liu2023": {
        "features": MFCC, "normalize": FeatureNormalizer,
        "clf": CascadedAttentionClassifier, "features__deltas": 2,
        "features__stack": "channels", "augment": "passthrough",
        "clf__criterion__alpha": 0.3, "clf__criterion__margin": 0.2,
        "clf__criterion__distance": "euclidean", "clf__criterion__mining": "hard",
        "clf__optimizer__lr": 1e-4, "clf__optimizer__weight_decay": 1e-6,
        "clf__batch_size": 32,
    },
}


@pytest.mark.parametrize("name", NAMES)
def test_recipes_carry_the_papers_settings(name):
    params = recipes.make_recipe(name).get_params()
    for key, expected in PAPER_SETTINGS[name].items():
        if isinstance(expected, type):
            assert isinstance(params[key], expected), key
        else:
            assert params[key] == expected, key


def test_li2021_augments_waveforms_before_the_features():
    pipe = recipes.li2021()
    names = [step for step, _ in pipe.steps]
    assert names.index("augment") < names.index("features")
    assert pipe.get_params()["clf__fine__module"].__name__ == "DoubleLSTM"


@pytest.mark.parametrize(
    "loss, pooling, criterion",
    [
        ("ams", "attention", {"scale": 10.0, "margin": 0.4}),
        ("focal", "attentive_stats", {"gamma": 2.0, "alpha": 2.0}),
        ("ce", "attention", {}),
    ],
)
def test_zhou_loss_and_pooling(loss, pooling, criterion):
    pipe = recipes.zhou(loss=loss, pooling=pooling)
    assert pipe.named_steps["clf"].loss == loss
    assert pipe.get_params()["clf__module__pooling"] == pooling
    built = _build_networks(pipe)[0].criterion_
    for key, value in criterion.items():  # Table 2's best settings
        assert getattr(built, key) == pytest.approx(value)


def test_overrides_are_pipeline_parameters():
    pipe = recipes.liu2021(clf__max_epochs=2, augment="passthrough")
    assert pipe.get_params()["clf__max_epochs"] == 2
    assert pipe.named_steps["augment"] == "passthrough"
    pipe = recipes.make_recipe("zhou", loss="ce", clf__batch_size=8)
    clf = pipe.named_steps["clf"]
    assert (clf.loss, clf.batch_size) == ("ce", 8)
    with pytest.raises(ValueError, match="no_such_step"):
        recipes.liu2023(no_such_step=1)


@pytest.mark.parametrize("name", NAMES)
def test_every_call_returns_new_objects(name):
    a, b = recipes.make_recipe(name), recipes.make_recipe(name)
    assert a is not b
    for (_, step_a), (_, step_b) in zip(a.steps, b.steps):
        if isinstance(step_a, BaseEstimator):
            assert step_a is not step_b
    for net_a, net_b in zip(_networks(a), _networks(b)):
        assert net_a is not net_b
    key = "clf__coarse__batch_size" if name == "li2021" else "clf__batch_size"
    size = b.get_params()[key]
    a.set_params(**{key: size + 1}, features="passthrough")
    assert b.get_params()[key] == size
    assert isinstance(b.named_steps["features"], BaseEstimator)
    _as_list(recipes.param_grid(name))[0].clear()
    assert all(_as_list(recipes.param_grid(name))), "param_grid returned shared state"


# ----------------------------------------------------------------------- fitting
@pytest.mark.parametrize("name", NAMES)
def test_recipe_fits_and_predicts_training_labels(name, corpus, fitted):
    X, y = corpus
    pipe = fitted(name)
    pred = pipe.predict(X)
    assert pred.shape == y.shape
    assert set(pred) <= set(y)
    proba = pipe.predict_proba(X)
    assert proba.shape == (len(y), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert list(pipe.classes_) == sorted(set(y))


@pytest.mark.parametrize("name", ["liu2021", "li2021"])
def test_balancing_happens_at_fit_time(name, corpus, fitted):
    """SpecAugment (liu2021) and VTLP (li2021) bring every class to the majority."""
    _, y = corpus
    sampler = fitted(name).named_steps["augment"]
    y_res = y[sampler.sample_indices_]
    counts = np.unique(y_res, return_counts=True)[1]
    majority = np.unique(y, return_counts=True)[1].max()
    assert len(y_res) > len(y) and set(counts) == {majority}


def test_li2021_merges_the_closest_pair(corpus, fitted):
    clf = fitted("li2021").named_steps["clf"]
    assert len(clf.confusable_) == 2 and set(clf.confusable_) <= set(corpus[1])
    assert clf.similarity_ is not None  # from the spectrogram hashes
    assert clf.fine_ is not None


def test_random_state_makes_fits_identical(corpus, fitted):
    X, y = corpus
    first = fitted("liu2021")
    again = recipes.liu2021(random_state=0, **SHORT["liu2021"]).fit(X, y)
    np.testing.assert_array_equal(first.predict(X), again.predict(X))
    np.testing.assert_array_equal(first.predict_proba(X), again.predict_proba(X))
    other = recipes.liu2021(random_state=1, **SHORT["liu2021"]).fit(X, y)
    assert not np.allclose(first.predict_proba(X), other.predict_proba(X))


def test_fitting_one_recipe_leaves_a_new_one_unfitted(fitted):
    fitted("liu2023")
    fresh = recipes.liu2023()
    with pytest.raises(NotFittedError):
        check_is_fitted(fresh.named_steps["clf"])


# ---------------------------------------------------------------- search spaces
GRIDS = [(name, None) for name in NAMES] + [
    ("zhou", loss) for loss in ("ams", "focal", "ce")
]


@pytest.mark.parametrize("name, loss", GRIDS, ids=[f"{n}-{l}" for n, l in GRIDS])
def test_param_grid_keys_are_parameters_of_the_recipe(name, loss):
    grid = recipes.param_grid(name, loss=loss)
    recipe = recipes.zhou(loss=loss) if loss else recipes.make_recipe(name)
    candidates = list(ParameterGrid(grid))
    assert candidates
    for sub in _as_list(grid):
        assert sub and all(isinstance(v, list) and v for v in sub.values())
        recipe_params = clone(recipe).set_params(**{k: v[0] for k, v in sub.items()})
        assert set(sub) <= set(recipe_params.get_params())
    for candidate in candidates:
        pipe = clone(recipe).set_params(**candidate)
        params = pipe.get_params()
        for key, value in candidate.items():
            assert key in params
            assert params[key] is value or params[key] == value
        _build_networks(pipe)
        if "select__channels" in candidate:
            feats = np.zeros((2, 3, 4, 5), dtype=np.float32)
            out = pipe.named_steps["select"].fit_transform(feats)
            assert out.shape == (2, len(candidate["select__channels"]), 4, 5)


def _effective(pipe, key):
    """The value the recipe actually uses for a grid key (criterion defaults too)."""
    params = pipe.get_params()
    if key in params:
        return params[key]
    assert key.startswith("clf__criterion__"), key
    built = _build_networks(pipe)[0].criterion_
    return getattr(built, key.rsplit("__", 1)[-1], None)  # None: not this loss's


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("liu2021", {}), ("zhou", {}), ("zhou", {"loss": "focal"}),
        ("zhou", {"loss": "ce"}), ("kumar", {}), ("li2021", {}), ("liu2023", {}),
    ],
)
def test_the_recipe_is_one_candidate_of_its_grid(name, kwargs):
    """The paper's chosen setting (the recipe) is in the paper's search space."""
    pipe = recipes.make_recipe(name, **kwargs)
    matches = [
        c for c in ParameterGrid(recipes.param_grid(name))
        if all(_effective(pipe, k) == pytest.approx(v) if isinstance(v, float)
               else _effective(pipe, k) == v for k, v in c.items())
    ]
    assert len(matches) == 1, matches


def test_param_grid_tables():
    liu2023 = recipes.param_grid("liu2023")
    fig3 = liu2023[0]
    assert 0.3 in fig3["clf__criterion__alpha"]
    assert 0.2 in fig3["clf__criterion__margin"]
    switches = {k for sub in liu2023[1:] for k in sub}
    assert {
        "select__channels",
        "clf__module__channel_attention",
        "clf__module__spatial_attention",
        "clf__module__self_attention",
        "clf__criterion__alpha",
    } == switches
    zhou = recipes.param_grid("zhou", loss="ams")
    assert sorted(zhou["clf__criterion__scale"]) == [10.0, 30.0]
    assert sorted(zhou["clf__criterion__margin"]) == [0.1, 0.2, 0.4]
    focal = recipes.param_grid("zhou", loss="focal")
    assert sorted(focal["clf__criterion__gamma"]) == [2.0, 5.0]
    assert sorted(focal["clf__criterion__alpha"]) == [1.0, 2.0, 4.0]
    # Table 2 of zhou has 14 systems: baseline, combined pooling, 6 AMS, 6 focal
    assert len(ParameterGrid(recipes.param_grid("zhou"))) == 14


# ------------------------------------------------------------------------ errors
@pytest.mark.parametrize("func", [recipes.make_recipe, recipes.param_grid])
def test_unknown_recipe_name_lists_the_recipes(func):
    with pytest.raises(ValueError, match="wav2vec") as info:
        func("wav2vec")
    for name in NAMES:
        assert name in str(info.value)


def test_unknown_zhou_choices_are_named():
    with pytest.raises(ValueError, match=r"loss.*'arcface'") as info:
        recipes.zhou(loss="arcface")
    assert "'ams'" in str(info.value) and "'focal'" in str(info.value)
    with pytest.raises(ValueError, match=r"pooling.*'max'"):
        recipes.zhou(pooling="max")
    with pytest.raises(ValueError, match=r"loss.*'arcface'"):
        recipes.make_recipe("zhou", loss="arcface")
    with pytest.raises(ValueError, match=r"loss.*'arcface'"):
        recipes.param_grid("zhou", loss="arcface")
    with pytest.raises(ValueError, match="liu2021"):
        recipes.param_grid("liu2021", loss="ams")


# ------------------------------------------------------- the recipes' own steps
def test_select_channels_keeps_the_chosen_channels(rng):
    select = recipes.liu2023().named_steps["select"]
    ragged = np.empty(2, dtype=object)
    ragged[0] = rng.standard_normal((3, 4, 7)).astype(np.float32)
    ragged[1] = rng.standard_normal((3, 4, 5)).astype(np.float32)
    copy = [a.copy() for a in ragged]
    out = clone(select).set_params(channels=(2, 0)).fit_transform(ragged)
    assert out.dtype == object and [a.shape for a in out] == [(2, 4, 7), (2, 4, 5)]
    np.testing.assert_array_equal(out[1][0], ragged[1][2])
    np.testing.assert_array_equal(out[1][1], ragged[1][0])
    for a, b in zip(ragged, copy):
        np.testing.assert_array_equal(a, b)  # input untouched
    dense = rng.standard_normal((2, 3, 4, 6)).astype(np.float32)
    np.testing.assert_array_equal(select.fit_transform(dense), dense)  # None: all
    for bad in [(0, 3), (1, 1), ()]:
        with pytest.raises(ValueError, match="channels"):
            clone(select).set_params(channels=bad).fit(dense)


def test_stacked_spectrograms_are_two_resized_channels(corpus):
    X, _ = corpus
    features = clone(recipes.li2021().named_steps["features"]).set_params(n_features=48)
    out = features.fit_transform(X[:3])
    spec = features.spectrogram.transform(X[:3])
    mel = features.mel.transform(X[:3])
    for i, item in enumerate(out):
        assert item.shape == (2, 48, spec[i].shape[-1]) == (2, 48, mel[i].shape[-1])
        assert item.dtype == np.float32
        # the first and last bins of the resized maps are those of the originals
        for channel, original in ((0, spec[i]), (1, mel[i])):
            np.testing.assert_allclose(
                item[channel, [0, -1]], original[0, [0, -1]], rtol=1e-5, atol=1e-4
            )
    native = clone(features).set_params(n_features=128)  # the mel's own 128 bands
    np.testing.assert_allclose(native.fit_transform(X[:1])[0][1], mel[0][0], rtol=1e-6)
    mismatched = clone(features).set_params(spectrogram__hop_ms=20.0)
    with pytest.raises(ValueError, match="frames"):
        mismatched.fit_transform(X[:1])
