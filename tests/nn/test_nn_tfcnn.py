"""TFCNN (li2021 §5.1)."""

from __future__ import annotations

import pytest
import torch

from sklearn_ser.nn import TFCNN

TINY = dict(n_features=16, branch_channels=4, fusion_channels=4, embedding_dim=12)


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_kernels_follow_section_5_1():
    net = TFCNN()
    time_conv = net.time_conv[1]
    frequency_conv = net.frequency_conv[1]
    assert time_conv.kernel_size == (2, 10) and time_conv.stride == (2, 2)
    assert frequency_conv.kernel_size == (8, 2) and frequency_conv.stride == (2, 2)
    assert time_conv.out_channels == frequency_conv.out_channels == 64
    # The spectrogram alone feeds the time branch; both maps the frequency branch.
    assert time_conv.in_channels == 1 and frequency_conv.in_channels == 2
    pool = net.time_conv[3]
    assert pool.kernel_size == 2 and pool.stride == 1
    assert net.fusion[0].kernel_size == (3, 3)
    assert net.fc[1].out_features == 512 and net.fc[0].p == 0.5
    net256 = TFCNN(n_features=256)
    print(f"\nTFCNN at 2 x 256 x 256: {n_params(net256):,d} parameters")


@pytest.mark.parametrize(
    ("time_kernel", "frequency_kernel"),
    [((2, 10), (8, 2)), ((3, 5), (5, 3)), ((2, 2), (7, 4))],
)
@pytest.mark.parametrize(("features", "frames"), [(16, 4), (17, 13), (9, 30)])
def test_branch_maps_align_for_any_sizes(
    time_kernel, frequency_kernel, features, frames
):
    net = TFCNN(
        n_classes=3,
        **{**TINY, "n_features": features},
        time_kernel=time_kernel,
        frequency_kernel=frequency_kernel,
    )
    x = torch.randn(2, 2, features, frames)
    t_map = net.time_conv(x[:, :1])
    f_map = net.frequency_conv(x)
    assert t_map.shape == f_map.shape == (2, 4, features // 2 - 1, frames // 2 - 1)
    assert net(x)[0].shape == (2, 3)


@pytest.mark.parametrize("branch", ["time_branch", "frequency_branch"])
def test_each_branch_can_be_switched_off(branch):
    full = TFCNN(n_classes=3, **TINY)
    single = TFCNN(n_classes=3, **{branch: False}, **TINY)
    attribute = "time_conv" if branch == "time_branch" else "frequency_conv"
    assert getattr(single, attribute) is None
    assert n_params(single) < n_params(full)
    assert single.fusion[0].in_channels == 4
    assert single(torch.randn(2, 2, 16, 9))[1].shape == (2, 12)


def test_both_branches_off_raises():
    message = "at least one of time_branch and frequency_branch"
    with pytest.raises(ValueError, match=message):
        TFCNN(time_branch=False, frequency_branch=False)


def test_time_branch_input():
    first = TFCNN(n_classes=3, **TINY)
    every = TFCNN(n_classes=3, time_branch_input="all", **TINY)
    assert first.time_conv[1].in_channels == 1
    assert every.time_conv[1].in_channels == 2
    # With "first", the mel channel reaches the network only through the frequency
    # branch.
    first.eval()
    x = torch.randn(2, 2, 16, 9)
    y = x.clone()
    y[:, 1] += 1.0
    with torch.no_grad():
        assert torch.equal(first.time_conv(x[:, :1]), first.time_conv(y[:, :1]))
        assert not torch.equal(first(x)[0], first(y)[0])
    with pytest.raises(ValueError, match="'time_branch_input' parameter of TFCNN must be a str among"):
        TFCNN(time_branch_input="mel")


def test_single_channel_input():
    net = TFCNN(n_classes=3, in_channels=1, **TINY)
    assert net(torch.randn(2, 1, 16, 8))[0].shape == (2, 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(n_features=3), "n_features must be >= 4"),
        (dict(time_kernel=(1, 10)), r"'time_kernel' parameter .* \[2, inf\). Got 1"),
        (
            dict(frequency_kernel=(8, 2, 1)),
            r"frequency_kernel must be \(bands, frames\)",
        ),
        (dict(dropout=-0.1), r"'dropout' parameter .* \[0.0, 1.0\). Got -0.1"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TFCNN(**kwargs)
