"""WA/UA of the papers' models under a named protocol, one JSON report per row.

Every row is run by :func:`sklearn_ser.evaluation.evaluate` and written to
``benchmarks/results/<corpus>/<protocol>/<row>.json`` (``--out`` changes the
folder, ``--no-save`` writes nothing); ``docs/papers.rst`` and the README's headline
figures are generated from those files (``sklearn_ser/evaluation/_tables.py``).

Corpora (``--corpus``): ``emodb`` (default) and ``ravdess`` read ``$SER_DATA``
(default ``../shared/data``); ``synthetic`` is ``make_emotional_speech``. When the
corpus is absent the rows run on the synthetic corpus and the files say so.
Protocols (``--protocol``): ``loso`` (EmoDB's default), ``speaker-kfold``
(RAVDESS's default, 4 folds), ``stratified-kfold`` (the papers' random 5-fold),
``random-split`` (kumar's 70/30 with ``--test-size 0.3``).

Features are computed once per feature type (the transformers are stateless, so
this leaks nothing); everything fitted (normalisation, augmentation, networks) is
fitted inside each training fold. Prints one row per model: WA, UA pooled over
the folds with the 95 % CI of UA (bootstrap over speakers), UA mean ± std over
folds, minutes per run and the slowest fold.

    python benchmarks/bench_accuracy.py                      # the issue-4 rows
    python benchmarks/bench_accuracy.py --only svm --speaker-norm
    python benchmarks/bench_accuracy.py --only svm --corpus ravdess
    python benchmarks/bench_accuracy.py --only svm --corpus ravdess \
        --protocol random-split --test-size 0.3
    python benchmarks/bench_accuracy.py --only augment,hierarchy,cosine
    python benchmarks/bench_accuracy.py --only svm,cnnlstm_joint --folds 3 --epochs 10

``--folds K`` evaluates the first K folds only (the file goes to
``<protocol>-first<K>/``, which the docs tables do not read); ``--epochs`` caps the
epochs of every deep model; ``--seeds 0,1,2`` runs each row once per seed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from imblearn.pipeline import Pipeline as ImbPipeline
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_ser.augment import SpecAugmentResampler
from sklearn_ser.evaluation import EvaluationReport, evaluate
from sklearn_ser.evaluation._paper_data import command
from sklearn_ser.evaluation._protocols import make_splits
from sklearn_ser.features import (
    MFCC,
    FeatureNormalizer,
    FrameStatistics,
    LogMelSpectrogram,
    speaker_normalize,
)
from sklearn_ser.models import (
    AttentionBLSTMClassifier,
    CascadedAttentionClassifier,
    CNNLSTMClassifier,
    CosineEmbeddingClassifier,
    ResNetEmbeddingClassifier,
    SERClassifier,
)
from sklearn_ser.nn import DoubleLSTM

GROUPS = {
    "default": ["svm", "cnnlstm_ce", "cnnlstm_joint", "cascaded_joint", "blstm_ams",
                "blstm_focal"],
    "augment": ["cnnlstm_joint", "cnnlstm_joint_specaugment"],
    "hierarchy": ["flat_cnnlstm_ce", "hierarchical"],
    "cosine": ["resnet_softmax", "cosine_embedding"],
}


# rows that build the same model on the same features: computed once
SAME = {"flat_cnnlstm_ce": "cnnlstm_ce"}


def _row(name, report) -> str:
    s = report.summary
    folds = [f["fit_seconds"] + f["predict_seconds"] for f in report.fold_scores]
    minutes = (s["fit_seconds"] + s["predict_seconds"]) / 60
    lo, hi = report.UA_ci
    return (f"| {name} | {report.WA:.3f} | {report.UA:.3f} [{lo:.3f}, {hi:.3f}] | "
            f"{s['UA_fold_mean']:.3f} ± {s['UA_fold_std']:.3f} | {minutes:.1f} "
            f"| {max(folds) / 60:.2f} |")


def _epochs(args, default):
    return min(default, args.epochs) if args.epochs else default


def build(name, args, rs=0):
    """(feature key, estimator) of a row."""
    e = _epochs
    norm = ("norm", FeatureNormalizer(scope="global"))
    deep = dict(random_state=rs, verbose=0)
    # liu2021's CNN-LSTM as measured on EmoDB: mean-pooled BiLSTM output (the paper
    # leaves the pooling open; "last" scored 0.52 vs 0.58 UA on speaker 0 with CE),
    # 1 s segments and 15 epochs, which keeps a fold under 2 minutes on 2 cores.
    liu = dict(optimizer__lr=1e-3, max_epochs=e(args, 15), **deep)
    cnnlstm = dict(module__pooling="mean", segment_frames=100, train_hop=50,
                   test_hop=50, **liu)
    if name == "svm":
        return "mfcc40_d1_feat", make_pipeline(
            FrameStatistics(), StandardScaler(), SVC(C=10.0, class_weight="balanced")
        )
    if name in ("cnnlstm_ce", "flat_cnnlstm_ce"):
        return "mfcc40", Pipeline(
            [norm, ("clf", CNNLSTMClassifier(loss="ce", **cnnlstm))]
        )
    if name == "cnnlstm_joint":
        return "mfcc40", Pipeline([norm, ("clf", CNNLSTMClassifier(
            loss="joint", criterion__alpha=0.3, **cnnlstm))])
    if name == "cnnlstm_joint_specaugment":
        return "mfcc40", ImbPipeline([
            norm,
            ("balance", SpecAugmentResampler(freq_mask_width=8, time_mask_width=40,
                                             random_state=rs)),
            ("clf", CNNLSTMClassifier(loss="joint", criterion__alpha=0.3, **cnnlstm)),
        ])
    if name == "cascaded_joint":
        return "mfcc40_d2", Pipeline(
            [norm, ("clf", CascadedAttentionClassifier(**liu))])
    if name in ("blstm_ams", "blstm_focal"):
        return "logmel40", Pipeline([norm, ("clf", AttentionBLSTMClassifier(
            loss=name.split("_")[1], optimizer__lr=1e-3, max_epochs=e(args, 30),
            early_stopping=10, segment_frames=300, train_hop=150, test_hop=100,
            **deep))])
    if name == "hierarchical":
        from sklearn_ser.models._hierarchical import HierarchicalConfusionClassifier

        coarse = Pipeline([norm, ("clf", CNNLSTMClassifier(loss="ce", **cnnlstm))])
        fine = Pipeline([("norm", FeatureNormalizer(scope="global")),
                         ("clf", SERClassifier(
            DoubleLSTM, optimizer__lr=1e-3, max_epochs=e(args, 30), batch_size=50,
            **deep))])
        return "mfcc40", HierarchicalConfusionClassifier(
            coarse, fine, confusable="confusion", n_confusable=2, cv=3
        )
    if name == "resnet_softmax":
        return "mfcc13_d2_trim", Pipeline([norm, ("clf", ResNetEmbeddingClassifier(
            max_epochs=e(args, 40), early_stopping=None, **deep))])
    if name == "cosine_embedding":
        return "mfcc13_d2_trim", Pipeline([norm, ("clf", CosineEmbeddingClassifier(
            pretrain_epochs=e(args, 40), finetune_epochs=e(args, 20),
            early_stopping=None, **deep))])
    raise SystemExit(f"unknown row {name!r}; rows: {sorted(sum(GROUPS.values(), []))}")


FEATURES = {
    "mfcc40_d1_feat": lambda: MFCC(n_mfcc=40, deltas=1, stack="features"),
    "mfcc40": lambda: MFCC(n_mfcc=40),
    "mfcc40_d2": lambda: MFCC(n_mfcc=40, deltas=2, stack="channels"),
    "logmel40": lambda: LogMelSpectrogram(n_mels=40, win_ms=25.0),
    "mfcc13_d2_trim": lambda: MFCC(n_mfcc=13, deltas=2, stack="features",
                                   trim_silence=True),
}


CORPORA = {
    "emodb": ("load_emodb", "EmoDB (535 utt., 10 speakers, 7 classes; staged copy: "
                            "2.0 s clips)", "loso", None),
    "ravdess": ("load_ravdess", "RAVDESS speech, actors 01-16 (960 utt., 16 speakers, "
                                "8 classes)", "speaker-kfold", 4),
}
RESULTS = Path(__file__).resolve().parent / "results"


def _relative_paths(path: Path) -> None:
    """Results are kept in the repository: the corpus folder is written as
    ``$SER_DATA`` rather than this machine's path (duplicate pairs name files)."""
    home = os.environ.get("SER_DATA")
    if home:
        text = path.read_text()
        root = json.dumps(str(Path(home).resolve()))[1:-1]
        path.write_text(text.replace(root, "$SER_DATA"))


def features(key, X, corpus_key, folder=None):
    """The features ``key`` of every utterance, read from / kept in ``folder``.

    The transformers are stateless, so computing them once for the whole corpus
    leaks nothing between folds."""
    if folder is None:
        return FEATURES[key]().fit_transform(X)
    import joblib

    path = Path(folder) / f"{corpus_key}_{key}.joblib"
    if path.is_file():
        return joblib.load(path)
    out = FEATURES[key]().fit_transform(X)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(out, path)
    return out


def load(args):
    """X (paths or waveforms), y, speaker, corpus description, corpus key."""
    home = Path(os.environ.get("SER_DATA", Path(__file__).resolve().parents[2]
                               / "shared" / "data"))
    if args.corpus in CORPORA and (home / args.corpus).is_dir():
        import sklearn_ser.datasets as ds

        loader, text, _, _ = CORPORA[args.corpus]
        data = getattr(ds, loader)(data_home=home)
        return data.X, data.y, data.speaker, text, args.corpus
    from sklearn_ser.datasets import make_emotional_speech

    if args.corpus != "synthetic":
        print(f"# {args.corpus} not found under {home}: rows run on the SYNTHETIC "
              "corpus; real-corpus rows pending", file=sys.stderr)
    data = make_emotional_speech(random_state=0)
    return (data.X, data.y, data.speaker, "synthetic corpus (make_emotional_speech, "
            "seed 0)", "synthetic")


def _progress(name):
    def report(info):
        print(f"  {name}: seed {info['seed']} fold {info['fold']}/{info['n_folds']} "
              f"UA={info['UA']:.3f} "
              f"({info['fit_seconds'] + info['predict_seconds']:.0f} s)",
              file=sys.stderr, flush=True)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="default",
                        help="comma-separated rows or groups: " + ", ".join(GROUPS))
    parser.add_argument("--corpus", default="emodb",
                        choices=[*CORPORA, "synthetic"])
    parser.add_argument("--protocol", default=None,
                        choices=["loso", "speaker-kfold", "stratified-kfold",
                                 "random-split"],
                        help="default: loso on EmoDB, speaker-kfold (4) on RAVDESS")
    parser.add_argument("--n-splits", type=int, default=None,
                        help="folds of speaker-kfold / stratified-kfold (default 5; "
                             "4 for RAVDESS speaker-kfold), repetitions of "
                             "random-split")
    parser.add_argument("--test-size", type=float, default=0.2,
                        help="test fraction of random-split (kumar: 0.3)")
    parser.add_argument("--seeds", default="0",
                        help="comma-separated seeds of the models' random_state")
    parser.add_argument("--folds", type=int, default=None,
                        help="evaluate only the first K folds")
    parser.add_argument("--epochs", type=int, default=None, help="cap on epochs")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="folds fitted in parallel processes (evaluate's n_jobs; "
                             "set OMP_NUM_THREADS to the torch threads of each)")
    parser.add_argument(
        "--speaker-norm", action="store_true",
        help="standardise every speaker's frame-level features by that speaker's "
             "own statistics before the folds (features.speaker_normalize; uses no "
             "labels, transductive for the test speaker); rows are saved as "
             "<row>_spknorm")
    parser.add_argument("--cache", type=Path, default=None,
                        help="folder keeping the computed features between runs "
                             "(one file per corpus and feature type)")
    parser.add_argument("--out", type=Path, default=RESULTS,
                        help="results folder (default benchmarks/results)")
    parser.add_argument("--no-save", action="store_true", help="write no JSON")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    rows = []
    for item in args.only.split(","):
        rows += GROUPS.get(item, [item])
    rows = list(dict.fromkeys(rows))
    for r in rows:
        build(r, args)  # fail fast on unknown names
    seeds = [int(s) for s in args.seeds.split(",")]

    X, y, groups, corpus, corpus_key = load(args)
    default_protocol, default_k = CORPORA.get(
        corpus_key, (None, None, "loso", None))[2:]
    protocol = args.protocol or default_protocol
    n_splits = args.n_splits
    if n_splits is None and protocol == "speaker-kfold":
        n_splits = default_k
    norm_note = "; speaker-normalised features" if args.speaker_norm else ""
    suffix = "_spknorm" if args.speaker_norm else ""
    folder = protocol if not args.folds else f"{protocol}-first{args.folds}"
    cache = {}
    table = []
    done = {}  # rows that are the same model (flat_cnnlstm_ce = cnnlstm_ce) run once
    for name in rows:
        alias = SAME.get(name)
        if alias in done:
            data = done[alias].to_dict()
            data["name"] = name + suffix
            if "settings" in data:
                data["settings"]["command"] = data["settings"]["command"].replace(
                    f"--only {alias}", f"--only {name}")
            report = EvaluationReport(data)
        else:
            key, _ = build(name, args)
            if key not in cache:
                t = time.perf_counter()
                cache[key] = features(key, X, corpus_key, args.cache)
                if args.speaker_norm:
                    cache[key] = speaker_normalize(cache[key], groups)
                print(f"# features {key}: {time.perf_counter() - t:.1f} s",
                      file=sys.stderr)
            kwargs = dict(protocol=protocol, n_splits=n_splits,
                          test_size=args.test_size)
            if args.folds:  # the first K folds of the protocol, as a custom splitter
                splits, record = make_splits(
                    X, np.asarray(y), speaker=groups, cv=None, random_state=0,
                    **kwargs)
                kwargs = dict(cv=splits[: args.folds],
                              speaker_independent=record["speaker_independent"] or None)
            report = evaluate(
                build(name, args)[1], cache[key], y, speaker=groups, seeds=seeds,
                audio=X, callback=_progress(name), name=name + suffix,
                n_jobs=args.n_jobs,
                corpus=corpus + norm_note, **kwargs)
            data = report.to_dict()
            if args.folds:
                data["protocol"]["description"] = (
                    f"first {args.folds} folds of {record['description']}")
            # what the docs tables show beside the figures: the training length
            # (also in the estimator's parameters) and the command that wrote it
            data["settings"] = dict(
                epochs_cap=args.epochs, threads=args.threads,
                command=command(corpus_key, protocol, name + suffix,
                                epochs=args.epochs, seeds=seeds)
                + (f" --n-splits {args.n_splits}" if args.n_splits else "")
                + (f" --folds {args.folds}" if args.folds else ""))
            report = EvaluationReport(data)
            done[SAME.get(name, name)] = report
        table.append((name + suffix, report))
        print(f"# {_row(name + suffix, report)}", file=sys.stderr, flush=True)
        if not args.no_save:
            path = args.out / corpus_key / folder / f"{name}{suffix}.json"
            report.to_json(path)
            _relative_paths(path)
            print(f"# wrote {path}", file=sys.stderr)
    first = table[0][1]
    print(f"# {corpus}; {first.protocol['description']}, seeds {seeds}; "
          f"{args.threads} torch threads{norm_note}")
    print()
    print("| model | WA | UA [95 % CI, speakers] | UA per fold (mean ± std) | minutes "
          "| slowest fold (min) |")
    print("|---|---|---|---|---|---|")
    for name, report in table:
        print(_row(name, report))
    print()
    for name, report in table:
        print(f"per-class recall, {name}:")
        for label, recall in report.per_class_recall.items():
            print(f"  {label:<10} {recall:.3f}" if recall is not None else
                  f"  {label:<10} —")
        print()


if __name__ == "__main__":
    main()
