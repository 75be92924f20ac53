"""``EvaluationReport``: everything one evaluation measured, as a JSON-safe record."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils import Bunch

from . import _stats

__all__ = ["EvaluationReport", "build_report"]

FORMAT = "sklearn_ser.EvaluationReport/1"


def json_safe(value: Any) -> Any:
    """``value`` with numpy types made plain, NaN/inf as None, others as repr."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        return json_safe(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    return repr(value)


class EvaluationReport:
    """What an evaluation measured: pooled, per-fold and per-speaker WA / UA.

    Made by :func:`evaluate`; a plain record that :meth:`to_json` writes and
    :meth:`from_json` reads back unchanged. WA = accuracy over utterances, UA = mean
    per-class recall (:func:`~sklearn_ser.metrics.weighted_accuracy`,
    :func:`~sklearn_ser.metrics.unweighted_accuracy`). "Pooled" figures use the
    predictions of all folds together; with several seeds, every figure is the mean
    over the seeds (the confusion matrix is the sum) and :attr:`runs` keeps each
    seed's own.

    The 95 % confidence interval of UA (:attr:`UA_ci`) is a percentile bootstrap
    over *speakers* (all utterances of a drawn speaker go in together, since
    utterances of one speaker are not independent), or over utterances when no
    speakers were given; ``ci["n_boot"]`` replicates drawn with
    ``numpy.random.default_rng(ci["random_state"])``. With few speakers (EmoDB
    has 10) the interval is itself rough.

    Parameters
    ----------
    data : dict
        The record (as :meth:`to_dict` returns it).

    Attributes
    ----------
    WA, UA : float
        Pooled over folds, mean over seeds.
    UA_ci, WA_ci : list of float
        ``[low, high]`` bootstrap interval.
    classes : list
        Class labels, the order of every per-class list.
    speakers : list or None
        Speaker ids, the order of every per-speaker list.
    protocol : dict
        ``name`` (``"loso"``, ``"speaker-kfold"``, ``"random-split"``,
        ``"stratified-kfold"`` or ``"custom"``), ``description``,
        ``speaker_independent``, ``n_splits``, ``test_size``, ``random_state``, ``cv``.
    seeds : list
        The seeds the estimator's ``random_state`` parameters were set to.
    runs : list of dict
        One per seed: its pooled figures and ``folds`` (per fold ``WA``, ``UA``,
        ``n_train``, ``n_test``, ``test_speakers``, ``fit_seconds``,
        ``predict_seconds``, extra ``scores``; ``test_index`` and ``y_pred`` when
        the predictions were kept).
    leakage : dict
        What :func:`check_leakage` checked and found.
    estimator, versions : dict
        The estimator's class, repr and parameters; library versions.

    See Also
    --------
    evaluate : makes a report.
    compare : paired test of two reports on the same folds.
    """

    def __init__(self, data: dict) -> None:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(
                f"EvaluationReport: data must be a dict with format={FORMAT!r}, got "
                f"{type(data).__name__}"
                + (
                    f" with format={data.get('format')!r}"
                    if isinstance(data, dict)
                    else ""
                )
            )
        # Through JSON once, so that a report and its JSON copy hold the same types.
        self._data = json.loads(json.dumps(json_safe(data), allow_nan=False))

    # -- record ------------------------------------------------------------------
    def to_dict(self) -> dict:
        """A deep copy of the record (JSON-safe)."""
        return json.loads(json.dumps(self._data))

    def to_json(self, path: str | Path | None = None, *, indent: int | None = 1) -> str:
        """The record as JSON; also written to ``path`` when given.

        Examples
        --------
        >>> from sklearn_ser.evaluation import EvaluationReport
        >>> r = EvaluationReport.from_predictions(["a", "b", "a", "b"],
        ...                                       ["a", "b", "b", "b"])
        >>> EvaluationReport.from_json(r.to_json()) == r
        True
        """
        from ._format import dumps

        text = dumps(self._data, indent) + "\n"
        if path is not None:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> EvaluationReport:
        """A report from :meth:`to_json`'s text or from a file holding it."""
        text = str(source)
        if not text.lstrip().startswith("{"):
            path = Path(source)
            if not path.is_file():
                raise ValueError(
                    f"EvaluationReport.from_json: {text[:80]!r} is neither JSON text "
                    "nor an existing file"
                )
            text = path.read_text(encoding="utf-8")
        return cls(json.loads(text))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EvaluationReport):
            return NotImplemented
        return self._data == other._data

    __hash__ = None  # mutable-looking record: not hashable

    def __repr__(self) -> str:
        name = self.name or self.estimator.get("class", "estimator")
        return (
            f"<EvaluationReport {name}: {self.protocol['description']}, "
            f"WA={self.WA:.3f} UA={self.UA:.3f} "
            f"[{self.UA_ci[0]:.3f}, {self.UA_ci[1]:.3f}]>"
        )

    # -- accessors -------------------------------------------------------------------
    def __getattr__(self, key: str) -> Any:
        data = self.__dict__.get("_data")
        if data is None:
            raise AttributeError(key)
        if key in ("WA", "UA", "WA_ci", "UA_ci"):
            return data["summary"][key]
        if key in (
            "classes",
            "speakers",
            "protocol",
            "seeds",
            "runs",
            "leakage",
            "estimator",
            "versions",
            "ci",
            "summary",
            "name",
            "corpus",
        ):
            return data.get(key)
        raise AttributeError(f"EvaluationReport has no attribute {key!r}")

    @property
    def confusion_matrix(self) -> np.ndarray:
        """Counts ``[true, predicted]`` in :attr:`classes` order, summed over seeds."""
        return np.asarray(self._data["summary"]["confusion_matrix"], dtype=np.int64)

    @property
    def per_class_recall(self) -> dict:
        """``{class: recall}`` pooled over folds, mean over seeds."""
        return dict(
            zip(self.classes, self._data["summary"]["per_class_recall"], strict=True)
        )

    @property
    def per_speaker_UA(self) -> dict:
        """``{speaker: UA}`` over each speaker's tested utterances ({} without)."""
        if self.speakers is None:
            return {}
        return dict(
            zip(self.speakers, self._data["summary"]["per_speaker_UA"], strict=True)
        )

    @property
    def fold_scores(self) -> list[dict]:
        """One dict per (seed, fold): ``seed``, ``fold``, ``WA``, ``UA``, ... ."""
        rows = []
        for run in self.runs:
            for fold in run["folds"]:
                row = {"seed": run["seed"]}
                row.update(
                    {
                        k: v
                        for k, v in fold.items()
                        if k not in ("test_index", "y_pred", "scores")
                    }
                )
                row.update(fold.get("scores", {}))
                rows.append(row)
        return rows

    @property
    def has_predictions(self) -> bool:
        return self._data.get("y_true") is not None

    def predictions(self, seed: Any = None) -> Bunch:
        """Per tested utterance: ``index``, ``fold``, ``y_true``, ``y_pred``,
        ``speaker``.

        Parameters
        ----------
        seed : default=None
            Which run; default the first.
        """
        if not self.has_predictions:
            raise ValueError(
                "EvaluationReport.predictions: this report was made with "
                "return_predictions=False and holds no predictions"
            )
        runs = self.runs
        run = (
            runs[0]
            if seed is None
            else next((r for r in runs if r["seed"] == seed), None)
        )
        if run is None:
            raise ValueError(
                f"EvaluationReport.predictions: no run with seed {seed!r}; "
                f"seeds: {self.seeds}"
            )
        y_true = np.asarray(self._data["y_true"])
        spk = self._data.get("speaker")
        idx = np.concatenate(
            [np.asarray(f["test_index"], dtype=int) for f in run["folds"]]
        )
        fold = np.concatenate(
            [np.full(len(f["test_index"]), f["fold"]) for f in run["folds"]]
        )
        y_pred = np.concatenate(
            [np.asarray(f["y_pred"], dtype=y_true.dtype) for f in run["folds"]]
        )
        return Bunch(
            index=idx,
            fold=fold,
            y_true=y_true[idx],
            y_pred=y_pred,
            speaker=None if spk is None else np.asarray(spk)[idx],
        )

    def unit_confusion(self) -> tuple[list, np.ndarray, str]:
        """Counts per bootstrap unit: (units, array (n_seeds, n_units, C, C), kind).

        Units are the speakers when the report has them, else the tested utterances
        (which needs the predictions).
        """
        c = len(self.classes)
        if self.speakers is not None:
            u = np.asarray([r["speaker_confusion"] for r in self.runs], dtype=np.int64)
            u = u.reshape(len(self.runs), -1, c, c)
            # only the speakers that were tested are units (a hold-out or a random
            # split tests some of them; an untested one would only add noise)
            tested = u.sum(axis=(0, 2, 3)) > 0
            return [s for s, t in zip(self.speakers, tested) if t], u[:, tested], "speaker"
        if not self.has_predictions:
            raise ValueError(
                "EvaluationReport: without speakers, the bootstrap over utterances "
                "needs the predictions (return_predictions=True)"
            )
        code = {lab: i for i, lab in enumerate(self.classes)}
        units = sorted({i for f in self.runs[0]["folds"] for i in f["test_index"]})
        pos = {i: k for k, i in enumerate(units)}
        out = []
        for run in self.runs:
            p = self.predictions(run["seed"])
            out.append(
                _stats.confusion(
                    np.array([code[v] for v in p.y_true.tolist()]),
                    np.array([code[v] for v in p.y_pred.tolist()]),
                    c,
                    units=np.array([pos[i] for i in p.index.tolist()]),
                    n_units=len(units),
                )
            )
        return units, np.asarray(out), "utterance"

    # -- output ----------------------------------------------------------------------
    def to_markdown(self) -> str:
        """Protocol, pooled figures with CI, folds, recall, speakers, leakage."""
        from ._format import report_markdown

        return report_markdown(self)

    def to_text(self) -> str:
        """Plain text for a terminal: folds, pooled WA / UA with CI, class recalls."""
        from ._format import report_text

        return report_text(self)

    def to_csv(self, path: str | Path | None = None, *, what: str = "folds") -> str:
        """CSV of the folds (one row per seed and fold, then the pooled rows) or of
        the predictions (``what="predictions"``); also written to ``path``."""
        from ._format import report_csv

        return report_csv(self, path, what=what)

    def plot(self, *, axes: Any = None, normalize: str | None = "true") -> Any:
        """Confusion matrix and per-speaker UA bars (pooled UA and CI marked).

        Parameters
        ----------
        axes : sequence of matplotlib Axes, default=None
            One (confusion) or two (confusion, speakers); default a new figure.
        normalize : {"true", "pred", "all"} or None, default="true"
            How the confusion matrix is normalised (``"true"``: rows are recalls).

        Returns
        -------
        figure : matplotlib Figure
        """
        from ._format import report_plot

        return report_plot(self, axes=axes, normalize=normalize)

    # -- constructors ----------------------------------------------------------------
    @classmethod
    def from_predictions(
        cls,
        y_true: Any,
        y_pred: Any,
        *,
        speaker: Any = None,
        folds: Any = None,
        **kwargs: Any,
    ) -> EvaluationReport:
        """A report from predictions made elsewhere (one seed).

        Parameters
        ----------
        y_true, y_pred : array-like of shape (n_utterances,)
            Truth and prediction of every utterance.
        speaker : array-like of shape (n_utterances,), default=None
            Speaker of each utterance.
        folds : array-like of shape (n_utterances,), default=None
            Fold number of each utterance (its test fold); default one fold.
        **kwargs
            ``name``, ``corpus``, ``classes``, ``protocol`` (a dict as
            :attr:`protocol`), ``n_boot``, ``ci_level``, ``ci_random_state``, as
            in :func:`evaluate`.

        Returns
        -------
        report : EvaluationReport

        Examples
        --------
        >>> from sklearn_ser.evaluation import EvaluationReport
        >>> r = EvaluationReport.from_predictions(["a", "a", "b", "b"],
        ...                                       ["a", "b", "b", "b"])
        >>> r.WA, r.UA
        (0.75, 0.75)
        """
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        folds = np.zeros(len(y_true), int) if folds is None else np.asarray(folds)
        runs = [
            [
                {
                    "test_index": np.flatnonzero(folds == f),
                    "n_train": None,
                    "y_pred": y_pred[folds == f],
                }
                for f in np.unique(folds)
            ]
        ]
        return build_report(y_true, runs, speaker=speaker, **kwargs)


def build_report(
    y: Any,
    runs: list[list[dict]],
    *,
    speaker: Any = None,
    seeds: Any = (0,),
    protocol: dict | None = None,
    classes: Any = None,
    estimator: dict | None = None,
    versions: dict | None = None,
    leakage: dict | None = None,
    ci_level: float = 0.95,
    n_boot: int = 1000,
    ci_random_state: int | None = 0,
    return_predictions: bool = True,
    name: str | None = None,
    corpus: str | None = None,
    extra: dict | None = None,
) -> EvaluationReport:
    """Turn fold predictions into an :class:`EvaluationReport`.

    ``runs[s][k]`` is fold ``k`` of seed ``s``: a dict with ``test_index``,
    ``y_pred`` and optionally ``n_train``, ``fit_seconds``, ``predict_seconds``,
    ``scores``.
    """
    y = np.asarray(y)
    classes = np.unique(y) if classes is None else np.asarray(classes)
    code = {lab: i for i, lab in enumerate(classes.tolist())}
    c = len(classes)
    spk = None if speaker is None else np.asarray(speaker)
    speakers = None if spk is None else np.unique(spk)
    spk_code = None if spk is None else np.searchsorted(speakers, spk)
    y_code = np.array([code[v] for v in y.tolist()])
    out_runs = []
    for seed, folds in zip(seeds, runs, strict=True):
        all_idx, all_pred, fold_out = [], [], []
        for k, fold in enumerate(folds, start=1):
            idx = np.asarray(fold["test_index"], dtype=int)
            pred = np.asarray(fold["y_pred"])
            unknown = set(pred.tolist()) - set(code)
            if unknown:
                raise ValueError(
                    f"evaluate: predicted label(s) {sorted(unknown, key=str)}"
                    f" are not among the classes {classes.tolist()}"
                )
            p_code = np.array([code[v] for v in pred.tolist()], dtype=int)
            m = _stats.confusion(y_code[idx], p_code, c)
            rec = {
                "fold": k,
                "n_train": fold.get("n_train"),
                "n_test": int(len(idx)),
                "test_speakers": None if spk is None else np.unique(spk[idx]).tolist(),
                "WA": _stats.wa(m),
                "UA": _stats.ua(m),
                "fit_seconds": fold.get("fit_seconds"),
                "predict_seconds": fold.get("predict_seconds"),
                "scores": fold.get("scores", {}),
            }
            if return_predictions:
                rec["test_index"] = idx.tolist()
                rec["y_pred"] = pred.tolist()
            fold_out.append(rec)
            all_idx.append(idx)
            all_pred.append(p_code)
        idx = np.concatenate(all_idx)
        p_code = np.concatenate(all_pred)
        m = _stats.confusion(y_code[idx], p_code, c)
        run = {
            "seed": seed,
            "WA": _stats.wa(m),
            "UA": _stats.ua(m),
            "per_class_recall": _stats.recall(m),
            "confusion_matrix": m,
            "fit_seconds": _sum([f["fit_seconds"] for f in fold_out]),
            "predict_seconds": _sum([f["predict_seconds"] for f in fold_out]),
            "folds": fold_out,
        }
        if spk is not None:
            sm = _stats.confusion(
                y_code[idx], p_code, c, units=spk_code[idx], n_units=len(speakers)
            )
            run["speaker_confusion"] = sm
            run["per_speaker_UA"] = _stats.ua(sm)
            run["per_speaker_WA"] = _stats.wa(sm)
            run["per_speaker_n"] = sm.sum(axis=(1, 2))
        out_runs.append(run)

    data: dict[str, Any] = {
        "format": FORMAT,
        "name": name,
        "corpus": corpus,
        "protocol": protocol
        or {
            "name": "custom",
            "description": "given predictions",
            "speaker_independent": None,
            "n_splits": len(runs[0]) if runs else 0,
        },
        "seeds": list(seeds)[: len(runs)],
        "classes": classes.tolist(),
        "speakers": None if speakers is None else speakers.tolist(),
        "n_utterances": int(len(y)),
        "class_counts": [int((y_code == i).sum()) for i in range(c)],
        "estimator": estimator or {},
        "versions": versions or {},
        "leakage": leakage or {},
        "runs": out_runs,
        "y_true": y.tolist() if return_predictions else None,
        "speaker": (None if spk is None or not return_predictions else spk.tolist()),
    }
    if extra:
        data.update(extra)
    report = EvaluationReport(data)
    report._data["ci"], report._data["summary"] = _summary(
        report, ci_level, n_boot, ci_random_state
    )
    return EvaluationReport(report._data)


def _sum(values: list) -> float | None:
    return None if any(v is None for v in values) else float(sum(values))


def _summary(
    report: EvaluationReport, level: float, n_boot: int, random_state: int | None
) -> tuple[dict, dict]:
    runs = report._data["runs"]
    folds = [f for r in runs for f in r["folds"]]
    rec = np.asarray([r["per_class_recall"] for r in runs], dtype=float)  # None -> nan
    seen = ~np.isnan(rec).all(axis=0)
    recall = np.full(rec.shape[1], np.nan)
    recall[seen] = np.nanmean(rec[:, seen], axis=0)
    summary: dict[str, Any] = {
        "WA": float(np.mean([r["WA"] for r in runs])),
        "UA": float(np.mean([r["UA"] for r in runs])),
        "WA_std_seeds": float(np.std([r["WA"] for r in runs])),
        "UA_std_seeds": float(np.std([r["UA"] for r in runs])),
        "WA_fold_mean": float(np.mean([f["WA"] for f in folds])),
        "WA_fold_std": float(np.std([f["WA"] for f in folds])),
        "UA_fold_mean": float(np.mean([f["UA"] for f in folds])),
        "UA_fold_std": float(np.std([f["UA"] for f in folds])),
        "per_class_recall": recall,
        "confusion_matrix": np.sum([r["confusion_matrix"] for r in runs], axis=0),
        "fit_seconds": _mean_or_none([r["fit_seconds"] for r in runs]),
        "predict_seconds": _mean_or_none([r["predict_seconds"] for r in runs]),
    }
    if report.speakers is not None:
        for key in ("per_speaker_UA", "per_speaker_WA"):
            summary[key] = np.mean([r[key] for r in runs], axis=0)
        summary["per_speaker_n"] = runs[0]["per_speaker_n"]
    ci = {
        "level": level,
        "method": "percentile bootstrap",
        "unit": None,
        "n_units": None,
        "n_boot": n_boot,
        "random_state": random_state,
    }
    summary["UA_ci"] = summary["WA_ci"] = None
    try:
        units, u, kind = report.unit_confusion()
    except ValueError:
        units = None
    if units is not None and n_boot > 0:
        w = _stats.bootstrap_weights(len(units), n_boot, random_state)
        summary["UA_ci"] = _stats.percentile_ci(
            _stats.bootstrap_metric(u, w, "UA"), level
        )
        summary["WA_ci"] = _stats.percentile_ci(
            _stats.bootstrap_metric(u, w, "WA"), level
        )
        ci.update(unit=kind, n_units=len(units))
    return ci, json_safe(summary)


def _mean_or_none(values: list) -> float | None:
    return None if any(v is None for v in values) else float(np.mean(values))
