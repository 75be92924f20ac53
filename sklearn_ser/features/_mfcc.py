"""The MFCC transformer (liu2021, liu2023, kumar, li2021)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions

from sklearn_ser.features._base import _DOCS, AudioFeatureTransformer, fill_doc
from sklearn_ser.features._spectral import Framing, _mfcc_frames, check_mfcc_args

__all__ = ["MFCC"]


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
        "n_mfcc": [Interval(Integral, 1, None, closed="left")],
        "n_mels": [Interval(Integral, 1, None, closed="left")],
        "fmin": [Interval(Real, 0, None, closed="left")],
        "fmax": [Interval(Real, 0, None, closed="neither"), None],
        "lifter": [Interval(Real, 0, None, closed="left")],
        "top_db": [Interval(Real, 0, None, closed="left"), None],
        "deltas": [Options(Integral, {0, 1, 2})],
        "delta_width": [Interval(Integral, 3, None, closed="left")],
        "stack": [StrOptions({"channels", "features"})],
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
        check_mfcc_args(
            n_mfcc=self.n_mfcc,
            n_mels=self.n_mels,
            n_deltas=self.deltas,
            delta_width=self.delta_width,
            stack=self.stack,
            name=type(self).__name__,
        )

    def _frames(
        self, waves: list[np.ndarray], framing: Framing
    ) -> tuple[np.ndarray, np.ndarray]:
        return _mfcc_frames(
            waves,
            framing,
            sr=self.sr,
            n_mfcc=self.n_mfcc,
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
