"""Training and inference throughput of CNNLSTMClassifier next to a plain torch loop.

Both train liu2021's CNN-LSTM (40 MFCC, 200-frame segments) with the joint loss
(α = 0.3, hard + semi-hard triplets) on the same segments, batch 32, Adam; the
estimator's figure includes segmenting the utterances, the class-balanced batch
sampler and skorch's bookkeeping; the plain loop gets pre-cut segments and random
batches. Prints a table; run ``python benchmarks/bench_training.py [--threads 1 2]``.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch

from sklearn_ser.losses import JointLoss
from sklearn_ser.models import CNNLSTMClassifier
from sklearn_ser.models._segments import segment_utterances
from sklearn_ser.nn import CNNLSTM


def make_data(n_utt=96, n_classes=4, n_features=40, seed=0):
    rng = np.random.default_rng(seed)
    X = np.empty(n_utt, dtype=object)
    y = np.arange(n_utt) % n_classes
    for i in range(n_utt):
        t = int(rng.integers(250, 450))
        X[i] = rng.standard_normal((1, n_features, t)).astype(np.float32)
    return X, y


def plain_loop(seg, seg_y, *, epochs, batch_size, n_classes, seed=0):
    torch.manual_seed(seed)
    module = CNNLSTM(n_classes=n_classes, n_features=seg.shape[2])
    crit = JointLoss(alpha=0.3)
    opt = torch.optim.Adam(module.parameters(), lr=1e-4, weight_decay=1e-6)
    xt, yt = torch.as_tensor(seg), torch.as_tensor(seg_y)
    n = len(seg)
    t0 = time.perf_counter()
    for _ in range(epochs):
        module.train()
        perm = torch.randperm(n)
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            opt.zero_grad()
            loss = crit(module(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return n * epochs / (time.perf_counter() - t0)


def run(threads: int, epochs: int):
    torch.set_num_threads(threads)
    X, y = make_data()
    n_classes = len(np.unique(y))
    seg, owner = segment_utterances(list(X), length=200, hop=100)
    seg_y = y[owner].astype(np.int64)
    # warm-up (allocator, threads)
    plain_loop(seg[:64], seg_y[:64], epochs=1, batch_size=32, n_classes=n_classes)
    plain = plain_loop(seg, seg_y, epochs=epochs, batch_size=32, n_classes=n_classes)
    clf = CNNLSTMClassifier(max_epochs=epochs, random_state=0)
    t0 = time.perf_counter()
    clf.fit(X, y)
    fit_s = time.perf_counter() - t0
    est = sum(clf.history[:, "segments"]) / fit_s
    t0 = time.perf_counter()
    clf.predict(X)
    infer = len(X) / (time.perf_counter() - t0)
    return plain, est, infer, len(seg)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"# {platform.machine()}, torch {torch.__version__}; CNNLSTM, joint loss, "
          f"batch 32, 200-frame segments, {args.epochs} epochs")
    print()
    print("| threads | segments | plain torch loop (seg/s) | CNNLSTMClassifier.fit (seg/s)"
          " | ratio | predict (utt/s) |")
    print("|---|---|---|---|---|---|")
    for threads in args.threads:
        plain, est, infer, n_seg = run(threads, args.epochs)
        print(f"| {threads} | {n_seg} | {plain:.0f} | {est:.0f} | {est / plain:.2f}x "
              f"| {infer:.0f} |")


if __name__ == "__main__":
    main()
