"""check_loss stays within 20 s per loss at the default max_examples.

Measured as this process's CPU time, which other processes on a shared machine do
not inflate (wall time would); each loss with its reference, the slowest setting
(the triplet reference loops over every triplet).
"""

from __future__ import annotations

import functools
import time

import pytest

from sklearn_ser.losses import (
    AdditiveMarginSoftmaxLoss,
    CrossEntropyLoss,
    FocalLoss,
    JointLoss,
    TripletLoss,
)
from sklearn_ser.testing import check_loss
from sklearn_ser.testing import reference as R

BUDGET_S = 20.0
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


@pytest.mark.parametrize("name", CASES)
def test_check_loss_runs_within_budget(name):
    loss, options = CASES[name]
    start = time.process_time()
    report = check_loss(loss, **options)
    used = time.process_time() - start
    assert report["reference_agreement"] == "passed"
    assert used <= BUDGET_S, f"check_loss({name}) used {used:.1f} s of CPU"
