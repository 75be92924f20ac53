"""The model-file format: names, versions and the class allow-list."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from typing import Any

#: Version of the file layout written by :func:`save_model`; files of a newer
#: version are refused by :func:`load_model`.
FORMAT_VERSION = 2
_FORMAT_NAME = "sklearn_ser.model"
_JSON_NAME = "model.json"
_TENSORS_NAME = "tensors.pt"

_ESTIMATOR_PACKAGES = ("sklearn_ser", "sklearn", "imblearn")
_COMPONENT_PACKAGES = ("sklearn_ser", "torch", "skorch")
_BUILTIN_TYPES = {"bool": bool, "int": int, "float": float, "complex": complex, "str": str}
# skorch attributes that ``initialize()`` rebuilds, or that only matter in training
_SKORCH_REBUILT = frozenset({
    "history_",
    "pretrain_history_",
    "initialized_",
    "virtual_params_",
    "init_context_",
    "callbacks_",
    "prefixes_",
    "cuda_dependent_attributes_",
    "valid_data_",
})
_SKORCH_HISTORIES = ("history_", "pretrain_history_")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
# The only modules load_model imports: public subpackages that define (or import
# from their private modules) the classes a model file may name. The file chooses
# among these at most; a class is then looked up among the modules loaded, so a
# module that runs code on import (a ``__main__``, a script) is never imported.
_SKLEARN_SUBPACKAGES = (
    "calibration", "cluster", "compose", "covariance", "cross_decomposition",
    "decomposition", "discriminant_analysis", "dummy", "ensemble",
    "feature_extraction", "feature_selection", "frozen", "gaussian_process", "impute",
    "isotonic", "kernel_approximation", "kernel_ridge", "linear_model", "manifold",
    "mixture", "model_selection", "multiclass", "multioutput", "naive_bayes",
    "neighbors", "neural_network", "pipeline", "preprocessing", "random_projection",
    "semi_supervised", "svm", "tree",
)
_IMPORTABLE = (
    *("sklearn." + m for m in _SKLEARN_SUBPACKAGES),
    "imblearn", "imblearn.base", "imblearn.combine", "imblearn.ensemble",
    "imblearn.over_sampling", "imblearn.under_sampling", "imblearn.pipeline",
    "sklearn_ser.augment", "sklearn_ser.features", "sklearn_ser.losses",
    "sklearn_ser.metrics", "sklearn_ser.models", "sklearn_ser.nn",
    "torch.nn", "torch.optim", "torch.optim.lr_scheduler", "torch.utils.data",
    "skorch", "skorch.dataset", "skorch.callbacks",
)


def _versions(*, loaded_only: bool = False) -> dict[str, str | None]:
    """Versions of sklearn_ser and its main dependencies; with ``loaded_only``,
    of those already imported only (load_model compares what the file used, and
    does not import torch for an SVM)."""
    from sklearn_ser import __version__

    out: dict[str, str | None] = {"sklearn_ser": __version__}
    for dist, module in (
        ("scikit-learn", "sklearn"),
        ("torch", "torch"),
        ("skorch", "skorch"),
        ("imbalanced-learn", "imblearn"),
        ("numpy", "numpy"),
    ):
        mod = sys.modules.get(module)
        if mod is None:
            if loaded_only:
                continue
            try:
                mod = importlib.import_module(module)
            except ImportError:
                out[dist] = None
                continue
        out[dist] = getattr(mod, "__version__", None)
    return out


def _is_skorch(obj: Any) -> bool:
    skorch = sys.modules.get("skorch")
    return skorch is not None and isinstance(obj, skorch.NeuralNet)


def _under(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _component_bases() -> tuple[type, ...]:
    """Classes a parameter may reference besides estimators (skorch's components)."""
    import torch

    bases: list[type] = [torch.nn.Module, torch.optim.Optimizer, torch.utils.data.DataLoader,
                         torch.utils.data.Dataset]
    scheduler = getattr(torch.optim.lr_scheduler, "LRScheduler", None)
    if scheduler is not None:
        bases.append(scheduler)
    return tuple(bases)


def _allowed_role(cls: type) -> str | None:
    """``"estimator"``, ``"component"``, ``"callback"`` or None (refused)."""
    from sklearn.base import BaseEstimator

    if not inspect.isclass(cls):
        return None
    module = getattr(cls, "__module__", "") or ""
    if issubclass(cls, BaseEstimator) and _under(module, _ESTIMATOR_PACKAGES):
        return "estimator"
    from ._callbacks import is_storable_callback

    if is_storable_callback(cls):
        return "callback"
    # torch is imported whenever one of its classes exists in this process
    if (
        _under(module, _COMPONENT_PACKAGES)
        and "torch" in sys.modules
        and issubclass(cls, _component_bases())
    ):
        return "component"
    return None


def _resolve_class(name: Any, *, role: str, where: str) -> type:
    """Import ``name`` ("module.QualName") if, and only if, it is on the allow-list."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"load_model: {where}: invalid class name {name!r}")
    module_name, _, attr = name.rpartition(".")
    packages = _ESTIMATOR_PACKAGES if role == "estimator" else (
        _ESTIMATOR_PACKAGES + _COMPONENT_PACKAGES
    )
    refusal = (
        f"load_model: {where}: class {name!r} is not allowed; model files may only "
        "name scikit-learn estimators from sklearn_ser, sklearn or imblearn (and, as "
        "their parameters, torch modules, optimisers and data loaders from "
        "sklearn_ser, torch or skorch)"
    )
    # Check the name before importing anything: a module outside the allowed
    # packages, or any dunder part (``__main__``, ``__builtins__``), is refused.
    if not _under(module_name, packages) or any(
        part.startswith("__") for part in name.split(".")
    ):
        raise ValueError(refusal)
    if role in ("component", "callback"):
        import skorch.callbacks  # noqa: F401  (the callback base lives there)
        import torch  # noqa: F401  (the component bases live there)
    if module_name not in sys.modules:
        # Import the listed public subpackage the class lives under (it imports
        # its private modules); the file's module name itself is never imported.
        parents = [m for m in _IMPORTABLE if _under(module_name, (m,))]
        if not parents:
            raise ValueError(refusal)
        parent = max(parents, key=len)
        try:
            importlib.import_module(parent)
        except ImportError as exc:
            raise ValueError(
                f"load_model: {where}: cannot import {parent!r} for class {name!r} "
                f"({exc})"
            ) from None
    module = sys.modules.get(module_name)
    if module is None and module_name.startswith("sklearn_ser."):
        # a subpackage whose public names are imported lazily (utils/_lazy.py):
        # asking it for a public name imports the module that defines it
        lazy = max((m for m in _IMPORTABLE if _under(module_name, (m,))), key=len,
                   default="")
        if attr in getattr(sys.modules.get(lazy), "__all__", ()):
            getattr(sys.modules[lazy], attr, None)
        module = sys.modules.get(module_name)
    if module is None:
        raise ValueError(refusal)
    cls = getattr(module, attr, None)
    if cls is not None and (
        not inspect.isclass(cls) or _class_name(cls) != name
    ):
        cls = None  # an alias or a re-export: the file must name the class itself
    found = _allowed_role(cls) if cls is not None else None
    accepted = ("estimator", "component") if role == "component" else (role,)
    if found not in accepted:
        raise ValueError(refusal)
    return cls

