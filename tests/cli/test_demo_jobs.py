"""``sklearn-ser demo --jobs``: CNN-LSTM folds fitted at once, one torch thread each,
so the figures do not depend on how many run together."""

from __future__ import annotations

import json

import pytest
from joblib import parallel_config

TINY = ("--n-per-class", "4", "--n-speakers", "4", "--folds", "2", "--epochs", "2",
        "--format", "json", "--quiet")


def _ua(out: str) -> dict:
    """Each model's pooled figures and confusion matrix (not its timings)."""
    reports = json.loads(out)
    return {name: (r["summary"]["UA"], r["summary"]["WA"],
                   r["summary"]["confusion_matrix"]) for name, r in reports.items()}


@pytest.mark.filterwarnings("ignore:.*random generator is shared")
def test_two_folds_at_once_give_the_figures_of_one_at_a_time(cli):
    one = cli("demo", *TINY, "--jobs", "1")
    assert one.code == 0, one.err
    # the parallel branch on threads (process workers take seconds to start here);
    # the fits are the same either way: one torch thread each
    with parallel_config(backend="threading"):
        two = cli("demo", *TINY, "--jobs", "2")
    assert two.code == 0, two.err
    assert _ua(two.out) == _ua(one.out)
    assert set(_ua(one.out)) == {"MFCC-stats + SVM", "CNN-LSTM, joint loss"}
    config = json.loads(two.out)["CNN-LSTM, joint loss"]["cli"]
    assert config["jobs"] == 2


@pytest.mark.filterwarnings("ignore:.*random generator is shared")
def test_parallel_folds_still_print_one_line_per_fold(cli):
    with parallel_config(backend="threading"):
        result = cli("demo", "--n-per-class", "4", "--n-speakers", "4", "--folds", "2",
                     "--epochs", "1", "--jobs", "2")
    assert result.code == 0, result.err
    assert "2 CNN-LSTM folds at a time" in result.err
    assert "CNN-LSTM, joint loss: fold 2/2 UA=" in result.err
    assert "epoch 1/1" not in result.err  # no epoch bars from parallel folds


def test_jobs_must_be_positive(cli):
    result = cli("demo", "--jobs", "0")
    assert result.code == 2 and "positive integer" in result.err
