"""The α × margin grid search on Dask: wall time on 1 worker against 2 workers.

liu2021/liu2023's grid (the joint loss's triplet weight ``criterion__alpha`` ×
triplet margin ``criterion__margin``) for a small CNN-LSTM with the joint loss on the
synthetic corpus, searched with :class:`~sklearn.model_selection.GridSearchCV`
through joblib's ``dask`` backend on a local ``dask.distributed`` cluster: first one
worker process with one thread, then two such workers (torch, OpenMP and BLAS limited
to one thread in each). The features are computed once beforehand, so the cluster
runs only the networks' fits. Prints both wall times and their ratio (the 1 → 2
worker speed-up), and checks that both searches found the same scores.

With one single-threaded worker, joblib's dask backend counts one core and runs
the fits sequentially in the client process (``effective_n_jobs`` 1): the
"1 worker" time is that of one core without any transfer, the baseline a second
worker has to beat.

Dask's nanny exports ``MALLOC_TRIM_THRESHOLD_=65536`` to its workers
(``distributed.nanny.pre-spawn-environ``), which also switches off glibc's dynamic
mmap threshold: every tensor of 128 KiB or more is then mmap'ed and page-faulted
afresh at every batch. On this machine that tripled the workers' system time
(11-13 CPU-s of 25-30 per worker) and made two workers slower than one core.
This benchmark unsets it, as the performance page advises (``--dask-malloc`` keeps
Dask's setting, to measure the difference).

    python benchmarks/bench_dask.py                 # 3 x 3 grid, 2 folds
    python benchmarks/bench_dask.py --alphas 0.1 0.3 --margins 0.2 --epochs 2

On a machine whose cores other processes keep busy, the speed-up is bounded by the
CPU time the two workers get, not by Dask.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def make_features(n_per_class: int, seed: int = 0):
    from sklearn.pipeline import make_pipeline

    from sklearn_ser.datasets import make_emotional_speech
    from sklearn_ser.features import MFCC, FeatureNormalizer

    data = make_emotional_speech(n_per_class=n_per_class, n_speakers=4,
                                 random_state=seed)
    features = make_pipeline(MFCC(n_mfcc=20, hop_ms=20.0),
                             FeatureNormalizer(scope="global"))
    return features.fit_transform(data.X, data.y), data.y, data.speaker


def make_search(alphas, margins, epochs: int, folds: int):
    from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold

    from sklearn_ser.models import CNNLSTMClassifier

    clf = CNNLSTMClassifier(
        loss="joint", optimizer__lr=3e-3, max_epochs=epochs, segment_frames=50,
        train_hop=25, test_hop=25, n_jobs=1, random_state=0,
    )
    grid = {"criterion__alpha": list(alphas), "criterion__margin": list(margins)}
    cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=0)
    return GridSearchCV(clf, grid, cv=cv, scoring="balanced_accuracy", n_jobs=-1,
                        error_score="raise")


def _warm_up():
    """Imports and torch's first use in a worker, not timed."""
    import torch

    import sklearn_ser.models  # noqa: F401

    torch.nn.Linear(2, 2)(torch.zeros(1, 2)).sum().backward()


def timed_search(n_workers: int, X, y, groups, args):
    import os

    import dask
    import joblib
    from distributed import Client, LocalCluster

    env = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1"}
    if not args.dask_malloc:
        # the nanny also copies this variable into our own environment
        os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    trim = 65536 if args.dask_malloc else None
    with dask.config.set(
        {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": trim}
    ), LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                    dashboard_address=None, env=env) as cluster, \
            Client(cluster) as client:
        client.run(_warm_up)
        _warm_up()  # the client runs a one-core search itself
        search = make_search(args.alphas, args.margins, args.epochs, args.folds)
        cpu0 = client.run(os.times)
        start = time.perf_counter()
        with joblib.parallel_config(backend="dask"):
            search.fit(X, y, groups=groups)
        wall = time.perf_counter() - start
        cpu1 = client.run(os.times)
    system = sum(cpu1[w].system - cpu0[w].system for w in cpu1)
    user = sum(cpu1[w].user - cpu0[w].user for w in cpu1)
    return wall, search.cv_results_["mean_test_score"], user, system


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alphas", type=float, nargs="+", default=[0.1, 0.3, 0.5])
    parser.add_argument("--margins", type=float, nargs="+", default=[0.1, 0.2, 0.4])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--n-per-class", type=int, default=12)
    parser.add_argument("--dask-malloc", action="store_true",
                        help="keep Dask's MALLOC_TRIM_THRESHOLD_=65536 in the workers")
    args = parser.parse_args(argv)

    X, y, groups = make_features(args.n_per_class)
    n_fits = len(args.alphas) * len(args.margins) * args.folds + 1  # + refit
    print(f"grid {len(args.alphas)} alphas x {len(args.margins)} margins, "
          f"{args.folds} folds ({n_fits} fits of {args.epochs} epochs), "
          f"{len(y)} utterances")
    one, scores_one, *_ = timed_search(1, X, y, groups, args)
    print(f"1 worker  (1 thread):        {one:7.1f} s   (run in the client by joblib)")
    two, scores_two, user, system = timed_search(2, X, y, groups, args)
    print(f"2 workers (1 thread each):   {two:7.1f} s   (workers' CPU: {user:.1f} s user, "
          f"{system:.1f} s system)")
    print(f"speed-up 1 -> 2 workers:     {one / two:7.2f}x")
    same = np.allclose(scores_one, scores_two)
    print(f"same cv scores on 1 and 2 workers: {same}")
    return 0 if same else 1


if __name__ == "__main__":  # the workers are spawned processes that import this file
    raise SystemExit(main())
