"""Compiled inner loops of the frame analysis (numba, already a dependency of librosa).

Each kernel does one pass over a batch (or a chunk of its frames) in compiled code
that releases the GIL (``nogil=True``). That is what lets ``n_jobs`` threads scale:
the same work as a dozen numpy calls per chunk of frames, each of which takes and
gives back the GIL, becomes one call. The kernels are compiled on first use and
cached on disk (``cache=True``, with the fallbacks of
:func:`sklearn_ser.utils._numba.cached_njit`), so a new process pays the compile
only once.

Frames are laid out as in :mod:`sklearn_ser.features._engine`: the samples of
all utterances of a batch concatenated in ``flat`` (utterance ``i`` at
``offsets[i] : offsets[i] + lengths[i]``), frame ``f`` of the batch belonging to
utterance ``frame_utt[f]`` and starting at sample ``frame_pos[f]`` of it (negative
or past the end in the centring pad).
"""

from __future__ import annotations

import numpy as np

from sklearn_ser.utils._numba import cached_njit

__all__ = ["PAD_CODES", "delta_frames", "mel_frames", "power_frames", "window_frames"]

# pad modes, as ints for the kernels
PAD_CONSTANT, PAD_EDGE, PAD_REFLECT = 0, 1, 2
PAD_CODES = {"constant": PAD_CONSTANT, "edge": PAD_EDGE, "reflect": PAD_REFLECT}


@cached_njit(nogil=True)
def _sample(flat, s, n, p, a, pad_mode):
    """Sample ``p`` of the utterance at ``flat[s : s + n]`` after pre-emphasis
    ``y[p] = x[p] - a x[p - 1]`` (``y[0] = x[0]``) and padding (``p`` outside
    ``[0, n)``: zero, the edge sample, or the reflection as :func:`numpy.pad`)."""
    if p < 0 or p >= n:
        if pad_mode == PAD_CONSTANT:
            return np.float32(0.0)
        if pad_mode == PAD_EDGE or n == 1:
            p = 0 if p < 0 else n - 1
        else:  # reflect about the end samples (period 2 (n - 1)), as numpy.pad
            period = 2 * (n - 1)
            p = abs(p) % period
            if p >= n:
                p = period - p
    v = flat[s + p]
    if a != 0.0 and p > 0:
        v = v - np.float32(a) * flat[s + p - 1]
    return v


@cached_njit(nogil=True)
def window_frames(
    flat, offsets, lengths, frame_utt, frame_pos, f0, m, window, lpad, a, pad_mode,
    out,
):
    """Frames ``f0 .. f0 + m - 1`` of the batch, windowed, into ``out[:m, lpad :
    lpad + len(window)]`` (the rest of each ``out`` row is left as it is: zeros)."""
    win = window.shape[0]
    af = np.float32(a)
    for j in range(m):
        f = f0 + j
        u = frame_utt[f]
        s, n, p0 = offsets[u], lengths[u], frame_pos[f]
        dst = out[j, lpad : lpad + win]
        if p0 >= (0 if a == 0.0 else 1) and p0 + win <= n:
            # the whole window inside the utterance (and, with pre-emphasis, not on
            # its first sample): the common case, on contiguous slices (SIMD)
            if a == 0.0:
                src = flat[s + p0 : s + p0 + win]
                for k in range(win):
                    dst[k] = src[k] * window[k]
            else:
                src = flat[s + p0 - 1 : s + p0 + win]
                for k in range(win):
                    dst[k] = (src[k + 1] - af * src[k]) * window[k]
        elif pad_mode == PAD_CONSTANT:
            # in the zero pad: zeros, then the samples inside, then zeros
            k_lo = min(max(0, -p0), win)
            k_hi = max(min(win, n - p0), k_lo)
            dst[:k_lo] = 0.0
            dst[k_hi:] = 0.0
            for k in range(k_lo, k_hi):
                p = p0 + k
                v = flat[s + p]
                if a != 0.0 and p > 0:
                    v = v - af * flat[s + p - 1]
                dst[k] = v * window[k]
        else:
            for k in range(win):
                dst[k] = _sample(flat, s, n, p0 + k, a, pad_mode) * window[k]


@cached_njit(nogil=True)
def power_frames(spec, out):
    """``out[j, k] = |spec[j, k]| ** 2`` (as ``re**2 + im**2``)."""
    m, nb = spec.shape
    for j in range(m):
        for k in range(nb):
            c = spec[j, k]
            out[j, k] = c.real * c.real + c.imag * c.imag


@cached_njit(nogil=True)
def mel_frames(spec, k0, k1, offsets, weights, power_t, out):
    """Mel power of every frame of ``spec``: filter ``b`` has the weights
    ``weights[offsets[b] : ...]`` on the bins ``k0[b] .. k1[b] - 1``.

    The power goes through ``power_t`` (bins x frames, at least ``spec``'s size
    transposed), so that each weight multiplies a contiguous row of frames: the
    inner loop is a SIMD multiply-add over the chunk's frames."""
    m, nb = spec.shape
    n_mels = k0.shape[0]
    for k in range(nb):  # frames inner: contiguous writes
        row = power_t[k]
        for j in range(m):
            c = spec[j, k]
            row[j] = c.real * c.real + c.imag * c.imag
    acc = np.empty(m, dtype=np.float32)
    for b in range(n_mels):
        acc[:] = 0.0
        o = offsets[b] - k0[b]
        for k in range(k0[b], k1[b]):
            w = weights[o + k]
            row = power_t[k]
            for j in range(m):
                acc[j] += w * row[j]
        for j in range(m):
            out[j, b] = acc[j]


@cached_njit(nogil=True)
def delta_frames(feats, src, dst, starts, counts, coef):
    """``feats[:, dst]`` = the Savitzky-Golay derivative (weights ``coef``, an odd
    number of frames) of ``feats[:, src]`` along the frames of every utterance
    with at least ``len(coef)`` frames, with librosa's ``mode="interp"`` edges:
    the first (last) full window's value is repeated over the ``len(coef) // 2``
    frames at each end. ``feats`` is C-contiguous ``(n_frames_total, channels,
    n_features)``; utterances with fewer frames are skipped."""
    width = coef.shape[0]
    h = width // 2
    n_feat = feats.shape[2]
    for u in range(starts.shape[0]):
        s, t = starts[u], counts[u]
        if t < width:
            continue
        for f in range(s + h, s + t - h):
            o = feats[f, dst]
            o[:] = 0.0
            for j in range(width):
                c = coef[j]
                r = feats[f - h + j, src]
                for k in range(n_feat):
                    o[k] += c * r[k]
        for f in range(s, s + h):
            feats[f, dst] = feats[s + h, dst]
        for f in range(s + t - h, s + t):
            feats[f, dst] = feats[s + t - 1 - h, dst]
