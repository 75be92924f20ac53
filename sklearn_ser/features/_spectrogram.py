"""Spectrogram and log-mel spectrogram transformers (zhou, li2021)."""

from __future__ import annotations

import numpy as np
from sklearn.utils._param_validation import StrOptions

from sklearn_ser.features._base import _DOCS, AudioFeatureTransformer
from sklearn_ser.utils._docs import fill_doc
from sklearn_ser.features._framing import Framing
from sklearn_ser.features._spectral import (
    MEL_PARAMS,
    TOP_DB_PARAM,
    _power_to_db_frames,
    log_mel_spectrogram,
    stft_power,
)

__all__ = ["LogMelSpectrogram", "Spectrogram"]


@fill_doc(**_DOCS)
class LogMelSpectrogram(AudioFeatureTransformer):
    """Log-mel filterbank energies (dB) of every utterance.

    ``librosa.power_to_db(librosa.feature.melspectrogram(y=, sr=, n_fft=,
    hop_length=, win_length=, window=, center=, n_mels=, fmin=, fmax=),
    top_db=top_db)`` per utterance (Slaney mel, power 2, ``ref=1.0``,
    ``amin=1e-10``), computed for all utterances at once.

    The transformer is stateless: ``fit`` only checks the parameters.

    Parameters
    ----------
    %(framing)s
    n_mels : int, default=40
        Mel bands (zhou: 40).
    fmin : float, default=0.0
        Lowest band edge in Hz.
    fmax : float, default=None
        Highest band edge in Hz (<= ``sr / 2``); None is ``sr / 2``.
    top_db : float or None, default=80.0
        Values more than ``top_db`` dB below the utterance's maximum are raised to
        that floor; None keeps them.
    %(output)s
    %(parallel)s

    See Also
    --------
    MFCC : the DCT of these features.
    Spectrogram : the linear-frequency spectrogram.

    Notes
    -----
    %(short)s

    zhou uses 25 ms windows (``win_ms=25``) and clips or pads every utterance to
    7.5 s (``max_frames=750``). Features are named ``mel0, mel1, ...``.

    References
    ----------
    .. [1] H. Zhou and K. Liu, "Speech Emotion Recognition with Discriminative
       Feature Learning", Interspeech 2020, §4.1 (40 log-mel energies, 25 ms /
       10 ms, 7.5 s).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import LogMelSpectrogram
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.standard_normal(n).astype(np.float32) for n in (16000, 24000)]
    >>> logmel = LogMelSpectrogram(win_ms=25, max_frames=750)
    >>> logmel.fit_transform(X).shape
    (2, 1, 40, 750)
    """

    _parameter_constraints: dict = {
        **AudioFeatureTransformer._parameter_constraints,
        **MEL_PARAMS,
        **TOP_DB_PARAM,
    }

    def __init__(
        self,
        *,
        sr: int = 16000,
        n_mels: int = 40,
        win_ms: float = 40.0,
        hop_ms: float = 10.0,
        n_fft: int | None = None,
        window: str | tuple = "hamming",
        center: bool = True,
        pad_mode: str = "constant",
        pre_emphasis: float = 0.0,
        fmin: float = 0.0,
        fmax: float | None = None,
        top_db: float | None = 80.0,
        max_frames: int | None = None,
        pad_value: float = 0.0,
        crop: str = "start",
        trim_silence: bool = False,
        n_jobs: int | None = None,
        batch_size: int = 64,
    ) -> None:
        self.sr = sr
        self.n_mels = n_mels
        self.win_ms = win_ms
        self.hop_ms = hop_ms
        self.n_fft = n_fft
        self.window = window
        self.center = center
        self.pad_mode = pad_mode
        self.pre_emphasis = pre_emphasis
        self.fmin = fmin
        self.fmax = fmax
        self.top_db = top_db
        self.max_frames = max_frames
        self.pad_value = pad_value
        self.crop = crop
        self.trim_silence = trim_silence
        self.n_jobs = n_jobs
        self.batch_size = batch_size

    def _check_settings(self, framing: Framing) -> None:
        self._check_mel_band()

    def _analyse(self, waves: list[np.ndarray], framing: Framing) -> list[np.ndarray]:
        return log_mel_spectrogram(
            waves,
            sr=self.sr,
            **framing.as_args(),
            n_mels=self.n_mels,
            fmin=float(self.fmin),
            fmax=None if self.fmax is None else float(self.fmax),
            top_db=self.top_db,
        )

    def _output_shape(self, framing: Framing) -> tuple[int, int]:
        return 1, self.n_mels

    def _feature_names(self, framing: Framing) -> list[str]:
        return [f"mel{k}" for k in range(self.n_mels)]


@fill_doc(**_DOCS)
class Spectrogram(AudioFeatureTransformer):
    """Short-time Fourier spectrogram of every utterance: dB, power or magnitude.

    ``|librosa.stft(y, n_fft=, hop_length=, win_length=, window=, center=)|``
    squared (``scale="power"``), as is (``"magnitude"``), or
    ``power_to_db(|STFT|**2, top_db=top_db)`` per utterance (``"db"``, the
    spectrogram images of li2021), for all utterances at once. There are
    ``1 + n_fft // 2`` frequency bins.

    The transformer is stateless: ``fit`` only checks the parameters.

    Parameters
    ----------
    %(framing)s
    scale : {"db", "power", "magnitude"}, default="db"
        Output scale.
    top_db : float or None, default=80.0
        With ``scale="db"``: values more than ``top_db`` dB below the utterance's
        maximum are raised to that floor; None keeps them.
    %(output)s
    %(parallel)s

    See Also
    --------
    LogMelSpectrogram : the mel-scaled version.
    sklearn_ser.features.stft_power : the function.

    Notes
    -----
    %(short)s

    Features are named ``bin0, bin1, ...``; bin ``k`` is at ``k * sr / n_fft`` Hz.

    References
    ----------
    .. [1] J. Li, "Feature Extraction from Spectrums for Speech Emotion
       Recognition", Master's thesis, Leiden University, 2021, §5.1
       (spectrogram and mel spectrogram as inputs).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import Spectrogram
    >>> t = np.arange(16000) / 16000
    >>> y = np.sin(2 * np.pi * 500 * t).astype(np.float32)
    >>> S = Spectrogram(win_ms=32, scale="power").fit_transform([y])[0]
    >>> S.shape  # (channels, 1 + n_fft // 2, frames)
    (1, 257, 101)
    >>> int(S[0, :, 50].argmax()) * 16000 // 512
    500
    """

    _parameter_constraints: dict = {
        **AudioFeatureTransformer._parameter_constraints,
        "scale": [StrOptions({"db", "power", "magnitude"})],
        **TOP_DB_PARAM,
    }

    def __init__(
        self,
        *,
        sr: int = 16000,
        win_ms: float = 40.0,
        hop_ms: float = 10.0,
        n_fft: int | None = None,
        window: str | tuple = "hamming",
        center: bool = True,
        pad_mode: str = "constant",
        pre_emphasis: float = 0.0,
        scale: str = "db",
        top_db: float | None = 80.0,
        max_frames: int | None = None,
        pad_value: float = 0.0,
        crop: str = "start",
        trim_silence: bool = False,
        n_jobs: int | None = None,
        batch_size: int = 64,
    ) -> None:
        self.sr = sr
        self.win_ms = win_ms
        self.hop_ms = hop_ms
        self.n_fft = n_fft
        self.window = window
        self.center = center
        self.pad_mode = pad_mode
        self.pre_emphasis = pre_emphasis
        self.scale = scale
        self.top_db = top_db
        self.max_frames = max_frames
        self.pad_value = pad_value
        self.crop = crop
        self.trim_silence = trim_silence
        self.n_jobs = n_jobs
        self.batch_size = batch_size

    def _analyse(self, waves: list[np.ndarray], framing: Framing) -> list[np.ndarray]:
        spectra = stft_power(waves, sr=self.sr, **framing.as_args())
        for S in spectra:  # new arrays: rescaled in place
            if self.scale == "db":
                _power_to_db_frames(S.reshape(1, -1), np.array([1]), top_db=self.top_db)
            elif self.scale == "magnitude":
                np.sqrt(S, out=S)
        return spectra

    def _output_shape(self, framing: Framing) -> tuple[int, int]:
        return 1, framing.n_fft // 2 + 1

    def _feature_names(self, framing: Framing) -> list[str]:
        return [f"bin{k}" for k in range(framing.n_fft // 2 + 1)]
