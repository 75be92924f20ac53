"""``predict --timeline --batch-size N``: windows predicted N at a time, the same
rows as one at a time."""

from __future__ import annotations

import csv

import numpy as np
import pytest


@pytest.fixture(scope="module")
def svm_and_recording(tmp_path_factory):
    """A light MFCC + logistic-regression model file and a 6-s recording."""
    import soundfile as sf
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_ser.features import MFCC, FrameStatistics
    from sklearn_ser.io import save_model

    root = tmp_path_factory.mktemp("timeline_batch")
    rng = np.random.default_rng(0)
    X = np.empty(8, dtype=object)
    for i in range(8):
        X[i] = (rng.standard_normal(8000) * (0.05 + 0.2 * (i % 2))).astype(np.float32)
    clf = make_pipeline(MFCC(sr=16000), FrameStatistics(), StandardScaler(),
                        LogisticRegression())
    save_model(clf.fit(X, ["quiet", "loud"] * 4), root / "model.sser")
    y = np.concatenate([x * (1 + (i % 3)) for i, x in enumerate(X)] + [X[0][:4000]])
    sf.write(root / "long.wav", y, 16000)
    return root / "model.sser", root / "long.wav"


def _rows(result):
    return list(csv.reader(result.out.strip().splitlines()))


def test_batch_size_gives_the_rows_of_one_window_at_a_time(cli, svm_and_recording):
    model, wav = svm_and_recording
    args = ("predict", "--model", model, "--timeline", "--window", "0.6",
            "--hop", "0.35", wav)
    one = cli(*args)
    assert one.code == 0, one.err
    for n in ("4", "100"):
        many = cli(*args, "--batch-size", n)
        assert many.code == 0, many.err
        a, b = _rows(many), _rows(one)
        assert [r[:4] for r in a] == [r[:4] for r in b]  # windows and labels
        # probabilities to the printed 6 decimals, +-1 in the last (BLAS blocking
        # of a batch)
        np.testing.assert_allclose(np.array([r[4:] for r in a[1:]], dtype=float),
                                   np.array([r[4:] for r in b[1:]], dtype=float),
                                   rtol=0, atol=2e-6)
    assert len(_rows(one)) == 1 + 12  # header + the windows of 4.25 s
    assert {r[3] for r in _rows(one)[1:]} <= {"quiet", "loud"}


def test_batch_size_reaches_predict_timeline(cli, svm_and_recording, monkeypatch):
    """The option is what the function gets (default 1), so the windows go to the
    model in batches of that size."""
    import sklearn_ser.timeline as timeline

    model, wav = svm_and_recording
    batches = []
    original = timeline.predict_timeline

    def spy(estimator, path, **kwargs):
        calls = estimator.predict_proba

        def counting(X):
            batches.append(len(X))
            return calls(X)

        estimator.predict_proba = counting
        return original(estimator, path, **kwargs)

    monkeypatch.setattr(timeline, "predict_timeline", spy)
    assert cli("predict", "--model", model, "--timeline", "--window", "0.6",
               "--hop", "0.35", "--batch-size", "5", wav).code == 0
    assert batches == [5, 5, 2]
    batches.clear()
    assert cli("predict", "--model", model, "--timeline", "--window", "0.6",
               "--hop", "0.35", wav).code == 0
    assert batches == [1] * 12


@pytest.mark.parametrize("value", ["0", "-2", "1.5", "many"])
def test_bad_batch_size_is_a_usage_error(cli, svm_and_recording, value):
    model, wav = svm_and_recording
    result = cli("predict", "--model", model, "--timeline", "--batch-size", value, wav)
    assert result.code == 2
    assert f"--batch-size: expected a positive integer, got '{value}'" in result.err
