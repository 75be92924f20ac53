"""``sklearn-ser train`` (fit a recipe, save the model file) and ``predict``."""

from __future__ import annotations

import argparse
import sys
import time

from ._common import (
    CLIError,
    check_out,
    load_corpus,
    make_recipe,
    read_audio,
    sample_rate,
)
from ._checkpoint import attach_checkpoint, detach_checkpoint
from ._progress import _attach_epoch_bar, _detach_epoch_bar, _progress


def cmd_train(args: argparse.Namespace) -> int:
    import numpy as np

    from sklearn_ser.io import save_model

    t0 = time.perf_counter()
    check_out(args.out, kind="file")
    pipe = make_recipe(args)
    data = load_corpus(args.data)
    y = np.asarray(data.y)
    X = read_audio(data.X, sr=sample_rate(pipe), quiet=args.quiet)
    if not args.quiet:
        _progress(
            f"training {args.recipe} on {len(y)} utterances, "
            f"{len(np.unique(y))} classes ..."
        )
    _attach_epoch_bar(pipe, quiet=args.quiet, desc="training")
    if args.checkpoint_dir is not None:
        done = attach_checkpoint(pipe, args.checkpoint_dir, recipe=args.recipe)
        if done and not args.quiet:
            _progress(f"resuming from {args.checkpoint_dir} after {done} epochs")
    try:
        pipe.fit(X, y)
    finally:
        detach_checkpoint(pipe)
        _detach_epoch_bar(pipe)
    save_model(pipe, args.out)
    print(
        f"saved {args.recipe} model ({len(y)} utterances; classes "
        f"{', '.join(map(str, np.unique(y)))}) to {args.out} "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    return 0


def _write_predictions(args, files, labels, classes, proba) -> None:
    """The predictions on stdout, as JSON or CSV."""
    if args.format == "json":
        import json

        rows = []
        for i, path in enumerate(files):
            row = {"path": path, "label": str(labels[i])}
            if proba is not None:
                row["proba"] = {str(c): float(p) for c, p in zip(classes, proba[i])}
            rows.append(row)
        print(json.dumps(rows, indent=2))
        return
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    columns = [str(c) for c in classes] if proba is not None else []
    writer.writerow(["path", "label", *columns])
    for i, path in enumerate(files):
        extra = [f"{p:.6f}" for p in proba[i]] if proba is not None else []
        writer.writerow([path, str(labels[i]), *extra])


def cmd_predict(args: argparse.Namespace) -> int:
    from pathlib import Path

    import numpy as np

    from sklearn_ser.io import load_model

    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        raise CLIError(f"audio file {missing[0]!r} not found")
    model = load_model(args.model)
    if not hasattr(model, "predict"):
        raise CLIError(
            f"{args.model!r} holds a {type(model).__name__}, not a classifier"
        )
    X = read_audio(args.files, sr=sample_rate(model), quiet=args.quiet)
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X), dtype=float)
        classes = np.asarray(model.classes_)
        labels = classes[np.argmax(proba, axis=1)]
    else:
        labels = np.asarray(model.predict(X))
        classes = np.asarray(getattr(model, "classes_", np.unique(labels)))
        proba = None
    _write_predictions(args, args.files, labels, classes, proba)
    return 0
