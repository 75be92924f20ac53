"""
=========================================
Classifying by angle: cosine embeddings
=========================================

kumar trains a residual Conv1D network in two phases — softmax pre-training, then
triplet fine-tuning with the cosine distance — on 10-frame windows of 13 MFCC + Δ +
ΔΔ, and classifies an utterance into the class whose embedding makes the smallest
angle with its own. The geometry of the embedding space is the model: its Tables
II–III print the angles between class embeddings, Tables VI–VII their spread.

:class:`~sklearn_ser.models.CosineEmbeddingClassifier` does the same; a small network
and a few epochs keep this example to seconds.
"""

# %%
# kumar's features
# ----------------
# 13 MFCC with Δ and ΔΔ stacked along the feature axis: 39 values per frame, silence
# trimmed first.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GroupShuffleSplit

from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.features import MFCC

data = make_emotional_speech(
    n_per_class=12, n_speakers=4, classes=("anger", "happiness", "neutral", "sadness"),
    random_state=3,
)
y, speaker = np.asarray(data.y), np.asarray(data.speaker)
X = MFCC(n_mfcc=13, deltas=2, stack="features", trim_silence=True).fit_transform(data.X)
print("features of the first utterance:", X[0].shape)

train, test = next(GroupShuffleSplit(test_size=0.5, random_state=0)
                   .split(X, y, groups=speaker))

# %%
# Two-phase training
# ------------------
from sklearn_ser.metrics import per_class_recall
from sklearn_ser.models import CosineEmbeddingClassifier

clf = CosineEmbeddingClassifier(
    pretrain_epochs=4,
    finetune_epochs=4,
    early_stopping=None,
    module__channels=16,
    random_state=0,
)
clf.fit(X[train], y[train])
print(per_class_recall(y[test], clf.predict(X[test]), labels=clf.classes_).text)

# %%
# Angles between class embeddings
# -------------------------------
# :class:`~sklearn_ser.plotting.AngleHeatmapDisplay` draws kumar's Tables II–III for
# the test speakers' utterances: the class embeddings are the mean directions of
# their utterances' embeddings; ``diagonal="intra"`` puts the mean angle between a
# class's utterances and its embedding on the diagonal, as kumar prints it.
from sklearn_ser.plotting import AngleHeatmapDisplay

AngleHeatmapDisplay.from_estimator(clf, X[test], y[test], diagonal="intra")
plt.show()

# %%
# Spread of the angles
# --------------------
# kumar Tables VI–VII: how much the angles of a class's utterances vary — to their
# own class embedding (intra-class) and to the other classes' (inter-class).
from sklearn_ser.metrics import angle_deviation

dev = angle_deviation(clf.transform(X[test]), y[test])
for label, intra, inter in zip(dev.labels, dev.intra, dev.inter):
    print(f"{label:<12} intra {intra:6.2f}°   inter {inter:6.2f}°")
