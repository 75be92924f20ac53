"""CNNBLSTMAttention (zhou §3.1, §3.3): pooling, attention, parameter count."""

from __future__ import annotations

import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.nn import CNNBLSTMAttention

TINY = dict(n_features=8, conv_channels=(4, 4, 4), lstm_hidden=5, embedding_dim=6)

PAPER_PARAMS = 383_000  # zhou §4.3: "the same amount of 383K"
# Our count is 413 124 (+7.9 %): at the sizes the paper states, the convolutions
# (333 952) and the BLSTM (66 560) alone already exceed 383K, so the figure cannot be
# met; see the class Notes. 10 % allows that, and catches a wrong layer size (a
# BLSTM of 128 per direction, or 128 filters in a third block, land far outside).
PARAM_TOLERANCE = 0.10


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_parameter_count_is_near_the_papers_383k():
    net = CNNBLSTMAttention(n_classes=4, n_features=40)
    total = n_params(net)
    parts = {name: n_params(child) for name, child in net.named_children()}
    print(f"\nCNNBLSTMAttention at 40 log-Mel x 750 frames: {total:,d} parameters")
    for name, count in parts.items():
        print(f"  {name:<11s} {count:>9,d}")
    print(f"  paper (zhou §4.3): ~{PAPER_PARAMS:,d}; "
          f"difference {100 * (total - PAPER_PARAMS) / PAPER_PARAMS:+.1f} %")
    assert abs(total - PAPER_PARAMS) <= PARAM_TOLERANCE * PAPER_PARAMS
    # The part fixed by the sizes the paper states already passes 383K.
    assert parts["blocks"] + parts["lstm"] > PAPER_PARAMS
    # The parameter count does not depend on the number of frames.
    assert total == 413_124


def test_attentive_stats_adds_only_the_wider_classifier():
    """zhou §4.3: combined attentive pooling adds ~0.07 % parameters."""
    base = n_params(CNNBLSTMAttention(n_classes=4))
    stats = n_params(CNNBLSTMAttention(n_classes=4, pooling="attentive_stats"))
    assert stats - base == 64 * 4
    assert (stats - base) / base == pytest.approx(0.0007, abs=0.0002)


def test_conv_blocks_follow_section_3_1():
    net = CNNBLSTMAttention()
    convs = [m for m in net.blocks if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [128, 128, 64, 64, 64, 64]
    assert all(c.kernel_size == (3, 3) for c in convs)
    assert sum(isinstance(m, torch.nn.AvgPool2d) for m in net.blocks) == 5
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in net.blocks) == 6
    drops = [m for m in net.blocks if isinstance(m, torch.nn.Dropout)]
    assert len(drops) == 6 and all(d.p == 0.25 for d in drops)
    assert net.lstm.hidden_size == 64 and net.lstm.bidirectional
    assert net.lstm.input_size == 64  # 40 bands pooled five times -> 1
    assert net.embedding_dim == 64


@pytest.mark.parametrize("pooling", ["attention", "attentive_stats"])
@pytest.mark.parametrize("frames", [4, 9, 33])
def test_attention_weights_sum_to_one_over_time(pooling, frames):
    net = CNNBLSTMAttention(n_classes=3, pooling=pooling, **TINY).eval()
    with torch.no_grad():
        logits, embedding, attention = net(
            torch.randn(5, 1, 8, frames), return_attention=True
        )
    alpha = attention["pooling"]
    assert alpha.shape == (5, frames // 4)  # two 2 x 2 poolings
    assert (alpha >= 0).all()
    torch.testing.assert_close(alpha.sum(dim=1), torch.ones(5))
    assert logits.shape == (5, 3)


def test_attentive_stats_is_weighted_mean_then_std():
    torch.manual_seed(3)
    plain = CNNBLSTMAttention(n_classes=3, **TINY).eval()
    torch.manual_seed(3)
    stats = CNNBLSTMAttention(n_classes=3, pooling="attentive_stats", **TINY).eval()
    assert stats.embedding_dim == 2 * plain.embedding_dim
    x = torch.randn(4, 1, 8, 20)
    with torch.no_grad():
        _, mean_only, a_plain = plain(x, return_attention=True)
        _, combined, a_stats = stats(x, return_attention=True)
    assert combined.shape == (4, 2 * mean_only.shape[1])
    # Same weights before the head: the first half is the attention-pooled mean.
    torch.testing.assert_close(combined[:, :6], mean_only)
    torch.testing.assert_close(a_plain["pooling"], a_stats["pooling"])
    # zhou eq. 5 by hand from the weights and the projected BLSTM frames.
    with torch.no_grad():
        maps = stats.blocks(x)
        b, c, f, t = maps.shape
        out, _ = stats.lstm(maps.reshape(b, c * f, t).transpose(1, 2))
        z = stats.projection(out)
    alpha = a_stats["pooling"].unsqueeze(2)
    mu = (alpha * z).sum(1)
    sigma = ((alpha * z * z).sum(1) - mu * mu).clamp(min=0).sqrt()
    torch.testing.assert_close(combined[:, 6:], sigma, atol=1e-3, rtol=1e-4)
    assert (combined[:, 6:] >= 0).all()


def test_constant_sequence_has_near_zero_std_and_finite_gradient():
    """With identical frames the weighted variance is 0; eq. 5's max(., 0) must not
    turn into an infinite square-root gradient."""
    net = CNNBLSTMAttention(n_classes=3, pooling="attentive_stats", **TINY)
    net.eval()  # no dropout, so every pooled frame of a constant input is equal
    x = torch.ones(2, 1, 8, 16, requires_grad=True)
    logits, embedding = net(x)
    (logits.sum() + embedding.sum()).backward()
    assert torch.isfinite(x.grad).all()
    for param in net.parameters():
        assert torch.isfinite(param.grad).all()


@settings(max_examples=10, deadline=None)
@given(frames=st.integers(min_value=4, max_value=60), size=st.integers(1, 3))
def test_any_length_from_the_minimum_works(frames, size):
    torch.manual_seed(0)
    net = CNNBLSTMAttention(n_classes=2, **TINY).eval()
    with torch.no_grad():
        logits, embedding, attention = net(
            torch.randn(size, 1, 8, frames), return_attention=True
        )
    assert logits.shape == (size, 2) and embedding.shape == (size, 6)
    torch.testing.assert_close(attention["pooling"].sum(1), torch.ones(size))


def test_paper_size_needs_32_frames():
    net = CNNBLSTMAttention()
    assert net.min_frames == 32
    message = (
        "CNNBLSTMAttention needs at least 32 frames (5 average-pooling layers of 2), "
        "got input with 31 frames"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        net(torch.randn(1, 1, 40, 31))


def test_too_few_bands_for_the_pooling_stack():
    with pytest.raises(ValueError, match=r"n_features must be >= 32 .* got 16"):
        CNNBLSTMAttention(n_features=16)


def test_remaining_bands_are_folded_into_the_lstm_input():
    net = CNNBLSTMAttention(n_classes=2, n_features=17, conv_channels=(4, 4, 3))
    assert net.lstm.input_size == 3 * (17 // 4)
    logits, _ = net(torch.randn(2, 1, 17, 12))
    assert logits.shape == (2, 2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(pooling="max"), "'pooling' parameter of CNNBLSTMAttention must be a str"),
        (dict(dropout=1.0), r"'dropout' parameter .* in the range \[0.0, 1.0\)"),
        (dict(conv_channels=()), "conv_channels must name at least one block"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CNNBLSTMAttention(**kwargs)


def test_dropout_is_active_in_train_mode_only():
    net = CNNBLSTMAttention(n_classes=2, dropout=0.5, **TINY)
    x = torch.randn(2, 1, 8, 12)
    net.train()
    assert not torch.equal(net(x)[1], net(x)[1])
    net.eval()
    assert torch.equal(net(x)[1], net(x)[1])
