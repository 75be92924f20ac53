"""Training and inference throughput of CNNLSTMClassifier next to a plain torch loop.

Both train liu2021's CNN-LSTM (40 MFCC, 200-frame segments) with the joint loss
(α = 0.3, hard + semi-hard triplets) on the same segments, batch 32, Adam; the
estimator's figure includes segmenting the utterances, the class-balanced batch
sampler and skorch's bookkeeping; the plain loop gets pre-cut segments and random
batches. Prints a table; run ``python benchmarks/bench_training.py [--threads 1 2]``.

``--compile`` adds, per thread count, the same two runs with :func:`torch.compile`
(the plain loop compiles its module, the estimator gets ``compile=True``). Their
throughput is that of the epochs after the first, and the table gives the first
epoch's extra time (the compile; inductor caches its kernels on disk, so a second
run of the script compiles faster).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import torch

from sklearn_ser.losses import JointLoss
from sklearn_ser.models import CNNLSTMClassifier  # noqa: I001
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


def plain_loop(seg, seg_y, *, epochs, batch_size, n_classes, seed=0, compile=False):
    """Segments/s of a plain training loop (after the first epoch when
    ``compile``), and the first epoch's seconds."""
    torch.manual_seed(seed)
    module = CNNLSTM(n_classes=n_classes, n_features=seg.shape[2])
    crit = JointLoss(alpha=0.3)
    opt = torch.optim.Adam(module.parameters(), lr=1e-4, weight_decay=1e-6)
    net = torch.compile(module) if compile else module
    xt, yt = torch.as_tensor(seg), torch.as_tensor(seg_y)
    n = len(seg)
    durations = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        module.train()
        perm = torch.randperm(n)
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            opt.zero_grad()
            loss = crit(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        durations.append(time.perf_counter() - t0)
    steady = durations[1:] if compile else durations
    return n * len(steady) / sum(steady), durations[0]


def run(threads: int, epochs: int, compile: bool = False):
    torch.set_num_threads(threads)
    X, y = make_data()
    n_classes = len(np.unique(y))
    seg, owner = segment_utterances(list(X), length=200, hop=100)
    seg_y = y[owner].astype(np.int64)
    # warm-up (allocator, threads)
    plain_loop(seg[:64], seg_y[:64], epochs=1, batch_size=32, n_classes=n_classes)
    plain, plain_first = plain_loop(
        seg, seg_y, epochs=epochs, batch_size=32, n_classes=n_classes, compile=compile
    )
    clf = CNNLSTMClassifier(max_epochs=epochs, random_state=0, compile=compile)
    t0 = time.perf_counter()
    clf.fit(X, y)
    fit_s = time.perf_counter() - t0
    segments, durations = clf.history[:, "segments"], clf.history[:, "dur"]
    if compile:
        # the epochs after the first; its excess over them is the compile
        est = sum(segments[1:]) / sum(durations[1:])
        extra = durations[0] - np.mean(durations[1:])
    else:
        est, extra = sum(segments) / fit_s, 0.0
    clf.predict(X)  # (compiles the inference graph when compile)
    t0 = time.perf_counter()
    clf.predict(X)
    infer = len(X) / (time.perf_counter() - t0)
    plain_extra = plain_first - len(seg) / plain if compile else 0.0
    return plain, est, infer, len(seg), plain_extra, extra


POLICIES = ("fixed", "passive", "load-aware", "load-aware+passive")


def contention_child(model: str, policy: str, threads: int, epochs: int) -> None:
    """Fit one model under one policy; print wall and CPU seconds as JSON."""
    from sklearn_ser.models import ResNetEmbeddingClassifier
    from sklearn_ser.utils import _threads

    torch.set_num_threads(threads)
    if not policy.startswith("load-aware"):
        _threads.busy_cpus = lambda *a, **k: 0.0  # the policy of old: ignore the load
    if model == "cnnlstm":
        X, y = make_data()
        clf = CNNLSTMClassifier(max_epochs=epochs, random_state=0)
    else:
        X, y = make_data(n_utt=192, n_features=39)
        clf = ResNetEmbeddingClassifier(max_epochs=epochs, random_state=0)
    t0, c0 = time.perf_counter(), sum(os.times()[:2])
    clf.fit(X, y)
    wall, cpu = time.perf_counter() - t0, sum(os.times()[:2]) - c0
    print(json.dumps({"wall": wall, "cpu": cpu,
                      "threads": int(clf.n_threads_)}))


def _child(model, policy, threads, epochs):
    env = dict(os.environ)
    if policy.endswith("passive"):
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    else:
        env.pop("OMP_WAIT_POLICY", None)
    env.pop("OMP_NUM_THREADS", None)
    out = subprocess.run(
        [sys.executable, __file__, "--_child", model, policy, str(threads), str(epochs)],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def contention(threads: int, epochs: int, policies=POLICIES) -> None:
    print(f"# contention: {threads} threads, one CPU-bound process beside the fit in "
          "the contended runs; seconds of the fit (child process)")
    print("| model | policy | idle wall | idle CPU | busy wall | busy CPU | "
          "wall ratio | CPU ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for model in ("cnnlstm", "resnet"):
        for policy in policies:
            idle = _child(model, policy, threads, epochs)
            hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
            try:
                time.sleep(0.5)
                busy = _child(model, policy, threads, epochs)
            finally:
                hog.kill()
                hog.wait()
            thr = f"{idle['threads']}/{busy['threads']} thr"
            print(f"| {model} | {policy} ({thr}) | {idle['wall']:.1f} | "
                  f"{idle['cpu']:.1f} | "
                  f"{busy['wall']:.1f} | {busy['cpu']:.1f} | "
                  f"{busy['wall'] / idle['wall']:.2f}x | "
                  f"{busy['cpu'] / idle['cpu']:.2f}x |", flush=True)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--_child"]:
        model, policy, threads, epochs = argv[1:5]
        return contention_child(model, policy, int(threads), int(epochs))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--compile", action="store_true",
                        help="also time both with torch.compile")
    parser.add_argument("--contention", action="store_true",
                        help="idle vs one CPU-bound process beside the fit, per "
                             "threading policy")
    parser.add_argument("--policies", nargs="+", default=list(POLICIES),
                        choices=POLICIES)
    args = parser.parse_args(argv)
    if args.contention:
        return contention(max(args.threads), args.epochs, args.policies)
    print(f"# {platform.machine()}, torch {torch.__version__}; CNNLSTM, joint loss, "
          f"batch 32, 200-frame segments, {args.epochs} epochs")
    print()
    print("| threads | compile | segments | plain torch loop (seg/s) | "
          "CNNLSTMClassifier.fit (seg/s) | ratio | predict (utt/s) | "
          "compile time: plain / fit (s) |")
    print("|---|---|---|---|---|---|---|---|")
    modes = [False, True] if args.compile else [False]
    eager = {}
    for threads in args.threads:
        for compile in modes:
            plain, est, infer, n_seg, p_extra, e_extra = run(
                threads, max(args.epochs, 3 if compile else 1), compile
            )
            if not compile:
                eager[threads] = est
            gain = f" ({est / eager[threads]:.2f}x eager)" if compile else ""
            times = f"{max(p_extra, 0):.0f} / {max(e_extra, 0):.0f}" if compile else "-"
            print(f"| {threads} | {'yes' if compile else 'no'} | {n_seg} | {plain:.0f} "
                  f"| {est:.0f}{gain} | {est / plain:.2f}x | {infer:.0f} | {times} |",
                  flush=True)


if __name__ == "__main__":
    main()
