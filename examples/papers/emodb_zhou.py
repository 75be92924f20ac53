"""
=============================================================
zhou on EmoDB: additive margin, focal loss, attentive pooling
=============================================================

The recipe of zhou (:func:`sklearn_ser.recipes.zhou`): 40 log-Mel bands (25 ms /
10 ms) clipped or padded to 7.5 s, six convolution blocks, a BLSTM of 64 units per
direction and attention pooling into a 64-d feature, trained with early stopping
(patience 10). The paper compares the softmax baseline with the additive-margin
softmax (AMS), the focal loss and the combined attentive (mean ⊕ standard
deviation) pooling — its Table 2. Each is one call here:
``zhou(loss="ce")``, ``zhou(loss="ams")``, ``zhou(loss="focal")``,
``zhou(loss="ce", pooling="attentive_stats")``; the AMS and focal grids are
``param_grid("zhou")``.

Evaluated leave-one-speaker-out on EmoDB. This script reads EmoDB from
``$SER_DATA/emodb`` and stops with a message when it is absent;
``SER_EXAMPLE_QUICK=1`` runs two folds with two epochs.
"""

# %%
# EmoDB
# -----
import os
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import LeaveOneGroupOut

from sklearn_ser.metrics import per_class_recall, unweighted_accuracy

data_home = os.environ.get("SER_DATA")
if not data_home or not (Path(data_home) / "emodb").is_dir():
    print(
        "EmoDB not found: set SER_DATA to the folder that holds emodb/ "
        f"(SER_DATA={data_home!r}). Skipping this example."
    )
    raise SystemExit(0)

from sklearn_ser.datasets import load_emodb

emodb = load_emodb(data_home=data_home)
X = np.asarray(emodb.X, dtype=object)
y, speaker = np.asarray(emodb.y), np.asarray(emodb.speaker)
QUICK = os.environ.get("SER_EXAMPLE_QUICK") == "1"
print(f"EmoDB: {len(y)} utterances, {len(np.unique(speaker))} speakers, "
      f"{len(np.unique(y))} classes" + (" (quick run)" if QUICK else ""))


def shorten(pipe, epochs=2):
    """Cap every epoch count of a pipeline (quick runs only)."""
    keys = [k for k in pipe.get_params()
            if k.rsplit("__", 1)[-1] in ("max_epochs", "pretrain_epochs",
                                         "finetune_epochs")]
    return pipe.set_params(**{k: epochs for k in keys})


def param_ending(pipe, suffix):
    """The full name of the classifier's parameter ``suffix`` in ``pipe``.

    skorch lists ``criterion__*`` and ``module__*`` parameters only once they are
    set, so a parameter not found is addressed through the last step.
    """
    keys = [k for k in pipe.get_params() if k.endswith("__" + suffix)]
    return keys[0] if len(keys) == 1 else f"{pipe.steps[-1][0]}__{suffix}"


def loso(pipe, name):
    """Leave-one-speaker-out; per-class recall pooled over the folds run."""
    if QUICK:
        pipe = shorten(clone(pipe))
    splits = list(LeaveOneGroupOut().split(X, y, groups=speaker))
    splits = splits[:2] if QUICK else splits
    y_pred, tested = np.empty_like(y), np.zeros(len(y), dtype=bool)
    print(f"\n{name}")
    for k, (train, test) in enumerate(splits):
        t0 = time.perf_counter()
        model = clone(pipe).fit(X[train], y[train])
        y_pred[test], tested[test] = model.predict(X[test]), True
        print(f"  fold {k + 1}/{len(splits)} (speaker {speaker[test][0]}): "
              f"UA {unweighted_accuracy(y[test], y_pred[test]):.3f} "
              f"({time.perf_counter() - t0:.0f} s)")
    return per_class_recall(y[tested], y_pred[tested])


# %%
# The four systems of zhou's Table 2
# ----------------------------------
# With the paper's best settings as the recipe's defaults (AMS s = 10, m = 0.4;
# focal γ = 2, α = 2).
from sklearn_ser import recipes

systems = {
    "baseline (softmax)": recipes.zhou(loss="ce", random_state=0),
    "AMS": recipes.zhou(loss="ams", random_state=0),
    "focal": recipes.zhou(loss="focal", random_state=0),
    "combined attentive pooling": recipes.zhou(
        loss="ce", pooling="attentive_stats", random_state=0
    ),
}
print(systems["AMS"])
results = {name: loso(pipe, name) for name, pipe in systems.items()}

# %%
# Results
# -------
# Pooled over the leave-one-speaker-out folds. zhou reports, on IEMOCAP with random
# splits (UA / WA): baseline 62.3 / 61.0, AMS 66.7 / 65.6, focal 66.3 / 65.5,
# combined pooling 66.7 / 65.2 — see :doc:`/papers`.
print("\nEmoDB, leave-one-speaker-out, WA / UA pooled over "
      + ("the first 2 of 10 folds (quick run)" if QUICK else "all 10 folds")
      + "; one run with random_state=0 (one seed), no confidence "
      "interval: sklearn_ser.evaluation.evaluate gives one")
print(f"{'system':<30} {'WA':>6} {'UA':>6}")
for name, r in results.items():
    print(f"{name:<30} {r.WA:6.3f} {r.UA:6.3f}")

# %%
# The paper's grids
# -----------------
# ``recipes.param_grid("zhou")`` holds the s × m and γ × α grids of Table 2, for a
# :class:`~sklearn.model_selection.GridSearchCV` with speaker-grouped folds, e.g.::
#
#     search = GridSearchCV(recipes.zhou(loss="ams"), recipes.param_grid("zhou"),
#                           cv=StratifiedGroupKFold(3), scoring=ser_scorers(),
#                           refit="UA")
#     search.fit(X, y, groups=speaker)
