"""The α × margin grid search on Dask: wall time on 1 worker against 2 workers.

liu2021/liu2023's grid (the joint loss's triplet weight ``criterion__alpha`` ×
triplet margin ``criterion__margin``) for a small CNN-LSTM with the joint loss on the
synthetic corpus, searched with :class:`~sklearn.model_selection.GridSearchCV`
through joblib's ``dask`` backend on a local ``dask.distributed`` cluster: first one
worker process with one thread, then two such workers (torch, OpenMP and BLAS limited
to one thread in each). The features are computed once beforehand, so the cluster
runs only the networks' fits. Prints both wall times and their ratio (the 1 → 2
worker speed-up), and checks that both searches found the same scores.

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


def timed_search(n_workers: int, X, y, groups, args):
    import joblib
    from distributed import Client, LocalCluster

    env = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1"}
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, env=env) as cluster, \
            Client(cluster) as client:
        client.run(lambda: __import__("sklearn_ser.models"))  # imports: not timed
        search = make_search(args.alphas, args.margins, args.epochs, args.folds)
        start = time.perf_counter()
        with joblib.parallel_config(backend="dask"):
            search.fit(X, y, groups=groups)
        wall = time.perf_counter() - start
    return wall, search.cv_results_["mean_test_score"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alphas", type=float, nargs="+", default=[0.1, 0.3, 0.5])
    parser.add_argument("--margins", type=float, nargs="+", default=[0.1, 0.2, 0.4])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--n-per-class", type=int, default=12)
    args = parser.parse_args(argv)

    X, y, groups = make_features(args.n_per_class)
    n_fits = len(args.alphas) * len(args.margins) * args.folds + 1  # + refit
    print(f"grid {len(args.alphas)} alphas x {len(args.margins)} margins, "
          f"{args.folds} folds ({n_fits} fits of {args.epochs} epochs), "
          f"{len(y)} utterances")
    one, scores_one = timed_search(1, X, y, groups, args)
    print(f"1 worker  (1 thread):        {one:7.1f} s")
    two, scores_two = timed_search(2, X, y, groups, args)
    print(f"2 workers (1 thread each):   {two:7.1f} s")
    print(f"speed-up 1 -> 2 workers:     {one / two:7.2f}x")
    same = np.allclose(scores_one, scores_two)
    print(f"same cv scores on 1 and 2 workers: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
