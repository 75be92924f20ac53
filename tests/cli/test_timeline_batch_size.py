"""``predict --timeline --batch-size N``: windows predicted N at a time, the same
rows as one at a time."""

from __future__ import annotations

import csv

import numpy as np
import pytest


@pytest.fixture(scope="module")
def model_and_recording(corpus, model, tmp_path_factory):
    """The conftest's model file and a 7.5-s recording of its corpus's files."""
    import soundfile as sf

    waves = [sf.read(p, dtype="float32")[0] for p in sorted(corpus.glob("audio/*.wav"))]
    path = tmp_path_factory.mktemp("timeline_batch") / "long.wav"
    sf.write(path, np.concatenate(waves * 2)[: int(7.5 * 16000)], 16000)
    return model, path


def _rows(result):
    return list(csv.reader(result.out.strip().splitlines()))


def test_batch_size_gives_the_rows_of_one_window_at_a_time(cli, model_and_recording):
    model, wav = model_and_recording
    args = ("predict", "--model", model, "--timeline", "--window", "2",
            "--hop", "1", wav)
    one = cli(*args)
    assert one.code == 0, one.err
    for n in ("3", "100"):
        many = cli(*args, "--batch-size", n)
        assert many.code == 0, many.err
        a, b = _rows(many), _rows(one)
        assert [r[:4] for r in a] == [r[:4] for r in b]  # windows and labels
        # probabilities to the printed 6 decimals, +-1 in the last (a batch
        # changes BLAS blocking)
        np.testing.assert_allclose(np.array([r[4:] for r in a[1:]], dtype=float),
                                   np.array([r[4:] for r in b[1:]], dtype=float),
                                   rtol=0, atol=2e-6)
    assert len(_rows(one)) == 1 + 7  # header, windows at 0, 1, ..., 5 and 5.5 s
    assert {r[3] for r in _rows(one)[1:]} <= {"anger", "neutral", "sadness"}


def test_batch_size_reaches_predict_timeline(cli, model_and_recording, monkeypatch):
    """The option is what the function gets (default 1), so the windows go to the
    model in batches of that size."""
    import sklearn_ser.timeline as timeline

    model, wav = model_and_recording
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
    assert cli("predict", "--model", model, "--timeline", "--window", "2",
               "--hop", "1", "--batch-size", "3", wav).code == 0
    assert batches == [3, 3, 1]
    batches.clear()
    assert cli("predict", "--model", model, "--timeline", "--window", "2",
               "--hop", "1", wav).code == 0
    assert batches == [1] * 7


@pytest.mark.parametrize("value", ["0", "-2", "1.5", "many"])
def test_bad_batch_size_is_a_usage_error(cli, model_and_recording, value):
    model, wav = model_and_recording
    result = cli("predict", "--model", model, "--timeline", "--batch-size", value, wav)
    assert result.code == 2
    assert f"--batch-size: expected a positive integer, got '{value}'" in result.err
