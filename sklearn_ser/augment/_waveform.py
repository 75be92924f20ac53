"""Waveform augmentation for speaker generalisation: speed perturbation, pitch shift
and additive noise at a chosen SNR, as imbalanced-learn samplers and functions.

Every sampler works like :class:`VTLPResampler` (``sampling_strategy``,
``random_state``, ``sample_indices_``, fit-time only in an imblearn Pipeline) and
adds an ``n_copies`` mode -- every utterance of every class augmented ``k``
times -- since for speaker generalisation one augments all the data, not only the
minority classes (Ko et al. 2015: speed perturbation 0.9 / 1.0 / 1.1).
"""

from __future__ import annotations

from collections import OrderedDict
from numbers import Integral, Real
from typing import Any

import numpy as np
from imblearn.utils import Substitution
from sklearn.utils._param_validation import Interval, StrOptions

from sklearn_ser.utils._validation import check_audio, to_object_array

from ._base import (
    _FACTOR_DOC,
    _PIPELINE_WARNING_DOC,
    _RANDOM_STATE_DOC,
    _SAMPLE_INDICES_DOC,
    _SAMPLING_STRATEGY_DOC,
    BaseAugmentSampler,
    _count_classes,
)

__all__ = [
    "NoiseResampler",
    "PitchShiftResampler",
    "SpeedPerturbResampler",
    "add_noise",
    "pitch_shift",
    "speed_perturb",
]


# --------------------------------------------------------------------- functions
def _check_wave(y: Any, name: str) -> np.ndarray:
    x = np.asarray(y)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(
            f"{name}: y must be a non-empty 1-D waveform, got an array of shape {x.shape}"
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
        raise ValueError(f"speed_perturb: speed must be a number in [0.5, 2], got {speed!r}")
    if speed == 1.0:
        return np.array(x, dtype=np.float32, copy=True)
    import soxr

    n_out = max(int(round(x.size / speed)), 1)
    # read the samples as taken at speed * 1 Hz and resample them to 1 Hz
    out = soxr.resample(x.astype(np.float64), float(speed), 1.0, quality="HQ")
    if out.size < n_out:
        out = np.pad(out, (0, n_out - out.size))
    return out[:n_out].astype(np.float32)


def pitch_shift(y: np.ndarray, *, sr: float, n_steps: float) -> np.ndarray:
    """Shift the pitch of a waveform by ``n_steps`` semitones, duration kept.

    :func:`librosa.effects.pitch_shift` (phase-vocoder time stretch by
    ``2 ** (-n_steps / 12)``, then resampling with soxr), with the output scaled
    to the input's RMS so only the pitch changes, not the loudness. ``n_steps =
    0`` returns an exact copy.

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
    import librosa

    n_fft = 512 if x.size >= 512 else 2 ** int(np.floor(np.log2(max(x.size, 4))))
    out = librosa.effects.pitch_shift(
        x.astype(np.float32), sr=sr, n_steps=float(n_steps), n_fft=n_fft,
        res_type="soxr_hq",
    ).astype(np.float64)
    rms_in, rms_out = _rms(x), _rms(out)
    if rms_out > 0:
        out *= rms_in / rms_out
    return out.astype(np.float32)


def _pink(n: int, rng: np.random.RandomState) -> np.ndarray:
    """Pink (1/f power) noise: white noise shaped by 1/sqrt(f) in the spectrum."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spec.size, dtype=np.float64)
    f[0] = np.inf  # no DC
    return np.fft.irfft(spec / np.sqrt(f), n=n)


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
    >>> round(float(10 * np.log10(np.sum(y.astype(np.float64) ** 2) / np.sum(d ** 2))), 2)
    10.0
    """
    from sklearn.utils import check_random_state

    x = _check_wave(y, "add_noise")
    if isinstance(snr_db, bool) or not isinstance(snr_db, Real) or not -30 <= snr_db <= 100:
        raise ValueError(f"add_noise: snr_db must be a number in [-30, 100], got {snr_db!r}")
    if noise not in ("white", "pink"):
        raise ValueError(f'add_noise: noise must be "white" or "pink", got {noise!r}')
    rng = check_random_state(random_state)
    x64 = x.astype(np.float64)
    n = rng.standard_normal(x.size) if noise == "white" else _pink(x.size, rng)
    p_signal, p_noise = float(np.sum(x64**2)), float(np.sum(n**2))
    if p_signal == 0 or p_noise == 0:
        return np.array(x, dtype=np.float32, copy=True)
    gain = np.sqrt(p_signal / (p_noise * 10.0 ** (snr_db / 10.0)))
    return (x64 + gain * n).astype(np.float32)


# ---------------------------------------------------------------------- samplers
_N_COPIES_DOC = """n_copies : int or None, default=None
        Augment **every** utterance of every class ``n_copies`` times (the usual
        mode for speaker generalisation), overriding ``sampling_strategy``. The
        copies of one utterance take the values of ``{values}`` in turn
        (copy ``k`` takes value ``k mod len({values})``), so ``n_copies =
        len({values})`` gives each utterance once with each value; otherwise
        each synthetic utterance draws its value at random."""


def _check_values(values: Any, name: str, param: str, low: float, high: float) -> tuple:
    vals = (values,) if isinstance(values, Real) else tuple(values)
    if not vals or any(
        isinstance(v, bool) or not isinstance(v, Real) or not low <= v <= high
        for v in vals
    ):
        raise ValueError(
            f"{name}: {param} must be a number or a non-empty sequence of numbers in "
            f"[{low}, {high}], got {values!r}"
        )
    return tuple(float(v) for v in vals)


class _WaveformSampler(BaseAugmentSampler):
    """Shared machinery: waveform input, the ``n_copies`` mode, one value per
    synthetic utterance drawn from a sequence (``_values``) and recorded."""

    _keeps_length = True

    _parameter_constraints: dict = {
        **BaseAugmentSampler._parameter_constraints,
        "sr": [Interval(Integral, 1, None, closed="left")],
        "n_copies": [Interval(Integral, 1, None, closed="left"), None],
    }

    def _values(self) -> tuple:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_items(self, X: Any) -> np.ndarray:
        self._values()  # validates the parameter
        dense = isinstance(X, np.ndarray) and X.dtype != object and X.ndim == 2
        waves = check_audio(X, sr=self.sr, name=type(self).__name__)
        if dense and self._keeps_length:
            return np.stack(waves)
        return to_object_array(waves)

    def _resolve_sampling_strategy(self, y):
        if self.n_copies is None:
            return super()._resolve_sampling_strategy(y)
        counts = _count_classes(y)
        return (
            OrderedDict((c, int(self.n_copies) * n) for c, n in counts.items()),
            OrderedDict(),
        )

    def _fit_resample(self, X, y):
        self._drawn: list[float] = []
        X_res, y_res = super()._fit_resample(X, y)
        setattr(self, self._values_attr, np.asarray(self._drawn, dtype=np.float64))
        del self._drawn
        return X_res, y_res

    def _next_value(self, rng: np.random.RandomState) -> float:
        values = self._values()
        if self.n_copies is not None:
            # The base class augments each original's n_copies copies one after
            # the other, so the running count gives the copy number.
            value = values[len(self._drawn) % int(self.n_copies) % len(values)]
        else:
            value = values[rng.randint(len(values))] if len(values) > 1 else values[0]
        self._drawn.append(value)
        return value

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.string = True  # file paths
        return tags


_COMMON_SUBS = dict(
    sampling_strategy=_SAMPLING_STRATEGY_DOC.format(
        int_n_doc="Larger classes are kept\n          whole."
    ),
    factor=_FACTOR_DOC,
    random_state=_RANDOM_STATE_DOC,
    sample_indices=_SAMPLE_INDICES_DOC,
    pipeline_warning=_PIPELINE_WARNING_DOC,
)



@Substitution(**_COMMON_SUBS, n_copies=_N_COPIES_DOC.format(values="speeds"))
class SpeedPerturbResampler(_WaveformSampler):
    """Enlarge the data with speed-perturbed copies of the waveforms.

    Every synthetic utterance is :func:`speed_perturb` of an original with a
    speed from ``speeds`` -- Ko et al.'s [1]_ recipe (copies at 0.9 and 1.1
    beside the originals) is ``SpeedPerturbResampler(n_copies=2)``. Tempo, F0
    and formants all move, which imitates other speakers. Placed before feature
    extraction in an :class:`imblearn.pipeline.Pipeline`.

    Parameters
    ----------
    sr : int, default=16000
        Sample rate of the waveforms (and rate at which paths are loaded).
    speeds : float or sequence of float, default=(0.9, 1.1)
        Speed factors in [0.5, 2] the synthetic utterances use.

    {sampling_strategy}

    {factor}

    {n_copies}

    {random_state}

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of synthetic utterances added to each class.
    {sample_indices}
    speeds_ : ndarray of shape (n_synthetic,)
        The speed of every synthetic utterance, in output order.

    See Also
    --------
    speed_perturb : the perturbation of one waveform.
    PitchShiftResampler, NoiseResampler, VTLPResampler : other waveform samplers.

    Notes
    -----
    X is a list / object array of 1-D waveforms, a 2-D array of equal-length
    waveforms (one per row) or file paths. Synthetic utterances change length
    (``round(n / speed)`` samples), so the output is an object array (a list
    for a list) whatever the input.

    {pipeline_warning}

    References
    ----------
    .. [1] T. Ko, V. Peddinti, D. Povey and S. Khudanpur, "Audio augmentation
       for speech recognition", Interspeech 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.augment import SpeedPerturbResampler
    >>> rng = np.random.default_rng(0)
    >>> waves = [rng.normal(size=9000).astype("float32") for _ in range(4)]
    >>> X_res, y_res = SpeedPerturbResampler(n_copies=2).fit_resample(waves, [0, 0, 1, 1])
    >>> len(X_res), [len(x) for x in X_res[4:6]]
    (12, [10000, 8182])
    """

    _keeps_length = False
    _values_attr = "speeds_"

    _parameter_constraints: dict = {
        **_WaveformSampler._parameter_constraints,
        "speeds": [Real, "array-like"],
    }

    def __init__(
        self,
        *,
        sr=16000,
        speeds=(0.9, 1.1),
        sampling_strategy="auto",
        factor=2.0,
        n_copies=None,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, factor=factor, random_state=random_state
        )
        self.sr = sr
        self.speeds = speeds
        self.n_copies = n_copies

    def _values(self) -> tuple:
        return _check_values(self.speeds, type(self).__name__, "speeds", 0.5, 2.0)

    def _augment_one(self, item, rng):
        return speed_perturb(item, speed=self._next_value(rng))


@Substitution(**_COMMON_SUBS, n_copies=_N_COPIES_DOC.format(values="n_steps"))
class PitchShiftResampler(_WaveformSampler):
    """Enlarge the data with pitch-shifted copies of the waveforms.

    Every synthetic utterance is :func:`pitch_shift` of an original by a number
    of semitones from ``n_steps``; duration and loudness are kept. Placed before
    feature extraction in an :class:`imblearn.pipeline.Pipeline`.

    Parameters
    ----------
    sr : int, default=16000
        Sample rate of the waveforms (and rate at which paths are loaded).
    n_steps : float or sequence of float, default=(-2.0, -1.0, 1.0, 2.0)
        Semitone shifts in [-12, 12] the synthetic utterances use.

    {sampling_strategy}

    {factor}

    {n_copies}

    {random_state}

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of synthetic utterances added to each class.
    {sample_indices}
    n_steps_ : ndarray of shape (n_synthetic,)
        The shift of every synthetic utterance in semitones, in output order.

    See Also
    --------
    pitch_shift : the shift of one waveform.
    SpeedPerturbResampler, NoiseResampler, VTLPResampler : other waveform samplers.

    Notes
    -----
    X is a list / object array of 1-D waveforms, a 2-D array of equal-length
    waveforms (one per row) or file paths; the output has the container of X
    and every synthetic waveform the length of its original. The phase vocoder
    costs about one STFT and one inverse STFT per synthetic utterance.

    {pipeline_warning}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.augment import PitchShiftResampler
    >>> rng = np.random.default_rng(0)
    >>> waves = rng.normal(size=(4, 8000)).astype("float32")
    >>> sampler = PitchShiftResampler(n_steps=(-1.0, 1.0), n_copies=2)
    >>> X_res, y_res = sampler.fit_resample(waves, [0, 0, 1, 1])
    >>> X_res.shape, sampler.n_steps_.tolist()[:4]
    ((12, 8000), [-1.0, 1.0, -1.0, 1.0])
    """

    _values_attr = "n_steps_"

    _parameter_constraints: dict = {
        **_WaveformSampler._parameter_constraints,
        "n_steps": [Real, "array-like"],
    }

    def __init__(
        self,
        *,
        sr=16000,
        n_steps=(-2.0, -1.0, 1.0, 2.0),
        sampling_strategy="auto",
        factor=2.0,
        n_copies=None,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, factor=factor, random_state=random_state
        )
        self.sr = sr
        self.n_steps = n_steps
        self.n_copies = n_copies

    def _values(self) -> tuple:
        return _check_values(self.n_steps, type(self).__name__, "n_steps", -12.0, 12.0)

    def _augment_one(self, item, rng):
        return pitch_shift(item, sr=self.sr, n_steps=self._next_value(rng))


@Substitution(**_COMMON_SUBS, n_copies=_N_COPIES_DOC.format(values="snr_db"))
class NoiseResampler(_WaveformSampler):
    """Enlarge the data with noisy copies of the waveforms at chosen SNRs.

    Every synthetic utterance is :func:`add_noise` of an original: white or
    pink noise at a signal-to-noise ratio from ``snr_db`` (exact for every
    copy). Placed before feature extraction in an
    :class:`imblearn.pipeline.Pipeline`.

    Parameters
    ----------
    sr : int, default=16000
        Sample rate of the waveforms (and rate at which paths are loaded).
    snr_db : float or sequence of float, default=(10.0, 20.0, 30.0)
        Signal-to-noise ratios in dB, in [-30, 100], the synthetic utterances use.
    noise : {{"white", "pink"}}, default="white"
        Colour of the noise.

    {sampling_strategy}

    {factor}

    {n_copies}

    {random_state}

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of synthetic utterances added to each class.
    {sample_indices}
    snr_db_ : ndarray of shape (n_synthetic,)
        The SNR of every synthetic utterance, in output order.

    See Also
    --------
    add_noise : the noise of one waveform.
    SpeedPerturbResampler, PitchShiftResampler, VTLPResampler : other samplers.

    Notes
    -----
    X is a list / object array of 1-D waveforms, a 2-D array of equal-length
    waveforms (one per row) or file paths; the output has the container of X.

    {pipeline_warning}

    Examples
    --------
    Augment minority classes up to the majority count (the default):

    >>> import numpy as np
    >>> from collections import Counter
    >>> from sklearn_ser.augment import NoiseResampler
    >>> rng = np.random.default_rng(0)
    >>> waves = [rng.normal(size=int(n)).astype("float32") for n in (4000, 5000, 6000)]
    >>> X_res, y_res = NoiseResampler(snr_db=15.0, random_state=0).fit_resample(
    ...     waves, ["ang", "ang", "sad"])
    >>> sorted(Counter(y_res).items())
    [('ang', 2), ('sad', 2)]
    """

    _values_attr = "snr_db_"

    _parameter_constraints: dict = {
        **_WaveformSampler._parameter_constraints,
        "snr_db": [Real, "array-like"],
        "noise": [StrOptions({"white", "pink"})],
    }

    def __init__(
        self,
        *,
        sr=16000,
        snr_db=(10.0, 20.0, 30.0),
        noise="white",
        sampling_strategy="auto",
        factor=2.0,
        n_copies=None,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, factor=factor, random_state=random_state
        )
        self.sr = sr
        self.snr_db = snr_db
        self.noise = noise
        self.n_copies = n_copies

    def _values(self) -> tuple:
        return _check_values(self.snr_db, type(self).__name__, "snr_db", -30.0, 100.0)

    def _augment_one(self, item, rng):
        snr = self._next_value(rng)
        return add_noise(item, snr_db=snr, noise=self.noise, random_state=rng)
