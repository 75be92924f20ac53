"""Behaviour every ``sklearn_ser.nn`` module shares, on tiny configurations."""

from __future__ import annotations

import inspect
import re

import pytest
import torch

import sklearn_ser.nn as ser_nn
from sklearn_ser.nn import (
    CNNLSTM,
    TFCNN,
    CascadedAttentionNet,
    CNNBLSTMAttention,
    DoubleLSTM,
    LayerWeightedHead,
    ResNet1D,
)

# Tiny versions of each network: (class, kwargs, in_channels, n_features, frame counts,
# expected embedding size). The frame counts start at each module's minimum.
TINY = {
    "CNNLSTM": (
        CNNLSTM,
        dict(n_features=12, conv_channels=(4, 4, 4), cnn_out_channels=8, lstm_hidden=5),
        1,
        12,
        (1, 7, 30),
        10,
    ),
    "CNNBLSTMAttention": (
        CNNBLSTMAttention,
        dict(n_features=8, conv_channels=(4, 4, 4), lstm_hidden=5, embedding_dim=6),
        1,
        8,
        (4, 9, 30),
        6,
    ),
    "CNNBLSTMAttention-stats": (
        CNNBLSTMAttention,
        dict(
            n_features=8,
            conv_channels=(4, 4, 4),
            lstm_hidden=5,
            embedding_dim=6,
            pooling="attentive_stats",
        ),
        1,
        8,
        (4, 9, 30),
        12,
    ),
    "CascadedAttentionNet": (
        CascadedAttentionNet,
        dict(
            n_features=12,
            conv_channels=(4, 4, 4),
            cnn_out_channels=8,
            reduction=2,
            lstm_hidden=4,
            n_heads=2,
        ),
        3,
        12,
        (1, 7, 30),
        8,
    ),
    "ResNet1D": (
        ResNet1D,
        dict(n_features=9, n_frames=6, channels=8, embedding_dim=10),
        1,
        9,
        (6,),
        10,
    ),
    "TFCNN": (
        TFCNN,
        dict(n_features=16, branch_channels=4, fusion_channels=4, embedding_dim=12),
        2,
        16,
        (4, 11, 30),
        12,
    ),
    "DoubleLSTM": (
        DoubleLSTM,
        dict(n_features=6, hidden_size=8),
        1,
        6,
        (1, 7, 30),
        8,
    ),
    "LayerWeightedHead": (
        LayerWeightedHead,
        dict(in_channels=3, n_features=6, hidden=5, pooling="mean+std", n_mlp=1),
        3,
        6,
        (1, 7, 30),
        5,
    ),
}
N_CLASSES = 3


def build(name: str, **extra) -> torch.nn.Module:
    cls, kwargs, *_ = TINY[name]
    return cls(n_classes=N_CLASSES, **{**kwargs, **extra})


def batch(name: str, frames: int | None = None, size: int = 3) -> torch.Tensor:
    _, _, channels, features, frame_counts, _ = TINY[name]
    frames = frame_counts[-1] if frames is None else frames
    return torch.randn(size, channels, features, frames)


def cases(with_frames: bool = False):
    if not with_frames:
        return list(TINY)
    return [(name, frames) for name, spec in TINY.items() for frames in spec[4]]


MODULE_NAMES = [
    "CNNLSTM",
    "CNNBLSTMAttention",
    "CascadedAttentionNet",
    "ResNet1D",
    "TFCNN",
    "DoubleLSTM",
    "LayerWeightedHead",
]


def test_all_exports_are_the_six_modules_their_base_and_the_cosine_head():
    assert sorted(ser_nn.__all__) == sorted([*MODULE_NAMES, "CosineLinear", "SERModule"])
    for name in ser_nn.__all__:
        assert issubclass(getattr(ser_nn, name), torch.nn.Module)


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_constructor_is_skorch_friendly(name):
    """Every argument has a default (skorch sets them by ``module__<name>``) and the
    geometry the estimators fill in is accepted under the agreed names."""
    cls = getattr(ser_nn, name)
    params = inspect.signature(cls.__init__).parameters
    for pname, param in list(params.items())[1:]:
        assert param.default is not inspect.Parameter.empty, pname
    for geometry in ("n_classes", "n_features", "in_channels", "head"):
        assert geometry in params
    assert ("n_frames" in params) == (cls is ResNet1D)
    cls()  # builds at the paper's default sizes


@pytest.mark.parametrize(("name", "frames"), cases(with_frames=True))
def test_output_shapes_for_several_frame_counts(name, frames):
    net = build(name)
    logits, embedding = net(batch(name, frames))
    assert logits.shape == (3, N_CLASSES)
    assert embedding.shape == (3, TINY[name][5])
    assert net.embedding_dim == TINY[name][5]
    assert logits.dtype == embedding.dtype == torch.float32


@pytest.mark.parametrize("name", cases())
def test_gradients_reach_every_parameter(name):
    net = build(name).train()
    logits, embedding = net(batch(name))
    target = torch.tensor([0, 1, 2])
    loss = torch.nn.functional.cross_entropy(logits, target) + embedding.pow(2).mean()
    loss.backward()
    for pname, param in net.named_parameters():
        assert param.grad is not None, f"{name}: no gradient for {pname}"
        assert torch.isfinite(param.grad).all(), f"{name}: non-finite grad {pname}"
    assert any(p.grad.abs().sum() > 0 for p in net.parameters())


@pytest.mark.parametrize("name", cases())
def test_eval_mode_is_deterministic(name):
    net = build(name).eval()
    x = batch(name)
    with torch.no_grad():
        first = net(x)
        second = net(x)
    torch.testing.assert_close(first[0], second[0], rtol=0, atol=0)
    torch.testing.assert_close(first[1], second[1], rtol=0, atol=0)


@pytest.mark.parametrize("name", cases())
def test_same_seed_same_network(name):
    torch.manual_seed(7)
    a = build(name)
    torch.manual_seed(7)
    b = build(name)
    pairs = zip(a.named_parameters(), b.named_parameters(), strict=True)
    for (pname, pa), (_, pb) in pairs:
        assert torch.equal(pa, pb), pname
    x = batch(name)
    a.eval()
    b.eval()
    with torch.no_grad():
        torch.testing.assert_close(a(x)[0], b(x)[0], rtol=0, atol=0)


@pytest.mark.parametrize("name", cases())
def test_batch_items_are_independent_in_eval(name):
    """Eval output of a sample does not depend on the rest of the batch."""
    net = build(name).eval()
    x = batch(name, size=4)
    with torch.no_grad():
        whole = net(x)[1]
        alone = net(x[1:2])[1]
    torch.testing.assert_close(whole[1:2], alone, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", cases())
def test_wrong_channels_or_features_raise_naming_expected_shape(name):
    cls, _, channels, features, frame_counts, _ = TINY[name]
    net = build(name)
    frames = frame_counts[-1]
    frames_text = f"n_frames={frames}" if cls is ResNet1D else "frames"
    expected = (
        f"{cls.__name__} expects input of shape "
        f"(batch, {channels}, n_features={features}, {frames_text})"
    )
    bad_inputs = [
        torch.randn(2, channels + 1, features, frames),
        torch.randn(2, channels, features + 1, frames),
        torch.randn(channels, features, frames),  # no batch axis
        torch.randn(2, channels, features, frames, 1),
    ]
    for bad in bad_inputs:
        with pytest.raises(ValueError, match=re.escape(expected)) as info:
            net(bad)
        assert str(tuple(bad.shape)) in str(info.value)


def test_error_message_matches_the_agreed_wording():
    net = CNNLSTM(n_classes=4, n_features=40)
    message = (
        "CNNLSTM expects input of shape (batch, 1, n_features=40, frames), "
        "got (8, 3, 40, 120)"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        net(torch.randn(8, 3, 40, 120))


@pytest.mark.parametrize("name", cases())
def test_non_tensor_and_integer_input_raise_type_error(name):
    net = build(name)
    x = batch(name)
    with pytest.raises(TypeError, match="torch.Tensor"):
        net(x.numpy())
    with pytest.raises(TypeError, match="floating-point"):
        net(x.to(torch.int64))


@pytest.mark.parametrize(
    ("name", "frames", "minimum"),
    [("CNNBLSTMAttention", 3, 4), ("TFCNN", 3, 4)],
)
def test_too_few_frames_raise_naming_the_minimum(name, frames, minimum):
    net = build(name)
    with pytest.raises(ValueError, match=f"needs at least {minimum} frames"):
        net(batch(name, frames))
    assert net.min_frames == minimum


@pytest.mark.parametrize("name", ["CNNLSTM", "CascadedAttentionNet", "DoubleLSTM"])
def test_recurrent_modules_take_a_single_frame(name):
    assert build(name).min_frames == 1


def test_nan_input_is_not_checked_by_forward():
    """NaN detection is the estimators' job; forward just propagates it."""
    net = build("CNNLSTM").eval()
    x = batch("CNNLSTM")
    x[0, 0, 0, 0] = float("nan")
    with torch.no_grad():
        logits, _ = net(x)
    assert torch.isnan(logits[0]).any()


@pytest.mark.parametrize("name", cases())
def test_bad_head_raises(name):
    with pytest.raises(ValueError, match="'head' parameter of .* must be a str among"):
        build(name, head="softmax")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(n_classes=0), ValueError, r"'n_classes' parameter .* \[1, inf\). Got 0"),
        (dict(n_features=2.5), TypeError, "'n_features' parameter of CNNLSTM must be an int"),
        (dict(in_channels=True), TypeError, "'in_channels' parameter .* not a bool"),
    ],
)
def test_bad_geometry_raises(kwargs, error, match):
    with pytest.raises(error, match=match):
        CNNLSTM(**kwargs)


@pytest.mark.parametrize("name", cases())
def test_linear_head_is_a_linear_layer(name):
    assert type(build(name).classifier) is torch.nn.Linear


@pytest.mark.parametrize("name", cases())
def test_cosine_head_outputs_lie_in_unit_interval(name):
    net = build(name, head="cosine").eval()
    assert isinstance(net.classifier, ser_nn.CosineLinear)
    with torch.no_grad():
        logits, embedding = net(batch(name) * 10)
    assert logits.shape == (3, N_CLASSES)
    assert embedding.shape == (3, TINY[name][5])
    assert (logits.abs() <= 1 + 1e-6).all()
    assert not any(
        pname.endswith("bias") and pname.startswith("classifier")
        for pname, _ in net.named_parameters()
    )
