"""
==========================================
A CNN-LSTM trained with the joint loss
==========================================

liu2021's model: four convolutions collapse the MFCC axis, a bidirectional LSTM reads
the frames, a linear layer classifies; the loss is
``α · triplet + (1 − α) · cross-entropy`` with α = 0.3, on class-balanced batches so
that every anchor has positives. The classifier cuts each utterance into segments,
trains on the segments and averages the segments' probabilities per utterance — the
scikit-learn sample stays the utterance.

The network and the number of epochs are cut down so that the example runs in seconds
on a CPU; the figures are not those of a full training.
"""

# %%
# Features and a speaker-independent split
# ----------------------------------------
# The MFCC transformer is stateless, so computing the features once before splitting
# leaks nothing. The split keeps the speakers of the test set out of training.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GroupShuffleSplit

from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.features import MFCC

data = make_emotional_speech(
    n_per_class=20, n_speakers=5, classes=("anger", "happiness", "neutral", "sadness"),
    random_state=0,
)
y, speaker = np.asarray(data.y), np.asarray(data.speaker)
X = MFCC(n_mfcc=20).fit_transform(data.X)  # one (1, 20, T_i) array per utterance

train, test = next(GroupShuffleSplit(test_size=0.4, random_state=0)
                   .split(X, y, groups=speaker))
print(f"train: {len(train)} utterances of speakers {np.unique(speaker[train])}")
print(f"test:  {len(test)} utterances of speakers {np.unique(speaker[test])}")

# %%
# The classifier
# --------------
# :class:`~sklearn_ser.models.CNNLSTMClassifier` has liu2021's layer sizes, loss and
# optimiser as defaults. Here the network is narrowed (``module__*``), segments are
# 1 s long (100 frames) every 0.5 s, and a larger learning rate makes up for few
# epochs. ``verbose=1`` would print a line per epoch.
from sklearn_ser.models import CNNLSTMClassifier

clf = CNNLSTMClassifier(
    loss="joint",
    criterion__alpha=0.3,
    criterion__margin=0.2,
    module__conv_channels=(4, 8, 16),
    module__cnn_out_channels=16,
    module__lstm_hidden=16,
    segment_frames=100,
    train_hop=50,
    test_hop=50,
    optimizer__lr=1e-2,
    max_epochs=20,
    random_state=0,
)
clf.fit(X[train], y[train])

# %%
# Utterance-level results
# -----------------------
from sklearn_ser.metrics import per_class_recall
from sklearn_ser.plotting import ConfusionMatrixDisplay

y_pred = clf.predict(X[test])
print(per_class_recall(y[test], y_pred, labels=clf.classes_).text)
ConfusionMatrixDisplay.from_predictions(y[test], y_pred, labels=clf.classes_)

# %%
# Training history
# ----------------
# skorch's history holds the loss of every epoch and, with a triplet term, the
# fraction of triplets still violating the margin ("active").
history = clf.history_
epochs = history[:, "epoch"]
fig, axes = plt.subplots(1, 2, figsize=(9, 3), layout="constrained")
axes[0].plot(epochs, history[:, "train_loss"])
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("joint loss")
if "active_triplets" in history[0]:
    axes[1].plot(epochs, history[:, "active_triplets"])
axes[1].set_xlabel("epoch")
axes[1].set_ylabel("fraction of active triplets")
plt.show()

# %%
# The embedding space
# -------------------
# ``transform`` returns one embedding per utterance (the mean over its segments).
# A t-SNE map of the test speakers' utterances shows how the triplet term groups the
# classes.
from sklearn_ser.plotting import EmbeddingDisplay

EmbeddingDisplay.from_estimator(clf, X[test], y[test], method="tsne", perplexity=10,
                                random_state=0)
plt.show()
