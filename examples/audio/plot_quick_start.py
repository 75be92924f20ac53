"""
===========
Quick start
===========

The whole data flow of sklearn_ser in a few lines: generate the synthetic
emotional-speech corpus, evaluate a classic MFCC-statistics + SVM pipeline
**speaker-independently**, and report WA (accuracy) and UA (mean per-class recall)
with the per-class recall and the confusion matrix.
"""

# %%
# The corpus
# ----------
# :func:`~sklearn_ser.datasets.make_emotional_speech` returns a
# :class:`~sklearn.utils.Bunch` like the corpus loaders do: ``X`` holds one waveform
# (16 kHz) per utterance, ``y`` the emotions, ``speaker`` the speakers. With a real
# corpus, ``load_emodb()`` gives the same fields, with file paths in ``X``.
import numpy as np

from sklearn_ser.datasets import make_emotional_speech

data = make_emotional_speech(n_per_class=16, n_speakers=6, random_state=0)
X, y, speaker = data.X, np.asarray(data.y), np.asarray(data.speaker)
print(f"{len(X)} utterances, {len(np.unique(speaker))} speakers")
print("classes:", ", ".join(map(str, data.target_names)))

# %%
# A pipeline
# ----------
# MFCCs with their deltas, stacked along the feature axis, give one
# ``(1, 40, n_frames)`` array per utterance; :class:`~sklearn_ser.features.FrameStatistics`
# summarises the frames (mean, standard deviation, extremes, skewness, kurtosis) into
# one row per utterance for a standardised SVM.
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_ser.features import MFCC, FrameStatistics

pipe = make_pipeline(
    MFCC(n_mfcc=20, deltas=1, stack="features"),
    FrameStatistics(),
    StandardScaler(),
    SVC(C=10.0, class_weight="balanced"),
)
pipe

# %%
# Speaker-independent cross-validation
# ------------------------------------
# The speakers are the ``groups``: :class:`~sklearn.model_selection.StratifiedGroupKFold`
# keeps every speaker's utterances in one fold, so each test fold holds speakers the
# model has never heard. :func:`~sklearn_ser.metrics.ser_scorers` gives WA and UA.
from sklearn.model_selection import StratifiedGroupKFold, cross_validate

from sklearn_ser.metrics import ser_scorers

cv = StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=0)
scores = cross_validate(pipe, X, y, groups=speaker, cv=cv, scoring=ser_scorers())
print("mean ± std over the 3 speaker-disjoint folds (synthetic corpus, one run):")
print(f"WA {scores['test_WA'].mean():.3f} ± {scores['test_WA'].std():.3f}")
print(f"UA {scores['test_UA'].mean():.3f} ± {scores['test_UA'].std():.3f}")
print(f"chance UA {1 / len(data.target_names):.3f}")

# %%
# Per-class recall and the confusion matrix
# -----------------------------------------
# The predictions of every test fold, pooled, give the per-class table the papers
# print, and a confusion matrix whose diagonal is the per-class recall.
from sklearn.model_selection import cross_val_predict

from sklearn_ser.metrics import per_class_recall
from sklearn_ser.plotting import ConfusionMatrixDisplay

y_pred = cross_val_predict(pipe, X, y, groups=speaker, cv=cv)
print(per_class_recall(y, y_pred, labels=data.target_names).text)

ConfusionMatrixDisplay.from_predictions(y, y_pred, labels=data.target_names)
