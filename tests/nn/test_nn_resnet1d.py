"""ResNet1D (kumar §IV-A3)."""

from __future__ import annotations

import re

import pytest
import torch

from sklearn_ser.nn import ResNet1D


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_paper_input_and_eleven_weighted_layers():
    net = ResNet1D(n_classes=8)
    logits, embedding = net(torch.randn(4, 1, 39, 10))
    assert logits.shape == (4, 8) and embedding.shape == (4, 128)
    weighted = [
        m
        for name, m in net.named_modules()
        if not name.startswith("classifier")
        and isinstance(m, (torch.nn.Conv1d, torch.nn.BatchNorm1d, torch.nn.Linear))
    ]
    assert len(weighted) == 11  # kumar §IV-A3: "ResNet with 11 layers"
    assert len(net.blocks) == 2  # "... and two residual blocks"
    assert sum(isinstance(m, torch.nn.LeakyReLU) for m in net.modules()) == 5
    print(f"\nResNet1D at 1 x 39 x 10: {n_params(net):,d} parameters")


def test_features_times_channels_are_the_conv_channels():
    net = ResNet1D(n_classes=3, in_channels=3, n_features=13, n_frames=10)
    assert net.stem[0].in_channels == 39
    assert net(torch.randn(2, 3, 13, 10))[0].shape == (2, 3)


def test_frame_count_is_fixed_by_the_flatten():
    net = ResNet1D(n_classes=3)
    message = "ResNet1D expects input of shape (batch, 1, n_features=39, n_frames=10)"
    for frames in (9, 11, 20):
        with pytest.raises(ValueError, match=re.escape(message)):
            net(torch.randn(2, 1, 39, frames))
    assert net.embedding.in_features == 64 * 10


@pytest.mark.parametrize("n_blocks", [0, 1, 3])
def test_number_of_blocks(n_blocks):
    net = ResNet1D(n_classes=3, n_blocks=n_blocks, n_features=9, n_frames=6, channels=8)
    default = ResNet1D(n_classes=3, n_features=9, n_frames=6, channels=8)
    assert len(net.blocks) == n_blocks
    assert (n_params(net) < n_params(default)) == (n_blocks < 2)
    assert net(torch.randn(2, 1, 9, 6))[0].shape == (2, 3)


def test_residual_block_adds_its_input():
    block = ResNet1D(n_features=4, n_frames=5, channels=6).blocks[0].eval()
    for module in block.body:
        if isinstance(module, torch.nn.Conv1d):
            torch.nn.init.zeros_(module.weight)
    x = torch.randn(2, 6, 5)
    torch.testing.assert_close(block(x), torch.nn.functional.leaky_relu(x, 0.01))


def test_embedding_is_not_rectified():
    net = ResNet1D(n_classes=3).eval()
    with torch.no_grad():
        _, embedding = net(torch.randn(16, 1, 39, 10))
    assert (embedding < 0).any() and (embedding > 0).any()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(kernel_size=4), "kernel_size must be odd"),
        (dict(n_frames=0), r"'n_frames' parameter of ResNet1D .* Got 0"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ResNet1D(**kwargs)
