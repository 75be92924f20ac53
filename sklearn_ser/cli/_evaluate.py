"""``sklearn-ser evaluate``: a thin wrapper over :func:`sklearn_ser.evaluation.evaluate`
(the folds, the leakage checks and the report are its work), here or on Dask."""

from __future__ import annotations

import argparse
import sys

from ._common import (
    CLIError,
    check_out,
    load_corpus,
    make_recipe,
    read_audio,
    sample_rate,
    wants_speaker,
)
from ._config import effective_config
from ._output import fold_printer, out_kind, render, with_config, write_report
from ._progress import _attach_epoch_bar, _detach_epoch_bar, _progress, feature_bar
from ._select import resolve_cv, select_speakers


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
        client = Client(args.scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise CLIError(
            f"cannot connect to the Dask scheduler at {args.scheduler!r}: {exc}"
        ) from None
    if not args.quiet:
        _warn_worker_malloc(client)
    return client


def _malloc_trim_threshold():
    import os

    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def _warn_worker_malloc(client) -> None:
    """One stderr line when the workers run with Dask's MALLOC_TRIM_THRESHOLD_,
    which slows the networks' training (docs/performance.rst, "More than one
    machine")."""
    try:
        values = client.run(_malloc_trim_threshold)
    except Exception:  # a worker that cannot answer is not this check's business
        return
    if any(v is not None for v in values.values()):
        _progress(
            "warning: the Dask workers run with MALLOC_TRIM_THRESHOLD_ set (Dask's "
            "nanny default), which makes glibc page-fault every large tensor at each "
            "batch and slows training; unset it in distributed.nanny.pre-spawn-environ "
            "(see the performance page)"
        )


def _routing(pipe):
    """Metadata routing on for the run when a step consumes ``speaker``."""
    import contextlib

    from sklearn import config_context

    if wants_speaker(pipe, "fit") or wants_speaker(pipe, "predict"):
        return config_context(enable_metadata_routing=True)
    return contextlib.nullcontext()


def cmd_evaluate(args: argparse.Namespace) -> int:
    """``evaluate``: :func:`sklearn_ser.evaluation.evaluate` on a recipe and a
    corpus; this command only reads the options, the audio and prints the report."""
    import contextlib

    import numpy as np

    from sklearn_ser.evaluation import evaluate

    _check_backend(args)
    check_out(args.out, kind="file" if out_kind(args.out) == "file" else "folder")
    pipe = make_recipe(args)
    data = select_speakers(load_corpus(args.data), args)
    y = np.asarray(data.y)
    speaker = data.get("speaker")
    speaker = None if speaker is None else np.asarray(speaker)
    split = resolve_cv(args, speaker)
    spec = split.pop("spec")
    seeds = list(args.seeds) if args.seeds else [args.random_state]
    X = read_audio(data.X, sr=sample_rate(pipe), quiet=args.quiet)
    if not args.quiet:
        dask = f"; Dask scheduler {args.scheduler}" if args.backend == "dask" else ""
        n_spk = "" if speaker is None else f", {len(np.unique(speaker))} speakers"
        _progress(
            f"{args.recipe}: {len(y)} utterances, {len(np.unique(y))} classes"
            f"{n_spk}; --cv {spec}; seeds {seeds}{dask}"
        )
    # epochs shown here only: on Dask the folds train on the workers
    _attach_epoch_bar(pipe, quiet=args.quiet or args.backend == "dask",
                      desc="training")
    n_jobs, client = None, None
    backend = contextlib.nullcontext()
    if args.backend == "dask":
        from joblib import parallel_config

        client, n_jobs = _dask_client(args), -1
        backend = parallel_config(backend="dask")
    try:
        with _routing(pipe), backend, feature_bar(quiet=args.quiet or n_jobs == -1):
            report = evaluate(
                pipe, X, y, speaker=speaker, seeds=seeds,
                split_random_state=args.random_state, n_jobs=n_jobs,
                callback=fold_printer(args.recipe, quiet=args.quiet),
                name=args.recipe, corpus=str(args.data), **split,
            )
    finally:
        _detach_epoch_bar(pipe)
        if client is not None:
            client.close()
    protocol = None
    if "cv" in split:  # holdout: one speaker-disjoint split, named as such
        fold = report.runs[0]["folds"][0]
        protocol = {
            "name": "holdout",
            "description": f"speaker hold-out: train on {fold['n_train']} "
            f"utterances of the other speakers, test on speakers "
            f"{', '.join(map(str, fold.get('test_speakers') or []))}",
        }
    report = with_config(
        report, effective_config(args, cv=spec, seeds=seeds), protocol=protocol
    )
    sys.stdout.write(render(report, args.format))
    if args.out is not None:
        written = write_report(report, args.out, fmt=args.format,
                               paths=[str(p) for p in data.X])
        if not args.quiet:
            _progress(f"results written to {written}")
    return 0
