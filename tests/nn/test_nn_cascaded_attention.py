"""CascadedAttentionNet (liu2023 §2.2): attention stages, ablation switches."""

from __future__ import annotations

import pytest
import torch

from sklearn_ser.nn import CascadedAttentionNet

TINY = dict(
    n_features=12,
    conv_channels=(4, 4, 4),
    cnn_out_channels=8,
    reduction=2,
    lstm_hidden=4,
    n_heads=2,
)
SWITCHES = ("channel_attention", "spatial_attention", "self_attention")
SUBMODULE = {
    "channel_attention": "channel_gate",
    "spatial_attention": "spatial_gate",
    "self_attention": "self_attn",
}
ATTENTION_KEY = {
    "channel_attention": "channel",
    "spatial_attention": "spatial",
    "self_attention": "self",
}


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_paper_layers_follow_table_1():
    net = CascadedAttentionNet()
    convs = [m for m in net.cnn.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [tuple(c.weight.shape) for c in convs] == [
        (8, 3, 3, 3),
        (16, 8, 3, 3),
        (32, 16, 3, 3),
        (64, 32, 40, 1),
    ]
    assert net.lstm.hidden_size == 32 and net.lstm.bidirectional
    assert net.embedding_dim == 64
    print(f"\nCascadedAttentionNet at 3 x 40 x 200: {n_params(net):,d} parameters")


@pytest.mark.parametrize("switch", SWITCHES)
def test_each_switch_removes_its_stage_and_still_runs(switch):
    full = CascadedAttentionNet(n_classes=3, **TINY)
    ablated = CascadedAttentionNet(n_classes=3, **{switch: False}, **TINY)
    assert getattr(full, SUBMODULE[switch]) is not None
    assert getattr(ablated, SUBMODULE[switch]) is None
    assert n_params(ablated) < n_params(full)
    x = torch.randn(3, 3, 12, 9)
    logits, embedding, attention = ablated(x, return_attention=True)
    assert logits.shape == (3, 3) and embedding.shape == (3, 8)
    assert ATTENTION_KEY[switch] not in attention
    assert set(attention) == {ATTENTION_KEY[s] for s in SWITCHES if s != switch}
    (logits.sum() + embedding.sum()).backward()
    assert all(p.grad is not None for p in ablated.parameters())


def test_all_stages_off_is_a_plain_cnn_blstm():
    net = CascadedAttentionNet(
        n_classes=3,
        channel_attention=False,
        spatial_attention=False,
        self_attention=False,
        **TINY,
    )
    names = {name for name, _ in net.named_children()}
    assert names == {"cnn", "lstm", "classifier"}
    logits, embedding, attention = net(torch.randn(2, 3, 12, 5), return_attention=True)
    assert attention == {} and logits.shape == (2, 3)


@pytest.mark.parametrize("in_channels", [1, 2, 3])
def test_in_channels_is_the_mfcc_delta_ablation(in_channels):
    """liu2023 Table 2: drop MFCC, Δ or ΔΔ from the 3-channel input."""
    net = CascadedAttentionNet(n_classes=3, in_channels=in_channels, **TINY)
    first = next(m for m in net.cnn.modules() if isinstance(m, torch.nn.Conv2d))
    assert first.in_channels == in_channels
    logits, _ = net(torch.randn(2, in_channels, 12, 6))
    assert logits.shape == (2, 3)
    expected = f"expects input of shape \\(batch, {in_channels},"
    with pytest.raises(ValueError, match=expected):
        net(torch.randn(2, in_channels + 1, 12, 6))


@pytest.mark.parametrize("frames", [1, 6, 25])
def test_attention_weights(frames):
    net = CascadedAttentionNet(n_classes=3, **TINY).eval()
    with torch.no_grad():
        _, _, attention = net(torch.randn(4, 3, 12, frames), return_attention=True)
    channel, spatial = attention["channel"], attention["spatial"]
    self_attn = attention["self"]
    assert channel.shape == (4, 8)
    assert spatial.shape == (4, frames)
    assert ((channel > 0) & (channel < 1)).all()
    assert ((spatial > 0) & (spatial < 1)).all()
    assert self_attn.shape == (4, 2, frames, frames)
    assert (self_attn >= 0).all()
    # liu2023 eq. 3: softmax over the frames attended to.
    torch.testing.assert_close(self_attn.sum(-1), torch.ones(4, 2, frames))


def test_head_fusion_is_the_mean_of_heads():
    """liu2023 eq. 5: X_m = Σ_j X_j^attn / n_head, then global average pooling."""
    net = CascadedAttentionNet(n_classes=3, **TINY).eval()
    x = torch.randn(2, 3, 12, 7)
    with torch.no_grad():
        _, embedding, attention = net(x, return_attention=True)
        f0 = net.cnn(x)
        f1 = f0 * attention["channel"][:, :, None, None]
        f2 = f1 * attention["spatial"][:, None, None, :]
        sequence, _ = net.lstm(torch.relu(f0 + f2).squeeze(2).transpose(1, 2))
        values = net.self_attn.value(sequence).view(2, 7, 2, 8).transpose(1, 2)
        heads = attention["self"] @ values  # (batch, heads, frames, dim)
    torch.testing.assert_close(embedding, heads.mean(dim=1).mean(dim=1))


def test_channel_attention_is_the_cbam_form_of_eq_1():
    net = CascadedAttentionNet(n_classes=3, **TINY).eval()
    f0 = torch.randn(2, 8, 1, 5)
    gate = net.channel_gate
    shared = gate.shared
    expected = torch.sigmoid(shared(f0.mean((2, 3))) + shared(f0.amax((2, 3))))
    torch.testing.assert_close(gate(f0), expected)
    assert gate.shared[0].out_features == 8 // 2  # reduction ratio


def test_spatial_kernel_spans_seven_frames():
    net = CascadedAttentionNet()
    assert net.spatial_gate.conv.kernel_size == (1, 7)
    assert net.spatial_gate.conv.in_channels == 2  # [Avg(F1); Max(F1)]
    with pytest.raises(ValueError, match="spatial_kernel_size must be odd"):
        CascadedAttentionNet(spatial_kernel_size=6)


def test_switches_are_stored_as_given():
    net = CascadedAttentionNet(channel_attention=False, self_attention=False)
    switches = (net.channel_attention, net.spatial_attention, net.self_attention)
    assert switches == (False, True, False)
