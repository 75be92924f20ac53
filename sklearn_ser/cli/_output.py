"""Reports out: ``--format text|json|csv|markdown`` on stdout, ``--out`` to a file or
a folder, per-fold progress lines from :func:`~sklearn_ser.evaluation.evaluate`'s
callback, and the effective configuration echoed into the report."""

from __future__ import annotations

import time
from pathlib import Path

from ._common import CLIError
from ._progress import _progress

FORMATS = ("text", "json", "csv", "markdown")
#: ``--out`` suffix -> format; any other path is a folder.
SUFFIX_FORMAT = {".json": "json", ".csv": "csv", ".md": "markdown",
                 ".markdown": "markdown", ".txt": "text"}


def render(report, fmt: str) -> str:
    """The report in one of :data:`FORMATS` (the evaluation module's own writers)."""
    if fmt == "json":
        return report.to_json(indent=1) + "\n"
    if fmt == "csv":
        return report.to_csv()
    if fmt == "markdown":
        return report.to_markdown()
    return report.to_text()


def out_kind(out: str | None) -> str | None:
    """``"file"`` when ``--out`` ends in a report suffix, ``"folder"`` otherwise."""
    if out is None:
        return None
    return "file" if Path(out).suffix.lower() in SUFFIX_FORMAT else "folder"


def fold_printer(label: str, *, quiet: bool):
    """A callback for ``evaluate``: one stderr line per fold (fold i/k, the fold's
    UA, its fit seconds and the time since the start)."""
    t0 = time.perf_counter()

    def callback(info: dict) -> None:
        if quiet:
            return
        seed = (f" seed {info['seed']} ({info['seed_index'] + 1}/{info['n_seeds']})"
                if info["n_seeds"] > 1 else "")
        _progress(
            f"      {label}{seed}: fold {info['fold']}/{info['n_folds']} "
            f"UA={info['UA']:.3f} WA={info['WA']:.3f} (n_test {info['n_test']}; "
            f"fit {info['fit_seconds']:.1f} s; elapsed "
            f"{time.perf_counter() - t0:.1f} s)"
        )

    return callback


def with_config(report, config: dict, *, protocol: dict | None = None):
    """A copy of ``report`` holding ``config`` (under ``"cli"``) so that the run can
    be repeated from its output; the CLI's own progress callback is dropped from
    the recorded parameters, and ``protocol`` updates the protocol record."""
    from sklearn_ser.evaluation import EvaluationReport

    data = report.to_dict()
    params = data.get("estimator", {}).get("params", {})
    for key, value in list(params.items()):
        if (key == "callbacks" or key.endswith("__callbacks")) and isinstance(
            value, list
        ) and any(isinstance(v, list) and v and v[0] == "cli_progress" for v in value):
            params[key] = None
    if protocol:
        data["protocol"] = {**data["protocol"], **protocol}
    data["cli"] = config
    return EvaluationReport(data)


def write_report(report, out: str, *, fmt: str, paths=None, labels=None) -> str:
    """Write ``report`` to ``out``: a file in the format of its suffix, or a folder
    with ``report.json``, ``predictions.csv`` (path, label, predicted, fold,
    speaker) and ``confusion_matrix.png``. Returns what was written, for a message."""
    path = Path(out).expanduser()
    if out_kind(out) == "file":
        path.write_text(render(report, SUFFIX_FORMAT[path.suffix.lower()]),
                        encoding="utf-8")
        return str(path)
    if path.exists() and not path.is_dir():
        raise CLIError(f"--out {out!r} exists and is not a folder")
    path.mkdir(parents=True, exist_ok=True)
    report.to_json(path / "report.json")
    written = ["report.json"]
    if report.has_predictions and paths is not None:
        _write_predictions(path / "predictions.csv", report, paths)
        written.append("predictions.csv")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig = report.plot()
        fig.savefig(path / "confusion_matrix.png", dpi=100)
        plt.close(fig)
        written.append("confusion_matrix.png")
    except ImportError:  # pragma: no cover - matplotlib is an optional extra
        pass
    return f"{path}/ ({', '.join(written)})"


def _write_predictions(path: Path, report, paths) -> None:
    import csv

    pred = report.predictions()  # the first seed's
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "label", "predicted", "fold", "speaker"])
        speakers = pred.speaker if pred.speaker is not None else [""] * len(pred.index)
        for fold, i, spk, t, p in zip(pred.fold, pred.index, speakers, pred.y_true,
                                      pred.y_pred, strict=True):
            writer.writerow([paths[int(i)], t, p, int(fold), spk])
