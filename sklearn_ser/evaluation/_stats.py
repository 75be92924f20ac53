"""WA / UA from confusion matrices, and the bootstrap over speakers or utterances.

Everything the report states is computed from confusion-matrix counts, so the
pooled figures, the per-fold and per-speaker figures and the bootstrap all agree
with :func:`sklearn_ser.metrics.weighted_accuracy` /
:func:`~sklearn_ser.metrics.unweighted_accuracy` on the same predictions: WA is the
trace over the total, UA the mean recall of the classes that occur in the truth
(as :func:`sklearn.metrics.balanced_accuracy_score`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["bootstrap_weights", "confusion", "recall", "ua", "wa"]


def confusion(
    true_codes: np.ndarray,
    pred_codes: np.ndarray,
    n_classes: int,
    units: np.ndarray | None = None,
    n_units: int = 0,
) -> np.ndarray:
    """Counts ``[true, pred]`` (shape (C, C)), or per unit (shape (n_units, C, C))."""
    if units is None:
        out = np.zeros((n_classes, n_classes), dtype=np.int64)
        np.add.at(out, (true_codes, pred_codes), 1)
        return out
    out = np.zeros((n_units, n_classes, n_classes), dtype=np.int64)
    np.add.at(out, (units, true_codes, pred_codes), 1)
    return out


def recall(m: np.ndarray) -> np.ndarray:
    """Per-class recall of counts ``(..., C, C)``; NaN for classes without support."""
    m = np.asarray(m, dtype=float)
    support = m.sum(axis=-1)
    diag = np.diagonal(m, axis1=-2, axis2=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(support > 0, diag / np.where(support > 0, support, 1), np.nan)


def ua(m: np.ndarray) -> np.ndarray | float:
    """Mean recall over the classes present in the truth, of counts ``(..., C, C)``."""
    r = recall(m)
    present = ~np.isnan(r)
    n = present.sum(axis=-1)
    total = np.where(present, r, 0.0).sum(axis=-1)
    out = np.where(n > 0, total / np.maximum(n, 1), 0.0)
    return float(out) if np.ndim(out) == 0 else out


def wa(m: np.ndarray) -> np.ndarray | float:
    """Fraction correct of counts ``(..., C, C)``."""
    m = np.asarray(m, dtype=float)
    total = m.sum(axis=(-2, -1))
    correct = np.diagonal(m, axis1=-2, axis2=-1).sum(axis=-1)
    out = np.where(total > 0, correct / np.maximum(total, 1), 0.0)
    return float(out) if np.ndim(out) == 0 else out


def bootstrap_weights(
    n_units: int, n_boot: int, random_state: int | None
) -> np.ndarray:
    """How often each unit is drawn in each replicate, shape (n_boot, n_units).

    A replicate draws ``n_units`` units with replacement (the cluster bootstrap when
    the units are speakers), from ``numpy.random.default_rng(random_state)``.
    """
    rng = np.random.default_rng(random_state)
    return rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=n_boot)


def bootstrap_metric(
    unit_confusion: np.ndarray, weights: np.ndarray, metric: str = "UA"
) -> np.ndarray:
    """The seed-averaged metric of each replicate.

    ``unit_confusion`` has shape (n_seeds, n_units, C, C); returns (n_boot,).
    """
    m = np.einsum("bu,suij->bsij", weights.astype(float), unit_confusion.astype(float))
    values = ua(m) if metric == "UA" else wa(m)
    return np.asarray(values).mean(axis=1)


def percentile_ci(values: np.ndarray, level: float) -> list[float]:
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(values, [alpha, 1.0 - alpha])
    return [float(lo), float(hi)]
