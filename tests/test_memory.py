"""Issue 15 row 11: what a prediction imports and builds.

The subpackages import their public names lazily (``sklearn_ser/utils/_lazy.py``),
so predicting with an SVM model file does not import torch, skorch or numba's
eGeMAPS kernels, a network loaded from a model file gets no optimiser (creating
one imports ``torch._dynamo``) until it trains again, and a network's prediction
imports none of the heavy optional modules in ``NOT_ON_PREDICT_PATH``.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

LAZY = ["sklearn_ser.features", "sklearn_ser.datasets", "sklearn_ser.models"]


@pytest.mark.parametrize("package", LAZY)
def test_lazy_names_match_the_type_checking_imports(package):
    """Every public name resolves, to an object defined where the
    ``if TYPE_CHECKING:`` block says (what IDEs and type checkers read)."""
    mod = importlib.import_module(package)
    tree = ast.parse(Path(mod.__file__).read_text(encoding="utf-8"))
    declared = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.If) and isinstance(node.test, ast.Name)
                and node.test.id == "TYPE_CHECKING"):
            for imp in ast.walk(node):
                if isinstance(imp, ast.ImportFrom):
                    where = ("." * imp.level) + (imp.module or "")
                    source = importlib.util.resolve_name(where, package)
                    for alias in imp.names:
                        declared[alias.asname or alias.name] = source
    assert sorted(declared) == sorted(mod.__all__)
    for name in mod.__all__:
        obj = getattr(mod, name)
        assert getattr(sys.modules[declared[name]], name) is obj, name
        assert name in dir(mod)
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        mod.nothing_here  # noqa: B018


PROBE = """
import json, sys
from sklearn_ser.features import MFCC, FrameStatistics
seen = {"features": sorted(m for m in ("torch", "skorch", "numba", "imblearn")
                           if m in sys.modules)}
from sklearn_ser.datasets import load_audio
from sklearn_ser.io import load_model
from sklearn_ser.timeline import predict_timeline
t = predict_timeline(load_model(sys.argv[1]), sys.argv[2], window=0.5, hop=0.5)
seen["predict"] = sorted(m for m in ("torch", "skorch", "imblearn") if m in sys.modules)
seen["labels"] = [str(v) for v in t.label]
print(json.dumps(seen))
"""


def test_svm_predict_imports_no_torch(tmp_path):
    """One subprocess: importing the features imports neither torch, skorch nor
    numba; loading an SVM model file and predicting a timeline imports neither
    torch nor skorch (nor imbalanced-learn, which the corpus loaders use)."""
    import soundfile as sf
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from sklearn_ser.features import MFCC, FrameStatistics
    from sklearn_ser.io import save_model

    rng = np.random.default_rng(0)
    X = np.empty(6, dtype=object)
    for i in range(6):
        X[i] = (rng.standard_normal(8000) * (0.1 + 0.1 * (i % 2))).astype(np.float32)
    svm = make_pipeline(MFCC(sr=16000), FrameStatistics(), StandardScaler(), SVC())
    save_model(svm.fit(X, ["a", "b"] * 3), tmp_path / "svm.model")
    sf.write(tmp_path / "long.wav", np.concatenate(list(X)), 16000)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "svm.model"),
         str(tmp_path / "long.wav")],
        capture_output=True, text=True, check=True, timeout=300,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["features"] == []
    assert seen["predict"] == []
    assert len(seen["labels"]) == 6 and set(seen["labels"]) <= {"a", "b"}


# Modules a network's prediction must not import: each costs memory (torch._dynamo
# ~70 MB with sympy; matplotlib, dask, librosa's audio and feature modules, the
# eGeMAPS kernels, sklearn_ser's evaluation/plotting/recipes) and none is needed to
# predict. bench_long_audio.py measures what the ones that are needed cost.
NOT_ON_PREDICT_PATH = [
    "torch._dynamo", "torch._inductor", "sympy", "matplotlib", "dask",
    "librosa.core.audio", "librosa.feature", "librosa.effects", "soxr", "audioread",
    "sklearn_ser.features._egemaps_kernels", "sklearn_ser.features._encoder_hub",
    "sklearn_ser.evaluation", "sklearn_ser.plotting", "sklearn_ser.recipes",
]

NET_PROBE = """
import json, sys
from sklearn_ser.io import load_model
from sklearn_ser.timeline import predict_timeline
t = predict_timeline(load_model(sys.argv[1]), sys.argv[2], window=0.5, hop=0.25)
print(json.dumps({"modules": sorted(sys.modules), "labels": [str(v) for v in t.label]}))
"""


def test_network_predict_imports_nothing_it_does_not_use(tmp_path):
    """A CNN-LSTM pipeline as the recipes build it (imblearn Pipeline: MFCC that
    trims silence, SpecAugment resampler, network), saved, then loaded and run on
    a recording window by window in a fresh process: the prediction imports torch,
    skorch and numba, and none of the heavy optional modules listed above."""
    import soundfile as sf
    from imblearn.pipeline import make_pipeline

    from sklearn_ser.augment import SpecAugmentResampler
    from sklearn_ser.features import MFCC
    from sklearn_ser.io import save_model
    from sklearn_ser.models import CNNLSTMClassifier

    rng = np.random.default_rng(0)
    X = np.empty(8, dtype=object)
    for i in range(8):
        X[i] = (rng.standard_normal(8000) * (0.05 + 0.2 * (i % 2))).astype(np.float32)
    pipe = make_pipeline(
        MFCC(n_mfcc=13, hop_ms=20.0, trim_silence=True),  # trim: numpy, not librosa
        SpecAugmentResampler(random_state=0),
        CNNLSTMClassifier(max_epochs=1, segment_frames=10, train_hop=5, test_hop=5,
                          random_state=0),
    )
    save_model(pipe.fit(X, ["calm", "anger"] * 4), tmp_path / "net.model")
    sf.write(tmp_path / "long.wav", np.concatenate(list(X)), 16000)
    out = subprocess.run(
        [sys.executable, "-c", NET_PROBE, str(tmp_path / "net.model"),
         str(tmp_path / "long.wav")],
        capture_output=True, text=True, check=True, timeout=300,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    modules = set(seen["modules"])
    assert {"torch", "skorch", "numba", "imblearn"} <= modules  # the path ran
    assert [m for m in NOT_ON_PREDICT_PATH if m in modules] == []
    assert len(seen["labels"]) == 15 and set(seen["labels"]) <= {"calm", "anger"}


def test_loaded_network_builds_its_optimizer_when_it_trains(tmp_path):
    """A network from a model file predicts without an optimiser, and gets one
    when trained again (partial_fit, fit) or when an optimiser parameter is set."""
    from sklearn_ser.io import load_model, save_model
    from sklearn_ser.models import SERClassifier
    from sklearn_ser.nn import DoubleLSTM

    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 6)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    net = SERClassifier(DoubleLSTM, module__hidden_size=4, max_epochs=2,
                        segment_frames=None, random_state=0,
                        optimizer__lr=0.01).fit(X, y)
    save_model(net, tmp_path / "net.model")
    loaded = load_model(tmp_path / "net.model")
    assert getattr(loaded, "optimizer_", None) is None
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))
    loaded.partial_fit(X, y)
    assert loaded.optimizer_.param_groups[0]["lr"] == 0.01
    assert len(loaded.history) == 4  # the 2 epochs of the file, then 2 more
    assert not np.array_equal(loaded.predict_proba(X), net.predict_proba(X))
    other = load_model(tmp_path / "net.model").set_params(optimizer__lr=0.5)
    assert other.optimizer_.param_groups[0]["lr"] == 0.5
    save_model(other, tmp_path / "again.model")  # a loaded network saves again
    refit = load_model(tmp_path / "again.model").fit(X, y)
    assert len(refit.history) == 2


def test_timeline_batches_do_not_change_predictions(tmp_path):
    """The windows are predicted one at a time by default; any ``batch_size``
    gives the same labels and probabilities (a window is an utterance)."""
    import soundfile as sf
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_ser.features import MFCC, FrameStatistics
    from sklearn_ser.timeline import predict_timeline

    rng = np.random.default_rng(1)
    X = np.empty(8, dtype=object)
    for i in range(8):
        X[i] = (rng.standard_normal(8000) * (0.05 + 0.2 * (i % 2))).astype(np.float32)
    clf = make_pipeline(MFCC(sr=16000), FrameStatistics(), StandardScaler(),
                        LogisticRegression())
    clf.fit(X, ["quiet", "loud"] * 4)
    sf.write(tmp_path / "long.wav", np.concatenate(list(X)), 16000)
    one = predict_timeline(clf, tmp_path / "long.wav", window=0.6, hop=0.35)
    five = predict_timeline(clf, tmp_path / "long.wav", window=0.6, hop=0.35,
                            batch_size=5)
    assert len(one.start) == 11
    assert one.label.tolist() == five.label.tolist()
    # (float32 features: the batch changes BLAS blocking, not the result)
    np.testing.assert_allclose(one.proba, five.proba, rtol=0, atol=1e-5)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        predict_timeline(clf, tmp_path / "long.wav", batch_size=0)
