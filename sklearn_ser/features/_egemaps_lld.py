"""The 25 eGeMAPSv02 low-level descriptors of one utterance, in numpy and numba.

Frames as openSMILE's eGeMAPSv02 configuration lays them out: every 10 ms, frame
``t`` starting at sample ``t * hop`` (not centred); pitch, harmonics and HNR from
60 ms Gaussian-windowed frames (sigma 0.4), energy, loudness, spectral shape,
MFCC and formants from 20 ms Hamming-windowed frames starting at the same sample.
An utterance of ``n`` samples has ``1 + (n - win60) // hop`` frames.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from sklearn_ser.features import _egemaps_kernels as K
from sklearn_ser.features import _egemaps_voice as V

__all__ = ["LLD_NAMES", "lld_frames"]

# openSMILE's names of the 25 LLDs in its LLD-level output order
LLD_NAMES = [
    "Loudness_sma3",
    "alphaRatio_sma3",
    "hammarbergIndex_sma3",
    "slope0-500_sma3",
    "slope500-1500_sma3",
    "spectralFlux_sma3",
    "mfcc1_sma3",
    "mfcc2_sma3",
    "mfcc3_sma3",
    "mfcc4_sma3",
    "F0semitoneFrom27.5Hz_sma3nz",
    "jitterLocal_sma3nz",
    "shimmerLocaldB_sma3nz",
    "HNRdBACF_sma3nz",
    "logRelF0-H1-H2_sma3nz",
    "logRelF0-H1-A3_sma3nz",
    "F1frequency_sma3nz",
    "F1bandwidth_sma3nz",
    "F1amplitudeLogRelF0_sma3nz",
    "F2frequency_sma3nz",
    "F2bandwidth_sma3nz",
    "F2amplitudeLogRelF0_sma3nz",
    "F3frequency_sma3nz",
    "F3bandwidth_sma3nz",
    "F3amplitudeLogRelF0_sma3nz",
]
N_ENERGY = 10  # the first 10 LLDs are smoothed over all frames, the rest voiced only

_EPS = 1e-10
# eGeMAPSv02's pitch settings: voicing threshold of the candidates; Hermes'
# peak enhancement and smoothing of the spectrum before the subharmonic sum;
# the Viterbi weights (local, voiced-voiced, its delta term, voiced-unvoiced,
# threshold crossing, frequency range)
VOICING = 0.7
ENHANCE, SMOOTH = True, True
VITERBI = (2.0, 10.0, 10.0, 10.0, 4.0, 1.0)


def _next_pow2(n: int) -> int:
    return 1 << max(0, int(n - 1).bit_length())


class Analysis:
    """Windows, filterbanks and grids for one sample rate (cached)."""

    def __init__(self, sr: int):
        self.sr = sr
        self.hop = int(round(0.010 * sr))
        self.win60 = int(round(0.060 * sr))
        self.win20 = int(round(0.020 * sr))
        self.nfft60 = _next_pow2(self.win60)
        self.nfft20 = _next_pow2(self.win20)
        n = self.win60
        # openSMILE's Gaussian window, sigma 0.4 of the half length
        k = np.arange(n)
        self.gauss = np.exp(-0.5 * ((k - (n - 1) / 2) / (0.4 * (n - 1) / 2)) ** 2)
        self.hamming = np.hamming(self.win20)
        self.freqs20 = np.fft.rfftfreq(self.nfft20, 1.0 / sr)
        fmax = min(8000.0, sr / 2)
        # PLP's equal-loudness curve (Hermansky 1990, with its term for high
        # frequencies) at the band centres
        mel_c = 1127.0 * np.log1p(np.array([20.0, fmax]) / 700.0)
        m = mel_c[0] + (mel_c[1] - mel_c[0]) * np.arange(1, 27) / 27
        w2 = (2 * np.pi * 700.0 * np.expm1(m / 1127.0)) ** 2
        self.eql = (w2 + 56.8e6) * w2**2 / (
            (w2 + 6.3e6) ** 2 * (w2 + 0.38e9) * (w2**3 + 9.58e26)
        )
        self.eql /= 32768.0**2  # the filterbank below is scaled to 16-bit power
        # MFCC: HTK's filterbank, on the power scaled to 16-bit integers, floored
        # at 1 before the log (as HTK does)
        self.mel_htk = _htk_mel_filterbank(sr, self.nfft20, 26, 20.0, fmax) * 32768.0**2
        # HTK DCT-II and cepstral lifter 22 for mfcc1..4
        j = np.arange(26)
        c = np.arange(1, 5)
        self.dct = np.sqrt(2.0 / 26) * np.cos(np.pi * c[:, None] * (j[None] + 0.5) / 26)
        self.dct *= (1 + 11.0 * np.sin(np.pi * c / 22.0))[:, None]
        f = self.freqs20
        # openSMILE's cSpectral bands: alpha ratio 0-1 kHz against 1-5 kHz,
        # Hammarberg index 0-2 kHz against 2-5 kHz, flux over the bins below 5 kHz
        self.band_0_1k = f < 1000
        self.band_1k_5k = (f >= 1000) & (f <= 5000)
        self.band_0_2k = f < 2000
        self.band_2k_5k = (f >= 2000) & (f <= 5000)
        self.band_flux = f < 5000
        self.slopes = [_slope_weights(f, lo, hi) for lo, hi in ((0, 500), (500, 1500))]
        # log2 axis for the subharmonic summation: 25 Hz .. Nyquist
        n_bins = self.nfft60 // 2 + 1
        self.oct_lo = math.log2(25.0)
        oct_hi = math.log2(sr / 2)
        self.oct_step = (oct_hi - self.oct_lo) / (n_bins - 1)
        # points per octave as openSMILE counts them (points / octaves)
        ppo = n_bins / (oct_hi - self.oct_lo)
        # natural cubic spline through the bins (log2 frequency abscissae; bin 0
        # extrapolated), evaluated at the log-axis points: a linear operator,
        # kept sparse (the weights decay by ~0.27 per bin away from a point)
        from scipy.interpolate import CubicSpline
        from scipy.sparse import csr_matrix

        src = np.log2(np.maximum(np.arange(n_bins), 1) * (sr / self.nfft60))
        src[0] = 2 * src[1] - src[2]
        dst = self.oct_lo + self.oct_step * np.arange(n_bins)
        op = CubicSpline(src, np.eye(n_bins), bc_type="natural")(dst)
        op[np.abs(op) < 1e-7] = 0.0
        self.to_log = csr_matrix(op.T)
        # Hermes' auditory sensitivity weighting, an arctan over the octaves
        # (centred 0.38 octave above the axis' 25 Hz start, as openSMILE places it)
        centre = ppo * math.log2(65.0 / 50.0) - 1.0
        pos = np.arange(n_bins) + 1 - centre
        self.aud_w = 0.5 + np.arctan(3.0 * pos / ppo) / np.pi
        h = np.arange(2, 16)
        self.shs_shifts = np.floor(ppo * np.log2(h)).astype(np.int64)
        self.shs_weights = 0.85 ** (h - 1.0)
        # LPC on the spectrum up to 5.5 kHz (openSMILE resamples to 11 kHz)
        # openSMILE's route to its formant LPC: the 20 ms frame, centred in the
        # zero-padded FFT, "resampled" to 11 kHz by an inverse DFT of
        # n_out = 220 samples (20 ms at 11 kHz) over a period of nfft * 11000 / sr
        # samples, from the lowest n_out / 2 bins (each, the DC one included,
        # counted twice): a linear map of the spectrum, kept as a matrix
        self.lpc_sr = 11000.0
        n_out = int(round(self.nfft20 * 11000.0 / sr * self.win20 / self.nfft20))
        period = self.nfft20 * 11000.0 / sr
        k = np.arange(min(n_out // 2, self.nfft20 // 2 + 1))[:, None]
        self.lpc_basis = np.exp(2j * np.pi * k * np.arange(n_out)[None] / period)
        self.lpc_basis *= 2.0 / self.nfft20
        self.pad20 = (self.nfft20 - self.win20) // 2


def _slope_weights(f: np.ndarray, lo: float, hi: float):
    """Bins, weights and ``N`` of openSMILE's spectral slope over ``lo..hi`` Hz:
    the end bins weighted by how much of them lies in the band, and ``N`` the
    distance between the end bins (one less than their count, as it has it)."""
    n = f.shape[0]
    ii = int(np.searchsorted(f, lo, side="right"))  # first bin above lo
    w_lo = (f[ii] - lo) / (f[ii] - f[ii - 1]) if 0 < ii < n else 1.0
    i_lo = min(max(ii - 1, 0), n - 1)
    ii = int(np.searchsorted(f, hi, side="left"))  # first bin at or above hi
    w_hi = (hi - f[ii - 1]) / (f[ii] - f[ii - 1]) if 0 < ii < n else 1.0
    i_hi = min(ii if (ii < n and f[ii] == hi) else ii - 1, n - 1)
    w = np.ones(i_hi - i_lo + 1)
    w[0] = w_lo if w_lo != 0.0 else 1.0
    w[-1] = w_hi if w_hi != 0.0 else 1.0
    fw = f[i_lo : i_hi + 1] * w
    # Sum(f w), Sum(f^2) (ends weighted inside the square), weights for the sums
    sf = fw.sum()
    s2f = (fw**2).sum()
    return slice(i_lo, i_hi + 1), w, fw, float(i_hi - i_lo), sf, s2f


def _htk_mel_filterbank(sr: int, n_fft: int, n_bands: int, lo: float, hi: float):
    """HTK's mel filterbank (as openSMILE's ``htkcompatible`` cMelspec builds
    it): triangles linear in mel between equally spaced mel centres; FFT bin
    ``k`` (1-based, at ``(k - 1) sr / n_fft`` Hz) from ``int(lo / df + 2.5)`` to
    ``int(hi / df + 0.5)`` shares itself between the two channels around it.
    Returns ``(n_fft // 2 + 1, n_bands)`` weights."""
    df = sr / n_fft
    mel = lambda f: 1127.0 * np.log1p(f / 700.0)  # noqa: E731
    m_lo, m_hi = mel(lo), mel(hi)
    centres = m_lo + (m_hi - m_lo) * np.arange(1, n_bands + 2) / (n_bands + 1)
    k_lo = int(lo / df + 2.5)
    k_hi = min(n_fft // 2, int(hi / df + 0.5))
    w = np.zeros((n_fft // 2 + 1, n_bands))
    chan = 0
    for k in range(k_lo, k_hi + 1):
        m = mel((k - 1) * df)
        while chan < n_bands and centres[chan] < m:
            chan += 1
        left = centres[chan - 1] if chan > 0 else m_lo
        lower = (centres[chan] - m) / (centres[chan] - left) if chan <= n_bands else 0.0
        if chan > 0:
            w[k - 1, chan - 1] += lower
        if chan < n_bands:
            w[k - 1, chan] += 1.0 - lower
    return w


@functools.lru_cache(maxsize=8)
def analysis(sr: int) -> Analysis:
    return Analysis(sr)


def n_frames(n_samples: int, sr: int) -> int:
    a = analysis(sr)
    return 1 + (n_samples - a.win60) // a.hop


def _frames(y: np.ndarray, start: np.ndarray, win: int) -> np.ndarray:
    """Frames of ``win`` samples starting at ``start`` (zero past the end)."""
    need = int(start[-1]) + win
    if need > y.shape[0]:
        y = np.concatenate([y, np.zeros(need - y.shape[0], dtype=y.dtype)])
    return np.lib.stride_tricks.sliding_window_view(y, win)[start]


def _levinson(r: np.ndarray, order: int) -> np.ndarray:
    """LPC coefficients ``a`` (``a[:, 0] = 1``) of every row of autocorrelations."""
    n = r.shape[0]
    a = np.zeros((n, order + 1))
    a[:, 0] = 1.0
    err = r[:, 0].copy()
    for i in range(1, order + 1):
        acc = r[:, i] + np.einsum("nj,nj->n", a[:, 1:i], r[:, i - 1 : 0 : -1])
        k = -acc / np.maximum(err, _EPS)
        prev = a[:, 1:i].copy()
        a[:, 1:i] = prev + k[:, None] * prev[:, ::-1]
        a[:, i] = k
        err = err * (1.0 - k * k)
    return a


def _formants(frames20: np.ndarray, an: Analysis) -> tuple[np.ndarray, np.ndarray]:
    """F1..F3 frequency and bandwidth (Hz) by LPC (order 11, autocorrelation
    method) of the Hamming-windowed 20 ms frames taken to 11 kHz as openSMILE's
    eGeMAPS takes them (see ``Analysis``)."""
    n = frames20.shape[0]
    freq = np.zeros((n, 3))
    bw = np.zeros((n, 3))
    if n == 0:
        return freq, bw
    padded = np.zeros((n, an.nfft20))
    padded[:, an.pad20 : an.pad20 + an.win20] = frames20
    spec = np.fft.rfft(padded, axis=1)[:, : an.lpc_basis.shape[0]]
    x = (spec @ an.lpc_basis).real
    m = x.shape[1]
    acf = np.stack(
        [np.einsum("ij,ij->i", x[:, : m - k], x[:, k:]) for k in range(12)], 1
    )
    acf[:, 0] *= 1.0 + 1e-9
    ok = acf[:, 0] > 0
    a = _levinson(acf, 11)
    # openSMILE's cFormantLpc solves z^p - a_1 z^(p-1) - ... - a_p (its
    # coefficients enter the root solver negated), not the LPC polynomial
    # z^p + a_1 z^(p-1) + ... + a_p; eGeMAPSv02's "formants" are those roots
    comp = np.zeros((n, 11, 11))
    comp[:, 0, :] = a[:, 1:]
    comp[:, np.arange(1, 11), np.arange(10)] = 1.0
    comp[~ok] = 0.0
    roots = np.linalg.eigvals(comp)
    # roots outside the unit circle reflected inside, as openSMILE does
    mag = np.abs(roots)
    roots = np.where(mag > 1.0, 1.0 / np.conj(np.where(mag > 0, roots, 1.0)), roots)
    fs = an.lpc_sr
    ang = np.angle(roots)
    f = ang * fs / (2 * np.pi)
    b = -np.log(np.maximum(np.abs(roots), 1e-12)) * fs / np.pi
    valid = (roots.imag >= 0) & (f >= 50.0) & (f <= 5450.0)
    f = np.where(valid, f, np.inf)
    order = np.argsort(f, axis=1)[:, :3]
    fs3 = np.take_along_axis(f, order, 1)
    bs3 = np.take_along_axis(b, order, 1)
    good = np.isfinite(fs3)
    freq[good] = fs3[good]
    bw[good] = bs3[good]
    return freq, bw


def lld_frames(y: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The 25 raw (unsmoothed) LLDs of one utterance, ``(25, T)`` float64 (0 in
    unvoiced frames for the voiced-only ones); the first 10 (the 20 ms ones)
    over all the 20 ms frames, ``(10, T20)`` with ``T20 >= T`` (openSMILE's
    functionals of them run over those); and the equivalent sound level in dB
    (``10 log10`` of the mean frame energy)."""
    an = analysis(sr)
    y = np.asarray(y, dtype=np.float64)
    t = n_frames(y.shape[0], sr)
    t20 = 1 + (y.shape[0] - an.win20) // an.hop
    start = np.arange(t) * an.hop
    out = np.zeros((25, t))
    e20 = np.zeros((N_ENERGY, t20))

    # 20 ms Hamming frames
    raw20 = _frames(y, np.arange(t20) * an.hop, an.win20)
    energy = np.mean(raw20**2, axis=1)
    power20 = np.abs(np.fft.rfft(raw20 * an.hamming, n=an.nfft20, axis=1)) ** 2
    mel = power20 @ an.mel_htk
    aud = (mel * an.eql) ** 0.33
    e20[0] = aud.sum(axis=1)
    # openSMILE's floor: specFloor**2 = 1e-14 (-140 dB); 0 with nothing to divide by
    floor = 1e-14
    low, high = power20[:, an.band_0_1k].sum(1), power20[:, an.band_1k_5k].sum(1)
    ratio = np.maximum(high, floor) / np.where(low > 0, low, 1.0)
    e20[1] = np.where(low > 0, 10 * np.log10(ratio), 0.0)
    low, high = power20[:, an.band_0_2k].max(1), power20[:, an.band_2k_5k].max(1)
    ratio = np.maximum(low, floor) / np.where(high > 0, high, 1.0)
    e20[2] = np.where(high > 0, 10 * np.log10(ratio), 0.0)
    p = np.maximum(power20, floor)
    for row, (band, w, fw, n_ind, sf, s2f) in zip((3, 4), an.slopes, strict=True):
        db = 10 * np.log10(p[:, band])
        num = n_ind * (db @ fw) - sf * (db @ w)
        e20[row] = num / (n_ind * s2f - sf * sf)
    mf = np.sqrt(power20[:, an.band_flux])
    flux = np.zeros(t20)
    flux[1:] = np.sqrt(np.mean((mf[1:] - mf[:-1]) ** 2, axis=1))
    e20[5] = flux
    e20[6:10] = an.dct @ np.log(np.maximum(mel, 1.0)).T

    out[:N_ENERGY] = e20[:, :t]

    # 60 ms Gaussian frames: pitch, voicing, harmonics, HNR
    raw60 = _frames(y, start, an.win60)
    win60 = raw60 * an.gauss
    rms60 = np.sqrt(np.mean(win60**2, axis=1))
    spec60 = np.fft.rfft(win60, n=an.nfft60, axis=1)
    mag60 = np.abs(spec60)
    enhanced = np.empty_like(mag60)
    K.shs_spectrum(mag60, ENHANCE, SMOOTH, enhanced)
    logspec = np.asarray(enhanced @ an.to_log)
    np.maximum(logspec, 0.0, out=logspec)
    logspec *= an.aud_w
    cand_f = np.zeros((t, 6))
    cand_v = np.zeros((t, 6))
    K.shs_candidates(
        logspec, an.shs_shifts, an.shs_weights, 55.0, 1000.0,
        an.oct_lo, an.oct_step, 6, cand_f, cand_v,
    )
    f0 = np.zeros(t)
    K.viterbi_pitch(cand_f, cand_v, VOICING, *VITERBI, f0)
    # frames with too little energy are unvoiced, whatever the path says
    f0[rms60 <= 0.001] = 0.0
    voiced = f0 > 0
    out[10] = np.where(voiced, 12 * np.log2(np.maximum(f0, 29.136) / 27.5), 0.0)
    jit = np.zeros(t)
    shim = np.zeros(t)
    K.jitter_shimmer(y, f0, float(sr), an.hop, an.win60, 0.1, 0.5, jit, shim)
    out[11] = jit
    out[12] = shim
    # HNR from the autocorrelation (inverse FFT of the power spectrum)
    vi = np.flatnonzero(voiced)
    if vi.size:
        acf = np.abs(np.fft.irfft(mag60[vi] ** 2, axis=1)[:, : mag60.shape[1]])
        hnr = np.zeros(vi.size)
        V.hnr_from_acf(acf, f0[vi], float(sr), hnr)
        out[13, vi] = hnr
    # formants of every frame (the LLD output has them in unvoiced frames too;
    # the functionals use the voiced ones)
    ff, bb = _formants(raw20[:t] * an.hamming, an)
    out[16:25:3] = ff.T
    out[17:25:3] = bb.T
    h1h2 = np.zeros(t)
    h1a3 = np.zeros(t)
    famp = np.zeros((t, 3))
    V.harmonics(mag60, f0, ff, an.sr / an.nfft60, 100, h1h2, h1a3, famp)
    out[14] = h1h2
    out[15] = h1a3
    out[18:25:3] = famp.T
    leq = 10 * np.log10(max(float(energy.mean()), 1e-20))
    return out, e20, leq
