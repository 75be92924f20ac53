"""DoubleLSTM (li2021 §5.2)."""

from __future__ import annotations

import warnings

import pytest
import torch

from sklearn_ser.nn import DoubleLSTM


def test_paper_sizes():
    net = DoubleLSTM()
    assert net.lstm.hidden_size == 256 and net.lstm.num_layers == 2
    assert net.lstm.dropout == 0.5 and not net.lstm.bidirectional
    assert net.embedding_dim == 256


def test_channels_and_features_are_the_input_vector():
    net = DoubleLSTM(n_classes=3, in_channels=2, n_features=5, hidden_size=8)
    assert net.lstm.input_size == 10
    logits, embedding = net(torch.randn(4, 2, 5, 7))
    assert logits.shape == (4, 3) and embedding.shape == (4, 8)


def test_embedding_is_the_top_layers_final_state():
    net = DoubleLSTM(n_classes=3, n_features=6, hidden_size=8).eval()
    x = torch.randn(3, 1, 6, 11)
    with torch.no_grad():
        _, embedding = net(x)
        output, _ = net.lstm(x.reshape(3, 6, 11).transpose(1, 2))
    torch.testing.assert_close(embedding, output[:, -1])


def test_dropout_in_train_mode_only():
    net = DoubleLSTM(n_classes=3, n_features=6, hidden_size=8)
    x = torch.randn(3, 1, 6, 11)
    net.train()
    assert not torch.equal(net(x)[0], net(x)[0])
    net.eval()
    assert torch.equal(net(x)[0], net(x)[0])


@pytest.mark.parametrize("num_layers", [1, 3])
def test_number_of_layers(num_layers):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no torch warning about dropout on 1 layer
        net = DoubleLSTM(
            n_classes=3, n_features=6, hidden_size=8, num_layers=num_layers
        )
    assert net.lstm.num_layers == num_layers
    assert net(torch.randn(2, 1, 6, 5))[1].shape == (2, 8)
