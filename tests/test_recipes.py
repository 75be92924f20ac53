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
from sklearn_ser.models import SERClassifier

# The five papers, as the registry lists them (the lead adds records later).
NAMES = ("liu2021", "zhou", "kumar", "li2021", "liu2023")

# Parameters that shrink training only: one or two epochs, the papers' networks.
# li2021's 256 frequency bins are cut to 32 (the TF-CNN is the costliest module);
# zhou's clips are padded to 2 s, not 7.5 s (its six 128/64-channel conv blocks
# run over every padded frame; the utterances here are under 1 s).
SHORT = {
    "liu2021": {"clf__max_epochs": 2},
    "zhou": {
        "clf__max_epochs": 1,
        "features__max_frames": 200,
        "clf__segment_frames": 200,
    },
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
    assert tuple(recipes.RECIPES[:5]) == NAMES
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


def _record_steps(name):
    record = recipes.get_recipe(name)
    return {step.name: step for step in record.steps}


@pytest.mark.parametrize("name", NAMES)
def test_recipes_carry_their_records_settings(name):
    """Every setting of the record is a parameter of the pipeline with its value; a
    setting marked INHERITED has the step class's own default (written only there)."""
    record = recipes.get_recipe(name)
    pipe = recipes.make_recipe(name)
    params = pipe.get_params()
    assert [step for step, _ in pipe.steps] == [s.name for s in record.steps]
    for step in record.steps:
        built = params[step.name]
        if step.build is None:
            assert built == "passthrough", step.name
        else:
            assert type(built) is type(step.build()), step.name
    for setting in record.settings:
        assert setting.param in params, setting.param
        if setting.inherited:
            step, _, rel = setting.param.partition("__")
            fresh = _record_steps(name)[step].build().get_params()
            assert params[setting.param] == fresh[rel], setting.param
        else:
            assert params[setting.param] == setting.value, setting.param
    for option in record.options:
        assert params[option.param] == option.default, option.param
    assert record.epochs and set(record.epochs) <= set(params)
    assert set(record.epochs) == {k for k in SHORT[name] if "epochs" in k}


@pytest.mark.parametrize("name", NAMES)
def test_a_default_is_written_once(name):
    """A record does not repeat a value the step's class already has as its default
    (it says INHERITED instead), except for criterion__/module__ settings, which
    get_params() shows only when they are set."""
    record = recipes.get_recipe(name)
    for setting in record.settings:
        if setting.inherited:
            continue
        step, _, rel = setting.param.partition("__")
        build = _record_steps(name)[step].build
        fresh = build().get_params()
        if rel in fresh and "criterion__" not in rel and "module__" not in rel:
            owner = type(build()).__module__
            if owner.startswith("sklearn_ser.models"):
                assert fresh[rel] != setting.value, (setting.param, "INHERITED?")


@pytest.mark.parametrize("name", NAMES)
def test_docstrings_are_made_from_the_records(name):
    record = recipes.get_recipe(name)
    doc = " ".join(getattr(recipes, name).__doc__.split())  # the tables wrap lines
    assert doc.startswith(f"{name}: {record.summary}")
    for setting in record.settings:
        assert f"``{setting.param.partition('__')[2]}=" in doc, setting.param
        assert setting.source in doc
    assert record.citation in doc
    assert f":func:`{name}`" in recipes.__doc__
    assert f"\n    {name}  " in recipes.param_grid.__doc__
    assert f'"{name}"' in recipes.make_recipe.__doc__


def _tiny_record(name="tiny"):
    from sklearn_ser.features import FrameStatistics

    return recipes.Recipe(
        name=name,
        summary="Frame statistics only.",
        citation="nobody: a test record.",
        inputs="features",
        steps=(recipes.Step("features", FrameStatistics),),
        settings=(recipes.Setting("features__stats", ("mean",), "here"),),
        grid=(recipes.GridRow({"features__stats": [("mean",), ("std",)]}, "T1"),),
    )


def test_a_registered_record_is_a_recipe_everywhere(monkeypatch):
    from sklearn_ser.recipes import _record

    monkeypatch.setattr(_record, "_REGISTRY", dict(_record._REGISTRY))
    record = recipes.register(_tiny_record())
    assert recipes.RECIPES[-1] == "tiny"
    pipe = recipes.make_recipe("tiny", random_state=3)
    assert pipe.get_params()["features__stats"] == ("mean",)
    assert recipes.param_grid("tiny") == {"features__stats": [("mean",), ("std",)]}
    assert recipes.tiny.__doc__.startswith("tiny: Frame statistics only.")
    assert record is recipes.get_recipe("tiny")
    with pytest.raises(ValueError, match="'tiny' is registered"):
        recipes.register(_tiny_record())
    with pytest.raises(ValueError, match="'clf__x' names no step"):
        recipes.register(
            recipes.Recipe(**{**vars(_tiny_record("other")),
                              "settings": (recipes.Setting("clf__x", 1),)})
        )
    with pytest.raises(TypeError, match="expected a Recipe"):
        recipes.register({"name": "dict"})


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


@pytest.mark.parametrize("name, loss", GRIDS, ids=[f"{n}-{loss}" for n, loss in GRIDS])
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
def test_the_channel_steps_are_the_public_transformers():
    """liu2023's "select" and li2021's "features" are public (a model file may hold
    them); their behaviour is tested in tests/features/test_channels.py."""
    from sklearn_ser.features import SelectChannels, StackSpectrograms

    assert type(recipes.liu2023().named_steps["select"]) is SelectChannels
    assert type(recipes.li2021().named_steps["features"]) is StackSpectrograms


def test_the_registry_imports_no_torch():
    """``sklearn-ser --help`` and the recipe names need no torch: the records build
    their estimators only when a recipe is made."""
    import subprocess
    import sys

    code = ("import sys, sklearn_ser.recipes as r; r.param_grid('kumar'); "
            "print(len(r.RECIPES), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [str(len(recipes.RECIPES)), "False"]


def test_generated_docstrings_are_valid_rst():
    """The tables made from the records render (a broken table fails the docs)."""
    import inspect
    import io

    docutils_core = pytest.importorskip("docutils.core")
    from docutils import nodes
    from docutils.parsers.rst import roles

    def literal(name, rawtext, text, lineno, inliner, options=None, content=None):
        return [nodes.literal(rawtext, text)], []

    for role in ("class", "func", "data", "mod", "meth"):
        roles.register_local_role(role, literal)
    documented = [getattr(recipes, n) for n in NAMES]
    documented += [recipes, recipes.make_recipe, recipes.param_grid]
    for obj in documented:
        text = inspect.getdoc(obj).replace("**", r"\*\*")  # numpydoc's **kwargs
        stream = io.StringIO()
        docutils_core.publish_doctree(
            text, settings_overrides={"report_level": 2, "warning_stream": stream}
        )
        assert stream.getvalue() == "", getattr(obj, "__name__", obj)


def test_a_paper_recipe_takes_a_speaker_normaliser_in_its_normalize_step(corpus):
    """As docs/user_guide/speaker_independence.rst shows: the routed speaker reaches
    the normaliser in fit and predict, past the SpecAugment resampler."""
    import sklearn

    from sklearn_ser.features import SpeakerNormalizer

    X, y = corpus
    speaker = np.array(["s1", "s2"] * (len(y) // 2))
    model = recipes.make_recipe("liu2021", random_state=0, **SHORT["liu2021"])
    model.set_params(normalize=SpeakerNormalizer())
    with sklearn.config_context(enable_metadata_routing=True):
        model.fit(X, y, speaker=speaker)
        assert set(model.named_steps["normalize"].speakers_) == {"s1", "s2"}
        assert len(model.predict(X, speaker=speaker)) == len(y)
        with pytest.raises(ValueError, match="speaker"):
            clone(model).fit(X, y)
