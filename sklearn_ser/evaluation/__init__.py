"""Evaluation as a first-class API: protocols, reports, confidence intervals, leakage.

* :func:`evaluate` -- cross-validate an estimator under a named protocol
  (``"loso"``, ``"speaker-kfold"``, ``"random-split"``, ``"stratified-kfold"``) or
  any splitter, over one or more seeds, and return an :class:`EvaluationReport`;
* :class:`EvaluationReport` -- pooled / per-fold / per-speaker WA and UA, per-class
  recall, confusion matrix, a bootstrap confidence interval of UA over speakers,
  timings, versions and parameters; JSON / CSV / markdown / figure;
* :func:`compare` -- paired bootstrap (and Wilcoxon) test of two reports on the
  same folds;
* :func:`check_leakage` -- speakers or identical audio on both sides of a split.
"""

from ._compare import ComparisonResult, compare
from ._evaluate import evaluate
from ._leakage import LeakageWarning, check_leakage, content_hashes
from ._protocols import PROTOCOLS
from ._report import EvaluationReport

__all__ = [
    "PROTOCOLS",
    "ComparisonResult",
    "EvaluationReport",
    "LeakageWarning",
    "check_leakage",
    "compare",
    "content_hashes",
    "evaluate",
]
