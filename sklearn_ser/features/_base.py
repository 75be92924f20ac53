"""What the audio feature transformers share: parameters, checks, output packing.

``MFCC``, ``LogMelSpectrogram`` and ``Spectrogram`` differ only in the public
function they call on a batch of waveforms (``_analyse``: :func:`mfcc`,
:func:`log_mel_spectrogram`, :func:`stft_power`) and in the names of their
features; reading and checking the audio (``check_audio``) and packing the
features into a ragged object array or a padded/cropped dense array happen here
once, and the batches run on threads through the feature engine
(:func:`~sklearn_ser.features._engine.map_batches`).
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn import config_context
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn_compat.base import _fit_context

from sklearn_ser.features._engine import map_batches
from sklearn_ser.features._framing import FRAMING_PARAMS, Framing, make_framing
from sklearn_ser.utils._validation import (
    audio_items,
    check_audio,
    check_consistent_length,
)

__all__ = ["AudioFeatureTransformer", "StatelessAudioMixin", "pack_features"]


# Shared numpydoc text, substituted into the transformers' docstrings.
_DOCS = {
    "framing": """sr : int, default=16000
        Sample rate in Hz. Waveforms are taken to be at this rate; files at another
        rate are resampled to it, stereo is mixed down, integer PCM scaled to
        [-1, 1].
    win_ms : float, default=40.0
        Analysis window in milliseconds; ``win_length = round(win_ms * sr / 1000)``
        samples (640 at 16 kHz).
    hop_ms : float, default=10.0
        Hop between frames in milliseconds (160 samples at 16 kHz).
    n_fft : int, default=None
        FFT length (>= the window length); None is the next power of two >= the
        window length (1024 for 640 samples). The window is centred in the
        ``n_fft`` frame and zero-padded, as in :func:`librosa.stft`.
    window : str or tuple, default="hamming"
        Window for :func:`scipy.signal.get_window`, built periodic
        (``fftbins=True``) as librosa builds it.
    center : bool, default=True
        Pad ``n_fft // 2`` samples on both sides so that frame ``t`` is centred on
        sample ``t * hop_length`` (librosa's default); an utterance of ``n``
        samples then has ``1 + n // hop_length`` frames. When False, frame ``t``
        starts at sample ``t * hop_length`` and there are
        ``1 + (n - n_fft) // hop_length`` frames.
    pad_mode : {"constant", "edge", "reflect"}, default="constant"
        Padding when ``center=True``; librosa 0.11's :func:`~librosa.stft` (and so
        ``feature.melspectrogram`` / ``feature.mfcc``) pads with zeros.
    pre_emphasis : float, default=0.0
        Coefficient ``a`` of the pre-emphasis ``y[n] - a y[n-1]`` (``y[0]`` kept)
        applied to every utterance before framing; 0 turns it off, li2021 uses
        0.97.
    trim_silence : bool, default=False
        Cut leading and trailing silence (30 dB below the peak) first, as kumar
        does.""",
    "output": """max_frames : int, default=None
        None returns a ragged object array, one ``(C, F, T_i)`` array per
        utterance. An int returns a dense ``(n_utterances, C, F, max_frames)``
        array: shorter utterances are padded with ``pad_value`` at the end, longer
        ones cropped as ``crop`` says.
    pad_value : float, default=0.0
        Value of the padding frames when ``max_frames`` is set.
    crop : {"start", "center"}, default="start"
        Which ``max_frames`` frames a longer utterance keeps: its first ones, or
        the middle ones.""",
    "parallel": """n_jobs : int, default=None
        Threads analysing batches of utterances at the same time, the calling
        thread one of them (the FFTs and the compiled frame kernels release the
        GIL). Read as joblib reads it: None means 1 unless in a
        :func:`joblib.parallel_config` context, -1 means all processors. The other
        threads are a pool kept between calls (joblib's threading backend takes
        longer to start than a batch takes). BLAS is held to one
        thread during the call (its products here are small, and a product split
        over threads would round differently), so ``n_jobs=2`` gives exactly the
        numbers of ``n_jobs=1``.
    batch_size : int, default=64
        Most utterances analysed together in one batch (on average; batches are
        balanced by duration, the last quarter of them half as long, and also
        hold at most about 2**19 samples, 33 s at 16 kHz). The batches, and so the numbers, do not depend on
        ``n_jobs``; the jobs take them one after the other.""",
    "short": """Every utterance needs at least one window of samples (``win_length``;
    ``n_fft`` when ``center=False``, as librosa requires); a shorter one raises a
    ``ValueError`` naming it, as do empty, silent (all-zero) and NaN/inf
    utterances, 3-D input and missing or unreadable files. The input is never
    modified.""",
}


def pack_features(
    feats: list[np.ndarray],
    out: np.ndarray,
    offset: int,
    *,
    max_frames: int | None,
    crop: str = "start",
) -> None:
    """Write the ``(C, K, T_j)`` features of consecutive utterances into ``out``.

    ``out`` is an object array (ragged: the arrays go in as they are) or a dense
    ``(n, C, K, max_frames)`` array already filled with the padding value;
    utterance ``j`` of ``feats`` goes to row ``offset + j``.
    """
    for j, item in enumerate(feats):
        if max_frames is None:
            out[offset + j] = item
            continue
        t = item.shape[-1]
        m = min(t, max_frames)
        skip = (t - m) // 2 if crop == "center" else 0
        out[offset + j, :, :, :m] = item[:, :, skip : skip + m]


class StatelessAudioMixin:
    """What every stateless transformer from audio shares.

    A ``fit`` that only checks (the parameters, through ``_check_fit``), the
    batch loop that reads, checks and analyses the audio items on the feature
    engine's threads (``_map_audio``), and the tags (no fit needed, file paths
    taken, no 2-D table).
    """

    def _check_fit(self) -> None:
        """Cross-parameter checks run by ``fit`` (none by default)."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None):
        """Check the parameters; nothing is learnt and ``X`` is not read.

        Parameters
        ----------
        X : sequence of waveforms or file paths
            Ignored (the transformer is stateless).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The transformer.
        """
        self._check_fit()
        if hasattr(X, "__len__"):
            check_consistent_length(X, y, name=type(self).__name__)
        return self

    def _map_audio(
        self, X: Any, new_out, analyse, *, min_samples: int, batch_size: int,
        trim: bool = False,
    ) -> np.ndarray:
        """``out = new_out(n)``, then ``analyse(waves, out, start)`` on every batch.

        Reading and checking the audio is per-clip work too: done by the
        workers, with errors naming the utterance's index in X.
        """
        name = type(self).__name__
        items = audio_items(X, name=name)
        out = new_out(len(items))

        def run(start: int, stop: int) -> None:
            waves = check_audio(
                items[start:stop],
                sr=self.sr,
                name=name,
                min_samples=min_samples,
                trim=trim,
                start=start,
                copy=False,  # only read: copied into the analysis buffers
            )
            analyse(waves, out, start)

        map_batches(items, run, n_jobs=self.n_jobs, batch_size=batch_size,
                    name=name)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True  # file paths
        return tags


class AudioFeatureTransformer(
    StatelessAudioMixin, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None
):
    """Base of the stateless transformers from audio to frame-level features.

    Subclasses define ``__init__`` (all parameters, keyword-only),
    ``_analyse(waves, framing)`` returning one ``(C, K, T_i)`` array per waveform
    (the public function of the features, called on checked waveforms),
    ``_output_shape()`` returning ``(C, K)``, ``_feature_names()`` and, when
    needed, ``_check_settings``.
    ``set_output`` does not apply: the output is 3-D/4-D, not a table.
    """

    _parameter_constraints: dict = {
        **{
            key: FRAMING_PARAMS[key]
            for key in ("sr", "n_fft", "window", "center", "pad_mode", "pre_emphasis")
        },
        "win_ms": [Interval(Real, 0, None, closed="neither")],
        "hop_ms": [Interval(Real, 0, None, closed="neither")],
        "trim_silence": ["boolean"],
        "max_frames": [Interval(Integral, 1, None, closed="left"), None],
        "pad_value": [Real],
        "crop": [StrOptions({"start", "center"})],
        # joblib's meaning: None, -1 (all processors), -2 ..., or a positive count
        "n_jobs": [
            Interval(Integral, None, -1, closed="right"),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    # -- subclass hooks ---------------------------------------------------------------

    def _analyse(self, waves: list[np.ndarray], framing: Framing) -> list[np.ndarray]:
        raise NotImplementedError

    def _output_shape(self, framing: Framing) -> tuple[int, int]:
        raise NotImplementedError

    def _feature_names(self, framing: Framing) -> list[str]:
        raise NotImplementedError

    def _check_settings(self, framing: Framing) -> None:
        """Cross-parameter checks beyond ``_parameter_constraints``."""

    def _check_mel_band(self) -> None:
        nyquist = self.sr / 2.0
        fmax = nyquist if self.fmax is None else float(self.fmax)
        if not 0 <= self.fmin < fmax <= nyquist:
            raise ValueError(
                f"{type(self).__name__}: need 0 <= fmin < fmax <= sr / 2 = {nyquist:g}"
                f" Hz, got fmin={self.fmin}, fmax={self.fmax}"
            )

    # -- shared machinery -------------------------------------------------------------

    def _framing(self) -> Framing:
        name = type(self).__name__
        win_length = int(round(self.win_ms * self.sr / 1000.0))
        hop_length = int(round(self.hop_ms * self.sr / 1000.0))
        if win_length < 1 or hop_length < 1:
            raise ValueError(
                f"{name}: win_ms={self.win_ms} and hop_ms={self.hop_ms} give "
                f"{win_length} and {hop_length} samples at sr={self.sr}; both must be "
                "at least one sample"
            )
        framing = make_framing(
            win_length=win_length,
            hop_length=hop_length,
            n_fft=self.n_fft,
            window=self.window,
            center=self.center,
            pad_mode=self.pad_mode,
            pre_emphasis=self.pre_emphasis,
            name=name,
        )
        self._check_settings(framing)
        return framing

    def _check_fit(self) -> None:
        self._framing()

    def transform(self, X: Any) -> np.ndarray:
        """Compute the features of every utterance.

        Parameters
        ----------
        X : sequence of waveforms or file paths, or ndarray of shape (n, n_samples)
            One item per utterance: a 1-D waveform at ``sr`` (2-D
            ``(channels, samples)`` audio is mixed down), or a path to an audio
            file. Not modified.

        Returns
        -------
        features : object ndarray of shape (n,) of float32 arrays (C, F, T_i), or ndarray of shape (n, C, F, max_frames)
            Ragged by default; dense, padded/cropped, when ``max_frames`` is set.
        """
        self._validate_params()
        framing = self._framing()

        def new_out(n: int) -> np.ndarray:
            if self.max_frames is None:
                return np.empty(n, dtype=object)
            c, k = self._output_shape(framing)
            return np.full((n, c, k, self.max_frames), self.pad_value, dtype=np.float32)

        def analyse(waves: list[np.ndarray], out: np.ndarray, start: int) -> None:
            # the parameters and the samples are checked: the function called on
            # them need not check them again (the config is per thread)
            with config_context(assume_finite=True, skip_parameter_validation=True):
                feats = self._analyse(waves, framing)
            pack_features(
                feats, out, start, max_frames=self.max_frames, crop=self.crop
            )

        return self._map_audio(
            X, new_out, analyse, min_samples=framing.min_samples,
            batch_size=self.batch_size, trim=self.trim_silence,
        )

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the per-frame features, channel after channel.

        The ``C * F`` names in the order of ``features[i].reshape(C * F, T)``, as
        :class:`FrameStatistics` takes them.

        Parameters
        ----------
        input_features : None
            Ignored (the input is audio).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        return np.asarray(self._feature_names(self._framing()), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
