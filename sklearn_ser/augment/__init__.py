"""Data augmentation for class balancing: imbalanced-learn samplers and plain functions.

The samplers run at fit time only inside an :class:`imblearn.pipeline.Pipeline`:

* :class:`SpecAugmentResampler` -- time warp, frequency and time masks on features
  (Park et al. 2019; liu2021 §2.4 balancing to the majority count);
* :class:`VTLPResampler` -- vocal-tract-length perturbation of waveforms (Jaitly &
  Hinton 2013; li2021's N-per-class balancing), placed before feature extraction.

* :class:`SpeedPerturbResampler`, :class:`PitchShiftResampler`,
  :class:`NoiseResampler` -- speed perturbation, pitch shift and additive noise at
  a chosen SNR, for speaker generalisation (``n_copies``: augment every utterance);
  :class:`ResampledEstimator` runs any of them before a whole pipeline and re-indexes
  the routed metadata (the speaker) like the resampled rows.

The same augmentations as functions: :func:`spec_augment`, :func:`vtlp`,
:func:`vtlp_warp`, :func:`speed_perturb`, :func:`pitch_shift`, :func:`add_noise`.
"""

from ._base import BaseAugmentSampler
from ._perturb import add_noise, pitch_shift, speed_perturb
from ._resampled import ResampledEstimator
from ._specaugment import SpecAugmentResampler, spec_augment
from ._vtlp import VTLPResampler, vtlp, vtlp_warp
from ._waveform import NoiseResampler, PitchShiftResampler, SpeedPerturbResampler

__all__ = [
    "BaseAugmentSampler",
    "NoiseResampler",
    "PitchShiftResampler",
    "ResampledEstimator",
    "SpecAugmentResampler",
    "SpeedPerturbResampler",
    "VTLPResampler",
    "add_noise",
    "pitch_shift",
    "spec_augment",
    "speed_perturb",
    "vtlp",
    "vtlp_warp",
]
