"""Shared checks of the losses: the model output, targets, class weights, and
:func:`balanced_class_weight` (hyper-parameters: ``_parameter_constraints``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["balanced_class_weight"]


# ------------------------------------------------------------------ class vectors
def check_class_vector(owner: str, name: str, value: Any) -> torch.Tensor | None:
    """A per-class weight vector as a 1-D float tensor (``None`` stays ``None``).

    Accepts a sequence, an ndarray or a tensor of finite, non-negative numbers with at
    least one positive entry. The caller stores it as a buffer, so it follows the
    module to its device, and casts it to the dtype of the logits in ``forward``.
    float64 input stays float64, anything else becomes float32.
    """
    if value is None:
        return None
    try:
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu()
        array = np.asarray(value)
        # float64 stays float64 (no rounding of the weights of a float64 model)
        tensor = torch.as_tensor(array, dtype=torch.float64)
        dtype = torch.float64 if array.dtype == np.float64 else torch.float32
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{owner}: {name} must be None or a 1-D sequence of per-class numbers, "
            f"got {value!r}"
        ) from exc
    if tensor.ndim != 1 or tensor.numel() == 0:
        raise ValueError(
            f"{owner}: {name} must be a 1-D sequence with one entry per class, got "
            f"shape {tuple(tensor.shape)}"
        )
    if not bool(torch.isfinite(tensor).all()) or bool((tensor < 0).any()):
        raise ValueError(
            f"{owner}: {name} must hold finite, non-negative numbers, got "
            f"{tensor.tolist()}"
        )
    if not bool((tensor > 0).any()):
        raise ValueError(f"{owner}: {name} must have at least one positive entry")
    return tensor.to(dtype)


# ------------------------------------------------------------------------- inputs
def select_output(owner: str, output: Any, index: int) -> torch.Tensor:
    """Element ``index`` of a model's ``(logits, embedding)`` output, or the tensor.

    skorch hands the criterion the module output as it is. A tuple/list gives its
    element ``index`` (0: logits or cosines, 1: embedding); a one-element tuple and a
    bare tensor give that tensor, as ``SERClassifier._split_output`` reads them.
    """
    if isinstance(output, (tuple, list)):
        if len(output) == 0:
            raise ValueError(f"{owner}: got an empty tuple as model output")
        output = output[index] if len(output) > index else output[0]
    if not isinstance(output, torch.Tensor):
        raise TypeError(
            f"{owner} expects a torch.Tensor or a (logits, embedding) tuple, "
            f"got {type(output).__name__}"
        )
    if not torch.is_floating_point(output):
        raise TypeError(f"{owner} expects a floating-point tensor, got {output.dtype}")
    return output


def check_target(owner: str, target: Any, n_samples: int) -> torch.Tensor:
    """Integer class indices ``[shape=(n_samples,)]`` as an int64 tensor."""
    if not isinstance(target, torch.Tensor):
        target = torch.as_tensor(np.asarray(target))
    if target.dtype == torch.bool or target.is_floating_point() or target.is_complex():
        raise TypeError(
            f"{owner}: target must hold integer class indices, got dtype {target.dtype}"
        )
    if target.ndim != 1 or target.shape[0] != n_samples:
        raise ValueError(
            f"{owner}: target must have shape ({n_samples},) to match the batch, got "
            f"{tuple(target.shape)}"
        )
    return target.long()


def check_logits(
    owner: str, logits: torch.Tensor, target: Any, *, what: str = "logits"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Check ``[shape=(batch, n_classes)]`` scores and class indices in range."""
    if logits.ndim != 2:
        raise ValueError(
            f"{owner} expects {what} of shape (batch, n_classes), got "
            f"{tuple(logits.shape)}"
        )
    target = check_target(owner, target, logits.shape[0])
    n_classes = logits.shape[1]
    if target.numel() and (int(target.min()) < 0 or int(target.max()) >= n_classes):
        raise ValueError(
            f"{owner}: target holds class indices outside [0, {n_classes - 1}] "
            f"(min {int(target.min())}, max {int(target.max())}) for {what} of "
            f"{n_classes} classes"
        )
    return logits, target


def class_vector_for(
    owner: str, name: str, vector: torch.Tensor | None, logits: torch.Tensor
) -> torch.Tensor | None:
    """A stored per-class vector in the dtype/device of ``logits``, length-checked."""
    if vector is None:
        return None
    if vector.shape[0] != logits.shape[1]:
        raise ValueError(
            f"{owner}: {name} has {vector.shape[0]} entries but the {logits.shape[1]} "
            "scores per sample mean as many classes"
        )
    return vector.to(dtype=logits.dtype, device=logits.device)


def empty_batch_loss(scores: torch.Tensor, reduction: str) -> torch.Tensor:
    """The loss of a batch of no sample: 0 (``"mean"``, ``"sum"``) or ``(0,)``.

    torch's ``"mean"`` divides by the number of samples (or their total weight) and
    gives NaN for an empty batch; every loss of the package gives instead a zero
    still connected to ``scores`` (its gradient is zeros, never NaN), as
    pytorch-metric-learning does; ``"none"`` gives an empty per-sample tensor.
    ``scores`` ``[shape=(batch, n)]`` is the model output the loss reads (the
    triplet loss also gives this for a batch of samples but no mined triplet).
    """
    nothing = scores * 0.0
    return nothing.sum(1) if reduction == "none" else nothing.sum()


# --------------------------------------------------------------------- class weights
def balanced_class_weight(y: Any, n_classes: int | None = None) -> np.ndarray:
    """Weights ``n_samples / (n_classes * count_k)`` of integer-coded classes.

    The ``"balanced"`` rule of :func:`sklearn.utils.class_weight.compute_class_weight`
    for labels already coded ``0 .. n_classes - 1`` (as skorch's targets are): a class
    half as frequent as the average gets twice the weight, so every class contributes
    the same total weight to a weighted cross-entropy or focal loss.

    Parameters
    ----------
    y : array-like of int of shape (n_samples,)
        Class indices.
    n_classes : int, default=None
        Number of classes; ``max(y) + 1`` when ``None``.

    Returns
    -------
    weight : ndarray of shape (n_classes,), dtype float32
        Pass it as ``weight=`` to :class:`CrossEntropyLoss`, :class:`FocalLoss`,
        :class:`AdditiveMarginSoftmaxLoss` or :class:`JointLoss`.

    Raises
    ------
    ValueError
        If ``y`` is empty, not 1-D, holds negative or non-integer values, indices
        ``>= n_classes``, or leaves a class without samples (its weight would be
        infinite; scikit-learn raises as well).

    Examples
    --------
    >>> balanced_class_weight([0, 0, 0, 1])
    array([0.6666667, 2.       ], dtype=float32)
    """
    arr = np.asarray(y.detach().cpu() if isinstance(y, torch.Tensor) else y)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"balanced_class_weight: y must be a non-empty 1-D array of class indices, "
            f"got shape {arr.shape}"
        )
    if arr.dtype.kind not in "iu":
        integral = arr.dtype.kind == "f" and np.all(np.isfinite(arr))
        if not integral or np.any(arr != np.round(arr)):
            raise ValueError(
                f"balanced_class_weight: y must hold integer class indices, got dtype "
                f"{arr.dtype}"
            )
    arr = arr.astype(np.int64)
    if arr.min() < 0:
        raise ValueError(
            f"balanced_class_weight: class indices must be >= 0, got {int(arr.min())}"
        )
    if n_classes is None:
        n_classes = int(arr.max()) + 1
    elif (
        isinstance(n_classes, bool)
        or not isinstance(n_classes, (int, np.integer))
        or n_classes < 1
    ):
        raise ValueError(
            "balanced_class_weight: n_classes must be a positive int, got "
            f"{n_classes!r}"
        )
    if arr.max() >= n_classes:
        raise ValueError(
            f"balanced_class_weight: y holds index {int(arr.max())} but n_classes is "
            f"{n_classes}"
        )
    counts = np.bincount(arr, minlength=n_classes)
    if np.any(counts == 0):
        missing = np.flatnonzero(counts == 0).tolist()
        raise ValueError(
            f"balanced_class_weight: classes {missing} have no samples in y; their "
            "balanced weight would be infinite"
        )
    return (arr.size / (n_classes * counts)).astype(np.float32)
