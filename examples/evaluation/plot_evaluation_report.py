"""
================================================
One evaluation call, its report and a comparison
================================================

:func:`sklearn_ser.evaluation.evaluate` runs a protocol by name, checks the splits
for leakage, and returns an :class:`~sklearn_ser.evaluation.EvaluationReport`:
pooled and per-fold WA / UA, per-speaker UA, a bootstrap confidence interval over
speakers, and a record that survives JSON. :func:`~sklearn_ser.evaluation.compare`
then says whether one model beats another by more than the noise.
"""

# %%
# Two models, one protocol
# ------------------------
# MFCC statistics into an SVM with two regularisation strengths, evaluated leaving
# one speaker out of the synthetic corpus. The features are stateless, so they are
# computed once; ``audio=`` hashes the waveforms for the duplicate check.
import matplotlib.pyplot as plt
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.evaluation import EvaluationReport, compare, evaluate
from sklearn_ser.features import MFCC, FrameStatistics

data = make_emotional_speech(n_per_class=16, n_speakers=6, random_state=1)
features = MFCC(n_mfcc=20, deltas=1, stack="features").fit_transform(data.X)


def svm(C):
    return make_pipeline(FrameStatistics(), StandardScaler(), SVC(C=C))


strong = evaluate(svm(10.0), features, data.y, speaker=data.speaker,
                  protocol="loso", audio=data.X, name="SVM C=10")
weak = evaluate(svm(0.1), features, data.y, speaker=data.speaker,
                protocol="loso", audio=data.X, name="SVM C=0.1")
print(strong)
print(weak)

# %%
# The report
# ----------
# Per fold, per class, per speaker, and what the leakage checks found.
print(strong.to_markdown())

# %%
# The confusion matrix and the spread over speakers: the grey band is the 95 %
# interval of the pooled UA.
strong.plot()
plt.show()

# %%
# Is the difference real?
# -----------------------
# Both reports used the same folds, so the comparison is paired over speakers.
print(compare(strong, weak).sentence)

# %%
# A record to keep
# ----------------
# The JSON holds everything above (and the predictions); reading it back gives the
# same report.
text = strong.to_json()
print(len(text), "characters;", EvaluationReport.from_json(text) == strong)
