"""Seconds per training epoch of zhou's network on EmoDB: float32 against bfloat16.

The setting of zhou's row in ``bench_accuracy.py`` (EmoDB, 40 log-Mel bands at a
25 ms window, global normalisation, :class:`~sklearn_ser.models.AttentionBLSTMClassifier`
with the additive-margin softmax loss, 3 s segments with a 1.5 s shift, batch 32),
trained on the nine speakers of one leave-one-speaker-out fold for ``--epochs``
epochs, once as the classifier trains by default on a CPU
(``mixed_precision=False``: float32, contiguous layout) and once with
``mixed_precision=True`` (bfloat16 autocast, channels-last convolutions; only where
the CPU has avx512_bf16 or AMX). The two are run alternately ``--repeat`` times in
this process (a busy machine slows both alike); the features are computed once
beforehand and not timed. Prints each run's seconds per epoch (wall and CPU), the
medians and the ratio fp32 / bf16 (issue 16 asks for >= 2), and the held-out
speaker's UA of each (one speaker and few epochs: a smoke check, not an accuracy
figure).

    SER_DATA=../shared/data python benchmarks/bench_zhou_epoch.py --threads 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np


def cpu_has_bf16() -> bool:
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--speaker", default=None,
                        help="held-out speaker (default: the first)")
    args = parser.parse_args(argv)

    from sklearn.metrics import balanced_accuracy_score
    from sklearn.pipeline import make_pipeline

    from sklearn_ser.datasets import load_emodb
    from sklearn_ser.features import FeatureNormalizer, LogMelSpectrogram
    from sklearn_ser.models import AttentionBLSTMClassifier

    root = os.path.join(os.environ.get("SER_DATA", "../shared/data"), "emodb")
    data = load_emodb(root, load_audio=True)
    speakers = np.asarray(data.speaker)
    test_speaker = args.speaker or sorted(set(speakers.tolist()))[0]
    test = speakers == test_speaker
    features = make_pipeline(LogMelSpectrogram(n_mels=40, win_ms=25.0),
                             FeatureNormalizer(scope="global"))
    X = features.fit_transform(data.X)
    y = np.asarray(data.y)
    Xtr = [x for x, t in zip(X, test) if not t]
    Xte = [x for x, t in zip(X, test) if t]
    print(f"EmoDB: {len(Xtr)} training utterances (speaker {test_speaker} held out), "
          f"{args.threads} threads, {args.epochs} epoch(s) per run; "
          f"CPU bf16 support: {cpu_has_bf16()}")

    def run(mixed: bool):
        clf = AttentionBLSTMClassifier(
            loss="ams", optimizer__lr=1e-3, max_epochs=args.epochs,
            segment_frames=300, train_hop=150, test_hop=100, early_stopping=None,
            train_split=None, mixed_precision=mixed, n_jobs=args.threads,
            random_state=0, verbose=0,
        )
        wall, cpu = time.perf_counter(), time.process_time()
        clf.fit(Xtr, y[~test])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        ua = balanced_accuracy_score(y[test], clf.predict(Xte))
        return wall / args.epochs, cpu / args.epochs, ua

    results = {False: [], True: []}
    for i in range(args.repeat):
        for mixed in (False, True):
            wall, cpu, ua = run(mixed)
            results[mixed].append((wall, cpu))
            name = "bf16" if mixed else "fp32"
            print(f"run {i + 1} {name}: {wall:6.1f} s/epoch wall, {cpu:6.1f} CPU-s/epoch, "
                  f"held-out UA {ua:.3f}", flush=True)
    med = {m: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
           for m, r in results.items()}
    print(f"median fp32: {med[False][0]:.1f} s/epoch ({med[False][1]:.1f} CPU-s)")
    print(f"median bf16: {med[True][0]:.1f} s/epoch ({med[True][1]:.1f} CPU-s)")
    print(f"speed-up fp32 -> bf16: {med[False][0] / med[True][0]:.2f}x wall, "
          f"{med[False][1] / med[True][1]:.2f}x CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
