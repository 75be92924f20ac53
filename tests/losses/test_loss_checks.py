"""Every loss of the package passes check_loss, against its reference: one test per
loss configuration and property (sklearn_ser.testing.parametrize_with_loss_checks).

Triplet losses run with every mining rule and every distance, the others with their
defaults and with the class weights, smoothing and per-class factors that change
their arithmetic.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from sklearn_ser.losses import (
    AdditiveMarginSoftmaxLoss,
    CrossEntropyLoss,
    FocalLoss,
    JointLoss,
    TripletLoss,
)
from sklearn_ser.testing import parametrize_with_loss_checks
from sklearn_ser.testing import reference as R

DISTANCES = ("squared_euclidean", "euclidean", "cosine")
MININGS = ("all", "hard", "semihard", "hard+semihard")
# Per-class weights: the checks then draw batches of exactly 5 classes.
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0, 0.25])
FIVE = {"n_classes": 5}


def _invariance(distance: str) -> list[str]:
    # Euclidean distances ignore a translation, cosine distances a rescaling of
    # each embedding; softmax losses ignore a constant added to a row of logits.
    return ["scale"] if distance == "cosine" else ["translation"]


def _triplet_cases():
    for mining, distance in itertools.product(MININGS, DISTANCES):
        params = {"margin": 0.2, "distance": distance, "mining": mining}
        yield TripletLoss(**params), {
            "kind": "metric",
            "invariances": _invariance(distance),
            "reference": functools.partial(R.triplet_loss, **params),
        }
    for reduction in ("sum", "none"):
        params = {"margin": 0.5, "mining": "all", "reduction": reduction}
        yield TripletLoss(**params), {
            "kind": "metric",
            "invariances": ["translation"],
            "reference": functools.partial(R.triplet_loss, **params),
        }


def _joint_cases():
    for mining, distance in zip(MININGS, itertools.cycle(DISTANCES)):
        params = {"alpha": 0.3, "margin": 0.2, "distance": distance, "mining": mining}
        options = {
            "kind": "joint",
            "invariances": ["translation"] if distance != "cosine" else ["scale"],
            "reference": functools.partial(R.joint_loss, **params),
        }
        if mining == "hard+semihard":
            # Not a bug: the triplet term is the mean over the active triplets, whose
            # number grows with the margin (tests/testing shows the counterexample).
            options["skip"] = {
                "margin_monotonic": "mean over the active triplets, whose number "
                "grows with the margin"
            }
        yield JointLoss(**params), options
    params = {"alpha": 0.7, "weight": WEIGHT, "label_smoothing": 0.1, "mining": "all"}
    yield JointLoss(**params), {
        "kind": "joint",
        "invariances": ["translation"],
        **FIVE,
        "reference": functools.partial(R.joint_loss, **params),
    }


def _classification_cases():
    for params in ({}, {"weight": WEIGHT, "label_smoothing": 0.2, "reduction": "sum"}):
        yield CrossEntropyLoss(**params), {
            "kind": "classification",
            **(FIVE if params else {}),
            "invariances": ["translation"],
            "reference": functools.partial(R.cross_entropy, **params),
        }
    for params in (
        {},
        {"gamma": 0.5, "alpha": 2.0, "reduction": "none"},
        {"gamma": 5.0, "alpha": [1.0, 2.0, 4.0, 0.5, 1.0], "weight": WEIGHT},
    ):
        yield FocalLoss(**params), {
            "kind": "classification",
            **(FIVE if "weight" in params else {}),
            "invariances": ["translation"],
            "reference": functools.partial(R.focal_loss, **params),
        }
    for params in ({}, {"scale": 30.0, "margin": 0.1, "weight": WEIGHT}):
        yield AdditiveMarginSoftmaxLoss(**params), {
            "kind": "cosine",
            **(FIVE if params else {}),
            "invariances": ["translation"],
            "reference": functools.partial(R.additive_margin_softmax_loss, **params),
        }


def _at_twenty_examples(cases):
    """Every configuration runs 20 examples per property: the test command stays
    within its 3 minutes. Each loss at check_loss's default number of examples
    (50), against its reference and timed, is benchmarks/bench_check_loss.py."""
    for loss, options in cases:
        yield loss, {**options, "max_examples": 20}


CASES = list(
    _at_twenty_examples([*_triplet_cases(), *_joint_cases(), *_classification_cases()])
)


@parametrize_with_loss_checks(CASES)
def test_package_losses_pass_check_loss(loss, check):
    check(loss)
