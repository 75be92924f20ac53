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

from sklearn.utils._param_validation import Interval, validate_parameter_constraints

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
    plain, seq = {}, {}
    for name, value in params.items():
        rule = constraints[name]
        if isinstance(rule, tuple) and rule[:1] == ("each",):
            seq[name] = (rule[1], value)
        else:
            plain[name] = value
    validate_parameter_constraints(
        {k: constraints[k] for k in plain}, plain, caller_name=owner
    )
    for name, (rule, values) in seq.items():
        for value in values:
            validate_parameter_constraints(
                {name: rule}, {name: value}, caller_name=owner
            )
