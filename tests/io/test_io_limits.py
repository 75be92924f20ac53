"""Row 2 of issue 15: members that inflate to more than they declare (zip bombs)
are refused from the zip directory, before anything is inflated."""

from __future__ import annotations

import io
import json
import resource
import zipfile

import numpy as np
import pytest
from iohelpers import Deflated, members, read_doc, rewrite, write_doc, write_raw_zip

from sklearn_ser.io import load_model

GIB = 2**30
SPACES = b" " * (64 * 2**20)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _npy_header(dtype: str, shape: tuple) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": shape}
    )
    return buf.getvalue()


def test_json_bomb_is_refused_before_inflating(svc_file):
    """model.json of ~1.5 MB that inflates to 1.5 GiB: refused, memory unchanged."""
    content = members(svc_file)
    doc = content["model.json"].decode()
    content["model.json"] = Deflated(doc[:-1].encode() + b', "pad": "', SPACES, 24,
                                     b'"}')
    write_raw_zip(svc_file, content)
    assert svc_file.stat().st_size < 3 * 2**20
    before = _peak_rss_mib()
    with pytest.raises(ValueError, match=r"refusing.*model\.json inflates to 16106"):
        load_model(svc_file)
    assert _peak_rss_mib() - before < 100


def test_array_bomb_is_refused_before_inflating(svc_file):
    """An array member that inflates to 1.5 GiB while model.json declares a few
    floats: refused from the directory, memory unchanged."""
    content = members(svc_file)
    header = _npy_header("<f8", (24 * 2**23,))
    content["arrays/0.npy"] = Deflated(header, SPACES, 24)
    write_raw_zip(svc_file, content)
    before = _peak_rss_mib()
    with pytest.raises(ValueError, match=r"refusing.*members inflate to \d+ bytes, "
                                         r"more than max_bytes"):
        load_model(svc_file)
    # under a larger max_bytes: the declaration (4 floats) disagrees
    with pytest.raises(ValueError, match=r"refusing.*'arrays/0\.npy' inflates to "
                                         r"\d+ bytes, but its declaration says 32"):
        load_model(svc_file, max_bytes=2 * GIB)
    assert _peak_rss_mib() - before < 100


def test_declared_sizes_are_capped(svc_file):
    doc = read_doc(svc_file)
    doc["members"]["arrays/0.npy"]["shape"] = [2**28]  # 2 GiB of float64
    write_doc(svc_file, doc)
    with pytest.raises(ValueError, match=r"declared as \d+ bytes, more than max_bytes"):
        load_model(svc_file)


@pytest.mark.parametrize(
    "change",
    ["bigger", "smaller", "dtype", "shape", "undeclared", "header-lies"],
)
def test_member_disagreeing_with_its_declaration_is_refused(svc_file, change):
    doc = read_doc(svc_file)
    spec = doc["members"]["arrays/0.npy"]
    array = np.zeros(spec["shape"], dtype=spec["dtype"])
    if change == "bigger":
        array = np.zeros(array.size + 1)
    elif change == "smaller":
        array = np.zeros(max(array.size - 1, 0))
    elif change == "dtype":
        array = array.astype(np.float32)
    elif change == "shape":
        array = array.reshape(1, -1)
    buf = io.BytesIO()
    np.save(buf, array)
    data = buf.getvalue()
    if change == "header-lies":  # the header claims one float fewer than it holds
        n = len(spec["shape"]) and spec["shape"][0]
        data = data.replace(f"({n},)".encode(), f"({n - 1},)".encode().ljust(
            len(f"({n},)")))
    rewrite(svc_file, {"arrays/0.npy": data})
    if change == "undeclared":
        del doc["members"]["arrays/0.npy"]
        write_doc(svc_file, doc)
    with pytest.raises(ValueError, match=r"refusing to load .*svc\.model|svc\.model.*not declared") as exc:
        load_model(svc_file)
    assert "\n" not in str(exc.value)


def test_other_compression_methods_are_refused(svc_file):
    content = members(svc_file)
    with zipfile.ZipFile(svc_file, "w") as zf:
        for name, data in content.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_BZIP2)
    with pytest.raises(ValueError, match="compression method 12"):
        load_model(svc_file)


def test_compressed_records_inside_tensors_are_refused(net_file):
    inner = members(net_file)["tensors.pt"]
    with zipfile.ZipFile(io.BytesIO(inner)) as zf:
        records = {i: zf.read(i) for i in zf.infolist()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info, data in records.items():
            zf.writestr(info.filename, data)
    rewrite(net_file, {"tensors.pt": buf.getvalue()})
    with pytest.raises(ValueError, match=r"refusing.*tensors\.pt"):
        load_model(net_file)


def test_tensor_disagreeing_with_its_declaration_is_refused(net_file):
    doc = read_doc(net_file)
    spec = next(iter(doc["members"]["tensors.pt"].values()))
    spec["shape"] = [*spec["shape"], 1]
    write_doc(net_file, doc)
    with pytest.raises(ValueError, match=r"refusing.*(tensors\.pt.*declared|weight .*"
                                         r"the network its parameters describe)"):
        load_model(net_file)


def test_format_1_files_still_load(svc_file, svc_pipe, tabular):
    """Files written before the declarations: the .npy headers are checked."""
    doc = read_doc(svc_file)
    doc["format_version"] = 1
    del doc["members"]
    write_doc(svc_file, doc)
    np.testing.assert_array_equal(load_model(svc_file).predict(tabular[0]),
                                  svc_pipe.predict(tabular[0]))


def test_max_bytes_is_checked(svc_file):
    with pytest.raises(TypeError, match="max_bytes"):
        load_model(svc_file, max_bytes=0)
    with pytest.raises(ValueError, match="more than max_bytes=100"):
        load_model(svc_file, max_bytes=100)
    assert json.loads(members(svc_file)["model.json"])["members"]
