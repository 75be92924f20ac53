"""Compiled inner loops of :class:`~sklearn_ser.features.EGeMAPS` (numba, ``nogil``).

Pitch by subharmonic summation (Hermes 1988) on a log-frequency magnitude
spectrum, the candidates smoothed by a Viterbi search over candidates and an
unvoiced state (the costs of openSMILE's ``cPitchSmootherViterbi`` as the GeMAPS
paper describes them), period-by-period jitter and shimmer by waveform matching,
and the peak/slope functionals. Every kernel works on one utterance's frames.
"""

from __future__ import annotations

import math

import numpy as np

from sklearn_ser.utils._numba import cached_njit

__all__ = [
    "jitter_shimmer",
    "shs_spectrum",
    "peaks2",
    "shs_candidates",
    "sma3",
    "viterbi_pitch",
]


@cached_njit(nogil=True)
def shs_spectrum(mag, enhance, smooth, out):
    """Hermes' preparation of every frame's magnitude spectrum for subharmonic
    summation: keep only the two bins either side of each local maximum (peak
    enhancement), then smooth with (1, 2, 1) / 4."""
    n_frames, n = mag.shape
    keep = np.zeros(n, dtype=np.bool_)
    for t in range(n_frames):
        row = mag[t]
        a = out[t]
        keep[:] = False
        for i in range(n):
            left = row[i - 1] if i > 0 else -1.0
            right = row[i + 1] if i < n - 1 else -1.0
            if row[i] > left and row[i] >= right:
                for k in range(max(0, i - 2), min(n, i + 3)):
                    keep[k] = True
        for i in range(n):
            a[i] = row[i] if (keep[i] or not enhance) else 0.0
        prev = 0.0
        for i in range(n - 1 if smooth else 0):
            cur = a[i]
            a[i] = (prev + 2.0 * cur + a[i + 1]) / 4.0
            prev = cur


@cached_njit(nogil=True)
def shs_candidates(logspec, shifts, weights, f_min, f_max, f_lo, f_step, n_cand,
                   cand_f, cand_v):
    """Subharmonic sum of every frame of ``logspec`` (frames x points on a log2
    frequency axis, ``f_lo + i * f_step`` octaves) and its ``n_cand`` highest
    peaks over the whole axis, of which those between ``f_min`` and ``f_max`` Hz
    are kept (as openSMILE does: peaks outside the range take candidate slots):
    frequency (Hz, parabolic interpolation) into ``cand_f`` and voicing
    ``1 - mean(sum) / peak`` into ``cand_v``, the rest 0."""
    n_frames, n = logspec.shape
    ss = np.empty(n, dtype=np.float64)
    score = np.empty(n_cand, dtype=np.float64)
    pos = np.empty(n_cand, dtype=np.int64)
    for t in range(n_frames):
        row = logspec[t]
        for j in range(n):
            ss[j] = row[j]
        for h in range(shifts.shape[0]):
            s = shifts[h]
            w = weights[h]
            for j in range(n - s):
                ss[j] += w * row[j + s]
        mean = 0.0
        for j in range(n):
            if ss[j] < 0.0:
                ss[j] = 0.0
            mean += ss[j]
        mean /= n
        score[:] = 0.0
        pos[:] = -1
        for i in range(1, n - 1):
            v = ss[i]
            if ss[i - 1] < v and v > ss[i + 1]:
                for k in range(n_cand):
                    if pos[k] < 0 or score[k] < v:
                        for kk in range(n_cand - 1, k, -1):
                            score[kk] = score[kk - 1]
                            pos[kk] = pos[kk - 1]
                        score[k] = v
                        pos[k] = i
                        break
        m = 0
        for k in range(n_cand):
            i = pos[k]
            if i < 0:
                continue
            a, b, c = ss[i - 1], ss[i], ss[i + 1]
            den = a - 2.0 * b + c
            d = 0.5 * (a - c) / den if den != 0.0 else 0.0
            peak = b - 0.25 * (a - c) * d
            f = 2.0 ** (f_lo + (i + d) * f_step)
            if f < f_min or f > f_max:
                continue
            cand_f[t, m] = f
            cand_v[t, m] = 1.0 - mean / peak if peak > mean else 0.0
            m += 1
        for k in range(m, n_cand):
            cand_f[t, k] = 0.0
            cand_v[t, k] = 0.0


@cached_njit(nogil=True)
def _f_weight(f):
    # the frequency-range preference of openSMILE's Viterbi pitch smoother:
    # nothing between 100 and 350 Hz, growing outside it
    if f <= 0.0:
        return 2.0
    if f < 100.0:
        return 1.0 - f / 100.0
    if f < 350.0:
        return 0.0
    if f < 600.0:
        return (f - 350.0) / 250.0
    return 1.2


@cached_njit(nogil=True)
def viterbi_pitch(cand_f, cand_v, thresh, w_local, w_tvv, w_tvvd, w_tvuv, w_thr,
                  w_range, out):
    """The least-cost path through the candidates (states ``0 .. n_cand - 1``)
    and an unvoiced state (``n_cand``); ``out[t]`` its F0 (0 = unvoiced).

    The costs are openSMILE's ``cPitchSmootherViterbi`` ones as its code runs
    them: local ``w_local (-log p + w_thr [p < thresh]) + w_range g(f)`` for a
    candidate of voicing ``p``, ``w_local w_thr`` for the unvoiced state when
    some candidate is above the threshold; voiced-voiced transitions
    ``w_tvv |r| + w_tvvd |r - r'|`` with ``r`` the log frequency ratio and ``r'``
    the ratio of the previous candidate pair evaluated, voiced-unvoiced
    ``w_tvuv``, unvoiced-unvoiced 1."""
    n_frames, n_cand = cand_f.shape
    n_states = n_cand + 1
    cost = np.zeros(n_states)
    new = np.zeros(n_states)
    back = np.zeros((n_frames, n_states), dtype=np.int64)
    local = np.zeros(n_states)
    for t in range(n_frames):
        any_voiced = False
        for k in range(n_cand):
            pv = min(max(cand_v[t, k], 0.01), 1.0)
            c = -math.log(pv)
            if pv < thresh:
                c += w_thr
            local[k] = c * w_local + _f_weight(cand_f[t, k]) * w_range
            if cand_v[t, k] >= thresh:
                any_voiced = True
        local[n_cand] = w_local * w_thr if any_voiced else 0.0
        if t == 0:
            for i in range(n_states):
                cost[i] = local[i]
            continue
        for i in range(n_states):
            best = 1e300
            arg = 0
            change = 0.0
            for j in range(n_states):
                if i < n_cand and j < n_cand:
                    f0, f1 = cand_f[t - 1, j], cand_f[t, i]
                    if f0 == 0.0 or f1 == 0.0:
                        tr = 999.0
                    else:
                        r = math.log(f1 / f0)
                        tr = w_tvv * abs(r) + w_tvvd * abs(r - change)
                        change = r
                elif i < n_cand or j < n_cand:
                    tr = w_tvuv
                    change = 0.0
                else:
                    tr = 1.0
                c = cost[j] + tr
                if c < best:
                    best, arg = c, j
            new[i] = best + local[i]
            back[t, i] = arg
        for i in range(n_states):
            cost[i] = new[i]
    s = 0
    for i in range(1, n_states):
        if cost[i] < cost[s]:
            s = i
    for t in range(n_frames - 1, -1, -1):
        out[t] = cand_f[t, s] if s < n_cand else 0.0
        if t > 0:
            s = back[t, s]


@cached_njit(nogil=True)
def _xcorr(y, a, b, n):
    """Pearson correlation of ``y[a : a + n]`` and ``y[b : b + n]``."""
    ma = 0.0
    mb = 0.0
    for i in range(n):
        ma += y[a + i]
        mb += y[b + i]
    ma /= n
    mb /= n
    c = 0.0
    va = 0.0
    vb = 0.0
    for i in range(n):
        da = y[a + i] - ma
        db = y[b + i] - mb
        c += da * db
        va += da * da
        vb += db * db
    if va <= 0.0 or vb <= 0.0:
        return 0.0
    return c / (math.sqrt(va) * math.sqrt(vb))


@cached_njit(nogil=True)
def _peak_to_peak(y, a, n):
    lo = y[a + 1]
    hi = y[a + 1]
    for i in range(1, n - 1):
        v = y[a + i]
        if v > hi:
            hi = v
        if v < lo:
            lo = v
    return hi - lo


@cached_njit(nogil=True)
def jitter_shimmer(y, f0, sr, hop, frame_len, rel_range, min_cc, jit, shim):
    """Local jitter and local shimmer (dB) of every frame, by waveform matching
    that walks through the signal period after period, as openSMILE's
    ``cPitchJitter``: each period's length is the lag (within ``rel_range`` of
    the F0 period) of the best correlation between it and the next stretch;
    periods whose (interpolated) correlation exceeds ``min_cc`` count. A frame's
    jitter is the mean absolute difference of consecutive periods over the mean
    period, its shimmer ``20 log10(1 + mean |A_i - A_i+1| / mean A)`` of the
    periods' peak-to-peak amplitudes; the walk carries on across voiced frames
    and restarts after an unvoiced one."""
    n = y.shape[0]
    last_idx = 0
    last_mis = 0
    last_t0 = 0.0
    last_jit = 0.0
    last_shim = 0.0
    cc = np.empty(int(sr / 20.0) + 8)
    for t in range(f0.shape[0]):
        f = f0[t]
        start_v = t * hop
        to_read0 = hop + last_mis
        to_read = to_read0
        t0f = 0
        t0min = 0
        t0max = 0
        if f > 0.0:
            tf = sr / f
            t0f = int(round(tf))
            t0min = int(math.floor((1.0 - rel_range) * tf))
            t0max = int(math.ceil((1.0 + rel_range) * tf))
            to_read = max(to_read, 2 * t0max + 2)
        max_read = last_mis + frame_len
        to_read = min(to_read, max_read)
        if start_v - last_mis != last_idx:
            last_idx = start_v
            to_read = min(to_read, frame_len)
        n_t = max(0, min(to_read, n - last_idx))
        jit[t] = 0.0
        shim[t] = 0.0
        if f <= 0.0:
            last_idx += to_read0
            last_mis = 0
            last_t0 = 0.0
            last_jit = 0.0
            last_shim = 0.0
            continue
        base = last_idx
        start = 0
        last_period = 0
        n_periods = 0
        n_local = 0
        jl = 0.0
        avg_period = 0.0
        avg_amp = 0.0
        avg_diff = 0.0
        n_lag = t0max - t0min + 1
        while start < n_t - 2 * t0max - 1:
            for lag in range(t0min, t0max + 1):
                cc[lag - t0min] = _xcorr(y, base + start, base + start + lag, lag)
            best = -1
            best_v = 0.0
            for i in range(1, n_lag - 2):
                if cc[i - 1] < cc[i] and cc[i] > cc[i + 1]:
                    if best == -1 or cc[i] > best_v:
                        best, best_v = i, cc[i]
            if best >= 0:
                pp = t0min + best
                os_ = start
                start += pp
                a0 = _peak_to_peak(y, base + os_, pp)
                a1 = _peak_to_peak(y, base + start, pp)
                a, b, c = cc[best - 1], cc[best], cc[best + 1]
                den = a - 2.0 * b + c
                d = 0.5 * (a - c) / den if den != 0.0 else 0.0
                cc_i = b - 0.25 * (a - c) * d
                if cc_i > min_cc:
                    period = abs(t0min + best + d) / sr
                    avg_period += period
                    n_periods += 1
                    if last_t0 > 0.0:
                        jl += abs(last_t0 - period)
                        n_local += 1
                    last_t0 = period
                    avg_amp += 0.5 * (a0 + a1)
                    avg_diff += abs(a0 - a1)
            else:
                start += t0f
            if start < to_read0 - 1:
                last_period = start
        last_mis = to_read0 - last_period
        last_idx += last_period
        if n_periods > 0 and n_local > 0:
            last_jit = min((jl / n_local) / (avg_period / n_periods), 1.0)
            jit[t] = last_jit
        elif n_periods == 0:
            jit[t] = min(last_jit, 1.0)
        if n_periods > 0:
            last_shim = min(avg_diff / avg_amp, 1.0) if avg_amp > 0.0 else 0.0
        shim[t] = 20.0 * math.log10(last_shim + 1.0)


@cached_njit(nogil=True)
def sma3(x, nz, out):
    """3-frame moving average of every row of ``x`` (features x frames), the
    edge frames repeated outside (openSMILE's first output is ``(2 x0 + x1) /
    3``); with ``nz``, zeros (unvoiced frames) stay zero and are left out of
    their neighbours' averages, as openSMILE's ``noZeroSma``."""
    n_feat, n = x.shape
    for f in range(n_feat):
        for t in range(n):
            v = x[f, t]
            if nz and v == 0.0:
                out[f, t] = 0.0
                continue
            s = 0.0
            c = 0
            for k in range(t - 1, t + 2):
                w = x[f, min(max(k, 0), n - 1)]
                if nz and w == 0.0:
                    continue
                s += w
                c += 1
            out[f, t] = s / c


@cached_njit(nogil=True)
def peaks2(x, rel_thresh, period, out):
    """openSMILE's ``Peaks2`` functional on the contour ``x``: every local
    extremum (frames 2 .. n-3), then those that rise or fall less than
    ``rel_thresh`` of the contour's range from their neighbours dropped and
    repeated maxima/minima merged, in its three passes; then the slopes (per
    second, frames ``period`` s apart) from each extremum to the next, the
    first from ``x[0]`` and the last to ``x[-1]``.
    ``out = [n_peaks, mean rising, std rising, mean falling, std falling]``."""
    n = x.shape[0]
    for k in range(5):
        out[k] = 0.0
    if n == 0:
        return
    thr = rel_thresh * (x.max() - x.min())
    m = 0
    ex_x = np.empty(max(n, 1), dtype=np.int64)
    ex_y = np.empty(max(n, 1))
    ex_max = np.empty(max(n, 1), dtype=np.bool_)
    alive = np.ones(max(n, 1), dtype=np.bool_)
    for i in range(2, n - 2):
        if x[i] > x[i - 1] and x[i] > x[i + 1]:
            ex_x[m], ex_y[m], ex_max[m] = i, x[i], True
            m += 1
        elif x[i] < x[i - 1] and x[i] < x[i + 1]:
            ex_x[m], ex_y[m], ex_max[m] = i, x[i], False
            m += 1
    # pass 2a: maxima too close to their neighbours
    last_val = x[0]
    last_min = x[0]
    last_max = x[0]
    min_flag = False
    last_max_i = -1
    for k in range(m):
        y = ex_y[k]
        if ex_max[k]:
            if abs(y - last_val) < thr:
                if y - last_min < thr:
                    alive[k] = False
                else:
                    if y > last_max * 1.05:
                        if last_max_i >= 0:
                            alive[last_max_i] = False
                        last_max = y
                        last_max_i = k
                    elif min_flag:
                        last_max = y
                        last_max_i = k
                    else:
                        alive[k] = False
                    min_flag = False
            else:
                min_flag = False
                last_max = y
                last_max_i = k
        else:
            if not abs(y - last_val) < thr:
                min_flag = True
                last_min = y
        last_val = y
    # pass 2b: minima too shallow below the last maximum
    last_max = x[0]
    for k in range(m):
        if not alive[k]:
            continue
        if ex_max[k]:
            last_max = ex_y[k]
        elif last_max - ex_y[k] < thr:
            alive[k] = False
    # pass 3: of consecutive maxima (minima) keep the highest (lowest)
    last_max = x[0]
    last_min = x[0]
    min_flag = False
    init = True
    last_max_i = -1
    last_min_i = -1
    for k in range(m):
        if not alive[k]:
            continue
        y = ex_y[k]
        if not ex_max[k]:
            if (not min_flag) or init:
                last_min, last_min_i = y, k
                min_flag = True
                init = False
            elif y >= last_min:
                alive[k] = False
            elif last_min_i != k:
                alive[last_min_i] = False
                last_min, last_min_i = y, k
        else:
            if min_flag or init:
                last_max, last_max_i = y, k
                min_flag = False
                init = False
            elif y <= last_max:
                alive[k] = False
            elif last_max_i != k:
                alive[last_max_i] = False
                last_max, last_max_i = y, k
    n_peaks = 0
    for k in range(m):
        if alive[k] and ex_max[k]:
            n_peaks += 1
    out[0] = n_peaks
    # slopes
    rise = np.empty(m + 1)
    fall = np.empty(m + 1)
    nr = 0
    nf = 0
    last_max = x[0]
    last_min = x[0]
    last_max_pos = 0
    last_min_pos = 0
    last_is_max = -1
    for k in range(m):
        if not alive[k]:
            continue
        if not ex_max[k]:
            last_min, last_min_pos = ex_y[k], ex_x[k]
            if last_min_pos - last_max_pos > 0:
                dt = (last_min_pos - last_max_pos) * period
                fall[nf] = (last_max - last_min) / dt
                nf += 1
                last_is_max = 0
        else:
            last_max, last_max_pos = ex_y[k], ex_x[k]
            if last_max_pos - last_min_pos > 0:
                dt = (last_max_pos - last_min_pos) * period
                rise[nr] = (last_max - last_min) / dt
                nr += 1
                last_is_max = 1
    n_rise_listed = nr
    n_fall_listed = nf
    if last_is_max == 1:
        if n - 1 - last_max_pos > 0:
            fall[nf] = (x[n - 1] - last_max) / ((n - 1 - last_max_pos) * period)
            nf += 1
    elif last_is_max == 0:
        if n - 1 - last_min_pos > 0:
            rise[nr] = (x[n - 1] - last_min) / ((n - 1 - last_min_pos) * period)
            nr += 1
    else:
        s = (x[n - 1] - x[0]) / n
        if s > 0:
            rise[0] = s
            nr = 1
        elif s < 0:
            fall[0] = s
            nf = 1
    mean_r = 0.0
    for k in range(nr):
        mean_r += rise[k]
    if nr > 1:
        mean_r /= nr
    mean_f = 0.0
    for k in range(nf):
        mean_f += fall[k]
    if nf > 1:
        mean_f /= nf
    # the deviations leave out the end slopes but divide by their count
    var_r = 0.0
    for k in range(n_rise_listed):
        var_r += (rise[k] - mean_r) ** 2
    var_f = 0.0
    for k in range(n_fall_listed):
        var_f += (fall[k] - mean_f) ** 2
    if nr > 1:
        var_r /= nr
    if nf > 1:
        var_f /= nf
    out[1] = mean_r
    out[2] = math.sqrt(var_r) if var_r > 0.0 else 0.0
    out[3] = mean_f
    out[4] = math.sqrt(var_f) if var_f > 0.0 else 0.0


@cached_njit(nogil=True)
def segments(x, voiced, seg_min, pause_min, out):
    """openSMILE's ``Segments`` functional (``nonX`` with ``voiced``, segments of
    non-zero values; ``eqX`` without, segments of zeros, X = 0): a segment opens
    after ``seg_min`` frames of it and closes after ``pause_min`` frames of the
    other kind (its length counted as openSMILE counts it, one frame short).
    ``out = [n_segments, mean length, std length]`` in frames."""
    n = x.shape[0]
    lens = np.empty(n + 1)
    m = 0
    start_idx = 0
    state = 0
    seg_start = 0
    seg_end = 0
    i = 0
    for i in range(n):
        inside = (x[i] != 0.0) == voiced
        if inside:
            if state == 1:
                seg_end = 0
                seg_start += 1
                if seg_start >= seg_min:
                    seg_start = 0
                    state = 2
            elif state == 0:
                seg_start += 1
                start_idx = i
                state = 1
            else:
                seg_end = 0
        else:
            if state == 2:
                seg_start = 0
                seg_end += 1
                if seg_end >= pause_min:
                    state = 0
                    lens[m] = i - seg_end - start_idx
                    m += 1
                    seg_end = 0
            elif state == 1:
                seg_end += 1
                if seg_end >= pause_min:
                    state = 0
                    seg_end = 0
                    seg_start = 0
    if state == 2:
        seg_end += 1
        lens[m] = n - seg_end - start_idx
        m += 1
    out[0] = m
    mean = 0.0
    for k in range(m):
        mean += lens[k]
    if m > 1:
        mean /= m
    var = 0.0
    for k in range(m):
        var += (lens[k] - mean) ** 2
    out[1] = mean
    out[2] = math.sqrt(var / m) if m > 1 else 0.0
