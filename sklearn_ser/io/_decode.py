"""Reading model files: nothing from the file is executed."""

from __future__ import annotations

import inspect
import io as _io
import json
import os
import re
import warnings
import zipfile
import zlib
from collections import OrderedDict
from typing import Any

import numpy as np

from sklearn_ser.utils._random import torch_rng

from . import _limits, _nets
from ._callbacks import known_functions
from ._format import (
    _BUILTIN_TYPES,
    _FORMAT_NAME,
    _JSON_NAME,
    _SKORCH_HISTORIES,
    _TENSORS_NAME,
    FORMAT_VERSION,
    _is_skorch,
    _resolve_class,
    _versions,
)
from ._state import StateError, require_fitted
from ._state_ser import check_state, smoke_test_net


def _torch_version() -> tuple[int, int]:
    import torch

    match = re.match(r"(\d+)\.(\d+)", torch.__version__)
    return (int(match[1]), int(match[2])) if match else (0, 0)


def _one_line(text: str, limit: int = 400) -> str:
    """Messages quote values from the file: keep them on one line, and short."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Reader:
    def __init__(self, path: str, archive: zipfile.ZipFile, max_bytes: int,
                 max_parameters: int) -> None:
        self.path = path
        self.archive = archive
        self.max_bytes = max_bytes
        self.max_parameters = max_parameters
        self.decl: _limits.Declarations | None = None  # None: a format-1 file
        self._tensors: dict | None = None

    def corrupt(self, why: str) -> ValueError:
        return ValueError(f"load_model: {self.path!r} is a corrupt model file: "
                          f"{_one_line(why)}")

    def refuse(self, why: str) -> ValueError:
        return ValueError(f"load_model: refusing to load {self.path!r}: {_one_line(why)}")

    def array(self, key: Any) -> np.ndarray:
        if not isinstance(key, str) or key not in self.archive.namelist():
            raise self.corrupt(f"array {key!r} is missing")
        declared = None
        if self.decl is not None:
            if key not in self.decl.arrays:
                raise self.corrupt(f"array {key!r} is not declared in {_JSON_NAME}")
            declared = self.decl.arrays[key]
        elif self.archive.getinfo(key).file_size > self.max_bytes:
            raise self.refuse(f"{key!r} is larger than max_bytes={self.max_bytes}")
        try:
            return _limits.read_npy(self.archive, key, declared)
        except ValueError as exc:
            # object arrays (pickles) are refused from their header: nothing is
            # unpickled; so is a member that disagrees with its declaration
            raise self.refuse(f"{key!r}: {exc}") from None
        except Exception as exc:  # noqa: BLE001  (a damaged member)
            raise self.corrupt(f"cannot read {key!r} ({exc})") from None

    def tensor(self, key: Any) -> Any:
        if self._tensors is None:
            self._tensors = self._load_tensors()
        if not isinstance(key, str) or key not in self._tensors:
            raise self.corrupt(f"tensor {key!r} is missing")
        return self._tensors[key]

    def _load_tensors(self) -> dict:
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
        limit = self.archive.getinfo(_TENSORS_NAME).file_size
        try:
            data = _limits.read_member(self.archive, _TENSORS_NAME, limit)
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError) as exc:
            raise self.corrupt(f"cannot read {_TENSORS_NAME} ({exc})") from None
        try:
            _limits.check_torch_archive(data)
        except ValueError as exc:
            raise self.refuse(f"{_TENSORS_NAME}: {exc}") from None
        try:
            tensors = torch.load(
                _io.BytesIO(data), map_location="cpu", weights_only=True
            )
        except Exception as exc:  # noqa: BLE001  (UnpicklingError and friends)
            first = str(exc).splitlines()[0] if str(exc) else ""
            raise self.refuse(
                f"{_TENSORS_NAME} holds something other than plain tensors, or is "
                f"damaged ({type(exc).__name__}: {first})"
            ) from None
        if not isinstance(tensors, dict) or not all(
            isinstance(t, torch.Tensor) for t in tensors.values()
        ):
            raise self.corrupt(f"{_TENSORS_NAME} is not a dict of tensors")
        if self.decl is not None:
            try:
                _limits.check_tensors(tensors, self.decl.tensors)
            except ValueError as exc:
                raise self.refuse(f"{_TENSORS_NAME}: {exc}") from None
        return tensors


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
        if kind == "function":
            functions = known_functions()
            if doc["name"] not in functions:
                raise r.refuse(f"{where}: function {doc['name']!r} is not allowed")
            return functions[doc["name"]]
        if kind == "callback":
            cls = _resolve_class(doc["class"], role="callback", where=where)
            params = doc["params"]
            if not isinstance(params, dict):
                raise r.corrupt(f"{where}: callback params is not a mapping")
            _check_attr_names(params, r, where)
            params = {k: _decode(v, r, f"{where}.{k}") for k, v in params.items()}
            try:
                return cls(**params)
            except (TypeError, ValueError) as exc:
                raise r.corrupt(f"{where}: bad callback parameters ({exc})") from None
        if kind == "labelled_matrix":
            from sklearn_ser.metrics import LabelledMatrix

            return LabelledMatrix(
                _decode(doc["values"], r, where),
                _decode(doc["labels"], r, where),
                kind=doc["kind"],
            )
    except (KeyError, TypeError, ValueError, OverflowError, MemoryError) as exc:
        if isinstance(exc, ValueError) and str(exc).startswith("load_model:"):
            raise  # a refusal from a nested entry, already one line
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise r.corrupt(
            f"{where}: malformed {kind!r} entry ({type(exc).__name__}: {first})"
        ) from None
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
    init_names = set(vars(est))
    for key, value in state.items():
        vars(est)[key] = _decode(value, r, f"{label}.{key}")
    _check(est, state, init_names, r, label)
    return est


def _check(est: Any, state: dict, init_names: set, r: _Reader, label: str) -> None:
    try:
        check_state(est, list(state), init_names)
    except StateError as exc:
        raise r.refuse(f"{label}: {exc}") from None


def _restore_skorch(net: Any, doc: Any, r: _Reader, label: str) -> None:
    if not _is_skorch(net) or not isinstance(doc, dict):
        raise r.corrupt(f"{label}: skorch state for a non-skorch estimator")
    state = doc.get("state", {})
    if not isinstance(state, dict):
        raise r.corrupt(f"{label}: state is not a mapping")
    _check_attr_names(state, r, label, type(net))
    init_names = set(vars(net))
    for key, value in state.items():
        setattr(net, key, _decode(value, r, f"{label}.{key}"))
    _check(net, state, init_names, r, label)
    weights = doc.get("weights", {})
    try:  # sized on the meta device first: nothing is allocated for a bad file
        shapes = _nets.size_network(net, max_parameters=r.max_parameters,
                                    max_bytes=r.max_bytes)
        _nets.check_weights(shapes, weights,
                            r.decl.tensors if r.decl is not None else None)
        # initialize() builds the module, criterion and optimiser from the
        # parameters and the restored data-dependent attributes (feature_shape_,
        # classes_ ...); its random initial weights are overwritten below, the
        # global RNG is left alone.
        # (without the optimiser where the class allows: creating one imports
        # torch._dynamo, ~70 MB, and prediction needs none; models/_inference.py)
        with torch_rng():
            getattr(net, "_initialize_for_inference", net.initialize)()
    except _nets.NetError as exc:
        raise r.refuse(f"{label}: {exc}") from None
    except Exception as exc:  # noqa: BLE001  (module code fails on bad sizes)
        raise r.refuse(f"{label}: the network cannot be built from its parameters "
                       f"({_nets._one_line(exc)})") from None
    for part, tensors in weights.items():
        state_dict = {k: r.tensor(v) for k, v in tensors.items()}
        try:
            getattr(net, f"{part}_").load_state_dict(state_dict, strict=True)
        except RuntimeError as exc:
            raise r.corrupt(
                f"{label}: the {part} weights do not fit the rebuilt network "
                f"({_nets._one_line(exc)})"
            ) from None
    try:
        smoke_test_net(net)
    except StateError as exc:
        raise r.refuse(f"{label}: {exc}") from None
    from skorch.history import History

    for name, entries in doc.get("histories", {}).items():
        if name in _SKORCH_HISTORIES and isinstance(entries, list):
            setattr(net, name, History(_decode(entries, r, f"{label}.{name}")))



def load_model(
    path: str | os.PathLike,
    *,
    max_bytes: int = _limits.DEFAULT_MAX_BYTES,
    max_parameters: int = _nets.DEFAULT_MAX_PARAMETERS,
) -> Any:
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
    max_bytes : int, default=2**30
        The most bytes the arrays and tensors of the file may take once read (and
        its zip members may inflate to). Checked from the zip directory and the
        declarations in ``model.json`` before anything is inflated; ``model.json``
        itself may hold at most 8 MiB.
    max_parameters : int, default=50_000_000
        The most parameters a network of the file may have. Its size is computed
        from the file's parameters on torch's ``meta`` device, which allocates
        nothing, before the network is built.

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
        version, names a class that is not allowed (nothing of it is imported), or
        is refused: members larger than declared or than ``max_bytes``, a network
        over ``max_parameters``, fitted state that its class would not have
        produced (missing, unknown or inconsistent attributes). One line, naming
        the file and the part of it.
    TypeError
        ``max_bytes`` or ``max_parameters`` is not a positive int.

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
    for arg, value in (("max_bytes", max_bytes), ("max_parameters", max_parameters)):
        if type(value) is not int or value < 1:
            raise TypeError(f"load_model: {arg} must be a positive int, got {value!r}")
    not_model = (
        f"load_model: {name!r} is not a sklearn_ser model file (expected a zip "
        f"archive holding {_JSON_NAME}, as written by save_model)"
    )
    try:
        archive = zipfile.ZipFile(name, "r")
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValueError(not_model) from None
    with archive:
        reader = _Reader(name, archive, max_bytes, max_parameters)
        if _JSON_NAME not in archive.namelist():
            raise ValueError(not_model)
        # from the zip directory alone, before anything is inflated
        _limits.check_directory(archive, _JSON_NAME, max_bytes, reader.refuse)
        try:
            text = _limits.read_member(archive, _JSON_NAME, _limits.MAX_JSON_BYTES)
            doc = json.loads(text.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error,
                OSError, RecursionError) as exc:
            raise reader.corrupt(f"{_JSON_NAME} cannot be read ({exc})") from None
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT_NAME:
            raise ValueError(not_model)
        version = doc.get("format_version")
        if type(version) is not int or version < 1:
            raise reader.corrupt(f"invalid format_version {version!r}")
        if version > FORMAT_VERSION:
            raise ValueError(
                f"load_model: {name!r} has model-file format version {version}, newer "
                f"than this sklearn_ser reads ({FORMAT_VERSION}); upgrade sklearn_ser "
                f"(the file was written by sklearn_ser "
                f"{_written_by(doc)!r})"
            )
        if version >= 2:  # format 1 declared nothing; its .npy headers are checked
            reader.decl = _limits.Declarations(doc.get("members"), reader.corrupt)
            _limits.check_declared_sizes(archive, reader.decl, max_bytes, reader.refuse)
        # versions of the packages imported so far, then of those the file's
        # classes imported (nothing is imported only to read its version)
        checked = _check_versions(doc.get("versions"), name, skip=set())
        tree = doc.get("estimator")
        if not isinstance(tree, dict) or tree.get("$type") != "estimator":
            raise reader.corrupt("no estimator in the file")
        try:
            est = _decode_estimator(tree, reader, "")
        except RecursionError:
            raise reader.corrupt("the estimator tree is nested too deeply") from None
        _check_versions(doc.get("versions"), name, skip=checked)
        try:
            require_fitted(est, "the estimator")
        except StateError as exc:
            raise reader.refuse(str(exc)) from None
        return est


def _written_by(doc: dict) -> Any:
    versions = doc.get("versions")
    return versions.get("sklearn_ser") if isinstance(versions, dict) else None


def _check_versions(saved: Any, name: str, *, skip: set) -> set:
    """Warn about the packages (imported now, not in ``skip``) whose version
    differs from the file's; returns the packages compared."""
    if not isinstance(saved, dict):
        return set()
    current = {k: v for k, v in _versions(loaded_only=True).items() if k not in skip}
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
    return set(current)
