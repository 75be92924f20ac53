"""Waveform perturbations for speaker generalisation: speed, pitch, additive noise.

The pure functions behind the samplers of :mod:`sklearn_ser.augment._waveform`.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np

from ._vtlp import _istft, _stft

__all__ = ["add_noise", "pitch_shift", "speed_perturb"]


def _check_wave(y: Any, name: str) -> np.ndarray:
    x = np.asarray(y)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(
            f"{name}: y must be a non-empty 1-D waveform, got an array of shape "
            f"{x.shape}"
        )
    if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise ValueError(f"{name}: y must hold real samples, got dtype {x.dtype}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: y contains NaN or inf samples")
    return x


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def speed_perturb(y: np.ndarray, *, speed: float) -> np.ndarray:
    """Play a waveform ``speed`` times faster: tempo and pitch change together.

    Kaldi's speed perturbation (Ko et al. 2015 [1]_): the signal is resampled so
    that it lasts ``1 / speed`` as long (``round(n / speed)`` samples), which moves
    every frequency (F0 and formants) by the factor ``speed``. ``speed = 1``
    returns an exact copy.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Mono waveform. Not modified.
    speed : float
        Speed factor in [0.5, 2]; Ko et al. use 0.9 and 1.1.

    Returns
    -------
    perturbed : ndarray of shape (round(n_samples / speed),), dtype float32

    References
    ----------
    .. [1] T. Ko, V. Peddinti, D. Povey and S. Khudanpur, "Audio augmentation for
       speech recognition", Interspeech 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.augment import speed_perturb
    >>> tone = np.sin(2 * np.pi * 200 * np.arange(16000) / 16000).astype("float32")
    >>> fast = speed_perturb(tone, speed=1.25)
    >>> fast.shape
    (12800,)
    >>> int(round(np.argmax(np.abs(np.fft.rfft(fast))) * 16000 / fast.size))
    250
    """
    x = _check_wave(y, "speed_perturb")
    if isinstance(speed, bool) or not isinstance(speed, Real) or not 0.5 <= speed <= 2:
        raise ValueError(
            f"speed_perturb: speed must be a number in [0.5, 2], got {speed!r}"
        )
    if speed == 1.0:
        return np.array(x, dtype=np.float32, copy=True)
    import soxr

    n_out = max(int(round(x.size / speed)), 1)
    # read the samples as taken at speed * 1 Hz and resample them to 1 Hz
    out = soxr.resample(x.astype(np.float64), float(speed), 1.0, quality="HQ")
    if out.size < n_out:
        out = np.pad(out, (0, n_out - out.size))
    return out[:n_out].astype(np.float32)


def _time_stretch(x: np.ndarray, rate: float, n_fft: int, hop: int) -> np.ndarray:
    """Phase-vocoder time stretch: ``round(len(x) / rate)`` samples, pitch kept.

    librosa's ``phase_vocoder`` without its loop over frames: magnitudes
    interpolated between the two nearest input frames, phases accumulated with
    the measured instantaneous frequency (a cumulative sum along time).
    """
    D = _stft(x, n_fft, hop)
    n_bins = D.shape[0]
    steps = np.arange(0.0, D.shape[1], rate)
    D = np.pad(D, ((0, 0), (0, 2)))
    i = steps.astype(np.intp)
    frac = (steps - i)[None, :]
    left, right = D[:, i], D[:, i + 1]
    mag = (1.0 - frac) * np.abs(left) + frac * np.abs(right)
    advance = 2.0 * np.pi * hop * np.arange(n_bins) / n_fft  # expected, per hop
    dphi = np.angle(right) - np.angle(left) - advance[:, None]
    dphi -= 2.0 * np.pi * np.round(dphi / (2.0 * np.pi))  # principal argument
    step = advance[:, None] + dphi
    phase = np.angle(D[:, :1]) + np.concatenate(
        [np.zeros((n_bins, 1)), np.cumsum(step, axis=1)[:, :-1]], axis=1
    )
    length = max(int(round(x.size / rate)), 1)
    return _istft(mag * np.exp(1j * phase), n_fft, hop, length)


def pitch_shift(y: np.ndarray, *, sr: float, n_steps: float) -> np.ndarray:
    """Shift the pitch of a waveform by ``n_steps`` semitones, duration kept.

    The recipe of :func:`librosa.effects.pitch_shift` -- a phase-vocoder time
    stretch by ``2 ** (-n_steps / 12)`` (Laroche & Dolson [1]_), then resampling
    back to the input's duration with soxr -- with the vocoder vectorised over
    frames (several times faster than librosa's loop over frames, the same
    output to a correlation of 0.99999), and the output scaled to the
    input's RMS so only the pitch changes, not the loudness. ``n_steps = 0``
    returns an exact copy.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Mono waveform. Not modified.
    sr : float
        Sample rate in Hz.
    n_steps : float
        Semitones in [-12, 12] (fractions allowed); positive is higher.

    Returns
    -------
    shifted : ndarray of shape (n_samples,), dtype float32

    References
    ----------
    .. [1] J. Laroche and M. Dolson, "Improved phase vocoder time-scale
       modification of audio", IEEE Trans. Speech and Audio Processing, 7(3),
       pp. 323-332, 1999.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.augment import pitch_shift
    >>> sr = 16000
    >>> tone = np.sin(2 * np.pi * 200 * np.arange(sr) / sr).astype("float32")
    >>> up = pitch_shift(tone, sr=sr, n_steps=12)
    >>> up.shape, int(round(np.argmax(np.abs(np.fft.rfft(up))) * sr / up.size))
    ((16000,), 400)
    """
    x = _check_wave(y, "pitch_shift")
    if isinstance(sr, bool) or not isinstance(sr, Real) or sr <= 0:
        raise ValueError(f"pitch_shift: sr must be a positive number, got {sr!r}")
    if isinstance(n_steps, bool) or not isinstance(n_steps, Real) or abs(n_steps) > 12:
        raise ValueError(
            f"pitch_shift: n_steps must be a number of semitones in [-12, 12], got "
            f"{n_steps!r}"
        )
    if n_steps == 0:
        return np.array(x, dtype=np.float32, copy=True)
    import soxr

    n_fft = 512 if x.size >= 512 else 2 ** int(np.floor(np.log2(max(x.size, 4))))
    # librosa.effects.pitch_shift's recipe: stretch by 1/rate, resample by rate
    rate = 2.0 ** (-float(n_steps) / 12.0)
    stretched = _time_stretch(x.astype(np.float64), rate, n_fft, n_fft // 4)
    out = soxr.resample(stretched, float(sr) / rate, float(sr), quality="HQ")
    out = np.pad(out, (0, max(x.size - out.size, 0)))[: x.size]
    rms_in, rms_out = _rms(x), _rms(out)
    if rms_out > 0:
        out *= rms_in / rms_out
    return out.astype(np.float32)


def _pink(n: int, rng: np.random.RandomState) -> np.ndarray:
    """Pink (1/f power) noise: white noise shaped by 1/sqrt(f) in the spectrum."""
    from scipy.fft import irfft, next_fast_len, rfft

    # an FFT of a fast length, cut to n (a prime n would cost 10x more)
    m = next_fast_len(n, real=True)
    spec = rfft(rng.standard_normal(m))
    f = np.arange(spec.size, dtype=np.float64)
    f[0] = np.inf  # no DC
    return irfft(spec / np.sqrt(f), n=m)[:n]


def add_noise(
    y: np.ndarray,
    *,
    snr_db: float,
    noise: str = "white",
    random_state: Any = None,
) -> np.ndarray:
    """Add white or pink noise at a given signal-to-noise ratio.

    The noise is scaled so that ``10 * log10(sum(y**2) / sum(noise**2))`` equals
    ``snr_db`` for the noise actually added (the SNR is exact, not on average).
    A silent waveform comes back unchanged (its SNR is undefined).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Mono waveform. Not modified.
    snr_db : float
        Signal-to-noise ratio in dB, in [-30, 100].
    noise : {"white", "pink"}, default="white"
        Flat spectrum, or power falling as 1/f (3 dB per octave), closer to
        babble and room noise.
    random_state : int, RandomState instance or None, default=None
        Seeds the noise.

    Returns
    -------
    noisy : ndarray of shape (n_samples,), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.augment import add_noise
    >>> y = np.sin(np.arange(8000) / 5.0).astype("float32")
    >>> noisy = add_noise(y, snr_db=10.0, noise="pink", random_state=0)
    >>> d = noisy.astype(np.float64) - y
    >>> snr = 10 * np.log10(np.sum(y.astype(np.float64) ** 2) / np.sum(d**2))
    >>> round(float(snr), 2)
    10.0
    """
    from sklearn.utils import check_random_state

    x = _check_wave(y, "add_noise")
    if (
        isinstance(snr_db, bool)
        or not isinstance(snr_db, Real)
        or not -30 <= snr_db <= 100
    ):
        raise ValueError(
            f"add_noise: snr_db must be a number in [-30, 100], got {snr_db!r}"
        )
    if noise not in ("white", "pink"):
        raise ValueError(f'add_noise: noise must be "white" or "pink", got {noise!r}')
    rng = check_random_state(random_state)
    x64 = x.astype(np.float64)
    # (a waveform of one sample has no spectrum to shape: white noise then)
    pink = noise == "pink" and x.size > 1
    n = _pink(x.size, rng) if pink else rng.standard_normal(x.size)
    p_signal, p_noise = float(np.sum(x64**2)), float(np.sum(n**2))
    if p_signal == 0 or p_noise == 0:
        return np.array(x, dtype=np.float32, copy=True)
    gain = np.sqrt(p_signal / (p_noise * 10.0 ** (snr_db / 10.0)))
    return (x64 + gain * n).astype(np.float32)
