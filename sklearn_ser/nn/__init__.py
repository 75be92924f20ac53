"""Torch modules of the five papers (torch, and scikit-learn only for the parameter
constraints; no skorch).

Every module takes a batch ``[shape=(batch, in_channels, n_features, frames)]`` and
returns ``(logits, embedding)``: logits ``[shape=(batch, n_classes)]`` (cosines in
[-1, 1] with ``head="cosine"``) and the embedding ``[shape=(batch, embedding_dim)]``
on which metric losses act. :class:`CosineLinear` is the cosine head
(``head="cosine"``) that margin losses such as the additive-margin softmax need.
Pass the classes, not instances, to the estimators of
:mod:`sklearn_ser.models`; they fill in the sizes that come from the data, which
each module declares in ``data_params`` (``n_classes``, ``in_channels``,
``n_features``; ``n_frames`` for :class:`ResNet1D`). :class:`SERModule` is the base
class and writes out this contract, which a network of your own follows too.

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
from ._heads import CosineLinear
from ._layer_weighted import LayerWeightedHead
from ._resnet1d import ResNet1D
from ._base import SERModule
from ._tfcnn import TFCNN

__all__ = [
    "CNNBLSTMAttention",
    "CNNLSTM",
    "CascadedAttentionNet",
    "CosineLinear",
    "DoubleLSTM",
    "LayerWeightedHead",
    "ResNet1D",
    "SERModule",
    "TFCNN",
]
