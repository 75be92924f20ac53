"""Record every recipe's predictions on a fixed synthetic corpus, or compare with a record.

A refactor that should not change behaviour is checked with this script: run it with
``--save`` before the change and with ``--compare`` after it. Each recipe (and each of
zhou's losses) is fitted for one or two epochs with ``random_state=0`` on one torch
thread, then its ``predict`` and ``predict_proba`` on held-out utterances are stored.
``--compare`` prints, for every row, whether the predictions are equal and the largest
absolute difference of the probabilities (bit-for-bit is 0.0; the issue's tolerance
where the arithmetic changed is 1e-5)::

    python benchmarks/record_recipes.py --save before.npz
    # ... change the code ...
    python benchmarks/record_recipes.py --compare before.npz
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch

from sklearn_ser import recipes
from sklearn_ser.datasets import make_emotional_speech

# Shrink training only (the papers' networks, one or two epochs), as tests/test_recipes.
SHORT = {
    "liu2021": {"clf__max_epochs": 2},
    "zhou": {"clf__max_epochs": 1},
    "kumar": {"clf__pretrain_epochs": 1, "clf__finetune_epochs": 1},
    "li2021": {
        "features__n_features": 32,
        "clf__coarse__max_epochs": 1,
        "clf__fine__max_epochs": 1,
    },
    "liu2023": {"clf__max_epochs": 2},
}
ROWS = [
    ("liu2021", {}),
    ("zhou", {"loss": "ams"}),
    ("zhou", {"loss": "focal"}),
    ("zhou", {"loss": "ce"}),
    ("kumar", {}),
    ("li2021", {}),
    ("liu2023", {}),
]


def corpus():
    data = make_emotional_speech(
        n_per_class=6,
        classes=("anger", "neutral", "sadness"),
        n_speakers=3,
        duration=(0.6, 1.2),
        random_state=0,
    )
    X, y, s = np.asarray(data.X, dtype=object), np.asarray(data.y), data.speaker
    test = np.asarray(s) == np.unique(s)[-1]
    return X[~test], y[~test], X[test]


def record() -> dict[str, np.ndarray]:
    torch.set_num_threads(1)
    X, y, X_test = corpus()
    out: dict[str, np.ndarray] = {}
    for name, kwargs in ROWS:
        key = name + "".join(f"-{v}" for v in kwargs.values())
        start = time.perf_counter()
        pipe = recipes.make_recipe(name, random_state=0, **kwargs, **SHORT[name])
        pipe.fit(X, y)
        out[f"{key}/predict"] = np.asarray(pipe.predict(X_test)).astype(str)
        out[f"{key}/proba"] = np.asarray(pipe.predict_proba(X_test), dtype=np.float64)
        print(f"{key:12s} fitted in {time.perf_counter() - start:5.1f} s", flush=True)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", metavar="NPZ", help="write the record here")
    group.add_argument("--compare", metavar="NPZ", help="compare with this record")
    parser.add_argument("--tol", type=float, default=1e-5)
    args = parser.parse_args(argv)
    now = record()
    if args.save:
        np.savez(args.save, **now)
        print(f"saved {len(now) // 2} rows to {args.save}")
        return 0
    before = dict(np.load(args.compare))
    ok = True
    print(f"{'row':12s} {'same labels':>11s} {'max |Δproba|':>13s}")
    for key in sorted({k.split('/')[0] for k in before} | {k.split('/')[0] for k in now}):
        if f"{key}/proba" not in now or f"{key}/proba" not in before:
            print(f"{key:12s} missing on one side")
            ok = False
            continue
        same = np.array_equal(before[f"{key}/predict"], now[f"{key}/predict"])
        diff = float(np.max(np.abs(before[f"{key}/proba"] - now[f"{key}/proba"])))
        ok &= same and diff <= args.tol
        print(f"{key:12s} {str(same):>11s} {diff:13.3g}")
    print("unchanged" if ok else f"CHANGED (tolerance {args.tol})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
