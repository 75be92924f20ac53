"""The five papers' records: steps, settings with their sections, grids, notes.

Each value is written once: here when the recipe sets it, or in the step's class
(:data:`INHERITED`) when the class already has it as its default (the classifiers
of :mod:`sklearn_ser.models` carry their paper's optimiser, batch and segment
settings). A new recipe is one more :class:`Recipe` passed to :func:`register`.
"""

from __future__ import annotations

import importlib
from functools import partial

from ._record import INHERITED, GridRow, Option, Recipe, Setting, Step, register

__all__ = ["KUMAR", "LI2021", "LIU2021", "LIU2023", "ZHOU"]

_AUDIO = "audio (paths or 16 kHz waveforms)"

# liu2021 Fig. 3 and liu2023 Fig. 3(a): the triplet weight α. The figures' axis
# values are not in the papers' text; the text names the best value, 0.3, and
# describes accuracy falling on both sides of it (liu2023 §4.1). α = 1 is left out:
# without its cross-entropy term the classifier layer would not be trained.
_ALPHAS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
# liu2023 Fig. 3(b): the triplet margin M; best 0.2, "as M increases from 0.3 ...
# lower WA and UA" (§4.1). The axis values are again not in the text.
_MARGINS = (0.1, 0.2, 0.3, 0.4, 0.5)


# ------------------------------------------------------------ step builders
# A step's ``build`` returns a new estimator with its class's defaults; the import
# happens in the call, so that the registry (and ``sklearn-ser --help``) does not
# import torch.
def _new(module: str, name: str):
    return getattr(importlib.import_module(module), name)()


def _features(name: str):
    return partial(_new, "sklearn_ser.features", name)


def _augment(name: str):
    return partial(_new, "sklearn_ser.augment", name)


def _model(name: str):
    return partial(_new, "sklearn_ser.models", name)


def _two_spectrograms():
    from sklearn_ser.features import LogMelSpectrogram, Spectrogram, StackSpectrograms

    return StackSpectrograms(spectrogram=Spectrogram(), mel=LogMelSpectrogram())


def _tfcnn_double_lstm():
    from sklearn_ser.features import SpectrogramHasher
    from sklearn_ser.models import (
        HierarchicalConfusionClassifier,
        SERClassifier,
        TFCNNClassifier,
    )
    from sklearn_ser.nn import DoubleLSTM

    return HierarchicalConfusionClassifier(
        TFCNNClassifier(), SERClassifier(DoubleLSTM), hasher=SpectrogramHasher()
    )


# liu2021 §3.2 and liu2023 §3.2 train alike; the values are the defaults of
# SERClassifier, which both papers' classifiers keep.
_LIU_TRAINING = (
    Setting("clf__optimizer__lr", INHERITED, "§3.2"),
    Setting("clf__optimizer__weight_decay", INHERITED, "§3.2"),
    Setting("clf__batch_size", INHERITED, "§3.2"),
    Setting("clf__segment_frames", INHERITED, "§3.2"),
    Setting("clf__train_hop", INHERITED, "§3.2"),
    Setting("clf__test_hop", INHERITED, "§3.2"),
    Setting("clf__max_epochs", INHERITED, "not given"),
)
_NO_NORMALISATION = Step("normalize", None, "the paper names no normalisation")
_NO_AUGMENTATION = Step("augment", None, "no augmentation in the paper")


# ---------------------------------------------------------------------- liu2021
LIU2021 = register(
    Recipe(
        name="liu2021",
        summary="MFCC, SpecAugment class balancing, CNN-BiLSTM with the joint loss.",
        citation='liu2021: "Speech emotion recognition based on triplet loss and data '
        'augmentation", §2.1 (Table 1), §2.2–2.4, §3.2, §3.3 (Fig. 3, Tables 2–3).',
        inputs=_AUDIO,
        steps=(
            Step("features", _features("MFCC"), "Hamming windows (§3.2)"),
            _NO_NORMALISATION,
            Step(
                "augment",
                _augment("SpecAugmentResampler"),
                "time warp, a frequency and a time mask on "
                "the MFCCs, every class brought to the majority count (§2.4), fit time "
                "only",
            ),
            Step(
                "clf",
                _model("CNNLSTMClassifier"),
                "four convolutions and a BiLSTM of 32 per direction "
                "(§2.1, Table 1); loss α·triplet + (1 − α)·CE on class-balanced "
                "batches (§2.2–2.3, eq. 1–6); Adam; 2 s segments every 1 s for "
                "training, 1.6 s overlap at test time, the utterance's probabilities "
                "the mean of its segments' (§3.2)",
            ),
        ),
        settings=(
            Setting("features__n_mfcc", 40, "not given; the package default"),
            Setting("features__win_ms", 40.0, "§3.2"),
            Setting("features__hop_ms", 10.0, "§3.2"),
            Setting("augment__sampling_strategy", INHERITED, "§2.4"),
            Setting("clf__loss", INHERITED, "§2.3"),
            Setting("clf__criterion__alpha", 0.3, "§3.3, Fig. 3"),
            Setting("clf__criterion__margin", 0.2, "not given; liu2023's value"),
            Setting("clf__criterion__distance", "squared_euclidean", "§2.2, eq. 1"),
            Setting("clf__criterion__mining", "hard+semihard", "§2.3"),
            *_LIU_TRAINING,
        ),
        grid=(
            GridRow({"clf__criterion__alpha": list(_ALPHAS)}, "Fig. 3"),
            # Table 2 (without / with the triplet term) was measured without
            # SpecAugment; its α = 0.3 row is also Table 3's "no augmentation" row,
            # the recipe itself (α = 0.3 with SpecAugment) the other
            GridRow(
                {"clf__criterion__alpha": [0.0, 0.3], "augment": ["passthrough"]},
                "Tables 2–3 (α = 0: no triplet term; no SpecAugment)",
            ),
        ),
        epochs=("clf__max_epochs",),
        seeds="the SpecAugment copies and the network (weights, batches)",
        override_example='``clf__max_epochs=2`` or ``augment="passthrough"`` '
        "(Table 3's ablation)",
        notes="""
        Values the paper does not give: the number of MFCCs, the triplet margin m,
        the training epochs and the SpecAugment policy (Park et al.'s LibriSpeech
        basic policy, the resampler's defaults: W = 80, F = 27, T = 100, one mask
        each; a frequency mask covers up to 27 of the 40 coefficients). liu2021
        draws 50 000 random triplets (§2.3); here the triplets are mined online in
        class-balanced batches.
    """,
        grid_notes="""
        liu2021 Fig. 3 and liu2023 Fig. 3: the α and M values are read from the
        papers' figures, which the text does not list: 0.1 to 0.9 in steps of 0.1
        for α and 0.1 to 0.5 for M are assumed around the reported best values
        (α = 0.3, M = 0.2). liu2023 sweeps α and M one at a time; the grid is their
        product.
    """,
        see_also=(("liu2023", "The same authors' cascaded-attention successor."),),
        examples="""
        >>> from sklearn_ser import recipes
        >>> pipe = recipes.liu2021(random_state=0)
        >>> [name for name, _ in pipe.steps]
        ['features', 'normalize', 'augment', 'clf']
        >>> pipe.get_params()["clf__criterion__alpha"]
        0.3
    """,
    )
)


# ------------------------------------------------------------------------- zhou
_ZHOU_LOSS = Option(
    "loss",
    "clf__loss",
    ("ams", "focal", "ce"),
    "ams",
    "Additive-margin softmax (eq. 2; the classifier's defaults s = 10, m = 0.4, "
    "Table 2's best row), focal loss (eq. 3; γ = 2, α = 2) or the softmax baseline "
    "(eq. 1).",
)
_ZHOU_POOLING = Option(
    "pooling",
    "clf__module__pooling",
    ("attention", "attentive_stats"),
    "attention",
    "Attention pooling (eq. 4), or the combined attentive pooling, weighted mean ⊕ "
    "weighted standard deviation (eq. 5).",
)
ZHOU = register(
    Recipe(
        name="zhou",
        summary="7.5 s of log-Mel, CNN-BLSTM with attention pooling; AMS, focal or CE.",
        citation='zhou: "Discriminative feature learning with additive margin softmax, '
        'focal loss and attentive pooling for speech emotion recognition", §3.1–3.3 '
        "(eq. 1–5), §4.1, Table 2.",
        inputs=_AUDIO,
        steps=(
            Step(
                "features",
                _features("LogMelSpectrogram"),
                "every utterance clipped or zero-padded to 7.5 s (§4.1)",
            ),
            Step("normalize", None),
            _NO_AUGMENTATION,
            Step(
                "clf",
                _model("AttentionBLSTMClassifier"),
                "six convolution blocks (128, 128, 64, 64, "
                "64, 64; batch norm, 2 × 2 average pooling, dropout 0.25), a BLSTM of "
                "64 per direction, attention pooling to 64 values (§3.3); AMS, focal "
                "loss or softmax cross-entropy (§3.1–3.2) with the best rows of "
                "Table 2 as the classifier's criterion defaults; Adam, early stopping "
                "(§4.1) on a validation share of 0.25 / 0.8 of the training "
                "utterances (the 0.55 : 0.25 split of §4.1)",
            ),
        ),
        settings=(
            Setting("features__n_mels", 40, "§4.1"),
            Setting("features__win_ms", 25.0, "§4.1"),
            Setting("features__hop_ms", 10.0, "§4.1"),
            Setting("features__max_frames", 750, "§4.1: 7.5 s"),
            Setting("clf__optimizer__lr", INHERITED, "§4.1"),
            Setting("clf__max_epochs", INHERITED, "§4.1"),
            Setting("clf__early_stopping", INHERITED, "§4.1"),
            Setting("clf__validation_fraction", 0.25 / 0.8, "§4.1"),
            Setting("clf__segment_frames", INHERITED, "7.5 s"),
            Setting("clf__train_hop", INHERITED),
            Setting("clf__test_hop", INHERITED),
            Setting("clf__batch_size", INHERITED, "not given"),
        ),
        options=(_ZHOU_LOSS, _ZHOU_POOLING),
        grid=(
            GridRow(
                {
                    "clf__loss": ["ce"],
                    "clf__module__pooling": ["attention", "attentive_stats"],
                },
                "Table 2, baseline and combined attentive pooling",
                {"loss": "ce"},
            ),
            GridRow(
                {
                    "clf__loss": ["ams"],
                    "clf__module__pooling": ["attention"],
                    "clf__criterion__scale": [10.0, 30.0],
                    "clf__criterion__margin": [0.1, 0.2, 0.4],
                },
                "Table 2, AMS",
                {"loss": "ams"},
            ),
            GridRow(
                {
                    "clf__loss": ["focal"],
                    "clf__module__pooling": ["attention"],
                    "clf__criterion__gamma": [2.0, 5.0],
                    "clf__criterion__alpha": [1.0, 2.0, 4.0],
                },
                "Table 2, focal loss",
                {"loss": "focal"},
            ),
        ),
        epochs=("clf__max_epochs",),
        seeds="the network (weights, dropout, batches, validation split)",
        override_example="``clf__criterion__scale=30``",
        notes="""
        Table 2's four systems are ``zhou(loss="ce")`` (baseline),
        ``zhou(loss="ams")``, ``zhou(loss="focal")`` and
        ``zhou(loss="ce", pooling="attentive_stats")``. zhou monitors the
        validation accuracy for early stopping; the classifier monitors the
        validation loss. The batch size is not given.
    """,
        examples="""
        >>> from sklearn_ser import recipes
        >>> pipe = recipes.zhou(loss="focal", random_state=0)
        >>> pipe.get_params()["clf__loss"], pipe.get_params()["clf__module__pooling"]
        ('focal', 'attention')
        >>> pipe.get_params()["features__max_frames"]
        750
    """,
    )
)


# ------------------------------------------------------------------------ kumar
KUMAR = register(
    Recipe(
        name="kumar",
        summary="39-d MFCC windows, ResNet1D embeddings, classification by angle.",
        citation='kumar: "Triplet loss based cosine embedding for speech emotion '
        'recognition", §III (eq. 2–3), §IV-A3 (Table I, Fig. 3), §IV-B.',
        inputs=_AUDIO,
        steps=(
            Step(
                "features",
                _features("MFCC"),
                "silence trimmed, MFCCs, Δ and ΔΔ stacked along the features (§III-b)",
            ),
            Step("normalize", None),
            _NO_AUGMENTATION,
            Step(
                "clf",
                _model("CosineEmbeddingClassifier"),
                "residual Conv1D blocks with batch norm and "
                "LeakyReLU, a flatten and a fully connected embedding (§IV-A3, Fig. 3; "
                "Table I) on windows of frames; softmax pre-training, then triplet "
                "fine-tuning with the cosine distance, each stopped early when the "
                "validation loss has not improved, the learning rate falling linearly "
                "(§IV-A3); an utterance goes to the class embedding at the smallest "
                "angle (§III)",
            ),
        ),
        settings=(
            Setting("features__n_mfcc", 13, "§III-b"),
            Setting("features__deltas", 2, "§III-b"),
            Setting("features__stack", "features", "§III-b: 39 values a frame"),
            Setting("features__trim_silence", True, "§III-b"),
            Setting("clf__pretrain_epochs", 1000, "§IV-A3"),
            Setting("clf__finetune_epochs", 1000, "§IV-A3"),
            Setting("clf__optimizer__lr", INHERITED, "§IV-A3"),
            Setting("clf__lr_schedule", INHERITED, "§IV-A3"),
            Setting("clf__early_stopping", INHERITED, "§IV-A3"),
            Setting("clf__early_stopping_threshold", INHERITED, "§IV-A3"),
            Setting("clf__segment_frames", INHERITED, "§III-b"),
            Setting("clf__batch_size", 900, "§IV-A3: input 900 × 390, batch first"),
            Setting("clf__module__n_blocks", 2, "Table I"),
        ),
        grid=(
            GridRow(
                {"clf__module__n_blocks": [1, 2, 3, 4]},
                "Table I's choice of depth (two residual blocks chosen)",
            ),
        ),
        epochs=("clf__pretrain_epochs", "clf__finetune_epochs"),
        seeds="the network (weights, batches, validation split)",
        override_example="``clf__pretrain_epochs=2``",
        notes="""
        kumar samples 10 random windows of 10 frames per utterance (zero-padded
        when there are fewer); the classifier takes every window, 10 frames apart,
        for training and averages the embeddings of windows 5 frames apart at
        prediction time. The batch holds 900 windows as in kumar's input of
        900 × 390; in the triplet phase the batches are class-balanced
        (``m_per_class`` windows of each class), so they are smaller. kumar stops
        on the accuracy; the classifier on the validation loss. The frame settings
        are not given (the package default), nor the triplet margin or the
        optimiser (SGD with momentum 0.9, the classifier's default).
    """,
        grid_notes="""
        kumar's Table I varies the layer count x = 6 … 15 of each architecture and
        keeps a ResNet of 11 layers with two residual blocks; the grid varies the
        residual blocks around two, the nearest parameter of
        :class:`~sklearn_ser.nn.ResNet1D`.
    """,
        examples="""
        >>> from sklearn_ser import recipes
        >>> pipe = recipes.kumar(random_state=0)
        >>> params = pipe.get_params()
        >>> params["features__n_mfcc"], params["features__deltas"]
        (13, 2)
        >>> params["clf__segment_frames"]
        10
    """,
    )
)


# ----------------------------------------------------------------------- li2021
LI2021 = register(
    Recipe(
        name="li2021",
        summary="VTLP balancing, two-channel spectrograms, TF-CNN and a double LSTM.",
        citation='li2021: MSc thesis, "Speech emotion recognition with TF-CNN, '
        'spectrogram hashing and multi-level classification", §2.3, §3.4, §5.1, §5.2, '
        "§6.3 (Table 7), §6.4, §6.6, §6.8 (Tables 11–13).",
        inputs=_AUDIO,
        steps=(
            Step(
                "augment",
                _augment("VTLPResampler"),
                "VTLP copies of the waveforms: every class brought "
                "to the majority count (§2.3, §6.6), fit time only",
            ),
            Step(
                "features",
                _two_spectrograms,
                "the spectrogram (dB) and the log-mel "
                "spectrogram of every utterance, Hamming windows, both resized to the "
                "same bins and stacked as two channels (§5.1: both maps resized to "
                "256 × 256)",
            ),
            Step("normalize", None),
            Step(
                "clf",
                _tfcnn_double_lstm,
                "(§5.2, §6.4) the average hashes of the "
                "training utterances give class hashes by bit majority (§3.4), the "
                "classes at the smallest Hamming distance are merged for a coarse "
                ":class:`~sklearn_ser.models.TFCNNClassifier` (time kernels 2 × 10 "
                "and frequency kernels 8 × 2, §5.1), and a two-layer LSTM "
                "(:class:`~sklearn_ser.nn.DoubleLSTM`) separates them (§5.2); both "
                "with cross-entropy, Adam, on windows of 256 frames",
            ),
        ),
        settings=(
            Setting("augment__alpha_range", (0.9, 1.1), "§2.3"),
            Setting("features__spectrogram__win_ms", 32.0, "not given"),
            Setting("features__spectrogram__hop_ms", 10.0, "not given"),
            Setting("features__spectrogram__scale", "db", "§5.1"),
            Setting("features__mel__n_mels", 128, "not given; librosa's default"),
            Setting("features__mel__win_ms", 32.0, "not given"),
            Setting("features__mel__hop_ms", 10.0, "not given"),
            Setting("features__n_features", INHERITED, "§5.1"),
            Setting("clf__confusable", "hash", "§5.2"),
            Setting("clf__n_confusable", INHERITED, "§6.4"),
            Setting("clf__hasher__n", INHERITED, "§3.4"),
            Setting("clf__coarse__loss", INHERITED, "§5.1"),
            Setting("clf__coarse__optimizer__lr", INHERITED, "Table 7"),
            Setting("clf__coarse__batch_size", INHERITED, "Table 7"),
            Setting("clf__coarse__module__dropout", 0.5, "Table 7"),
            Setting("clf__fine__optimizer__lr", 1e-3, "Table 7"),
            Setting("clf__fine__batch_size", 50, "Table 7"),
            Setting("clf__fine__segment_frames", 256, "as the TF-CNN's"),
            Setting("clf__fine__train_hop", 128),
            Setting("clf__fine__test_hop", 64),
            Setting("clf__fine__module__hidden_size", 256, "§5.2"),
            Setting("clf__fine__module__num_layers", 2, "§5.2"),
            Setting("clf__fine__module__dropout", 0.5, "Table 7"),
        ),
        grid=(
            GridRow(
                {"clf__confusable": ["hash", []]},
                "Tables 8–13: the two-level classifier or the flat TF-CNN "
                "(``[]``: no merging)",
            ),
            GridRow(
                {"augment": ["passthrough"]}, "experiment 1: without VTLP balancing"
            ),
        ),
        epochs=("clf__coarse__max_epochs", "clf__fine__max_epochs"),
        seeds="the VTLP copies and both networks",
        override_example="``clf__coarse__max_epochs=2`` or "
        "``augment__sampling_strategy=2500`` (the thesis's 2 500 utterances per class)",
        notes="""
        Deviations from the thesis. It balances IEMOCAP to 2 500 utterances per
        class *before* splitting (under-sampling the large classes); here the
        training part of every split is brought to its majority count, so no copy
        of a test utterance is trained on. It hashes 10 % of each class's
        spectrograms; here all training utterances. It reads 256 × 256 × 3 colour
        images of both maps; here the two maps are the two channels of the input
        and utterances are cut into 256-frame windows (the TF-CNN averages its
        fused map over frames). Its LSTM reads the TF-CNN's 512-value output; here
        it reads the frames (2 × 256 values each). The frame settings and the mel
        band count are not given. The epochs are the classifiers' default.
    """,
        examples="""
        >>> from sklearn_ser import recipes
        >>> pipe = recipes.li2021(random_state=0)
        >>> [name for name, _ in pipe.steps]
        ['augment', 'features', 'normalize', 'clf']
        >>> pipe.get_params()["clf__confusable"]
        'hash'
    """,
    )
)


# ---------------------------------------------------------------------- liu2023
LIU2023 = register(
    Recipe(
        name="liu2023",
        summary="MFCC, Δ, ΔΔ as channels, cascaded attention network, joint loss.",
        citation='liu2023: "Speech emotion recognition with cascaded attention and '
        'joint loss", §2.1–2.3 (eq. 1–11), §3.2, §4.1 (Fig. 3), §4.2 (Tables 2–4).',
        inputs=_AUDIO,
        steps=(
            Step(
                "features",
                _features("MFCC"),
                "MFCC with Δ and ΔΔ stacked as three channels, Hamming windows (§2.1)",
            ),
            Step(
                "select",
                _features("SelectChannels"),
                "the channels used: all three (Table 2 removes one)",
            ),
            Step(
                "normalize",
                _features("FeatureNormalizer"),
                "per-utterance mean and variance "
                'normalisation (§2.1: "we first reduce the variation among different '
                'speakers by utilizing normalization")',
            ),
            Step("augment", None, "liu2023 does not augment (§5)"),
            Step(
                "clf",
                _model("CascadedAttentionClassifier"),
                "four convolutions, channel attention, "
                "spatial attention, a BiLSTM of 32 per direction, self-attention with "
                "head fusion, global average pooling (§2.2, eq. 1–5); loss "
                "α·triplet + (1 − α)·CE (§2.3, eq. 6–11); Adam; 2 s segments every "
                "1 s for training, 1.6 s overlap at test time, the mean of the "
                "segments' probabilities (§3.2)",
            ),
        ),
        settings=(
            Setting("features__n_mfcc", 40, "not given; the package default"),
            Setting("features__deltas", 2, "§2.1"),
            Setting("features__stack", "channels", "§2.1"),
            Setting("features__win_ms", 40.0, "§2.1"),
            Setting("features__hop_ms", 10.0, "§2.1"),
            Setting("select__channels", INHERITED, "Table 2"),
            Setting("normalize__scope", "utterance", "§2.1"),
            Setting("clf__loss", INHERITED, "§2.3"),
            Setting("clf__criterion__alpha", 0.3, "§4.1, Fig. 3"),
            Setting("clf__criterion__margin", 0.2, "§4.1, Fig. 3"),
            Setting("clf__criterion__distance", "euclidean", "§2.3, eq. 6"),
            Setting("clf__criterion__mining", "hard", "§3.2"),
            Setting("clf__module__channel_attention", True, "Table 3"),
            Setting("clf__module__spatial_attention", True, "Table 3"),
            Setting("clf__module__self_attention", True, "Table 3"),
            *_LIU_TRAINING,
        ),
        grid=(
            GridRow(
                {
                    "clf__criterion__alpha": list(_ALPHAS),
                    "clf__criterion__margin": list(_MARGINS),
                },
                "Fig. 3",
            ),
            GridRow({"select__channels": [(1, 2)]}, "Table 2, M1-2: without MFCCs"),
            GridRow({"select__channels": [(0, 2)]}, "M1-3: without deltas"),
            GridRow({"select__channels": [(0, 1)]}, "M1-4: without delta-deltas"),
            GridRow({"clf__module__channel_attention": [False]}, "Table 3, M2-2"),
            GridRow({"clf__module__spatial_attention": [False]}, "M2-3"),
            GridRow({"clf__module__self_attention": [False]}, "M2-4"),
            GridRow(
                {"clf__criterion__alpha": [0.0]}, "Table 4, M3-2: without triplet loss"
            ),
        ),
        epochs=("clf__max_epochs",),
        seeds="the network (weights, batches)",
        override_example="``clf__module__self_attention=False`` (Table 3's M2-4)",
        notes="""
        The ablations are parameters: Table 2 ``select__channels`` (``(1, 2)``
        without MFCCs, ``(0, 2)`` without deltas, ``(0, 1)`` without
        delta-deltas), Table 3 ``clf__module__channel_attention``,
        ``clf__module__spatial_attention``, ``clf__module__self_attention``
        (``False``), Table 4 ``clf__criterion__alpha=0``. liu2023 normalises the
        speech signal; the closest step here normalises each utterance's
        features. The number of MFCCs, of attention heads (4) and the epochs are
        not given.
    """,
        see_also=(("liu2021", "The same authors' CNN-LSTM predecessor."),),
        examples="""
        >>> from sklearn_ser import recipes
        >>> pipe = recipes.liu2023(random_state=0, clf__module__self_attention=False)
        >>> params = pipe.get_params()
        >>> params["clf__criterion__margin"], params["clf__module__self_attention"]
        (0.2, False)
    """,
    )
)
