"""Each paper's loss against cross-entropy on the same network (issue 13, "Must show").

One network, one feature set, one protocol, one training schedule for every loss;
only ``loss=`` (and the loss's own parameters) changes:

* ``ce``    -- softmax cross-entropy, the baseline of every paper;
* ``joint`` -- liu2021 / liu2023: ``0.3 * triplet + 0.7 * CE``, squared-L2
  triplets, margin 0.2, hard + semi-hard mining, class-balanced batches;
* ``ams``   -- zhou: additive-margin softmax on a cosine head, ``s=10, m=0.4``
  (zhou's best);
* ``focal`` -- zhou's focal loss, ``gamma=2, alpha=2`` (zhou's best).

Network: kumar's residual Conv1D network (:class:`sklearn_ser.nn.ResNet1D`, 32
channels, two residual blocks, 128-d embedding; the fastest of the package's
networks on a CPU) in a :class:`~sklearn_ser.models.SERClassifier` on kumar's
features (13 MFCC + deltas + delta-deltas, silence trimmed), speaker-normalised
(every speaker standardised by its own statistics, which needs no label and is
available for a new speaker), 0.3 s segments (``--segment-frames 30``; 0.3 s shift,
utterance = mean of segment probabilities), Adam lr 1e-3, batch 32 -- **benchmark
epochs (``--epochs``, default 6), not the papers'**: CPU time on the shared 2-core
machine limits this run. The same network and schedule for every loss keeps the
comparison paired; the absolute figures are not the papers'.

Protocol: RAVDESS actors 01-16 (960 utterances, 8 classes),
``StratifiedGroupKFold(4)`` with groups = actor, no shuffling; seeds 0, 1, 2 for every
loss (network initialisation, batches). Every loss sees the same folds, so
:func:`sklearn_ser.evaluation.compare` pairs them (speaker bootstrap of the UA
difference, Wilcoxon over actors). ``--corpus emodb`` runs EmoDB leave-one-speaker-out.

Reports: ``benchmarks/results/losses/<corpus>/<protocol>/<loss>.json`` (deeper than
the docs tables' ``<corpus>/<protocol>/<row>.json``, so they stay out of those).
MFCC features are computed once and cached (``--cache``, default
``$SER_CACHE`` or the temp folder).

    python benchmarks/bench_paper_losses.py --time-one       # one fit, to size a run
    python benchmarks/bench_paper_losses.py                   # all losses, 3 seeds
    python benchmarks/bench_paper_losses.py --report-only     # the table from the JSONs
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sklearn
import torch
from joblib import Memory
from sklearn.model_selection import LeaveOneGroupOut, StratifiedGroupKFold

from sklearn_ser.evaluation import EvaluationReport, compare, evaluate
from sklearn_ser.features import MFCC, speaker_normalize
from sklearn_ser.models import SERClassifier, SpeakerSplit
from sklearn_ser.nn import ResNet1D

LOSSES = {
    "ce": ("cross-entropy", {"loss": "ce"}),
    "joint": ("liu2021/liu2023 joint triplet + CE", {
        "loss": "joint", "criterion__alpha": 0.3, "criterion__margin": 0.2,
        "criterion__distance": "squared_euclidean",
        "criterion__mining": "hard+semihard"}),
    "ams": ("zhou AM-softmax", {
        "loss": "ams", "criterion__scale": 10.0, "criterion__margin": 0.4}),
    "focal": ("zhou focal", {
        "loss": "focal", "criterion__gamma": 2.0, "criterion__alpha": 2.0}),
    # not a paper's: cross-entropy with mixup (issue 13 item 4), --losses ce,ce_mixup
    "ce_mixup": ("cross-entropy + mixup 0.2", {"loss": "ce", "mixup_alpha": 0.2}),
    # ... and with early stopping on held-out speakers (up to 3x the epochs)
    "ce_speaker_stop": ("cross-entropy, early stopping on held-out speakers", {
        "loss": "ce", "train_split": SpeakerSplit(fraction=0.25),
        "early_stopping": 3, "epochs_factor": 3}),
}
PAPER_LOSSES = "ce,ams,focal,joint"
# what each paper claims of its loss against plain cross-entropy
CLAIMS = {  # name: (the claim, its UA gain over CE in the paper, or None)
    "joint": ("liu2021 Table 2 / liu2023 Table 4 (IEMOCAP): the triplet term adds "
              "+0.94 UA points to CE", 0.0094),
    "ams": ("zhou Table 2 (IEMOCAP): AM-softmax s=10, m=0.4 adds +4.4 UA points to "
            "softmax CE", 0.044),
    "focal": ("zhou Table 2 (IEMOCAP): focal gamma=2, alpha=2 adds +4.0 UA points "
              "to softmax CE", 0.040),
    "ce_mixup": ("mixup (Zhang et al. 2018) improves on plain CE", None),
    "ce_speaker_stop": ("early stopping on held-out speakers improves on a fixed "
                        "epoch count", None),
}
HERE = Path(__file__).resolve().parent


def _corpus(name):
    from sklearn_ser.datasets import load_emodb, load_ravdess

    home = os.environ.get("SER_DATA", str(HERE.parent.parent / "shared" / "data"))
    data = (load_ravdess if name == "ravdess" else load_emodb)(data_home=home)
    return np.asarray(data.X), np.asarray(data.y), np.asarray(data.speaker)


def _mfcc(paths):
    from sklearn_ser.datasets import load_audio

    waves = [load_audio(p, sr=16000) for p in paths]
    # kumar §III-B1: 13 MFCC + deltas + delta-deltas, silence trimmed
    mfcc = MFCC(n_mfcc=13, deltas=2, stack="features", trim_silence=True)
    return mfcc.fit_transform(waves)


def features(corpus, cache):
    X, y, s = _corpus(corpus)
    feats = Memory(cache, verbose=0).cache(_mfcc)(list(X))
    return X, speaker_normalize(feats, s), y, s


def model(loss, epochs, seed=0, frames=30):
    params = dict(LOSSES[loss][1])
    epochs *= params.pop("epochs_factor", 1)
    return SERClassifier(
        ResNet1D, module__channels=32, segment_frames=frames, train_hop=frames,
        test_hop=frames, optimizer__lr=1e-3, max_epochs=epochs, batch_size=32,
        random_state=seed, n_jobs=1, **params)


def splits(corpus):
    if corpus == "emodb":
        return LeaveOneGroupOut(), "loso"
    return StratifiedGroupKFold(4), "speaker-kfold4"


def _table(reports, epochs):
    base = reports.get("ce")
    print(f"\nUA per loss (same ResNet1D, same folds, {epochs} benchmark epochs, "
          "not the papers'; mean over seeds, pooled over folds):")
    print(f"{'loss':<8}{'UA':>7}{'WA':>7}   per-seed UA        min/fit")
    for name, rep in reports.items():
        seeds = [run["UA"] for run in rep.runs]
        fit = np.mean([f["fit_seconds"] for run in rep.runs for f in run["folds"]])
        print(f"{name:<8}{rep.UA:7.3f}{rep.WA:7.3f}   "
              f"{' '.join(f'{u:.3f}' for u in seeds):<18} {fit / 60:5.1f}")
    if base is None:
        return
    print("\npaired against CE (speaker bootstrap; Wilcoxon over speakers):")
    for name, rep in reports.items():
        if name == "ce":
            continue
        res = compare(rep, base)
        w = "n/a" if res.wilcoxon_p is None else f"{res.wilcoxon_p:.3f}"
        print(f"{name:<8} {res.difference:+.3f} UA  CI [{res.ci[0]:+.3f}, "
              f"{res.ci[1]:+.3f}]  p={res.p_value:.3f}  Wilcoxon p={w}")
        holds = ("holds here" if res.significant and res.difference > 0 else
                 "does not hold here (worse than CE)" if res.significant else
                 "is not confirmed here (no difference beyond the noise)")
        claim, gain = CLAIMS[name]
        if gain is not None:
            inside = res.ci[0] <= gain <= res.ci[1]
            holds += (f"; the paper's gain (+{gain:.3f}) is "
                      f"{'inside' if inside else 'outside'} the interval")
        print(f"         {claim}: {holds}.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["ravdess", "emodb"], default="ravdess")
    parser.add_argument("--losses", default=PAPER_LOSSES)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--segment-frames", type=int, default=30)
    parser.add_argument("--cache", default=os.environ.get(
        "SER_CACHE", os.path.join(tempfile.gettempdir(), "sklearn_ser_bench")))
    parser.add_argument("--out", default=str(HERE / "results" / "losses"))
    parser.add_argument("--time-one", action="store_true",
                        help="time one fit (CE, first fold, seed 0) and stop")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    cv, protocol = splits(args.corpus)
    out = Path(args.out) / args.corpus / protocol
    losses = args.losses.split(",")
    if args.report_only:
        reports = {n: EvaluationReport.from_json(out / f"{n}.json")
                   for n in losses if (out / f"{n}.json").exists()}
        _table(reports, args.epochs)
        return 0
    t0 = time.perf_counter()
    paths, X, y, s = features(args.corpus, args.cache)
    print(f"features: {len(y)} utterances, {time.perf_counter() - t0:.0f} s",
          flush=True)
    if args.time_one:
        train, test = next(cv.split(X, y, s))
        t0 = time.process_time()
        clf = model(losses[0], args.epochs, frames=args.segment_frames)
        clf.fit(X[train], y[train])
        ua = np.mean([np.mean(clf.predict(X[test][y[test] == c]) == c)
                      for c in np.unique(y)])
        print(f"one fit ({losses[0]}, {args.epochs} epochs): "
              f"{time.process_time() - t0:.0f} CPU s, fold-0 UA {ua:.3f}")
        return 0
    seeds = [int(v) for v in args.seeds.split(",")]
    out.mkdir(parents=True, exist_ok=True)
    reports = {}
    for name in losses:
        t0 = time.perf_counter()
        # speaker reaches fit (SpeakerSplit) only with routing on
        routed = "train_split" in LOSSES[name][1]
        with sklearn.config_context(enable_metadata_routing=routed):
            rep = evaluate(
                model(name, args.epochs, frames=args.segment_frames), X, y,
                speaker=s, cv=cv, speaker_independent=True, seeds=seeds,
                name=f"resnet1d_{name}_{args.epochs}ep", verbose=1,
                corpus=args.corpus)
        rep.to_json(out / f"{name}.json")
        reports[name] = rep
        print(f"{name}: UA {rep.UA:.3f}  ({(time.perf_counter() - t0) / 60:.1f} min)",
              flush=True)
    _table(reports, args.epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
