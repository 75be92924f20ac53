"""Row 9 of issue 15 and item 5: fuzzing load_model.

Every mutated file either loads into a model whose ``predict`` (a transformer's
``transform``) works, or is
refused at load with a ValueError/TypeError whose message is one line: never an
AttributeError/IndexError/... at load or at predict, never a crash.

Longer runs: ``IO_FUZZ_N=1500`` (examples), ``IO_FUZZ_RANDOM=1`` (new examples at
each run), ``IO_FUZZ_LOG=file`` (one line per outcome, to see what was refused).
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from iohelpers import members

from sklearn_ser.io import load_model

SPECIAL = [
    {"$type": "tuple", "items": [1, 2]},
    {"$type": "tuple", "items": []},
    {"$type": "ndarray", "file": "arrays/0.npy"},
    {"$type": "ndarray", "file": "arrays/999.npy"},
    {"$type": "npscalar", "dtype": "<f8", "value": 1e308},
    {"$type": "npscalar", "dtype": "<i4", "value": 2**40},
    {"$type": "npscalar", "dtype": "|O", "value": 1},
    {"$type": "class", "name": "torch.nn.modules.linear.Linear"},
    {"$type": "object_array", "shape": [2], "items": ["a"]},
    {"$type": "dtype", "dtype": "<U9999999999"},
    {"$type": "estimator", "class": "sklearn.svm._classes.SVC", "params": {}},
    {"$type": "set", "items": [[1]]},
    {"$type": "nope"},
]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.lists(st.integers(-3, 40), max_size=4),
    st.dictionaries(st.text(max_size=4), st.integers(-2, 2), max_size=2),
    st.sampled_from(SPECIAL),
)
FUZZ = settings(max_examples=int(__import__("os").environ.get("IO_FUZZ_N", 60)), deadline=None, derandomize=not __import__("os").environ.get("IO_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _paths(doc, prefix=()):
    """Every (container, key) of the JSON tree."""
    out = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc)
    for key, value in items:
        out.append(prefix + (key,))
        if isinstance(value, (dict, list)):
            out.extend(_paths(value, prefix + (key,)))
    return out


def _mutate(doc, data):
    paths = _paths(doc)
    path = data.draw(st.sampled_from(paths))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    how = data.draw(st.sampled_from(["replace", "delete", "add", "copy"]))
    if how == "replace" or (how == "delete" and isinstance(parent, list) and not parent):
        parent[key] = data.draw(VALUES)
    elif how == "delete":
        del parent[key]
    elif how == "add":
        if isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["x_", "_x", "classes_", "coef_", "steps",
                                              "$type", "kernel"]))] = data.draw(VALUES)
        else:
            parent.append(data.draw(VALUES))
    else:  # a value from elsewhere in the tree: right types, wrong place
        other = data.draw(st.sampled_from(paths))
        source = doc
        for k in other:
            source = source[k]
        parent[key] = json.loads(json.dumps(source))


def _write(path, content):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in content.items():
            zf.writestr(name, data)


def _check_outcome(path, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # version warnings are not failures here
        try:
            model = load_model(path)
        except (ValueError, TypeError) as exc:
            assert "\n" not in str(exc), str(exc)
            _count("refused", exc)
            return "refused"
        # a pipeline whose last step was removed is a transformer: it transforms
        pred = model.predict(X) if hasattr(model, "predict") else model.transform(X)
    assert len(pred) == len(X)
    _count("loaded", None)
    return "loaded"


def _count(outcome, exc):
    log = __import__("os").environ.get("IO_FUZZ_LOG")
    if log:
        with open(log, "a") as f:
            f.write(f"{outcome}\t{str(exc)[:160] if exc else ''}\n")


def _array_member(data, doc):
    names = sorted(n for n in doc["members"] if n.startswith("arrays/"))
    name = data.draw(st.sampled_from(names))
    dtype = data.draw(st.sampled_from(["<f8", "<f4", "<i4", "<i8", "|b1", "<U3", ">f8"]))
    shape = tuple(data.draw(st.lists(st.integers(0, 40), max_size=3)))
    fill = data.draw(st.sampled_from([0, 1, -1, 7, 2**31 - 1]))
    array = np.full(shape, fill).astype(dtype)
    buf = io.BytesIO()
    np.save(buf, array)
    if data.draw(st.booleans()):  # declared as it is: a consistent file
        doc["members"][name] = {"dtype": array.dtype.str, "shape": list(shape)}
    return name, buf.getvalue()


def _fuzz(source, tmp_path, X, data):
    content = members(source)
    doc = json.loads(content["model.json"])
    if data.draw(st.booleans()):
        _mutate(doc, data)
    else:
        name, value = _array_member(data, doc)
        content[name] = value
    content["model.json"] = json.dumps(doc).encode()
    path = tmp_path / "fuzz.model"
    _write(path, content)
    return _check_outcome(path, X)


@FUZZ
@given(data=st.data())
def test_fuzz_svc_pipeline(svc_file, tabular, tmp_path, data):
    _fuzz(svc_file, tmp_path, tabular[0], data)


@settings(FUZZ, max_examples=max(FUZZ.max_examples // 2, 1))
@given(data=st.data())
def test_fuzz_network(net_file, spectra, tmp_path, data):
    _fuzz(net_file, tmp_path, spectra[0][:3], data)
