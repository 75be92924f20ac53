"""Fixtures of the ``sklearn_ser.nn`` tests: the cosine head, real or stood in."""

from __future__ import annotations

import pytest
import torch
from torch import nn


class _CosineLinearStandIn(nn.Module):
    """Stand-in with the contract of ``sklearn_ser.losses.CosineLinear``: no bias, raw
    cosines in [-1, 1] of shape (batch, out_features). Used only while the real class
    has not landed."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        unit_x = nn.functional.normalize(x, dim=1)
        unit_w = nn.functional.normalize(self.weight, dim=1)
        return nn.functional.linear(unit_x, unit_w)


@pytest.fixture
def cosine_linear(monkeypatch):
    """``sklearn_ser.losses.CosineLinear``; a stand-in patched in when it is missing."""
    import sklearn_ser.losses as losses

    if not hasattr(losses, "CosineLinear"):
        monkeypatch.setattr(losses, "CosineLinear", _CosineLinearStandIn, raising=False)
    return losses.CosineLinear
