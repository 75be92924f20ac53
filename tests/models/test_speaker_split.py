"""train_split=SpeakerSplit: validation (and early stopping) on held-out speakers."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from torch import nn

from sklearn_ser.features import SpeakerNormalizer
from sklearn_ser.models import CNNLSTMClassifier, SERClassifier, SpeakerSplit

N_SPEAKERS = 5


def make_speaker_features(n_per=4, classes=2, frames=8):
    """Utterance of speaker j, class k: channel 0 holds j, channel 1 holds k."""
    X, y, s = [], [], []
    for j in range(N_SPEAKERS):
        for k in range(classes):
            for _ in range(n_per):
                x = np.empty((1, 2, frames), dtype=np.float32)
                x[0, 0], x[0, 1] = j, k
                X.append(x)
                y.append(k)
                s.append(f"spk{j}")
    out = np.empty(len(X), dtype=object)
    out[:] = X
    return out, np.array(y), np.array(s)


class SpeakerRecordingNet(nn.Module):
    """Records the speaker code of every segment it sees, in training or not."""

    data_params = ("n_classes", "in_channels", "n_features")
    train_seen: list = []
    eval_seen: list = []

    def __init__(self, *, n_classes, in_channels, n_features):
        super().__init__()
        self.fc = nn.Linear(in_channels * n_features, n_classes)

    def forward(self, x):
        seen = self.train_seen if self.training else self.eval_seen
        seen.extend(x[:, 0, 0, 0].round().int().tolist())
        z = x.mean(dim=-1).flatten(1)
        return self.fc(z), z


def _net(**kwargs):
    params = dict(segment_frames=8, train_hop=8, test_hop=8, max_epochs=3,
                  batch_size=8, optimizer__lr=1e-2, random_state=0)
    return SERClassifier(SpeakerRecordingNet, **{**params, **kwargs})


def _record(clf, X, y, s):
    SpeakerRecordingNet.train_seen.clear()
    SpeakerRecordingNet.eval_seen.clear()
    clf.fit(X, y, speaker=s)
    return set(SpeakerRecordingNet.train_seen), set(SpeakerRecordingNet.eval_seen)


@pytest.mark.parametrize("fraction, n_held", [(0.2, 1), (0.4, 2), (0.01, 1),
                                              (0.99, N_SPEAKERS - 1)])
def test_validation_holds_out_whole_speakers(fraction, n_held):
    X, y, s = make_speaker_features()
    clf = _net(train_split=SpeakerSplit(fraction=fraction))
    train, valid = _record(clf, X, y, s)
    assert train.isdisjoint(valid)
    assert len(valid) == n_held and len(train) == N_SPEAKERS - n_held
    assert {"valid_loss", "train_loss"} <= set(clf.history_[-1])


def test_held_out_speakers_follow_random_state():
    X, y, s = make_speaker_features()
    picks = {frozenset(_record(_net(train_split=SpeakerSplit(fraction=0.4),
                                    random_state=r), X, y, s)[1]) for r in range(6)}
    same = {frozenset(_record(_net(train_split=SpeakerSplit(fraction=0.4)),
                              X, y, s)[1]) for _ in range(2)}
    assert len(same) == 1 and len(picks) > 1


def test_utterance_split_keeps_speakers_on_both_sides():
    # the default early-stopping split, for contrast: it does not separate speakers
    X, y, s = make_speaker_features(n_per=6)
    train, valid = _record(_net(early_stopping=5, validation_fraction=0.3), X, y, s)
    assert train & valid


def test_early_stopping_monitors_the_speaker_split():
    X, y, s = make_speaker_features()
    clf = _net(train_split=SpeakerSplit(), early_stopping=1, max_epochs=40,
               early_stopping_threshold=10.0)  # no epoch improves by 10: stop at 2
    clf.fit(X, y, speaker=s)
    assert len(clf.history_) == 2


def test_without_speaker_the_error_says_how_to_pass_it():
    X, y, _ = make_speaker_features()
    with pytest.raises(ValueError, match="no speaker.*enable_metadata_routing") as e:
        _net(train_split=SpeakerSplit()).fit(X, y)
    assert "\n" not in str(e.value)
    with pytest.raises(ValueError, match="speaker has shape"):
        _net(train_split=SpeakerSplit()).fit(X, y, speaker=np.array(["a", "b"]))
    with pytest.raises(ValueError, match="at least 2 speakers"):
        _net(train_split=SpeakerSplit()).fit(X, y, speaker=np.full(len(y), "a"))


def test_bad_fraction_is_refused():
    X, y, s = make_speaker_features()
    with pytest.raises(ValueError, match="fraction"):
        _net(train_split=SpeakerSplit(fraction=1.5)).fit(X, y, speaker=s)


def test_speaker_is_routed_through_a_pipeline_and_clones():
    X, y, s = make_speaker_features()
    pipe = make_pipeline(FunctionTransformer(),  # keeps the speaker codes
                         _net(train_split=SpeakerSplit(fraction=0.4)))
    with sklearn.config_context(enable_metadata_routing=True):
        SpeakerRecordingNet.train_seen.clear()
        SpeakerRecordingNet.eval_seen.clear()
        clone(pipe).fit(X, y, speaker=s)
    assert len(set(SpeakerRecordingNet.eval_seen)) == 2


def test_speaker_without_speaker_split_changes_nothing():
    # routed speaker (e.g. for a SpeakerNormalizer) reaches the classifier harmlessly
    X, y, s = make_speaker_features()
    with sklearn.config_context(enable_metadata_routing=True):
        a = make_pipeline(SpeakerNormalizer(), _net()).fit(X, y, speaker=s)
        pa = a.predict_proba(X, speaker=s)
    b = _net().fit(X, y)
    np.testing.assert_array_equal(a[-1].predict_proba(a[0].transform(X, speaker=s)),
                                  pa)
    np.testing.assert_array_equal(
        _net().fit(X, y, speaker=s).predict_proba(X), b.predict_proba(X))


def test_speaker_split_is_a_documented_parameter_object():
    clf = CNNLSTMClassifier(train_split=SpeakerSplit(fraction=0.3))
    assert clone(clf).train_split.fraction == 0.3
    with pytest.raises(TypeError, match="not as skorch's own train_split"):
        SpeakerSplit()(None)
