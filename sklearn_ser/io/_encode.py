"""Writing model files: the estimator tree as JSON, arrays as .npy, weights as tensors."""

from __future__ import annotations

import inspect
import io as _io
import json
import os
import sys
import tempfile
import warnings
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from ._callbacks import encode_callbacks, function_name
from ._state import StateError
from ._state_ser import check_state
from ._format import (
    _BUILTIN_TYPES,
    _FORMAT_NAME,
    _JSON_NAME,
    _SKORCH_HISTORIES,
    _SKORCH_REBUILT,
    _TENSORS_NAME,
    FORMAT_VERSION,
    _allowed_role,
    _class_name,
    _is_skorch,
    _versions,
)


class _Writer:
    """Collects the arrays and tensors of the document being encoded."""

    def __init__(self) -> None:
        self.arrays: dict[str, bytes] = {}
        self.tensors: dict[str, Any] = {}
        # the dtype and shape of every member, checked by load_model before reading
        self.members: dict[str, Any] = {}

    def add_array(self, a: np.ndarray) -> str:
        key = f"arrays/{len(self.arrays)}.npy"
        buf = _io.BytesIO()
        np.save(buf, np.ascontiguousarray(a) if a.flags.c_contiguous else a,
                allow_pickle=False)
        self.arrays[key] = buf.getvalue()
        self.members[key] = {"dtype": a.dtype.str, "shape": list(a.shape)}
        return key

    def add_tensor(self, t: Any) -> str:
        key = str(len(self.tensors))
        self.tensors[key] = t.detach().cpu().clone()
        self.members.setdefault(_TENSORS_NAME, {})[key] = {
            "dtype": str(t.dtype).removeprefix("torch."), "shape": list(t.shape),
        }
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
    if callable(value) and function_name(value) is not None:
        return {"$type": "function", "name": function_name(value)}
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
    if vars(est).get("interrupted_", False) is True:
        # models/_interrupt.py marks a network whose fit ended by Ctrl-C
        raise ValueError(
            f"save_model: cannot store {label}: its fit was interrupted "
            "(KeyboardInterrupt) before the end; fit it again to the end first"
        )
    params = {
        k: v for k, v in est.get_params(deep=False).items() if not k.startswith("_")
    }
    node: dict[str, Any] = {
        "$type": "estimator",
        "class": _class_name(cls),
        "params": {k: _encode(v, w, f"{label}.{k}") for k, v in params.items()
                   if not (k == "callbacks" and _is_skorch(est))},
    }
    if _is_skorch(est) and "callbacks" in params:
        node["params"]["callbacks"], dropped = encode_callbacks(
            params["callbacks"], lambda v, where: _encode(v, w, where),
            f"{label}.callbacks",
        )
        if dropped:
            warnings.warn(
                f"save_model: {label}: callbacks {', '.join(dropped)} are not stored "
                "(only data-only callbacks on sklearn_ser.io's list are; callbacks act "
                "during training only, predictions are unchanged)",
                UserWarning,
                stacklevel=3,
            )
    if _is_skorch(est):
        if where and not getattr(est, "initialized_", False):
            # An unfitted template held as a parameter of a fitted estimator (e.g.
            # HierarchicalConfusionClassifier(coarse=...), which fits clones of it):
            # its parameters are all there is to store.
            return node
        node["skorch"] = _encode_skorch(est, params, w, label)
        _check(est, node["skorch"]["state"], label)
        return node
    state = {k: v for k, v in vars(est).items() if k not in params}
    node["state"] = {k: _encode(v, w, f"{label}.{k}") for k, v in state.items()}
    _check(est, state, label)
    return node


def _check(est: Any, state: dict, label: str) -> None:
    """What load_model would refuse is not written: a class whose fitted state it
    does not check, or state that disagrees with its class."""
    init_names = set(vars(type(est)(**est.get_params(deep=False))))
    try:
        check_state(est, list(state), init_names)
    except StateError as exc:
        kind = TypeError if "not supported by model files" in str(exc) else ValueError
        raise kind(f"save_model: cannot store {label}: {exc}") from None


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
    # attributes every new instance sets itself (skorch's unused ``lr`` when the
    # estimator does not list it as a parameter): rebuilt by the constructor at load
    skip |= {k for k in vars(type(net)(**params)) if not k.endswith("_")}
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
        scratch = _Writer()
        try:  # a record of training only: kept when it is plain data
            encoded = _encode(list(history), scratch, name)
        except TypeError:
            continue
        if not scratch.arrays and not scratch.tensors:
            # (arrays would reference members that are not written)
            histories[name] = encoded
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



def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it; put it back at once
    os.umask(mask)
    return mask


def save_model(estimator: Any, path: str | os.PathLike) -> None:
    """Save a fitted estimator or pipeline to a model file that holds data only.

    Parameters are stored as JSON, numeric arrays as ``.npy`` and the weights of
    torch modules as tensors, so :func:`load_model` never unpickles anything.
    Supported: scikit-learn and imbalanced-learn pipelines; the transformers,
    resamplers and classifiers of sklearn_ser (the skorch-based ones included);
    the scikit-learn estimators whose fitted state :func:`load_model` checks
    (``SVC`` and the other libsvm models, ``LinearSVC``, ``LogisticRegression``,
    ``StandardScaler``, ``MinMaxScaler``, ``PCA``, ``DummyClassifier``,
    ``LabelEncoder``; see the user guide). The file is written atomically, with
    the permissions ``open()`` would give (the umask applies).

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
    ValueError
        A network in ``estimator`` was interrupted during ``fit`` or
        ``partial_fit`` (Ctrl-C; it is marked ``interrupted_``): its weights are
        those of an unfinished training.
    TypeError
        Some parameter or fitted attribute cannot be stored as data (a function,
        an open file, a class outside the allow-list...), or an estimator is not
        one whose fitted state load_model checks; the message names it.

    Warns
    -----
    UserWarning
        Callbacks of a network that are not stored (``Checkpoint``, loggers, your
        own classes...; the user guide gives the rule) are named.

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
        "members": writer.members,
        "estimator": tree,
    }
    target = Path(os.fspath(path))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    try:
        # mkstemp creates the file 0600; a saved model gets the user's umask, as
        # open() would give it (the rename below keeps the save atomic)
        os.chmod(tmp, 0o666 & ~_umask())
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

