""":func:`check_loss` and :func:`parametrize_with_loss_checks`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import torch
from hypothesis import HealthCheck, Phase, given, seed, settings

from ._inputs import KINDS, forward_parameters, guess_kind
from ._properties import PROPERTIES, Context, PropertyViolation, not_applicable

__all__ = ["check_loss", "parametrize_with_loss_checks", "CHECKS"]

#: Names of the properties, in the order :func:`check_loss` runs them.
CHECKS = tuple(PROPERTIES)
INVARIANCES = ("translation", "scale")
DEFAULT_MAX_EXAMPLES = 50

_HEALTH = [
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
]


def describe(loss: Any) -> str:
    """``TripletLoss(margin=0.2, ...)`` for a module, the name of a function."""
    if isinstance(loss, torch.nn.Module):
        shown = loss.extra_repr()
        if not shown:  # e.g. torch's own losses: their plain attributes
            simple = (bool, int, float, str)
            shown = ", ".join(
                f"{k}={v!r}" for k, v in vars(loss).items()
                if not k.startswith("_") and k != "training" and isinstance(v, simple)
            )
        return f"{type(loss).__name__}({shown})"
    return getattr(loss, "__name__", None) or repr(loss)


def _context(loss, *, kind=None, reference=None, max_examples=DEFAULT_MAX_EXAMPLES,
             invariances=(), margin="margin", devices=None, n_classes=None,
             ) -> Context:
    if not callable(loss):
        raise TypeError(f"check_loss: loss must be a callable (a torch module), got "
                        f"{type(loss).__name__}")
    guessed = kind is None
    if guessed:
        kind = guess_kind(loss)
    if kind not in KINDS:
        raise ValueError(f"check_loss: kind must be one of {KINDS}, got {kind!r}")
    if reference is not None and not callable(reference):
        raise TypeError(f"check_loss: reference must be None or a callable, got "
                        f"{type(reference).__name__}")
    if isinstance(max_examples, bool) or not isinstance(max_examples, int) or (
        max_examples < 1
    ):
        raise ValueError(f"check_loss: max_examples must be a positive int, got "
                         f"{max_examples!r}")
    invariances = (invariances,) if isinstance(invariances, str) else tuple(invariances)
    unknown = [i for i in invariances if i not in INVARIANCES]
    if unknown:
        raise ValueError(f"check_loss: invariances must be among {INVARIANCES}, got "
                         f"{unknown}")
    if "scale" in invariances and kind not in ("metric", "joint"):
        raise ValueError(f"check_loss: invariances='scale' applies to embeddings "
                         f"(kind 'metric' or 'joint'), not to kind {kind!r}")
    if n_classes is not None and (
        isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2
    ):
        raise ValueError(f"check_loss: n_classes must be None or an int >= 2, got "
                         f"{n_classes!r}")
    if devices is None:
        devices = ("cpu",) + (("cuda",) if torch.cuda.is_available() else ())
    ctx = Context(loss=loss, kind=kind, reference=reference, invariances=invariances,
                  margin=margin, devices=tuple(devices), max_examples=max_examples,
                  n_classes=n_classes)
    if guessed:
        signature = ", ".join(forward_parameters(loss))
        ctx.notes.append(f"kind={kind!r} guessed from forward({signature}); pass "
                         "kind= to choose")
    return ctx


def _run(ctx: Context, name: str, random_state: int | None) -> None:
    """Let hypothesis search for a counterexample to property ``name``."""
    strategy, body = PROPERTIES[name](ctx)

    def search(example):
        body(example)

    # hypothesis names the function in its counterexample: name it after the property
    search.__name__ = search.__qualname__ = name
    search = given(strategy)(search)
    search = settings(
        max_examples=ctx.max_examples, deadline=None, database=None,
        suppress_health_check=_HEALTH, report_multiple_bugs=False, print_blob=False,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )(search)
    if random_state is not None:
        search = seed(random_state)(search)
    try:
        search()
    except Exception as exc:  # the loss raised, or broke the property
        if isinstance(exc, PropertyViolation):
            first, *rest = str(exc).splitlines() or [""]
        else:
            first, rest = f"the loss raised {type(exc).__name__}: {exc}", []
        notes = [n for n in getattr(exc, "__notes__", []) if n.strip()]
        lines = [
            f"check_loss: property {name!r} failed for {describe(ctx.loss)} "
            f"(kind={ctx.kind!r}): {first}",
            *rest,
            *ctx.notes,
            "Minimal counterexample (hypothesis):" if notes else "",
            *notes,
        ]
        raise AssertionError("\n".join(line for line in lines if line)) from exc


def _plan(ctx: Context, skip: Mapping[str, str] | None) -> dict[str, str | None]:
    skip = dict(skip or {})
    unknown = sorted(set(skip) - set(CHECKS))
    if unknown:
        raise ValueError(f"check_loss: skip names unknown properties {unknown}; the "
                         f"properties are {CHECKS}")
    plan = {}
    for name in CHECKS:
        why = not_applicable(ctx, name)
        if why is None and name in skip:
            why = f"skipped: {skip[name]}"
        plan[name] = why
    return plan


def check_loss(
    loss: Callable,
    *,
    kind: str | None = None,
    reference: Callable | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    invariances: Iterable[str] = (),
    margin: str | None = "margin",
    skip: Mapping[str, str] | None = None,
    devices: Iterable[str] | None = None,
    n_classes: int | None = None,
    random_state: int | None = 0,
) -> dict[str, str]:
    """Property-test a loss: hypothesis searches each property for a counterexample.

    The properties that apply to the loss's ``kind`` run in turn (see Notes); the
    first one broken raises an AssertionError whose first line names it, followed
    by hypothesis's minimal (shrunk) counterexample.

    Parameters
    ----------
    loss : torch.nn.Module or callable
        Called as ``loss(input, target)`` with torch tensors (see ``kind``).
    kind : {"metric", "classification", "cosine", "joint"}, default=None
        What the loss takes, besides int64 labels ``target [shape=(batch,)]``:

        * ``"metric"``: embeddings ``[shape=(batch, dim)]``;
        * ``"classification"``: logits ``[shape=(batch, n_classes)]``;
        * ``"cosine"``: cosines in [-1, 1] ``[shape=(batch, n_classes)]`` (an
          additive-margin softmax);
        * ``"joint"``: logits and embeddings, as ``loss((logits, embeddings),
          target)`` (skorch's model output), or ``loss(logits, embeddings,
          target)`` when ``forward`` takes three arguments.

        ``None`` guesses from the forward signature: three arguments ``"joint"``;
        a first argument named ``emb...``/``feat...`` ``"metric"``, ``cos...``
        ``"cosine"``, anything else (``input``, ``logits``) ``"classification"``.
    reference : callable, default=None
        A slow, obviously correct implementation called like ``loss`` (e.g. from
        :mod:`sklearn_ser.testing.reference`); values and gradients must agree.
    max_examples : int, default=50
        Examples hypothesis tries per property (more find rarer bugs, slower).
    invariances : iterable of {"translation", "scale"}, default=()
        Invariances the loss claims. ``"translation"``: one vector added to every
        embedding and/or a constant added to each row of logits (softmax losses);
        ``"scale"``: each embedding multiplied by its own positive factor (cosine
        distances; kinds ``"metric"`` and ``"joint"``).
    margin : str or None, default="margin"
        Attribute holding the loss's margin: when the loss has it as a real
        number, the loss must not decrease as it grows. ``None`` skips the check.
    skip : mapping of str to str, default=None
        Properties not to run, each with the reason (reported in the result).
    devices : iterable of str, default=None
        Devices of the dtype/device check; ``None``: the CPU, and CUDA when
        available.
    n_classes : int or None, default=None
        Number of classes of the batches (score columns; labels below it), for a
        loss with per-class parameters (``weight=``); ``None`` draws 2 to 5.
    random_state : int or None, default=0
        Seed of hypothesis's search (same seed, same examples); ``None`` lets
        hypothesis draw fresh examples every run.

    Returns
    -------
    report : dict of str to str
        Every property's outcome: ``"passed"``, or why it did not run.

    Raises
    ------
    AssertionError
        On the first property the loss breaks: ``check_loss: property '<name>'
        failed for <loss> (kind=...): <what>``, then the minimal counterexample.

    See Also
    --------
    parametrize_with_loss_checks : one pytest test per loss and property.
    sklearn_ser.testing.strategies : the inputs drawn.

    Notes
    -----
    Properties (batches of 1 to 12 samples, labels as
    :func:`~sklearn_ser.testing.strategies.labels`):

    ``finite_non_negative``
        finite and >= 0 on any batch: duplicates, zero vectors, norms 1e-30 to
        1e4, scores up to 1e4, float32 and float64.
    ``finite_gradients``
        the same degenerate batches: the loss is connected to its input and the
        gradients are finite (singleton classes, one class, ties).
    ``permutation_invariance``
        reordering the batch leaves the loss unchanged (per-sample losses follow
        their samples).
    ``translation_invariance``, ``scale_invariance``
        as claimed by ``invariances``.
    ``separated_zero``
        (``"metric"``) zero when each class is one point and classes lie on
        orthogonal axes at ``10 (1 + margin)`` from the origin.
    ``margin_monotonic``
        non-decreasing in the margin attribute (set on a copy; a ``reduction="mean"``
        is compared as ``"sum"``, since a mean over margin-selected terms may fall).
    ``reference_agreement``
        values (rtol 1e-6) and gradients (rtol 1e-5) match ``reference`` in float64.
    ``float32_float64_agreement``
        the same float32-representable batch in both precisions agrees to 1e-4.
    ``dtype_device_preserved``
        output and gradients keep the input's dtype and device.

    Comparisons run on continuous random inputs (no ties), where a loss defined by
    inequalities (semi-hard mining) is continuous with probability 1.

    Examples
    --------
    >>> from sklearn_ser.losses import FocalLoss
    >>> from sklearn_ser.testing import check_loss
    >>> report = check_loss(FocalLoss(gamma=2.0), kind="classification",
    ...                     invariances=["translation"], max_examples=5)
    >>> report["permutation_invariance"], report["separated_zero"]
    ('passed', "only for metric losses, this one is 'classification'")

    A loss that goes negative is caught, with the property named first:

    >>> import torch
    >>> def bad_loss(logits, target):
    ...     return torch.nn.functional.cross_entropy(logits, target) - 1.0
    >>> check_loss(bad_loss, kind="classification", max_examples=5)
    Traceback (most recent call last):
    ...
    AssertionError: check_loss: property 'finite_non_negative' failed for bad_loss ...
    """
    ctx = _context(loss, kind=kind, reference=reference, max_examples=max_examples,
                   invariances=invariances, margin=margin, devices=devices,
                   n_classes=n_classes)
    report = {}
    for name, why in _plan(ctx, skip).items():
        if why is None:
            _run(ctx, name, random_state)
        report[name] = "passed" if why is None else why
    return report


def _run_one(loss: Any, *, check: str, **kwargs: Any) -> None:
    random_state = kwargs.pop("random_state", 0)
    kwargs.pop("skip", None)
    ctx = _context(loss, **kwargs)
    _run(ctx, check, random_state)


def parametrize_with_loss_checks(losses: Iterable[Any]):
    """A pytest ``parametrize`` mark: one test per loss and applicable property.

    Parameters
    ----------
    losses : iterable of loss or (loss, dict)
        Losses to check; a ``(loss, options)`` pair passes ``options`` (``kind``,
        ``reference``, ``invariances``, ``margin``, ``skip``, ``max_examples``,
        ``devices``, ``n_classes``, ``random_state``) to the checks, as
        :func:`check_loss` takes them. Properties that do not apply, or that
        ``skip`` names, get no test.

    Returns
    -------
    decorator
        ``pytest.mark.parametrize("loss, check", ...)``; the test calls
        ``check(loss)``, which raises as :func:`check_loss` does.

    Examples
    --------
    >>> from sklearn_ser.losses import TripletLoss
    >>> from sklearn_ser.testing import parametrize_with_loss_checks
    >>> @parametrize_with_loss_checks([
    ...     (TripletLoss(distance="cosine"), {"kind": "metric",
    ...                                       "invariances": ["scale"]}),
    ... ])
    ... def test_loss(loss, check):
    ...     check(loss)
    """
    import pytest  # only needed here: the rest of the package runs without it

    params, ids = [], []
    for item in losses:
        loss, options = item if isinstance(item, tuple) else (item, {})
        options = dict(options)
        options.setdefault("max_examples", DEFAULT_MAX_EXAMPLES)
        run_options = {k: v for k, v in options.items() if k != "skip"}
        ctx = _context(loss, **{k: v for k, v in run_options.items()
                                if k != "random_state"})
        for name, why in _plan(ctx, options.get("skip")).items():
            if why is not None:
                continue
            check = functools.partial(_run_one, check=name, **run_options)
            params.append(pytest.param(loss, check))
            ids.append(f"{describe(loss)}-{name}")
    return pytest.mark.parametrize("loss, check", params, ids=ids)
