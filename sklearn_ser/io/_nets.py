"""Networks described by a model file are sized before anything is allocated.

A file sets a network's sizes through its parameters (``module__lstm_hidden``) and
fitted state (``feature_shape_``, the classes). Before the real network is built,
the same ``initialize()`` runs on torch's ``meta`` device, which allocates nothing:
the parameter count and the bytes of every weight are known, compared with the
limits and with the weights the file declares, and only then is the network built
for real.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from sklearn_ser.utils._random import torch_rng

#: Default of ``load_model(max_parameters=)``: the most parameters (weights of all
#: modules and criteria of one network) a model file may describe. The papers'
#: networks have from some thousands to a few million.
DEFAULT_MAX_PARAMETERS = 50_000_000


class NetError(ValueError):
    """The network a file describes cannot be built within the limits (one line)."""


def _one_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"


def torch_parts(net: Any) -> list[str]:
    return list(getattr(net, "_modules", [])) + list(getattr(net, "_criteria", []))


def size_network(net: Any, *, max_parameters: int, max_bytes: int) -> dict:
    """Build ``net`` on the meta device; refuse it when over the limits.

    Returns ``{part: {name: (dtype name, shape)}}`` of the weights it would have.
    """
    import inspect

    import torch

    crit = getattr(net, "criterion", None)
    # sklearn_ser's losses hold class vectors only (sized by the file's arrays,
    # already bounded) and copy them to the CPU, which a meta tensor cannot do;
    # any other criterion class is sized on the meta device like the module
    own_loss = crit is None or (
        inspect.isclass(crit) and crit.__module__.startswith("sklearn_ser.")
    )
    # skorch lets torch components be set inside its init context only
    context = getattr(net, "_current_init_context", lambda name: nullcontext())
    try:
        with torch.device("meta"), context("module"):
            net.initialize_module()
        with (nullcontext() if own_loss else torch.device("meta")), context(
            "criterion"
        ), torch_rng():
            net.initialize_criterion()
        n_params, n_bytes, shapes = 0, 0, {}
        for part in torch_parts(net):
            obj = getattr(net, f"{part}_", None)
            if obj is None or not hasattr(obj, "state_dict"):
                continue
            n_params += sum(p.numel() for p in obj.parameters())
            sd = obj.state_dict()
            n_bytes += sum(t.numel() * t.element_size() for t in sd.values())
            shapes[part] = {
                k: (str(t.dtype).removeprefix("torch."), tuple(t.shape))
                for k, t in sd.items()
            }
    except Exception as exc:  # noqa: BLE001  (bad sizes fail in module code)
        raise NetError(
            f"the network cannot be built from its parameters ({_one_line(exc)})"
        ) from None
    if n_params > max_parameters:
        raise NetError(
            f"its network would have {n_params} parameters, more than "
            f"max_parameters={max_parameters}"
        )
    if n_bytes > max_bytes:
        raise NetError(
            f"its network's weights would take {n_bytes} bytes, more than "
            f"max_bytes={max_bytes}"
        )
    return shapes


def check_weights(shapes: dict, weights: dict, declared: dict | None) -> None:
    """The file's weights are exactly those of the network its parameters describe
    (checked from the declarations, before the network or the weights exist)."""
    if not isinstance(weights, dict):
        raise NetError("its weights are not a mapping")
    for part, tensors in weights.items():
        if part not in shapes:
            raise NetError(f"it holds weights for an unknown part {part!r}")
        if not isinstance(tensors, dict) or set(tensors) != set(shapes[part]):
            raise NetError(
                f"its {part} weights are not those of the network its parameters "
                "describe (other names)"
            )
        if declared is None:
            continue  # format 1: checked by load_state_dict
        for name, key in tensors.items():
            if not isinstance(key, str) or key not in declared:
                raise NetError(f"its {part} weight {name!r} is not declared")
            want, got = shapes[part][name], declared[key]
            if (want[0], tuple(want[1])) != (got[0], tuple(got[1])):
                raise NetError(
                    f"its {part} weight {name!r} is {got[0]} {tuple(got[1])}, the "
                    f"network its parameters describe has {want[0]} {tuple(want[1])}"
                )
    missing = [p for p in shapes if p not in weights and shapes[p]]
    if missing:
        raise NetError(f"it holds no weights for {', '.join(missing)}")
