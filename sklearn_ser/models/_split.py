"""A validation split that holds out whole speakers, for early stopping that tells
how well training generalises to voices it has not heard."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, validate_parameter_constraints
from skorch.dataset import Dataset

from ._segments import SegmentDataset, segment_utterances

__all__ = ["SpeakerSplit", "SpeakerValidationMixin"]

_ROUTING = (
    "pass fit(X, y, speaker=...) (one label per utterance); in a Pipeline, "
    "cross_validate or evaluate enable metadata routing: "
    "sklearn.set_config(enable_metadata_routing=True)"
)


class SpeakerSplit(BaseEstimator):
    """Hold out whole speakers as the validation set of a classifier's training.

    Give it as ``train_split`` of a classifier of :mod:`sklearn_ser.models`; its
    ``fit`` then needs ``speaker=`` (routed by scikit-learn's metadata routing in a
    pipeline or a cross-validation). A ``fraction`` of the training speakers
    (at least one, drawn with the classifier's ``random_state``) is held out with
    all their utterances; their segments give ``valid_loss`` every epoch, which
    ``early_stopping=<patience>`` monitors (``validation_fraction`` is then unused).
    A validation split over utterances, the default, keeps every speaker on both
    sides and so measures how well the network knows the training voices; this
    one measures what a speaker-independent test measures.

    Parameters
    ----------
    fraction : float, default=0.2
        Share of the training speakers held out, in (0, 1); rounded, at least one
        speaker, at most all but one.

    See Also
    --------
    sklearn_ser.features.SpeakerNormalizer : the other step that reads ``speaker``.

    Examples
    --------
    >>> import numpy as np
    >>> import sklearn
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_ser.features import FeatureNormalizer
    >>> from sklearn_ser.models import CNNLSTMClassifier, SpeakerSplit
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(24, 1, 8, 40)).astype(np.float32)
    >>> y = np.tile(["anger", "calm"], 12)
    >>> speaker = np.repeat(["a", "b", "c", "d"], 6)
    >>> clf = CNNLSTMClassifier(loss="ce", segment_frames=20, max_epochs=3,
    ...                         early_stopping=2, random_state=0,
    ...                         train_split=SpeakerSplit(fraction=0.25))
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     pipe = make_pipeline(FeatureNormalizer(), clf).fit(X, y, speaker=speaker)
    >>> "valid_loss" in clf.history_[-1]
    True
    """

    _parameter_constraints: dict = {
        "fraction": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(self, *, fraction: float = 0.2):
        self.fraction = fraction

    def split(self, speaker, rng: np.random.Generator, *, name: str):
        """``(train, valid)`` utterance indices: all utterances of the held-out
        speakers in ``valid``."""
        validate_parameter_constraints(
            self._parameter_constraints, {"fraction": self.fraction},
            caller_name=type(self).__name__,
        )
        speakers = np.unique(speaker)
        if len(speakers) < 2:
            raise ValueError(
                f"{name}: train_split=SpeakerSplit needs at least 2 speakers in the "
                f"training data, got {len(speakers)}"
            )
        n_valid = min(max(int(round(self.fraction * len(speakers))), 1),
                      len(speakers) - 1)
        held = rng.choice(speakers, size=n_valid, replace=False)
        is_valid = np.isin(speaker, held)
        return np.flatnonzero(~is_valid), np.flatnonzero(is_valid)

    def __call__(self, dataset, y=None, **fit_params):
        raise TypeError(
            "SpeakerSplit splits utterances before they are cut into segments: use it "
            "as train_split of a classifier of sklearn_ser.models (with speaker= in "
            "fit), not as skorch's own train_split"
        )


class SpeakerValidationMixin:
    """``train_split=SpeakerSplit(...)`` and ``speaker`` in ``fit`` for a
    :class:`~sklearn_ser.models.SERClassifier` (left of the skorch net)."""

    # with routing on, a pipeline hands ``speaker`` to fit; used by SpeakerSplit only
    __metadata_request__fit = {"speaker": True}

    def _training_data(self, items, y_enc, rng, speaker=None):
        split = self.train_split
        name = type(self).__name__
        if not isinstance(split, SpeakerSplit):
            return super()._training_data(items, y_enc, rng)
        if speaker is None:
            raise ValueError(
                f"{name}: train_split=SpeakerSplit holds out whole speakers but fit "
                f"got no speaker; {_ROUTING}"
            )
        speaker = np.asarray(speaker)
        if speaker.ndim != 1 or len(speaker) != len(items):
            raise ValueError(
                f"{name}: speaker has shape {speaker.shape} for {len(items)} "
                "utterances; one label per utterance is needed (after a resampler, "
                "wrap the pipeline in sklearn_ser.augment.ResampledEstimator)"
            )
        train_idx, valid_idx = split.split(speaker, rng, name=name)

        def cut(idx):
            seg, owner = segment_utterances(
                [items[i] for i in idx], length=self.segment_length_,
                hop=self.train_hop, pad_value=self.pad_value)
            return seg, y_enc[idx][owner]

        valid = Dataset(*cut(valid_idx))
        return SegmentDataset(*cut(train_idx), valid=valid)
