"""sklearn_ser: speech emotion recognition as scikit-learn estimators.

The top-level package stays light (no torch import); import the subpackages:
``sklearn_ser.datasets``, ``sklearn_ser.features``, ``sklearn_ser.augment``,
``sklearn_ser.losses``, ``sklearn_ser.nn``, ``sklearn_ser.models``,
``sklearn_ser.metrics``, ``sklearn_ser.plotting``.
"""

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
