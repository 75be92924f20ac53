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
from sklearn.utils._param_validation import Interval, StrOptions

from sklearn_ser.utils._docs import fill_doc

from ._base import (
    BaseAugmentSampler,
    WaveformInputMixin,
    _count_classes,
    _sampler_docs,
)
from ._perturb import add_noise, pitch_shift, speed_perturb

__all__ = ["NoiseResampler", "PitchShiftResampler", "SpeedPerturbResampler"]


# ---------------------------------------------------------------------- samplers
_N_COPIES_DOC = """n_copies : int or None, default=None
        Augment **every** utterance of every class ``n_copies`` times (the usual
        mode for speaker generalisation), overriding ``sampling_strategy``. The
        copies of one utterance take the values of ``%(values)s`` in turn
        (copy ``k`` takes value ``k mod len(%(values)s)``), so ``n_copies =
        len(%(values)s)`` gives each utterance once with each value; otherwise
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


class _WaveformSampler(WaveformInputMixin, BaseAugmentSampler):
    """Shared machinery: waveform input, the ``n_copies`` mode, one value per
    synthetic utterance drawn from a sequence (``_values``) and recorded."""

    _parameter_constraints: dict = {
        **BaseAugmentSampler._parameter_constraints,
        "sr": [Interval(Integral, 1, None, closed="left")],
        "n_copies": [Interval(Integral, 1, None, closed="left"), None],
    }

    def _values(self) -> tuple:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_items(self, X: Any) -> np.ndarray:
        self._values()  # validates the parameter
        return self._check_waveforms(X)

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


def _waveform_docs(values: str) -> dict[str, str]:
    """The parameters and attributes every waveform sampler shares, in its order;
    ``values`` names the parameter ``n_copies`` cycles through."""
    docs = _sampler_docs(int_n_doc="Larger classes are kept\n          whole.")
    n_copies = _N_COPIES_DOC.replace("%(values)s", values)
    params = [docs["sampling_strategy"], docs["factor"], n_copies, docs["random_state"]]
    return {
        **docs,
        "sampler_params": "\n\n    ".join(params),
        "sampler_attributes": "sampling_strategy_ : dict\n        Number of synthetic "
        "utterances added to each class.\n    " + docs["sample_indices"],
    }


@fill_doc(**_waveform_docs("speeds"))
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

    %(sampler_params)s

    Attributes
    ----------
    %(sampler_attributes)s
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

    %(pipeline_warning)s

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
    >>> sampler = SpeedPerturbResampler(n_copies=2)
    >>> X_res, y_res = sampler.fit_resample(waves, [0, 0, 1, 1])
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
            sampling_strategy=sampling_strategy,
            factor=factor,
            random_state=random_state,
        )
        self.sr = sr
        self.speeds = speeds
        self.n_copies = n_copies

    def _values(self) -> tuple:
        return _check_values(self.speeds, type(self).__name__, "speeds", 0.5, 2.0)

    def _augment_one(self, item, rng):
        return speed_perturb(item, speed=self._next_value(rng))


@fill_doc(**_waveform_docs("n_steps"))
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

    %(sampler_params)s

    Attributes
    ----------
    %(sampler_attributes)s
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

    %(pipeline_warning)s

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
            sampling_strategy=sampling_strategy,
            factor=factor,
            random_state=random_state,
        )
        self.sr = sr
        self.n_steps = n_steps
        self.n_copies = n_copies

    def _values(self) -> tuple:
        return _check_values(self.n_steps, type(self).__name__, "n_steps", -12.0, 12.0)

    def _augment_one(self, item, rng):
        return pitch_shift(item, sr=self.sr, n_steps=self._next_value(rng))


@fill_doc(**_waveform_docs("snr_db"))
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
    noise : {"white", "pink"}, default="white"
        Colour of the noise.

    %(sampler_params)s

    Attributes
    ----------
    %(sampler_attributes)s
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

    %(pipeline_warning)s

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
            sampling_strategy=sampling_strategy,
            factor=factor,
            random_state=random_state,
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
