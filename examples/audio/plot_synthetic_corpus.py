"""
==========================================
The synthetic emotional-speech corpus
==========================================

:func:`~sklearn_ser.datasets.make_emotional_speech` synthesises speech-like voiced
signals — a glottal pulse train through formant filters, with jitter, shimmer and
noise — whose pitch, energy, tempo and spectral tilt follow each emotion's prosodic
profile, with per-speaker variation. It is deterministic for a ``random_state``,
needs no files, and is what the demo, the tests and this gallery use.

This example looks at it the way one looks at a real corpus: class and speaker
counts, one utterance per emotion, and the prosodic cues that separate them.
"""

# %%
# Counts
# ------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_ser.datasets import make_emotional_speech

data = make_emotional_speech(n_per_class=12, n_speakers=4, random_state=0)
X, y, speaker = data.X, np.asarray(data.y), np.asarray(data.speaker)
sr = 16000

classes = np.asarray(data.target_names)
print("utterances per class:")
for c in classes:
    print(f"  {c:<12} {np.sum(y == c):3d}")
print("speakers:", ", ".join(map(str, np.unique(speaker))))
durations = np.array([len(w) / sr for w in X])
print(f"duration: {durations.min():.2f} s to {durations.max():.2f} s")

# %%
# One utterance per emotion
# -------------------------
# The waveform and its log-Mel spectrogram
# (:class:`~sklearn_ser.features.LogMelSpectrogram`, 40 bands, 25 ms / 10 ms as zhou
# uses). Frequency is on axis −2 and time on axis −1 of every feature array.
from sklearn_ser.features import LogMelSpectrogram

first = [int(np.flatnonzero(y == c)[0]) for c in classes]
logmel = LogMelSpectrogram(sr=sr, n_mels=40, win_ms=25, hop_ms=10).fit_transform(
    [X[i] for i in first]
)

fig, axes = plt.subplots(2, len(classes), figsize=(2.2 * len(classes), 4.2),
                         sharey="row", layout="constrained")
for k, (i, c) in enumerate(zip(first, classes)):
    w = np.asarray(X[i])
    axes[0, k].plot(np.arange(len(w)) / sr, w, lw=0.4)
    axes[0, k].set_title(str(c))
    axes[0, k].set_xlabel("s")
    axes[1, k].imshow(logmel[k][0], origin="lower", aspect="auto", cmap="magma")
    axes[1, k].set_xlabel("frame")
axes[0, 0].set_ylabel("amplitude")
axes[1, 0].set_ylabel("mel band")
plt.show()

# %%
# Prosodic cues
# -------------
# Two cues any listener uses — loudness and speaking time — differ between the
# emotions, and differ between speakers too: that is why the evaluation must keep
# speakers apart (:doc:`/pitfalls`).
rms_db = np.array([20 * np.log10(np.sqrt(np.mean(np.square(w))) + 1e-12) for w in X])

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for c in classes:
    m = y == c
    ax.scatter(durations[m], rms_db[m], label=str(c), s=18)
ax.set_xlabel("duration (s)")
ax.set_ylabel("RMS level (dB)")
ax.legend(fontsize="small", ncols=2)
plt.show()

# %%
# Loading audio
# -------------
# Every transformer calls :func:`~sklearn_ser.datasets.load_audio` on its input: a
# file path or a waveform becomes mono float32 at the transformer's ``sr``. A
# waveform at another rate is resampled when its rate is given.
from sklearn_ser.datasets import load_audio

w8k = load_audio(X[0], sr=8000, orig_sr=sr)
print(f"{len(X[0])} samples at 16 kHz -> {len(w8k)} samples at 8 kHz ({w8k.dtype})")
