"""Text, CSV, markdown and figures of an ``EvaluationReport``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "dumps",
    "report_csv",
    "report_markdown",
    "report_plot",
    "report_text",
    "fmt",
]


def dumps(value: Any, indent: int | None = 1, _level: int = 0) -> str:
    """JSON with nested structure indented but every list of scalars on one line.

    The same data as :func:`json.dumps` (``json.loads`` of either gives equal
    objects); the predictions and indices stay one line each, so the results
    files remain readable in a diff.
    """
    if indent is None:
        return json.dumps(value, allow_nan=False)
    pad = " " * (indent * (_level + 1))
    end = " " * (indent * _level)
    if isinstance(value, dict) and value:
        items = [
            f"{pad}{json.dumps(str(k))}: {dumps(v, indent, _level + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if (
        isinstance(value, list)
        and value
        and any(isinstance(v, dict | list) for v in value)
    ):
        items = [pad + dumps(v, indent, _level + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + end + "]"
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def fmt(value: Any, digits: int = 3) -> str:
    """A figure as text; ``—`` for a missing one."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _ci(ci: Any) -> str:
    return "—" if not ci else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def report_markdown(report: Any) -> str:
    s = report.summary
    p = report.protocol
    ci = report.ci or {}
    title = report.name or report.estimator.get("class", "estimator")
    lines = [
        f"## {title}",
        "",
        f"* protocol: **{p['description']}** (`{p['name']}`, "
        f"{p.get('n_splits')} fold(s)"
        + (
            ""
            if p.get("speaker_independent") is None
            else ", speaker-independent"
            if p["speaker_independent"]
            else ", NOT speaker-independent"
        )
        + ")",
    ]
    if report.corpus:
        lines.append(f"* corpus: {report.corpus}")
    lines += [
        f"* {report._data['n_utterances']} utterances, {len(report.classes)} classes"
        + ("" if report.speakers is None else f", {len(report.speakers)} speakers")
        + f"; seeds {report.seeds}",
        "",
        "| figure | WA | UA |",
        "|---|---|---|",
        f"| pooled over folds | {fmt(s['WA'])} | {fmt(s['UA'])} |",
        f"| {round(100 * ci.get('level', 0.95))} % CI ("
        + (
            f"bootstrap over {ci['n_units']} {ci['unit']}s"
            if ci.get("unit")
            else "not computed"
        )
        + f") | {_ci(s['WA_ci'])} | {_ci(s['UA_ci'])} |",
        f"| per fold, mean ± std | {fmt(s['WA_fold_mean'])} ± {fmt(s['WA_fold_std'])} "
        f"| {fmt(s['UA_fold_mean'])} ± {fmt(s['UA_fold_std'])} |",
    ]
    if len(report.seeds) > 1:
        lines.append(
            f"| std over seeds | {fmt(s['WA_std_seeds'])} | {fmt(s['UA_std_seeds'])} |"
        )
    lines += [
        "",
        "| fold | seed | n_test | test speakers | WA | UA | fit s | predict s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report.fold_scores:
        spk = row.get("test_speakers")
        spk = (
            "—"
            if spk is None
            else (", ".join(map(str, spk)) if len(spk) <= 4 else f"{len(spk)} speakers")
        )
        lines.append(
            f"| {row['fold']} | {row['seed']} | {row['n_test']} | {spk} | "
            f"{fmt(row['WA'])} | {fmt(row['UA'])} | {fmt(row['fit_seconds'], 1)} | "
            f"{fmt(row['predict_seconds'], 1)} |"
        )
    lines += ["", "| class | recall | support |", "|---|---|---|"]
    for lab, r, n in zip(
        report.classes, s["per_class_recall"], tested_counts(report), strict=True
    ):
        lines.append(f"| {lab} | {fmt(r)} | {n} |")
    if report.speakers is not None:
        lines += ["", "| speaker | UA | WA | n |", "|---|---|---|---|"]
        for spk, u, w, n in zip(
            report.speakers,
            s["per_speaker_UA"],
            s["per_speaker_WA"],
            s["per_speaker_n"],
            strict=True,
        ):
            lines.append(f"| {spk} | {fmt(u)} | {fmt(w)} | {n} |")
    lk = report.leakage or {}
    if lk:
        lines += ["", "Leakage checks: " + leakage_sentence(lk)]
    return "\n".join(lines) + "\n"


def report_text(report: Any) -> str:
    """Plain text for a terminal: folds, pooled figures with CI, per-class recall."""
    s = report.summary
    p = report.protocol
    lines = [
        f"{report.name or report.estimator.get('class', 'estimator')}: "
        f"{p['description']}; seeds {report.seeds}",
        f"{'seed':>5} {'fold':>5} {'n_test':>6}     WA     UA",
    ]
    for row in report.fold_scores:
        lines.append(
            f"{row['seed']!s:>5} {row['fold']:>5} {row['n_test']:>6}  "
            f"{row['WA']:.3f}  {row['UA']:.3f}"
        )
    ci = report.UA_ci
    lines.append(
        f"pooled over folds: WA {report.WA:.3f}  UA {report.UA:.3f}"
        + (
            ""
            if ci is None
            else f"  (95 % CI of UA {ci[0]:.3f}-{ci[1]:.3f}, bootstrap over "
            f"{report.ci['n_units']} {report.ci['unit']}s)"
        )
    )
    lines.append(
        f"per fold: UA {s['UA_fold_mean']:.3f} ± {s['UA_fold_std']:.3f}; "
        f"chance UA {1 / len(report.classes):.3f}"
    )
    width = max([5] + [len(str(c)) for c in report.classes])
    lines.append(f"{'class':<{width}}  recall  support")
    for lab, r, n in zip(
        report.classes, s["per_class_recall"], tested_counts(report), strict=True
    ):
        lines.append(f"{str(lab):<{width}}  {fmt(r):>6}  {n:7d}")
    if report.leakage:
        lines.append("leakage checks: " + leakage_sentence(report.leakage))
    return "\n".join(lines) + "\n"


def tested_counts(report: Any) -> list[int]:
    """Utterances of each class that were tested (first seed; every seed tests the
    same ones), not the corpus's counts: a hold-out tests only some."""
    m = np.asarray(report.runs[0]["confusion_matrix"])
    return [int(n) for n in m.sum(axis=1)]


def leakage_sentence(lk: dict) -> str:
    parts = []
    if lk.get("speaker_checked"):
        shared = lk.get("folds_sharing_speakers") or []
        parts.append(
            "speakers checked: "
            + (
                "no fold shares a speaker between train and test"
                if not shared
                else f"{len(shared)} fold(s) share speakers between train and "
                "test (expected for this protocol)"
            )
        )
    else:
        parts.append("speakers not checked (no speaker ids)")
    if lk.get("duplicates_checked"):
        n = lk.get("n_duplicate_pairs", 0)
        parts.append(
            f"identical inputs checked ({lk.get('hashed')}): "
            + (
                "none across train and test"
                if not n
                else f"{n} train/test pair(s) found"
            )
        )
    else:
        parts.append("identical inputs not checked")
    return "; ".join(parts) + "."


# the columns of every fold row, in the CSV's order; other scores follow them
_FOLD_COLUMNS = (
    "seed", "fold", "n_train", "n_test", "test_speakers", "WA", "UA",
    "fit_seconds", "predict_seconds",
)


def report_csv(report: Any, path: Any = None, *, what: str = "folds") -> str:
    if what not in ("folds", "predictions"):
        raise ValueError(f"to_csv: what must be 'folds' or 'predictions', got {what!r}")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if what == "folds":
        extra = sorted({k for r in report.fold_scores for k in r} - set(_FOLD_COLUMNS))
        writer.writerow([*_FOLD_COLUMNS, *extra])
        for r in report.fold_scores:
            spk = r.get("test_speakers")
            writer.writerow(
                [
                    r["seed"],
                    r["fold"],
                    r.get("n_train"),
                    r["n_test"],
                    "" if spk is None else " ".join(map(str, spk)),
                    r["WA"],
                    r["UA"],
                    r.get("fit_seconds"),
                    r.get("predict_seconds"),
                    *[r.get(k) for k in extra],
                ]
            )
        for run in report.runs:
            writer.writerow(
                [
                    run["seed"],
                    "pooled",
                    "",
                    sum(f["n_test"] for f in run["folds"]),
                    "",
                    run["WA"],
                    run["UA"],
                    run["fit_seconds"],
                    run["predict_seconds"],
                    *[""] * len(extra),
                ]
            )
    else:
        writer.writerow(["seed", "fold", "index", "speaker", "y_true", "y_pred"])
        for run in report.runs:
            p = report.predictions(run["seed"])
            spk = p.speaker if p.speaker is not None else [""] * len(p.index)
            for f, i, s, t, y in zip(
                p.fold, p.index, spk, p.y_true, p.y_pred, strict=True
            ):
                writer.writerow([run["seed"], int(f), int(i), s, t, y])
    text = buf.getvalue()
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def report_plot(report: Any, *, axes: Any = None, normalize: str = "true") -> Any:
    """Confusion matrix (left) and per-speaker UA bars with the pooled UA and CI."""
    import matplotlib.pyplot as plt

    from sklearn_ser.plotting import ConfusionMatrixDisplay

    has_spk = report.speakers is not None
    if axes is None:
        fig, axes = plt.subplots(
            1,
            2 if has_spk else 1,
            figsize=(11 if has_spk else 5.5, 4.5),
            squeeze=False,
            layout="constrained",
        )
        axes = axes[0]
    axes = np.atleast_1d(axes)
    m = report.confusion_matrix.astype(float)
    display = ConfusionMatrixDisplay(
        confusion_matrix=_normalised(m, normalize),
        display_labels=[str(c) for c in report.classes],
        weighted_accuracy=report.WA,
        unweighted_accuracy=report.UA,
    )
    display.plot(ax=axes[0], colorbar=False, xticks_rotation=45)
    axes[0].set_title(
        f"{report.protocol['description']}\nWA {report.WA:.3f}, UA {report.UA:.3f}",
        fontsize=9,
    )
    if has_spk and len(axes) > 1:
        ax = axes[1]
        ua = np.asarray(report.summary["per_speaker_UA"], dtype=float)
        names = [str(s) for s in report.speakers]
        ax.barh(names, ua, color="tab:blue", alpha=0.8)
        ax.axvline(report.UA, color="k", lw=1, label=f"pooled UA {report.UA:.3f}")
        if report.UA_ci:
            ax.axvspan(
                *report.UA_ci,
                color="k",
                alpha=0.1,
                label=f"{round(100 * report.ci['level'])} % CI",
            )
        ax.set_xlim(0, 1)
        ax.set_xlabel("UA of the speaker's utterances")
        ax.set_ylabel("speaker")
        ax.invert_yaxis()
        ax.legend(loc="lower right", fontsize=8)
    return axes[0].figure


def _normalised(m: np.ndarray, normalize: str | None) -> np.ndarray:
    if normalize is None:
        return m
    axis = {"true": 1, "pred": 0}.get(normalize)
    with np.errstate(invalid="ignore", divide="ignore"):
        if axis is None:
            return m / max(m.sum(), 1)
        return np.nan_to_num(m / m.sum(axis=axis, keepdims=True))
