"""Rows 1 and 9 of issue 15: restored state is checked before any native code sees
it; unknown or missing fitted attributes are refused with a one-line error."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from iohelpers import read_doc, set_array, svc_node, write_doc
from sklearn.decomposition import PCA
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVR, LinearSVC, NuSVC, OneClassSVM

from sklearn_ser.io import load_model, save_model


def _refused(path, pattern):
    with pytest.raises(ValueError, match=pattern) as exc:
        load_model(path)
    assert "\n" not in str(exc.value)
    return str(exc.value)


@pytest.mark.slow
def test_svc_with_empty_dual_coef_is_refused_not_a_segfault(svc_file, svc_pipe,
                                                            tabular):
    """Row 1: libsvm would read past ``_dual_coef_`` (SIGSEGV, exit 139); the
    check at load ends the process with a Python exception and exit code 1."""
    doc = read_doc(svc_file)
    set_array(svc_file, svc_node(doc), "_dual_coef_", np.zeros((1, 0)), doc)
    np.save(svc_file.with_suffix(".npy"), tabular[0])
    code = (
        "import numpy as np\nfrom sklearn_ser.io import load_model\n"
        f"model = load_model({str(svc_file)!r})\n"
        f"print(model.predict(np.load({str(svc_file.with_suffix('.npy'))!r})))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 1, (run.returncode, run.stderr[-500:])
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ValueError: load_model: refusing to load")
    n_sv = svc_pipe[-1].support_vectors_.shape[0]
    assert f"'_dual_coef_' has shape (1, 0), expected (2, {n_sv})" in last


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("_n_support", lambda n: np.array([n, 0, 1], np.int32), r"'_n_support' is \["),
        ("_n_support", lambda n: np.array([n, 0], np.int32), r"'_n_support' is \["),
        ("support_vectors_", lambda n: np.zeros((n, 3)), r"'support_vectors_' has shape"),
        ("support_vectors_", lambda n: np.zeros((n, 4), np.float32), "dtype float32"),
        ("support_vectors_", lambda n: np.asfortranarray(np.zeros((n, 4))),
         "C-contiguous"),
        ("support_", lambda n: np.arange(n - 1, dtype=np.int32), "'support_' has shape"),
        ("support_", lambda n: np.arange(n, dtype=np.int32) + 30, "indices outside"),
        ("_intercept_", lambda n: np.zeros(2), r"'_intercept_' has shape \(2,\)"),
        ("_probA", lambda n: np.zeros(1), "expected 0 or 3"),
        ("class_weight_", lambda n: np.zeros(2), r"'class_weight_' has shape \(2,\)"),
        ("_dual_coef_", lambda n: np.full((2, n), np.nan), "NaN"),
    ],
)
def test_inconsistent_libsvm_state_is_refused(svc_file, svc_pipe, name, make, message):
    doc = read_doc(svc_file)
    n_sv = svc_pipe[-1].support_vectors_.shape[0]
    set_array(svc_file, svc_node(doc), name, make(n_sv), doc)
    _refused(svc_file, message)


@pytest.mark.parametrize("name", ["_gamma", "_sparse", "_n_support", "shape_fit_"])
def test_missing_private_attribute_is_refused(svc_file, name):
    """Row 9: a file from another scikit-learn lacking a private attribute."""
    doc = read_doc(svc_file)
    del svc_node(doc)["state"][name]
    write_doc(svc_file, doc)
    _refused(svc_file, rf"\(SVC\): fitted attribute '{name}' is missing")


def test_unknown_attribute_is_refused(svc_file):
    doc = read_doc(svc_file)
    svc_node(doc)["state"]["_new_in_sklearn_2_"] = 1
    write_doc(svc_file, doc)
    _refused(svc_file, r"unknown fitted attribute\(s\) '_new_in_sklearn_2_'")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("_gamma", "0.5", "'_gamma' is str, expected a number"),
        ("_sparse", True, "'_sparse' is True, only False is supported"),
        ("shape_fit_", {"$type": "tuple", "items": [30]}, "'shape_fit_' is"),
        ("fit_status_", -1, "'fit_status_' is -1"),
    ],
)
def test_mistyped_attribute_is_refused(svc_file, name, value, message):
    doc = read_doc(svc_file)
    svc_node(doc)["state"][name] = value
    write_doc(svc_file, doc)
    _refused(svc_file, message)


@pytest.mark.parametrize(
    ("param", "value"), [("kernel", "evil"), ("C", -1.0), ("degree", "3")]
)
def test_invalid_parameters_are_refused(svc_file, param, value):
    doc = read_doc(svc_file)
    svc_node(doc)["params"][param] = value
    write_doc(svc_file, doc)
    _refused(svc_file, rf"refusing.*'{param}' parameter of SVC")


def test_unfitted_step_is_refused(svc_file):
    doc = read_doc(svc_file)
    svc_node(doc)["state"] = {}
    write_doc(svc_file, doc)
    _refused(svc_file, r"step 'svc' \(SVC\) is not fitted")


def test_scaler_and_linear_model_state_are_checked(tmp_path, tabular):
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(*tabular)
    save_model(pipe, tmp_path / "lr.model")
    doc = read_doc(tmp_path / "lr.model")
    scaler, lr = (doc["estimator"]["params"]["steps"][i]["items"][1] for i in (0, 1))
    set_array(tmp_path / "lr.model", lr, "coef_", np.zeros((3, 5)), doc)
    _refused(tmp_path / "lr.model", r"'coef_' has shape \(3, 5\), expected \(3, 4\)")
    save_model(pipe, tmp_path / "lr.model")
    doc = read_doc(tmp_path / "lr.model")
    scaler = doc["estimator"]["params"]["steps"][0]["items"][1]
    set_array(tmp_path / "lr.model", scaler, "scale_", np.ones(3), doc)
    _refused(tmp_path / "lr.model", r"'scale_' has shape \(3,\), expected \(4,\)")


@pytest.mark.parametrize("make", [NuSVC, SVR, OneClassSVM, LinearSVC])
def test_other_svms_round_trip(make, tabular, tmp_path):
    X, y = tabular
    model = make()
    if make in (SVR, OneClassSVM):
        model.fit(X, X[:, 0])
    else:
        model.fit(X, y)
    save_model(model, tmp_path / "m.model")
    np.testing.assert_array_equal(load_model(tmp_path / "m.model").predict(X),
                                  model.predict(X))


def test_estimator_whose_state_is_not_checked_is_refused(tmp_path, tabular):
    """GaussianNB is not on the list: refused when saved."""
    with pytest.raises(TypeError, match=r"GaussianNB is not supported by "
                                        r"model files.*SVC"):
        save_model(GaussianNB().fit(*tabular), tmp_path / "nb.model")
    assert not (tmp_path / "nb.model").exists()


def test_unsupported_class_in_a_file_is_refused(svc_file):
    doc = read_doc(svc_file)
    svc_node(doc)["class"] = "sklearn.linear_model._ridge.RidgeClassifier"
    svc_node(doc)["params"] = {}
    write_doc(svc_file, doc)
    _refused(svc_file, "RidgeClassifier is not supported by model files")


def test_undescribed_sklearn_ser_estimator_is_refused_on_save(tmp_path):
    """A sklearn_ser estimator whose state is more than its input shape, and that
    nobody described in io/_state_ser.py: a TypeError saying so."""
    from sklearn_ser.features import FrameStatistics

    class Stateful(FrameStatistics):
        pass

    Stateful.__module__ = "sklearn_ser.features._statistics"
    est = Stateful()
    est.n_channels_in_, est.n_features_in_, est.table_ = 1, 3, np.zeros(3)
    with pytest.raises(TypeError, match=r"Stateful is not supported by model files: "
                                        r"its fitted state is not described"):
        save_model(est, tmp_path / "s.model")


@pytest.mark.parametrize(
    "make",
    [
        lambda: DummyClassifier(strategy="constant", constant="neutral"),
        lambda: make_pipeline(MinMaxScaler(), PCA(2), LogisticRegression()),
        lambda: make_pipeline(StandardScaler(with_std=False), LinearSVC()),
    ],
    ids=["dummy-constant", "minmax-pca-lr", "scaler-no-std-linearsvc"],
)
def test_other_listed_estimators_round_trip(make, tabular, tmp_path):
    model = make().fit(*tabular)
    save_model(model, tmp_path / "m.model")
    np.testing.assert_array_equal(load_model(tmp_path / "m.model").predict(tabular[0]),
                                  model.predict(tabular[0]))
