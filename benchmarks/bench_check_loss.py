"""CPU time of :func:`sklearn_ser.testing.check_loss` per loss (issue 19: at most 20 s
per loss at the default ``max_examples``).

Each of the package's five losses is checked against its reference implementation,
with every property that applies, at check_loss's default number of examples; the
table gives the process CPU time of each call (steadier than wall-clock on a shared
machine: other processes do not inflate it) and whether it stayed within the budget.
The slowest settings are used (the triplet reference loops over every triplet).
Exit status 1 when a loss fails its checks or goes over the budget.

Run: ``python benchmarks/bench_check_loss.py [--budget 20]``.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time

from sklearn_ser.losses import (
    AdditiveMarginSoftmaxLoss,
    CrossEntropyLoss,
    FocalLoss,
    JointLoss,
    TripletLoss,
)
from sklearn_ser.testing import check_loss
from sklearn_ser.testing import reference as R

CASES = {
    "triplet": (TripletLoss(mining="all"), {
        "kind": "metric", "invariances": ["translation"],
        "reference": functools.partial(R.triplet_loss, mining="all")}),
    "joint": (JointLoss(mining="hard"), {
        "kind": "joint", "invariances": ["translation"],
        "reference": functools.partial(R.joint_loss, mining="hard")}),
    "focal": (FocalLoss(), {
        "kind": "classification", "invariances": ["translation"],
        "reference": R.focal_loss}),
    "ce": (CrossEntropyLoss(), {
        "kind": "classification", "invariances": ["translation"],
        "reference": R.cross_entropy}),
    "ams": (AdditiveMarginSoftmaxLoss(), {
        "kind": "cosine", "invariances": ["translation"],
        "reference": R.additive_margin_softmax_loss}),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=20.0,
                        help="CPU seconds allowed per loss (default 20)")
    args = parser.parse_args(argv)
    print(f"| loss | CPU s | reference | within {args.budget:g} s |")
    print("| --- | ---: | --- | --- |")
    ok = True
    for name, (loss, options) in CASES.items():
        start = time.process_time()
        report = check_loss(loss, **options)
        used = time.process_time() - start
        agreement = report["reference_agreement"]
        within = used <= args.budget
        ok &= within and agreement == "passed"
        print(f"| {name} | {used:.1f} | {agreement} | {'yes' if within else 'NO'} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
