"""The ``sklearn-ser`` command line.

``sklearn-ser demo`` runs a speaker-grouped cross-validation on the embedded
synthetic corpus and prints a WA/UA table. Errors are printed as one line on
stderr with a non-zero exit status, not as a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from collections.abc import Sequence

from sklearn_ser import __version__

__all__ = ["main", "build_parser"]


class CLIError(Exception):
    """An error the user can fix; printed as one line."""


def _progress(msg: str, *, stream=None) -> None:
    stream = sys.stderr if stream is None else stream
    print(msg, file=stream, flush=True)


def _baseline_pipeline(random_state: int):
    """MFCC(+Δ) statistics → standardise → RBF SVM: the classic SER baseline."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from sklearn_ser.features import MFCC, FrameStatistics

    return make_pipeline(
        MFCC(n_mfcc=20, deltas=1, stack="features"),
        FrameStatistics(),
        StandardScaler(),
        SVC(C=10.0, class_weight="balanced", random_state=random_state),
    )


def _deep_pipeline(random_state: int, *, epochs: int = 30):
    """liu2021's recipe, shrunk for the demo: MFCC → CMVN → CNN-LSTM, joint loss.

    The same CNN-LSTM (conv 1→8→16→32, BiLSTM 32/direction) and joint loss
    (α = 0.3, hard + semi-hard triplets, class-balanced batches) as the paper, but on
    20 MFCCs at a 20 ms hop, 1 s segments (the synthetic utterances last 1–3 s), a
    larger learning rate and few epochs so that the demo stays under two minutes
    on two cores.
    """
    from sklearn.pipeline import make_pipeline

    from sklearn_ser.features import MFCC, FeatureNormalizer
    from sklearn_ser.models import CNNLSTMClassifier

    return make_pipeline(
        MFCC(n_mfcc=20, hop_ms=20.0),
        FeatureNormalizer(scope="global"),
        CNNLSTMClassifier(
            loss="joint",
            criterion__alpha=0.3,
            optimizer__lr=3e-3,
            max_epochs=epochs,
            segment_frames=50,
            train_hop=25,
            test_hop=12,
            random_state=random_state,
        ),
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    import numpy as np
    from sklearn.model_selection import StratifiedGroupKFold

    from sklearn_ser.datasets import make_emotional_speech
    from sklearn_ser.metrics import per_class_recall, unweighted_accuracy, weighted_accuracy

    t0 = time.perf_counter()
    _progress(
        f"[1/3] generating the synthetic corpus ({args.n_per_class} utterances per "
        f"class, {args.n_speakers} speakers, seed {args.random_state}) ..."
    )
    data = make_emotional_speech(
        n_per_class=args.n_per_class,
        n_speakers=args.n_speakers,
        random_state=args.random_state,
    )
    X, y, groups = data.X, data.y, data.speaker
    _progress(
        f"      {len(y)} utterances, {len(data.target_names)} classes "
        f"({', '.join(data.target_names)}), {len(np.unique(groups))} speakers"
    )
    cv = StratifiedGroupKFold(
        n_splits=args.folds, shuffle=True, random_state=args.random_state
    )
    models = {"MFCC-stats + SVM": _baseline_pipeline}
    if not args.no_deep:
        models["CNN-LSTM, joint loss"] = partial(_deep_pipeline, epochs=args.epochs)
    rows = []
    _progress(
        f"[2/3] speaker-independent {args.folds}-fold cross-validation "
        "(StratifiedGroupKFold, groups = speakers)"
    )
    all_pred = {}
    for name, build in models.items():
        y_pred = np.empty_like(y)
        for k, (train, test) in enumerate(cv.split(X, y, groups)):
            t = time.perf_counter()
            model = build(args.random_state).fit(X[train], y[train])
            y_pred[test] = model.predict(X[test])
            _progress(
                f"      {name}: fold {k + 1}/{args.folds} "
                f"UA={unweighted_accuracy(y[test], y_pred[test]):.3f} "
                f"({time.perf_counter() - t:.1f} s)"
            )
        all_pred[name] = y_pred
        rows.append(
            (name, weighted_accuracy(y, y_pred), unweighted_accuracy(y, y_pred))
        )
    _progress("[3/3] results (pooled over folds)")
    width = max(len(r[0]) for r in rows)
    print(f"{'model':<{width}}     WA     UA")
    for name, wa, ua in rows:
        print(f"{name:<{width}}  {wa:.3f}  {ua:.3f}")
    print(f"chance UA: {1 / len(data.target_names):.3f}")
    best = max(rows, key=lambda r: r[2])[0]
    print(f"\nper-class recall of {best}:")
    print(per_class_recall(y, all_pred[best], labels=data.target_names).text)
    print(f"\ntotal time: {time.perf_counter() - t0:.1f} s")
    return 0


# ---------------------------------------------------------------- evaluate/train/predict
# The recipes' names, for the help text only (``sklearn_ser.recipes`` imports torch,
# which --help does not need); the commands check names against ``RECIPES``.
_RECIPE_NAMES = ("liu2021", "zhou", "kumar", "li2021", "liu2023")
_EPOCH_PARAMS = ("max_epochs", "pretrain_epochs", "finetune_epochs")


def _cv_spec(text: str) -> tuple[str, int | None]:
    """``--cv`` value: ``loso`` or ``kfold:K`` (argparse type)."""
    value = text.strip().lower()
    if value == "loso":
        return ("loso", None)
    if value == "kfold":
        return ("kfold", 5)
    if value.startswith("kfold:"):
        k = value.split(":", 1)[1]
        if k.isdigit() and int(k) >= 2:
            return ("kfold", int(k))
    raise argparse.ArgumentTypeError(
        f"invalid --cv {text!r}: expected 'loso' (leave one speaker out) or "
        "'kfold:K' with an integer K >= 2"
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _make_recipe(args: argparse.Namespace):
    """The recipe's pipeline, with ``--max-epochs`` applied to every epoch count."""
    try:
        from sklearn_ser import recipes
    except ImportError as exc:  # pragma: no cover - the module ships with the package
        raise CLIError(f"the recipes are not available ({exc})") from None
    if args.recipe not in recipes.RECIPES:
        raise CLIError(
            f"unknown recipe {args.recipe!r}; choose one of: {', '.join(recipes.RECIPES)}"
        )
    pipe = recipes.make_recipe(args.recipe, random_state=args.random_state)
    if args.max_epochs is not None:
        keys = [
            key
            for key in pipe.get_params(deep=True)
            if key.rsplit("__", 1)[-1] in _EPOCH_PARAMS
        ]
        pipe.set_params(**dict.fromkeys(keys, args.max_epochs))
    return pipe


def _load_corpus(data: str):
    """A Bunch (X paths, y, speaker) from a corpus folder or a CSV manifest."""
    from pathlib import Path

    from sklearn_ser.datasets import load_emodb, load_folder, load_manifest

    path = Path(data).expanduser()
    if not path.exists():
        raise CLIError(f"--data {data!r} does not exist")
    if path.is_file():
        if path.suffix.lower() != ".csv":
            raise CLIError(
                f"--data {data!r} is a file but not a CSV manifest (expected a .csv with "
                "columns path,label,speaker, or a corpus folder)"
            )
        corpus = load_manifest(path)
    elif (path / "wav").is_dir() or (path / "labels.csv").is_file():
        corpus = load_emodb(path)  # EmoDB's layout: wav/ and labels.csv
    else:
        corpus = load_folder(path)
    labels = sorted({str(v) for v in corpus.y})
    if len(labels) < 2:
        # e.g. --data pointing one level too high: every file gets the one label
        raise CLIError(
            f"--data {data!r} holds {len(labels)} class ({', '.join(labels) or 'none'}; "
            f"{len(corpus.y)} "
            "files); a corpus needs at least two (expected <label>/*.wav folders, "
            "EmoDB's wav/ + labels.csv, or a CSV manifest)"
        )
    return corpus


def _check_out(out: str | None, *, kind: str) -> None:
    """Fail before any training when ``--out`` cannot be written afterwards."""
    from pathlib import Path

    if out is None:
        return
    path = Path(out).expanduser()
    if kind == "folder":
        if path.exists() and not path.is_dir():
            raise CLIError(f"--out {out!r} exists and is not a folder")
        return
    if path.is_dir():
        raise CLIError(f"--out {out!r} is a folder; give the model file's path")
    if not path.parent.is_dir():
        raise CLIError(f"--out {out!r}: folder {str(path.parent)!r} does not exist")


def _sample_rate(pipe) -> int | None:
    first = pipe.steps[0][1] if hasattr(pipe, "steps") else pipe
    sr = getattr(first, "sr", None)
    return int(sr) if isinstance(sr, (int, float)) else None


def _read_audio(paths, *, sr: int | None, quiet: bool, what: str = "reading audio"):
    """Waveforms of ``paths`` at ``sr`` (object array), with a progress bar."""
    import numpy as np
    from tqdm.auto import tqdm

    from sklearn_ser.datasets import load_audio

    if sr is None:  # the first step reads files itself
        return np.asarray(paths)
    out = np.empty(len(paths), dtype=object)
    for i, p in enumerate(tqdm(paths, desc=what, unit="file", disable=quiet,
                               file=sys.stderr, leave=False)):
        try:
            out[i] = load_audio(p, sr=sr)
        except (OSError, ValueError, RuntimeError) as exc:
            raise CLIError(f"cannot read audio file {str(p)!r}: {exc}") from None
    return out


def _attach_epoch_bar(pipe, *, quiet: bool, desc: str) -> None:
    """Show training epochs as a progress bar (skorch networks only)."""
    final = pipe.steps[-1][1] if hasattr(pipe, "steps") else pipe
    skorch = sys.modules.get("skorch")
    if quiet or skorch is None or not isinstance(final, skorch.NeuralNet):
        return
    _detach_epoch_bar(pipe)
    if final.callbacks is not None:  # the user's own callbacks: left alone
        return
    final.callbacks = [("cli_progress", _EpochBar(desc=desc))]


def _detach_epoch_bar(pipe) -> None:
    final = pipe.steps[-1][1] if hasattr(pipe, "steps") else pipe
    callbacks = getattr(final, "callbacks", None)
    if isinstance(callbacks, list) and any(
        isinstance(c, tuple) and c[0] == "cli_progress" for c in callbacks
    ):
        final.callbacks = None  # the model file stores parameters, not callbacks


def _epoch_bar_class():
    from skorch.callbacks import Callback
    from tqdm.auto import tqdm

    class EpochBar(Callback):
        """A tqdm bar over training epochs, the training loss as postfix."""

        def __init__(self, desc: str = "training"):
            self.desc = desc

        def on_train_begin(self, net, X=None, y=None, **kwargs):
            total = kwargs.get("epochs") or net.max_epochs
            self.bar_ = tqdm(total=total, desc=self.desc, unit="epoch",
                             file=sys.stderr, leave=False)

        def on_epoch_end(self, net, **kwargs):
            loss = net.history[-1].get("train_loss")
            if loss is not None:
                self.bar_.set_postfix(loss=f"{loss:.3f}")
            self.bar_.update(1)

        def on_train_end(self, net, X=None, y=None, **kwargs):
            self.bar_.close()

    return EpochBar


def _EpochBar(desc: str):
    return _epoch_bar_class()(desc=desc)


def _fit_predict_fold(pipe, X, y, train, test):
    """Fit a clone on ``train``, predict ``test`` (run locally or on a Dask worker)."""
    from sklearn.base import clone

    model = clone(pipe).fit(X[train], y[train])
    return model.predict(X[test])


def _check_dask(args: argparse.Namespace) -> None:
    """Fail early, before any work, when the Dask backend cannot be used."""
    if not args.scheduler:
        raise CLIError("--backend dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
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
                f"--cv kfold:{k} needs at least {k} speakers, the corpus has {n_speakers}"
            )
        cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=args.random_state)
        text = f"speaker-grouped stratified {k}-fold"
    return list(cv.split(np.zeros(len(y)), y, groups)), text


def _cmd_evaluate(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    import numpy as np

    from sklearn_ser.metrics import per_class_recall, unweighted_accuracy, weighted_accuracy

    t0 = time.perf_counter()
    dask = args.backend == "dask"
    if dask:
        _check_dask(args)
    elif args.scheduler:
        raise CLIError("--scheduler is used only with --backend dask")
    _check_out(args.out, kind="folder")
    pipe = _make_recipe(args)
    data = _load_corpus(args.data)
    y = np.asarray(data.y)
    splits, protocol = _splits(args, data, y)
    X = _read_audio(data.X, sr=_sample_rate(pipe), quiet=args.quiet)
    if not args.quiet:
        _progress(
            f"{args.recipe}: {len(y)} utterances, {len(np.unique(y))} classes; "
            f"{protocol}" + (f"; Dask scheduler {args.scheduler}" if dask else "")
        )
    y_pred = np.empty_like(y)
    if dask:
        from joblib import Parallel, delayed, parallel_config

        client = _dask_client(args)
        try:
            with parallel_config(backend="dask"):
                preds = Parallel(n_jobs=-1)(
                    delayed(_fit_predict_fold)(pipe, X, y, train, test)
                    for train, test in splits
                )
        finally:
            client.close()
    else:
        from tqdm.auto import tqdm

        preds = []
        bar = tqdm(splits, desc="folds", unit="fold", disable=args.quiet, file=sys.stderr)
        for k, (train, test) in enumerate(bar):
            _attach_epoch_bar(pipe, quiet=args.quiet, desc=f"fold {k + 1} training")
            preds.append(_fit_predict_fold(pipe, X, y, train, test))
        _detach_epoch_bar(pipe)
    folds = []
    speakers = data.get("speaker")
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
            fold["test_speakers"] = sorted(map(str, np.unique(np.asarray(speakers)[test])))
        folds.append(fold)
    classes = np.unique(y)
    recall = per_class_recall(y, y_pred, labels=classes)
    overall = {
        "WA": float(weighted_accuracy(y, y_pred)),
        "UA": float(unweighted_accuracy(y, y_pred)),
        "WA_mean": float(np.mean([f["WA"] for f in folds])),
        "WA_std": float(np.std([f["WA"] for f in folds])),
        "UA_mean": float(np.mean([f["UA"] for f in folds])),
        "UA_std": float(np.std([f["UA"] for f in folds])),
    }
    print(f"recipe {args.recipe} on {args.data}: {protocol}")
    print(f"{'fold':>7} {'n_test':>6}     WA     UA")
    for f in folds:
        print(f"{f['fold']:>7} {f['n_test']:>6}  {f['WA']:.3f}  {f['UA']:.3f}")
    print(f"{'overall':>7} {len(y):>6}  {overall['WA']:.3f}  {overall['UA']:.3f}"
          "  (pooled over folds)")
    print(f"{'mean':>7} {'':>6}  {overall['WA_mean']:.3f}  {overall['UA_mean']:.3f}"
          f"  (± {overall['WA_std']:.3f} / {overall['UA_std']:.3f} over folds)")
    print(f"chance UA: {1 / len(classes):.3f}")
    if args.out is not None:
        out = Path(args.out)
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
            "seconds": round(time.perf_counter() - t0, 2),
            "version": __version__,
        }
        (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
        _write_predictions(out / "predictions.csv", data, y, y_pred, splits)
        _plot_confusion(out / "confusion_matrix.png", y, y_pred, classes,
                        title=f"{args.recipe}: {protocol}")
        if not args.quiet:
            _progress(f"results written to {out}/ (results.json, predictions.csv, "
                      "confusion_matrix.png)")
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


def _cmd_train(args: argparse.Namespace) -> int:
    import numpy as np

    from sklearn_ser.io import save_model

    t0 = time.perf_counter()
    _check_out(args.out, kind="file")
    pipe = _make_recipe(args)
    data = _load_corpus(args.data)
    y = np.asarray(data.y)
    X = _read_audio(data.X, sr=_sample_rate(pipe), quiet=args.quiet)
    if not args.quiet:
        _progress(f"training {args.recipe} on {len(y)} utterances, "
                  f"{len(np.unique(y))} classes ...")
    _attach_epoch_bar(pipe, quiet=args.quiet, desc="training")
    try:
        pipe.fit(X, y)
    finally:
        _detach_epoch_bar(pipe)
    save_model(pipe, args.out)
    print(
        f"saved {args.recipe} model ({len(y)} utterances; classes "
        f"{', '.join(map(str, np.unique(y)))}) to {args.out} "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    import numpy as np

    from sklearn_ser.io import load_model

    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        raise CLIError(f"audio file {missing[0]!r} not found")
    model = load_model(args.model)
    if not hasattr(model, "predict"):
        raise CLIError(f"{args.model!r} holds a {type(model).__name__}, not a classifier")
    X = _read_audio(args.files, sr=_sample_rate(model), quiet=args.quiet)
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X), dtype=float)
        classes = np.asarray(model.classes_)
        labels = classes[np.argmax(proba, axis=1)]
    else:
        labels = np.asarray(model.predict(X))
        classes = np.asarray(getattr(model, "classes_", np.unique(labels)))
        proba = None
    if args.format == "json":
        rows = []
        for i, path in enumerate(args.files):
            row = {"path": path, "label": str(labels[i])}
            if proba is not None:
                row["proba"] = {str(c): float(p) for c, p in zip(classes, proba[i])}
            rows.append(row)
        print(json.dumps(rows, indent=2))
    else:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        columns = [str(c) for c in classes] if proba is not None else []
        writer.writerow(["path", "label", *columns])
        for i, path in enumerate(args.files):
            extra = [f"{p:.6f}" for p in proba[i]] if proba is not None else []
            writer.writerow([path, str(labels[i]), *extra])
    return 0


def _add_model_commands(sub) -> None:
    """The ``evaluate``, ``train`` and ``predict`` sub-commands."""
    names = ", ".join(_RECIPE_NAMES)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--quiet", action="store_true", help="no progress bars or progress messages"
    )
    recipe = argparse.ArgumentParser(add_help=False)
    recipe.add_argument(
        "--recipe", required=True, metavar="NAME",
        help=f"the paper's pipeline (sklearn_ser.recipes): {names}",
    )
    recipe.add_argument(
        "--data", required=True, metavar="DIR|CSV",
        help="corpus folder (EmoDB's layout, or <label>/*.wav) or CSV manifest with "
        "columns path,label[,speaker]",
    )
    recipe.add_argument(
        "--max-epochs", type=_positive_int, default=None, metavar="N",
        help="override the training epochs of the recipe's network (every "
        "max_epochs / pretrain_epochs / finetune_epochs parameter)",
    )
    recipe.add_argument("--random-state", type=int, default=0, metavar="SEED",
                        help="seed of the recipe and of the folds (default: 0)")

    evaluate = sub.add_parser(
        "evaluate",
        parents=[recipe, common],
        help="cross-validate a recipe on a corpus (WA/UA per fold and overall)",
        description=(
            "Cross-validate a paper's recipe on a corpus: WA (accuracy) and UA (mean "
            "per-class recall) per fold and overall; with --out, a results.json, the "
            "predictions and a confusion-matrix PNG."
        ),
    )
    evaluate.add_argument(
        "--cv", type=_cv_spec, default=("loso", None), metavar="loso|kfold:K",
        help="loso: leave one speaker out (default); kfold:K: K speaker-grouped "
        "stratified folds (random utterance folds when the corpus has no speakers)",
    )
    evaluate.add_argument("--out", metavar="DIR", default=None,
                          help="folder for results.json, predictions.csv and "
                          "confusion_matrix.png")
    evaluate.add_argument(
        "--backend", choices=("local", "dask"), default="local",
        help="where the folds run: here (default) or on a Dask cluster (needs the "
        "'dask' extra and --scheduler)",
    )
    evaluate.add_argument("--scheduler", metavar="ADDRESS", default=None,
                          help="address of the Dask scheduler, e.g. tcp://host:8786")
    evaluate.set_defaults(func=_cmd_evaluate)

    train = sub.add_parser(
        "train",
        parents=[recipe, common],
        help="train a recipe on a corpus and save the model file",
        description=(
            "Fit a paper's recipe on a whole corpus and save it as a model file "
            "(sklearn_ser.io.save_model: parameters as JSON, weights as tensors; "
            "no pickle)."
        ),
    )
    train.add_argument("--out", required=True, metavar="MODEL",
                       help="the model file to write")
    train.set_defaults(func=_cmd_train)

    predict = sub.add_parser(
        "predict",
        parents=[common],
        help="predict the emotion of audio files with a saved model",
        description=(
            "Load a model file written by 'sklearn-ser train' (or save_model) and "
            "print the label and the class probabilities of every file."
        ),
    )
    predict.add_argument("--model", required=True, metavar="MODEL",
                         help="a model file written by 'sklearn-ser train'")
    predict.add_argument("files", nargs="+", metavar="FILES",
                         help="audio files (WAV, FLAC, OGG)")
    predict.add_argument("--format", choices=("csv", "json"), default="csv",
                         help="output format on stdout (default: csv)")
    predict.set_defaults(func=_cmd_predict)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``sklearn-ser`` (exposed for the docs and tests)."""
    parser = argparse.ArgumentParser(
        prog="sklearn-ser",
        description="Speech emotion recognition with scikit-learn estimators.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="speaker-independent cross-validation on the embedded synthetic corpus",
        description=(
            "Generate the synthetic emotional-speech corpus, run a speaker-grouped "
            "cross-validation and print WA (accuracy) and UA (mean per-class recall)."
        ),
    )
    demo.add_argument("--n-per-class", type=_positive_int, default=40,
                      help="utterances per class")
    demo.add_argument("--n-speakers", type=_positive_int, default=8,
                      help="number of speakers")
    demo.add_argument("--folds", type=_positive_int, default=4,
                      help="cross-validation folds")
    demo.add_argument("--random-state", type=int, default=0, help="seed")
    demo.add_argument(
        "--epochs", type=_positive_int, default=30,
        help="training epochs of the CNN-LSTM",
    )
    demo.add_argument(
        "--no-deep", action="store_true", help="run only the MFCC-statistics baseline"
    )
    demo.set_defaults(func=_cmd_demo)
    _add_model_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sklearn-ser`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (CLIError, ValueError, TypeError, FileNotFoundError, OSError) as exc:
        # one line: scikit-learn's messages may span several
        message = " ".join(str(exc).split())
        print(f"sklearn-ser {args.command}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sklearn-ser: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
