"""The ``ssl_probe`` record: a frozen self-supervised speech encoder and a probe.

Not one of the five papers: the recipe the literature on pretrained encoders uses
(SUPERB's frozen upstream with a light downstream model; linear probes as in the
emotion2vec paper). Its figures are those the encoders' papers report, listed in the
user guide page "Pretrained speech encoders", not results measured here.
"""

from __future__ import annotations

from ._record import GridRow, Recipe, Setting, Step, register

__all__ = ["SSL_PROBE"]


def _encoder():
    from sklearn_ser.features import SpeechEncoder

    return SpeechEncoder(model="microsoft/wavlm-base-plus")


def _scaler():
    from sklearn.preprocessing import StandardScaler

    return StandardScaler()


def _logistic():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression()


SSL_PROBE = register(
    Recipe(
        name="ssl_probe",
        summary="A frozen pretrained speech encoder (WavLM), mean-pooled layers, "
        "a logistic-regression probe.",
        citation="Yang et al., \"SUPERB: Speech processing Universal PERformance "
        'Benchmark", Interspeech 2021, §3 (frozen upstream, weighted layers, emotion '
        'task); Chen et al., "WavLM", IEEE JSTSP 2022 (the encoder).',
        inputs="audio (paths or 16 kHz waveforms)",
        steps=(
            Step(
                "features",
                _encoder,
                "the mean over frames of every hidden state of a pretrained encoder "
                "read from the local Hugging Face cache or a folder (needs "
                "``sklearn-ser[encoders]`` and the weights; nothing is downloaded)",
            ),
            Step(
                "normalize",
                _scaler,
                "standardised embeddings; ``normalize=SpeakerNormalizer()`` "
                "standardises per speaker instead (``speaker`` by metadata "
                "routing)",
            ),
            Step("augment", None, "no augmentation"),
            Step(
                "clf",
                _logistic,
                "a linear probe; the layer-weighted head is "
                "``clf=LayerWeightedClassifier()`` with ``features__pooling=\"none\"`` "
                "and ``normalize=\"passthrough\"``",
            ),
        ),
        settings=(
            Setting(
                "features__model",
                "microsoft/wavlm-base-plus",
                "WavLM Base+, the best base-size encoder of WavLM's SUPERB table for "
                "emotion; give a local folder or another hub id",
            ),
            Setting("features__layer", "all", "every layer, weighted by the probe"),
            Setting("features__memory", None, "set a folder to cache the embeddings"),
            Setting("clf__max_iter", 1000, "chosen here: enough to converge"),
            Setting(
                "clf__class_weight",
                "balanced",
                "chosen here: unbalanced corpora, UA reported",
            ),
        ),
        grid=(
            GridRow(
                {"clf__C": [0.01, 0.1, 1.0, 10.0]},
                "chosen here: the probe's regularisation",
            ),
        ),
        seeds="the probe (the encoder is frozen and deterministic)",
        override_example='``features__model="/path/to/wav2vec2-base"``, '
        '``features__memory="cache/"``',
        notes="""
        The encoder's weights are not part of the package: the recipe reads
        ``features__model`` from the local Hugging Face cache or a folder holding
        ``config.json`` and the weights, and refuses to download
        (``features__local_files_only=True``). With ``features__memory`` a folder,
        the embeddings are computed once per utterance and read back from disk by
        every later fold and candidate. The figures of the encoders' papers are in
        the user guide's "Pretrained speech encoders" page; none is measured here.
    """,
        grid_notes="""
        ssl_probe: the regularisation of its logistic-regression probe, chosen here
        (no paper's grid).
    """,
        see_also=(
            ("sklearn_ser.features.SpeechEncoder", "The encoder step."),
            ("sklearn_ser.models.LayerWeightedClassifier", "SUPERB's weighted head."),
        ),
        examples="""
        >>> from sklearn_ser import recipes
        >>> pipe = recipes.ssl_probe(features__model="/path/to/wavlm-base-plus")
        >>> [name for name, _ in pipe.steps]
        ['features', 'normalize', 'augment', 'clf']
        >>> pipe.get_params()["features__pooling"]
        'mean'
    """,
    )
)
