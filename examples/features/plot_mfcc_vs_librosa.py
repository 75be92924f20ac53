"""
=====================================
MFCC and deltas: ours against librosa
=====================================

:class:`~sklearn_ser.features.MFCC` computes librosa's MFCCs — Hamming-windowed power
spectrogram, Slaney mel filterbank, ``power_to_db`` with an 80 dB floor, orthonormal
DCT — and librosa's Savitzky–Golay deltas, but for a whole batch of utterances at
once: one FFT over all frames, one mel product, one DCT product. This example checks
that the numbers agree and compares the time taken.
"""

# %%
# Features of a few utterances
# ----------------------------
# 40 ms windows and a 10 ms hop (liu2021, liu2023): 640 and 160 samples at 16 kHz,
# an FFT of 1024 points.
import time

import librosa
import matplotlib.pyplot as plt
import numpy as np

from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.features import MFCC

data = make_emotional_speech(n_per_class=4, n_speakers=2, random_state=0)
waves = [np.asarray(w, dtype=np.float32) for w in data.X]
sr = 16000

mfcc = MFCC(sr=sr, n_mfcc=40, n_mels=40, win_ms=40, hop_ms=10, deltas=2)
t0 = time.perf_counter()
ours = mfcc.fit_transform(waves)  # ragged: one (3, 40, T_i) array per utterance
t_ours = time.perf_counter() - t0
print(f"{len(ours)} utterances; first one {ours[0].shape} (channels, n_mfcc, frames)")

# %%
# The same with librosa, one utterance at a time
# ----------------------------------------------
lib_kw = dict(sr=sr, n_mfcc=40, n_mels=40, n_fft=1024, hop_length=160,
              win_length=640, window="hamming")


def librosa_features(w):
    m = librosa.feature.mfcc(y=w, **lib_kw)
    return np.stack([m, librosa.feature.delta(m, order=1),
                     librosa.feature.delta(m, order=2)])


t0 = time.perf_counter()
ref = [librosa_features(w) for w in waves]
t_librosa = time.perf_counter() - t0

diff = max(float(np.max(np.abs(a - b))) for a, b in zip(ours, ref))
print(f"largest absolute difference over all utterances: {diff:.2e}")
print(f"time: ours {t_ours * 1e3:.0f} ms, librosa {t_librosa * 1e3:.0f} ms "
      f"({len(waves)} utterances; see benchmarks/bench_features.py for a proper timing)")

# %%
# Side by side
# ------------
# The MFCCs, the deltas and the delta-deltas of one utterance, and the difference
# between the two implementations (note its scale).
fig, axes = plt.subplots(3, 3, figsize=(9, 6), sharex=True, sharey=True,
                         layout="constrained")
for row, name in enumerate(["MFCC", "Δ", "ΔΔ"]):
    for col, (img, title) in enumerate([(ours[0][row], "sklearn_ser"),
                                        (ref[0][row], "librosa"),
                                        (ours[0][row] - ref[0][row], "difference")]):
        im = axes[row, col].imshow(img, origin="lower", aspect="auto",
                                   cmap="coolwarm" if col == 2 else "viridis")
        axes[row, col].set_title(f"{name}: {title}", fontsize="small")
        fig.colorbar(im, ax=axes[row, col])
for ax in axes[:, 0]:
    ax.set_ylabel("coefficient")
for ax in axes[-1]:
    ax.set_xlabel("frame")
plt.show()

# %%
# Layouts
# -------
# The deltas can be stacked as channels (``(3, 40, T)``, liu2023's 3-D input) or
# along the feature axis (``(1, 120, T)``, or kumar's 39-d vectors with 13
# coefficients), and ``max_frames`` returns one dense array instead of a ragged one.
as_features = MFCC(n_mfcc=13, deltas=2, stack="features").fit_transform(waves)
dense = MFCC(n_mfcc=40, max_frames=200).fit_transform(waves)
print("stack='features', 13 MFCC:", as_features[0].shape)
print("max_frames=200:", dense.shape, dense.dtype)
