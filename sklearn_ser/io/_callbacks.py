"""skorch callbacks in model files: which are stored, which are dropped.

Callbacks act during training only; a loaded network predicts the same without
them. They are kept so that refitting a loaded model trains as the saved one did,
under this rule:

* stored (class and parameters) -- skorch's ``EarlyStopping``, ``EpochScoring``,
  ``BatchScoring``, ``PassthroughScoring``, ``LRScheduler``, ``WarmRestartLR``,
  ``GradientNormClipping``, ``EpochTimer``, ``PrintLog``, ``ProgressBar``,
  ``Freezer``, ``Unfreezer`` and the callbacks defined in sklearn_ser, when every
  parameter is data (numbers, strings, allowed classes such as an lr-scheduler
  policy, and the functions ``print``, ``skorch.utils.noop`` and
  ``skorch.utils.to_numpy``);
* dropped, with a ``UserWarning`` naming them at save -- any other callback: those
  that read or write files (``Checkpoint``, ``TrainEndCheckpoint``,
  ``LoadInitState``: their paths belong to the machine that trained, and creating
  a folder while loading is not something a model file should do), loggers holding
  live connections, user-defined classes, and callbacks with a callable parameter.
"""

from __future__ import annotations

import sys
from typing import Any

STORED_SKORCH = frozenset({
    "EarlyStopping", "EpochScoring", "BatchScoring", "PassthroughScoring",
    "LRScheduler", "WarmRestartLR", "GradientNormClipping", "EpochTimer",
    "PrintLog", "ProgressBar", "Freezer", "Unfreezer",
})


def known_functions() -> dict[str, Any]:
    """Functions that callbacks take by default, stored by name."""
    out: dict[str, Any] = {"print": print}
    try:
        import skorch.utils as utils
    except ImportError:  # pragma: no cover  (skorch is a dependency)
        return out
    out.update({"skorch.utils.noop": utils.noop, "skorch.utils.to_numpy": utils.to_numpy})
    return out


def function_name(value: Any) -> str | None:
    if value is not print and "skorch.utils" not in sys.modules:
        return None
    for name, f in known_functions().items():
        if value is f:
            return name
    return None


def is_storable_callback(cls: type) -> bool:
    callbacks = sys.modules.get("skorch.callbacks")
    if callbacks is None or not isinstance(cls, type) or not issubclass(
        cls, callbacks.Callback
    ):
        return False
    module = cls.__module__ or ""
    if module == "sklearn_ser" or module.startswith("sklearn_ser."):
        return "<locals>" not in cls.__qualname__
    return module.startswith("skorch.callbacks") and cls.__qualname__ in STORED_SKORCH


def encode_callbacks(value: Any, encode, where: str) -> tuple[Any, list[str]]:
    """Encode skorch's ``callbacks`` parameter: the stored ones, and the names of
    those dropped."""
    if not isinstance(value, (list, tuple)):
        return encode(value, where), []
    items, dropped = [], []
    for i, item in enumerate(value):
        name, cb = (item if isinstance(item, tuple) and len(item) == 2 else (None, item))
        label = f"{where}[{name if name is not None else i}]"
        node = _encode_callback(cb, encode, label)
        if node is None:
            dropped.append(f"{name or type(cb).__name__} ({type(cb).__name__})")
            continue
        items.append({"$type": "tuple", "items": [name, node]} if name is not None
                     else node)
    return items, dropped


def _encode_callback(cb: Any, encode, where: str) -> dict | None:
    cls = type(cb)
    if not is_storable_callback(cls):
        return None
    try:
        params = {k: encode(v, f"{where}.{k}") for k, v in cb.get_params(deep=False).items()}
    except TypeError:
        return None
    return {"$type": "callback", "class": f"{cls.__module__}.{cls.__qualname__}",
            "params": params}
