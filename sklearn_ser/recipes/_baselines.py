"""Recipes that are not one paper: the field's baseline and our best for new speakers.

``egemaps_svm`` is the standard speaker-independent baseline of the affective
computing literature (eGeMAPS functionals, per-speaker standardisation, an SVM);
``speaker_independent`` is the package's best classical pipeline for speakers
never heard in training, chosen on the staged RAVDESS (actors 01-16) and EmoDB
corpora with speaker-disjoint cross-validation (``benchmarks/
bench_speaker_independent.py`` prints every step that was tried).
"""

from __future__ import annotations

from ._record import GridRow, Recipe, Setting, Step, register

__all__ = ["EGEMAPS_SVM", "SPEAKER_INDEPENDENT", "egemaps_features", "rich_features"]

_AUDIO = "audio (paths or 16 kHz waveforms); ``speaker=`` in fit and predict"

# ComParE-like functionals of every frame-level descriptor: moments, extremes,
# range and percentiles (Schuller et al.'s ComParE set uses these and more).
_STATS = ("mean", "std", "min", "max", "range", "skew", "kurtosis")
_PERCENTILES = (1.0, 25.0, 50.0, 75.0, 99.0)


def egemaps_features():
    """EGeMAPS functionals (88 columns per utterance)."""
    from sklearn_ser.features import EGeMAPS

    return EGeMAPS()


def rich_features():
    """eGeMAPS functionals beside functionals of MFCC 1-14 + deltas and log-mel bands."""
    from sklearn.pipeline import FeatureUnion, make_pipeline

    from sklearn_ser.features import MFCC, EGeMAPS, FrameStatistics, LogMelSpectrogram

    def stats():
        return FrameStatistics(stats=_STATS, percentiles=_PERCENTILES)

    return FeatureUnion(
        [
            ("egemaps", EGeMAPS()),
            (
                "mfcc",
                make_pipeline(
                    MFCC(n_mfcc=14, n_mels=40, win_ms=25.0, deltas=1), stats()
                ),
            ),
            ("logmel", make_pipeline(LogMelSpectrogram(n_mels=26, win_ms=25.0), stats())),
        ]
    )


def _mfcc_logmel():
    """The non-eGeMAPS part of :func:`rich_features` (for the benchmark's cache)."""
    union = rich_features()
    union.set_params(egemaps="drop")
    return union


def _new_svc():
    from sklearn.svm import SVC

    return SVC()


def _speed_perturbation():
    from sklearn_ser.augment import SpeedPerturbResampler

    return SpeedPerturbResampler(speeds=(0.9, 1.1), n_copies=2)


def _speaker_normalizer():
    from sklearn_ser.features import SpeakerNormalizer

    return SpeakerNormalizer()


_NORMALIZE = Step(
    "normalize",
    _speaker_normalizer,
    "each speaker's functionals standardised by that speaker's own statistics "
    "(a new speaker at predict time by its own utterances in the call)",
)
def _svc_settings(*, C: float) -> tuple:
    """The SVM's settings of both baseline recipes; only C differs."""
    return (
        Setting("clf__kernel", "rbf", "the field's usual choice"),
        Setting("clf__gamma", "scale", "1 / (n_features · Var(X))"),
        Setting(
            "clf__C",
            C,
            "picked from the grid by speaker-disjoint inner CV on the staged "
            "corpora (benchmarks/bench_speaker_independent.py)",
        ),
    )


_EXAMPLES = """
>>> import sklearn
>>> from sklearn_ser import recipes
>>> from sklearn_ser.datasets import make_emotional_speech
>>> d = make_emotional_speech(n_per_class=6, classes=("anger", "sadness"),
...                           n_speakers=2, random_state=0)
>>> pipe = recipes.make_recipe("{name}", random_state=0)
>>> with sklearn.config_context(enable_metadata_routing=True):
...     pipe = pipe.fit(d.X, d.y, speaker=d.speaker)
...     pipe.predict(d.X[:3], speaker=d.speaker[:3]).shape
(3,)
"""

EGEMAPS_SVM = register(
    Recipe(
        name="egemaps_svm",
        summary="eGeMAPS functionals, per-speaker standardisation, RBF SVM.",
        citation="Eyben et al., \"The Geneva Minimalistic Acoustic Parameter Set "
        "(GeMAPS) for Voice Research and Affective Computing\", IEEE Trans. "
        "Affective Computing 7(2), 2016: §V (speaker-independent SVM baselines "
        "on eGeMAPS functionals with per-speaker standardisation).",
        inputs=_AUDIO,
        steps=(
            Step("features", egemaps_features, "the 88 eGeMAPSv02 functionals"),
            _NORMALIZE,
            Step("clf", _new_svc, "support-vector classifier"),
        ),
        settings=_svc_settings(C=1.0),
        grid=(
            GridRow({"clf__C": [0.1, 1.0, 10.0, 100.0]}, "the usual SVM C grid"),
        ),
        seeds="nothing random: the SVC's ``random_state`` only matters with "
        "``probability=True``",
        override_example="``clf__C=10.0``",
        notes="""
        Pass ``speaker=`` (one label per utterance) to ``fit`` and ``predict``
        with ``sklearn.set_config(enable_metadata_routing=True)``; in
        cross-validation use ``params={"groups": s, "speaker": s}`` and score
        with :func:`sklearn_ser.metrics.routed_scorer`. A speaker with fewer
        than 5 utterances in a call falls back to the training statistics.
        """,
        see_also=(
            ("speaker_independent", "eGeMAPS fused with MFCC and log-mel functionals."),
        ),
        examples=_EXAMPLES.format(name="egemaps_svm"),
    )
)


SPEAKER_INDEPENDENT = register(
    Recipe(
        name="speaker_independent",
        summary="Speed perturbation, eGeMAPS + MFCC/log-mel functionals, "
        "per-speaker standardisation, RBF SVM.",
        citation="Eyben et al. 2016 (eGeMAPS, IEEE Trans. Affective Computing "
        "7(2)) and Schuller et al., \"The INTERSPEECH 2013 Computational "
        "Paralinguistics Challenge\" (ComParE: functionals of MFCC and spectral "
        "descriptors): the feature sets; the choice among them measured on the "
        "staged corpora.",
        inputs=_AUDIO,
        steps=(
            Step(
                "features",
                rich_features,
                "a FeatureUnion: the 88 eGeMAPS functionals, and mean, std, min, "
                "max, range, skewness, kurtosis and the 1/25/50/75/99th "
                "percentiles of MFCC 1-14 with deltas (25 ms windows) and of 26 "
                "log-mel bands",
            ),
            _NORMALIZE,
            Step("clf", _new_svc, "support-vector classifier"),
        ),
        settings=_svc_settings(C=10.0),
        grid=(
            GridRow(
                {"estimator__clf__C": [0.1, 1.0, 10.0, 100.0]}, "the usual SVM C grid"
            ),
        ),
        seeds="the speed perturbation (deterministic here: every utterance gets "
        "one copy at each speed)",
        override_example="``estimator__clf__C=1.0`` (the pipeline sits in a "
        ":class:`~sklearn_ser.augment.ResampledEstimator`)",
        sampler=Step(
            "augment",
            _speed_perturbation,
            "every training utterance also at speed 0.9 and 1.1 (Ko et al. 2015), "
            "copies keeping their speaker; fit time only",
        ),
        notes="""
        The recipe returns a :class:`~sklearn_ser.augment.ResampledEstimator`
        around the pipeline of the table: at fit time every training utterance
        is also used at speed 0.9 and 1.1 (tempo, F0 and formants move, which
        imitates other speakers); the copies keep their speaker, so the
        :class:`~sklearn_ser.features.SpeakerNormalizer` still sees ``speaker``
        aligned with the rows. Its parameters are ``estimator__<step>__...``.
        Pass ``speaker=`` to ``fit`` and ``predict`` as for :func:`egemaps_svm`.
        Measured on the staged corpora (speaker-disjoint folds), see the
        documentation page "Speaker independence".
        """,
        see_also=(("egemaps_svm", "the eGeMAPS baseline alone."),),
        examples=_EXAMPLES.format(name="speaker_independent"),
    )
)
