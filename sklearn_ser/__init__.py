"""sklearn_ser: speech emotion recognition as scikit-learn estimators.

The top-level package stays light (no torch import); import the subpackages:
``sklearn_ser.datasets``, ``sklearn_ser.features``, ``sklearn_ser.augment``,
``sklearn_ser.losses``, ``sklearn_ser.nn``, ``sklearn_ser.models``,
``sklearn_ser.metrics``, ``sklearn_ser.plotting``.
"""

import os as _os

# OpenMP threads sleep instead of spin-waiting between torch's parallel regions
# (set before torch starts its OpenMP runtime, so only when sklearn_ser is imported
# first; a value the user exported wins). Spinning burnt up to 9x the CPU time of a
# ResNet fit (benchmarks/bench_training.py --contention, docs/performance.rst).
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
