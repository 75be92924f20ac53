"""Frame-level features from audio, and what turns them into model inputs.

Transformers from audio (waveforms or file paths) to per-utterance
``(channels, n_features, n_frames)`` arrays -- :class:`MFCC`,
:class:`LogMelSpectrogram`, :class:`Spectrogram` -- all stateless, batched over
utterances and vectorised over frames, numerically equal to librosa's; and
transformers of such features: :class:`FeatureNormalizer` (per-utterance or global
mean/variance normalisation; :func:`speaker_normalize` per speaker),
:class:`SpeakerNormalizer` (per speaker in a pipeline, ``speaker`` routed as metadata),
:class:`FrameStatistics` (functionals over frames, a 2-D table for classic
classifiers) and :class:`SpectrogramHasher` (li2021's average hash). The pure functions they call sit beside them.

The names are imported lazily (``sklearn_ser/utils/_lazy.py``): ``from
sklearn_ser.features import MFCC`` imports the MFCC module only, not the
eGeMAPS kernels (numba) nor the speech encoders.
"""

from typing import TYPE_CHECKING

from sklearn_ser.utils._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "_mfcc": ["MFCC", "mfcc"],
    "_egemaps": ["EGeMAPS", "egemaps"],
    "_channels": ["SelectChannels", "StackSpectrograms"],
    "_normalize": ["FeatureNormalizer", "speaker_normalize"],
    "_statistics": ["FrameStatistics", "frame_statistics"],
    "_spectrogram": ["LogMelSpectrogram", "Spectrogram"],
    "_speaker": ["SpeakerNormalizer"],
    "_hashing": ["SpectrogramHasher", "average_hash"],
    "_encoder": ["SpeechEncoder", "EncoderNotFoundError"],
    "_deltas": ["deltas"],
    "_engine": ["feature_progress"],
    "_spectral": ["log_mel_spectrogram", "mel_spectrogram", "power_to_db",
                  "stft_power"],
})

if TYPE_CHECKING:  # what type checkers and IDEs read
    from sklearn_ser.features._channels import SelectChannels, StackSpectrograms
    from sklearn_ser.features._deltas import deltas
    from sklearn_ser.features._egemaps import EGeMAPS, egemaps
    from sklearn_ser.features._engine import feature_progress
    from sklearn_ser.features._encoder import EncoderNotFoundError, SpeechEncoder
    from sklearn_ser.features._hashing import SpectrogramHasher, average_hash
    from sklearn_ser.features._mfcc import MFCC, mfcc
    from sklearn_ser.features._normalize import FeatureNormalizer, speaker_normalize
    from sklearn_ser.features._speaker import SpeakerNormalizer
    from sklearn_ser.features._spectral import (
        log_mel_spectrogram,
        mel_spectrogram,
        power_to_db,
        stft_power,
    )
    from sklearn_ser.features._spectrogram import LogMelSpectrogram, Spectrogram
    from sklearn_ser.features._statistics import FrameStatistics, frame_statistics
