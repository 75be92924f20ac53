"""The names of ``loss=``: one mapping from a name to a loss class, defined once."""

from __future__ import annotations

from ._ams import AdditiveMarginSoftmaxLoss
from ._ce import CrossEntropyLoss
from ._focal import FocalLoss
from ._joint import JointLoss

__all__ = ["LOSSES", "get_loss"]

#: ``loss=`` name -> criterion class, for the estimators of :mod:`sklearn_ser.models`.
#: A new named loss is one entry here (its class declares the rest, see
#: :class:`~sklearn_ser.losses.SERLoss`).
LOSSES = {
    "ce": CrossEntropyLoss,
    "joint": JointLoss,
    "focal": FocalLoss,
    "ams": AdditiveMarginSoftmaxLoss,
}


def get_loss(name: str) -> type:
    """The criterion class registered as ``name`` in :data:`LOSSES`.

    Examples
    --------
    >>> from sklearn_ser.losses import get_loss
    >>> get_loss("joint").__name__
    'JointLoss'
    """
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        names = ", ".join(map(repr, LOSSES))
        raise ValueError(
            f"get_loss: loss must be one of {names}, got {name!r}"
        ) from None
