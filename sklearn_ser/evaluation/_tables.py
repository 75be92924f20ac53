"""Render a results folder (one EvaluationReport JSON per row) as docs tables.

``docs/conf.py`` calls :func:`write_generated` at build time: the tables of
``docs/papers.rst`` (included from ``docs/_generated/``) and the headline block of
``README.md`` come from ``benchmarks/results/<corpus>/<protocol>/<row>.json``, so no
figure of ours is typed by hand. A row whose file is missing is shown as "not run"
with the command that produces it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ._paper_data import (
    CORPUS_NAMES,
    HEADLINE,
    MEASUREMENT_TABLES,
    PAPER_ROWS,
    ROW_LABELS,
    command,
)
from ._report import EvaluationReport

__all__ = [
    "load_results",
    "measurement_tables_rst",
    "paper_protocol_table_rst",
    "readme_block",
    "row_command",
    "training_text",
    "update_readme",
    "write_generated",
]

README_BEGIN = "<!-- results: generated from benchmarks/results by docs/conf.py -->"
README_END = "<!-- /results -->"


def load_results(folder: str | Path) -> dict[tuple[str, str, str], EvaluationReport]:
    """Every ``<corpus>/<protocol>/<row>.json`` report, keyed by those three."""
    folder = Path(folder)
    out = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*/*/*.json")):
        corpus, protocol = path.parent.parent.name, path.parent.name
        out[(corpus, protocol, path.stem)] = EvaluationReport.from_json(path)
    return out


def _label(row: str) -> str:
    base = row.removesuffix("_spknorm")
    text = ROW_LABELS.get(base, base)
    if row.endswith("_spknorm"):
        text += ", speaker-normalised features"
    return f"{text} (``{row}``)"


def _cell(text: str) -> str:
    return '"' + str(text).replace('"', '""') + '"'


def _csv_table(
    title: str, header: list[str], widths: list[int], rows: list[list[str]]
) -> str:
    lines = [
        f".. csv-table:: {title}",
        "   :header: " + ", ".join(_cell(h) for h in header),
        "   :widths: " + ", ".join(map(str, widths)),
        "",
    ]
    lines += ["   " + ", ".join(_cell(c) for c in row) for row in rows]
    return "\n".join(lines) + "\n"


def _minutes(report: EvaluationReport) -> str:
    s = report.summary
    if s.get("fit_seconds") is None:
        return "—"
    return f"{(s['fit_seconds'] + s['predict_seconds']) / 60:.1f}"


def measurement_row(report: EvaluationReport) -> list[str]:
    """WA, UA, CI of UA, UA per fold, seeds, epochs, minutes of one report
    (fractions)."""
    s = report.summary
    ci = report.UA_ci
    return [
        f"{report.WA:.3f}",
        f"{report.UA:.3f}",
        "—" if ci is None else f"{ci[0]:.3f}–{ci[1]:.3f}",
        # one split has no spread to show
        "— (one split)" if len(report.fold_scores) == 1
        else f"{s['UA_fold_mean']:.3f} ± {s['UA_fold_std']:.3f}",
        ", ".join(map(str, report.seeds)),
        training_text(report, short=True),
        _minutes(report),
    ]


def measurement_tables_rst(results: dict) -> str:
    """One table per (corpus, protocol) of :data:`MEASUREMENT_TABLES`, plus any
    other folder found; missing rows say how to produce them."""
    groups: dict[tuple[str, str], list[str]] = {
        (c, p): list(rows) for c, p, rows in MEASUREMENT_TABLES
    }
    for c, p, row in results:
        rows = groups.setdefault((c, p), [])
        if row not in rows:
            rows.append(row)
    out = []
    for (corpus, protocol), rows in groups.items():
        found = [
            results[(corpus, protocol, r)]
            for r in rows
            if (corpus, protocol, r) in results
        ]
        description = found[0].protocol["description"] if found else protocol
        title = f"{CORPUS_NAMES.get(corpus, corpus)}, {description}"
        table_rows = []
        for row in rows:
            report = results.get((corpus, protocol, row))
            if report is None:
                table_rows.append(
                    [
                        _label(row),
                        "—",
                        "—",
                        "—",
                        "not run",
                        "—",
                        "—",
                        "—",
                        f"``{command(corpus, protocol, row)}``",
                    ]
                )
            else:
                table_rows.append(
                    [
                        _label(row),
                        *measurement_row(report),
                        f"``{corpus}/{protocol}/{row}.json``",
                    ]
                )
        out.append(
            _csv_table(
                title + " (pooled WA / UA; 95 % CI of UA by bootstrap over speakers)",
                [
                    "model (benchmark row)",
                    "WA",
                    "UA",
                    "95 % CI of UA",
                    "UA per fold (mean ± std)",
                    "seeds",
                    "epochs",
                    "minutes",
                    "results file",
                ],
                [28, 7, 7, 12, 14, 6, 8, 7, 22],
                table_rows,
            )
        )
        versions = sorted(
            {
                (r.versions.get("sklearn_ser"), r.versions.get("scikit-learn"))
                for r in found
            }
        )
        if found:
            out.append(
                "Recorded with sklearn_ser "
                + "; ".join(f"{a} (scikit-learn {b})" for a, b in versions)
                + f"; {found[0].corpus or corpus}. Leakage checks: "
                + _leakage_note(found)
                + "\n"
            )
    return "\n".join(out)


def _leakage_note(reports: list[EvaluationReport]) -> str:
    from ._format import leakage_sentence

    notes = sorted({leakage_sentence(r.leakage) for r in reports})
    return " / ".join(n.rstrip(".") for n in notes) + "."


def _pct(report: EvaluationReport) -> str:
    ci = report.UA_ci
    text = f"WA {100 * report.WA:.1f}, UA {100 * report.UA:.1f}"
    if ci is not None:
        text += f" (95 % CI {100 * ci[0]:.1f}–{100 * ci[1]:.1f})"
    return text


def training_text(report: EvaluationReport, *, short: bool = False) -> str:
    """How long the report's network trained, read from its recorded parameters
    ("—" for an estimator without epochs; ``short`` for the measurement tables)."""
    params = (report.estimator or {}).get("params", {})

    def get(name):
        keys = [k for k in params if k == name or k.endswith("__" + name)]
        return params[min(keys, key=len)] if keys else None

    pre, fine = get("pretrain_epochs"), get("finetune_epochs")
    epochs = get("max_epochs")
    if pre is not None and fine is not None:
        text = f"{pre} + {fine} epochs"
    elif epochs is not None:
        text = f"{epochs} epochs"
    else:
        return "—"
    if short:
        text = text.removesuffix(" epochs")
        return text + (" (best val.)" if get("early_stopping") is not None else "")
    if get("early_stopping") is not None:
        fraction = get("validation_fraction")
        text += (
            f", weights of the best epoch on a {100 * fraction:.0f} % "
            "validation part of the training fold"
            if fraction is not None
            else ", early stopping"
        )
    return text


def row_command(report: EvaluationReport | None, corpus, protocol, row, epochs=None):
    """The command recorded in a results file, else the one that would write it."""
    if report is not None:
        recorded = report.to_dict().get("settings", {}).get("command")
        if recorded:
            return recorded
        return command(corpus, protocol, row, seeds=report.seeds)
    return command(corpus, protocol, row, epochs=epochs)


def paper_protocol_table_rst(results: dict) -> str:
    """The table "paper figure and protocol | training | ours under the paper's
    protocol | ours speaker-independent | ours leave-one-speaker-out | gap" of
    :data:`PAPER_ROWS` (percentages), then the command of every cell."""
    rows, commands = [], []
    for spec in PAPER_ROWS:
        corpus = spec["corpus"]
        cells, found = [], []
        for protocol, row in (spec["same"], spec["independent"],
                              spec.get("loso", (None, None))):
            if protocol is None:
                cells.append("—")
                continue
            report = results.get((corpus, protocol, row))
            found.append(report)
            cmd = row_command(report, corpus, protocol, row, spec.get("epochs"))
            if cmd not in commands:
                commands.append(cmd)
            if report is None:
                why = spec.get("not_run", {}).get(protocol)
                cells.append(f"not run{': ' + why if why else ''}: ``{cmd}``")
            else:
                cells.append(
                    f"{_pct(report)}; {report.protocol['description']} "
                    f"(``{corpus}/{protocol}/{row}.json``)"
                )
        ours = sorted({training_text(r) for r in found if r is not None})
        training = f"paper: {spec['training']}; ours: " + (
            " / ".join(ours) if ours else "—"
        )
        if len(ours) > 1:
            training += " (the columns differ)"
        source = f" ({spec['source']})" if spec["source"] else ""
        gap = "—" if None in found[:2] else f"{100 * (found[0].UA - found[1].UA):+.1f}"
        name = CORPUS_NAMES.get(corpus, corpus)
        rows.append(
            [
                spec["paper"],
                _label(spec["model"]),
                f"{spec['figure']}; {spec['protocol']}{source}",
                training,
                f"{name}: {cells[0]}",
                f"{name}: {cells[1]}",
                cells[2] if cells[2] == "—" else f"{name}: {cells[2]}",
                gap,
            ]
        )
    table = _csv_table(
        "The papers' protocol against speaker-independent ones (percentages)",
        [
            "paper",
            "model (benchmark row)",
            "paper: figure and protocol",
            "training (epochs)",
            "ours under the paper's protocol",
            "ours, speaker-independent",
            "ours, leave-one-speaker-out",
            "UA gap (points)",
        ],
        [8, 13, 18, 13, 17, 17, 17, 6],
        rows,
    )
    block = "\n".join(
        "    SER_DATA=/path/to/data " + c for c in commands
    )
    return (
        table
        + "\nThe commands that wrote (or will write) the files of this table, "
        "one per cell:\n\n.. code-block:: bash\n\n"
        + block
        + "\n"
    )


def readme_block(results: dict) -> str:
    """The README's headline table (markdown), from :data:`HEADLINE`."""
    lines = [
        README_BEGIN,
        "",
        "| corpus | protocol | model | WA | UA (95 % CI, bootstrap over speakers) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for corpus, protocol, row in HEADLINE:
        report = results.get((corpus, protocol, row))
        label = _label(row).replace("``", "`")
        if report is None:
            lines.append(
                f"| {CORPUS_NAMES.get(corpus, corpus)} | {protocol} | {label} "
                f"| — | not run: `{command(corpus, protocol, row)}` |"
            )
            continue
        ci = report.UA_ci
        lines.append(
            f"| {CORPUS_NAMES.get(corpus, corpus)} | {report.protocol['description']} "
            f"| {label} | {report.WA:.3f} | {report.UA:.3f} "
            + ("" if ci is None else f"({ci[0]:.3f}–{ci[1]:.3f})")
            + " |"
        )
    lines += ["", README_END]
    return "\n".join(lines)


def update_readme(readme: str | Path, results: dict) -> bool:
    """Replace the block between the README markers; True when the file changed."""
    readme = Path(readme)
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(README_BEGIN) + r".*?" + re.escape(README_END), re.S)
    if not pattern.search(text):
        return False
    new = pattern.sub(lambda _: readme_block(results), text)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


def write_generated(
    results_dir: str | Path, out_dir: str | Path, readme: str | Path | None = None
) -> list[Path]:
    """Write ``paper_protocols.inc`` and ``measurements.inc`` into ``out_dir`` (and
    refresh the README block when ``readme`` is given); returns the files written."""
    results = load_results(results_dir)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        ("paper_protocols.inc", paper_protocol_table_rst(results)),
        ("measurements.inc", measurement_tables_rst(results)),
    ):
        path = out_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    if readme is not None and Path(readme).is_file():
        update_readme(readme, results)
    return written
