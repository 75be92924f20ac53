"""Data augmentation for class balancing: imbalanced-learn samplers and plain functions.

The samplers run at fit time only inside an :class:`imblearn.pipeline.Pipeline`:

* :class:`SpecAugmentResampler` -- time warp, frequency and time masks on features
  (Park et al. 2019; liu2021 §2.4 balancing to the majority count);
* :class:`VTLPResampler` -- vocal-tract-length perturbation of waveforms (Jaitly &
  Hinton 2013; li2021's N-per-class balancing), placed before feature extraction.

The same augmentations as functions: :func:`spec_augment`, :func:`vtlp`,
:func:`vtlp_warp`.
"""

from ._base import BaseAugmentSampler
from ._specaugment import SpecAugmentResampler, spec_augment
from ._vtlp import VTLPResampler, vtlp, vtlp_warp

__all__ = [
    "BaseAugmentSampler",
    "SpecAugmentResampler",
    "VTLPResampler",
    "spec_augment",
    "vtlp",
    "vtlp_warp",
]
