"""The 88 eGeMAPSv02 functionals of one utterance's smoothed LLDs."""

from __future__ import annotations

import numpy as np

from sklearn_ser.features import _egemaps_kernels as K
from sklearn_ser.features._egemaps_lld import N_ENERGY

__all__ = ["FUNCTIONAL_NAMES", "functionals", "smooth"]

_F0 = "F0semitoneFrom27.5Hz_sma3nz"
_PROSODY = ["amean", "stddevNorm", "percentile20.0", "percentile50.0",
            "percentile80.0", "pctlrange0-2", "meanRisingSlope", "stddevRisingSlope",
            "meanFallingSlope", "stddevFallingSlope"]
_MS = ["amean", "stddevNorm"]
# (LLD row, name) of the descriptors summarised by mean and stddevNorm
_ALL_FRAMES = [(5, "spectralFlux_sma3")] + [
    (5 + k, f"mfcc{k}_sma3") for k in range(1, 5)
]
_VOICED = [
    (11, "jitterLocal"), (12, "shimmerLocaldB"), (13, "HNRdBACF"),
    (14, "logRelF0-H1-H2"), (15, "logRelF0-H1-A3"),
    (16, "F1frequency"), (17, "F1bandwidth"), (18, "F1amplitudeLogRelF0"),
    (19, "F2frequency"), (20, "F2bandwidth"), (21, "F2amplitudeLogRelF0"),
    (22, "F3frequency"), (23, "F3bandwidth"), (24, "F3amplitudeLogRelF0"),
]
_SPECTRAL_V = [(1, "alphaRatioV"), (2, "hammarbergIndexV"), (3, "slopeV0-500"),
               (4, "slopeV500-1500"), (5, "spectralFluxV")] + [
    (5 + k, f"mfcc{k}V") for k in range(1, 5)]
_SPECTRAL_UV = [(1, "alphaRatioUV"), (2, "hammarbergIndexUV"), (3, "slopeUV0-500"),
                (4, "slopeUV500-1500"), (5, "spectralFluxUV")]
_TEMPORAL = ["loudnessPeaksPerSec", "VoicedSegmentsPerSec",
             "MeanVoicedSegmentLengthSec", "StddevVoicedSegmentLengthSec",
             "MeanUnvoicedSegmentLength", "StddevUnvoicedSegmentLength"]

FUNCTIONAL_NAMES = (
    [f"{_F0}_{f}" for f in _PROSODY]
    + [f"loudness_sma3_{f}" for f in _PROSODY]
    + [f"{name}_{f}" for _, name in _ALL_FRAMES for f in _MS]
    + [f"{name}_sma3nz_{f}" for _, name in _VOICED for f in _MS]
    + [f"{name}_sma3nz_{f}" for _, name in _SPECTRAL_V for f in _MS]
    + [f"{name}_sma3nz_amean" for _, name in _SPECTRAL_UV]
    + _TEMPORAL
    + ["equivalentSoundLevel_dBp"]
)
assert len(FUNCTIONAL_NAMES) == 88

_FRAME_S = 0.01


def smooth(raw: np.ndarray) -> np.ndarray:
    """openSMILE's ``sma3``: the energy/spectral LLDs over all frames, the
    voiced-only ones (``nz``) over their non-zero frames."""
    out = np.empty_like(raw)
    K.sma3(raw[:N_ENERGY], False, out[:N_ENERGY])
    K.sma3(raw[N_ENERGY:], True, out[N_ENERGY:])
    return out


def _mean_std_norm(x: np.ndarray) -> tuple[float, float]:
    if x.size == 0:
        return 0.0, 0.0
    mu = float(x.mean())
    sd = float(x.std())
    return mu, (sd / mu if mu != 0.0 else 0.0)


def _prosody(x: np.ndarray) -> list[float]:
    if x.size == 0:
        return [0.0] * 10
    mu, sdn = _mean_std_norm(x)
    p20, p50, p80 = np.percentile(x, [20.0, 50.0, 80.0])
    slopes = np.zeros(5)
    K.peaks2(np.ascontiguousarray(x), 0.1, _FRAME_S, slopes)
    return [mu, sdn, p20, p50, p80, p80 - p20, *slopes[1:]]


def functionals(
    lld: np.ndarray, raw: np.ndarray, e20: np.ndarray, leq: float
) -> np.ndarray:
    """The 88 functionals from the smoothed LLDs ``lld`` (25, T), the raw ones
    (the voiced/unvoiced spectral sets are smoothed within their own frames) and
    the raw 20 ms LLDs over all their frames ``e20`` (10, T20)."""
    t = lld.shape[1]
    energy = np.empty_like(e20)
    K.sma3(e20, False, energy)
    dur = t * _FRAME_S
    f0 = lld[10]
    voiced = raw[10] > 0
    vals: list[float] = []
    vals += _prosody(f0[f0 > 0])
    vals += _prosody(energy[0])
    for row, _ in _ALL_FRAMES:
        vals += _mean_std_norm(energy[row])
    # formant frequencies and bandwidths: voiced frames only (openSMILE's
    # formantsNz); the other voice descriptors are 0 where unvoiced already
    fsel = np.zeros((6, t))
    rows = [16, 17, 19, 20, 22, 23]
    fsel[:, voiced] = raw[rows][:, voiced]
    fsm = np.empty_like(fsel)
    K.sma3(fsel, True, fsm)
    for row, _ in _VOICED:
        x = fsm[rows.index(row)] if row in rows else lld[row]
        vals += _mean_std_norm(x[x != 0])
    spec = raw[1:N_ENERGY]
    sel = np.zeros_like(spec)
    sm = np.empty_like(spec)
    sel[:, voiced] = spec[:, voiced]
    K.sma3(sel, True, sm)
    for row, _ in _SPECTRAL_V:
        x = sm[row - 1][voiced]
        vals += _mean_std_norm(x[x != 0])
    sel[:] = 0.0
    sel[:, ~voiced] = spec[:, ~voiced]
    K.sma3(sel, True, sm)
    for row, _ in _SPECTRAL_UV:
        x = sm[row - 1][~voiced]
        x = x[x != 0]
        vals.append(float(x.mean()) if x.size else 0.0)
    slopes = np.zeros(5)
    K.peaks2(np.ascontiguousarray(energy[0]), 0.1, _FRAME_S, slopes)
    vals.append(slopes[0] / (energy.shape[1] * _FRAME_S))
    seg = np.zeros(3)
    contour = np.ascontiguousarray(f0)
    K.segments(contour, True, 3, 2, seg)
    vals += [seg[0] / dur, seg[1] * _FRAME_S, seg[2] * _FRAME_S]
    K.segments(contour, False, 3, 2, seg)
    vals += [seg[1] * _FRAME_S, seg[2] * _FRAME_S]
    vals.append(leq)
    return np.asarray(vals, dtype=np.float64)
