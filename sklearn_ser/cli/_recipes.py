"""``sklearn-ser recipes``: the registry of :mod:`sklearn_ser.recipes`, with each
recipe's paper, inputs, default epochs and the measured minutes per fold.

Minutes come from evaluation reports (JSON written by
:func:`sklearn_ser.evaluation.evaluate`, by ``benchmarks/bench_accuracy.py`` or by
``sklearn-ser evaluate --out``) under a results folder (default:
``benchmarks/results`` of the source checkout): a report counts for a recipe when
its ``name`` is the recipe's name or its ``cli.recipe`` (a report of
``sklearn-ser evaluate``) is. Per fold = mean ``fit_seconds`` of its folds.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path

#: The results folder of a source checkout (absent in an installed package).
RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results"


def measured_minutes(folder: Path) -> dict[str, list[str]]:
    """``{recipe: ["<corpus> (<protocol>): N min/fold", ...]}`` from the reports."""
    out: dict[str, list[str]] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.rglob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(doc, dict) or "runs" not in doc:
            continue
        cli = doc.get("cli") if isinstance(doc.get("cli"), dict) else {}
        recipe = cli.get("recipe") or doc.get("name")
        seconds = [f.get("fit_seconds") for run in doc.get("runs", [])
                   for f in run.get("folds", []) if f.get("fit_seconds") is not None]
        if not recipe or not seconds:
            continue
        corpus = str(doc.get("corpus") or cli.get("data") or "?").split(" (")[0]
        protocol = (doc.get("protocol") or {}).get("name", "?")
        minutes = sum(seconds) / len(seconds) / 60
        out.setdefault(recipe, []).append(
            f"{minutes:.1f} min/fold on {corpus} ({protocol}, {len(seconds)} folds; "
            f"{path.name})"
        )
    return out


def cmd_recipes(args: argparse.Namespace) -> int:
    from sklearn_ser import recipes

    if args.params is not None:
        pipe = recipes.make_recipe(args.params)
        for key, value in sorted(pipe.get_params(deep=True).items()):
            if not hasattr(value, "get_params") or isinstance(value, type):
                print(f"{key} = {value!r}")
        return 0
    folder = Path(args.results) if args.results else RESULTS
    timing = measured_minutes(folder)
    try:
        shown = folder.resolve().relative_to(Path.cwd())
    except ValueError:
        shown = folder
    wrap = textwrap.TextWrapper(width=88, initial_indent="  ",
                                subsequent_indent="           ")
    for name in recipes.RECIPES:
        record = recipes.get_recipe(name)
        params = record.build().get_params(deep=True)
        epochs = ", ".join(f"{p}={params[p]}" for p in record.epochs if p in params)
        times = timing.get(name) or [
            f"not measured (no evaluation report for {name} under {shown})"
        ]
        print(name)
        for label, text in (("summary", record.summary), ("paper", record.citation),
                            ("inputs", record.inputs),
                            ("epochs", epochs or "no network trained by epochs"),
                            *(("time", t) for t in times)):
            print(wrap.fill(f"{label + ':':<8} {' '.join(str(text).split())}"))
    return 0
