"""``compare``: is the UA difference between two reports larger than the noise?"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np

from . import _stats
from ._report import EvaluationReport

__all__ = ["ComparisonResult", "compare"]


@dataclass(frozen=True)
class ComparisonResult:
    """The paired comparison of two reports (``a`` minus ``b``).

    Attributes
    ----------
    metric : str
        ``"UA"`` or ``"WA"``.
    a, b : float
        The metric of each report (pooled, mean over seeds).
    difference : float
        ``a - b``.
    ci : tuple of float
        Percentile bootstrap interval of the difference.
    p_value : float
        Two-sided bootstrap p-value of "no difference" (twice the share of
        replicates on the far side of zero; between 1 / n_boot and 1).
    wilcoxon_p : float or None
        Wilcoxon signed-rank p-value over the units' own metric (speakers only,
        at least 6 with a non-zero difference), else None.
    unit, n_units : str, int
        What was resampled (``"speaker"`` or ``"utterance"``) and how many.
    n_boot, level, alpha : int, float, float
        Replicates, confidence level, and the test's level (``1 - level``).
    significant : bool
        The interval excludes zero.
    sentence : str
        The verdict in words.
    """

    metric: str
    a: float
    b: float
    difference: float
    ci: tuple[float, float]
    p_value: float
    wilcoxon_p: float | None
    unit: str
    n_units: int
    n_boot: int
    level: float
    alpha: float
    significant: bool
    sentence: str

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return self.sentence


def _label(report: EvaluationReport, default: str) -> str:
    return report.name or default


def compare(
    a: EvaluationReport,
    b: EvaluationReport,
    *,
    metric: str = "UA",
    n_boot: int = 2000,
    level: float = 0.95,
    random_state: int | None = 0,
) -> ComparisonResult:
    """Paired test of two reports on the same utterances: is ``a`` better than ``b``?

    Both models must have been evaluated on the same utterances with the same
    folds (same protocol and ``split_random_state``). The speakers (or, without
    speakers, the utterances) are resampled with replacement *together* for both
    reports: each replicate gives ``metric(a) - metric(b)`` on the same drawn
    speakers, so the spread reflects how much the difference depends on which
    speakers were tested, not the (shared) level of difficulty. The difference is
    called larger than the noise when its interval excludes zero. With at least
    six speakers a Wilcoxon signed-rank test over the per-speaker metric is given
    as a second opinion.

    Parameters
    ----------
    a, b : EvaluationReport
        Reports of :func:`evaluate` on the same data and splits.
    metric : {"UA", "WA"}, default="UA"
        Figure to compare.
    n_boot : int, default=2000
        Bootstrap replicates.
    level : float, default=0.95
        Confidence level of the interval (the test's level is ``1 - level``).
    random_state : int or None, default=0
        Seed of the bootstrap.

    Returns
    -------
    result : ComparisonResult

    Raises
    ------
    ValueError
        If the reports were not made on the same utterances and folds.

    Examples
    --------
    >>> from sklearn_ser.evaluation import EvaluationReport, compare
    >>> y = ["a", "b"] * 20
    >>> spk = [f"s{i // 4}" for i in range(40)]
    >>> good = EvaluationReport.from_predictions(y, y, speaker=spk, name="good")
    >>> bad = EvaluationReport.from_predictions(y, ["a"] * 40, speaker=spk, name="bad")
    >>> res = compare(good, bad)
    >>> res.difference, res.significant
    (0.5, True)
    """
    if not isinstance(a, EvaluationReport) or not isinstance(b, EvaluationReport):
        raise TypeError(
            "compare: a and b must be EvaluationReport objects, got "
            f"{type(a).__name__} and {type(b).__name__}"
        )
    if metric not in ("UA", "WA"):
        raise ValueError(f"compare: metric must be 'UA' or 'WA', got {metric!r}")
    if a.classes != b.classes:
        raise ValueError(
            f"compare: the reports have different classes ({a.classes} vs {b.classes})"
        )
    if a._data["n_utterances"] != b._data["n_utterances"] or (
        a.has_predictions
        and b.has_predictions
        and a._data["y_true"] != b._data["y_true"]
    ):
        raise ValueError("compare: the reports were made on different utterances")
    fa = [f["n_test"] for f in a.runs[0]["folds"]]
    fb = [f["n_test"] for f in b.runs[0]["folds"]]
    tests_a = [f.get("test_index") for f in a.runs[0]["folds"]]
    tests_b = [f.get("test_index") for f in b.runs[0]["folds"]]
    if fa != fb or (None not in tests_a and None not in tests_b and tests_a != tests_b):
        raise ValueError(
            "compare: the reports were made on different folds; evaluate both with the "
            "same protocol and split_random_state"
        )
    units_a, ua_, kind = a.unit_confusion()
    units_b, ub_, kind_b = b.unit_confusion()
    if units_a != units_b or kind != kind_b:
        raise ValueError(f"compare: the reports were tested on different {kind}s")
    w = _stats.bootstrap_weights(len(units_a), n_boot, random_state)
    diff = _stats.bootstrap_metric(ua_, w, metric) - _stats.bootstrap_metric(
        ub_, w, metric
    )
    va, vb = float(getattr(a, metric)), float(getattr(b, metric))
    d = va - vb
    ci = tuple(_stats.percentile_ci(diff, level))
    p = float(min(1.0, 2 * min((diff <= 0).mean(), (diff >= 0).mean())))
    if np.all(diff == 0):
        p = 1.0
    # n_boot replicates cannot resolve a p-value below 1 / n_boot
    p = max(p, 1.0 / n_boot)
    wilcoxon_p = None
    if kind == "speaker":
        f = _stats.ua if metric == "UA" else _stats.wa
        sa = np.asarray(f(ua_)).mean(axis=0)
        sb = np.asarray(f(ub_)).mean(axis=0)
        if np.count_nonzero(sa - sb) >= 6:
            from scipy.stats import wilcoxon

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wilcoxon_p = float(wilcoxon(sa, sb).pvalue)
    significant = bool(ci[0] > 0 or ci[1] < 0)
    name_a, name_b = _label(a, "a"), _label(b, "b")
    pct = int(round(100 * level))
    verdict = "larger than the noise" if significant else "not larger than the noise"
    sentence = (
        f"{metric} of {name_a} minus {name_b}: {d:+.3f} ({va:.3f} vs {vb:.3f}); "
        f"{pct} % CI [{ci[0]:+.3f}, {ci[1]:+.3f}] by a paired bootstrap over "
        f"{len(units_a)} {kind}s, p {'<=' if p == 1.0 / n_boot else '='} {p:.3g}"
        + (
            ""
            if wilcoxon_p is None
            else f" (Wilcoxon over {kind}s p = {wilcoxon_p:.3g})"
        )
        + f": the difference is {verdict}."
    )
    return ComparisonResult(
        metric=metric,
        a=va,
        b=vb,
        difference=d,
        ci=ci,
        p_value=p,
        wilcoxon_p=wilcoxon_p,
        unit=kind,
        n_units=len(units_a),
        n_boot=n_boot,
        level=level,
        alpha=1 - level,
        significant=significant,
        sentence=sentence,
    )
