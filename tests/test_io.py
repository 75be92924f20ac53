"""Safe model files: round trips, the class allow-list, refusal of pickles, versions."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from iohelpers import read_doc, rewrite, write_doc
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC

from sklearn_ser.augment import SpecAugmentResampler
from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.features import MFCC, FeatureNormalizer, FrameStatistics
from sklearn_ser.io import FORMAT_VERSION, load_model, save_model
from sklearn_ser.models import (
    AttentionBLSTMClassifier,
    CNNLSTMClassifier,
    CosineEmbeddingClassifier,
    HierarchicalConfusionClassifier,
)

CLASSES = ("anger", "neutral", "sadness")


@pytest.fixture(scope="module")
def audio():
    data = make_emotional_speech(
        n_per_class=4, classes=CLASSES, n_speakers=2, duration=(0.5, 0.8),
        random_state=0,
    )
    return data.X, data.y


def features(n_per_class=5, n_features=20, n_frames=30, seed=0):
    """Class-dependent random (1, F, T) features, a dense (n, 1, F, T) array."""
    rng = np.random.default_rng(seed)
    means = rng.standard_normal((len(CLASSES), 1, n_features, 1)) * 2
    X = np.concatenate([
        means[k] + rng.standard_normal((n_per_class, 1, n_features, n_frames))
        for k in range(len(CLASSES))
    ]).astype(np.float32)
    return X, np.repeat(np.array(CLASSES), n_per_class)


@pytest.fixture(scope="module")
def cnn_pipeline(audio):
    X, y = audio
    pipe = make_pipeline(
        MFCC(n_mfcc=13, hop_ms=20.0),
        FeatureNormalizer(scope="global"),
        CNNLSTMClassifier(max_epochs=1, segment_frames=20, train_hop=10, test_hop=10,
                          random_state=0),
    )
    return pipe.fit(X, y)


@pytest.fixture
def saved(cnn_pipeline, tmp_path):
    path = tmp_path / "cnn.model"
    save_model(cnn_pipeline, path)
    return path


# ------------------------------------------------------------------ round trips
def test_cnn_pipeline_round_trip_identical(cnn_pipeline, saved, audio):
    X, _ = audio
    loaded = load_model(saved)
    assert type(loaded) is type(cnn_pipeline)
    assert [name for name, _ in loaded.steps] == [n for n, _ in cnn_pipeline.steps]
    np.testing.assert_array_equal(loaded.predict_proba(X), cnn_pipeline.predict_proba(X))
    np.testing.assert_array_equal(loaded.transform(X), cnn_pipeline.transform(X))
    np.testing.assert_array_equal(loaded.classes_, cnn_pipeline.classes_)
    clf, ref = loaded[-1], cnn_pipeline[-1]
    assert clf.get_params()["segment_frames"] == 20
    for key, value in ref.module_.state_dict().items():
        assert torch.equal(clf.module_.state_dict()[key], value), key
    np.testing.assert_array_equal(loaded[1].mean_, cnn_pipeline[1].mean_)
    assert len(clf.history_) == len(ref.history_) == 1


def test_load_leaves_global_torch_rng_alone(saved):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    load_model(saved)
    assert torch.equal(torch.rand(3), expected)


def test_svc_baseline_pipeline_round_trip_identical(audio, tmp_path):
    X, y = audio
    pipe = make_pipeline(
        MFCC(n_mfcc=13, deltas=1, stack="features"),
        FrameStatistics(),
        StandardScaler(),
        SVC(C=10.0, class_weight="balanced", random_state=0),
    ).fit(X, y)
    save_model(pipe, tmp_path / "svc.model")
    loaded = load_model(tmp_path / "svc.model")
    np.testing.assert_array_equal(loaded.decision_function(X), pipe.decision_function(X))
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))
    assert loaded[-1].support_vectors_.dtype == pipe[-1].support_vectors_.dtype
    assert type(loaded[2].n_samples_seen_) is type(pipe[2].n_samples_seen_)


def test_logistic_regression_and_types_round_trip(tmp_path):
    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.5]])
    clf = LogisticRegression().fit(X, np.array(["a", "a", "b", "b"], dtype=object))
    save_model(clf, tmp_path / "lr.model")
    loaded = load_model(tmp_path / "lr.model")
    assert loaded.classes_.dtype == object
    assert loaded.classes_.tolist() == ["a", "a", "b", "b"][::2]
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    ("make", "n_features"),
    [
        pytest.param(
            lambda: CNNLSTMClassifier(
                loss="ams", max_epochs=1, segment_frames=10, train_hop=10,
                test_hop=5, random_state=0,
            ),
            20,
            id="cnnlstm-ams",
        ),
        pytest.param(
            lambda: CosineEmbeddingClassifier(
                pretrain_epochs=1, finetune_epochs=1, early_stopping=None,
                module__channels=8, module__embedding_dim=8, random_state=0,
            ),
            39,
            id="cosine",
        ),
        pytest.param(
            lambda: HierarchicalConfusionClassifier(
                coarse=make_pipeline(FrameStatistics(), LogisticRegression()),
                fine=make_pipeline(FrameStatistics(), SVC(random_state=0)),
                confusable=("anger", "neutral"),
            ),
            20,
            id="hierarchical",
        ),
        pytest.param(
            lambda: HierarchicalConfusionClassifier(  # unfitted skorch template
                coarse=CNNLSTMClassifier(
                    max_epochs=1, segment_frames=10, train_hop=10, test_hop=5,
                    random_state=0,
                ),
                fine=make_pipeline(FrameStatistics(), SVC(random_state=0)),
                confusable=("anger", "neutral"),
            ),
            20,
            id="hierarchical-skorch-template",
        ),
    ],
)
def test_other_models_round_trip(make, n_features, tmp_path):
    X, y = features(n_features=n_features)
    model = make().fit(X, y)
    save_model(model, tmp_path / "m.model")
    loaded = load_model(tmp_path / "m.model")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    if hasattr(model, "predict_proba"):
        np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    if isinstance(model, CosineEmbeddingClassifier):
        assert loaded.phase_ == "finetune"
        np.testing.assert_array_equal(loaded.class_embeddings_, model.class_embeddings_)
        np.testing.assert_array_equal(
            np.asarray(loaded.angle_table()), np.asarray(model.angle_table())
        )
    if isinstance(model, HierarchicalConfusionClassifier):
        assert loaded.confusable_ == model.confusable_


def test_ams_criterion_and_imblearn_pipeline_round_trip(tmp_path):
    X, y = features(n_features=32, n_frames=32)
    X, y = X[:-3], y[:-3]  # imbalanced: the resampler has work to do
    pipe = make_imb_pipeline(
        SpecAugmentResampler(time_warp=0, time_mask_width=4, freq_mask_width=4,
                             random_state=0),
        AttentionBLSTMClassifier(max_epochs=1, segment_frames=32, train_hop=32,
                                 test_hop=32, random_state=0),
    ).fit(X, y)
    save_model(pipe, tmp_path / "ams.model")
    loaded = load_model(tmp_path / "ams.model")
    assert type(loaded).__module__ == "imblearn.pipeline"
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    assert loaded[0].sampling_strategy_ == pipe[0].sampling_strategy_


def test_criterion_state_is_restored(tmp_path):
    """The criterion's tensors come from the file, not from a fresh initialisation."""
    X, y = features()
    clf = CNNLSTMClassifier(
        loss="focal", class_weight="balanced", max_epochs=1, segment_frames=10,
        train_hop=10, test_hop=10, random_state=0,
    ).fit(X[:-2], y[:-2])
    with torch.no_grad():
        clf.criterion_.weight.mul_(3.0)  # differs from what class_weight_ rebuilds
    expected = clf.criterion_.weight.clone()
    save_model(clf, tmp_path / "c.model")
    loaded = load_model(tmp_path / "c.model")
    assert torch.equal(loaded.criterion_.weight, expected)
    np.testing.assert_array_equal(loaded.class_weight_, clf.class_weight_)


def test_custom_criterion_class_is_refused_on_save(tmp_path):
    X, y = features()
    clf = CNNLSTMClassifier(criterion=_PlainCE, max_epochs=1, segment_frames=10,
                            train_hop=10, test_hop=10, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match=r"criterion = class .*_PlainCE"):
        save_model(clf, tmp_path / "c.model")


class _PlainCE(torch.nn.Module):
    """A criterion defined outside the allowed packages."""

    def forward(self, output, target):
        return torch.nn.functional.cross_entropy(output[0], target)


def test_file_is_json_plus_arrays_with_versions(saved):
    with zipfile.ZipFile(saved) as zf:
        names = zf.namelist()
    assert "model.json" in names and "tensors.pt" in names
    assert all(n == "model.json" or n == "tensors.pt" or n.endswith(".npy") for n in names)
    doc = read_doc(saved)
    assert doc["format_version"] == FORMAT_VERSION
    assert set(doc["versions"]) >= {"sklearn_ser", "scikit-learn", "torch"}
    assert doc["estimator"]["class"] == "sklearn.pipeline.Pipeline"


def test_pickle_still_works(cnn_pipeline, audio):
    X, _ = audio
    loaded = pickle.loads(pickle.dumps(cnn_pipeline))
    np.testing.assert_array_equal(loaded.predict_proba(X), cnn_pipeline.predict_proba(X))


# ----------------------------------------------------------------- refusals (save)
def test_unfitted_estimator_is_refused(tmp_path):
    with pytest.raises(NotFittedError):
        save_model(make_pipeline(StandardScaler(), SVC()), tmp_path / "u.model")
    with pytest.raises(NotFittedError):
        save_model(CNNLSTMClassifier(), tmp_path / "u.model")
    assert not (tmp_path / "u.model").exists()


def test_unstorable_attribute_is_named(tmp_path):
    X = np.abs(np.random.default_rng(0).standard_normal((8, 2)))
    pipe = make_pipeline(FunctionTransformer(np.log1p), LogisticRegression())
    pipe.fit(X, [0, 1] * 4)
    with pytest.raises(TypeError, match=r"FunctionTransformer\)\.func = numpy.ufunc"):
        save_model(pipe, tmp_path / "f.model")
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


def test_non_estimator_is_refused(tmp_path):
    with pytest.raises(TypeError, match="estimator"):
        save_model({"not": "an estimator"}, tmp_path / "x.model")


# ----------------------------------------------------------------- refusals (load)
def _set_class(doc: dict, name: str) -> dict:
    doc["estimator"]["params"]["steps"][2]["items"][1]["class"] = name
    return doc


@pytest.mark.parametrize(
    "name",
    ["os.system", "builtins.eval", "subprocess.Popen", "sklearn.utils.Bunch",
     "sklearn.utils._bunch.Bunch", "torch.nn.Linear", "sklearn_ser.io.save_model",
     "numpy.ndarray", "sklearn.base.clone", "sklearn.nonexistent.Thing"],
)
def test_disallowed_estimator_class_is_refused(saved, name):
    write_doc(saved, _set_class(read_doc(saved), name))
    with pytest.raises(ValueError, match="not allowed|cannot import"):
        load_model(saved)


# (name in the file, module that must not be imported, where the name goes)
NEVER_IMPORTED = [
    # ``this`` prints the Zen of Python on import: the refusal comes first
    ("this.Zen", "this", "estimator"),
    # runs sys.exit(main(sys.argv)) on import, and main unpickles argv[1]
    ("torch.utils.model_dump.__main__.Thing", "torch.utils.model_dump", "module"),
    ("torch.utils.model_dump.Thing", "torch.utils.model_dump", "module"),
    ("sklearn.externals.conftest.Thing", "sklearn.externals.conftest", "module"),
    ("sklearn_ser.cli.Thing", "sklearn_ser.cli", "module"),
]


@pytest.mark.slow
def test_modules_named_by_the_file_are_never_imported(saved, tmp_path):
    """A name inside an allowed package still chooses no import: only the listed
    public subpackages are imported, and none of these modules is one of them.
    One fresh interpreter loads every file (starting one per case is slow)."""
    paths = []
    for i, (name, _, where) in enumerate(NEVER_IMPORTED):
        doc = read_doc(saved)
        if where == "estimator":
            _set_class(doc, name)
        else:
            doc["estimator"]["params"]["steps"][2]["items"][1]["params"]["module"] = {
                "$type": "class", "name": name,
            }
        path = tmp_path / f"{i}.model"
        path.write_bytes(saved.read_bytes())
        write_doc(path, doc)
        paths.append(str(path))
    code = (
        "import sys\nfrom sklearn_ser.io import load_model\n"
        f"for path, module in zip({paths!r}, {[m for _, m, _ in NEVER_IMPORTED]!r}):\n"
        "    try:\n        load_model(path)\n"
        "    except ValueError as e:\n"
        "        print('REFUSED', 'not allowed' in str(e), module in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split("\n")[:-1] == ["REFUSED True False"] * len(NEVER_IMPORTED)


def test_class_must_be_named_where_it_is_defined(saved):
    """``sklearn.svm.SVC`` is a re-export of ``sklearn.svm._classes.SVC``; the file
    must name the definition (save_model always does), not an alias."""
    write_doc(saved, _set_class(read_doc(saved), "sklearn.svm.SVC"))
    with pytest.raises(ValueError, match="not allowed"):
        load_model(saved)


@pytest.mark.parametrize("key", ["predict_proba", "initialize", "get_loss", "fit"])
def test_fitted_state_cannot_replace_a_method(saved, key):
    doc = read_doc(saved)
    clf = doc["estimator"]["params"]["steps"][2]["items"][1]
    clf["skorch"]["state"][key] = {"$type": "class", "name": "torch.nn.modules.linear.Linear"}
    write_doc(saved, doc)
    with pytest.raises(ValueError, match=f"{key}.*would replace"):
        load_model(saved)


def test_plain_state_cannot_replace_a_method(saved):
    doc = read_doc(saved)
    scaler = doc["estimator"]["params"]["steps"][1]["items"][1]
    scaler["state"]["transform"] = "x"
    write_doc(saved, doc)
    with pytest.raises(ValueError, match="transform.*would replace"):
        load_model(saved)


@pytest.mark.parametrize("name", ["os.system", "subprocess.Popen", "torch.load",
                                  "collections.OrderedDict"])
def test_disallowed_class_parameter_is_refused(saved, name):
    doc = read_doc(saved)
    doc["estimator"]["params"]["steps"][2]["items"][1]["params"]["module"] = {
        "$type": "class", "name": name,
    }
    write_doc(saved, doc)
    with pytest.raises(ValueError, match="not allowed"):
        load_model(saved)


class _Evil:
    marker = ""

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_tampered_pickle_in_tensors_is_not_loaded(saved, tmp_path):
    marker = tmp_path / "pwned"
    evil = _Evil()
    evil.marker = str(marker)
    buf = io.BytesIO()
    torch.save({"0": evil}, buf)
    rewrite(saved, {"tensors.pt": buf.getvalue()})
    with pytest.raises(ValueError, match="refusing"):
        load_model(saved)
    assert not marker.exists()


def test_tampered_pickle_in_array_is_not_loaded(saved, tmp_path):
    marker = tmp_path / "pwned"
    evil = _Evil()
    evil.marker = str(marker)
    buf = io.BytesIO()
    np.save(buf, np.array([evil], dtype=object), allow_pickle=True)
    rewrite(saved, {"arrays/0.npy": buf.getvalue()})
    with pytest.raises(ValueError, match="refusing"):
        load_model(saved)
    assert not marker.exists()


def test_newer_format_version_is_refused(saved):
    doc = read_doc(saved)
    doc["format_version"] = FORMAT_VERSION + 1
    write_doc(saved, doc)
    with pytest.raises(ValueError, match="newer"):
        load_model(saved)


def test_other_package_version_warns(saved, audio):
    doc = read_doc(saved)
    doc["versions"]["sklearn_ser"] = "0.0.1"
    write_doc(saved, doc)
    with pytest.warns(UserWarning, match="sklearn_ser 0.0.1"):
        loaded = load_model(saved)
    assert loaded.predict(audio[0][:2]).shape == (2,)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere.model"):
        load_model(tmp_path / "nothere.model")


@pytest.mark.parametrize(
    "content",
    [b"", b"definitely not a zip file", pickle.dumps({"a": 1})],
    ids=["empty", "text", "pickle"],
)
def test_not_a_model_file(tmp_path, content):
    path = tmp_path / "bad.model"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"bad\.model.*not a sklearn_ser model file"):
        load_model(path)


def test_zip_without_model_json(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match="not a sklearn_ser model file"):
        load_model(path)


def _flip_member_bytes(path: Path, member: str) -> None:
    """Damage the stored bytes of ``member`` in place, as a bad disk or a broken
    download would: the archive still opens, the member does not read back."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    data = bytearray(path.read_bytes())
    h = info.header_offset  # local file header: 30 bytes, then name and extra field
    start = h + 30 + int.from_bytes(data[h + 26:h + 28], "little") + int.from_bytes(
        data[h + 28:h + 30], "little"
    )
    for i in range(start + 10, start + min(info.compress_size, 60)):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("member", ["model.json", "tensors.pt"])
def test_damaged_archive_member_is_a_clear_error(saved, member):
    _flip_member_bytes(saved, member)
    with pytest.raises(ValueError, match=r"cnn\.model.*corrupt"):
        load_model(saved)


def test_deeply_nested_json_is_a_clear_error(saved):
    doc = read_doc(saved)
    doc["estimator"]["params"]["steps"][2]["items"][1]["params"]["max_epochs"] = "@@"
    deep = "[" * 100_000 + "]" * 100_000  # json.dumps itself could not write it
    rewrite(saved, {"model.json": json.dumps(doc).replace('"@@"', deep).encode()})
    with pytest.raises(ValueError, match=r"cnn\.model.*corrupt"):
        load_model(saved)


@pytest.mark.parametrize("damage", ["json", "array", "tensors", "weights"])
def test_corrupt_file(saved, damage):
    if damage == "json":
        rewrite(saved, {"model.json": b"{not json"})
    elif damage == "array":
        rewrite(saved, {"arrays/0.npy": None})
    elif damage == "tensors":
        rewrite(saved, {"tensors.pt": b"garbage"})
    else:
        doc = read_doc(saved)
        clf = doc["estimator"]["params"]["steps"][2]["items"][1]
        weights = clf["skorch"]["weights"]["module"]
        weights.pop(next(iter(weights)))
        write_doc(saved, doc)
    with pytest.raises(ValueError, match="cnn.model"):
        load_model(saved)
