"""Scale-out on Dask (docs/user_guide/dask.rst): searches through joblib's dask backend.

The documented recipe is run on a local ``dask.distributed`` cluster of two worker
processes: every fit must run on the cluster's workers (their task stream records it,
so a search that silently fell back to local execution fails) and give the same
results as the same search run locally with ``n_jobs=1``. The CLI's ``evaluate
--backend dask --scheduler ADDRESS`` is run against the same cluster.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

distributed = pytest.importorskip(
    "distributed",
    reason="dask.distributed is not installed (the 'dask' extra of sklearn-ser)",
)

import joblib  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    StratifiedGroupKFold,
    cross_validate,
)
from sklearn.pipeline import Pipeline  # noqa: E402

from sklearn_ser.datasets import make_emotional_speech  # noqa: E402
from sklearn_ser.features import MFCC, FeatureNormalizer  # noqa: E402
from sklearn_ser.metrics import ser_scorers  # noqa: E402
from sklearn_ser.models import CNNLSTMClassifier  # noqa: E402

# The scheduler serves HTTP (health, metrics) even without a dashboard, on port 8787
# by default; another cluster on the machine (pytest-xdist) moves it, with a warning.
pytestmark = pytest.mark.filterwarnings("ignore:Port 8787 is already in use")

GRID = {"clf__criterion__alpha": [0.1, 0.5]}
N_SPLITS = 2


def scoring():
    """WA and UA as documented, plus the log-loss: a continuous score, so that any
    numerical difference between a remote and a local fit shows (accuracies of a few
    test utterances would hide it)."""
    return {**ser_scorers(), "nll": "neg_log_loss"}


@pytest.fixture(scope="module")
def cluster_client():
    """Two single-threaded worker processes, torch limited to one thread in each."""
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        env={"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def corpus():
    """12 short utterances: 3 emotions x 4 speakers, each speaker with each emotion."""
    return make_emotional_speech(
        n_per_class=4,
        classes=("anger", "neutral", "sadness"),
        n_speakers=4,
        duration=0.6,
        random_state=0,
    )


def make_pipeline():
    return Pipeline(
        [
            ("mfcc", MFCC(n_mfcc=13, n_mels=20)),
            ("norm", FeatureNormalizer()),
            (
                "clf",
                CNNLSTMClassifier(
                    loss="joint",
                    max_epochs=2,
                    batch_size=12,
                    m_per_class=4,  # class-balanced batches: 3 classes x 4
                    segment_frames=30,
                    train_hop=15,
                    test_hop=15,
                    optimizer__lr=1e-2,
                    random_state=0,
                ),
            ),
        ]
    )


def run_remotely(client, func):
    """``func()`` under the documented ``parallel_config(backend="dask")``, and the
    tasks the cluster ran meanwhile (``(key, worker address)`` pairs)."""
    with (
        distributed.get_task_stream(client) as stream,
        joblib.parallel_config(backend="dask"),
    ):
        out = func()
    return out, [(str(task["key"]), task["worker"]) for task in stream.data]


def assert_ran_on_workers(client, tasks, n_fits):
    """Every fit ran as a task of the cluster's workers, none in this process."""
    workers = set(client.scheduler_info()["workers"])
    assert len(workers) == 2
    assert tasks, "the cluster ran no task: joblib did not use the dask backend"
    assert {worker for _, worker in tasks} <= workers
    # joblib names each task after the batch of calls it carries:
    # "batch_of__fit_and_score_<n>_calls-<token>".
    batches = [re.search(r"_fit_and_score_(\d+)_calls", key) for key, _ in tasks]
    assert all(batches), f"unexpected task keys (joblib's naming changed?): {tasks}"
    assert sum(int(match.group(1)) for match in batches) == n_fits


def test_workers_are_single_threaded(cluster_client):
    """The documented practicality: OMP_NUM_THREADS in the workers' environment."""
    env = cluster_client.run(lambda: os.environ.get("OMP_NUM_THREADS"))
    pids = cluster_client.run(os.getpid)
    assert set(env.values()) == {"1"}
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()


def test_grid_search_on_dask_equals_local(cluster_client, corpus):
    X, y, speaker = corpus.X, corpus.y, corpus.speaker

    def search(n_jobs):
        return GridSearchCV(
            make_pipeline(),
            GRID,
            cv=StratifiedGroupKFold(N_SPLITS),
            scoring=scoring(),
            refit="UA",
            return_train_score=True,
            n_jobs=n_jobs,
        )

    remote, tasks = run_remotely(
        cluster_client, lambda: search(-1).fit(X, y, groups=speaker)
    )
    n_fits = len(GRID["clf__criterion__alpha"]) * N_SPLITS
    assert_ran_on_workers(cluster_client, tasks, n_fits=n_fits)

    local = search(1).fit(X, y, groups=speaker)
    results = {k: v for k, v in local.cv_results_.items() if not k.endswith("_time")}
    assert set(results) <= set(remote.cv_results_)
    assert "split0_test_nll" in results and "split1_train_UA" in results
    for key, expected in results.items():
        got = remote.cv_results_[key]
        if key == "params":
            assert got == expected
        else:
            # Seeded fits on one thread each side: bit-identical, not merely close.
            np.testing.assert_array_equal(
                np.asarray(got), np.asarray(expected), err_msg=key
            )
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(
        remote.predict_proba(X[:4]), local.predict_proba(X[:4])
    )


def test_cross_validate_on_dask_equals_local(cluster_client, corpus):
    X, y, speaker = corpus.X, corpus.y, corpus.speaker

    def cv(n_jobs):
        return cross_validate(
            make_pipeline(),
            X,
            y,
            groups=speaker,
            cv=StratifiedGroupKFold(N_SPLITS),
            scoring=scoring(),
            return_estimator=True,
            n_jobs=n_jobs,
        )

    remote, tasks = run_remotely(cluster_client, lambda: cv(-1))
    assert_ran_on_workers(cluster_client, tasks, n_fits=N_SPLITS)

    local = cv(1)
    for key in ("test_WA", "test_UA", "test_nll"):
        np.testing.assert_array_equal(remote[key], local[key], err_msg=key)
    # The fitted pipelines came back from the workers and predict as the local ones.
    for est_remote, est_local in zip(remote["estimator"], local["estimator"]):
        np.testing.assert_array_equal(
            est_remote.predict_proba(X), est_local.predict_proba(X)
        )


def test_cli_evaluate_on_dask(cluster_client, tmp_path, monkeypatch, capsys):
    """``sklearn-ser evaluate --backend dask --scheduler ADDRESS`` (user_guide/cli.rst)
    on wav files listed in a CSV manifest: the folds run on the cluster."""
    pytest.importorskip(
        "sklearn_ser.recipes", reason="sklearn_ser.recipes (the CLI's recipes) absent"
    )
    from sklearn_ser.cli import main

    soundfile = pytest.importorskip("soundfile", reason="soundfile writes the wavs")
    sr = 16000
    data = make_emotional_speech(
        n_per_class=4,
        classes=("anger", "sadness"),
        n_speakers=4,
        sr=sr,
        duration=1.0,
        random_state=0,
    )
    (tmp_path / "wav").mkdir()
    rows = ["path,label,speaker"]
    for i, (wave, label, speaker) in enumerate(zip(data.X, data.y, data.speaker)):
        name = f"wav/{i:02d}_{label}_{speaker}.wav"
        soundfile.write(tmp_path / name, wave, sr)
        rows.append(f"{name},{label},{speaker}")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")

    argv = [
        "evaluate",
        "--recipe", "liu2021", "--data", str(manifest), "--cv", "kfold:2",
        "--max-epochs", "1", "--quiet",
        "--backend", "dask", "--scheduler", cluster_client.scheduler.address,
    ]  # fmt: skip
    # In this process (``main(argv)``, as tests/test_cli.py runs the commands): the
    # CLI's own client connects to the scheduler by its address all the same, and a
    # second interpreter importing torch would only add its start-up.
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    with distributed.get_task_stream(cluster_client) as stream:
        code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "UA" in out
    # The scheduler's task stream sees the CLI's own client's tasks too, run by the
    # cluster's workers.
    tasks = [(str(task["key"]), task["worker"]) for task in stream.data]
    assert tasks, "the cluster ran no task: the CLI did not use the dask backend"
    workers = set(cluster_client.scheduler_info()["workers"])
    assert {worker for _, worker in tasks} <= workers
    calls = [re.search(r"_(\d+)_calls", key) for key, _ in tasks]
    assert all(calls), f"unexpected task keys (joblib's naming changed?): {tasks}"
    # evaluate fits each fold once (cross_validate), then predicts each fold's test
    # utterances with that fold's model: two fits and two predictions on the cluster
    fits = [int(m.group(1)) for (key, _), m in zip(tasks, calls) if "fit" in key]
    assert sum(fits) == 2, tasks


def test_bench_dask_searches_the_joint_loss_alpha_margin_grid():
    """benchmarks/bench_dask.py's search: its grid names the joint loss's α and
    margin, which the classifier's criterion accepts."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "benchmarks" / "bench_dask.py"
    spec = importlib.util.spec_from_file_location("bench_dask", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    search = bench.make_search([0.1, 0.3], [0.2], epochs=1, folds=2)
    assert search.param_grid == {"criterion__alpha": [0.1, 0.3],
                                 "criterion__margin": [0.2]}
    clf = search.estimator.set_params(criterion__alpha=0.3, criterion__margin=0.2)
    assert clf.loss == "joint" and clf.n_jobs == 1
