"""``sklearn-ser demo``: speaker-independent cross-validation, synthetic corpus."""

from __future__ import annotations

import argparse
import time
from functools import partial

from ._progress import _progress


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


def cmd_demo(args: argparse.Namespace) -> int:
    import numpy as np
    from sklearn.model_selection import StratifiedGroupKFold

    from sklearn_ser.datasets import make_emotional_speech
    from sklearn_ser.metrics import (
        per_class_recall,
        unweighted_accuracy,
        weighted_accuracy,
    )

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
