"""``sklearn-ser train`` (fit a recipe, save the model file) and ``predict``."""

from __future__ import annotations

import argparse
import sys
import time

from ._checkpoint import attach_checkpoint, detach_checkpoint
from ._common import (
    CLIError,
    call_routed,
    check_out,
    load_corpus,
    make_recipe,
    read_audio,
    sample_rate,
)
from ._inputs import expand_inputs
from ._progress import _attach_epoch_bar, _detach_epoch_bar, _progress, feature_bar
from ._select import select_speakers


def _steps(est, where: str):
    """Every estimator inside ``est`` (itself first) with where it sits."""
    yield where, est
    for key, value in est.get_params(deep=False).items():
        if hasattr(value, "get_params") and not isinstance(value, type):
            yield from _steps(value, f"{where}.{key}")
        elif isinstance(value, list | tuple):
            for item in value:
                if (isinstance(item, tuple) and len(item) >= 2
                        and hasattr(item[1], "get_params")
                        and not isinstance(item[1], type)):
                    yield from _steps(item[1], f"{where}.{key}[{item[0]!r}]")


def check_storable(pipe, recipe: str) -> None:
    """Refuse, before any training, a pipeline that a model file cannot hold (a
    step whose fitted state ``load_model`` has no check for)."""
    from sklearn_ser.io._state_ser import schema_for

    for where, est in _steps(pipe, type(pipe).__name__):
        if schema_for(type(est)) is None:
            raise CLIError(
                f"recipe {recipe!r} cannot be saved as a model file: its step "
                f"{where} ({type(est).__name__}) is not supported by model files; "
                "nothing was trained ('sklearn-ser evaluate' runs it without saving)"
            )


def cmd_train(args: argparse.Namespace) -> int:
    import numpy as np

    from sklearn_ser.io import save_model

    t0 = time.perf_counter()
    check_out(args.out, kind="file")
    pipe = make_recipe(args)
    check_storable(pipe, args.recipe)
    data = select_speakers(load_corpus(args.data), args)
    y = np.asarray(data.y)
    X = read_audio(data.X, sr=sample_rate(pipe), quiet=args.quiet)
    if not args.quiet:
        spk = data.get("speaker")
        spk = "" if spk is None else f", {len(np.unique(spk))} speakers"
        _progress(
            f"training {args.recipe} on {len(y)} utterances, "
            f"{len(np.unique(y))} classes{spk} ..."
        )
    _attach_epoch_bar(pipe, quiet=args.quiet, desc="training")
    if args.checkpoint_dir is not None:
        done = attach_checkpoint(pipe, args.checkpoint_dir, recipe=args.recipe)
        if done and not args.quiet:
            _progress(f"resuming from {args.checkpoint_dir} after {done} epochs")
    try:
        with feature_bar(quiet=args.quiet):
            call_routed(pipe, "fit", X, y, speaker=data.get("speaker"))
    except ValueError as exc:
        raise CLIError(name_the_file(exc, data.X)) from None
    finally:
        detach_checkpoint(pipe)
        _detach_epoch_bar(pipe)
    save_model(pipe, args.out)
    _write_run(args, pipe, data)
    print(
        f"saved {args.recipe} model ({len(y)} utterances; classes "
        f"{', '.join(map(str, np.unique(y)))}) to {args.out} "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    return 0


def _write_run(args: argparse.Namespace, pipe, data) -> None:
    """``<out>.run.json`` (the effective configuration: ``--config`` reads it back)
    and ``<out>.history.csv`` (the network's epochs) beside the model file."""
    import csv
    import json

    from ._common import final_step
    from ._config import effective_config

    out = str(args.out)
    config = effective_config(args, n_utterances=len(data.y), speakers_used=sorted(
        map(str, set(data.get("speaker") if data.get("speaker") is not None
                     else []))))
    with open(out + ".run.json", "w", encoding="utf-8") as f:
        json.dump({"cli": config}, f, indent=1)
    net = final_step(pipe)
    skorch = sys.modules.get("skorch")
    history = getattr(net, "history_", None) or getattr(net, "history", None)
    if skorch is None or not isinstance(net, skorch.NeuralNet) or not history:
        if not args.quiet:
            _progress(f"no training history written: the final step "
                      f"({type(net).__name__}) is not a skorch network")
        return
    rows = list(history)
    columns = ["epoch", "train_loss"]
    columns += [c for c in ("valid_loss", "valid_acc") if any(c in r for r in rows)]
    columns.append("dur")
    with open(out + ".history.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow(["" if r.get(c) is None else r.get(c) for c in columns])


def _score_kind(args) -> str:
    """``"proba"`` (class probabilities) or ``"scores"`` (an SVM's decision
    values, one per class, for models without probabilities)."""
    return getattr(args, "score_kind", "proba")


def _write_predictions(args, files, labels, classes, proba, truth=None,
                       stream=None) -> None:
    """The predictions (on stdout), as JSON or CSV; with ``truth`` (the known
    labels, None where unknown) a ``true_label`` column."""
    stream = sys.stdout if stream is None else stream
    if args.format == "json":
        import json

        rows = []
        for i, path in enumerate(files):
            row = {"path": path, "label": str(labels[i])}
            if truth is not None:
                row["true_label"] = None if truth[i] is None else str(truth[i])
            if proba is not None:
                row[_score_kind(args)] = {
                    str(c): float(p) for c, p in zip(classes, proba[i])}
            rows.append(row)
        print(json.dumps(rows, indent=2), file=stream)
        return
    import csv

    writer = csv.writer(stream, lineterminator="\n")
    prefix = "score_" if _score_kind(args) == "scores" else ""
    columns = [f"{prefix}{c}" for c in classes] if proba is not None else []
    true_col = [] if truth is None else ["true_label"]
    writer.writerow(["path", "label", *true_col, *columns])
    for i, path in enumerate(files):
        extra = [f"{p:.6f}" for p in proba[i]] if proba is not None else []
        known = [] if truth is None else ["" if truth[i] is None else str(truth[i])]
        writer.writerow([path, str(labels[i]), *known, *extra])


def name_the_file(exc: BaseException, paths) -> str:
    """The message of ``exc`` with the file of "utterance <i>" named."""
    import re

    message = _one_line(exc)
    match = re.search(r"\butterance (\d+)\b", message)
    if match and int(match.group(1)) < len(paths):
        path = str(paths[int(match.group(1))])
        if repr(path) not in message:
            return f"audio file {path!r}: {message}"
    return message


def _bad_file(path: str) -> str | None:
    """Why ``path`` cannot be an audio file (None when it may be one)."""
    from pathlib import Path

    p = Path(path)
    if p.is_dir():
        return (f"audio file {path!r} is a directory with no audio files "
                "(.wav, .flac, .ogg)")
    if not p.exists():
        return f"audio file {path!r} not found"
    if not p.is_file():
        return f"audio file {path!r} is not a regular file"
    return None


def _predict(model, X, speaker=None):
    """(labels, classes, proba or None) of a batch."""
    import numpy as np

    # a step asking for the speaker (SpeakerNormalizer) gets the files' speakers
    # where the input gives them (a manifest, a corpus folder), else one speaker
    # for the files of the batch: normalised by their own statistics, or by the
    # training statistics when they are too few (its ``min_samples``)
    if speaker is None:
        speaker = np.full(len(X), "unknown", dtype=object)
    if hasattr(model, "predict_proba"):
        proba = np.asarray(
            call_routed(model, "predict_proba", X, speaker=speaker), dtype=float
        )
        classes = np.asarray(model.classes_)
        return classes[np.argmax(proba, axis=1)], classes, proba
    labels = np.asarray(call_routed(model, "predict", X, speaker=speaker))
    classes = np.asarray(getattr(model, "classes_", np.unique(labels)))
    if hasattr(model, "decision_function"):  # an SVM: its per-class scores
        scores = np.asarray(
            call_routed(model, "decision_function", X, speaker=speaker), dtype=float
        )
        if scores.ndim == 2 and scores.shape[1] == len(classes):
            return labels, classes, scores
    return labels, classes, None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def cmd_predict(args: argparse.Namespace) -> int:
    import numpy as np

    from sklearn_ser.datasets import load_audio
    from sklearn_ser.io import load_model

    if args.timeline:
        return _timeline(args)
    model = load_model(args.model)
    if not hasattr(model, "predict"):
        raise CLIError(
            f"{args.model!r} holds a {type(model).__name__}, not a classifier"
        )
    args.score_kind = "proba" if hasattr(model, "predict_proba") else "scores"
    inputs = select_speakers(
        expand_inputs(args.files, classes=getattr(model, "classes_", ())), args
    )
    args.files = [str(f) for f in inputs.X]
    truth_of = {str(f): t for f, t in zip(inputs.X, inputs.y)}
    speaker_of = (None if inputs.get("speaker") is None
                  else dict(zip(map(str, inputs.X), inputs.speaker)))
    failures: dict[str, str] = {}
    for f in args.files:
        reason = _bad_file(f)
        if reason is not None:
            failures[f] = reason
    sr = sample_rate(model)
    files, X = [], []
    for f in args.files:
        if f in failures:
            continue
        if sr is None:  # the first step reads files itself
            files.append(f)
            X.append(f)
            continue
        try:
            X.append(load_audio(f, sr=sr))
            files.append(f)
        except (OSError, ValueError, TypeError, MemoryError) as exc:
            failures[f] = _one_line(exc)
    results = {}
    if files:
        if sr is None:
            batch = np.asarray(X)
        else:
            batch = np.empty(len(X), dtype=object)
            for i, x in enumerate(X):
                batch[i] = x
        spk = (None if speaker_of is None
               else np.asarray([speaker_of[f] for f in files], dtype=object))
        try:
            with feature_bar(quiet=args.quiet):
                labels, classes, proba = _predict(model, batch, spk)
            results = {
                f: (labels[i], None if proba is None else proba[i])
                for i, f in enumerate(files)
            }
        except (ValueError, TypeError, RuntimeError, MemoryError):
            # a bad file in the batch: predict one by one to name it
            classes = None
            for i, f in enumerate(files):
                try:
                    lab, classes, pro = _predict(
                        model, batch[i : i + 1], None if spk is None else spk[i : i + 1])
                    results[f] = (lab[0], None if pro is None else pro[0])
                except (ValueError, TypeError, RuntimeError, MemoryError) as exc:
                    failures[f] = f"audio file {f!r}: {_one_line(exc)}"
    done = [f for f in args.files if f in results]
    if done:
        if classes is None:
            classes = np.asarray(model.classes_)
        labels = [results[f][0] for f in done]
        proba = (None if results[done[0]][1] is None
                 else np.stack([results[f][1] for f in done]))
        truth = [truth_of.get(f) for f in done]
        truth = None if all(t is None for t in truth) else truth
        _write_predictions(args, done, labels, classes, proba, truth)
        _scores(args, done, labels, classes, proba, truth, speaker_of)
    for f in args.files:
        if f in failures:
            message = failures[f]
            if repr(f) not in message:
                message = f"audio file {f!r}: {message}"
            print(f"sklearn-ser predict: error: {message}", file=sys.stderr)
    if failures:
        if not done:
            return 1
        print(f"sklearn-ser predict: {len(failures)} of {len(args.files)} files "
              "failed; predicted the rest", file=sys.stderr)
        return 1
    return 0


def _scores(args, files, labels, classes, proba, truth, speaker_of) -> None:
    """With known labels: WA/UA, per-class recall and the confusion matrix on
    stderr (stdout holds the predictions); ``--out``: the files beside them."""
    from pathlib import Path

    from ._inputs import confusion_text, score_report
    from ._output import write_report

    report, scored = (None, [])
    if truth is not None:
        speaker = (None if speaker_of is None
                   else [speaker_of[f] for f in files])
        report, scored = score_report(files, truth, labels, speaker,
                                      name=str(args.model), corpus=None)
    if report is not None:
        text = (f"scores over the {len(scored)} of {len(files)} files with known "
                f"labels:\n{report.to_text()}{confusion_text(report)}")
        sys.stderr.write(text)
    if args.out is None:
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "predictions.csv", "w", newline="", encoding="utf-8") as f:
        fmt = argparse.Namespace(format="csv", score_kind=_score_kind(args))
        _write_predictions(fmt, files, labels, classes, proba, truth, stream=f)
    written = ["predictions.csv"]
    if report is not None:
        (out / "scores.txt").write_text(text, encoding="utf-8")
        write_report(report, str(out), fmt="json")
        written += ["scores.txt", "report.json", "confusion_matrix.png"]
    if not args.quiet:
        _progress(f"written to {out}/: {', '.join(written)}")


def _timeline(args: argparse.Namespace) -> int:
    """``predict --timeline``: one row per window of every file."""
    import csv
    import json

    import numpy as np

    from sklearn_ser.io import load_model
    from sklearn_ser.timeline import predict_timeline

    model = load_model(args.model)
    if not hasattr(model, "predict"):
        raise CLIError(
            f"{args.model!r} holds a {type(model).__name__}, not a classifier"
        )
    failures, rows = [], []
    writer = None
    for f in args.files:
        reason = _bad_file(f)
        if reason is not None:
            failures.append(reason)
            continue
        try:
            t = predict_timeline(model, f, window=args.window, hop=args.hop,
                                 batch_size=args.batch_size)
        except (OSError, ValueError, TypeError, RuntimeError, MemoryError) as exc:
            message = _one_line(exc)
            failures.append(message if repr(f) in message
                            else f"audio file {f!r}: {message}")
            continue
        classes = [str(c) for c in t.classes]
        for i in range(len(t.start)):
            if i in t.errors:
                failures.append(f"audio file {f!r} at {t.start[i]:.2f}-{t.end[i]:.2f}"
                                f" s: {t.errors[i]}")
            label = "" if t.label[i] is None else str(t.label[i])
            proba = None if t.proba is None else t.proba[i]
            if args.format == "json":
                row = {"path": f, "start_s": round(float(t.start[i]), 3),
                       "end_s": round(float(t.end[i]), 3), "label": label or None}
                if proba is not None and not np.isnan(proba).any():
                    row["proba"] = {c: float(p) for c, p in zip(classes, proba)}
                rows.append(row)
                continue
            if writer is None:
                writer = csv.writer(sys.stdout, lineterminator="\n")
                writer.writerow(["path", "start_s", "end_s", "label",
                                 *(classes if proba is not None else [])])
            extra = [] if proba is None else [
                "" if np.isnan(p) else f"{p:.6f}" for p in proba]
            writer.writerow([f, f"{t.start[i]:.3f}", f"{t.end[i]:.3f}", label,
                             *extra])
        sys.stdout.flush()
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    for message in failures:
        print(f"sklearn-ser predict: error: {message}", file=sys.stderr)
    return 1 if failures else 0
