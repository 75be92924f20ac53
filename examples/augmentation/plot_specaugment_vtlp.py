"""
===================================================
SpecAugment and VTLP: augmenting to balance classes
===================================================

Two papers enlarge their small classes with modified copies of their utterances:
liu2021 applies SpecAugment (time warping, frequency and time masks; Park et al.,
2019) to the MFCCs, li2021 applies vocal-tract-length perturbation (VTLP; Jaitly and
Hinton, 2013) to the waveforms. This example shows what each does to one utterance,
then uses both as imbalanced-learn resamplers that run at fit time only.
"""

# %%
# One utterance
# -------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.features import LogMelSpectrogram

data = make_emotional_speech(n_per_class=16, n_speakers=4, random_state=0)
X, y, speaker = data.X, np.asarray(data.y), np.asarray(data.speaker)
sr = 16000
wave = np.asarray(X[0], dtype=np.float32)
logmel = LogMelSpectrogram(sr=sr, n_mels=64)
spec = logmel.fit_transform([wave])[0][0]  # (n_mels, frames)

# %%
# SpecAugment
# -----------
# :func:`~sklearn_ser.augment.spec_augment` warps the time axis (parameter ``W``),
# then masks ``n_freq_masks`` bands of up to ``F`` mel bands and ``n_time_masks``
# spans of up to ``T`` frames. Widths are clipped to the utterance.
from sklearn_ser.augment import spec_augment

fig, axes = plt.subplots(1, 4, figsize=(12, 3), sharey=True, layout="constrained")
axes[0].imshow(spec, origin="lower", aspect="auto", cmap="magma")
axes[0].set_title("original")
for k, ax in enumerate(axes[1:]):
    aug = spec_augment(spec, time_warp=20, n_freq_masks=2, freq_mask_width=12,
                       n_time_masks=2, time_mask_width=30, random_state=k)
    ax.imshow(aug, origin="lower", aspect="auto", cmap="magma")
    ax.set_title(f"SpecAugment, seed {k}")
axes[0].set_ylabel("mel band")
for ax in axes:
    ax.set_xlabel("frame")
plt.show()

# %%
# Vocal-tract-length perturbation
# -------------------------------
# :func:`~sklearn_ser.augment.vtlp_warp` maps every frequency ``f`` to ``α f`` below a
# boundary frequency and bends the rest so that the Nyquist frequency stays put;
# :func:`~sklearn_ser.augment.vtlp` applies the map to a waveform's spectrum and keeps
# its duration. ``α`` < 1 sounds like a longer vocal tract, ``α`` > 1 like a shorter
# one.
from sklearn_ser.augment import vtlp, vtlp_warp

freqs = np.linspace(0, sr / 2, 200)
fig, axes = plt.subplots(1, 4, figsize=(12, 3), layout="constrained")
for alpha in (0.9, 1.0, 1.1):
    axes[0].plot(freqs, vtlp_warp(freqs, alpha=alpha, sr=sr), label=f"α = {alpha}")
axes[0].set_xlabel("input frequency (Hz)")
axes[0].set_ylabel("warped frequency (Hz)")
axes[0].legend(fontsize="small")
for ax, alpha in zip(axes[1:], (0.9, 1.0, 1.1)):
    warped = vtlp(wave, sr=sr, alpha=alpha)
    ax.imshow(logmel.fit_transform([warped])[0][0], origin="lower", aspect="auto",
              cmap="magma")
    ax.set_title(f"VTLP, α = {alpha}")
    ax.set_xlabel("frame")
plt.show()

# %%
# Balancing an unbalanced corpus
# ------------------------------
# Keep a quarter of the utterances of every other class, as in a real corpus where
# some emotions are rare. :class:`~sklearn_ser.augment.SpecAugmentResampler` then
# brings every class to the majority count (liu2021 §2.4) from the features;
# ``sample_indices_`` tells which original each output row comes from, so the
# speakers follow the synthetic utterances.
from sklearn_ser.augment import SpecAugmentResampler
from sklearn_ser.features import MFCC

classes = np.unique(y)
rare = classes[1::2]
keep = np.concatenate([
    np.flatnonzero(y == c)[: (4 if c in rare else 16)] for c in classes
])
X_small, y_small, spk_small = X[keep], y[keep], speaker[keep]
feats = MFCC(n_mfcc=40).fit_transform(X_small)

sampler = SpecAugmentResampler(random_state=0)
feats_res, y_res = sampler.fit_resample(feats, y_small)
spk_res = spk_small[sampler.sample_indices_]
for c in classes:
    print(f"{c:<12} before {np.sum(y_small == c):3d}   after {np.sum(y_res == c):3d}")
print("speakers of the synthetic utterances:", np.unique(spk_res[len(y_small):]))

# %%
# :class:`~sklearn_ser.augment.VTLPResampler` works on waveforms, so it comes before
# the features; an integer ``sampling_strategy`` brings every class to that count,
# under-sampling the larger ones (li2021's 2 500 per class).
from sklearn_ser.augment import VTLPResampler

vtlp_sampler = VTLPResampler(sr=sr, sampling_strategy=8, random_state=0)
X_res, y_res = vtlp_sampler.fit_resample(X_small, y_small)
print({str(c): int(np.sum(y_res == c)) for c in classes})
print("warp factors drawn:", np.round(vtlp_sampler.alphas_, 3))

# %%
# Fit time only
# -------------
# Inside an :class:`imblearn.pipeline.Pipeline` a resampler runs when the pipeline is
# fitted and is skipped when it predicts, so test utterances are never augmented.
# Compare the recall of the rare classes with and without balancing, leaving one
# speaker out (an SVM without class weights, so that only the balancing differs).
from imblearn.pipeline import Pipeline
from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_ser.features import FrameStatistics
from sklearn_ser.metrics import per_class_recall

pipe = Pipeline([
    ("balance", SpecAugmentResampler(time_warp=20, time_mask_width=30,
                                     random_state=0)),
    ("stats", FrameStatistics()),
    ("scale", StandardScaler()),
    ("svm", SVC()),
])
for name, est in [("without balancing", pipe[1:]), ("with SpecAugment", pipe)]:
    pred = cross_val_predict(est, feats, y_small, groups=spk_small,
                             cv=LeaveOneGroupOut())
    report = per_class_recall(y_small, pred, labels=classes)
    rare_recall = report.recall[np.isin(report.labels, rare)].mean()
    print(f"{name:<18} WA {report.WA:.3f}  UA {report.UA:.3f}  "
          f"mean recall of the rare classes {rare_recall:.3f}")
