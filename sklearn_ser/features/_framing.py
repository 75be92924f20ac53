"""Analysis frames: the window, and where the frames of an utterance lie.

:class:`Framing` holds the STFT settings in samples (librosa's ``stft``
conventions); :func:`make_framing` builds one after the checks that involve
several settings at once (the single-parameter checks are the callers'
``_parameter_constraints`` / ``validate_params``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

__all__ = [
    "FRAMING_PARAMS",
    "Framing",
    "framing_from_args",
    "get_window",
    "make_framing",
]

# The constraints of the analysis settings as the public functions take them
# (validate_params; in samples). The transformers take the window and the hop in
# milliseconds and share the others (``AudioFeatureTransformer``).
_POSITIVE_INT = Interval(Integral, 1, None, closed="left")
FRAMING_PARAMS: dict = {
    "y": "no_validation",  # check_audio's messages are more specific
    "sr": [_POSITIVE_INT],
    "n_fft": [_POSITIVE_INT, None],
    "hop_length": [_POSITIVE_INT, None],
    "win_length": [_POSITIVE_INT, None],
    "window": [str, tuple],
    "center": ["boolean"],
    "pad_mode": [StrOptions({"constant", "edge", "reflect"})],
    "pre_emphasis": [Interval(Real, 0, 1, closed="both")],
}


@lru_cache(maxsize=64)
def get_window(window: str | tuple, win_length: int) -> np.ndarray:
    """Periodic window of ``win_length`` samples, as ``librosa.filters.get_window``."""
    from scipy.signal import get_window as scipy_get_window

    try:
        w = scipy_get_window(window, win_length, fftbins=True)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"window={window!r} is not a window scipy.signal.get_window knows: {exc}"
        ) from exc
    w = np.asarray(w, dtype=np.float32)
    w.setflags(write=False)
    return w


@dataclass(frozen=True)
class Framing:
    """Analysis frames in samples, with librosa's ``stft`` conventions.

    Frame ``t`` of an utterance covers ``n_fft`` samples starting at
    ``t * hop_length`` of the signal padded by ``n_fft // 2`` on both sides (when
    ``center``); the ``win_length``-sample window sits in the middle of the frame,
    the rest is zero.
    """

    n_fft: int
    hop_length: int
    win_length: int
    window: str | tuple = "hamming"
    center: bool = True
    pad_mode: str = "constant"
    pre_emphasis: float = 0.0

    @property
    def min_samples(self) -> int:
        """Fewest samples an utterance needs: one window (one ``n_fft`` frame when
        not centred, as librosa requires)."""
        return self.win_length if self.center else self.n_fft

    def as_args(self) -> dict:
        """The settings as the public functions' keyword arguments (``mfcc(y,
        **framing.as_args(), ...)``)."""
        return {
            "n_fft": self.n_fft,
            "hop_length": self.hop_length,
            "win_length": self.win_length,
            "window": self.window,
            "center": self.center,
            "pad_mode": self.pad_mode,
            "pre_emphasis": self.pre_emphasis,
        }

    def n_frames(self, n_samples: np.ndarray | int) -> np.ndarray | int:
        """Frames of an utterance of ``n_samples`` samples (librosa's count)."""
        pad = 2 * (self.n_fft // 2) if self.center else 0
        return 1 + (n_samples + pad - self.n_fft) // self.hop_length


def make_framing(
    *,
    win_length: int,
    hop_length: int,
    n_fft: int | None = None,
    window: str | tuple = "hamming",
    center: bool = True,
    pad_mode: str = "constant",
    pre_emphasis: float = 0.0,
    name: str = "features",
) -> Framing:
    """Check the analysis settings (in samples) together and return a
    :class:`Framing`.

    ``n_fft`` defaults to the next power of two >= ``win_length``. The checks of
    one parameter at a time (types, ranges, ``pad_mode``) are the callers'
    ``_parameter_constraints``; these are the ones that involve two (a window of
    at least one sample at this ``sr``, ``n_fft >= win_length``, a window scipy
    knows).
    """
    win_length, hop_length = int(win_length), int(hop_length)
    if win_length < 1 or hop_length < 1:
        raise ValueError(
            f"{name}: the window ({win_length} samples) and the hop ({hop_length} "
            "samples) must both be at least one sample"
        )
    if n_fft is None:
        n_fft = 1 << (win_length - 1).bit_length()
    elif n_fft < win_length:
        raise ValueError(
            f"{name}: n_fft={n_fft} is shorter than the {win_length}-sample window; "
            "n_fft must be >= the window length"
        )
    try:  # a tuple's items (the constraints see only the tuple)
        hash(window)
    except TypeError:
        raise TypeError(
            f"{name}: window must be a window name or a tuple such as ('kaiser', 8.0), "
            f"got {type(window).__name__}"
        ) from None
    try:
        get_window(window, win_length)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    return Framing(
        n_fft=int(n_fft),
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=bool(center),
        pad_mode=pad_mode,
        pre_emphasis=float(pre_emphasis),
    )


def framing_from_args(
    sr: int, n_fft: int | None, hop_length: int | None, win_length: int | None,
    window: str | tuple, center: bool, pad_mode: str, pre_emphasis: float, name: str,
) -> Framing:
    """The :class:`Framing` of the public functions' arguments: ``win_length``
    defaults to ``n_fft`` (40 ms when both are None), ``hop_length`` to 10 ms."""
    if win_length is None:
        win_length = n_fft if n_fft is not None else int(round(0.04 * sr))
    if hop_length is None:
        hop_length = int(round(0.01 * sr))
    return make_framing(
        win_length=win_length, hop_length=hop_length, n_fft=n_fft, window=window,
        center=center, pad_mode=pad_mode, pre_emphasis=pre_emphasis, name=name,
    )
