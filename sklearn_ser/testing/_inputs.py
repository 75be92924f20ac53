"""What :func:`check_loss` feeds a loss: kinds, batches, calling conventions."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import torch
from hypothesis import strategies as st

from . import strategies as S

KINDS = ("metric", "classification", "cosine", "joint")

# Which arrays a batch of each kind holds (besides the labels).
PARTS = {
    "metric": ("embeddings",),
    "classification": ("logits",),
    "cosine": ("cosines",),
    "joint": ("logits", "embeddings"),
}
# Scores of the "generic" batches stay moderate: continuous losses, well conditioned.
_GENERIC_MAGNITUDE = 30.0


def forward_parameters(loss: Any) -> list[str]:
    """Names of the required positional parameters of ``loss.forward`` (or of the
    callable itself)."""
    target = loss.forward if isinstance(loss, torch.nn.Module) else loss
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return []
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [
        p.name for p in signature.parameters.values()
        if p.kind in kinds and p.default is inspect.Parameter.empty
    ]


def guess_kind(loss: Any) -> str:
    """The kind a forward signature suggests.

    Three or more required arguments (``logits, embeddings, labels``): ``"joint"``.
    Otherwise the first argument's name: ``emb...``/``feat...`` → ``"metric"``,
    ``cos...`` → ``"cosine"``, anything else (``input``, ``logits``: torch's
    criterion convention) → ``"classification"``.
    """
    names = [n.lower() for n in forward_parameters(loss)]
    if len(names) >= 3:
        return "joint"
    first = names[0] if names else ""
    if first.startswith(("emb", "feat")):
        return "metric"
    if first.startswith("cos"):
        return "cosine"
    return "classification"


def call(loss: Any, kind: str, tensors: dict[str, torch.Tensor],
         target: torch.Tensor) -> Any:
    """Call ``loss`` on a batch the way its kind and signature expect.

    A joint loss whose forward takes three arguments gets ``(logits, embeddings,
    labels)``; one that takes two gets skorch's ``((logits, embeddings), labels)``.
    """
    if kind == "joint":
        if len(forward_parameters(loss)) >= 3:
            return loss(tensors["logits"], tensors["embeddings"], target)
        return loss((tensors["logits"], tensors["embeddings"]), target)
    (part,) = PARTS[kind]
    return loss(tensors[part], target)


def to_tensors(batch: dict[str, np.ndarray], *, dtype: torch.dtype | None = None,
               device: Any = "cpu", grad: bool = False
               ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Leaf tensors of a batch (``dtype=None`` keeps each array's dtype)."""
    tensors = {}
    for name, array in batch.items():
        if name == "labels":
            continue
        t = torch.as_tensor(np.array(array), device=device)
        t = t.to(dtype) if dtype is not None else t
        tensors[name] = t.detach().requires_grad_(grad)
    target = torch.as_tensor(np.array(batch["labels"]), device=device)
    return tensors, target


# --------------------------------------------------------------------- strategies
@st.composite
def _joint(draw, embeddings, magnitude: float, n_classes: int | None):
    x, y = draw(embeddings)
    if n_classes is None:
        present = int(y.max()) + 1 if len(y) else 1
        n_classes = max(2, present + draw(st.integers(0, 2)))
    scores = S._score_rows(draw, len(y), n_classes, magnitude).astype(x.dtype)
    return {"logits": scores, "embeddings": x, "labels": y}


def _named(strategy, name: str):
    return strategy.map(lambda xy: {name: xy[0], "labels": xy[1]})


def batches(kind: str, *, degenerate: bool, n_classes: int | None = None,
            max_size: int = 12):
    """Batches of 1 to ``max_size`` samples for a kind, as dicts of arrays.

    ``degenerate=True``: duplicates, zero vectors, norms 1e-30 to 1e4, scores up to
    1e4, float32 or float64. ``degenerate=False``: continuous float64 values of
    moderate size (scores up to 30), where a well-defined loss is smooth almost
    everywhere. ``n_classes``: the number of score columns (labels below it);
    ``None`` draws 2 to 5.
    """
    size = {"min_size": 1, "max_size": max_size}
    labels = {"max_classes": n_classes or 5}
    columns = {"min_classes": n_classes or 2, "max_classes": n_classes or 5}
    if degenerate:
        emb = S.embedding_batches(dtype=None, **size, **labels)
        magnitude = 1e4
    else:
        emb = S.generic_embeddings(dtype=np.float64, **size, **labels)
        magnitude = _GENERIC_MAGNITUDE
    dtype = None if degenerate else np.float64
    if kind == "metric":
        return _named(emb, "embeddings")
    if kind == "classification":
        scores = S.logits(magnitude=magnitude, dtype=dtype, **size, **columns)
        return _named(scores, "logits")
    if kind == "cosine":
        return _named(S.cosine_matrices(dtype=dtype, **size, **columns), "cosines")
    return _joint(emb, magnitude, n_classes)
