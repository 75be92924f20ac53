"""What an estimator needs to know of a loss: the extension contract of the losses.

A loss is a :class:`torch.nn.Module` that skorch builds from its class
(``criterion=<class>``, hyper-parameters as ``criterion__<name>``). The estimators of
:mod:`sklearn_ser.models` never look at a loss's name or class; they ask the loss,
through the class attributes and the method of :class:`SERLoss`:

===========================  =========================================================
``needs_balanced_batches``   ``True``: train on class-balanced batches (``m_per_class``
                             segments per class), so that in-batch mining finds
                             positives (triplet terms).
``head``                     ``"linear"`` (logits) or ``"cosine"`` (cosines in [-1, 1],
                             :class:`~sklearn_ser.nn.CosineLinear`): the head the
                             network must end with; given to the module as ``head=``.
``uses_embeddings``          ``True``: the loss reads the embedding (element 1 of the
                             ``(logits, embedding)`` output); the estimator then logs
                             ``active_triplets`` when the loss sets
                             ``fraction_active_``.
``accepts_class_weight``     ``True``: the constructor takes ``weight=`` (one number
                             per class), which the estimators' ``class_weight=``
                             fills.
``proba(logits)``            Class probabilities ``[shape=(batch, n_classes)]`` of a
                             batch from element 0 of the network's output (the
                             estimators pass that tensor; a tuple is read too);
                             softmax by default.
``_parameter_constraints``   scikit-learn constraints of the constructor arguments,
                             checked once in ``__init__`` (:meth:`_validate_params`).
===========================  =========================================================

A new loss is one class deriving from :class:`SERLoss` and :class:`torch.nn.Module`
(plus its tests); a name for ``loss=`` is one entry in :data:`LOSSES`. A criterion
class that does not derive from :class:`SERLoss` (e.g. :class:`torch.nn.NLLLoss`) is
read with the defaults above (:func:`loss_contract`).
"""

from __future__ import annotations

from numbers import Real
from typing import Any, ClassVar

import torch
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
    validate_parameter_constraints,
)

__all__ = ["SERLoss", "LossContract", "loss_contract"]

HEADS = ("linear", "cosine")
REDUCTION = StrOptions({"mean", "sum", "none"})


def _output_element(output: Any, index: int) -> Any:
    if isinstance(output, (tuple, list)) and output:
        return output[index] if len(output) > index else output[0]
    return output


def _softmax_proba(output: Any) -> torch.Tensor:
    return torch.softmax(_output_element(output, 0).float(), dim=1)


class SERLoss:
    """Mixin that declares what an estimator needs from a loss (see the module doc).

    Subclasses override the class attributes that differ from the defaults and, when
    their outputs are not logits, :meth:`proba`. It comes before
    :class:`torch.nn.Module` in the bases: ``class MyLoss(SERLoss, nn.Module)``.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from sklearn_ser.losses import SERLoss
    >>> class ScaledCosineLoss(SERLoss, nn.Module):
    ...     head = "cosine"
    ...     def forward(self, output, target):
    ...         return nn.functional.cross_entropy(10 * output[0], target)
    ...     def proba(self, output):
    ...         return torch.softmax(10 * output.float(), dim=1)
    >>> ScaledCosineLoss.head, ScaledCosineLoss.needs_balanced_batches
    ('cosine', False)
    """

    needs_balanced_batches: ClassVar[bool] = False
    head: ClassVar[str] = "linear"
    uses_embeddings: ClassVar[bool] = False
    accepts_class_weight: ClassVar[bool] = False
    _parameter_constraints: ClassVar[dict] = {}

    def proba(self, output: Any) -> torch.Tensor:
        """Class probabilities ``[shape=(batch, n_classes)]``: softmax of the logits.

        ``output`` is element 0 of the network's output (the logits, or cosines
        with a cosine head), as the estimators pass it; a ``(logits, embedding)``
        tuple is read too.
        """
        return _softmax_proba(output)

    def _validate_params(self, **params: Any) -> None:
        """Check constructor arguments against ``_parameter_constraints``."""
        validate_parameter_constraints(
            self._parameter_constraints, params, caller_name=type(self).__name__
        )


class LossContract:
    """:class:`SERLoss`'s declarations of any criterion, with defaults for others."""

    def __init__(self, criterion: Any) -> None:
        self.criterion = criterion
        self.needs_balanced_batches = bool(
            getattr(criterion, "needs_balanced_batches", False)
        )
        self.head = getattr(criterion, "head", "linear")
        self.uses_embeddings = bool(getattr(criterion, "uses_embeddings", False))
        self.accepts_class_weight = bool(
            getattr(criterion, "accepts_class_weight", False)
        )

    def proba(self, output: Any) -> torch.Tensor:
        """The criterion instance's :meth:`SERLoss.proba`, or a softmax."""
        proba = getattr(self.criterion, "proba", None)
        return proba(output) if callable(proba) else _softmax_proba(output)


def loss_contract(criterion: Any) -> LossContract:
    """What ``criterion`` (a loss class or instance) declares for the estimator.

    Examples
    --------
    >>> from sklearn_ser.losses import JointLoss, loss_contract
    >>> loss_contract(JointLoss).needs_balanced_batches
    True
    """
    return LossContract(criterion)


# Constraints shared by several losses (each loss lists its own in a dict).
NON_NEGATIVE = Interval(Real, 0.0, None, closed="left")
UNIT_INTERVAL = Interval(Real, 0.0, 1.0, closed="both")
POSITIVE = Interval(Real, 0.0, None, closed="neither")
