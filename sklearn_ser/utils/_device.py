"""Which torch device ``device="auto"`` means on this machine."""

from __future__ import annotations

__all__ = ["resolve_device"]


def resolve_device(device):
    """The torch device ``device`` names: ``"auto"`` is CUDA when available, else
    Apple's MPS when available, else the CPU; anything else is returned as given.

    Examples
    --------
    >>> from sklearn_ser.utils._device import resolve_device
    >>> resolve_device("cpu")
    'cpu'
    """
    if device != "auto":
        return device
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"
