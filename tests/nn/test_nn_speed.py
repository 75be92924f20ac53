"""Speed changes keep the arithmetic: same weights, same outputs within rounding."""

from __future__ import annotations

import copy

import torch

from sklearn_ser.nn import CNNBLSTMAttention


def _nchw_reference(net):
    """The same network with its convolutions in the contiguous (NCHW) layout."""
    ref = copy.deepcopy(net)
    for p in ref.blocks.parameters():
        p.data = p.data.contiguous()

    def forward(x, return_attention=False):
        maps = ref.blocks(x.contiguous())
        b, c, f, t = maps.shape
        seq = maps.reshape(b, c * f, t).transpose(1, 2)
        out, (h_n, _) = ref.lstm(seq)
        from sklearn_ser.nn._base import bilstm_last_state

        z = ref.projection(out)
        emb, _ = ref.attention(z, ref.projection(bilstm_last_state(h_n)))
        return ref.classifier(emb), emb

    return ref, forward


def test_channels_last_zhou_matches_nchw_within_rounding():
    torch.manual_seed(0)
    net = CNNBLSTMAttention(n_classes=7, n_features=40, pooling="attentive_stats")
    net.eval()
    ref, forward = _nchw_reference(net)
    x = torch.randn(3, 1, 40, 96)
    with torch.no_grad():
        logits, emb = net(x)
        logits_ref, emb_ref = forward(x)
    torch.testing.assert_close(logits, logits_ref, atol=1e-5, rtol=0)
    torch.testing.assert_close(emb, emb_ref, atol=1e-5, rtol=0)


def test_training_keeps_the_contiguous_layout_bit_for_bit():
    torch.manual_seed(0)
    net = CNNBLSTMAttention(n_classes=4, n_features=40)
    net.eval()
    net.train()  # back from channels-last
    assert all(p.is_contiguous() for p in net.parameters())
    ref, forward = _nchw_reference(net)
    x = torch.randn(4, 1, 40, 64)
    torch.manual_seed(1)
    net(x)[0].square().sum().backward()
    torch.manual_seed(1)  # same dropout masks
    forward(x)[0].square().sum().backward()
    for (name, p), q in zip(net.named_parameters(), ref.parameters()):
        torch.testing.assert_close(p.grad, q.grad, atol=0, rtol=0, msg=name)


def test_eval_runs_channels_last():
    net = CNNBLSTMAttention(n_classes=4).eval()
    conv = net.blocks[0]
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    # the first block too: its weight (128, 1, 3, 3) carries channels-last strides
    assert conv.weight.stride() == (9, 1, 3, 1)
    maps = []
    conv.register_forward_hook(lambda m, i, o: maps.append(o))
    with torch.no_grad():
        net(torch.randn(2, 1, 40, 64))
    assert maps[0].is_contiguous(memory_format=torch.channels_last)
    assert not maps[0].is_contiguous()


def test_state_dict_round_trips_between_layouts():
    torch.manual_seed(0)
    net = CNNBLSTMAttention(n_classes=4).eval()
    fresh = CNNBLSTMAttention(n_classes=4).eval()
    fresh.load_state_dict({k: v.contiguous() for k, v in net.state_dict().items()})
    x = torch.randn(2, 1, 40, 64)
    with torch.no_grad():
        torch.testing.assert_close(fresh(x)[0], net(x)[0])


def test_autocast_training_runs_channels_last_close_to_float32():
    """Under bfloat16 autocast (``mixed_precision=True``) the training forward runs
    the convolutions channels-last; the loss stays within bfloat16 rounding of the
    float32 one."""
    torch.manual_seed(0)
    net = CNNBLSTMAttention(n_classes=4, n_features=40, dropout=0.0).train()
    x = torch.randn(4, 1, 40, 64)
    maps = []
    convs = [m for m in net.blocks if isinstance(m, torch.nn.Conv2d)]
    hooks = [c.register_forward_hook(lambda m, i, o: maps.append(o)) for c in convs]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = net(x)[0].float()
    for hook in hooks:
        hook.remove()
    # every block, the first one (1 input channel) included
    assert all(m.is_contiguous(memory_format=torch.channels_last)
               and not m.is_contiguous() for m in maps)
    full = net(x)[0]  # and back to the contiguous layout without autocast
    assert all(p.is_contiguous() for p in net.parameters())
    torch.testing.assert_close(low, full, atol=0.05, rtol=0.05)
