"""Helpers of the model-file tests (tests/test_io.py, tests/io/): read, rewrite and
hand-build zip archives. Beside tests/conftest.py, so both folders import it."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rewrite(path: Path, changes: dict[str, bytes | None]) -> None:
    """Replace (or, with None, drop) members of the zip archive ``path``."""
    content = members(path)
    for name, data in changes.items():
        if data is None:
            content.pop(name, None)
        else:
            content[name] = data
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in content.items():
            zf.writestr(name, data)


def read_doc(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("model.json"))


def write_doc(path: Path, doc: dict) -> None:
    rewrite(path, {"model.json": json.dumps(doc).encode()})


class Deflated:
    """A deflated member built without holding its inflated bytes: ``prefix``,
    ``repeat`` copies of ``chunk``, then ``suffix`` (a zip bomb when ``repeat`` is
    large). Each chunk ends in a full flush, so its compressed bytes are the same
    every time and are computed once. Without ``exact_crc`` the CRC is left 0 (a
    reader finds out only after inflating everything, which is what the tests
    check it never does)."""

    def __init__(self, prefix: bytes, chunk: bytes, repeat: int, suffix: bytes = b"",
                 *, exact_crc: bool = False):
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
        block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
        tail = c.compress(suffix) + c.flush()
        self.data = head + block * repeat + tail
        self.size = len(prefix) + len(chunk) * repeat + len(suffix)
        self.crc = 0
        if exact_crc:
            crc = zlib.crc32(prefix)
            for _ in range(repeat):
                crc = zlib.crc32(chunk, crc)
            self.crc = zlib.crc32(suffix, crc)


def write_raw_zip(path: Path, content: dict[str, bytes | Deflated]) -> None:
    """A zip archive written by hand (stored members, or ``Deflated`` ones)."""
    out, central = bytearray(), bytearray()
    for name, item in content.items():
        if isinstance(item, Deflated):
            method, data, crc, size = 8, item.data, item.crc, item.size
        else:
            method, data, crc, size = 0, item, zlib.crc32(item), len(item)
        raw = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21,
                           crc, len(data), size, len(raw), 0) + raw + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method,
                               0, 0x21, crc, len(data), size, len(raw), 0, 0, 0, 0,
                               0, offset) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(content), len(content),
                      len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))


def svc_node(doc: dict) -> dict:
    """The SVC of the ``svc_pipe`` fixture (make_pipeline(StandardScaler(), SVC()))."""
    return doc["estimator"]["params"]["steps"][1]["items"][1]


def set_array(path: Path, node: dict, name: str, array, doc: dict) -> None:
    """Store ``array`` as the fitted attribute ``name`` of ``node`` (a part of
    ``doc``), declaring it as save_model would: a consistent file."""
    import io

    import numpy as np

    key = node["state"][name]["file"]
    buf = io.BytesIO()
    np.save(buf, np.asarray(array), allow_pickle=False)
    doc["members"][key] = {"dtype": array.dtype.str, "shape": list(array.shape)}
    content = members(path)
    content[key] = buf.getvalue()
    content["model.json"] = json.dumps(doc).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for member, data in content.items():
            zf.writestr(member, data)
