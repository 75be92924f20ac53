"""Fitted-state checks of sklearn_ser's estimators, and the lookup of a class's check."""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from sklearn_ser.utils._random import torch_rng

from ._state import _MISSING, CONTAINERS, SCHEMAS, State, StateError

# Largest segment a network may be built for (frames); the module sizes that
# follow from it are bounded again in ._nets.
MAX_SEGMENT_FRAMES = 100_000


def _shape_record(s: State) -> None:
    """Stateless transformers that record the input shape seen in ``fit``."""
    s.int("n_channels_in_", lo=1, optional=True)
    s.int("n_features_in_", lo=1, optional=True)


def _normalizer(s: State) -> None:
    c = s.int("n_channels_in_", lo=1)
    f = s.int("n_features_in_", lo=1)
    if s.est.scope == "global":
        s.array("mean_", shape=(c, f))
        s.array("scale_", shape=(c, f))
        s.int("n_frames_seen_", lo=1)


def _speaker_normalizer(s: State) -> None:
    """SpeakerNormalizer: the training statistics (its fallback) and the speakers."""
    table = s.flag("table_")
    f = s.int("n_features_in_", lo=1)
    shape = (f,) if table else (s.int("n_channels_in_", lo=1), f)
    s.array("mean_", shape=shape)
    s.array("scale_", shape=shape)
    s.array("speakers_", kinds="iuUO", ndim=1)
    s.array("fallback_speakers_", kinds="iuUO", ndim=1)


def _resampler(s: State) -> None:
    """Resamplers act in ``fit_resample`` only; their records are checked for type."""
    s.int("n_features_in_", lo=1, optional=True)
    for name in ("sampling_strategy_", "undersampling_strategy_"):
        v = s.get(name)
        if not isinstance(v, (dict, OrderedDict)):
            raise s.fail(name, f"is {type(v).__name__}, expected a mapping")
    idx = s.array("sample_indices_", kinds="iu", ndim=1)
    # the values drawn per generated copy (VTLP's alphas_, the waveform
    # perturbations' speeds_/n_steps_/snr_db_), one per resampled row at most
    values = getattr(type(s.est), "_values_attr", "alphas_")
    v = s.array(values, ndim=1, optional=True)
    if v is not _MISSING and v.size > idx.size:
        raise s.fail(values, f"holds {v.size} values for {idx.size} resampled rows")


def _hierarchical(s: State) -> None:
    classes = s.labels("classes_", min_size=2).tolist()
    s.get("similarity_")  # a record of fit (LabelledMatrix or None), not used later
    confusable = s.get("confusable_")
    if not isinstance(confusable, tuple) or not set(confusable) <= set(classes):
        raise s.fail("confusable_", f"is {confusable!r}, expected a tuple of classes_")
    merged = s.text("merged_label_", none=True)
    s.estimator("coarse_")
    fine = s.estimator("fine_", none=True)
    if (merged is None) != (fine is None):
        raise s.fail("fine_", "must be given exactly when merged_label_ is")


def _speech_encoder(s: State) -> None:
    """A reference to a pretrained encoder and five numbers read from its config;
    the weights are reloaded from ``model`` (and checked against ``fingerprint_``)."""
    n = s.int("n_layers_", lo=1, hi=10_000)
    s.ints("layers_", lo=0)
    if any(i >= n for i in s.get("layers_")):
        raise s.fail("layers_", f"names a layer outside 0..{n - 1}")
    s.int("hidden_size_", lo=1, hi=1_000_000)
    s.int("model_sr_", lo=1, hi=1_000_000)
    s.text("fingerprint_")


def _ser_net(s: State) -> None:
    """The skorch-based classifiers (``SERClassifier`` and its subclasses)."""
    encoder = s.estimator("label_encoder_")
    k = len(encoder.classes_)
    nf = s.int("n_features_in_", lo=1)
    shape = s.ints("feature_shape_", length=2, lo=1)
    if shape[1] != nf:
        raise s.fail("feature_shape_", f"is {shape}, n_features_in_ is {nf}")
    s.int("segment_length_", lo=1, hi=MAX_SEGMENT_FRAMES)
    s.array("class_weight_", shape=(k,), none=True)
    s.int("seed_", lo=0)
    s.text("device_", optional=True)  # a record of fit; the parameter decides at load
    s.int("n_threads_", lo=1, hi=100_000, optional=True)
    inferred = s.array("classes_inferred_", kinds="iu", ndim=1, optional=True)
    if inferred is not _MISSING and (inferred.size and (
        inferred.min() < 0 or inferred.max() >= k
    )):
        raise s.fail("classes_inferred_", f"holds codes outside [0, {k})")
    if s.has("phase_") or s.has("class_embeddings_"):  # CosineEmbeddingClassifier
        s.text("phase_", options=("pretrain", "finetune"))
        emb = s.array("class_embeddings_", kinds="f", ndim=2)
        if emb.shape[0] != k:
            raise s.fail("class_embeddings_", f"has {emb.shape[0]} rows for {k} classes")
        train = s.array("training_embeddings_", kinds="f", shape=(None, emb.shape[1]))
        s.array("training_labels_", kinds="biufUO", shape=(train.shape[0],))


def _resampled_estimator(s: State) -> None:
    """ResampledEstimator: the resampler it used and the estimator fitted after it."""
    s.estimator("sampler_", fitted=False)
    s.estimator("estimator_")


_SER_SCHEMAS: dict[str, Callable[[State], None]] = {
    "sklearn_ser.features._mfcc.MFCC": _shape_record,
    "sklearn_ser.features._spectrogram.LogMelSpectrogram": _shape_record,
    "sklearn_ser.features._spectrogram.Spectrogram": _shape_record,
    "sklearn_ser.features._statistics.FrameStatistics": _shape_record,
    "sklearn_ser.features._hashing.SpectrogramHasher": _shape_record,
    "sklearn_ser.features._normalize.FeatureNormalizer": _normalizer,
    "sklearn_ser.features._speaker.SpeakerNormalizer": _speaker_normalizer,
    "sklearn_ser.features._encoder.SpeechEncoder": _speech_encoder,
    "sklearn_ser.models._hierarchical.HierarchicalConfusionClassifier": _hierarchical,
    "sklearn_ser.augment._resampled.ResampledEstimator": _resampled_estimator,
}


def schema_for(cls: type) -> Callable[[State], None] | None:
    """The fitted-state check of a class, or None: the class is not supported."""
    name = f"{cls.__module__}.{cls.__qualname__}"
    if name in SCHEMAS:
        return SCHEMAS[name]
    if name in _SER_SCHEMAS:
        return _SER_SCHEMAS[name]
    if not (cls.__module__ == "sklearn_ser" or cls.__module__.startswith("sklearn_ser.")):
        return None
    models = sys.modules.get("sklearn_ser.models")
    if models is not None and issubclass(cls, models.SERClassifier):
        return _ser_net
    augment = sys.modules.get("sklearn_ser.augment")
    if augment is not None and issubclass(cls, augment.BaseAugmentSampler):
        return _resampler
    # Any other sklearn_ser transformer (private recipe steps, new features):
    # accepted when its fitted state is no more than the input shape it records.
    return _shape_record


def supported() -> str:
    """The supported classes, for error messages."""
    names = sorted({n.rsplit(".", 1)[1] for n in (*SCHEMAS, *_SER_SCHEMAS)})
    return ", ".join(names) + ", sklearn_ser's classifiers and resamplers"


def check_state(est: Any, names: Any, init_names: Any) -> None:
    """Refuse fitted state that ``est``'s class would not have produced.

    ``names`` are the attributes read from the file (set on ``est``), besides its
    parameters; ``init_names`` those a new instance has (``SVC`` sets ``nu`` in
    ``__init__``). State without fitted attributes (names ending in ``_``) is an
    unfitted estimator, e.g. a template parameter: it may hold ``init_names`` only,
    and where a fitted estimator is needed the parent's check (or ``load_model``)
    requires one.
    """
    cls = type(est)
    schema = schema_for(cls)
    if schema is None:
        raise StateError(
            f"{cls.__name__} is not supported by model files: only estimators whose "
            f"fitted state load_model checks are ({supported()}); use pickle/joblib "
            "for others"
        )
    if isinstance(getattr(cls, "_parameter_constraints", None), dict):
        from sklearn.base import BaseEstimator
        from sklearn.utils._param_validation import InvalidParameterError

        try:
            BaseEstimator._validate_params(est)
        except InvalidParameterError as exc:
            raise StateError(str(exc).splitlines()[0]) from None
    names = set(names)
    if not any(n.endswith("_") and not n.startswith("__") for n in names) and (
        schema not in CONTAINERS
    ):
        unknown = sorted(names - set(init_names) - {"_sklearn_output_config"})
        if unknown:
            raise StateError(f"unknown attribute(s) {', '.join(map(repr, unknown))} "
                             "on an unfitted estimator")
        return
    s = State(est, names)
    _output_config(s)
    try:
        schema(s)
        s.finish()
    except StateError as exc:
        if schema is _shape_record and _name(cls) not in _SER_SCHEMAS:
            # a sklearn_ser estimator nobody described yet (its state is more than
            # an input shape): say what to do rather than "unknown attribute"
            raise StateError(
                f"{cls.__name__} is not supported by model files: its fitted state "
                "is not described in sklearn_ser/io/_state_ser.py "
                f"({exc}); use pickle/joblib for it"
            ) from None
        raise


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _output_config(s: State) -> None:
    """``set_output`` stores a small mapping of strings on any transformer."""
    v = s.get("_sklearn_output_config", optional=True)
    if v is not _MISSING and not (
        isinstance(v, dict) and all(isinstance(x, str) for x in (*v, *v.values()))
    ):
        raise s.fail("_sklearn_output_config", "is not a mapping of strings")


def smoke_test_net(net: Any) -> None:
    """Predict one silent segment with a restored network: whatever the file holds
    then fails here, as a ValueError, rather than later in the user's code."""
    c, f = net.feature_shape_
    # longer than one segment, so that the test-time hop is used too
    x = np.zeros((1, c, f, 2 * net.segment_length_ + 1), dtype=np.float32)
    try:
        with torch_rng():
            proba = np.asarray(net.predict_proba(x))
    except Exception as exc:  # noqa: BLE001  (any failure means inconsistent state)
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise StateError(
            f"the restored network cannot predict ({type(exc).__name__}: {first})"
        ) from None
    k = len(net.classes_)
    if proba.shape != (1, k) or not np.isfinite(proba).all():
        raise StateError(f"the restored network predicts {proba.shape} values for "
                         f"{k} classes")
