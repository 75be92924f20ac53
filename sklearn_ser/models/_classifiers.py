"""The papers' networks as ready-made estimators: :class:`SERClassifier` with defaults.

Each class only changes the defaults of :class:`SERClassifier` (the module, the
loss, the optimiser settings and the segment length of its paper); every other
parameter, and every ``module__*`` / ``criterion__*`` / ``optimizer__*`` setting,
works as in the base class, so the papers' ablations are parameter grids.
"""

from __future__ import annotations

import torch

from sklearn_ser.nn import TFCNN, CascadedAttentionNet, CNNBLSTMAttention, CNNLSTM, ResNet1D

from ._base import SERClassifier

__all__ = [
    "AttentionBLSTMClassifier",
    "CNNLSTMClassifier",
    "CascadedAttentionClassifier",
    "ResNetEmbeddingClassifier",
    "TFCNNClassifier",
]

# Per-loss paper settings (``loss_params``), shown by ``get_params``. Never mutated.
# liu2023 eq. 6-8, 11: plain Euclidean distances, batch-hard triplets
_LIU2023_LOSS_PARAMS = {"joint": {"distance": "euclidean", "mining": "hard"}}
_ZHOU_LOSS_PARAMS = {  # zhou Table 2, best rows
    "ams": {"scale": 10.0, "margin": 0.4},
    "focal": {"gamma": 2.0, "alpha": 2.0},
}

_SEE_BASE = """
    All other parameters, attributes and methods are those of
    :class:`~sklearn_ser.models.SERClassifier`; ``module__*``, ``criterion__*`` and
    ``optimizer__*`` reach the module, the loss and the optimiser.
"""


class CNNLSTMClassifier(SERClassifier):
    """liu2021's CNN-LSTM trained with the joint triplet + cross-entropy loss.

    Four convolutions (1→8→16→32, 3×3, batch norm; the last one ``(n_features, 1)``
    32→32) collapse the MFCC axis, a BiLSTM of 32 units per direction reads the
    frames, and a linear layer classifies (:class:`sklearn_ser.nn.CNNLSTM`). The
    loss is ``α·triplet + (1 − α)·CE`` with α = 0.3, squared Euclidean distances and
    hard + semi-hard triplets (:class:`sklearn_ser.losses.JointLoss`), on
    class-balanced batches; Adam, learning rate 1e-4, weight decay 1e-6, batches
    of 32 two-second segments (200 frames, 1 s shift; 1.6 s overlap at test time).

    Parameters
    ----------
    module : torch.nn.Module class, default=CNNLSTM
        The network; its sizes go through ``module__*``.
    loss : {"ce", "joint", "focal", "ams"}, default="joint"
        liu2021 §2.3; ``"ce"`` is the paper's baseline (α = 0).
    **kwargs
        Parameters of :class:`~sklearn_ser.models.SERClassifier`, e.g.
        ``criterion__alpha``, ``criterion__margin``, ``max_epochs``.
    %(see_base)s
    References
    ----------
    .. [1] liu2021: "Speech emotion recognition based on triplet loss and data
       augmentation", §2.1 (Table 1), §2.3 (eq. 1–6), §3.1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.models import CNNLSTMClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((16, 1, 20, 60)).astype(np.float32)
    >>> y = np.repeat(["anger", "sadness"], 8)
    >>> clf = CNNLSTMClassifier(max_epochs=2, segment_frames=40, train_hop=20,
    ...                         test_hop=20, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape, clf.transform(X[:3]).shape
    ((3,), (3, 64))
    """

    def __init__(self, module=CNNLSTM, *, loss: str = "joint", **kwargs):
        super().__init__(module, loss=loss, **kwargs)


class CascadedAttentionClassifier(SERClassifier):
    """liu2023's cascaded-attention network with the joint loss.

    MFCC, Δ and ΔΔ as three channels (``MFCC(deltas=2, stack="channels")``), four
    convolutions, channel then spatial attention with a residual connection, a
    BiLSTM of 32 per direction, multi-head self-attention with head fusion and
    global average pooling (:class:`sklearn_ser.nn.CascadedAttentionNet`; the
    ablation switches are ``module__channel_attention``,
    ``module__spatial_attention``, ``module__self_attention``). The loss is
    ``α·triplet + (1 − α)·CE`` with α = 0.3, margin M = 0.2, plain Euclidean
    distances and batch-hard triplets (liu2023 eq. 6–8, 11); Adam 1e-4, weight
    decay 1e-6, batches of 32 two-second segments.

    Parameters
    ----------
    module : torch.nn.Module class, default=CascadedAttentionNet
        The network.
    loss : {"ce", "joint", "focal", "ams"}, default="joint"
        liu2023 eq. 10.
    loss_params : dict, default={"joint": {"distance": "euclidean", "mining": "hard"}}
        With ``"joint"`` the triplet term uses plain Euclidean distances and
        batch-hard triplets (liu2023 eq. 6–8, 11); ``criterion__distance`` and
        ``criterion__mining`` override them.
    **kwargs
        Parameters of :class:`~sklearn_ser.models.SERClassifier`.
    %(see_base)s
    References
    ----------
    .. [1] liu2023: "Speech emotion recognition with cascaded attention and joint
       loss", §2.2 (eq. 1–5), §2.3 (eq. 6–11), §3.1.
    """

    def __init__(
        self,
        module=CascadedAttentionNet,
        *,
        loss: str = "joint",
        loss_params: dict | None = _LIU2023_LOSS_PARAMS,
        **kwargs,
    ):
        super().__init__(module, loss=loss, loss_params=loss_params, **kwargs)


class AttentionBLSTMClassifier(SERClassifier):
    """zhou's CNN-BLSTM with attention pooling and the additive-margin softmax loss.

    Six convolution blocks (128, 128, 64, 64, 64, 64 filters, 3×3, batch norm,
    2×2 average pooling except the last, dropout 0.25), a BLSTM of 64 per
    direction, attention pooling (Luong's multiplicative score) to a 64-d
    embedding (:class:`sklearn_ser.nn.CNNBLSTMAttention`;
    ``module__pooling="attentive_stats"`` is the paper's combined attentive
    pooling, weighted mean ⊕ weighted standard deviation, eq. 4–5).
    Additive-margin softmax on the cosine head with the best setting of Table 2,
    scale 10 and margin 0.4 (``criterion__scale``, ``criterion__margin``; the
    table searches {10, 30} × {0.1, 0.2, 0.4}), or ``loss="focal"`` with its best
    setting γ = 2, α = 2 (``criterion__gamma``, ``criterion__alpha``), or
    ``"ce"``, the paper's baseline.
    Adam 1e-4, up to 100 epochs with early stopping of patience 10; 40 log-Mel
    bands over 7.5 s windows (750 frames: shorter utterances are padded, longer
    ones cut into 7.5 s segments whose probabilities are averaged).

    Parameters
    ----------
    module : torch.nn.Module class, default=CNNBLSTMAttention
        The network.
    loss : {"ce", "joint", "focal", "ams"}, default="ams"
        zhou eq. 2 (AMS) or eq. 3 (focal).
    loss_params : dict, default=zhou's Table 2 settings
        ``{"ams": {"scale": 10.0, "margin": 0.4}, "focal": {"gamma": 2.0,
        "alpha": 2.0}}``, the best setting of each loss in zhou Table 2;
        ``criterion__*`` parameters override them.
    max_epochs : int, default=100
        zhou §4.1.
    early_stopping : int or None, default=10
        Patience on the validation loss (zhou monitors validation accuracy).
    segment_frames, train_hop, test_hop : int, default=750, 375, 375
        Window (7.5 s) and shifts.
    **kwargs
        Parameters of :class:`~sklearn_ser.models.SERClassifier`.
    %(see_base)s
    References
    ----------
    .. [1] zhou: "Discriminative feature learning with additive margin softmax,
       focal loss and attentive pooling for speech emotion recognition", §3.1–3.3,
       §4.1, Table 2.
    """

    def __init__(
        self,
        module=CNNBLSTMAttention,
        *,
        loss: str = "ams",
        loss_params: dict | None = _ZHOU_LOSS_PARAMS,
        max_epochs: int = 100,
        early_stopping: int | None = 10,
        segment_frames: int | None = 750,
        train_hop: int = 375,
        test_hop: int = 375,
        **kwargs,
    ):
        super().__init__(
            module,
            loss=loss,
            loss_params=loss_params,
            max_epochs=max_epochs,
            early_stopping=early_stopping,
            segment_frames=segment_frames,
            train_hop=train_hop,
            test_hop=test_hop,
            **kwargs,
        )


class ResNetEmbeddingClassifier(SERClassifier):
    """kumar's residual Conv1D embedding network on windows of 10 frames.

    Every utterance's 39-d MFCC + Δ + ΔΔ frames (``MFCC(n_mfcc=13, deltas=2,
    stack="features", trim_silence=True)``) are cut into windows of 10 frames
    (kumar draws 10 random windows; here every window, 10 frames apart, for
    training and all windows averaged at prediction time); residual Conv1D blocks
    with batch norm and LeakyReLU, a flatten and a fully-connected embedding
    (:class:`sklearn_ser.nn.ResNet1D`). Softmax training with SGD and a learning
    rate falling linearly from 0.05 to 0.005, early stopping with patience 15 and
    ``min_delta`` 5e-4. For kumar's second phase (triplet fine-tuning with the
    cosine distance and classification by angle) use
    :class:`~sklearn_ser.models.CosineEmbeddingClassifier`.

    Parameters
    ----------
    module : torch.nn.Module class, default=ResNet1D
        The network.
    loss : {"ce", "joint", "focal", "ams"}, default="ce"
        Softmax pre-training (kumar §III).
    optimizer : torch optimizer class, default=torch.optim.SGD
        kumar does not name the optimiser; SGD with momentum 0.9 takes its
        learning rates.
    optimizer__lr : float, default=0.05
        Starting learning rate (kumar §IV-A3).
    optimizer__momentum : float, default=0.9
        Not in the paper.
    lr_schedule : {None, "linear"}, default="linear"
        0.05 → 0.005 over ``max_epochs``.
    early_stopping : int or None, default=15
        Patience (kumar: 15 epochs, ``early_stopping_threshold`` 5e-4).
    segment_frames, train_hop, test_hop : int, default=10, 10, 5
        The 10-frame windows and their shifts.
    **kwargs
        Parameters of :class:`~sklearn_ser.models.SERClassifier`.
    %(see_base)s
    References
    ----------
    .. [1] kumar: "Triplet loss based cosine embedding for speech emotion
       recognition", §III, §IV-A3.
    """

    def __init__(
        self,
        module=ResNet1D,
        *,
        loss: str = "ce",
        optimizer=torch.optim.SGD,
        optimizer__lr: float = 0.05,
        optimizer__momentum: float = 0.9,
        lr_schedule: str | None = "linear",
        early_stopping: int | None = 15,
        segment_frames: int | None = 10,
        train_hop: int = 10,
        test_hop: int = 5,
        **kwargs,
    ):
        super().__init__(
            module,
            loss=loss,
            optimizer=optimizer,
            optimizer__lr=optimizer__lr,
            optimizer__momentum=optimizer__momentum,
            lr_schedule=lr_schedule,
            early_stopping=early_stopping,
            segment_frames=segment_frames,
            train_hop=train_hop,
            test_hop=test_hop,
            **kwargs,
        )


class TFCNNClassifier(SERClassifier):
    """li2021's time-frequency CNN over a spectrogram and a mel spectrogram.

    Two input channels (e.g. a log spectrogram and a log-mel spectrogram with the
    same number of bins, stacked), a time branch (64 kernels of 2×10) and a
    frequency branch (64 kernels of 8×2) in parallel, max pooling, a 3×3
    convolution and a fully-connected layer (:class:`sklearn_ser.nn.TFCNN`).
    Cross-entropy, Adam with learning rate 1e-3, batches of 50, dropout 0.5; li2021
    resizes each spectrogram to 256×256, here utterances are cut into windows of
    256 frames.

    Parameters
    ----------
    module : torch.nn.Module class, default=TFCNN
        The network.
    loss : {"ce", "joint", "focal", "ams"}, default="ce"
        li2021 §5.1.
    optimizer__lr : float, default=1e-3
        li2021 Table 5.1.
    batch_size : int, default=50
        li2021 Table 5.1.
    segment_frames, train_hop, test_hop : int, default=256, 128, 64
        Windows and shifts.
    **kwargs
        Parameters of :class:`~sklearn_ser.models.SERClassifier`.
    %(see_base)s
    References
    ----------
    .. [1] li2021: MSc thesis, "Speech emotion recognition with TF-CNN, spectrogram
       hashing and multi-level classification", §5.1 and its training table.
    """

    def __init__(
        self,
        module=TFCNN,
        *,
        loss: str = "ce",
        optimizer__lr: float = 1e-3,
        batch_size: int = 50,
        segment_frames: int | None = 256,
        train_hop: int = 128,
        test_hop: int = 64,
        **kwargs,
    ):
        super().__init__(
            module,
            loss=loss,
            optimizer__lr=optimizer__lr,
            batch_size=batch_size,
            segment_frames=segment_frames,
            train_hop=train_hop,
            test_hop=test_hop,
            **kwargs,
        )


for _cls in (
    CNNLSTMClassifier,
    CascadedAttentionClassifier,
    AttentionBLSTMClassifier,
    ResNetEmbeddingClassifier,
    TFCNNClassifier,
):
    if _cls.__doc__:  # None under python -OO
        _cls.__doc__ = _cls.__doc__.replace(
            "%(see_base)s", _SEE_BASE.strip("\n") + "\n"
        )
del _cls
