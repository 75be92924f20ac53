"""Parameter constraints of the estimators and the class weights they derive."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.class_weight import compute_class_weight

from sklearn_ser.losses import LOSSES

__all__ = [
    "SER_CLASSIFIER_CONSTRAINTS",
    "check_estimator_params",
    "class_weight_vector",
]

_POSITIVE_INT = Interval(Integral, 1, None, closed="left")

#: ``_parameter_constraints`` of :class:`~sklearn_ser.models.SERClassifier`.
SER_CLASSIFIER_CONSTRAINTS: dict = {
    "loss": [StrOptions(set(LOSSES))],
    "criterion": [callable, None],
    "loss_params": [dict, None],
    "segment_frames": [_POSITIVE_INT, None],
    "train_hop": [_POSITIVE_INT],
    "test_hop": [_POSITIVE_INT],
    "aggregate": [StrOptions({"mean", "max"})],
    "pad_value": [Real],
    "batch_sampler": [StrOptions({"auto", "random", "m_per_class"})],
    # an anchor needs a positive
    "m_per_class": [Interval(Integral, 2, None, closed="left")],
    "class_weight": [StrOptions({"balanced"}), dict, None],
    "early_stopping": [_POSITIVE_INT, None],
    "early_stopping_threshold": [Interval(Real, 0, None, closed="left")],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "lr_schedule": [StrOptions({"linear"}), None],
    "mixup_alpha": [Interval(Real, 0, None, closed="left")],
}


def check_estimator_params(estimator) -> None:
    """Check the estimator's own parameters against its ``_parameter_constraints``
    (skorch's ``module__*`` / ``criterion__*`` go to the module and the loss, which
    check them), then the relations between them."""
    constraints = estimator._parameter_constraints
    params = {k: getattr(estimator, k) for k in constraints}
    name = type(estimator).__name__
    validate_parameter_constraints(constraints, params, caller_name=name)
    # relations between parameters
    batch_size, m = int(estimator.batch_size), int(estimator.m_per_class)
    if estimator._uses_m_per_class() and batch_size < 2 * m:
        raise ValueError(
            f"{name}: class-balanced batches hold m_per_class segments of at least 2 "
            "classes, so batch_size must be >= 2 * m_per_class; got "
            f"batch_size={estimator.batch_size!r}, "
            f"m_per_class={estimator.m_per_class!r}"
        )


def class_weight_vector(
    class_weight, classes: np.ndarray, y_enc: np.ndarray, *, name: str
):
    """Per-class weights in ``classes`` order (float32), or ``None``."""
    if class_weight is None:
        return None
    index = np.arange(len(classes))
    if class_weight == "balanced":
        weight = compute_class_weight("balanced", classes=index, y=y_enc)
        return weight.astype(np.float32)
    unknown = set(class_weight) - set(classes.tolist())
    if unknown:
        raise ValueError(
            f"{name}: class_weight names classes not in y: {sorted(map(str, unknown))}"
        )
    weight = [float(class_weight.get(c, 1.0)) for c in classes]
    return np.array(weight, dtype=np.float32)


def check_known_labels(y, classes, *, name: str) -> np.ndarray:
    """``y`` checked as labels, all of them among ``classes`` (seen in fit)."""
    from sklearn_ser.utils._validation import check_labels

    y = check_labels(y, name=name)
    unseen = np.setdiff1d(np.unique(y), classes)
    if unseen.size:
        raise ValueError(
            f"{name}: y contains labels unseen in fit: {unseen.tolist()} "
            f"(classes seen: {classes.tolist()})"
        )
    return y
