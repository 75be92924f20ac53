"""Safe model files: fitted estimators stored as JSON parameters and plain arrays.

A pickle is a program: unpickling a file runs whatever its author put in it.
:func:`save_model` writes a fitted estimator or pipeline as *data only* and
:func:`load_model` rebuilds it from the installed packages, so loading a model file
from someone else cannot execute code from that file.

A model file is a zip archive holding

* ``model.json`` -- the format version, the versions of sklearn_ser, scikit-learn,
  torch, skorch, imbalanced-learn and numpy that wrote it, and the estimator tree:
  for every estimator its class (``"module.QualName"``), its parameters and its
  fitted state;
* ``arrays/<k>.npy`` -- the numeric numpy arrays of the fitted state, read with
  ``numpy.load(..., allow_pickle=False)``;
* ``tensors.pt`` -- the torch weights (``state_dict`` of every module and
  criterion of the skorch-based classifiers), a dict of tensors read with
  ``torch.load(..., weights_only=True)``.

Classes are rebuilt only from an allow-list: scikit-learn ``BaseEstimator``
subclasses defined in ``sklearn_ser``, ``sklearn`` or ``imblearn``, and -- as
parameters of those estimators, e.g. ``module=CNNLSTM`` -- torch modules,
optimisers, learning-rate schedulers and data loaders defined in ``sklearn_ser``,
``torch`` or ``skorch``. A name in the file never decides what is imported: the
only modules :func:`load_model` imports are the public subpackages listed in
``_IMPORTABLE`` (``sklearn.svm``, ``torch.nn``, ...), and a class is looked up in
the modules that are loaded after that, so a name such as
``torch.utils.model_dump.__main__.X`` (a module that runs code when imported) is
refused with a ``ValueError`` without being imported. Fitted state read from the
file may not replace a method or other attribute of the estimator's class.
"""

from __future__ import annotations

import importlib
import inspect
import io as _io
import json
import os
import re
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["load_model", "save_model"]

#: Version of the file layout written by :func:`save_model`; files of a newer
#: version are refused by :func:`load_model`.
FORMAT_VERSION = 1
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
    "skorch", "skorch.dataset",
)


def _versions() -> dict[str, str | None]:
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
    """``"estimator"``, ``"component"`` or None (refused) for a class."""
    from sklearn.base import BaseEstimator

    if not inspect.isclass(cls):
        return None
    module = getattr(cls, "__module__", "") or ""
    if issubclass(cls, BaseEstimator) and _under(module, _ESTIMATOR_PACKAGES):
        return "estimator"
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
    if role == "component":
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
    if module is None:
        raise ValueError(refusal)
    cls = getattr(module, attr, None)
    if cls is not None and (
        not inspect.isclass(cls) or _class_name(cls) != name
    ):
        cls = None  # an alias or a re-export: the file must name the class itself
    found = _allowed_role(cls) if cls is not None else None
    if found is None or (role == "estimator" and found != "estimator"):
        raise ValueError(refusal)
    return cls


# ----------------------------------------------------------------------- encoding
class _Writer:
    """Collects the arrays and tensors of the document being encoded."""

    def __init__(self) -> None:
        self.arrays: dict[str, bytes] = {}
        self.tensors: dict[str, Any] = {}

    def add_array(self, a: np.ndarray) -> str:
        key = f"arrays/{len(self.arrays)}.npy"
        buf = _io.BytesIO()
        np.save(buf, np.ascontiguousarray(a) if a.flags.c_contiguous else a,
                allow_pickle=False)
        self.arrays[key] = buf.getvalue()
        return key

    def add_tensor(self, t: Any) -> str:
        key = str(len(self.tensors))
        self.tensors[key] = t.detach().cpu().clone()
        return key


_STORABLE = "not a number, string, array, list, tuple, dict, estimator or allowed class"


def _unstorable(where: str, value: Any, why: str = "") -> TypeError:
    return TypeError(
        f"save_model: cannot store {where} = {type(value).__module__}."
        f"{type(value).__qualname__} ({why or _STORABLE}); "
        "model files hold data only -- use pickle/joblib for such objects"
    )


def _encode(value: Any, w: _Writer, where: str) -> Any:
    from sklearn.base import BaseEstimator

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and type(value) in (int, float):
        return value
    if isinstance(value, np.generic):
        if value.dtype.kind in "OV":
            raise _unstorable(where, value, f"numpy scalar of dtype {value.dtype}")
        return {"$type": "npscalar", "dtype": value.dtype.str, "value": value.item()
                if value.dtype.kind != "c" else [value.real.item(), value.imag.item()]}
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return {
                "$type": "object_array",
                "shape": list(value.shape),
                "items": [
                    _encode(v, w, f"{where}[{i}]") for i, v in enumerate(value.ravel())
                ],
            }
        if value.dtype.kind == "V" or value.dtype.hasobject:
            raise _unstorable(where, value, f"array of dtype {value.dtype}")
        return {"$type": "ndarray", "file": w.add_array(value)}
    if isinstance(value, np.dtype):
        if value.hasobject or value.kind == "V":
            raise _unstorable(where, value, f"dtype {value}")
        return {"$type": "dtype", "dtype": value.str}
    if inspect.isclass(value):
        if issubclass(value, np.generic) and getattr(np, value.__name__, None) is value:
            return {"$type": "numpy_type", "name": value.__name__}
        if value in _BUILTIN_TYPES.values():
            return {"$type": "builtin_type", "name": value.__name__}
        if _allowed_role(value) is None:
            raise TypeError(
                f"save_model: cannot store {where} = class {_class_name(value)}: only "
                "scikit-learn estimators from sklearn_ser/sklearn/imblearn and torch "
                "modules, optimisers and data loaders from sklearn_ser/torch/skorch "
                "can be named in a model file"
            )
        return {"$type": "class", "name": _class_name(value)}
    if isinstance(value, BaseEstimator):
        return _encode_estimator(value, w, where)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        return {"$type": "tensor", "key": w.add_tensor(value)}
    metrics = sys.modules.get("sklearn_ser.metrics._similarity")
    if metrics is not None and type(value) is metrics.LabelledMatrix:
        return {
            "$type": "labelled_matrix",
            "values": _encode(np.asarray(value.values), w, f"{where}.values"),
            "labels": _encode(np.asarray(value.labels), w, f"{where}.labels"),
            "kind": value.kind,
        }
    if type(value) in (list, tuple):
        items = [_encode(v, w, f"{where}[{i}]") for i, v in enumerate(value)]
        return {"$type": "tuple", "items": items} if type(value) is tuple else items
    if type(value) is OrderedDict:
        return {
            "$type": "ordered_dict",
            "items": [
                [_encode(k, w, f"{where} key"), _encode(v, w, f"{where}[{k!r}]")]
                for k, v in value.items()
            ],
        }
    if type(value) is dict:
        if all(isinstance(k, str) for k in value) and "$type" not in value:
            return {k: _encode(v, w, f"{where}[{k!r}]") for k, v in value.items()}
        return {
            "$type": "dict",
            "items": [
                [_encode(k, w, f"{where} key"), _encode(v, w, f"{where}[{k!r}]")]
                for k, v in value.items()
            ],
        }
    if type(value) in (set, frozenset):
        items = [_encode(v, w, f"{where} item") for v in value]
        return {"$type": type(value).__name__, "items": items}
    raise _unstorable(where, value)


def _encode_estimator(est: Any, w: _Writer, where: str) -> dict:
    cls = type(est)
    label = f"{where} ({cls.__name__})" if where else cls.__name__
    if _allowed_role(cls) != "estimator":
        raise TypeError(
            f"save_model: cannot store {label}: {_class_name(cls)} is not a "
            "scikit-learn estimator defined in sklearn_ser, sklearn or imblearn"
        )
    params = {
        k: v for k, v in est.get_params(deep=False).items() if not k.startswith("_")
    }
    node: dict[str, Any] = {
        "$type": "estimator",
        "class": _class_name(cls),
        "params": {k: _encode(v, w, f"{label}.{k}") for k, v in params.items()},
    }
    if _is_skorch(est):
        if where and not getattr(est, "initialized_", False):
            # An unfitted template held as a parameter of a fitted estimator (e.g.
            # HierarchicalConfusionClassifier(coarse=...), which fits clones of it):
            # its parameters are all there is to store.
            return node
        node["skorch"] = _encode_skorch(est, params, w, label)
        return node
    state = {k: v for k, v in vars(est).items() if k not in params}
    node["state"] = {k: _encode(v, w, f"{label}.{k}") for k, v in state.items()}
    return node


def _encode_skorch(net: Any, params: dict, w: _Writer, label: str) -> dict:
    from sklearn.exceptions import NotFittedError

    if not getattr(net, "initialized_", False) or (
        hasattr(net, "__sklearn_is_fitted__") and not net.__sklearn_is_fitted__()
    ):
        raise NotFittedError(
            f"save_model: {label} is not fitted yet; call 'fit' before saving it"
        )
    torch_parts = list(getattr(net, "_modules", [])) + list(getattr(net, "_criteria", []))
    skip = set(_SKORCH_REBUILT) | {f"{n}_" for n in torch_parts}
    skip |= {f"{n}_" for n in getattr(net, "_optimizers", [])}
    state = {
        k: v
        for k, v in vars(net).items()
        if k not in params and not k.startswith("_") and k not in skip
    }
    histories = {}
    for name in _SKORCH_HISTORIES:
        history = getattr(net, name, None)
        if history is None:
            continue
        try:  # a record of training only: kept when it is plain data
            histories[name] = _encode(list(history), _Writer(), name)
        except TypeError:
            pass
    weights = {}
    for part in torch_parts:
        obj = getattr(net, f"{part}_", None)
        if obj is None or not hasattr(obj, "state_dict"):
            continue
        weights[part] = {
            key: w.add_tensor(t) for key, t in obj.state_dict().items()
        }
    return {
        "state": {k: _encode(v, w, f"{label}.{k}") for k, v in state.items()},
        "weights": weights,
        "histories": histories,
    }


# ----------------------------------------------------------------------- decoding
def _torch_version() -> tuple[int, int]:
    import torch

    match = re.match(r"(\d+)\.(\d+)", torch.__version__)
    return (int(match[1]), int(match[2])) if match else (0, 0)


class _Reader:
    def __init__(self, path: str, archive: zipfile.ZipFile) -> None:
        self.path = path
        self.archive = archive
        self._tensors: dict | None = None

    def corrupt(self, why: str) -> ValueError:
        return ValueError(f"load_model: {self.path!r} is a corrupt model file: {why}")

    def array(self, key: Any) -> np.ndarray:
        if not isinstance(key, str) or key not in self.archive.namelist():
            raise self.corrupt(f"array {key!r} is missing")
        try:
            with self.archive.open(key) as f:
                return np.load(_io.BytesIO(f.read()), allow_pickle=False)
        except ValueError as exc:
            # allow_pickle=False refuses object arrays: nothing is unpickled
            raise ValueError(
                f"load_model: {self.path!r}: refusing to load {key!r}: {exc}"
            ) from None
        except Exception as exc:  # noqa: BLE001  (a damaged member)
            raise self.corrupt(f"cannot read {key!r} ({exc})") from None

    def tensor(self, key: Any) -> Any:
        if self._tensors is None:
            import torch

            if _TENSORS_NAME not in self.archive.namelist():
                raise self.corrupt(f"{_TENSORS_NAME} is missing")
            if _torch_version() < (2, 6):
                # torch.load(weights_only=True) could run code before torch 2.6
                # (CVE-2025-32434): refuse rather than load unsafely
                raise ValueError(
                    f"load_model: loading network weights safely needs torch >= 2.6 "
                    f"(torch {torch.__version__} is installed); upgrade torch"
                )
            try:
                with self.archive.open(_TENSORS_NAME) as f:
                    data = f.read()
            except (zipfile.BadZipFile, zlib.error, OSError) as exc:
                raise self.corrupt(f"cannot read {_TENSORS_NAME} ({exc})") from None
            try:
                tensors = torch.load(
                    _io.BytesIO(data), map_location="cpu", weights_only=True
                )
            except Exception as exc:  # noqa: BLE001  (UnpicklingError and friends)
                raise ValueError(
                    f"load_model: {self.path!r}: refusing to load {_TENSORS_NAME}: it "
                    "holds something other than plain tensors, or is damaged "
                    f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
                ) from None
            if not isinstance(tensors, dict) or not all(
                isinstance(t, torch.Tensor) for t in tensors.values()
            ):
                raise self.corrupt(f"{_TENSORS_NAME} is not a dict of tensors")
            self._tensors = tensors
        if key not in self._tensors:
            raise self.corrupt(f"tensor {key!r} is missing")
        return self._tensors[key]


def _decode(doc: Any, r: _Reader, where: str) -> Any:
    if doc is None or isinstance(doc, (bool, int, float, str)):
        return doc
    if isinstance(doc, list):
        return [_decode(v, r, f"{where}[{i}]") for i, v in enumerate(doc)]
    if not isinstance(doc, dict):
        raise r.corrupt(f"{where}: unexpected JSON value {doc!r}")
    kind = doc.get("$type")
    if kind is None:
        return {k: _decode(v, r, f"{where}[{k!r}]") for k, v in doc.items()}
    try:
        if kind == "estimator":
            return _decode_estimator(doc, r, where)
        if kind == "tuple":
            return tuple(_decode(v, r, f"{where}[{i}]") for i, v in enumerate(doc["items"]))
        if kind in ("set", "frozenset"):
            items = (_decode(v, r, where) for v in doc["items"])
            return set(items) if kind == "set" else frozenset(items)
        if kind in ("dict", "ordered_dict"):
            pairs = [(_decode(k, r, where), _decode(v, r, where)) for k, v in doc["items"]]
            return dict(pairs) if kind == "dict" else OrderedDict(pairs)
        if kind == "ndarray":
            return r.array(doc["file"])
        if kind == "object_array":
            items = [_decode(v, r, where) for v in doc["items"]]
            out = np.empty(len(items), dtype=object)
            for i, item in enumerate(items):
                out[i] = item
            return out.reshape([int(s) for s in doc["shape"]])
        if kind == "npscalar":
            dtype = np.dtype(doc["dtype"])
            if dtype.hasobject:
                raise r.corrupt(f"{where}: object scalar")
            value = doc["value"]
            if dtype.kind == "c":
                value = complex(*value)
            return np.array(value, dtype=dtype)[()]
        if kind == "dtype":
            dtype = np.dtype(doc["dtype"])
            if dtype.hasobject:
                raise r.corrupt(f"{where}: object dtype")
            return dtype
        if kind == "numpy_type":
            t = getattr(np, str(doc["name"]), None)
            if not (inspect.isclass(t) and issubclass(t, np.generic)) or t is np.object_:
                raise ValueError(
                    f"load_model: {where}: {doc['name']!r} is not a numpy scalar type"
                )
            return t
        if kind == "builtin_type":
            if doc["name"] not in _BUILTIN_TYPES:
                raise ValueError(
                    f"load_model: {where}: type {doc['name']!r} is not allowed"
                )
            return _BUILTIN_TYPES[doc["name"]]
        if kind == "class":
            return _resolve_class(doc["name"], role="component", where=where)
        if kind == "tensor":
            return r.tensor(doc["key"])
        if kind == "labelled_matrix":
            from sklearn_ser.metrics import LabelledMatrix

            return LabelledMatrix(
                _decode(doc["values"], r, where),
                _decode(doc["labels"], r, where),
                kind=doc["kind"],
            )
    except (KeyError, TypeError) as exc:
        raise r.corrupt(f"{where}: malformed {kind!r} entry ({exc!r})") from None
    raise r.corrupt(f"{where}: unknown entry type {kind!r}")


def _check_attr_names(names: Any, r: _Reader, where: str, cls: type | None = None) -> None:
    """Names must be identifiers, not dunders, and -- for fitted state (``cls``
    given) -- not attributes of the class: state from a file may not replace a
    method such as ``predict_proba`` or ``initialize``."""
    for name in names:
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("__"):
            raise r.corrupt(f"{where}: invalid attribute name {name!r}")
        if cls is not None and hasattr(cls, name):
            raise r.corrupt(
                f"{where}: fitted state {name!r} would replace an attribute of "
                f"{cls.__name__}"
            )


def _decode_estimator(doc: dict, r: _Reader, where: str) -> Any:
    cls = _resolve_class(doc.get("class"), role="estimator", where=where or "estimator")
    label = f"{where} ({cls.__name__})" if where else cls.__name__
    raw_params = doc.get("params", {})
    if not isinstance(raw_params, dict):
        raise r.corrupt(f"{label}: params is not a mapping")
    _check_attr_names(raw_params, r, label)
    params = {k: _decode(v, r, f"{label}.{k}") for k, v in raw_params.items()}
    try:
        est = cls(**params)
    except TypeError as exc:
        raise r.corrupt(f"{label}: its parameters do not fit {cls.__name__} ({exc})") from None
    if "skorch" in doc:
        _restore_skorch(est, doc["skorch"], r, label)
        return est
    state = doc.get("state", {})
    if not isinstance(state, dict):
        raise r.corrupt(f"{label}: state is not a mapping")
    _check_attr_names(state, r, label, cls)
    for key, value in state.items():
        vars(est)[key] = _decode(value, r, f"{label}.{key}")
    return est


def _restore_skorch(net: Any, doc: Any, r: _Reader, label: str) -> None:
    import torch

    if not _is_skorch(net) or not isinstance(doc, dict):
        raise r.corrupt(f"{label}: skorch state for a non-skorch estimator")
    state = doc.get("state", {})
    if not isinstance(state, dict):
        raise r.corrupt(f"{label}: state is not a mapping")
    _check_attr_names(state, r, label, type(net))
    for key, value in state.items():
        setattr(net, key, _decode(value, r, f"{label}.{key}"))
    # initialize() builds the module, criterion and optimiser from the parameters
    # and the restored data-dependent attributes (feature_shape_, classes_ ...); its
    # random initial weights are overwritten below, the global RNG is left alone.
    with torch.random.fork_rng(devices=[]):
        net.initialize()
    weights = doc.get("weights", {})
    for part, tensors in weights.items():
        if part not in list(getattr(net, "_modules", [])) + list(
            getattr(net, "_criteria", [])
        ):
            raise r.corrupt(f"{label}: weights for unknown part {part!r}")
        state_dict = {k: r.tensor(v) for k, v in tensors.items()}
        try:
            getattr(net, f"{part}_").load_state_dict(state_dict, strict=True)
        except RuntimeError as exc:
            raise r.corrupt(
                f"{label}: the {part} weights do not fit the rebuilt network ({exc})"
            ) from None
    from skorch.history import History

    for name, entries in doc.get("histories", {}).items():
        if name in _SKORCH_HISTORIES and isinstance(entries, list):
            setattr(net, name, History(_decode(entries, r, f"{label}.{name}")))


# ----------------------------------------------------------------------- public API
def save_model(estimator: Any, path: str | os.PathLike) -> None:
    """Save a fitted estimator or pipeline to a model file that holds data only.

    Parameters are stored as JSON, numeric arrays as ``.npy`` and the weights of
    torch modules as tensors, so :func:`load_model` never unpickles anything.
    Supported: scikit-learn and imbalanced-learn pipelines; the transformers,
    resamplers and classifiers of sklearn_ser (the skorch-based ones included);
    scikit-learn estimators whose fitted state is numbers, strings, numpy arrays
    and lists, tuples and dicts of these (``SVC``, ``StandardScaler``,
    ``LogisticRegression``, ...).

    Parameters
    ----------
    estimator : fitted estimator
        The estimator or pipeline to save.
    path : str or path-like
        The file to write (overwritten when it exists).

    Raises
    ------
    sklearn.exceptions.NotFittedError
        ``estimator`` (or a network in it) is not fitted.
    TypeError
        Some parameter or fitted attribute cannot be stored as data (a function,
        an open file, a class outside the allow-list...); the message names it.

    See Also
    --------
    load_model : Read the file back.

    Notes
    -----
    The optimiser state of the networks is not saved: a loaded network predicts
    and transforms exactly as the saved one, but ``partial_fit`` after loading
    starts with a fresh optimiser.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_ser.io import load_model, save_model
    >>> clf = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save_model(clf, os.path.join(tmp, "clf.model"))
    ...     clone = load_model(os.path.join(tmp, "clf.model"))
    >>> clone.predict([[0.5], [2.5]])
    array([0, 1])
    """
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"save_model: path must be a str or os.PathLike, got {type(path).__name__}"
        )
    if not hasattr(estimator, "get_params"):
        raise TypeError(
            "save_model: estimator must be a scikit-learn estimator, got "
            f"{type(estimator).__name__}"
        )
    check_is_fitted(estimator)
    writer = _Writer()
    tree = _encode_estimator(estimator, writer, "")
    doc = {
        "format": _FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "versions": _versions(),
        "estimator": tree,
    }
    target = Path(os.fspath(path))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w") as zf:
            zf.writestr(_JSON_NAME, json.dumps(doc, indent=1),
                        compress_type=zipfile.ZIP_DEFLATED)
            for key, data in writer.arrays.items():
                zf.writestr(key, data, compress_type=zipfile.ZIP_STORED)
            if writer.tensors:
                import torch

                buf = _io.BytesIO()
                torch.save(writer.tensors, buf)
                zf.writestr(_TENSORS_NAME, buf.getvalue(),
                            compress_type=zipfile.ZIP_STORED)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_model(path: str | os.PathLike) -> Any:
    """Load an estimator saved by :func:`save_model`, executing nothing from the file.

    The estimator tree is rebuilt from the classes of the installed packages, named
    in the file and checked against an allow-list (scikit-learn estimators from
    sklearn_ser, sklearn and imblearn; as their parameters, torch modules,
    optimisers and data loaders); arrays are read with
    ``numpy.load(allow_pickle=False)`` and weights with
    ``torch.load(weights_only=True)``.

    Parameters
    ----------
    path : str or path-like
        A model file.

    Returns
    -------
    estimator : estimator
        The fitted estimator, predicting exactly as the one saved.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        ``path`` is not a model file, is damaged, was written by a newer format
        version, or names a class that is not allowed (nothing of it is imported).

    Warns
    -----
    UserWarning
        The file was written with other versions of sklearn_ser or of its main
        dependencies than those installed.

    See Also
    --------
    save_model : Write such a file.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"load_model: path must be a str or os.PathLike, got {type(path).__name__}"
        )
    name = os.fspath(path)
    if not os.path.exists(name):
        raise FileNotFoundError(f"load_model: model file {name!r} not found")
    if os.path.isdir(name):
        raise IsADirectoryError(f"load_model: {name!r} is a folder, not a model file")
    not_model = (
        f"load_model: {name!r} is not a sklearn_ser model file (expected a zip "
        f"archive holding {_JSON_NAME}, as written by save_model)"
    )
    try:
        archive = zipfile.ZipFile(name, "r")
    except zipfile.BadZipFile:
        raise ValueError(not_model) from None
    with archive:
        reader = _Reader(name, archive)
        if _JSON_NAME not in archive.namelist():
            raise ValueError(not_model)
        try:
            doc = json.loads(archive.read(_JSON_NAME).decode("utf-8"))
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error,
                OSError, RecursionError) as exc:
            raise reader.corrupt(f"{_JSON_NAME} cannot be read ({exc})") from None
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT_NAME:
            raise ValueError(not_model)
        version = doc.get("format_version")
        if not isinstance(version, int) or version < 1:
            raise reader.corrupt(f"invalid format_version {version!r}")
        if version > FORMAT_VERSION:
            raise ValueError(
                f"load_model: {name!r} has model-file format version {version}, newer "
                f"than this sklearn_ser reads ({FORMAT_VERSION}); upgrade sklearn_ser "
                f"(the file was written by sklearn_ser "
                f"{(doc.get('versions') or {}).get('sklearn_ser')})"
            )
        _check_versions(doc.get("versions"), name)
        tree = doc.get("estimator")
        if not isinstance(tree, dict) or tree.get("$type") != "estimator":
            raise reader.corrupt("no estimator in the file")
        try:
            return _decode_estimator(tree, reader, "")
        except RecursionError:
            raise reader.corrupt("the estimator tree is nested too deeply") from None


def _check_versions(saved: Any, name: str) -> None:
    if not isinstance(saved, dict):
        return
    current = _versions()
    differ = [
        f"{pkg} {saved[pkg]} (installed: {current.get(pkg)})"
        for pkg in current
        if pkg in saved and saved[pkg] is not None and saved[pkg] != current.get(pkg)
    ]
    if differ:
        warnings.warn(
            f"load_model: {name!r} was written with other package versions: "
            f"{', '.join(differ)}; predictions may differ",
            UserWarning,
            stacklevel=3,
        )
