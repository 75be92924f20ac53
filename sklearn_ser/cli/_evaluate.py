"""``sklearn-ser evaluate``: cross-validate a recipe, here or on a Dask cluster."""

from __future__ import annotations

import argparse
import sys
import time

from sklearn_ser import __version__

from ._common import (
    CLIError,
    call_routed,
    check_out,
    load_corpus,
    make_recipe,
    read_audio,
    sample_rate,
)
from ._progress import _attach_epoch_bar, _detach_epoch_bar, _progress


def _fit_predict_fold(pipe, X, y, train, test, speaker=None):
    """Fit a clone on ``train``, predict ``test`` (run locally or on a Dask worker);
    ``speaker`` reaches the steps that request it."""
    from sklearn.base import clone

    s = (None, None) if speaker is None else (speaker[train], speaker[test])
    model = call_routed(clone(pipe), "fit", X[train], y[train], speaker=s[0])
    return call_routed(model, "predict", X[test], speaker=s[1])


def _check_backend(args: argparse.Namespace) -> None:
    """Fail early, before any work, when the chosen backend cannot be used."""
    if args.backend != "dask":
        if args.scheduler:
            raise CLIError("--scheduler is used only with --backend dask")
        return
    if not args.scheduler:
        raise CLIError(
            "--backend dask needs --scheduler ADDRESS (e.g. tcp://host:8786)"
        )
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise CLIError(
            "--backend dask needs dask.distributed, which is not installed; install "
            "the 'dask' extra: pip install 'sklearn-ser[dask]'"
        ) from None


def _dask_client(args: argparse.Namespace):
    from distributed import Client

    try:
        return Client(args.scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise CLIError(
            f"cannot connect to the Dask scheduler at {args.scheduler!r}: {exc}"
        ) from None


def _splits(args: argparse.Namespace, data, y):
    """The folds, and the text that names the protocol in the results."""
    import numpy as np
    from sklearn.model_selection import (
        LeaveOneGroupOut,
        StratifiedGroupKFold,
        StratifiedKFold,
    )

    kind, k = args.cv
    speakers = data.get("speaker")
    if speakers is None:
        if kind == "loso":
            raise CLIError(
                "--cv loso needs speakers, which this corpus does not give; use a CSV "
                "manifest with a speaker column, or --cv kfold:K"
            )
        cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=args.random_state)
        return list(cv.split(np.zeros(len(y)), y)), (
            f"random utterance split, stratified {k}-fold (speakers unknown; NOT "
            "speaker-independent)"
        )
    groups = np.asarray(speakers)
    n_speakers = len(np.unique(groups))
    if kind == "loso":
        if n_speakers < 2:
            raise CLIError("--cv loso needs at least 2 speakers")
        cv = LeaveOneGroupOut()
        text = f"leave one speaker out ({n_speakers} folds)"
    else:
        if n_speakers < k:
            raise CLIError(
                f"--cv kfold:{k} needs at least {k} speakers, the corpus has "
                f"{n_speakers}"
            )
        cv = StratifiedGroupKFold(
            n_splits=k, shuffle=True, random_state=args.random_state
        )
        text = f"speaker-grouped stratified {k}-fold"
    return list(cv.split(np.zeros(len(y)), y, groups)), text


def _run_folds(args: argparse.Namespace, pipe, X, y, splits, speaker=None) -> list:
    """Every fold's test predictions, in the order of ``splits``."""
    if args.backend == "dask":
        from joblib import Parallel, delayed, parallel_config

        client = _dask_client(args)
        try:
            with parallel_config(backend="dask"):
                return Parallel(n_jobs=-1)(
                    delayed(_fit_predict_fold)(pipe, X, y, train, test, speaker)
                    for train, test in splits
                )
        finally:
            client.close()
    from tqdm.auto import tqdm

    preds = []
    bar = tqdm(splits, desc="folds", unit="fold", disable=args.quiet, file=sys.stderr)
    for k, (train, test) in enumerate(bar):
        _attach_epoch_bar(pipe, quiet=args.quiet, desc=f"fold {k + 1} training")
        preds.append(_fit_predict_fold(pipe, X, y, train, test, speaker))
    _detach_epoch_bar(pipe)
    return preds


def _score(y, splits, preds, speakers):
    """Pooled predictions, per-fold scores and the overall scores."""
    import numpy as np

    from sklearn_ser.metrics import unweighted_accuracy, weighted_accuracy

    y_pred = np.empty_like(y)
    folds = []
    for k, ((train, test), pred) in enumerate(zip(splits, preds)):
        y_pred[test] = pred
        fold = {
            "fold": k + 1,
            "n_train": int(len(train)),
            "n_test": int(len(test)),
            "WA": float(weighted_accuracy(y[test], pred)),
            "UA": float(unweighted_accuracy(y[test], pred)),
        }
        if speakers is not None:
            fold["test_speakers"] = sorted(
                map(str, np.unique(np.asarray(speakers)[test]))
            )
        folds.append(fold)
    overall = {
        "WA": float(weighted_accuracy(y, y_pred)),
        "UA": float(unweighted_accuracy(y, y_pred)),
        "WA_mean": float(np.mean([f["WA"] for f in folds])),
        "WA_std": float(np.std([f["WA"] for f in folds])),
        "UA_mean": float(np.mean([f["UA"] for f in folds])),
        "UA_std": float(np.std([f["UA"] for f in folds])),
    }
    return y_pred, folds, overall


def _print_table(
    args, protocol: str, folds: list, overall: dict, n: int, n_classes: int
):
    print(f"recipe {args.recipe} on {args.data}: {protocol}")
    print(f"{'fold':>7} {'n_test':>6}     WA     UA")
    for f in folds:
        print(f"{f['fold']:>7} {f['n_test']:>6}  {f['WA']:.3f}  {f['UA']:.3f}")
    print(
        f"{'overall':>7} {n:>6}  {overall['WA']:.3f}  {overall['UA']:.3f}"
        "  (pooled over folds)"
    )
    print(
        f"{'mean':>7} {'':>6}  {overall['WA_mean']:.3f}  {overall['UA_mean']:.3f}"
        f"  (± {overall['WA_std']:.3f} / {overall['UA_std']:.3f} over folds)"
    )
    print(f"chance UA: {1 / n_classes:.3f}")


def _write_results(
    args, out, *, protocol, data, y, y_pred, splits, folds, overall, seconds: float
) -> None:
    """results.json, predictions.csv and confusion_matrix.png in the folder ``out``."""
    import json

    import numpy as np

    from sklearn_ser.metrics import per_class_recall

    classes = np.unique(y)
    recall = per_class_recall(y, y_pred, labels=classes)
    out.mkdir(parents=True, exist_ok=True)
    results = {
        "recipe": args.recipe,
        "data": str(args.data),
        "cv": protocol,
        "random_state": args.random_state,
        "max_epochs": args.max_epochs,
        "n_utterances": int(len(y)),
        "classes": [str(c) for c in classes],
        "folds": folds,
        "overall": overall,
        "per_class_recall": {
            str(c): float(r) for c, r in zip(classes, np.asarray(recall.recall))
        },
        "seconds": round(seconds, 2),
        "version": __version__,
    }
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    _write_predictions(out / "predictions.csv", data, y, y_pred, splits)
    _plot_confusion(
        out / "confusion_matrix.png",
        y,
        y_pred,
        classes,
        title=f"{args.recipe}: {protocol}",
    )


def cmd_evaluate(args: argparse.Namespace) -> int:
    from pathlib import Path

    import numpy as np

    t0 = time.perf_counter()
    _check_backend(args)
    check_out(args.out, kind="folder")
    pipe = make_recipe(args)
    data = load_corpus(args.data)
    y = np.asarray(data.y)
    splits, protocol = _splits(args, data, y)
    X = read_audio(data.X, sr=sample_rate(pipe), quiet=args.quiet)
    if not args.quiet:
        dask = f"; Dask scheduler {args.scheduler}" if args.backend == "dask" else ""
        _progress(
            f"{args.recipe}: {len(y)} utterances, {len(np.unique(y))} classes; "
            f"{protocol}{dask}"
        )
    speaker = data.get("speaker")
    speaker = None if speaker is None else np.asarray(speaker)
    preds = _run_folds(args, pipe, X, y, splits, speaker)
    y_pred, folds, overall = _score(y, splits, preds, data.get("speaker"))
    _print_table(args, protocol, folds, overall, len(y), len(np.unique(y)))
    if args.out is not None:
        out = Path(args.out)
        _write_results(
            args,
            out,
            protocol=protocol,
            data=data,
            y=y,
            y_pred=y_pred,
            splits=splits,
            folds=folds,
            overall=overall,
            seconds=time.perf_counter() - t0,
        )
        if not args.quiet:
            _progress(
                f"results written to {out}/ (results.json, predictions.csv, "
                "confusion_matrix.png)"
            )
    return 0


def _write_predictions(path, data, y, y_pred, splits) -> None:
    import csv

    fold_of = {}
    for k, (_, test) in enumerate(splits):
        for i in test:
            fold_of[int(i)] = k + 1
    speakers = data.get("speaker")
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "label", "predicted", "fold", "speaker"])
        for i, (p, t, q) in enumerate(zip(data.X, y, y_pred)):
            spk = "" if speakers is None else speakers[i]
            writer.writerow([p, t, q, fold_of.get(i, ""), spk])


def _plot_confusion(path, y, y_pred, classes, *, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_ser.plotting import ConfusionMatrixDisplay

    size = max(4.0, 0.7 * len(classes) + 2.0)
    fig, ax = plt.subplots(figsize=(size, size))
    ConfusionMatrixDisplay.from_predictions(y, y_pred, labels=classes, ax=ax)
    ax.set_title(title, fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
