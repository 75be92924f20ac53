"""SpecAugment (Park et al. 2019) as a function and as a class-balancing resampler.

liu2021 §2.4 balances IEMOCAP by generating SpecAugment copies of the minority-class
utterances "until the augmented numbers of all classes are equal to the most numerous
category", applied to MFCCs rather than log-Mel spectrograms.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn_compat.utils._param_validation import validate_params

from sklearn_ser.utils._docs import fill_doc
from sklearn_ser.utils._validation import check_features, to_object_array

from ._base import (
    BaseAugmentSampler,
    _sampler_docs,
)

__all__ = ["spec_augment", "SpecAugmentResampler"]

# Park et al. (2019), Table 1, policy "LB" (LibriSpeech basic): W=80, F=27, m_F=1,
# T=100, m_T=1.
_PARK_LB = dict(
    time_warp=80,
    n_freq_masks=1,
    freq_mask_width=27,
    n_time_masks=1,
    time_mask_width=100,
)


_COUNT = Interval(Integral, 0, None, closed="left")
# the augmentation's parameters, as the function and the resampler both take them
_SPEC_AUGMENT_PARAMS: dict = {
    "time_warp": [_COUNT],
    "n_freq_masks": [_COUNT],
    "freq_mask_width": [_COUNT],
    "n_time_masks": [_COUNT],
    "time_mask_width": [_COUNT],
    "mask_value": [StrOptions({"mean", "zero"}), Real],
}


def _time_warp(x: np.ndarray, W: int, rng: np.random.RandomState) -> np.ndarray:
    """Park et al. §2 time warping, as a piecewise-linear warp of the time axis.

    A point ``t0`` drawn from ``[W, T - W)`` moves to ``t0 + w`` with ``w`` drawn
    uniformly from ``(-W, W)``; the frames on either side are stretched/compressed
    linearly (linear interpolation between neighbouring frames), the first and last
    frames stay in place, so the number of frames does not change. ``W`` is reduced
    to ``(T - 1) // 2`` for short utterances; utterances of fewer than 3 frames are
    not warped.
    """
    n_frames = x.shape[-1]
    W = min(W, (n_frames - 1) // 2)
    if W < 1:
        return x
    t0 = rng.randint(W, n_frames - W)
    w = rng.uniform(-W, W)
    # keep both pieces of the warp non-degenerate
    dest = float(np.clip(t0 + w, 1.0, n_frames - 2.0))
    # output frame t reads the input at src(t): the inverse of the warp that maps
    # 0 -> 0, t0 -> dest, T-1 -> T-1.
    src = np.interp(
        np.arange(n_frames, dtype=np.float64), [0.0, dest, n_frames - 1.0],
        [0.0, float(t0), n_frames - 1.0],
    )
    i0 = np.floor(src).astype(np.intp)
    np.clip(i0, 0, n_frames - 1, out=i0)
    i1 = np.minimum(i0 + 1, n_frames - 1)
    frac = (src - i0).astype(x.dtype)
    return x[..., i0] * (1 - frac) + x[..., i1] * frac


@validate_params(
    {
        "features": "no_validation",  # checked below, with messages about features
        **_SPEC_AUGMENT_PARAMS,
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def spec_augment(
    features: np.ndarray,
    *,
    time_warp: int = 80,
    n_freq_masks: int = 1,
    freq_mask_width: int = 27,
    n_time_masks: int = 1,
    time_mask_width: int = 100,
    mask_value: str | float = "mean",
    random_state: Any = None,
) -> np.ndarray:
    """Apply SpecAugment to one utterance's spectrogram / feature matrix.

    Time warping, then ``n_freq_masks`` frequency masks, then ``n_time_masks`` time
    masks (Park et al. 2019 [1]_, §2), as liu2021 §2.4 uses them to balance the
    classes. Defaults are Park et al.'s LibriSpeech-basic policy (W=80, F=27,
    m_F=1, T=100, m_T=1).

    Parameters
    ----------
    features : ndarray of shape (C, F, T) or (F, T)
        One utterance: ``C`` channels, ``F`` features (frequency, axis -2), ``T``
        frames (time, axis -1). Not modified.
    time_warp : int, default=80
        Time-warp parameter ``W``: a frame ``t0`` in ``[W, T - W)`` is moved by a
        distance drawn uniformly from ``(-W, W)`` and the time axis is warped
        piecewise-linearly around it, keeping ``T``. ``0`` disables warping.
        ``W`` is reduced to ``(T - 1) // 2`` for short utterances.
    n_freq_masks : int, default=1
        Number of frequency masks ``m_F``.
    freq_mask_width : int, default=27
        Frequency-mask parameter ``F``: each mask covers ``f`` consecutive features,
        ``f`` drawn uniformly from ``[0, F]``, starting at ``f0`` drawn from
        ``[0, n_features - f]``. A width larger than the number of features is
        clipped to it (the mask then covers the whole axis).
    n_time_masks : int, default=1
        Number of time masks ``m_T``.
    time_mask_width : int, default=100
        Time-mask parameter ``T``: as ``freq_mask_width`` along frames; a width
        larger than the utterance is clipped to its number of frames.
    mask_value : {"mean", "zero"} or float, default="mean"
        Value written into the masks: the mean of each channel of the (warped)
        utterance, ``0``, or a given number.
    random_state : int, RandomState instance or None, default=None
        Seeds the warp point and distance and the masks.

    Returns
    -------
    augmented : ndarray of the shape and dtype of ``features``
        A new array.

    Raises
    ------
    ValueError
        ``features`` is not 2-D or 3-D, is empty or not finite; a negative count or
        width; an unknown ``mask_value``.

    See Also
    --------
    SpecAugmentResampler : the class-balancing resampler built on this function.

    References
    ----------
    .. [1] D. S. Park, W. Chan, Y. Zhang, C.-C. Chiu, B. Zoph, E. D. Cubuk and Q. V.
       Le, "SpecAugment: A simple data augmentation method for automatic speech
       recognition", Proc. Interspeech 2019, pp. 2613-2617.

    Examples
    --------
    Mask one band of features and one stretch of frames of a (1, 40, 300) MFCC array:

    >>> import numpy as np
    >>> from sklearn_ser.augment import spec_augment
    >>> mfcc = np.random.default_rng(0).normal(size=(1, 40, 300)).astype(np.float32)
    >>> out = spec_augment(mfcc, time_warp=0, freq_mask_width=8, time_mask_width=30,
    ...                    mask_value="zero", random_state=0)
    >>> out.shape, out.dtype
    ((1, 40, 300), dtype('float32'))
    >>> bool((out == 0).any(axis=(0, 2)).any())  # some feature rows are masked
    True

    With no masks and no warp the output equals the input:

    >>> same = spec_augment(mfcc, time_warp=0, n_freq_masks=0, n_time_masks=0)
    >>> bool(np.array_equal(same, mfcc))
    True
    """
    x = np.asarray(features)
    if x.ndim not in (2, 3) or x.size == 0:
        raise ValueError(
            "spec_augment: features must be one utterance of shape (C, F, T) or "
            f"(F, T), got an array of shape {x.shape}"
        )
    if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise ValueError(f"spec_augment: features must be real numbers, got {x.dtype}")
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError("spec_augment: features contain NaN or inf")
    W, n_f, F = int(time_warp), int(n_freq_masks), int(freq_mask_width)
    n_t, T = int(n_time_masks), int(time_mask_width)
    rng = check_random_state(random_state)

    squeeze = x.ndim == 2
    out = x[None] if squeeze else x
    out = _time_warp(out, W, rng) if W > 0 else out
    out = np.array(out, dtype=x.dtype, copy=True)  # never write into `features`

    n_features, n_frames = out.shape[-2], out.shape[-1]
    if mask_value == "mean":
        fill = out.mean(axis=(-2, -1), keepdims=True)  # per channel
    elif mask_value == "zero":
        fill = np.zeros((out.shape[0], 1, 1), dtype=out.dtype)
    else:
        fill = np.full((out.shape[0], 1, 1), mask_value, dtype=out.dtype)

    # Park et al. §2: f ~ U[0, F], f0 ~ U[0, nu - f); a width beyond the axis is
    # clipped to the axis (documented above).
    for _ in range(n_f):
        f = min(rng.randint(0, F + 1), n_features)
        f0 = rng.randint(0, n_features - f + 1)
        out[:, f0 : f0 + f, :] = fill
    for _ in range(n_t):
        t = min(rng.randint(0, T + 1), n_frames)
        t0 = rng.randint(0, n_frames - t + 1)
        out[:, :, t0 : t0 + t] = fill
    return out[0] if squeeze else out


@fill_doc(
    **_sampler_docs(
        int_n_doc="SpecAugment only **adds**\n          utterances: a class "
        "already larger than ``N`` is left as it is."
    )
)
class SpecAugmentResampler(BaseAugmentSampler):
    """Balance classes with SpecAugment copies of their utterances (liu2021 §2.4).

    For every class, new utterances are generated from randomly chosen originals of
    that class by :func:`spec_augment` (time warp, frequency masks, time masks, Park
    et al. 2019 [1]_) until the class has the count ``sampling_strategy`` asks for --
    by default the majority count, as in liu2021 [2]_ §2.4. Works on the features
    of :mod:`sklearn_ser.features`: ragged ``(C, F, T_i)`` arrays or a dense
    ``(n, C, F, T)`` array (imbalanced-learn's own samplers reject both).

    Parameters
    ----------
    %(sampling_strategy)s

    time_warp : int, default=80
        Time-warp parameter ``W`` (frames); ``0`` disables warping.
    n_freq_masks : int, default=1
        Frequency masks per synthetic utterance.
    freq_mask_width : int, default=27
        Largest frequency-mask width ``F`` (clipped to the number of features).
    n_time_masks : int, default=1
        Time masks per synthetic utterance.
    time_mask_width : int, default=100
        Largest time-mask width ``T`` (clipped to the utterance's frames).
    mask_value : {"mean", "zero"} or float, default="mean"
        Value written into the masks (see :func:`spec_augment`).

    %(factor)s

    %(random_state)s

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of synthetic utterances added to each class (imbalanced-learn's
        over-sampling convention).
    undersampling_strategy_ : dict
        Always empty here (SpecAugment never removes utterances).
    %(sample_indices)s
    n_features_in_ : int
        Features per frame (``F``) seen in ``fit_resample``.

    See Also
    --------
    spec_augment : the augmentation of one utterance.
    VTLPResampler : vocal-tract-length perturbation of waveforms.

    Notes
    -----
    X is accepted as a list / object array of ``(C, F, T_i)`` or ``(F, T_i)``
    arrays, or a dense ``(n, C, F, T)`` / ``(n, F, T)`` array; the output has the
    same container, item shapes and float32 dtype. Every synthetic utterance has
    the shape of the original it was made from. Masks wider than an utterance are
    clipped to it.

    %(pipeline_warning)s

    References
    ----------
    .. [1] D. S. Park et al., "SpecAugment: A simple data augmentation method for
       automatic speech recognition", Proc. Interspeech 2019.
    .. [2] J. Liu and H. Wang, "A speech emotion recognition framework for better
       discrimination of confusions", Proc. Interspeech 2021, §2.4.

    Examples
    --------
    >>> import numpy as np
    >>> from collections import Counter
    >>> from sklearn_ser.augment import SpecAugmentResampler
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.normal(size=(1, 40, int(t))).astype("float32")
    ...      for t in rng.integers(120, 300, size=10)]
    >>> y = ["neu"] * 6 + ["ang"] * 3 + ["sad"]
    >>> speakers = np.array([1, 2, 3, 1, 2, 3, 1, 2, 3, 1])
    >>> sampler = SpecAugmentResampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [('ang', 6), ('neu', 6), ('sad', 6)]

    The speaker of every output utterance (the originals' speakers re-indexed):

    >>> groups_res = speakers[sampler.sample_indices_]
    >>> len(groups_res) == len(X_res), X_res[-1].shape == X[9].shape
    (True, True)
    """

    _parameter_constraints: dict = {
        **BaseAugmentSampler._parameter_constraints,
        **_SPEC_AUGMENT_PARAMS,
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        time_warp=_PARK_LB["time_warp"],
        n_freq_masks=_PARK_LB["n_freq_masks"],
        freq_mask_width=_PARK_LB["freq_mask_width"],
        n_time_masks=_PARK_LB["n_time_masks"],
        time_mask_width=_PARK_LB["time_mask_width"],
        mask_value="mean",
        factor=2.0,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            factor=factor,
            random_state=random_state,
        )
        self.time_warp = time_warp
        self.n_freq_masks = n_freq_masks
        self.freq_mask_width = freq_mask_width
        self.n_time_masks = n_time_masks
        self.time_mask_width = time_mask_width
        self.mask_value = mask_value

    def _check_items(self, X: Any) -> np.ndarray:
        name = type(self).__name__
        dense_in = isinstance(X, np.ndarray) and X.dtype != object
        ranks = None
        if not dense_in and not isinstance(X, (str, bytes)) and hasattr(X, "__iter__"):
            X = X if isinstance(X, (list, tuple, np.ndarray)) else list(X)
            # remember each item's rank, so (F, T) items come back as (F, T)
            ranks = [np.ndim(item) for item in X]
        items, dense = check_features(X, name=name)
        self.n_features_in_ = int(items[0].shape[-2])
        if dense:
            out = np.stack(items)
            return out[:, 0] if X.ndim == 3 else out
        items = [a[0] if r == 2 else a for a, r in zip(items, ranks)]
        return to_object_array(items)

    def _augment_one(self, item: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        return spec_augment(
            item,
            time_warp=self.time_warp,
            n_freq_masks=self.n_freq_masks,
            freq_mask_width=self.freq_mask_width,
            n_time_masks=self.n_time_masks,
            time_mask_width=self.time_mask_width,
            mask_value=self.mask_value,
            random_state=rng,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags
