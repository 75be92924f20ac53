"""MFCC: the function (:func:`mfcc`) and the transformer that calls it (:class:`MFCC`)
(liu2021, liu2023, kumar, li2021)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn_compat.utils._param_validation import validate_params

from sklearn_ser.features._base import _DOCS, AudioFeatureTransformer
from sklearn_ser.utils._docs import fill_doc
from sklearn_ser.features._deltas import _delta_frames
from sklearn_ser.features._framing import FRAMING_PARAMS, Framing, framing_from_args
from sklearn_ser.features._spectral import (
    MEL_PARAMS,
    TOP_DB_PARAM,
    _as_waves,
    _finish,
    _mel_frames,
)

__all__ = ["MFCC", "mfcc"]


@lru_cache(maxsize=64)
def _dct_matrix(n_mels: int, n_mfcc: int, lifter: float) -> np.ndarray:
    """``(n_mels, n_mfcc)`` matrix of the orthonormal DCT-II (times the lifter).

    ``S_db @ D`` equals ``scipy.fft.dct(S_db, type=2, norm="ortho")[:, :n_mfcc]``
    (librosa.feature.mfcc), with librosa's lifter ``1 + (L / 2) sin(pi k / L)``,
    ``k = 1..n_mfcc``, folded into the columns.
    """
    from scipy.fft import dct

    d = dct(np.eye(n_mels), type=2, norm="ortho", axis=0)[:n_mfcc].T
    if lifter > 0:
        k = np.arange(1, n_mfcc + 1, dtype=np.float64)
        d = d * (1.0 + (lifter / 2.0) * np.sin(np.pi * k / lifter))
    d = np.ascontiguousarray(d, dtype=np.float32)
    d.setflags(write=False)
    return d


def _mfcc_frames(
    waves: Sequence[np.ndarray],
    fr: Framing,
    *,
    sr: int,
    n_mfcc: int,
    n_mels: int,
    fmin: float,
    fmax: float | None,
    lifter: float = 0.0,
    top_db: float | None = 80.0,
    n_deltas: int = 0,
    delta_width: int = 9,
    stack: str = "channels",
) -> tuple[np.ndarray, np.ndarray]:
    """MFCC (+ deltas) of every frame: ``(n_frames_total, C, K)`` and counts."""
    log_mel, counts = _mel_frames(
        waves, fr, sr=sr, n_mels=n_mels, fmin=fmin, fmax=fmax, to_db=True,
        top_db=top_db,
    )
    dct = _dct_matrix(n_mels, n_mfcc, float(lifter))
    n = log_mel.shape[0]
    feats = np.empty((n, n_deltas + 1, n_mfcc), dtype=np.float32)
    np.matmul(log_mel[:, 0, :], dct, out=feats[:, 0, :])
    for order in range(1, n_deltas + 1):
        _delta_frames(feats, counts, src=0, dst=order, order=order, width=delta_width)
    if stack == "features":
        feats = feats.reshape(n, 1, (n_deltas + 1) * n_mfcc)
    return feats, counts


def check_mfcc_settings(
    *, n_mfcc: int, n_mels: int, delta_width: int, name: str
) -> None:
    """The MFCC checks that ``_parameter_constraints`` cannot say (ValueError
    naming the argument): ``n_mfcc <= n_mels`` and an odd ``delta_width``."""
    if n_mfcc > n_mels:
        raise ValueError(
            f"{name}: n_mfcc={n_mfcc} exceeds n_mels={n_mels}; the DCT of {n_mels} mel "
            "bands has at most that many coefficients"
        )
    if delta_width % 2 != 1:
        raise ValueError(
            f"{name}: delta_width must be an odd integer >= 3, got {delta_width!r}"
        )


# the cepstral arguments, shared by mfcc() and MFCC (whose ``deltas`` is n_deltas)
_CEPSTRAL_PARAMS: dict = {
    "n_mfcc": [Interval(Integral, 1, None, closed="left")],
    "lifter": [Interval(Real, 0, None, closed="left")],
    "delta_width": [Interval(Integral, 3, None, closed="left")],
    "stack": [StrOptions({"channels", "features"})],
}
_N_DELTAS = [Options(Integral, {0, 1, 2})]


@validate_params(
    {
        **FRAMING_PARAMS,
        **MEL_PARAMS,
        **TOP_DB_PARAM,
        **_CEPSTRAL_PARAMS,
        "n_deltas": _N_DELTAS,
    },
    prefer_skip_nested_validation=True,
)
def mfcc(
    y: np.ndarray | Sequence[Any],
    *,
    sr: int = 16000,
    n_mfcc: int = 40,
    n_fft: int | None = None,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: str | tuple = "hamming",
    center: bool = True,
    pad_mode: str = "constant",
    pre_emphasis: float = 0.0,
    n_mels: int = 40,
    fmin: float = 0.0,
    fmax: float | None = None,
    lifter: float = 0.0,
    top_db: float | None = 80.0,
    n_deltas: int = 0,
    delta_width: int = 9,
    stack: str = "channels",
) -> np.ndarray | list[np.ndarray]:
    """Mel-frequency cepstral coefficients (and their deltas), as librosa.

    ``librosa.feature.mfcc(y=, sr=, n_mfcc=, n_fft=, hop_length=, win_length=,
    window=, center=, pad_mode=, n_mels=, fmin=, fmax=, lifter=)`` followed by
    ``librosa.feature.delta(order=1, 2, width=delta_width)``: power mel spectrogram
    -> ``power_to_db(ref=1.0, amin=1e-10, top_db=80)`` per utterance -> DCT-II
    (orthonormal) -> first ``n_mfcc`` coefficients.

    Parameters
    ----------
    y : ndarray of shape (n,), or sequence of waveforms or file paths
        One waveform at ``sr`` or a collection.
    sr : int, default=16000
        Sample rate in Hz.
    n_mfcc : int, default=40
        Coefficients kept (<= ``n_mels``).
    n_fft, hop_length, win_length, window, center, pad_mode, pre_emphasis
        As :func:`stft_power` (40 ms Hamming window, 10 ms hop by default).
    n_mels, fmin, fmax
        As :func:`mel_spectrogram`.
    lifter : float, default=0.0
        Cepstral liftering (librosa's); 0 turns it off.
    top_db : float or None, default=80.0
        dB floor below the utterance's maximum mel power.
    n_deltas : {0, 1, 2}, default=0
        Also return the first (and second) derivative over frames.
    delta_width : int, default=9
        Frames of the derivative's Savitzky-Golay window (odd, >= 3). Utterances
        with fewer frames get the derivative of one polynomial fitted to all their
        frames (see :func:`deltas`).
    stack : {"channels", "features"}, default="channels"
        MFCC, delta, delta-delta as channels ``(n_deltas + 1, n_mfcc, t)``, or
        along the feature axis ``(1, (n_deltas + 1) * n_mfcc, t)``.

    Returns
    -------
    M : ndarray [shape=(C, K, t)] or list of them, float32

    See Also
    --------
    sklearn_ser.features.MFCC : the transformer.

    Examples
    --------
    Compare with librosa:

    >>> import librosa
    >>> import numpy as np
    >>> from sklearn_ser.features import mfcc
    >>> y = np.random.default_rng(0).standard_normal(16000).astype(np.float32)
    >>> M = mfcc(y, sr=16000, n_mfcc=13, n_deltas=2)
    >>> M.shape
    (3, 13, 101)
    >>> ref = librosa.feature.mfcc(y=y, sr=16000, n_mfcc=13, n_fft=1024,
    ...                            hop_length=160, win_length=640, window="hamming",
    ...                            n_mels=40)
    >>> bool(np.abs(M[0] - ref).max() < 1e-3)
    True
    """
    fr = framing_from_args(
        sr, n_fft, hop_length, win_length, window, center, pad_mode, pre_emphasis,
        "mfcc",
    )
    check_mfcc_settings(
        n_mfcc=n_mfcc, n_mels=n_mels, delta_width=delta_width, name="mfcc"
    )
    waves, single = _as_waves(y, sr=sr, fr=fr, name="mfcc")
    frames, counts = _mfcc_frames(
        waves, fr, sr=sr, n_mfcc=n_mfcc, n_mels=n_mels, fmin=fmin, fmax=fmax,
        lifter=lifter, top_db=top_db, n_deltas=n_deltas, delta_width=delta_width,
        stack=stack,
    )
    return _finish(frames, counts, single)


@fill_doc(**_DOCS)
class MFCC(AudioFeatureTransformer):
    """Mel-frequency cepstral coefficients, with deltas, of every utterance.

    librosa's MFCC: power spectrogram of Hamming-windowed frames -> Slaney mel
    filterbank -> ``power_to_db(ref=1.0, amin=1e-10, top_db=80)`` per utterance ->
    orthonormal DCT-II -> first ``n_mfcc`` coefficients; deltas are librosa's
    ``feature.delta`` (Savitzky-Golay, ``mode="interp"`` edges). The numbers equal
    ``librosa.feature.mfcc(y=, sr=, n_mfcc=, n_fft=, hop_length=, win_length=,
    window=, center=, n_mels=, fmin=, fmax=, lifter=)`` and
    ``librosa.feature.delta(order=1/2, width=delta_width)`` within 1e-3; all
    utterances of a call are analysed in one batch (one FFT over all frames, one
    mel and one DCT product), several times faster than librosa per clip.

    The transformer is stateless: ``fit`` only checks the parameters.

    Parameters
    ----------
    %(framing)s
    n_mfcc : int, default=40
        Cepstral coefficients kept (<= ``n_mels``); kumar and li2021 use 13.
    n_mels : int, default=40
        Mel bands.
    fmin : float, default=0.0
        Lowest mel band edge in Hz.
    fmax : float, default=None
        Highest mel band edge in Hz (<= ``sr / 2``); None is ``sr / 2``.
    lifter : float, default=0.0
        Cepstral liftering ``1 + (lifter / 2) sin(pi k / lifter)`` (librosa's);
        0 turns it off.
    top_db : float or None, default=80.0
        Mel powers more than ``top_db`` dB below the utterance's maximum are
        raised to that floor (librosa's ``power_to_db``); None keeps them.
    deltas : {0, 1, 2}, default=0
        Also compute the first (1) and second (2) derivative over frames.
    delta_width : int, default=9
        Frames of the derivative window (odd, >= 3). An utterance with fewer
        frames (librosa raises there) gets the derivative of one polynomial fitted
        to all its frames, the rule ``mode="interp"`` applies at the edges; with
        ``order`` frames or fewer the derivative is 0.
    stack : {"channels", "features"}, default="channels"
        MFCC, delta and delta-delta as channels, ``(deltas + 1, n_mfcc, T)``
        (liu2023), or along the feature axis, ``(1, (deltas + 1) * n_mfcc, T)``
        (the 39-d vectors of kumar).
    %(output)s
    %(parallel)s

    See Also
    --------
    sklearn_ser.features.mfcc : the function.
    LogMelSpectrogram : log-mel features without the DCT.
    FrameStatistics : functionals over frames for classic classifiers.

    Notes
    -----
    %(short)s

    Features are float32. Frame ``t`` covers samples around ``t * hop_length``;
    ``get_feature_names_out`` gives ``mfcc0, ..., d1_mfcc0, ..., d2_mfcc0, ...``
    (channel after channel, or along the features: the same order).

    References
    ----------
    .. [1] J. Liu and H. Wang, "A Speech Emotion Recognition Framework for Better
       Discrimination of Confusions", Interspeech 2021, §3.2 (MFCC, 40 ms window,
       10 ms hop).
    .. [2] Y. Liu, H. Sun, W. Guan, Y. Xia and Z. Zhao, "Speech Emotion
       Recognition Using Cascaded Attention Network with Joint Loss for
       Discrimination of Confusions", 2023, §2.1 (MFCC, deltas and delta-deltas
       as three channels).
    .. [3] B. McFee et al., "librosa: Audio and music signal analysis in Python",
       SciPy 2015 (``feature.mfcc``, ``feature.delta``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import MFCC
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.standard_normal(n).astype(np.float32) for n in (16000, 8000)]
    >>> feats = MFCC(n_mfcc=13, deltas=2).fit_transform(X)
    >>> feats.dtype, feats[0].shape, feats[1].shape
    (dtype('O'), (3, 13, 101), (3, 13, 51))

    Fixed length, deltas along the features (39-d frames):

    >>> dense = MFCC(n_mfcc=13, deltas=2, stack="features", max_frames=80).transform(X)
    >>> dense.shape, dense.dtype
    ((2, 1, 39, 80), dtype('float32'))
    >>> MFCC(n_mfcc=2, deltas=1).get_feature_names_out()
    array(['mfcc0', 'mfcc1', 'd1_mfcc0', 'd1_mfcc1'], dtype=object)
    """

    _parameter_constraints: dict = {
        **AudioFeatureTransformer._parameter_constraints,
        **MEL_PARAMS,
        **TOP_DB_PARAM,
        **_CEPSTRAL_PARAMS,
        "deltas": _N_DELTAS,
    }

    def __init__(
        self,
        *,
        sr: int = 16000,
        n_mfcc: int = 40,
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
        lifter: float = 0.0,
        top_db: float | None = 80.0,
        deltas: int = 0,
        delta_width: int = 9,
        stack: str = "channels",
        max_frames: int | None = None,
        pad_value: float = 0.0,
        crop: str = "start",
        trim_silence: bool = False,
        n_jobs: int | None = None,
        batch_size: int = 64,
    ) -> None:
        self.sr = sr
        self.n_mfcc = n_mfcc
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
        self.lifter = lifter
        self.top_db = top_db
        self.deltas = deltas
        self.delta_width = delta_width
        self.stack = stack
        self.max_frames = max_frames
        self.pad_value = pad_value
        self.crop = crop
        self.trim_silence = trim_silence
        self.n_jobs = n_jobs
        self.batch_size = batch_size

    def _check_settings(self, framing: Framing) -> None:
        self._check_mel_band()
        check_mfcc_settings(
            n_mfcc=self.n_mfcc,
            n_mels=self.n_mels,
            delta_width=self.delta_width,
            name=type(self).__name__,
        )

    def _analyse(self, waves: list[np.ndarray], framing: Framing) -> list[np.ndarray]:
        return mfcc(
            waves,
            sr=self.sr,
            n_mfcc=self.n_mfcc,
            **framing.as_args(),
            n_mels=self.n_mels,
            fmin=float(self.fmin),
            fmax=None if self.fmax is None else float(self.fmax),
            lifter=float(self.lifter),
            top_db=self.top_db,
            n_deltas=self.deltas,
            delta_width=self.delta_width,
            stack=self.stack,
        )

    def _output_shape(self, framing: Framing) -> tuple[int, int]:
        n = self.deltas + 1
        return (n, self.n_mfcc) if self.stack == "channels" else (1, n * self.n_mfcc)

    def _feature_names(self, framing: Framing) -> list[str]:
        prefixes = ["", "d1_", "d2_"][: self.deltas + 1]
        return [f"{p}mfcc{k}" for p in prefixes for k in range(self.n_mfcc)]
