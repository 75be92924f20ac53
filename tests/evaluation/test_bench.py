"""benchmarks/bench_accuracy.py writes one EvaluationReport JSON per row."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ser.evaluation import EvaluationReport, check_leakage

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_accuracy.py"


@pytest.mark.slow
def test_bench_writes_a_report_per_row(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("bench_accuracy", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.main(
        [
            "--corpus",
            "synthetic",
            "--only",
            "svm",
            "--folds",
            "2",
            "--threads",
            "1",
            "--out",
            str(tmp_path),
        ]
    )
    path = tmp_path / "synthetic" / "loso-first2" / "svm.json"
    report = EvaluationReport.from_json(path)
    assert report.name == "svm" and len(report.runs[0]["folds"]) == 2
    assert report.protocol["description"] == "first 2 folds of leave-one-speaker-out"
    assert report.protocol["speaker_independent"] is True
    assert report.corpus.startswith("synthetic corpus")
    out = capsys.readouterr().out
    assert f"| svm | {report.WA:.3f} | {report.UA:.3f}" in out


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=2, max_size=12), st.data())
def test_duplicate_pairs_are_exactly_the_cross_split_ones(contents, data):
    """Every (train i, test j) with identical content is reported, and nothing else."""
    X = [np.full(3, float(c)) for c in contents]
    n = len(X)
    test = data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n - 1))
    train = [i for i in range(n) if i not in test]
    expected = {(i, j) for i in train for j in test if contents[i] == contents[j]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = check_leakage(X, None, [(train, sorted(test))])
    assert {(p["train"], p["test"]) for p in rec["duplicate_pairs"]} == expected
    assert rec["n_duplicate_pairs"] == len(expected)
    assert len(caught) == (1 if expected else 0)
