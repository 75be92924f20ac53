"""
===================================================
Searching the joint loss: triplet weight and margin
===================================================

liu2021 (Fig. 3) and liu2023 (Fig. 3) tune two numbers of the joint loss
``α · triplet + (1 − α) · cross-entropy``: the weight α of the triplet term and the
triplet margin M. Both are constructor arguments of the loss, so a
:class:`~sklearn.model_selection.GridSearchCV` reaches them as
``criterion__alpha`` and ``criterion__margin`` — and α = 0 is exactly the
cross-entropy baseline, so the grid holds the ablation "without triplet loss" too.

A tiny network and two epochs keep this to seconds; on real data use the papers'
grids (:func:`sklearn_ser.recipes.param_grid`) and full training.
"""

# %%
# Features, once
# --------------
# MFCC is stateless, so the features are computed once outside the search.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.features import MFCC

data = make_emotional_speech(
    n_per_class=12, n_speakers=4, classes=("anger", "happiness", "neutral", "sadness"),
    random_state=0,
)
y, speaker = np.asarray(data.y), np.asarray(data.speaker)
X = MFCC(n_mfcc=20).fit_transform(data.X)

# %%
# The search
# ----------
# Folds are grouped by speaker. Inside a search keep ``verbose=0`` and
# ``train_split=None`` (the defaults): a validation split inside every fit would cut
# segments of one utterance apart, and per-epoch output from parallel fits
# interleaves.
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold

from sklearn_ser.metrics import ser_scorers
from sklearn_ser.models import CNNLSTMClassifier

clf = CNNLSTMClassifier(
    loss="joint",
    module__conv_channels=(4, 8, 16),
    module__cnn_out_channels=16,
    module__lstm_hidden=16,
    segment_frames=100,
    train_hop=100,
    test_hop=50,
    optimizer__lr=1e-2,
    max_epochs=6,
    random_state=0,
)
# The margin means nothing at α = 0 (pure cross-entropy), so a list of two grids
# fits that model once instead of once per margin.
alphas, margins = [0.0, 0.3, 0.6], [0.1, 0.4]
grid = [
    {"criterion__alpha": [0.0]},
    {"criterion__alpha": alphas[1:], "criterion__margin": margins},
]
search = GridSearchCV(
    clf, grid, cv=StratifiedGroupKFold(n_splits=2, shuffle=True, random_state=0),
    scoring=ser_scorers(), refit="UA",
)
search.fit(X, y, groups=speaker)
print("best:", search.best_params_, f"UA {search.best_score_:.3f}")

# %%
# The grid as a heat-map
# ----------------------
# The α = 0 row is one model (the cross-entropy baseline), repeated across margins.
res = search.cv_results_
ua = np.empty((len(alphas), len(margins)))
for params, score in zip(res["params"], res["mean_test_UA"]):
    row = alphas.index(params["criterion__alpha"])
    if "criterion__margin" in params:
        ua[row, margins.index(params["criterion__margin"])] = score
    else:
        ua[row, :] = score

fig, ax = plt.subplots(figsize=(4.5, 3.5), layout="constrained")
im = ax.imshow(ua, cmap="viridis", origin="lower")
ax.set_xticks(range(len(margins)), [str(m) for m in margins])
ax.set_yticks(range(len(alphas)), [str(a) for a in alphas])
ax.set_xlabel("margin M (criterion__margin)")
ax.set_ylabel("α (criterion__alpha)")
for i in range(len(alphas)):
    for j in range(len(margins)):
        dark = ua[i, j] < (ua.min() + ua.max()) / 2
        ax.text(j, i, f"{ua[i, j]:.2f}", ha="center", va="center",
                color="w" if dark else "k")
fig.colorbar(im, label="mean UA over folds")
plt.show()

# %%
# In a pipeline
# -------------
# With the features inside an (imbalanced-learn) pipeline the names get the step's
# prefix, and the search needs the raw audio::
#
#     pipe = Pipeline([("mfcc", MFCC(n_mfcc=40)), ("clf", CNNLSTMClassifier())])
#     grid = [{"clf__criterion__alpha": [0.0]},
#             {"clf__criterion__alpha": [0.1, 0.3, 0.5],
#              "clf__criterion__margin": [0.1, 0.2, 0.4]}]
#     GridSearchCV(pipe, grid, cv=StratifiedGroupKFold(5), scoring=ser_scorers(),
#                  refit="UA").fit(data.X, y, groups=speaker)
