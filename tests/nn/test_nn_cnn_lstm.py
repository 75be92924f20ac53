"""CNNLSTM (liu2021 §2.1, Table 1)."""

from __future__ import annotations

import pytest
import torch

from sklearn_ser.nn import CNNLSTM

TINY = dict(n_features=12, conv_channels=(4, 4, 4), cnn_out_channels=8, lstm_hidden=5)


def test_layers_follow_table_1():
    net = CNNLSTM(n_classes=4, n_features=40)
    convs = [m for m in net.cnn.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [tuple(c.weight.shape) for c in convs] == [
        (8, 1, 3, 3),
        (16, 8, 3, 3),
        (32, 16, 3, 3),
        (32, 32, 40, 1),  # Table 1's (26, 1) is the full height of the input
    ]
    assert [c.padding for c in convs] == [(1, 1)] * 3 + [(0, 0)]
    norms = [m for m in net.cnn.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert len(norms) == 4  # §2.1: batch normalisation after each convolution
    assert net.lstm.hidden_size == 32 and net.lstm.bidirectional
    n = sum(p.numel() for p in net.parameters())
    print(f"\nCNNLSTM at 1 x 40 x 200: {n:,d} parameters")


@pytest.mark.parametrize("frames", [1, 5, 40])
def test_frequency_collapses_and_frames_are_kept(frames):
    net = CNNLSTM(n_classes=3, **TINY)
    maps = net.cnn(torch.randn(2, 1, 12, frames))
    assert maps.shape == (2, 8, 1, frames)


def test_last_pooling_is_final_forward_and_backward_state():
    net = CNNLSTM(n_classes=3, pooling="last", **TINY).eval()
    x = torch.randn(3, 1, 12, 9)
    with torch.no_grad():
        _, embedding = net(x)
        output, _ = net.lstm(net.cnn(x).squeeze(2).transpose(1, 2))
    expected = torch.cat([output[:, -1, :5], output[:, 0, 5:]], dim=1)
    torch.testing.assert_close(embedding, expected)


def test_mean_pooling_averages_the_bilstm_output():
    net = CNNLSTM(n_classes=3, pooling="mean", **TINY).eval()
    x = torch.randn(3, 1, 12, 9)
    with torch.no_grad():
        logits, embedding = net(x)
        output, _ = net.lstm(net.cnn(x).squeeze(2).transpose(1, 2))
    torch.testing.assert_close(embedding, output.mean(dim=1))
    torch.testing.assert_close(logits, net.classifier(embedding))


def test_pooling_choice_changes_output_not_parameters():
    torch.manual_seed(1)
    last = CNNLSTM(n_classes=3, **TINY).eval()
    torch.manual_seed(1)
    mean = CNNLSTM(n_classes=3, pooling="mean", **TINY).eval()
    assert sum(p.numel() for p in last.parameters()) == sum(
        p.numel() for p in mean.parameters()
    )
    x = torch.randn(2, 1, 12, 6)
    with torch.no_grad():
        assert not torch.allclose(last(x)[1], mean(x)[1])


def test_bad_pooling_raises():
    message = "'pooling' parameter of CNNLSTM must be a str among .*'max'"
    with pytest.raises(ValueError, match=message):
        CNNLSTM(pooling="max")


def test_more_input_channels():
    net = CNNLSTM(n_classes=3, in_channels=3, **TINY)
    assert net(torch.randn(2, 3, 12, 4))[0].shape == (2, 3)
