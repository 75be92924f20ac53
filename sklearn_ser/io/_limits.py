"""Size limits of model files, checked before anything is inflated or allocated.

Every member of a model file is declared in ``model.json`` (``"members"``: the
dtype and shape of each ``.npy`` array and of each tensor of ``tensors.pt``). Before
a member is read, the size its zip entry says it inflates to must agree with its
declaration, and the declared sizes together must stay under ``max_bytes``; the
member is then read through a reader that stops at the declared size. A zip bomb
(a few megabytes that inflate to gigabytes) is refused from its directory entry,
without inflating anything.
"""

from __future__ import annotations

import io as _io
import math
import zipfile
import zlib
from typing import Any

import numpy as np

#: Largest ``model.json`` read, in bytes (inflated); a pipeline's is some kilobytes.
MAX_JSON_BYTES = 8 * 2**20
#: Default of ``load_model(max_bytes=)``: the most bytes all members of a model file
#: may inflate to together.
DEFAULT_MAX_BYTES = 2**30
_MAX_NDIM = 32
_NPY_HEADER_MAX = 10_000 + 16  # numpy's own max_header_size, plus magic and length
_TORCH_OVERHEAD = 64 * 2**10  # torch.save's pickle and zip records: a base ...
_TORCH_PER_TENSOR = 4 * 2**10  # ... plus this much per tensor
_TORCH_DTYPES = (
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
    "int8", "int16", "int32", "int64", "uint8", "bool",
)


def _shape(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) > _MAX_NDIM or not all(
        type(s) is int and s >= 0 for s in value
    ):
        raise ValueError(f"shape {value!r} is not a list of non-negative integers")
    return tuple(value)


def npy_dtype(value: Any) -> np.dtype:
    """The numpy dtype of a declaration; object and structured dtypes are refused."""
    if not isinstance(value, str) or len(value) > 32:
        raise ValueError(f"dtype {value!r} is not a dtype string")
    try:
        dtype = np.dtype(value)
    except (TypeError, ValueError, SyntaxError):
        raise ValueError(f"dtype {value!r} is not a numpy dtype") from None
    if dtype.hasobject or dtype.kind == "V" or dtype.fields is not None:
        raise ValueError(f"dtype {value!r} is not allowed (objects or records)")
    return dtype


def torch_itemsize(value: Any) -> int:
    if value not in _TORCH_DTYPES:
        raise ValueError(f"tensor dtype {value!r} is not one of {', '.join(_TORCH_DTYPES)}")
    return {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "complex64": 8,
            "complex128": 16, "int8": 1, "int16": 2, "int32": 4, "int64": 8,
            "uint8": 1, "bool": 1}[value]


class Declarations:
    """The members a file declares: ``arrays`` (name -> (dtype, shape)) and
    ``tensors`` (key -> (dtype name, shape)), with their sizes in bytes."""

    def __init__(self, members: Any, corrupt) -> None:
        self.arrays: dict[str, tuple[np.dtype, tuple[int, ...]]] = {}
        self.tensors: dict[str, tuple[str, tuple[int, ...]]] = {}
        self.sizes: dict[str, int] = {}
        if not isinstance(members, dict):
            raise corrupt("'members' (the declared arrays and tensors) is not a mapping")
        try:
            for name, decl in members.items():
                if name == "tensors.pt":
                    if not isinstance(decl, dict):
                        raise ValueError("the tensors' declaration is not a mapping")
                    total = 0
                    for key, spec in decl.items():
                        dt, shape = spec["dtype"], _shape(spec["shape"])
                        total += torch_itemsize(dt) * math.prod(shape)
                        self.tensors[key] = (dt, shape)
                    self.sizes[name] = total
                elif isinstance(name, str) and name.startswith("arrays/"):
                    dtype, shape = npy_dtype(decl["dtype"]), _shape(decl["shape"])
                    self.arrays[name] = (dtype, shape)
                    self.sizes[name] = dtype.itemsize * math.prod(shape)
                else:
                    raise ValueError(f"unknown member {name!r}")
        except (KeyError, TypeError, ValueError) as exc:
            raise corrupt(f"bad member declaration ({exc})") from None


def check_directory(archive: zipfile.ZipFile, json_name: str, max_bytes: int,
                    refuse) -> None:
    """Refuse, from the zip directory alone, members that could not be read safely."""
    total = 0
    for info in archive.infolist():
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse(f"member {info.filename!r} uses compression method "
                         f"{info.compress_type} (only stored or deflated are read)")
        if info.flag_bits & 0x1:
            raise refuse(f"member {info.filename!r} is encrypted")
        if info.filename == json_name and info.file_size > MAX_JSON_BYTES:
            raise refuse(
                f"{json_name} inflates to {info.file_size} bytes, more than the "
                f"{MAX_JSON_BYTES} bytes a model description may hold"
            )
        total += info.file_size
    if total > max_bytes:
        raise refuse(f"its members inflate to {total} bytes, more than max_bytes="
                     f"{max_bytes}")


def check_declared_sizes(archive: zipfile.ZipFile, decl: Declarations,
                         max_bytes: int, refuse) -> None:
    """Each declared member's inflated size agrees with its declaration, and the
    declared sizes together stay under ``max_bytes``."""
    total = sum(decl.sizes.values())
    if total > max_bytes:
        raise refuse(f"its arrays and tensors are declared as {total} bytes, more "
                     f"than max_bytes={max_bytes}")
    names = set(archive.namelist())
    for name, size in decl.sizes.items():
        if name not in names:
            continue  # reported as missing when it is used
        actual = archive.getinfo(name).file_size
        slack = _NPY_HEADER_MAX if name != "tensors.pt" else (
            _TORCH_OVERHEAD + _TORCH_PER_TENSOR * len(decl.tensors)
        )
        if not size <= actual <= size + slack:
            raise refuse(f"member {name!r} inflates to {actual} bytes, but its "
                         f"declaration says {size} bytes of data")


def read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most ``limit`` bytes of a member; more is an error, not a truncation."""
    with archive.open(name) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"member {name!r} is larger than the {limit} bytes allowed")
    return data


def read_npy(archive: zipfile.ZipFile, name: str,
             declared: tuple[np.dtype, tuple[int, ...]] | None) -> np.ndarray:
    """Read a ``.npy`` member whose header must match its declaration (when one is
    given) and whose data must have exactly the size the header says."""
    info = archive.getinfo(name)
    with archive.open(name) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"unknown .npy version {version}")
        if dtype.hasobject:
            raise ValueError("it holds Python objects (a pickle), which are not loaded")
        if dtype.kind == "V" or dtype.fields is not None:
            raise ValueError(f"dtype {dtype} is not allowed")
        if declared is not None and (dtype != declared[0] or shape != declared[1]):
            raise ValueError(
                f"it holds {dtype.str} {shape}, but is declared as "
                f"{declared[0].str} {declared[1]}"
            )
        nbytes = dtype.itemsize * math.prod(shape)
        if f.tell() + nbytes != info.file_size:
            raise ValueError(
                f"its header says {nbytes} bytes of data, the member holds "
                f"{info.file_size - f.tell()}"
            )
        data = f.read(nbytes)
    if len(data) != nbytes:
        raise ValueError("it is truncated")
    order = "F" if fortran else "C"
    return np.frombuffer(data, dtype=dtype).reshape(shape, order=order).copy(order="K")


def check_torch_archive(data: bytes) -> None:
    """``tensors.pt`` is itself a zip; none of its records may be compressed, so
    ``torch.load`` cannot inflate more than the bytes already read."""
    try:
        with zipfile.ZipFile(_io.BytesIO(data)) as inner:
            infos = inner.infolist()
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError) as exc:
        raise ValueError(f"it is not a torch archive ({exc})") from None
    if any(i.compress_type != zipfile.ZIP_STORED for i in infos) or sum(
        i.file_size for i in infos
    ) > len(data):
        raise ValueError("it holds compressed records")


def check_tensors(tensors: dict, declared: dict[str, tuple[str, tuple[int, ...]]]) -> None:
    if set(tensors) != set(declared):
        raise ValueError("its tensors are not those declared in model.json")
    for key, t in tensors.items():
        dt, shape = declared[key]
        if str(t.dtype) != f"torch.{dt}" or tuple(t.shape) != shape:
            raise ValueError(
                f"tensor {key!r} is {t.dtype} {tuple(t.shape)}, declared {dt} {shape}"
            )
