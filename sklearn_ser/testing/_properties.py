"""The properties :func:`check_loss` runs, one function each.

Each ``check_<name>(ctx)`` returns ``(strategy, body)``: ``body(example)`` raises
:class:`PropertyViolation` (an AssertionError) saying what went wrong on that
example; the runner lets hypothesis search and shrink.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from hypothesis import strategies as st

from . import strategies as S
from ._inputs import PARTS, batches, call, to_tensors


class PropertyViolation(AssertionError):
    """A loss broke a property on one example."""


@dataclass
class Context:
    loss: Any
    kind: str
    reference: Callable | None
    invariances: tuple[str, ...]
    margin: str | None
    devices: tuple[str, ...]
    max_examples: int
    n_classes: int | None = None
    notes: list[str] = field(default_factory=list)


def _show(batch: dict[str, np.ndarray]) -> str:
    return "; ".join(f"{k}={np.array(v).tolist()!r}" for k, v in batch.items())


def _values(out: Any, what: str) -> torch.Tensor:
    if not isinstance(out, torch.Tensor):
        raise PropertyViolation(f"{what} returned {type(out).__name__}, not a Tensor")
    return out.detach()


def _forward(ctx: Context, batch: dict, *, loss: Any = None, dtype=None,
             device: Any = "cpu", grad: bool = False):
    tensors, target = to_tensors(batch, dtype=dtype, device=device, grad=grad)
    out = call(ctx.loss if loss is None else loss, ctx.kind, tensors, target)
    return out, tensors


def _close(a: torch.Tensor, b: torch.Tensor, *, rtol: float, atol: float) -> bool:
    a, b = a.double().cpu(), b.double().cpu()
    return a.shape == b.shape and bool(torch.allclose(a, b, rtol=rtol, atol=atol))


def _fmt(t: torch.Tensor) -> str:
    return repr(t.double().cpu().tolist())


def _check_agree(got, expected, batch, *, what: str, rtol: float, atol: float,
                 perm: np.ndarray | None = None) -> None:
    if perm is not None and got.ndim == 1 and got.shape[0] == len(perm):
        expected = expected[torch.as_tensor(perm)]  # per-sample values follow samples
    if not _close(got, expected, rtol=rtol, atol=atol):
        raise PropertyViolation(
            f"{what}: {_fmt(got)} != {_fmt(expected)} (rtol={rtol}, atol={atol}) "
            f"on {_show(batch)}"
        )


# ------------------------------------------------------------------- properties
def check_finite_non_negative(ctx: Context):
    def body(batch):
        out = _values(_forward(ctx, batch)[0], "the loss")
        if not bool(torch.isfinite(out).all()):
            raise PropertyViolation(f"the loss is not finite: {_fmt(out)} on "
                                    f"{_show(batch)}")
        tol = 8 * torch.finfo(out.dtype).eps if out.is_floating_point() else 0
        if bool((out < -tol).any()):
            raise PropertyViolation(f"the loss is negative: {_fmt(out)} on "
                                    f"{_show(batch)}")
    return batches(ctx.kind, degenerate=True, n_classes=ctx.n_classes), body


def check_finite_gradients(ctx: Context):
    def body(batch):
        out, tensors = _forward(ctx, batch, grad=True)
        _values(out, "the loss")
        if not out.requires_grad:
            raise PropertyViolation(f"the loss is not connected to its input (no "
                                    f"grad_fn) on {_show(batch)}")
        out.sum().backward()
        for name, t in tensors.items():
            if t.grad is not None and not bool(torch.isfinite(t.grad).all()):
                raise PropertyViolation(
                    f"the gradient with respect to the {name} is not finite: "
                    f"{_fmt(t.grad)} on {_show(batch)}"
                )
    return batches(ctx.kind, degenerate=True, n_classes=ctx.n_classes), body


def check_permutation_invariance(ctx: Context):
    generic = batches(ctx.kind, degenerate=False, n_classes=ctx.n_classes)
    strategy = st.tuples(generic, st.integers(0, 2**32 - 1))

    def body(example):
        batch, seed = example
        perm = np.random.default_rng(seed).permutation(len(batch["labels"]))
        moved = {k: np.asarray(v)[perm] for k, v in batch.items()}
        out = _values(_forward(ctx, batch)[0], "the loss")
        out_p = _values(_forward(ctx, moved)[0], "the loss")
        _check_agree(out_p, out, batch, perm=perm, rtol=1e-6, atol=1e-9,
                     what=f"after permuting the batch by {perm.tolist()}")
    return strategy, body


def _translate(kind: str, batch: dict, rng: np.random.Generator, shift: float):
    moved = dict(batch)
    if "embeddings" in batch:  # one vector added to every embedding
        emb = np.asarray(batch["embeddings"])
        moved["embeddings"] = emb + shift * rng.normal(size=emb.shape[1])
    for name in ("logits", "cosines"):
        if name in batch:  # one constant added to each row of scores
            scores = np.asarray(batch[name])
            moved[name] = scores + shift * rng.normal(size=(scores.shape[0], 1))
    return moved


def _rescale(kind: str, batch: dict, rng: np.random.Generator, shift: float):
    moved = dict(batch)
    emb = np.asarray(batch["embeddings"])  # each embedding by its own factor > 0
    moved["embeddings"] = emb * np.exp(rng.uniform(-5, 5, size=(emb.shape[0], 1)))
    return moved


def _invariance(ctx: Context, transform, description: str):
    strategy = st.tuples(
        batches(ctx.kind, degenerate=False, n_classes=ctx.n_classes),
        st.integers(0, 2**32 - 1),
        st.floats(-100.0, 100.0),
    )

    def body(example):
        batch, seed, shift = example
        moved = transform(ctx.kind, batch, np.random.default_rng(seed), shift)
        out = _values(_forward(ctx, batch)[0], "the loss")
        out_m = _values(_forward(ctx, moved)[0], "the loss")
        _check_agree(out_m, out, batch, rtol=1e-6, atol=1e-9,
                     what=f"after {description} ({_show(moved)})")
    return strategy, body


def check_translation_invariance(ctx: Context):
    what = {
        "metric": "adding one vector to every embedding",
        "classification": "adding a constant to each row of logits",
        "cosine": "adding a constant to each row of cosines",
        "joint": "adding one vector to every embedding and a constant to each row "
                 "of logits",
    }[ctx.kind]
    return _invariance(ctx, _translate, what)


def check_scale_invariance(ctx: Context):
    return _invariance(ctx, _rescale, "scaling each embedding by its own factor")


def margin_value(ctx: Context) -> float | None:
    value = getattr(ctx.loss, ctx.margin, None) if ctx.margin else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


@st.composite
def _separated(draw, margin: float, n_classes: int | None):
    y = draw(S.labels(min_size=1, max_size=12, max_classes=n_classes or 5))
    n_classes = int(y.max()) + 1
    dim = n_classes + draw(st.integers(0, 2))
    radius = 10.0 * (1.0 + margin)
    return {"embeddings": radius * np.eye(n_classes, dim)[y], "labels": y}


def check_separated_zero(ctx: Context):
    def body(batch):
        out = _values(_forward(ctx, batch)[0], "the loss")
        if not bool((out.abs() <= 1e-6).all()):
            raise PropertyViolation(
                f"the loss is {_fmt(out)}, not 0, on perfectly separated classes "
                f"(each class one point, classes on orthogonal axes): {_show(batch)}"
            )
    return _separated(margin_value(ctx) or 0.0, ctx.n_classes), body


def _with_margin(loss: Any, name: str, value: float) -> Any:
    changed = copy.deepcopy(loss)
    setattr(changed, name, value)
    if getattr(changed, "reduction", None) == "mean":
        # A mean over the elements the margin selects (hard+semihard mining) may
        # fall when a larger margin admits new, small terms; the sum may not.
        changed.reduction = "sum"
    return changed


def check_margin_monotonic(ctx: Context):
    high = max(1.0, 2.0 * (margin_value(ctx) or 0.0))
    pair = st.lists(st.floats(0.0, high), min_size=2, max_size=2, unique=True)
    generic = batches(ctx.kind, degenerate=False, n_classes=ctx.n_classes)
    strategy = st.tuples(generic, pair)

    def body(example):
        batch, (a, b) = example
        small, large = min(a, b), max(a, b)
        low = _values(_forward(ctx, batch, loss=_with_margin(ctx.loss, ctx.margin,
                                                             small))[0], "the loss")
        up = _values(_forward(ctx, batch, loss=_with_margin(ctx.loss, ctx.margin,
                                                            large))[0], "the loss")
        if not bool((up >= low - 1e-9 * (1 + low.abs())).all()):
            raise PropertyViolation(
                f"the loss falls from {_fmt(low)} at {ctx.margin}={small!r} to "
                f"{_fmt(up)} at {ctx.margin}={large!r} on {_show(batch)}"
            )
    return strategy, body


def check_reference_agreement(ctx: Context):
    def body(batch):
        out, tensors = _forward(ctx, batch, grad=True)
        ref_tensors, target = to_tensors(batch, grad=True)
        expected = call(ctx.reference, ctx.kind, ref_tensors, target)
        _check_agree(_values(out, "the loss"), _values(expected, "the reference"),
                     batch, what="loss != reference", rtol=1e-6, atol=1e-9)
        if not (out.requires_grad and expected.requires_grad):
            return
        out.sum().backward()
        expected.sum().backward()
        for name, t in tensors.items():
            zero = torch.zeros_like(t)
            got = t.grad if t.grad is not None else zero
            want = ref_tensors[name].grad
            want = want if want is not None else zero
            _check_agree(got, want, batch, rtol=1e-5, atol=1e-8,
                         what=f"gradient with respect to the {name} != reference's")
    return batches(ctx.kind, degenerate=False, n_classes=ctx.n_classes), body


def check_float32_float64_agreement(ctx: Context):
    def body(batch):
        # The float64 run gets the float32-rounded inputs: only arithmetic differs.
        batch = {k: (np.asarray(v).astype(np.float32) if k != "labels" else v)
                 for k, v in batch.items()}
        out32 = _values(_forward(ctx, batch, dtype=torch.float32)[0], "the loss")
        out64 = _values(_forward(ctx, batch, dtype=torch.float64)[0], "the loss")
        scale = 1.0
        for name in PARTS[ctx.kind]:
            size = 1.0 + float(np.abs(batch[name]).max(initial=0.0))
            scale = max(scale, size**2 if name == "embeddings" else size)
        _check_agree(out32, out64, batch, rtol=1e-4, atol=1e-5 * scale,
                     what="float32 != float64")
    return batches(ctx.kind, degenerate=False, n_classes=ctx.n_classes), body


def check_dtype_device_preserved(ctx: Context):
    def body(batch):
        for device in ctx.devices:
            loss = copy.deepcopy(ctx.loss)
            if isinstance(loss, torch.nn.Module):
                loss = loss.to(device)
            for dtype in (torch.float32, torch.float64):
                out, tensors = _forward(ctx, batch, loss=loss, dtype=dtype,
                                        device=device, grad=True)
                _values(out, "the loss")
                where = f"for {dtype} input on {device}"
                if out.dtype != dtype or out.device.type != torch.device(device).type:
                    raise PropertyViolation(
                        f"the loss is {out.dtype} on {out.device} {where}, on "
                        f"{_show(batch)}"
                    )
                if out.requires_grad:
                    out.sum().backward()
                for name, t in tensors.items():
                    if t.grad is not None and t.grad.dtype != dtype:
                        raise PropertyViolation(
                            f"the gradient of the {name} is {t.grad.dtype} {where}"
                        )
    return batches(ctx.kind, degenerate=False, n_classes=ctx.n_classes), body


PROPERTIES = {
    "finite_non_negative": check_finite_non_negative,
    "finite_gradients": check_finite_gradients,
    "permutation_invariance": check_permutation_invariance,
    "translation_invariance": check_translation_invariance,
    "scale_invariance": check_scale_invariance,
    "separated_zero": check_separated_zero,
    "margin_monotonic": check_margin_monotonic,
    "reference_agreement": check_reference_agreement,
    "float32_float64_agreement": check_float32_float64_agreement,
    "dtype_device_preserved": check_dtype_device_preserved,
}


def not_applicable(ctx: Context, name: str) -> str | None:
    """Why property ``name`` does not apply to ``ctx``, or None when it does."""
    if name == "translation_invariance" and "translation" not in ctx.invariances:
        return "no translation invariance claimed (invariances=)"
    if name == "scale_invariance" and "scale" not in ctx.invariances:
        return "no scale invariance claimed (invariances=)"
    if name == "separated_zero" and ctx.kind != "metric":
        return f"only for metric losses, this one is {ctx.kind!r}"
    if name == "margin_monotonic" and margin_value(ctx) is None:
        return (f"no real-valued attribute {ctx.margin!r}" if ctx.margin
                else "margin=None")
    if name == "reference_agreement" and ctx.reference is None:
        return "no reference given"
    return None

