"""Property-based testing of loss functions: strategies, references, ``check_loss``.

What :func:`sklearn.utils.estimator_checks.check_estimator` is to estimators,
:func:`check_loss` is to the losses of :mod:`sklearn_ser.losses` — and to your own:
hypothesis searches every property that applies to the loss's kind (finite and
non-negative, finite gradients on degenerate batches, invariances, zero on
separated classes, monotonic in the margin, agreement with a reference, float32
against float64, dtype and device kept) and reports the first one broken with its
minimal counterexample.

* :mod:`sklearn_ser.testing.strategies` — hypothesis strategies for what losses
  take (labels, embeddings, logits, cosines), with documented bounds;
* :mod:`sklearn_ser.testing.reference` — slow, obviously correct implementations
  of the package's losses, to pass as ``reference=``;
* :func:`check_loss` and :func:`parametrize_with_loss_checks` (pytest).

Needs hypothesis: ``pip install sklearn-ser[testing]``.
"""

try:
    import hypothesis  # noqa: F401
except ImportError:  # pragma: no cover - exercised by a test that hides it
    raise ImportError(
        "sklearn_ser.testing needs hypothesis: pip install sklearn-ser[testing]"
    ) from None

from . import reference, strategies
from ._check import CHECKS, check_loss, parametrize_with_loss_checks

__all__ = [
    "CHECKS",
    "check_loss",
    "parametrize_with_loss_checks",
    "reference",
    "strategies",
]
