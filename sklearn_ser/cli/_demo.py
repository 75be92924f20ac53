"""``sklearn-ser demo``: speaker-independent cross-validation, synthetic corpus."""

from __future__ import annotations

import argparse
import time
from functools import partial

from ._progress import _progress
from ._select import SPEAKER_PROTOCOLS


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


def _deep_pipeline(random_state: int, *, epochs: int = 20):
    """liu2021's recipe, shrunk for the demo: MFCC → CMVN → CNN-LSTM, joint loss.

    The same CNN-LSTM (conv 1→8→16→32, BiLSTM 32/direction) and joint loss
    (α = 0.3, hard + semi-hard triplets, class-balanced batches) as the paper, but on
    20 MFCCs at a 20 ms hop, 1 s segments (the synthetic utterances last 1–3 s), a
    larger learning rate and few epochs so that the demo stays near a minute on two
    cores. One torch thread per fit (``n_jobs=1``): the demo's two cores go to two
    folds at a time instead (``--jobs``), which is faster than two threads on one
    small network, and the figures do not depend on how many folds run at once.
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
            n_jobs=1,
            random_state=random_state,
        ),
    )


def _fold_jobs(args: argparse.Namespace, n_folds: int) -> int:
    """Folds fitted at once: ``--jobs``, else one per CPU this process may use
    (never more than the folds). Every fit has one torch thread, so the figures
    are the same whatever this count is; only the time changes."""
    from sklearn_ser.utils._threads import available_cpus

    if args.jobs is not None:
        return min(args.jobs, n_folds)
    return max(1, min(available_cpus(), n_folds))


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")


def _emit(reports: dict, args: argparse.Namespace, n_classes: int) -> None:
    """The results on stdout in ``--format``, and in ``--out`` when given."""
    import json

    from ._output import render

    if args.format == "json":
        print(json.dumps({k: r.to_dict() for k, r in reports.items()}, indent=1))
    elif args.format == "csv":
        for i, (name, report) in enumerate(reports.items()):
            lines = render(report, "csv").splitlines()
            if i == 0:
                print(f"model,{lines[0]}")
            for row in lines[1:]:
                print(f'"{name}",{row}')
    elif args.format == "markdown":
        for name, report in reports.items():
            print(f"## {name}\n\n{render(report, 'markdown')}")
    else:
        width = max(len(name) for name in reports)
        print(f"{'model':<{width}}     WA     UA")
        for name, r in reports.items():
            print(f"{name:<{width}}  {r.WA:.3f}  {r.UA:.3f}")
        print(f"chance UA: {1 / n_classes:.3f}")
        for name, r in reports.items():
            if r.UA_ci:
                print(f"95 % CI of UA, {name}: {r.UA_ci[0]:.3f}-{r.UA_ci[1]:.3f} "
                      f"(bootstrap over {r.ci['n_units']} {r.ci['unit']}s)")
        best = max(reports, key=lambda k: reports[k].UA)
        print(f"\nper-class recall of {best}:")
        recall = reports[best].per_class_recall
        for label, value in recall.items():
            print(f"  {label:<10} {value:.3f}")
    if args.out is not None:
        from pathlib import Path

        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        ext = {"text": "txt", "json": "json", "csv": "csv", "markdown": "md"}
        for name, report in reports.items():
            report.to_json(folder / f"{_slug(name)}.json")
            if args.format != "json":
                (folder / f"{_slug(name)}.{ext[args.format]}").write_text(
                    render(report, args.format), encoding="utf-8")
        if not args.quiet:
            _progress(f"reports written to {folder}/")


def cmd_demo(args: argparse.Namespace) -> int:
    """``demo``: :func:`sklearn_ser.evaluation.evaluate` on the synthetic corpus
    for the baseline and the CNN-LSTM (fold and epoch progress on stderr)."""
    import numpy as np

    from sklearn_ser.datasets import make_emotional_speech
    from sklearn_ser.evaluation import evaluate

    from ._common import check_out
    from ._config import effective_config
    from ._output import fold_printer, with_config
    from ._progress import _attach_epoch_bar, _detach_epoch_bar, feature_bar

    t0 = time.perf_counter()
    say = (lambda msg: None) if args.quiet else _progress
    check_out(args.out, kind="folder")
    say(
        f"[1/3] generating the synthetic corpus ({args.n_per_class} utterances per "
        f"class, {args.n_speakers} speakers, seed {args.random_state}) ..."
    )
    data = make_emotional_speech(
        n_per_class=args.n_per_class,
        n_speakers=args.n_speakers,
        random_state=args.random_state,
    )
    X, y, groups = data.X, data.y, data.speaker
    say(
        f"      {len(y)} utterances, {len(data.target_names)} classes "
        f"({', '.join(data.target_names)}), {len(np.unique(groups))} speakers"
    )
    # (builder, folds at once): the SVM's folds take a second each, so they run
    # here; a worker whose first task were an SVM fold would then grow by torch's
    # import in its second and be replaced by loky as "leaking"
    models = {"MFCC-stats + SVM": (_baseline_pipeline, False)}
    if not args.no_deep:
        models["CNN-LSTM, joint loss"] = (partial(_deep_pipeline, epochs=args.epochs), True)
    seeds = list(args.seeds) if args.seeds else [args.random_state]
    kfold = args.protocol in ("speaker-kfold", "stratified-kfold")
    n_folds = args.folds if kfold else None
    if kfold:
        folds_per_seed = args.folds
    elif args.protocol == "loso":
        folds_per_seed = len(np.unique(groups))
    else:  # random-split: one split
        folds_per_seed = 1
    jobs = 1 if args.no_deep else _fold_jobs(args, folds_per_seed)
    say(f"[2/3] {args.protocol} cross-validation"
        + (f", {args.folds} folds" if kfold else "")
        + (f", {jobs} CNN-LSTM folds at a time" if jobs > 1 else "")
        + " (sklearn_ser.evaluation.evaluate, "
        + ("test speakers unheard in training)"
           if args.protocol in SPEAKER_PROTOCOLS
           else "speakers SHARED between training and test: not speaker-independent)"))
    reports = {}
    for name, (build, parallel) in models.items():
        pipe = build(args.random_state)
        n_jobs = jobs if parallel else 1
        # epoch and feature bars only where the folds run in this process
        _attach_epoch_bar(pipe, quiet=args.quiet or n_jobs > 1, desc=f"{name} epochs")
        try:
            with feature_bar(quiet=args.quiet or n_jobs > 1):
                report = evaluate(
                    pipe, X, y, speaker=groups, protocol=args.protocol,
                    n_splits=n_folds, split_random_state=args.random_state,
                    seeds=seeds, n_jobs=n_jobs,
                    callback=fold_printer(name, quiet=args.quiet), name=name,
                    corpus="make_emotional_speech",
                )
        finally:
            _detach_epoch_bar(pipe)
        config = effective_config(
            args, n_per_class=args.n_per_class, n_speakers=args.n_speakers,
            folds=args.folds, epochs=args.epochs, protocol=args.protocol, seeds=seeds,
            jobs=jobs,
        )
        reports[name] = with_config(report, config)
    say("[3/3] results (pooled over folds)")
    _emit(reports, args, len(data.target_names))
    if args.format == "text":
        print(f"\ntotal time: {time.perf_counter() - t0:.1f} s")
    return 0
