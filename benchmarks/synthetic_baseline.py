"""UA/WA of the MFCC-statistics + SVM baseline on the synthetic corpus.

The figures quoted in the Notes of
:func:`sklearn_ser.datasets.make_emotional_speech`: speaker-grouped 4-fold CV for
``random_state`` 0 to 4. Kept here, not in the datasets module, so that the corpus
generator imports neither the features nor the metrics.

Run: ``python benchmarks/synthetic_baseline.py``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

# run from a checkout without installing the package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from sklearn_ser.datasets import make_emotional_speech  # noqa: E402
from sklearn_ser.features import MFCC, FrameStatistics  # noqa: E402
from sklearn_ser.metrics import unweighted_accuracy, weighted_accuracy  # noqa: E402


def baseline_scores(random_state: int = 0, **kwargs: Any) -> dict[str, float]:
    """UA/WA of the MFCC-statistics + SVM baseline, speaker-grouped 4-fold CV."""
    t0 = time.perf_counter()
    data = make_emotional_speech(random_state=random_state, **kwargs)
    t_gen = time.perf_counter() - t0
    pipe = make_pipeline(
        MFCC(n_mfcc=20, deltas=1, stack="features"),
        FrameStatistics(),
        StandardScaler(),
        SVC(C=10, class_weight="balanced"),
    )
    pred = cross_val_predict(
        pipe, data.X, data.y, groups=data.speaker, cv=StratifiedGroupKFold(n_splits=4)
    )
    return {
        "UA": round(float(unweighted_accuracy(data.y, pred)), 3),
        "WA": round(float(weighted_accuracy(data.y, pred)), 3),
        "generate_s": round(t_gen, 2),
        "n": len(data.y),
    }


if __name__ == "__main__":
    print([baseline_scores(s) for s in range(5)])
