"""The five papers as one call each: their whole pipelines and their search spaces.

Every recipe returns a new, unfitted :class:`imblearn.pipeline.Pipeline` with the
paper's features, augmentation, model and hyper-parameters, so that a paper's
experiment is a :func:`~sklearn.model_selection.cross_validate` or
:class:`~sklearn.model_selection.GridSearchCV` call:

=================  ==============================================================
:func:`liu2021`    MFCC → SpecAugment balancing → CNN-BiLSTM, joint triplet + CE
:func:`zhou`       log-Mel (7.5 s) → CNN-BLSTM with attention pooling; AMS, focal
                   or cross-entropy loss
:func:`kumar`      13 MFCC + Δ + ΔΔ (silence trimmed) → ResNet1D on 10-frame
                   windows, softmax then cosine triplet training, angle classifier
:func:`li2021`     VTLP balancing → spectrogram and mel spectrogram as two
                   channels → TF-CNN, with a double LSTM for the two classes whose
                   spectrogram hashes are closest
:func:`liu2023`    MFCC, Δ, ΔΔ as channels → per-utterance normalisation →
                   cascaded attention network, joint triplet + CE
=================  ==============================================================

The steps have the same names in every recipe — ``"features"``, ``"normalize"``,
``"augment"`` and ``"clf"`` (li2021 augments waveforms, so its ``"augment"`` comes
first; liu2023 adds ``"select"``, the channels its Table 2 ablates). A step the paper
does not use is ``"passthrough"``, so it can be switched on with ``set_params``
(e.g. ``recipes.liu2023(augment=SpecAugmentResampler())``).

Keyword arguments of a recipe other than its own are parameters of the pipeline,
set after it is built: ``recipes.liu2021(clf__max_epochs=2)``. ``random_state``
seeds every random step (augmentation, network initialisation, batches).
:func:`param_grid` gives the paper's own search space in the pipeline's parameter
names; :func:`make_recipe` builds a recipe from its name (:data:`RECIPES`), as the
command line does.

The recipes run on audio: a sequence of file paths or of 16 kHz waveforms, one per
utterance (paths at other rates are resampled when loaded). Results of the papers
and ours are compared in the documentation page "The papers and our results".
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn_compat.base import _fit_context

from sklearn_ser.augment import SpecAugmentResampler, VTLPResampler
from sklearn_ser.features import (
    MFCC,
    FeatureNormalizer,
    LogMelSpectrogram,
    Spectrogram,
    SpectrogramHasher,
)
from sklearn_ser.models import (
    AttentionBLSTMClassifier,
    CascadedAttentionClassifier,
    CNNLSTMClassifier,
    CosineEmbeddingClassifier,
    HierarchicalConfusionClassifier,
    SERClassifier,
    TFCNNClassifier,
)
from sklearn_ser.nn import DoubleLSTM
from sklearn_ser.utils._validation import check_features, to_object_array

__all__ = [
    "RECIPES",
    "kumar",
    "li2021",
    "liu2021",
    "liu2023",
    "make_recipe",
    "param_grid",
    "zhou",
]

#: Names of the recipes, in the order of the papers' page.
RECIPES: tuple[str, ...] = ("liu2021", "zhou", "kumar", "li2021", "liu2023")

_ZHOU_LOSSES = ("ams", "focal", "ce")
_ZHOU_POOLINGS = ("attention", "attentive_stats")

# liu2021 Fig. 3 and liu2023 Fig. 3(a): the triplet weight α. The figures' axis
# values are not in the papers' text; the text names the best value, 0.3, and
# describes accuracy falling on both sides of it (liu2023 §4.1). α = 1 is left out:
# without its cross-entropy term the classifier layer would not be trained.
_ALPHAS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
# liu2023 Fig. 3(b): the triplet margin M; best 0.2, "as M increases from 0.3 ...
# lower WA and UA" (§4.1). The axis values are again not in the text.
_MARGINS = [0.1, 0.2, 0.3, 0.4, 0.5]


# --------------------------------------------------------------------- helpers
class _SelectChannels(TransformerMixin, BaseEstimator):
    """Keep some channels of ``(C, F, T)`` features (liu2023 Table 2's ablations).

    Stateless. ``channels=None`` keeps every channel; a sequence of indices keeps
    those, in that order.

    Parameters
    ----------
    channels : sequence of int or None, default=None
        Channel indices to keep (for ``MFCC(deltas=2, stack="channels")``: 0 the
        MFCCs, 1 the deltas, 2 the delta-deltas).
    """

    _parameter_constraints: dict = {"channels": [None, list, tuple, np.ndarray]}

    def __init__(self, *, channels=None) -> None:
        self.channels = channels

    def _indices(self, n_channels: int) -> list[int] | None:
        if self.channels is None:
            return None
        name = type(self).__name__
        chosen = list(np.ravel(np.asarray(self.channels, dtype=object)))
        bad = [
            c for c in chosen
            if isinstance(c, (bool, np.bool_)) or not isinstance(c, Integral)
            or not 0 <= c < n_channels
        ]
        if not chosen or bad or len(set(chosen)) != len(chosen):
            raise ValueError(
                f"{name}: channels must be distinct channel indices in "
                f"[0, {n_channels}), at least one, got {self.channels!r}"
            )
        return [int(c) for c in chosen]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> _SelectChannels:
        """Check ``channels`` against the channels of ``X``; nothing is learnt."""
        items, _ = check_features(X, name=type(self).__name__)
        self._indices(items[0].shape[0])
        self.n_features_in_ = int(items[0].shape[1])
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The chosen channels of every utterance, in the input's layout."""
        self._validate_params()
        items, dense = check_features(X, name=type(self).__name__)
        keep = self._indices(items[0].shape[0])
        out = items if keep is None else [a[keep] for a in items]
        return np.stack(out) if dense else to_object_array(out)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def _resize_bins(a: np.ndarray, n: int) -> np.ndarray:
    """Linear interpolation of ``a`` ``(C, F, T)`` to ``(C, n, T)`` along axis -2."""
    n_bins = a.shape[-2]
    if n_bins == n:
        return a
    pos = np.linspace(0.0, n_bins - 1.0, n)
    i0 = np.floor(pos).astype(np.intp)
    i1 = np.minimum(i0 + 1, n_bins - 1)
    frac = (pos - i0).astype(a.dtype)[:, None]
    return a[..., i0, :] * (1 - frac) + a[..., i1, :] * frac


class _StackSpectrograms(TransformerMixin, BaseEstimator):
    """li2021 §5.1: spectrogram and mel spectrogram as two channels of one input.

    Each utterance's spectrogram and mel spectrogram (same hop, hence the same
    frames) are resized to ``n_features`` bins by linear interpolation along
    frequency — li2021 resizes both images to 256 × 256 — and stacked as channels
    0 and 1, ``(2, n_features, T_i)``. Stateless.

    Parameters
    ----------
    spectrogram : transformer
        Audio → ``(1, F_s, T)`` features, channel 0 (li2021: the spectrogram).
    mel : transformer
        Audio → ``(1, F_m, T)`` features, channel 1 (li2021: the mel spectrogram).
    n_features : int, default=256
        Bins of both channels after resizing (li2021: 256).
    """

    _parameter_constraints: dict = {
        "spectrogram": [HasMethods(["transform"])],
        "mel": [HasMethods(["transform"])],
        "n_features": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, spectrogram, mel, n_features: int = 256) -> None:
        self.spectrogram = spectrogram
        self.mel = mel
        self.n_features = n_features

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any = None) -> _StackSpectrograms:
        """Check the parameters of both transformers; nothing is learnt."""
        clone(self.spectrogram).fit(X)
        clone(self.mel).fit(X)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Two-channel ``(2, n_features, T_i)`` features of every utterance."""
        self._validate_params()
        name = type(self).__name__
        maps = []
        for key in ("spectrogram", "mel"):
            items, dense = check_features(
                getattr(self, key).transform(X), name=f"{name} ({key})"
            )
            maps.append((items, dense))
        (spec, spec_dense), (mel, mel_dense) = maps
        out = []
        for i, (s, m) in enumerate(zip(spec, mel)):
            if s.shape[-1] != m.shape[-1]:
                raise ValueError(
                    f"{name}: utterance {i} has {s.shape[-1]} spectrogram frames but "
                    f"{m.shape[-1]} mel frames; give both transformers the same "
                    "hop_ms, center and max_frames"
                )
            out.append(
                np.concatenate(
                    [
                        _resize_bins(s, self.n_features),
                        _resize_bins(m, self.n_features),
                    ],
                    axis=0,
                ).astype(np.float32)
            )
        return np.stack(out) if spec_dense and mel_dense else to_object_array(out)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        return tags


def _build(steps: list, overrides: dict[str, Any]) -> Pipeline:
    pipe = Pipeline(steps)
    if overrides:
        pipe.set_params(**overrides)
    return pipe


# --------------------------------------------------------------------- recipes
def liu2021(*, random_state=None, **overrides) -> Pipeline:
    """liu2021: MFCC, SpecAugment class balancing, CNN-BiLSTM with the joint loss.

    ================  ==========================================================
    step              value (liu2021 section)
    ================  ==========================================================
    ``features``      :class:`~sklearn_ser.features.MFCC`: 40 coefficients,
                      Hamming windows of 40 ms every 10 ms (§3.2)
    ``normalize``     ``"passthrough"`` (the paper names no normalisation)
    ``augment``       :class:`~sklearn_ser.augment.SpecAugmentResampler`: time
                      warp, a frequency and a time mask on the MFCCs, every class
                      brought to the majority count (§2.4), fit time only
    ``clf``           :class:`~sklearn_ser.models.CNNLSTMClassifier`: four
                      convolutions and a BiLSTM of 32 per direction (§2.1,
                      Table 1); loss ``α·triplet + (1 − α)·CE`` with α = 0.3
                      (§3.3, Fig. 3), squared Euclidean distances, hard and
                      semi-hard triplets (§2.2–2.3, eq. 1–6); Adam, learning rate
                      1e-4, weight decay 1e-6, batches of 32 (§3.2); 2 s segments
                      every 1 s for training, 1.6 s overlap at test time, the
                      utterance's probabilities the mean of its segments' (§3.2)
    ================  ==========================================================

    Parameters
    ----------
    random_state : int or None, default=None
        Seeds the SpecAugment copies and the network (weights, batches).
    **overrides
        Parameters of the pipeline set after it is built, e.g.
        ``clf__max_epochs=2`` or ``augment="passthrough"`` (Table 3's ablation).

    Returns
    -------
    pipe : imblearn.pipeline.Pipeline
        A new, unfitted pipeline from audio (paths or 16 kHz waveforms) to labels.

    See Also
    --------
    param_grid : The α grid of Fig. 3 and the ablations of Tables 2–3.
    liu2023 : The same authors' cascaded-attention successor.

    Notes
    -----
    Values the paper does not give: the number of MFCCs (40, the package default),
    the triplet margin m (0.2, liu2023's value), the training epochs (30, the
    classifier's default) and the SpecAugment policy (Park et al.'s LibriSpeech
    basic policy: W = 80, F = 27, T = 100, one mask each; a frequency mask covers
    up to 27 of the 40 coefficients). liu2021 draws 50 000 random triplets (§2.3);
    here the triplets are mined online in class-balanced batches.

    References
    ----------
    .. [1] liu2021: "Speech emotion recognition based on triplet loss and data
       augmentation", §2.1 (Table 1), §2.2–2.4, §3.2, §3.3 (Fig. 3, Tables 2–3).

    Examples
    --------
    >>> from sklearn_ser import recipes
    >>> pipe = recipes.liu2021(random_state=0)
    >>> [name for name, _ in pipe.steps]
    ['features', 'normalize', 'augment', 'clf']
    >>> pipe.get_params()["clf__criterion__alpha"]
    0.3
    """
    return _build(
        [
            ("features", MFCC(n_mfcc=40, win_ms=40.0, hop_ms=10.0)),
            ("normalize", "passthrough"),
            ("augment", SpecAugmentResampler(random_state=random_state)),
            (
                "clf",
                CNNLSTMClassifier(
                    loss="joint",
                    criterion__alpha=0.3,
                    criterion__margin=0.2,
                    criterion__distance="squared_euclidean",
                    criterion__mining="hard+semihard",
                    optimizer__lr=1e-4,
                    optimizer__weight_decay=1e-6,
                    batch_size=32,
                    segment_frames=200,
                    train_hop=100,
                    test_hop=40,
                    random_state=random_state,
                ),
            ),
        ],
        overrides,
    )


def zhou(
    *, loss: str = "ams", pooling: str = "attention", random_state=None, **overrides
) -> Pipeline:
    """zhou: 7.5 s of log-Mel, CNN-BLSTM with attention pooling; AMS, focal or CE.

    ================  ==========================================================
    step              value (zhou section)
    ================  ==========================================================
    ``features``      :class:`~sklearn_ser.features.LogMelSpectrogram`: 40 bands,
                      25 ms windows every 10 ms, every utterance clipped or
                      zero-padded to 7.5 s = 750 frames (§4.1)
    ``normalize``     ``"passthrough"``
    ``augment``       ``"passthrough"`` (no augmentation in the paper)
    ``clf``           :class:`~sklearn_ser.models.AttentionBLSTMClassifier`: six
                      convolution blocks (128, 128, 64, 64, 64, 64; batch norm,
                      2 × 2 average pooling, dropout 0.25), a BLSTM of 64 per
                      direction, attention pooling to 64 values (§3.3); AMS with
                      s = 10, m = 0.4, or focal loss with γ = 2, α = 2 — the best
                      rows of Table 2 — or softmax cross-entropy (§3.1–3.2);
                      Adam, learning rate 1e-4, at most 100 epochs, early stopping
                      with patience 10 (§4.1) on a validation share of 0.25 / 0.8
                      of the training utterances (the 0.55 : 0.25 split of §4.1)
    ================  ==========================================================

    Parameters
    ----------
    loss : {"ams", "focal", "ce"}, default="ams"
        Additive-margin softmax (eq. 2), focal loss (eq. 3) or the softmax
        baseline (eq. 1).
    pooling : {"attention", "attentive_stats"}, default="attention"
        Attention pooling (eq. 4), or the combined attentive pooling, weighted
        mean ⊕ weighted standard deviation (eq. 5).
    random_state : int or None, default=None
        Seeds the network (weights, dropout, batches, validation split).
    **overrides
        Parameters of the pipeline set after it is built, e.g.
        ``clf__criterion__scale=30``.

    Returns
    -------
    pipe : imblearn.pipeline.Pipeline
        A new, unfitted pipeline from audio (paths or 16 kHz waveforms) to labels.

    Raises
    ------
    ValueError
        If ``loss`` or ``pooling`` is not one of the choices.

    See Also
    --------
    param_grid : Table 2's systems and the s × m and γ × α grids.

    Notes
    -----
    Table 2's four systems are ``zhou(loss="ce")`` (baseline), ``zhou(loss="ams")``,
    ``zhou(loss="focal")`` and ``zhou(loss="ce", pooling="attentive_stats")``.
    zhou monitors the validation accuracy for early stopping; the classifier
    monitors the validation loss. The batch size is not given (32 here).

    References
    ----------
    .. [1] zhou: "Discriminative feature learning with additive margin softmax,
       focal loss and attentive pooling for speech emotion recognition", §3.1–3.3
       (eq. 1–5), §4.1, Table 2.

    Examples
    --------
    >>> from sklearn_ser import recipes
    >>> pipe = recipes.zhou(loss="focal", random_state=0)
    >>> pipe.get_params()["clf__loss"], pipe.get_params()["clf__module__pooling"]
    ('focal', 'attention')
    >>> pipe.get_params()["features__max_frames"]
    750
    """
    if loss not in _ZHOU_LOSSES:
        raise ValueError(
            f"zhou: loss must be one of {', '.join(map(repr, _ZHOU_LOSSES))}, got "
            f"{loss!r}"
        )
    if pooling not in _ZHOU_POOLINGS:
        raise ValueError(
            f"zhou: pooling must be one of {', '.join(map(repr, _ZHOU_POOLINGS))}, "
            f"got {pooling!r}"
        )
    return _build(
        [
            (
                "features",
                LogMelSpectrogram(n_mels=40, win_ms=25.0, hop_ms=10.0, max_frames=750),
            ),
            ("normalize", "passthrough"),
            ("augment", "passthrough"),
            (
                "clf",
                AttentionBLSTMClassifier(
                    loss=loss,
                    module__pooling=pooling,
                    optimizer__lr=1e-4,
                    max_epochs=100,
                    early_stopping=10,
                    validation_fraction=0.25 / 0.8,
                    segment_frames=750,
                    train_hop=375,
                    test_hop=375,
                    random_state=random_state,
                ),
            ),
        ],
        overrides,
    )


def kumar(*, random_state=None, **overrides) -> Pipeline:
    """kumar: 39-d MFCC windows, ResNet1D embeddings, classification by angle.

    ================  ==========================================================
    step              value (kumar section)
    ================  ==========================================================
    ``features``      :class:`~sklearn_ser.features.MFCC`: silence trimmed,
                      13 MFCCs + Δ + ΔΔ stacked along the features, 39 values a
                      frame (§III-b)
    ``normalize``     ``"passthrough"``
    ``augment``       ``"passthrough"`` (no augmentation in the paper)
    ``clf``           :class:`~sklearn_ser.models.CosineEmbeddingClassifier`:
                      residual Conv1D blocks with batch norm and LeakyReLU, a
                      flatten and a fully connected embedding (§IV-A3, Fig. 3;
                      ResNet with two residual blocks, Table I) on windows of 10
                      frames; up to 1 000 epochs of softmax pre-training, then up
                      to 1 000 of triplet fine-tuning with the cosine distance,
                      each stopped early when the validation loss has not
                      improved by 5e-4 within 15 epochs, the learning rate
                      falling linearly from 0.05 to 0.005 (§IV-A3); an utterance
                      goes to the class embedding at the smallest angle (§III)
    ================  ==========================================================

    Parameters
    ----------
    random_state : int or None, default=None
        Seeds the network (weights, batches, validation split).
    **overrides
        Parameters of the pipeline set after it is built, e.g.
        ``clf__pretrain_epochs=2``.

    Returns
    -------
    pipe : imblearn.pipeline.Pipeline
        A new, unfitted pipeline from audio (paths or 16 kHz waveforms) to labels.

    See Also
    --------
    param_grid : The depth of the residual network (Table I's search).

    Notes
    -----
    kumar samples 10 random windows of 10 frames per utterance (zero-padded when
    there are fewer); the classifier takes every window, 10 frames apart, for
    training and averages the embeddings of windows 5 frames apart at prediction
    time. The batch holds 900 windows as in kumar's input of 900 × 390; in the
    triplet phase the batches are class-balanced (``m_per_class`` windows of each
    class), so they are smaller. kumar stops on the accuracy; the classifier on the validation loss. The
    frame settings are not given (40 ms / 10 ms here, the package default), nor the
    triplet margin (0.2) or the optimiser (SGD with momentum 0.9).

    References
    ----------
    .. [1] kumar: "Triplet loss based cosine embedding for speech emotion
       recognition", §III (eq. 2–3), §IV-A3 (Table I, Fig. 3), §IV-B.

    Examples
    --------
    >>> from sklearn_ser import recipes
    >>> pipe = recipes.kumar(random_state=0)
    >>> params = pipe.get_params()
    >>> params["features__n_mfcc"], params["features__deltas"]
    (13, 2)
    >>> params["clf__segment_frames"]
    10
    """
    return _build(
        [
            (
                "features",
                MFCC(n_mfcc=13, deltas=2, stack="features", trim_silence=True),
            ),
            ("normalize", "passthrough"),
            ("augment", "passthrough"),
            (
                "clf",
                CosineEmbeddingClassifier(
                    pretrain_epochs=1000,
                    finetune_epochs=1000,
                    optimizer__lr=0.05,
                    lr_schedule="linear",
                    early_stopping=15,
                    early_stopping_threshold=5e-4,
                    segment_frames=10,
                    batch_size=900,  # §IV-A3: "input 900 × 390", batch first
                    module__n_blocks=2,
                    random_state=random_state,
                ),
            ),
        ],
        overrides,
    )


def li2021(*, random_state=None, **overrides) -> Pipeline:
    """li2021: VTLP balancing, two-channel spectrograms, TF-CNN and a double LSTM.

    ================  ==========================================================
    step              value (li2021 section)
    ================  ==========================================================
    ``augment``       :class:`~sklearn_ser.augment.VTLPResampler` on the
                      waveforms, warp factors in [0.9, 1.1]: every class brought
                      to the majority count with VTLP copies (§2.3, §6.6), fit
                      time only
    ``features``      the spectrogram (dB) and the log-mel spectrogram (128
                      bands) of every utterance, 32 ms Hamming windows every
                      10 ms, both resized to 256 bins and stacked as two channels
                      (§5.1: both maps resized to 256 × 256)
    ``normalize``     ``"passthrough"``
    ``clf``           :class:`~sklearn_ser.models.HierarchicalConfusionClassifier`
                      (§5.2, §6.4): the average hashes (8 × 8) of the training
                      utterances give class hashes by bit majority, the two
                      classes at the smallest Hamming distance are merged for a
                      coarse :class:`~sklearn_ser.models.TFCNNClassifier` (time
                      kernels 2 × 10 and frequency kernels 8 × 2, §5.1), and a
                      two-layer 256-cell LSTM (:class:`~sklearn_ser.nn.DoubleLSTM`)
                      separates them (§5.2); both with cross-entropy, Adam,
                      learning rate 1e-3, batches of 50, dropout 0.5 (Table 7),
                      on windows of 256 frames
    ================  ==========================================================

    Parameters
    ----------
    random_state : int or None, default=None
        Seeds the VTLP copies and both networks.
    **overrides
        Parameters of the pipeline set after it is built, e.g.
        ``clf__coarse__max_epochs=2`` or ``augment__sampling_strategy=2500``
        (the thesis's 2 500 utterances per class).

    Returns
    -------
    pipe : imblearn.pipeline.Pipeline
        A new, unfitted pipeline from audio (paths or 16 kHz waveforms) to labels.

    See Also
    --------
    param_grid : The thesis's steps: without VTLP, the flat TF-CNN.

    Notes
    -----
    Deviations from the thesis. It balances IEMOCAP to 2 500 utterances per class
    *before* splitting (under-sampling the large classes); here the training part
    of every split is brought to its majority count, so no copy of a test
    utterance is trained on. It hashes 10 % of each class's spectrograms; here all
    training utterances. It reads 256 × 256 × 3 colour images of both maps; here
    the two maps are the two channels of the input and utterances are cut into
    256-frame windows (the TF-CNN averages its fused map over frames). Its LSTM
    reads the TF-CNN's 512-value output; here it reads the frames (2 × 256 values
    each). The frame settings and the mel band count are not given (librosa's
    default of 128 bands is taken). The epochs are the classifier's default (30).

    References
    ----------
    .. [1] li2021: MSc thesis, "Speech emotion recognition with TF-CNN, spectrogram
       hashing and multi-level classification", §2.3, §3.4, §5.1, §5.2, §6.3
       (Table 7), §6.4, §6.6, §6.8 (Tables 11–13).

    Examples
    --------
    >>> from sklearn_ser import recipes
    >>> pipe = recipes.li2021(random_state=0)
    >>> [name for name, _ in pipe.steps]
    ['augment', 'features', 'normalize', 'clf']
    >>> pipe.get_params()["clf__confusable"]
    'hash'
    """
    return _build(
        [
            (
                "augment",
                VTLPResampler(alpha_range=(0.9, 1.1), random_state=random_state),
            ),
            (
                "features",
                _StackSpectrograms(
                    spectrogram=Spectrogram(win_ms=32.0, hop_ms=10.0, scale="db"),
                    mel=LogMelSpectrogram(n_mels=128, win_ms=32.0, hop_ms=10.0),
                    n_features=256,
                ),
            ),
            ("normalize", "passthrough"),
            (
                "clf",
                HierarchicalConfusionClassifier(
                    TFCNNClassifier(
                        loss="ce",
                        optimizer__lr=1e-3,
                        batch_size=50,
                        module__dropout=0.5,
                        random_state=random_state,
                    ),
                    SERClassifier(
                        DoubleLSTM,
                        loss="ce",
                        optimizer__lr=1e-3,
                        batch_size=50,
                        segment_frames=256,
                        train_hop=128,
                        test_hop=64,
                        module__hidden_size=256,
                        module__num_layers=2,
                        module__dropout=0.5,
                        random_state=random_state,
                    ),
                    confusable="hash",
                    n_confusable=2,
                    hasher=SpectrogramHasher(n=8),
                ),
            ),
        ],
        overrides,
    )


def liu2023(*, random_state=None, **overrides) -> Pipeline:
    """liu2023: MFCC, Δ, ΔΔ as channels, cascaded attention network, joint loss.

    ================  ==========================================================
    step              value (liu2023 section)
    ================  ==========================================================
    ``features``      :class:`~sklearn_ser.features.MFCC` with Δ and ΔΔ stacked
                      as three channels, Hamming windows of 40 ms every 10 ms
                      (§2.1)
    ``select``        the channels used: all three (Table 2 removes one)
    ``normalize``     :class:`~sklearn_ser.features.FeatureNormalizer`,
                      per-utterance mean and variance normalisation (§2.1: "we
                      first reduce the variation among different speakers by
                      utilizing normalization")
    ``augment``       ``"passthrough"`` (liu2023 does not augment, §5)
    ``clf``           :class:`~sklearn_ser.models.CascadedAttentionClassifier`:
                      four convolutions, channel attention, spatial attention,
                      a BiLSTM of 32 per direction, self-attention with head
                      fusion, global average pooling (§2.2, eq. 1–5); loss
                      ``α·triplet + (1 − α)·CE`` with α = 0.3, M = 0.2 (§4.1,
                      Fig. 3), Euclidean distances and hard triplets (§2.3,
                      §3.2, eq. 6–11); Adam, learning rate 1e-4, weight decay
                      1e-6, batches of 32; 2 s segments every 1 s for training,
                      1.6 s overlap at test time, the mean of the segments'
                      probabilities (§3.2)
    ================  ==========================================================

    Parameters
    ----------
    random_state : int or None, default=None
        Seeds the network (weights, batches).
    **overrides
        Parameters of the pipeline set after it is built, e.g.
        ``clf__module__self_attention=False`` (Table 3's M2-4).

    Returns
    -------
    pipe : imblearn.pipeline.Pipeline
        A new, unfitted pipeline from audio (paths or 16 kHz waveforms) to labels.

    See Also
    --------
    param_grid : The α × M grid of Fig. 3 and the ablations of Tables 2–4.
    liu2021 : The same authors' CNN-LSTM predecessor.

    Notes
    -----
    The ablations are parameters: Table 2 ``select__channels`` (``(1, 2)`` without
    MFCCs, ``(0, 2)`` without deltas, ``(0, 1)`` without delta-deltas), Table 3
    ``clf__module__channel_attention``, ``clf__module__spatial_attention``,
    ``clf__module__self_attention`` (``False``), Table 4 ``clf__criterion__alpha=0``.
    liu2023 normalises the speech signal; the closest step here normalises each
    utterance's features. The number of MFCCs (40), of attention heads (4) and
    the epochs (30) are not given.

    References
    ----------
    .. [1] liu2023: "Speech emotion recognition with cascaded attention and joint
       loss", §2.1–2.3 (eq. 1–11), §3.2, §4.1 (Fig. 3), §4.2 (Tables 2–4).

    Examples
    --------
    >>> from sklearn_ser import recipes
    >>> pipe = recipes.liu2023(random_state=0, clf__module__self_attention=False)
    >>> params = pipe.get_params()
    >>> params["clf__criterion__margin"], params["clf__module__self_attention"]
    (0.2, False)
    """
    return _build(
        [
            (
                "features",
                MFCC(n_mfcc=40, deltas=2, stack="channels", win_ms=40.0, hop_ms=10.0),
            ),
            ("select", _SelectChannels(channels=None)),
            ("normalize", FeatureNormalizer(scope="utterance")),
            ("augment", "passthrough"),
            (
                "clf",
                CascadedAttentionClassifier(
                    loss="joint",
                    criterion__alpha=0.3,
                    criterion__margin=0.2,
                    criterion__distance="euclidean",
                    criterion__mining="hard",
                    module__channel_attention=True,
                    module__spatial_attention=True,
                    module__self_attention=True,
                    optimizer__lr=1e-4,
                    optimizer__weight_decay=1e-6,
                    batch_size=32,
                    segment_frames=200,
                    train_hop=100,
                    test_hop=40,
                    random_state=random_state,
                ),
            ),
        ],
        overrides,
    )


_FACTORIES = {
    "liu2021": liu2021,
    "zhou": zhou,
    "kumar": kumar,
    "li2021": li2021,
    "liu2023": liu2023,
}


def _check_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or name not in _FACTORIES:
        raise ValueError(
            f"{where}: unknown recipe {name!r}; choose one of {', '.join(RECIPES)}"
        )
    return name


def make_recipe(name: str, **kwargs) -> Pipeline:
    """The pipeline of the recipe called ``name`` (as the command line builds it).

    Parameters
    ----------
    name : {"liu2021", "zhou", "kumar", "li2021", "liu2023"}
        One of :data:`RECIPES`.
    **kwargs
        Keyword arguments of the recipe: ``random_state``, zhou's ``loss`` and
        ``pooling``, and pipeline parameters to override.

    Returns
    -------
    pipe : imblearn.pipeline.Pipeline
        A new, unfitted pipeline.

    Raises
    ------
    ValueError
        If ``name`` is not a recipe; the message lists the recipes.

    Examples
    --------
    >>> from sklearn_ser.recipes import make_recipe
    >>> make_recipe("liu2023", random_state=0).steps[-1][0]
    'clf'
    """
    return _FACTORIES[_check_name(name, "make_recipe")](**kwargs)


# ----------------------------------------------------------------- search spaces
def param_grid(name: str, *, loss: str | None = None) -> dict | list[dict]:
    """The paper's own search space, in the parameter names of its recipe.

    For :class:`~sklearn.model_selection.GridSearchCV` over the recipe's pipeline
    (each value is a list; several dicts are searched one after the other, so an
    ablation is one candidate rather than a product with every other value).

    ===========  =================================================================
    name         search space
    ===========  =================================================================
    liu2021      Fig. 3: ``clf__criterion__alpha`` in 0.1, 0.2, …, 0.9; Table 2:
                 α = 0 (no triplet term); Table 3: ``augment="passthrough"`` (no
                 SpecAugment)
    zhou         Table 2: the softmax baseline with attention or combined
                 attentive pooling (``clf__module__pooling``); AMS with
                 ``clf__criterion__scale`` s ∈ {10, 30} × ``clf__criterion__margin``
                 m ∈ {0.1, 0.2, 0.4}; focal loss with ``clf__criterion__gamma``
                 γ ∈ {2, 5} × ``clf__criterion__alpha`` α ∈ {1, 2, 4}; each with
                 its ``clf__loss``. ``loss=`` keeps only the rows of that loss
    kumar        Table I's choice of depth for the ResNet: ``clf__module__n_blocks``
                 in 1, 2, 3, 4 (two residual blocks chosen)
    li2021       Tables 8–13: the two-level classifier (``clf__confusable="hash"``)
                 or the flat TF-CNN (``[]``: no merging); without VTLP balancing
                 (``augment="passthrough"``, experiment 1)
    liu2023      Fig. 3: ``clf__criterion__alpha`` in 0.1, …, 0.9 ×
                 ``clf__criterion__margin`` M in 0.1, …, 0.5; Table 2:
                 ``select__channels`` without MFCCs, deltas or delta-deltas;
                 Table 3: ``clf__module__channel_attention``,
                 ``clf__module__spatial_attention``, ``clf__module__self_attention``
                 off; Table 4: α = 0 (no triplet term)
    ===========  =================================================================

    Parameters
    ----------
    name : {"liu2021", "zhou", "kumar", "li2021", "liu2023"}
        The recipe.
    loss : {"ams", "focal", "ce"} or None, default=None
        zhou only: the grid of one loss (``"ce"``: the two poolings); None gives
        the whole of Table 2. Must be None for the other recipes.

    Returns
    -------
    grid : dict or list of dict
        Parameter names of the recipe's pipeline mapped to lists of values.
        Every call returns new objects.

    Raises
    ------
    ValueError
        If ``name`` is not a recipe, or ``loss`` is not one of zhou's losses (or
        is given for another recipe).

    Notes
    -----
    The α and M values of liu2021 Fig. 3 and liu2023 Fig. 3 are read from the
    papers' figures, which the text does not list: 0.1 to 0.9 in steps of 0.1 for
    α and 0.1 to 0.5 for M are assumed around the reported best values (α = 0.3,
    M = 0.2). liu2023 sweeps α and M one at a time; the grid is their product.
    kumar's Table I varies the layer count x = 6 … 15 of each architecture and
    keeps a ResNet of 11 layers with two residual blocks; the grid varies the
    residual blocks around two, the nearest parameter of
    :class:`~sklearn_ser.nn.ResNet1D`.

    References
    ----------
    .. [1] liu2021 §3.3 (Fig. 3, Tables 2–3); zhou §4.3 (Table 2); kumar §IV-A3
       (Table I); li2021 §6.5–6.8 (Tables 8–13); liu2023 §4.1 (Fig. 3), §4.2
       (Tables 2–4).

    Examples
    --------
    >>> from sklearn_ser import recipes
    >>> grid = recipes.param_grid("zhou", loss="ams")
    >>> grid["clf__criterion__scale"], grid["clf__criterion__margin"]
    ([10.0, 30.0], [0.1, 0.2, 0.4])
    >>> len(recipes.param_grid("liu2023"))
    8
    """
    name = _check_name(name, "param_grid")
    if loss is not None and name != "zhou":
        raise ValueError(
            f"param_grid: loss= selects one of zhou's grids; got loss={loss!r} for "
            f"{name!r}"
        )
    if name == "liu2021":
        return [
            {"clf__criterion__alpha": list(_ALPHAS)},  # Fig. 3
            # Table 2 (without / with the triplet term) was measured without
            # SpecAugment; its α = 0.3 row is also Table 3's "no augmentation" row,
            # the recipe itself (α = 0.3 with SpecAugment) the other
            {"clf__criterion__alpha": [0.0, 0.3], "augment": ["passthrough"]},
        ]
    if name == "zhou":
        rows = {
            "ce": {  # Table 2: baseline and combined attentive pooling
                "clf__loss": ["ce"],
                "clf__module__pooling": ["attention", "attentive_stats"],
            },
            "ams": {
                "clf__loss": ["ams"],
                "clf__module__pooling": ["attention"],
                "clf__criterion__scale": [10.0, 30.0],
                "clf__criterion__margin": [0.1, 0.2, 0.4],
            },
            "focal": {
                "clf__loss": ["focal"],
                "clf__module__pooling": ["attention"],
                "clf__criterion__gamma": [2.0, 5.0],
                "clf__criterion__alpha": [1.0, 2.0, 4.0],
            },
        }
        if loss is None:
            return [rows["ce"], rows["ams"], rows["focal"]]
        if loss not in rows:
            raise ValueError(
                f"param_grid: zhou's loss must be one of "
                f"{', '.join(map(repr, _ZHOU_LOSSES))} or None, got {loss!r}"
            )
        return rows[loss]
    if name == "kumar":
        return {"clf__module__n_blocks": [1, 2, 3, 4]}
    if name == "li2021":
        return [
            {"clf__confusable": ["hash", []]},  # multi-level (Table 13) / flat TF-CNN
            {"augment": ["passthrough"]},  # without VTLP balancing (experiment 1)
        ]
    # liu2023
    return [
        {  # Fig. 3
            "clf__criterion__alpha": list(_ALPHAS),
            "clf__criterion__margin": list(_MARGINS),
        },
        {"select__channels": [(1, 2)]},  # Table 2, M1-2: without MFCCs
        {"select__channels": [(0, 2)]},  # M1-3: without deltas
        {"select__channels": [(0, 1)]},  # M1-4: without delta-deltas
        {"clf__module__channel_attention": [False]},  # Table 3, M2-2
        {"clf__module__spatial_attention": [False]},  # M2-3
        {"clf__module__self_attention": [False]},  # M2-4
        {"clf__criterion__alpha": [0.0]},  # Table 4, M3-2: without triplet loss
    ]
