"""Average hash of spectrograms (li2021 §3.4): n x n area-averaged image, thresholded
at its mean, as ``n**2`` bits per utterance."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils._param_validation import Interval
from sklearn_compat.base import _fit_context
from sklearn_compat.utils._param_validation import validate_params

from sklearn_ser.utils._validation import check_consistent_length, check_features

__all__ = ["average_hash", "SpectrogramHasher"]


def _area_matrix(length: int, n: int) -> np.ndarray:
    """(n, length) matrix averaging ``length`` cells into ``n`` by area overlap.

    Output cell ``i`` covers ``[i * length / n, (i + 1) * length / n)`` of the input
    axis; input cell ``j`` covers ``[j, j + 1)``; the weight is the overlap divided by
    the output cell's width, so every row sums to 1 (the mean over the cell, with
    fractional cells at the edges -- OpenCV's ``INTER_AREA``). When ``length < n``
    input cells are repeated.
    """
    edges = np.arange(n + 1, dtype=np.float64) * (length / n)
    lo, hi = edges[:-1, None], edges[1:, None]
    j = np.arange(length, dtype=np.float64)[None, :]
    overlap = np.clip(np.minimum(hi, j + 1) - np.maximum(lo, j), 0.0, None)
    return overlap / (hi - lo)


def _resize_area(images: np.ndarray, n: int) -> np.ndarray:
    """Area-average the last two axes of ``images`` to ``(n, n)``."""
    rows = _area_matrix(images.shape[-2], n)
    cols = _area_matrix(images.shape[-1], n)
    return rows @ images @ cols.T


def _hash_items(items: list[np.ndarray], n: int) -> np.ndarray:
    bits = np.empty((len(items), n * n), dtype=bool)
    for i, item in enumerate(items):
        # li2021 §3.4: a greyscale image -- channels are averaged
        grey = np.asarray(item, dtype=np.float64)
        if grey.ndim == 3:
            grey = grey.mean(axis=0)
        small = _resize_area(grey, n)
        # li2021 §3.4: bit = 1 where the pixel is >= the mean pixel p_A
        bits[i] = (small >= small.mean()).ravel()
    return bits


_N_PARAM = {"n": [Interval(Integral, 1, None, closed="left")]}


@validate_params(
    {"spectrogram": "no_validation", **_N_PARAM}, prefer_skip_nested_validation=True
)
def average_hash(spectrogram: np.ndarray, *, n: int = 8) -> np.ndarray:
    """Average hash of one spectrogram / feature matrix (li2021 §3.4).

    The image is scaled to ``n x n`` by area averaging (which keeps its coarse
    structure), and every cell is compared with the mean of the ``n x n`` image:
    ``1`` where the cell is at least the mean, ``0`` elsewhere.

    Parameters
    ----------
    spectrogram : ndarray of shape (F, T) or (C, F, T)
        One utterance, frequency on axis -2 and time on axis -1; channels are
        averaged into one greyscale image. Not modified.
    n : int, default=8
        Side of the reduced image; the hash has ``n**2`` bits.

    Returns
    -------
    bits : ndarray of shape (n * n,), dtype bool
        Row-major (frequency-major) bits.

    Notes
    -----
    Multiplying the image by a positive gain, or adding a constant (a gain on a
    dB / log scale), leaves the hash unchanged.

    See Also
    --------
    SpectrogramHasher : the transformer for a collection of utterances.
    sklearn_ser.metrics.class_similarity : Hamming distances between class hashes.

    References
    ----------
    .. [1] Y. Li, "Speech emotion recognition with TF-CNN and multi-level
       classification" (thesis), 2021, §3.4 "Emotion similarity".

    Examples
    --------
    A spectrogram whose energy lies in the low half of the frequencies:

    >>> import numpy as np
    >>> from sklearn_ser.features._hashing import average_hash
    >>> spec = np.zeros((64, 100))
    >>> spec[:32] = 1.0
    >>> average_hash(spec, n=4).reshape(4, 4).astype(int)
    array([[1, 1, 1, 1],
           [1, 1, 1, 1],
           [0, 0, 0, 0],
           [0, 0, 0, 0]])
    """
    n = int(n)
    arr = np.asarray(spectrogram)
    if arr.ndim not in (2, 3) or arr.size == 0:
        raise ValueError(
            "average_hash: spectrogram must have shape (F, T) or (C, F, T), got an "
            f"array of shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.number) or not np.all(np.isfinite(arr)):
        raise ValueError("average_hash: spectrogram must hold finite numbers")
    return _hash_items([arr], n)[0]


class SpectrogramHasher(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Average hash of every utterance's spectrogram (li2021 §3.4).

    Each utterance's ``(C, F, T)`` array is averaged over channels, scaled to
    ``n x n`` by area averaging and thresholded at its mean, giving ``n**2`` bits
    (see :func:`average_hash`). The bits feed the class-similarity analysis of
    li2021: :func:`sklearn_ser.metrics.class_hashes`,
    :func:`sklearn_ser.metrics.class_similarity` and
    :func:`sklearn_ser.metrics.most_confusable`.

    The transformer is stateless: ``fit`` only validates.

    Parameters
    ----------
    n : int, default=8
        Side of the reduced image; ``transform`` returns ``n**2`` bits per utterance.

    Attributes
    ----------
    n_features_in_ : int
        Features per frame (``F``) seen in ``fit``.

    See Also
    --------
    average_hash : the hash of one array.
    sklearn_ser.metrics.class_similarity : Hamming distances between classes.

    References
    ----------
    .. [1] Y. Li, "Speech emotion recognition with TF-CNN and multi-level
       classification" (thesis), 2021, §3.4.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features._hashing import SpectrogramHasher
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.random((1, 40, int(t))) for t in (120, 200, 90)]
    >>> bits = SpectrogramHasher(n=8).fit_transform(X)
    >>> bits.shape, bits.dtype
    ((3, 64), dtype('bool'))
    """

    _parameter_constraints: dict = {**_N_PARAM}

    def __init__(self, *, n: int = 8) -> None:
        self.n = n

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> SpectrogramHasher:
        """Validate X (nothing is learnt).

        Parameters
        ----------
        X : list of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Spectrograms / feature matrices, one per utterance.
        y : None
            Ignored.

        Returns
        -------
        self : SpectrogramHasher
        """
        items, _ = check_features(X, name=type(self).__name__, dtype=np.float64)
        check_consistent_length(items, y, name=type(self).__name__)
        self.n_features_in_ = int(items[0].shape[-2])
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Hash every utterance.

        Parameters
        ----------
        X : list of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Spectrograms / feature matrices, one per utterance. Not modified.

        Returns
        -------
        bits : ndarray of shape (n_utterances, n**2), dtype bool
        """
        self._validate_params()  # stateless: transform may come without fit
        items, _ = check_features(X, name=type(self).__name__, dtype=np.float64)
        return _hash_items(items, int(self.n))

    @property
    def _n_features_out(self) -> int:
        return int(self.n) ** 2

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags
