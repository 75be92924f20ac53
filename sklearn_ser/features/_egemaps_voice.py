"""Compiled voice-quality kernels of :class:`~sklearn_ser.features.EGeMAPS`:
harmonic levels (H1-H2, H1-A3, formant amplitudes) and the autocorrelation HNR,
as openSMILE's ``cHarmonics`` computes them (numba, ``nogil``)."""

from __future__ import annotations

import math

import numpy as np

from sklearn_ser.utils._numba import cached_njit

__all__ = ["harmonics", "hnr_from_acf"]


# openSMILE's cHarmonics counts the harmonics of "H1-H2" and "H1-A3" from 0, so
# its "H1" is the second harmonic (index 1) and "H2" the third; eGeMAPSv02's
# values are those, and so are ours
H1 = 1


@cached_njit(nogil=True)
def _is_peak(x, n):
    m = x.shape[0]
    if n < 0 or n >= m:
        return False
    if n + 1 < m:
        if n > 0:
            return x[n] > x[n - 1] and x[n] > x[n + 1]
        return x[0] > x[1]
    return n > 0 and x[n] > x[n - 1]


@cached_njit(nogil=True)
def _bin(freq, df, n_bins):
    """Nearest FFT bin of ``freq`` (0 past the last bin)."""
    if freq >= df * (n_bins - 1):
        return 0
    return max(int(math.floor(freq / df + 0.5)), 0)


@cached_njit(nogil=True)
def harmonics(mag, f0, formants, df, n_harm, h1h2, h1a3, famp):
    """Harmonic descriptors of every frame of the magnitude spectrum ``mag``
    (frames x bins, ``df`` Hz apart) at pitch ``f0`` (0: unvoiced):

    * harmonics 1..``n_harm``: the spectral peak nearest ``h * f0`` (within half
      an F0 either side), its level relative to the first harmonic in dB;
    * ``h1h2``: H1 - H2 (dB); ``h1a3``: H1 minus the strongest harmonic within
      20 % of F3 (-201 when there is none); ``famp[:, i]``: the level of the
      strongest harmonic within 20 % of formant ``i`` relative to H1 (0 when
      there is none, -201 when unvoiced), as openSMILE's ``cHarmonics``."""
    n_frames, n_bins = mag.shape
    h_bin = np.empty(n_harm, dtype=np.int64)
    h_mag = np.empty(n_harm)
    h_freq = np.empty(n_harm)
    h_rel = np.empty(n_harm)
    for t in range(n_frames):
        f = f0[t]
        if f <= 0.0:
            h1h2[t] = 0.0
            h1a3[t] = 0.0
            for i in range(famp.shape[1]):
                famp[t, i] = -201.0
            continue
        x = mag[t]
        first = _bin(0.5 * f, df, n_bins)
        for i in range(n_harm):
            cand = _bin((i + 1) * f, df, n_bins)
            peak = -1
            if _is_peak(x, cand):
                peak = cand
            else:
                lo = _bin((i + 0.5) * f, df, n_bins)
                hi = _bin((i + 1.5) * f, df, n_bins)
                left, right = cand - 1, cand + 1
                while (left >= lo or right <= hi) and peak == -1:
                    if right <= hi:
                        if _is_peak(x, right):
                            peak = right
                            break
                        right += 1
                    if left >= lo:
                        if _is_peak(x, left):
                            peak = left
                            break
                        left -= 1
            if peak >= first and 0 < peak < n_bins - 1:
                a, b, c = x[peak - 1], x[peak], x[peak + 1]
                den = a - 2.0 * b + c
                d = 0.5 * (a - c) / den if den != 0.0 else 0.0
                h_bin[i] = peak
                h_mag[i] = b
                h_freq[i] = (peak + d) * df
                h_rel[i] = b - 0.25 * (a - c) * d  # interpolated magnitude
            else:
                h_bin[i] = cand
                h_mag[i] = 0.0
                h_freq[i] = 0.0
                h_rel[i] = 0.0
        ref = h_mag[0]
        for i in range(1, n_harm):
            if ref > 0.0 and h_rel[i] > 0.0:
                h_rel[i] = max(20.0 * (math.log10(h_rel[i]) - math.log10(ref)), -200.0)
            elif ref > 0.0:
                h_rel[i] = -200.0
            else:
                h_rel[i] = -201.0
            if h_bin[i] == h_bin[i - 1]:
                h_bin[i] = 0
                h_mag[i] = 0.0
                h_freq[i] = 0.0
                h_rel[i] = -201.0
        h_rel[0] = 0.0
        h1h2[t] = min(max(h_rel[H1] - h_rel[H1 + 1], -201.0), 201.0)
        for k in range(formants.shape[1]):
            fc = formants[t, k]
            best = -1
            best_mag = 0.0
            for i in range(n_harm):
                if 0.8 * fc <= h_freq[i] <= 1.2 * fc and h_mag[i] > best_mag:
                    best, best_mag = i, h_mag[i]
            if k < famp.shape[1]:
                famp[t, k] = h_rel[best] if best >= 0 else 0.0
            if k == 2:
                if best >= 0:
                    h1a3[t] = min(max(h_rel[H1] - h_rel[best], -201.0), 201.0)
                else:
                    h1a3[t] = min(max(h_rel[H1] - 201.0, -201.0), 201.0)


@cached_njit(nogil=True)
def hnr_from_acf(acf, f0, sr, out):
    """HNR ``10 log10(r(T0) / (r(0) - r(T0)))`` of every frame's autocorrelation
    ``acf``, at its peak nearest the F0 period (0 when unvoiced)."""
    n_frames, n = acf.shape
    for t in range(n_frames):
        if f0[t] <= 0.0:
            out[t] = 0.0
            continue
        a = acf[t]
        idx = int(math.floor(sr / f0[t]))
        if idx >= n:
            idx = n - 1
        p = -1
        if _is_peak(a, idx):
            p = idx
        else:
            o = 1
            while idx - o > 0 or idx + o < n - 1:
                if idx - o > 0 and _is_peak(a, idx - o):
                    p = idx - o
                    break
                if idx + o < n - 1 and _is_peak(a, idx + o):
                    p = idx + o
                    break
                o += 1
            if p < 0:
                p = idx
        if p <= 0:
            out[t] = 0.0
            continue
        d = a[0] - a[p]
        r = 1e11 if d == 0.0 else a[p] / d
        r = min(max(r, 1e-9), 1e11)
        out[t] = 10.0 * math.log10(r)
