"""Torch modules of the five papers (pure torch; no sklearn or skorch).

Every module takes a batch ``[shape=(batch, in_channels, n_features, frames)]`` and
returns ``(logits, embedding)``: logits ``[shape=(batch, n_classes)]`` (cosines in
[-1, 1] with ``head="cosine"``) and the embedding ``[shape=(batch, embedding_dim)]``
on which metric losses act. Pass the classes, not instances, to the estimators of
:mod:`sklearn_ser.models`; they fill in ``n_classes``, ``in_channels``,
``n_features`` (and ``n_frames`` where a module takes it) from the data.

================================  =====================  ==============================
module                            paper                  input
================================  =====================  ==============================
:class:`CNNLSTM`                  liu2021 §2.1           1 x MFCC x frames
:class:`CNNBLSTMAttention`        zhou §3.1, §3.3        1 x log-Mel (>= 32) x frames
:class:`CascadedAttentionNet`     liu2023 §2.2           3 x MFCC/Δ/ΔΔ x frames
:class:`ResNet1D`                 kumar §IV-A3           1 x 39 x 10 (fixed frames)
:class:`TFCNN`                    li2021 §5.1            2 x spectrogram/mel x frames
:class:`DoubleLSTM`               li2021 §5.2            channels x features x frames
:class:`LayerWeightedHead`        SUPERB §3              layers x dim x frames
================================  =====================  ==============================
"""

from ._cascaded_attention import CascadedAttentionNet
from ._cnn_blstm_attention import CNNBLSTMAttention
from ._cnn_lstm import CNNLSTM
from ._double_lstm import DoubleLSTM
from ._layer_weighted import LayerWeightedHead
from ._resnet1d import ResNet1D
from ._tfcnn import TFCNN

__all__ = [
    "CNNBLSTMAttention",
    "CNNLSTM",
    "CascadedAttentionNet",
    "DoubleLSTM",
    "LayerWeightedHead",
    "ResNet1D",
    "TFCNN",
]
