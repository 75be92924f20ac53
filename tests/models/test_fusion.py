"""Fusion and ensembles as ordinary scikit-learn compositions: deep embeddings beside
functionals (FeatureUnion / ColumnTransformer), sklearn's voting and stacking on
ragged-input pipelines, SeedEnsembleClassifier and SoftVotingClassifier with the
speaker routed at fit and predict time. Tiny nets, one epoch."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_validate
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import StandardScaler

from sklearn_ser.features import MFCC, FrameStatistics, SpeakerNormalizer
from sklearn_ser.metrics import routed_scorer
from sklearn_ser.models import (
    ResNetEmbeddingClassifier,
    RoutedStackingClassifier,
    SeedEnsembleClassifier,
    SoftVotingClassifier,
)

EMB = 16


def tiny_net(**kwargs):
    params = dict(
        max_epochs=1,
        early_stopping=None,
        random_state=0,
        module__channels=8,
        module__n_blocks=1,
        module__embedding_dim=EMB,
        optimizer__lr=0.01,
    )
    params.update(kwargs)
    return ResNetEmbeddingClassifier(**params)


def deep(**kwargs):
    return make_pipeline(
        MFCC(n_mfcc=13, deltas=2, stack="features"), tiny_net(**kwargs)
    )


def functionals(*, normalise=False):
    steps = [MFCC(n_mfcc=13), FrameStatistics(stats=("mean", "std"))]
    steps.append(SpeakerNormalizer(min_samples=2) if normalise else StandardScaler())
    return make_pipeline(*steps, LogisticRegression(max_iter=500))


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


# ------------------------------------------------ (a) embeddings + functionals
def test_feature_union_of_two_audio_pipelines_concatenates_embeddings(tiny_corpus):
    X, y = tiny_corpus.X, tiny_corpus.y
    union = make_union(
        make_pipeline(MFCC(n_mfcc=13), FrameStatistics(stats=("mean", "std"))), deep()
    )
    pipe = make_pipeline(union, StandardScaler(), LogisticRegression(max_iter=500))
    pipe.fit(X, y)  # the net is fitted with y inside the union
    assert pipe[0].transform(X).shape == (len(X), 26 + EMB)
    assert set(pipe.predict(X)) <= set(y)


def test_feature_union_routes_speaker_to_a_normalised_branch(tiny_corpus, routing):
    X, y, s = tiny_corpus.X, tiny_corpus.y, tiny_corpus.speaker
    union = make_union(
        make_pipeline(
            MFCC(n_mfcc=13),
            FrameStatistics(stats=("mean",)),
            SpeakerNormalizer(min_samples=2),
        ),
        deep(),
    )
    pipe = make_pipeline(union, LogisticRegression(max_iter=500)).fit(X, y, speaker=s)
    assert pipe.predict(X, speaker=s).shape == (len(X),)


def test_column_transformer_with_a_ragged_column_beside_table_columns(tiny_corpus):
    pd = pytest.importorskip("pandas", reason="pandas is not a dependency")
    X, y = tiny_corpus.X, tiny_corpus.y
    table = make_pipeline(
        MFCC(n_mfcc=13), FrameStatistics(stats=("mean",))
    ).fit_transform(X)
    df = pd.DataFrame(table, columns=[f"f{i}" for i in range(table.shape[1])])
    df["mfcc"] = list(MFCC(n_mfcc=13, deltas=2, stack="features").fit_transform(X))
    ct = ColumnTransformer(
        [
            ("deep", tiny_net(), "mfcc"),
            ("func", StandardScaler(), list(df.columns[:-1])),
        ]
    )
    pipe = make_pipeline(ct, LogisticRegression(max_iter=500)).fit(df, y)
    assert ct.transform(df).shape == (len(X), EMB + 13)
    assert pipe.predict(df).shape == (len(X),)


# ------------------------------------------ (b) sklearn's voting and stacking
def test_sklearn_voting_and_stacking_take_ragged_input_pipelines(tiny_corpus):
    X, y = tiny_corpus.X, tiny_corpus.y
    vote = VotingClassifier([("deep", deep()), ("func", functionals())], voting="soft")
    stack = StackingClassifier(
        [("deep", deep()), ("func", functionals())],
        final_estimator=LogisticRegression(),
        cv=2,
    )
    for ens in (vote, stack):
        ens.fit(X, y)
        proba = ens.predict_proba(X)
        assert proba.shape == (len(X), 4)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


def test_sklearn_voting_cannot_route_speaker_at_predict_soft_voting_can(
    tiny_corpus, routing
):
    X, y, s = tiny_corpus.X, tiny_corpus.y, tiny_corpus.speaker
    members = [("deep", deep()), ("func", functionals(normalise=True))]
    vote = VotingClassifier(members, voting="soft").fit(X, y, speaker=s)
    with pytest.raises(ValueError, match="speaker is required"):
        vote.predict(X)  # VotingClassifier.predict takes no metadata
    ours = SoftVotingClassifier(members).fit(X, y, speaker=s)
    proba = ours.predict_proba(X, speaker=s)
    expected = np.mean(
        [
            m.predict_proba(X, **({"speaker": s} if n == "func" else {}))
            for n, m in ours.named_estimators_.items()
        ],
        axis=0,
    )
    np.testing.assert_allclose(proba, expected, rtol=1e-6)
    assert ours.score(X, y, speaker=s) == np.mean(ours.predict(X, speaker=s) == y)
    cv = cross_validate(
        SoftVotingClassifier(members),
        X,
        y,
        cv=GroupKFold(2),
        params={"groups": s, "speaker": s},
        scoring={"UA": routed_scorer("balanced_accuracy")},
    )
    assert np.all(np.isfinite(cv["test_UA"]))


def test_soft_voting_weights_params_and_clone(tiny_corpus):
    X, y = tiny_corpus.X, tiny_corpus.y
    vote = SoftVotingClassifier(
        [("a", functionals()), ("b", deep())], weights=[1.0, 0.0]
    ).fit(X, y)
    np.testing.assert_allclose(
        vote.predict_proba(X), vote.named_estimators_["a"].predict_proba(X), rtol=1e-6
    )
    vote.set_params(a__logisticregression__C=0.5)
    assert vote.get_params()["a__logisticregression__C"] == 0.5
    assert clone(vote).get_params()["a__logisticregression__C"] == 0.5
    assert not hasattr(vote, "transform")  # the functional pipeline has none
    with pytest.raises(ValueError, match="predict_proba"):
        SoftVotingClassifier([("x", StandardScaler())]).fit(
            np.ones((4, 2)), [0, 1, 0, 1]
        )
    with pytest.raises(ValueError, match="weights has 1 values"):
        SoftVotingClassifier(
            [("a", LogisticRegression()), ("b", LogisticRegression())], weights=[1.0]
        ).fit(np.eye(4), [0, 1, 0, 1])


def test_without_routing_metadata_gives_a_hint(tiny_corpus):
    X, y, s = tiny_corpus.X, tiny_corpus.y, tiny_corpus.speaker
    with pytest.raises(ValueError, match=r"enable_metadata_routing=True"):
        SoftVotingClassifier([("a", functionals())]).fit(X, y, speaker=s)


# ------------------------------------------------------------ seed ensembles
def test_seed_ensemble_clones_with_each_seed_and_averages(tiny_corpus):
    X, y = tiny_corpus.X, tiny_corpus.y
    ens = SeedEnsembleClassifier(deep(), seeds=(0, 1, 2)).fit(X, y)
    assert ens.seed_params_ == ["resnetembeddingclassifier__random_state"]
    assert [m[-1].random_state for m in ens.estimators_] == [0, 1, 2]
    probas = [m.predict_proba(X) for m in ens.estimators_]
    assert not np.allclose(probas[0], probas[1])  # the seeds differ
    np.testing.assert_allclose(ens.predict_proba(X), np.mean(probas, axis=0), rtol=1e-6)
    # embeddings side by side (not averaged: the seeds' spaces are not aligned)
    assert ens.transform(X).shape == (len(X), 3 * EMB)
    # deterministic: the same seeds give the same ensemble
    again = SeedEnsembleClassifier(deep(), seeds=(0, 1, 2)).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), ens.predict_proba(X))
    restored = pickle.loads(pickle.dumps(ens))
    np.testing.assert_array_equal(restored.predict_proba(X), ens.predict_proba(X))


def test_seed_ensemble_as_a_voting_member_and_with_speaker_routing(
    tiny_corpus, routing
):
    X, y, s = tiny_corpus.X, tiny_corpus.y, tiny_corpus.speaker
    vote = SoftVotingClassifier(
        [
            ("deep", SeedEnsembleClassifier(deep(), seeds=(0, 1))),
            (
                "func",
                SeedEnsembleClassifier(
                    make_pipeline(
                        MFCC(n_mfcc=13),
                        FrameStatistics(stats=("mean",)),
                        SpeakerNormalizer(min_samples=2),
                        LogisticRegression(max_iter=300),
                    ),
                    seeds=(0, 1),
                    seed_params="logisticregression__random_state",
                ),
            ),
        ]
    )
    vote.fit(X, y, speaker=s)
    assert vote.predict(X, speaker=s).shape == (len(X),)


def test_seed_ensemble_bad_parameters():
    X, y = np.eye(4), [0, 1, 0, 1]
    with pytest.raises(ValueError, match="no random_state parameter"):
        SeedEnsembleClassifier(make_pipeline(StandardScaler(), _NoSeed())).fit(X, y)
    with pytest.raises(ValueError, match="not parameters"):
        SeedEnsembleClassifier(LogisticRegression(), seed_params="seed").fit(X, y)
    with pytest.raises(ValueError, match="seeds must be"):
        SeedEnsembleClassifier(LogisticRegression(), seeds=()).fit(X, y)


class _NoSeed(LogisticRegression):
    """A classifier without a random_state parameter."""

    def __init__(self, *, C=1.0):
        super().__init__(C=C)

    def get_params(self, deep=True):
        return {"C": self.C}


# ------------------------------------------------------------------ stacking
class _SpeakerSpy(ClassifierMixin, BaseEstimator):
    """Logs the speakers it was fitted on and those it predicts for."""

    __metadata_request__fit = {"speaker": True}
    __metadata_request__predict_proba = {"speaker": True}
    log: list = []

    def fit(self, X, y, speaker=None):
        self.classes_ = np.unique(y)
        self.fit_speakers_ = set(np.asarray(speaker).tolist())
        return self

    def predict_proba(self, X, speaker=None):
        type(self).log.append((self.fit_speakers_, set(np.asarray(speaker).tolist())))
        return np.full((len(X), len(self.classes_)), 1.0 / len(self.classes_))


def test_stacking_held_out_folds_are_speaker_disjoint(routing):
    _SpeakerSpy.log = []
    X = np.zeros((24, 2))
    y = np.tile([0, 1], 12)
    s = np.repeat(["a", "b", "c", "d"], 6)
    stack = RoutedStackingClassifier([("spy", _SpeakerSpy())], cv=4)
    stack.fit(X, y, groups=s, speaker=s)
    held_out = _SpeakerSpy.log[:4]
    assert [len(p) for _, p in held_out] == [1, 1, 1, 1]
    assert all(not (f & p) for f, p in held_out)
    stack.predict(X, speaker=s)
    assert _SpeakerSpy.log[-1] == (set("abcd"), set("abcd"))


def test_stacking_with_speaker_normalised_members_where_sklearns_fails(
    tiny_corpus, routing
):
    X, y, s = tiny_corpus.X, tiny_corpus.y, tiny_corpus.speaker
    members = [("deep", deep()), ("func", functionals(normalise=True))]
    with pytest.raises(ValueError, match="speaker is required"):
        StackingClassifier(members, cv=2).fit(X, y, speaker=s)
    stack = RoutedStackingClassifier(members, cv=2).fit(X, y, groups=s, speaker=s)
    Z = stack.transform(X, speaker=s)
    assert Z.shape == (len(X), 2 * 4)
    np.testing.assert_allclose(
        stack.predict_proba(X, speaker=s), stack.final_estimator_.predict_proba(Z)
    )
    cv = cross_validate(
        RoutedStackingClassifier(members, cv=2),
        X,
        y,
        cv=GroupKFold(2),
        params={"groups": s, "speaker": s},
    )
    assert np.all(np.isfinite(cv["test_score"]))


@pytest.mark.parametrize(
    "est",
    [
        SeedEnsembleClassifier(LogisticRegression()),
        SoftVotingClassifier([("a", LogisticRegression())]),
        RoutedStackingClassifier([("a", LogisticRegression())]),
    ],
    ids=lambda e: type(e).__name__,
)
def test_data_free_api_checks_and_documented_parameters(est):
    from numpydoc.docscrape import ClassDoc
    from sklearn.utils.estimator_checks import (
        check_estimator_cloneable,
        check_estimator_repr,
        check_get_params_invariance,
        check_mixin_order,
        check_no_attributes_set_in_init,
        check_set_params,
    )

    name = type(est).__name__
    for check in (
        check_estimator_cloneable,
        check_estimator_repr,
        check_get_params_invariance,
        check_mixin_order,
        check_no_attributes_set_in_init,
        check_set_params,
    ):
        check(name, est)
    documented = {p.name for p in ClassDoc(type(est))["Parameters"]}
    assert set(est.get_params(deep=False)) == documented
