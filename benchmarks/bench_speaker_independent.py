"""Speaker-independent accuracy of the classical pipelines, step by step.

Protocols (staged data only, ``SER_DATA``): RAVDESS actors 01-16 with
``StratifiedGroupKFold(4)``, groups = actor, no shuffling; EmoDB leave-one-
speaker-out (10 folds). Prints pooled UA/WA, per-fold UA mean ± std and minutes.

Features are extracted once per utterance (and per speed-perturbation factor)
and cached on disk with ``joblib.Memory`` (``--cache``); the cross-validation
then runs on the cached tables. Each row computes exactly what the recipe's
pipeline computes per fold -- speed-perturbed copies of the training
utterances (0.9 and 1.1 beside the originals, as ``SpeedPerturbResampler
(n_copies=2)``), per-speaker standardisation over the rows passed
(``speaker_normalize``, as ``SpeakerNormalizer`` inside the fold), then the
classifier -- but without re-extracting features in every fold. Check: on
the first RAVDESS fold, ``make_recipe("speaker_independent", random_state=0)``
fitted and predicted end to end from the audio files gives UA 0.6406, the
cached route 0.6406 (1.3 min for that fold's fit + predict on 2 busy cores).
"min" is the cross-validation time on the cached features (extraction once:
5.1 min RAVDESS, 1.5 min EmoDB, every speed and openSMILE included, on 2
shared cores).

Default: the recipes' rows (the registered C, and C picked in every outer fold
by a speaker-disjoint inner ``StratifiedGroupKFold(3)``); ``--all`` adds every
step that was tried on the way (feature sets, normalisation, classifiers,
speed perturbation).

Run::

    SER_DATA=../shared/data python benchmarks/bench_speaker_independent.py \
        --cache CACHE_DIR [--all]

openSMILE (``pip install opensmile``) is an optional oracle: its eGeMAPSv02
functionals + the same SVM are printed beside ours when it is installed.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
from joblib import Memory
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import (
    GridSearchCV,
    LeaveOneGroupOut,
    StratifiedGroupKFold,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

SPEEDS = (1.0, 0.9, 1.1)


# ----------------------------------------------------------------- features
def _corpus(name):
    from sklearn_ser.datasets import load_emodb, load_ravdess

    home = os.environ.get(
        "SER_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
    )
    data = (load_ravdess if name == "ravdess" else load_emodb)(data_home=home)
    return np.asarray(data.X), np.asarray(data.y), np.asarray(data.speaker)


def _waves(name, speed):
    from sklearn_ser.augment import speed_perturb
    from sklearn_ser.datasets import load_audio

    paths, _, _ = _corpus(name)
    waves = [load_audio(p, sr=16000) for p in paths]
    if speed != 1.0:
        waves = [speed_perturb(w, speed=speed).astype(np.float32) for w in waves]
    return waves


def _extract(name, kind, speed):
    waves = _waves(name, speed)
    if kind == "opensmile":
        import opensmile

        smile = opensmile.Smile(
            feature_set=opensmile.FeatureSet.eGeMAPSv02,
            feature_level=opensmile.FeatureLevel.Functionals,
        )
        return np.vstack([smile.process_signal(w, 16000).to_numpy() for w in waves])
    from sklearn_ser.recipes._baselines import _mfcc_logmel, egemaps_features

    est = egemaps_features() if kind == "egemaps" else _mfcc_logmel()
    return np.asarray(est.fit_transform(waves), dtype=np.float64)


# ------------------------------------------------------------ evaluation
def _speaker_z(X, s):
    from sklearn_ser.features import speaker_normalize

    return np.asarray(speaker_normalize(X, s), dtype=np.float64)


def evaluate(feats, y, s, clf, cv, *, augment=False, norm=True, grid=None):
    """Pooled UA/WA, per-fold UA (mean, std) and minutes of one row.

    ``grid``: pick the classifier's parameters in every outer fold by an inner
    speaker-disjoint ``StratifiedGroupKFold(3)`` over the training speakers
    (balanced accuracy); the picks are printed.
    """
    t0 = time.perf_counter()
    X0 = feats[1.0]
    pred = np.empty_like(y)
    fold_ua, picks = [], []
    for train, test in cv.split(X0, y, s):
        if augment:
            Xtr = np.vstack([feats[v][train] for v in SPEEDS])
            ytr = np.concatenate([y[train]] * len(SPEEDS))
            str_ = np.concatenate([s[train]] * len(SPEEDS))
        else:
            Xtr, ytr, str_ = X0[train], y[train], s[train]
        Xte = X0[test]
        if norm:
            Xtr, Xte = _speaker_z(Xtr, str_), _speaker_z(Xte, s[test])
        if grid is not None:
            search = GridSearchCV(
                clone(clf), grid, scoring="balanced_accuracy",
                cv=StratifiedGroupKFold(3), n_jobs=1,
            ).fit(Xtr, ytr, groups=str_)
            picks.append(search.best_params_)
            model = search.best_estimator_
        else:
            model = clone(clf).fit(Xtr, ytr)
        pred[test] = model.predict(Xte)
        fold_ua.append(balanced_accuracy_score(y[test], pred[test]))
    if picks:
        print("#   inner-CV picks:", [tuple(p.values())[0] for p in picks])
    ua = balanced_accuracy_score(y, pred)
    wa = float(np.mean(pred == y))
    return ua, wa, float(np.mean(fold_ua)), float(np.std(fold_ua)), (
        time.perf_counter() - t0
    ) / 60


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--cache", default=os.path.join(tempfile.gettempdir(), "sklearn_ser-bench-cache"),
        help="folder for the extracted features (joblib.Memory)",
    )
    parser.add_argument("--corpora", nargs="+", default=["ravdess", "emodb"])
    parser.add_argument("--extract-only", action="store_true")
    parser.add_argument("--rows", nargs="*", default=None)
    parser.add_argument("--all", action="store_true",
                        help="also every step that was tried (the honest table)")
    args = parser.parse_args(argv)
    mem = Memory(args.cache, verbose=0)
    extract = mem.cache(_extract)
    try:
        import opensmile  # noqa: F401

        have_os = True
    except ImportError:
        have_os = False
    for corpus in args.corpora:
        _, y, s = _corpus(corpus)
        t0 = time.perf_counter()
        feats = {
            kind: {v: extract(corpus, kind, v) for v in SPEEDS}
            for kind in ("egemaps", "rich")
        }
        if have_os:
            feats["opensmile"] = {1.0: extract(corpus, "opensmile", 1.0)}
        feats["fused"] = {
            v: np.hstack([feats["egemaps"][v], feats["rich"][v]]) for v in SPEEDS
        }
        print(f"# {corpus}: features ready in {(time.perf_counter() - t0) / 60:.1f} min")
        if args.extract_only:
            continue
        cv = (
            StratifiedGroupKFold(4)
            if corpus == "ravdess"
            else LeaveOneGroupOut()
        )
        rows = _recipe_rows(have_os) + (_rows(have_os) if args.all else [])
        print(f"{'row':58s}  UA     WA     fold UA (mean±std)  min")
        for label, kind, clf, kw in rows:
            if args.rows is not None and not any(r in label for r in args.rows):
                continue
            ua, wa, m, sd, mins = evaluate(feats[kind], y, s, clf, cv, **kw)
            print(f"{label:58s}  {ua:.3f}  {wa:.3f}  {m:.3f} ± {sd:.3f}      {mins:.1f}",
                  flush=True)


def _svc(C, kernel="rbf"):
    return make_pipeline(StandardScaler(), SVC(C=C, kernel=kernel, gamma="scale"))


def _lr(C):
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))


def _recipe_clf(name):
    """The recipe's classifier (its last step; inside the ResampledEstimator)."""
    from sklearn_ser.recipes import make_recipe

    model = make_recipe(name)
    return getattr(model, "estimator", model)[-1]


_C_GRID = {"C": [0.1, 1.0, 10.0, 100.0]}


def _recipe_rows(have_os):
    """The recipes' classifiers on the cached features, C by inner CV."""
    rows = []
    if have_os:
        rows.append(("openSMILE eGeMAPSv02 + egemaps_svm's SVC, C inner-CV",
                     "opensmile", _recipe_clf("egemaps_svm"), {"grid": _C_GRID}))
    rows.append(("recipe egemaps_svm, C inner-CV", "egemaps",
                 _recipe_clf("egemaps_svm"), {"grid": _C_GRID}))
    rows.append(("recipe egemaps_svm as registered", "egemaps",
                 _recipe_clf("egemaps_svm"), {}))
    if have_os:
        rows.append(("openSMILE eGeMAPSv02 + egemaps_svm as registered",
                     "opensmile", _recipe_clf("egemaps_svm"), {}))
    rows.append(("recipe speaker_independent, C inner-CV", "fused",
                 _recipe_clf("speaker_independent"),
                 {"grid": _C_GRID, "augment": True}))
    rows.append(("recipe speaker_independent as registered", "fused",
                 _recipe_clf("speaker_independent"), {"augment": True}))
    return rows


def _rows(have_os):
    rows = []
    if have_os:
        for C in (1.0, 10.0):
            rows.append((f"openSMILE eGeMAPSv02 + spk-z + SVC rbf C={C:g}", "opensmile",
                         _svc(C), {}))
    for C in (1.0, 10.0):
        rows.append((f"EGeMAPS + spk-z + SVC rbf C={C:g}", "egemaps", _svc(C), {}))
    rows.append(("EGeMAPS + spk-z + SVC linear C=0.01", "egemaps",
                 _svc(0.01, "linear"), {}))
    rows.append(("EGeMAPS + no norm + SVC rbf C=10", "egemaps", _svc(10.0),
                 {"norm": False}))
    rows.append(("rich (MFCC14+Δ, logmel26 functionals) + spk-z + SVC rbf C=10",
                 "rich", _svc(10.0), {}))
    for C in (1.0, 10.0):
        rows.append((f"fused (EGeMAPS+rich) + spk-z + SVC rbf C={C:g}", "fused",
                     _svc(C), {}))
    rows.append(("fused + spk-z + LogReg C=0.01", "fused", _lr(0.01), {}))
    rows.append(("fused + spk-z + SVC rbf C=10 + speed 0.9/1.1", "fused", _svc(10.0),
                 {"augment": True}))
    rows.append(("fused + spk-z + LogReg C=0.01 + speed 0.9/1.1", "fused", _lr(0.01),
                 {"augment": True}))
    rows.append(("EGeMAPS + spk-z + SVC rbf C=10 + speed 0.9/1.1", "egemaps",
                 _svc(10.0), {"augment": True}))
    return rows


if __name__ == "__main__":
    main()
