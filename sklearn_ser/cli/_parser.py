"""The argument parser of ``sklearn-ser``: commands, options, their help and defaults.

The recipe names (``--recipe``) come from the registry of
:mod:`sklearn_ser.recipes`, which imports nothing heavy; the recipes' default
epochs in the help of ``--max-epochs`` are read (building each recipe, which
imports torch) only when a help text is printed.
"""

from __future__ import annotations

import argparse

from sklearn_ser import __version__

from ._common import DATA_LAYOUTS, EPOCH_PARAMS
from ._config import parse_set, seeds_spec
from ._output import FORMATS
from ._select import cv_spec

_SPEAKER_PATTERNS = (
    "comma-separated speaker ids, globs (actor0*), numbers (13: the speaker whose "
    "id ends in 13) or number ranges (1-12)"
)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _recipes_epochs() -> str:
    """``liu2021 30, zhou 100, kumar 1000 + 1000, ...``: each recipe's epochs."""
    from sklearn_ser import recipes

    parts = []
    for name in recipes.RECIPES:
        record = recipes.get_recipe(name)
        params = record.build().get_params()
        counts = [str(params[p]) for p in record.epochs if p in params]
        if counts:
            parts.append(f"{name} {' + '.join(counts)}")
    return ", ".join(parts)


class _HelpFormatter(argparse.HelpFormatter):
    """Fills in the recipes' epochs when (and only when) a help text is printed."""

    def _get_help_string(self, action):
        text = super()._get_help_string(action)
        if action.dest == "max_epochs" and "{epochs}" in text:
            try:
                text = text.replace("{epochs}", _recipes_epochs())
            except ImportError:  # pragma: no cover - torch missing
                text = text.replace("{epochs}", "each recipe's own")
        return text


def _recipe_options() -> argparse.ArgumentParser:
    """``--recipe``, ``--data``, ``--max-epochs``, ``--random-state``."""
    from sklearn_ser import recipes

    names = recipes.RECIPES
    summaries = "; ".join(
        f"{name}: {recipes.get_recipe(name).summary.rstrip('.')}" for name in names
    )
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--recipe",
        default=None,
        metavar="NAME",
        choices=names,
        help=f"the paper's pipeline (sklearn_ser.recipes), one of {', '.join(names)} "
        f"(required, here or in --config; 'sklearn-ser recipes' describes them). "
        f"{summaries}",
    )
    parser.add_argument(
        "--data",
        default=None,
        metavar="DIR|CSV",
        help="the corpus (required, here or in --config): "
        + "; or ".join(DATA_LAYOUTS)
        + ". The layouts are tried in this order; a folder holding several corpora "
        "is refused",
    )
    parser.add_argument(
        "--speakers",
        default=None,
        metavar="PATTERNS",
        help=f"use only these speakers' utterances: {_SPEAKER_PATTERNS} "
        "(default: all)",
    )
    parser.add_argument(
        "--exclude-speakers",
        default=None,
        metavar="PATTERNS",
        help="leave these speakers' utterances out (same patterns; default: none)",
    )
    parser.add_argument(
        "--set",
        action="append",
        type=parse_set,
        default=None,
        metavar="NAME=VALUE",
        help="set a parameter of the recipe's pipeline (any get_params() key, e.g. "
        "clf__optimizer__lr=1e-3; the value read as a Python literal, else as a "
        "string); repeatable (default: the recipe's values)",
    )
    parser.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help="read options from a TOML (or JSON) file with keys recipe, data, cv "
        "(or split), protocol, seeds, speakers, exclude_speakers, max_epochs, "
        "device, random_state, out and a [set] table; options on the command line "
        "win. A report.json or <model>.run.json of an earlier run works too "
        "(default: none)",
    )
    parser.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default=None,
        help="torch device of every step that has a 'device' parameter (auto: "
        "CUDA when available; default: the recipe's own, auto)",
    )
    parser.add_argument(
        "--max-epochs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="override the training epochs of the recipe's network (every "
        f"{' / '.join(EPOCH_PARAMS)} parameter); default: the recipe's own "
        "({epochs})",
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the recipe and of the folds (default: 0)",
    )
    return parser


def _quiet_option() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bars or progress messages (default: progress on stderr)",
    )
    return parser


def _add_demo(sub) -> None:
    from ._demo import cmd_demo

    demo = sub.add_parser(
        "demo",
        formatter_class=_HelpFormatter,
        help="speaker-independent cross-validation on the embedded synthetic corpus",
        description=(
            "Generate the synthetic emotional-speech corpus, run a speaker-grouped "
            "cross-validation and print WA (accuracy) and UA (mean per-class recall)."
        ),
    )
    demo.add_argument(
        "--n-per-class",
        type=_positive_int,
        default=40,
        help="utterances per class (default: 40)",
    )
    demo.add_argument(
        "--n-speakers",
        type=_positive_int,
        default=8,
        help="number of speakers (default: 8)",
    )
    demo.add_argument(
        "--folds",
        type=_positive_int,
        default=4,
        help="cross-validation folds (default: 4)",
    )
    demo.add_argument("--random-state", type=int, default=0, help="seed (default: 0)")
    demo.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        help="folds fitted at once, each in its own process with one torch thread "
        "(default: one per CPU, at most --folds; the figures do not depend on it, "
        "only the time; with more than 1 the epoch bars are not shown)",
    )
    demo.add_argument(
        "--epochs",
        type=_positive_int,
        default=20,
        help="training epochs of the CNN-LSTM (default: 20)",
    )
    demo.add_argument(
        "--no-deep",
        action="store_true",
        help="run only the MFCC-statistics baseline (default: both models)",
    )
    demo.add_argument(
        "--protocol",
        choices=("speaker-kfold", "loso", "stratified-kfold", "random-split"),
        default="speaker-kfold",
        help="the cross-validation protocol of sklearn_ser.evaluation.evaluate "
        "(default: speaker-kfold, --folds speaker-disjoint folds)",
    )
    demo.add_argument(
        "--seeds",
        type=seeds_spec,
        default=None,
        metavar="LIST|N",
        help="one run per seed (0,1,2 or a count N; default: --random-state)",
    )
    demo.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (the WA/UA table, default), or every model's report as json, "
        "csv or markdown",
    )
    demo.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help="write every model's report (<model>.json and the --format file) in "
        "this folder (default: none)",
    )
    demo.add_argument(
        "--quiet",
        action="store_true",
        help="no progress on stderr (default: fold and epoch progress)",
    )
    demo.set_defaults(func=cmd_demo)


def _add_model_commands(sub) -> None:
    """The ``evaluate``, ``train`` and ``predict`` sub-commands."""
    from ._evaluate import cmd_evaluate
    from ._model import cmd_predict, cmd_train

    recipe, quiet = _recipe_options(), _quiet_option()
    evaluate = sub.add_parser(
        "evaluate",
        parents=[recipe, quiet],
        formatter_class=_HelpFormatter,
        help="cross-validate a recipe on a corpus (WA/UA per fold and overall)",
        description=(
            "Cross-validate a paper's recipe on a corpus: WA (accuracy) and UA (mean "
            "per-class recall) per fold and overall; with --out, a results.json, the "
            "predictions and a confusion-matrix PNG."
        ),
    )
    evaluate.add_argument(
        "--cv",
        type=cv_spec,
        default=None,
        metavar="SPEC",
        help="the split: loso (leave one speaker out; the default), speaker-kfold:K "
        "(K speaker-disjoint stratified folds), kfold:K (K stratified folds over "
        "utterances, speakers shared: NOT speaker-independent), random-split:F "
        "(one stratified random split, test fraction F, speakers shared), "
        f"holdout:PATTERNS (train on the other speakers, test on these: "
        f"{_SPEAKER_PATTERNS}). Each is the protocol of the same name of "
        "sklearn_ser.evaluation.evaluate (kfold = stratified-kfold)",
    )
    evaluate.add_argument(
        "--protocol",
        choices=("loso", "speaker-kfold", "random-split", "stratified-kfold"),
        default=None,
        help="the protocol by name, with its default K = 5 / test fraction 0.2: the "
        "same as --cv NAME (default: loso; with --cv, both must agree)",
    )
    evaluate.add_argument(
        "--seeds",
        type=seeds_spec,
        default=None,
        metavar="LIST|N",
        help="train every fold once per seed (every random_state of the pipeline "
        "set to it; the folds stay the same): 0,1,2 or a count N for 0..N-1 "
        "(default: --random-state)",
    )
    evaluate.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="the report on stdout: text, json (the full EvaluationReport), csv "
        "(per fold) or markdown (default: text)",
    )
    evaluate.add_argument(
        "--out",
        metavar="FILE|DIR",
        default=None,
        help="also write the report: a .json/.csv/.md/.txt file in that format, or "
        "a folder with report.json, predictions.csv and confusion_matrix.png "
        "(default: stdout only)",
    )
    evaluate.add_argument(
        "--backend",
        choices=("local", "dask"),
        default="local",
        help="where the folds run: here (the default: local) or on a Dask cluster "
        "(needs the 'dask' extra and --scheduler)",
    )
    evaluate.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="address of the Dask scheduler, e.g. tcp://host:8786 "
        "(default: none; required with --backend dask)",
    )
    evaluate.set_defaults(func=cmd_evaluate)

    train = sub.add_parser(
        "train",
        parents=[recipe, quiet],
        formatter_class=_HelpFormatter,
        help="train a recipe on a corpus and save the model file",
        description=(
            "Fit a paper's recipe on a whole corpus and save it as a model file "
            "(sklearn_ser.io.save_model: parameters as JSON, weights as tensors; "
            "no pickle)."
        ),
    )
    train.add_argument(
        "--out",
        required=True,
        metavar="MODEL",
        help="the model file to write (required; its folder is checked writable "
        "before training)",
    )
    train.add_argument(
        "--checkpoint-dir",
        metavar="DIR",
        default=None,
        help="save the network (weights, optimiser, history) in DIR after every "
        "epoch, and resume from DIR's checkpoint when rerun, training only the "
        "epochs it lacks (default: none)",
    )
    train.set_defaults(func=cmd_train)

    predict = sub.add_parser(
        "predict",
        parents=[quiet],
        formatter_class=_HelpFormatter,
        help="predict the emotion of audio files with a saved model",
        description=(
            "Load a model file written by 'sklearn-ser train' (or save_model) and "
            "print the label and the class probabilities of every file."
        ),
    )
    predict.add_argument(
        "--model",
        required=True,
        metavar="MODEL",
        help="a model file written by 'sklearn-ser train' (required)",
    )
    predict.add_argument(
        "files",
        nargs="+",
        metavar="INPUT",
        help="audio files (WAV, FLAC, OGG), folders of them (searched at any depth), "
        "CSV manifests (path,label[,speaker]) or corpus folders (labels.csv, wav/, "
        "Actor_XX/, or <label>/ subfolders named after the model's classes). Where "
        "the labels are known, WA/UA, per-class recall and the confusion matrix "
        "are printed on stderr",
    )
    predict.add_argument(
        "--speakers",
        default=None,
        metavar="PATTERNS",
        help=f"predict only these speakers' files (inputs with speakers): "
        f"{_SPEAKER_PATTERNS} (default: all)",
    )
    predict.add_argument(
        "--exclude-speakers",
        default=None,
        metavar="PATTERNS",
        help="leave these speakers' files out (default: none)",
    )
    predict.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="also write predictions.csv in DIR and, where labels are known, "
        "scores.txt, report.json and confusion_matrix.png (default: none)",
    )
    predict.add_argument(
        "--format",
        choices=("csv", "json"),
        default="csv",
        help="output format on stdout (default: csv)",
    )
    predict.add_argument(
        "--timeline",
        action="store_true",
        help="predict every window of each file (long recordings: read in windows, "
        "memory bounded by the window): one row per window with its start and end "
        "in seconds (default: one prediction per file)",
    )
    predict.add_argument(
        "--window",
        type=_positive_float,
        default=3.0,
        metavar="S",
        help="window length in seconds with --timeline (default: 3.0)",
    )
    predict.add_argument(
        "--hop",
        type=_positive_float,
        default=1.0,
        metavar="S",
        help="seconds between window starts with --timeline (default: 1.0)",
    )
    predict.add_argument(
        "--batch-size",
        type=_positive_int,
        default=1,
        metavar="N",
        help="windows predicted together with --timeline: faster for a light model "
        "(an SVM), more memory for a network (about 15 MB per 3-s window for "
        "liu2021) (default: 1)",
    )
    predict.set_defaults(func=cmd_predict)


def _add_recipes(sub) -> None:
    from ._recipes import cmd_recipes

    recipes = sub.add_parser(
        "recipes",
        help="list the recipes: paper, inputs, default epochs, measured time",
        description=(
            "List every recipe of the registry (sklearn_ser.recipes) with its paper, "
            "its inputs, its default epochs and the minutes per fold measured in "
            "the evaluation reports of the results folder."
        ),
    )
    recipes.add_argument(
        "--results",
        default=None,
        metavar="DIR",
        help="folder of evaluation reports (JSON) to read the times from (default: "
        "benchmarks/results of the source checkout)",
    )
    recipes.add_argument(
        "--params",
        default=None,
        metavar="NAME",
        help="print the parameters (get_params() keys, for --set) of recipe NAME "
        "instead (default: none)",
    )
    recipes.set_defaults(func=cmd_recipes)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``sklearn-ser`` (exposed for the docs and tests).

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser, with one sub-parser per command.

    Examples
    --------
    >>> from sklearn_ser.cli import build_parser
    >>> args = build_parser().parse_args(["demo", "--folds", "2"])
    >>> args.command, args.folds, args.n_per_class
    ('demo', 2, 40)
    """
    parser = argparse.ArgumentParser(
        prog="sklearn-ser",
        description="Speech emotion recognition with scikit-learn estimators.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_demo(sub)
    _add_model_commands(sub)
    _add_recipes(sub)
    return parser
