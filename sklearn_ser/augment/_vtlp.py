"""Vocal-tract-length perturbation (VTLP, Jaitly & Hinton 2013) of waveforms.

li2021 (§2.3, §6.6) balances IEMOCAP to 2 500 utterances per class: the large
classes are randomly under-sampled, the small ones are enlarged with VTLP copies,
each with its own random warp factor alpha.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.utils._param_validation import Interval
from sklearn_compat.utils._param_validation import validate_params

from sklearn_ser.utils._docs import fill_doc

from ._base import (
    BaseAugmentSampler,
    WaveformInputMixin,
    _sampler_docs,
)

__all__ = ["vtlp", "vtlp_warp", "VTLPResampler"]

# Jaitly & Hinton (2013) used F_hi = 4800 Hz at 16 kHz, i.e. 0.3 * sr.
_F_HI_RATIO = 0.3


_ALPHA = Interval(Real, 0, 2, closed="neither")  # a warp factor
_POSITIVE = Interval(Real, 0, None, closed="neither")
_WARP_PARAMS: dict = {
    "sr": [_POSITIVE],
    "alpha": [_ALPHA],
    "f_hi": [_POSITIVE, None],
}


def _resolve_f_hi(f_hi: float | None, sr: float, name: str) -> float:
    """``F_hi`` in Hz (default ``0.3 * sr``); the check its constraint cannot say:
    below the Nyquist frequency."""
    if f_hi is None:
        return _F_HI_RATIO * sr
    if not f_hi < sr / 2:
        raise ValueError(
            f"{name}: f_hi must be a frequency in (0, sr/2) = (0, {sr / 2:g}) Hz, "
            f"got {f_hi!r}"
        )
    return float(f_hi)


def _resolve_hop(hop_length: int | None, n_fft: int, name: str) -> int:
    """The hop in samples (default ``n_fft // 4``), at most ``n_fft // 2``."""
    hop = n_fft // 4 if hop_length is None else hop_length
    if hop > n_fft // 2:
        raise ValueError(
            f"{name}: hop_length must be an integer in [1, n_fft // 2] = [1, "
            f"{n_fft // 2}], got {hop_length!r}"
        )
    return int(hop)


@validate_params(
    {"freqs": ["array-like"], **_WARP_PARAMS}, prefer_skip_nested_validation=True
)
def vtlp_warp(
    freqs: np.ndarray, *, alpha: float, sr: float, f_hi: float | None = None
) -> np.ndarray:
    """Jaitly & Hinton's piecewise-linear VTLP map of frequencies.

    With ``S = sr`` and ``m = min(alpha, 1)`` (Jaitly & Hinton 2013 [1]_, §2)::

        f' = alpha * f                                          if f <= F_hi * m / alpha
        f' = S/2 - (S/2 - F_hi*m) / (S/2 - F_hi*m/alpha) * (S/2 - f)   otherwise

    i.e. the band below the boundary is scaled by ``alpha`` and the rest is mapped
    linearly so that the Nyquist frequency stays in place; the map is continuous,
    increasing, and the identity for ``alpha = 1``.

    Parameters
    ----------
    freqs : array-like
        Frequencies in Hz, normally in ``[0, sr/2]`` (the two linear pieces are
        extended outside it).
    alpha : float
        Warp factor in (0, 2).
    sr : float
        Sample rate in Hz.
    f_hi : float, default=None
        Boundary frequency ``F_hi`` in Hz, in (0, sr/2); default ``0.3 * sr``
        (4800 Hz at 16 kHz, as Jaitly & Hinton).

    Returns
    -------
    warped : ndarray of float64, the shape of ``freqs``

    References
    ----------
    .. [1] N. Jaitly and G. E. Hinton, "Vocal tract length perturbation (VTLP)
       improves speech recognition", ICML Workshop on Deep Learning for Audio,
       Speech and Language, 2013.

    Examples
    --------
    >>> vtlp_warp([0, 1000, 8000], alpha=1.1, sr=16000).round(1)
    array([   0., 1100., 8000.])
    """
    alpha = float(alpha)
    f_hi = _resolve_f_hi(f_hi, sr, "vtlp_warp")
    f = np.asarray(freqs, dtype=np.float64)
    nyq = sr / 2.0
    m = min(alpha, 1.0)
    boundary = f_hi * m / alpha
    slope_hi = (nyq - f_hi * m) / (nyq - boundary)
    return np.where(f <= boundary, alpha * f, nyq - slope_hi * (nyq - f))


# --------------------------------------------------------- STFT (librosa's)
def _zero_phase(n_fft: int, n_bins: int) -> np.ndarray:
    """Per-bin factor turning librosa's STFT into the zero-phase one.

    Rotating each windowed frame by ``n_fft // 2`` before the FFT (zero-phase
    framing) multiplies bin ``k`` by ``exp(2 pi i k (n_fft // 2) / n_fft)``:
    ``(-1)**k`` for an even ``n_fft``. With it the bins of one sinusoid's main lobe
    share its phase, which the phase locking of :func:`vtlp` relies on; its
    conjugate undoes it before the inverse STFT.
    """
    k = np.arange(n_bins)
    if n_fft % 2 == 0:
        return np.where(k % 2 == 1, -1.0, 1.0).astype(np.complex128)
    return np.exp(2j * np.pi * k * (n_fft // 2) / n_fft)


def _stft(y: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Centred, zero-phase STFT with a periodic Hann window, shape
    ``(n_fft // 2 + 1, 1 + len(y) // hop)``: ``librosa.stft`` (zero padding)."""
    from sklearn_ser.utils._numba import import_librosa

    librosa = import_librosa()

    with warnings.catch_warnings():
        # a clip shorter than n_fft is fine here: the centring pad is zeros
        warnings.filterwarnings("ignore", message="n_fft=.* is too large")
        D = librosa.stft(
            y, n_fft=n_fft, hop_length=hop, window="hann", center=True,
            pad_mode="constant",
        )
    return D * _zero_phase(n_fft, D.shape[0])[:, None]


def _istft(D: np.ndarray, n_fft: int, hop: int, length: int) -> np.ndarray:
    """Inverse of `_stft` by weighted overlap-add (``librosa.istft``; exact for an
    unmodified STFT)."""
    from sklearn_ser.utils._numba import import_librosa

    librosa = import_librosa()

    return librosa.istft(
        D * np.conj(_zero_phase(n_fft, D.shape[0]))[:, None], hop_length=hop,
        n_fft=n_fft, window="hann", center=True, length=length,
    )


def _nearest_peak(mag: np.ndarray) -> np.ndarray:
    """For every (bin, frame), the bin of the nearest spectral peak in that frame."""
    n_bins = mag.shape[0]
    pad = np.full((1, mag.shape[1]), -np.inf)
    is_peak = (mag > np.concatenate([pad, mag[:-1]])) & (
        mag >= np.concatenate([mag[1:], pad])
    )
    idx = np.arange(n_bins)[:, None]
    prev = np.maximum.accumulate(np.where(is_peak, idx, -1), axis=0)
    nxt = np.minimum.accumulate(np.where(is_peak, idx, 2 * n_bins)[::-1], axis=0)[::-1]
    use_prev = (prev >= 0) & ((nxt >= n_bins) | (idx - prev <= nxt - idx))
    return np.clip(np.where(use_prev, prev, nxt), 0, n_bins - 1)


@validate_params(
    {
        "y": "no_validation",  # checked below, with messages about waveforms
        **_WARP_PARAMS,
        "n_fft": [Interval(Integral, 4, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def vtlp(
    y: np.ndarray,
    *,
    sr: float,
    alpha: float,
    f_hi: float | None = None,
    n_fft: int = 512,
    hop_length: int | None = None,
) -> np.ndarray:
    """Vocal-tract-length perturbation of one waveform (duration kept).

    The short-time spectrum is resampled along frequency with Jaitly & Hinton's
    piecewise-linear warp (:func:`vtlp_warp`, [1]_): output frequency ``f'`` takes
    the magnitude of input frequency ``f = warp^{-1}(f')`` (linear interpolation
    between bins), and its phase is propagated frame to frame with the warped
    instantaneous frequency (phase vocoder with identity phase locking), so that
    harmonics move by the factor ``alpha`` below ``F_hi`` [2]_. The inverse STFT has
    the input's length and the output is scaled to the input's RMS (loudness is
    kept). ``alpha = 1`` returns an exact copy; as ``alpha`` tends to 1 the output
    tends to the input (the warp tends to the identity).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Mono waveform. Not modified.
    sr : float
        Sample rate in Hz.
    alpha : float
        Warp factor in (0, 2); Jaitly & Hinton draw it from [0.9, 1.1]. ``alpha >
        1`` moves formants up (a shorter vocal tract), ``alpha < 1`` down.
    f_hi : float, default=None
        Boundary frequency ``F_hi`` in Hz, in (0, sr/2); default ``0.3 * sr``
        (4800 Hz at 16 kHz, as in [1]_).
    n_fft : int, default=512
        FFT size of the analysis (512 = 32 ms at 16 kHz).
    hop_length : int, default=None
        Hop between frames; default ``n_fft // 4``. At most ``n_fft // 2``.

    Returns
    -------
    warped : ndarray of shape (n_samples,), dtype float32

    Raises
    ------
    ValueError
        ``alpha`` outside (0, 2), ``f_hi`` outside (0, sr/2), ``y`` not a
        non-empty finite 1-D array, a bad ``n_fft`` / ``hop_length``.

    See Also
    --------
    VTLPResampler : class balancing with VTLP copies (li2021).

    References
    ----------
    .. [1] N. Jaitly and G. E. Hinton, "Vocal tract length perturbation (VTLP)
       improves speech recognition", ICML Workshop on Deep Learning for Audio,
       Speech and Language, 2013.
    .. [2] J. Laroche and M. Dolson, "Improved phase vocoder time-scale
       modification of audio", IEEE Trans. Speech and Audio Processing, 7(3),
       pp. 323-332, 1999 (identity phase locking).

    Examples
    --------
    A 300 Hz tone comes out near 330 Hz with ``alpha=1.1``, with the same length:

    >>> import numpy as np
    >>> from sklearn_ser.augment import vtlp
    >>> sr = 16000
    >>> t = np.arange(sr) / sr
    >>> tone = np.sin(2 * np.pi * 300 * t).astype(np.float32)
    >>> out = vtlp(tone, sr=sr, alpha=1.1)
    >>> out.shape, out.dtype
    ((16000,), dtype('float32'))
    >>> peak = np.argmax(np.abs(np.fft.rfft(out))) * sr / out.size
    >>> bool(abs(peak - 330) < 5)
    True
    >>> bool(np.array_equal(vtlp(tone, sr=sr, alpha=1.0), tone))
    True
    """
    x = np.asarray(y)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(
            f"vtlp: y must be a non-empty 1-D waveform, got an array of shape {x.shape}"
        )
    if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise ValueError(f"vtlp: y must hold real samples, got dtype {x.dtype}")
    if not np.all(np.isfinite(x)):
        raise ValueError("vtlp: y contains NaN or inf samples")
    alpha = float(alpha)
    f_hi = _resolve_f_hi(f_hi, sr, "vtlp")
    hop = _resolve_hop(hop_length, n_fft, "vtlp")
    if alpha == 1.0:
        # The warp is the identity: return an exact copy rather than an STFT
        # round trip.
        return np.array(x, dtype=np.float32, copy=True)

    n_fft = int(n_fft)
    D = _stft(x.astype(np.float64), n_fft, hop)
    n_bins = D.shape[0]
    bins = np.arange(n_bins, dtype=np.float64)
    freqs = bins * sr / n_fft

    # Output bin k shows input frequency warp^{-1}(f_k); the warp is increasing and
    # maps [0, sr/2] onto itself, so its inverse is an interpolation.
    warped = vtlp_warp(freqs, alpha=alpha, sr=sr, f_hi=f_hi)
    src = np.interp(freqs, warped, freqs) * n_fft / sr  # fractional source bins
    src = np.clip(src, 0.0, n_bins - 1.0)
    lo = np.floor(src).astype(np.intp)
    hi = np.minimum(lo + 1, n_bins - 1)
    frac = (src - lo)[:, None]
    mag = np.abs(D)
    mag_out = mag[lo] * (1.0 - frac) + mag[hi] * frac

    # Phase vocoder: instantaneous frequency of every input bin from the phase
    # advance between frames, read at the nearest source bin and mapped through the
    # warp (an output partial must advance at warp(f), not f), then integrated
    # along time.
    phase = np.angle(D)
    omega = 2.0 * np.pi * bins / n_fft  # bin centre, rad / sample
    nearest = np.clip(np.rint(src).astype(np.intp), 0, n_bins - 1)
    phase_src = phase[nearest]
    if D.shape[1] > 1:
        dphi = np.diff(phase, axis=1) - omega[:, None] * hop
        dphi = np.mod(dphi + np.pi, 2.0 * np.pi) - np.pi  # principal argument
        inst_hz = (omega[:, None] + dphi / hop) * sr / (2.0 * np.pi)
        # (the two linear pieces extend beyond [0, sr/2], where estimates of
        # noisy edge bins may fall; no clipping, so alpha -> 1 tends to identity)
        inst_out = vtlp_warp(inst_hz[nearest], alpha=alpha, sr=sr, f_hi=f_hi)
        advance = hop * 2.0 * np.pi / sr * inst_out
        phase_pv = phase_src[:, :1] + np.concatenate(
            [np.zeros((n_bins, 1)), np.cumsum(advance, axis=1)], axis=1
        )
        # Identity phase locking (Laroche & Dolson 1999): a bin takes the phase of
        # its nearest spectral peak plus the phase offset it had to that peak in
        # the source, which keeps each partial's bins coherent.
        peak = _nearest_peak(mag_out)
        frame = np.arange(D.shape[1])[None, :]
        phase_out = phase_pv[peak, frame] + phase_src - phase_src[peak, frame]
    else:
        phase_out = phase_src
    out = _istft(mag_out * np.exp(1j * phase_out), n_fft, hop, x.size)
    # Resynthesis from a modified STFT is not energy preserving (overlapping
    # frames partly cancel); give the output the input's RMS, so VTLP changes the
    # spectral envelope and not the loudness.
    rms_in = np.sqrt(np.mean(np.square(x, dtype=np.float64)))
    rms_out = np.sqrt(np.mean(np.square(out)))
    if rms_out > 0:
        out *= rms_in / rms_out
    return out.astype(np.float32)


@fill_doc(
    **_sampler_docs(
        int_n_doc="This is li2021's balancing\n          (§6.6: 2 500 per class): "
        "classes larger than ``N`` are randomly\n          under-sampled to ``N`` "
        "(without replacement), smaller ones are\n          enlarged with VTLP copies."
    )
)
class VTLPResampler(WaveformInputMixin, BaseAugmentSampler):
    """Balance classes with vocal-tract-length-perturbed copies of their waveforms.

    Every synthetic utterance is :func:`vtlp` of a randomly chosen original of its
    class, with a warp factor drawn uniformly from ``alpha_range`` (Jaitly & Hinton
    2013 [1]_: [0.9, 1.1]); li2021 [2]_ balances its classes this way. It works on
    waveforms, so it is placed *before* feature extraction in an
    :class:`imblearn.pipeline.Pipeline`.

    Parameters
    ----------
    sr : int, default=16000
        Sample rate of the waveforms (and rate at which paths are loaded).
    alpha_range : tuple of (float, float), default=(0.9, 1.1)
        Interval the warp factor of every synthetic utterance is drawn from
        (uniformly); both ends in (0, 2).

    %(sampling_strategy)s

    f_hi : float, default=None
        Boundary frequency of the warp in Hz, in (0, sr/2); default ``0.3 * sr``.
    n_fft : int, default=512
        FFT size of the STFT used to warp.
    hop_length : int, default=None
        Hop of that STFT; default ``n_fft // 4``.

    %(factor)s

    %(random_state)s

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of synthetic utterances added to each class.
    undersampling_strategy_ : dict
        The classes cut down by an integer ``sampling_strategy`` and the number of
        originals each keeps (empty otherwise).
    %(sample_indices)s
    alphas_ : ndarray of shape (n_synthetic,)
        The warp factor of every synthetic utterance, in output order.

    See Also
    --------
    vtlp : the perturbation of one waveform.
    SpecAugmentResampler : SpecAugment on features.

    Notes
    -----
    X is a list / object array of 1-D waveforms (any lengths), a 2-D array of
    equal-length waveforms (one per row), or file paths (loaded at ``sr``; the
    output then holds waveforms). The output has the container of X (paths give
    an object array / list of waveforms), float32 samples, and every synthetic
    waveform has the length of its original.

    %(pipeline_warning)s

    References
    ----------
    .. [1] N. Jaitly and G. E. Hinton, "Vocal tract length perturbation (VTLP)
       improves speech recognition", ICML Workshop on Deep Learning for Audio,
       Speech and Language, 2013.
    .. [2] Y. Li, "Speech emotion recognition with TF-CNN and multi-level
       classification" (thesis), 2021, §2.3 and §6.6.

    Examples
    --------
    li2021's "N per class": the large class is under-sampled, the small ones are
    enlarged with VTLP copies.

    >>> import numpy as np
    >>> from collections import Counter
    >>> from sklearn_ser.augment import VTLPResampler
    >>> rng = np.random.default_rng(0)
    >>> waves = [rng.normal(size=int(n)).astype("float32")
    ...          for n in rng.integers(4000, 8000, size=9)]
    >>> y = ["joy"] * 6 + ["sad"] * 2 + ["ang"]
    >>> sampler = VTLPResampler(sampling_strategy=4, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(waves, y)
    >>> sorted(Counter(y_res).items())
    [('ang', 4), ('joy', 4), ('sad', 4)]
    >>> [len(x) for x in X_res] == [len(waves[i]) for i in sampler.sample_indices_]
    True
    """

    _undersample_to_n = True

    _parameter_constraints: dict = {
        **BaseAugmentSampler._parameter_constraints,
        "sr": [Interval(Integral, 1, None, closed="left")],
        "alpha_range": [tuple, list],
        "f_hi": [Interval(Real, 0, None, closed="neither"), None],
        "n_fft": [Interval(Integral, 4, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        sr=16000,
        alpha_range=(0.9, 1.1),
        sampling_strategy="auto",
        f_hi=None,
        n_fft=512,
        hop_length=None,
        factor=2.0,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            factor=factor,
            random_state=random_state,
        )
        self.sr = sr
        self.alpha_range = alpha_range
        self.f_hi = f_hi
        self.n_fft = n_fft
        self.hop_length = hop_length

    def _check_items(self, X: Any) -> np.ndarray:
        # called first by fit and fit_resample (after _parameter_constraints):
        # the checks that involve two parameters or a tuple's items, then X
        name = type(self).__name__
        rng_ = self.alpha_range
        if len(rng_) != 2 or not all(_ALPHA.is_satisfied_by(a) for a in rng_):
            raise ValueError(
                f"{name}: alpha_range must be a pair (low, high) of warp factors in "
                f"(0, 2), got {rng_!r}"
            )
        if rng_[0] > rng_[1]:
            raise ValueError(
                f"{name}: alpha_range must be (low, high) with low <= high, got "
                f"{rng_!r}"
            )
        _resolve_f_hi(self.f_hi, self.sr, name)
        _resolve_hop(self.hop_length, self.n_fft, name)
        return self._check_waveforms(X)

    def _augment(
        self, X: np.ndarray, sources: np.ndarray, rng: np.random.RandomState
    ) -> list[np.ndarray]:
        low, high = self.alpha_range
        alphas = np.empty(len(sources), dtype=np.float64)
        synthetic = []
        for j, i in enumerate(sources):
            # one warp factor per copy, drawn just before it is made
            alphas[j] = float(rng.uniform(low, high)) if high > low else float(low)
            synthetic.append(self._warp(X[i], alphas[j]))
        self.alphas_ = alphas
        return synthetic

    def _warp(self, item: np.ndarray, alpha: float) -> np.ndarray:
        return vtlp(
            item,
            sr=self.sr,
            alpha=alpha,
            f_hi=self.f_hi,
            n_fft=self.n_fft,
            hop_length=self.hop_length,
        )
