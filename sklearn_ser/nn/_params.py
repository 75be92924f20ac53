"""Parameter checks of the ``sklearn_ser.nn`` modules: scikit-learn's constraints.

A module lists its constructor arguments' constraints in ``_parameter_constraints``
(:class:`~sklearn.utils._param_validation.Interval`, ``StrOptions``, ...), as the
estimators and the losses do, and checks them once at construction with
:func:`validate_params`; a bad value raises an ``InvalidParameterError`` (a
``ValueError`` and a ``TypeError``) naming the module and the argument.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np

from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    validate_parameter_constraints,
)

__all__ = ["POSITIVE_INT", "NON_NEGATIVE_INT", "DROPOUT", "validate_params"]

POSITIVE_INT = Interval(Integral, 1, None, closed="left")
NON_NEGATIVE_INT = Interval(Integral, 0, None, closed="left")
DROPOUT = Interval(Real, 0.0, 1.0, closed="left")


def validate_params(module: Any, **params: Any) -> None:
    """Check ``params`` against ``module._parameter_constraints`` (its class's).

    A sequence-valued argument (e.g. ``conv_channels``) is checked element by
    element under its own name when its constraint is given as ``("each", c)``.
    """
    constraints = type(module)._parameter_constraints
    owner = type(module).__name__
    for name, value in params.items():
        rule = constraints[name]
        each = isinstance(rule, tuple) and rule[:1] == ("each",)
        rule = rule[1] if each else rule
        for item in value if each else (value,):
            _check_not_bool(owner, name, item, rule)
            validate_parameter_constraints(
                {name: rule}, {name: item}, caller_name=owner
            )


def _check_not_bool(owner: str, name: str, value: Any, rule: list) -> None:
    # scikit-learn's Interval(Integral, ...) takes True for 1; a size never is a bool.
    sizes = any(isinstance(c, Interval) and c.type is Integral for c in rule)
    if sizes and isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be an int, not a bool. "
            f"Got {value!r} instead."
        )
