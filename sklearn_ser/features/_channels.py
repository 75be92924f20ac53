"""Transformers of the channel axis: keep some channels, stack two feature maps."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn_compat.base import _fit_context

from sklearn_ser.utils._validation import check_features, to_object_array

__all__ = ["SelectChannels", "StackSpectrograms"]


class SelectChannels(TransformerMixin, BaseEstimator):
    """Keep some channels of ``(C, F, T)`` features, in a given order.

    A stateless step for channel ablations: with
    ``MFCC(deltas=2, stack="channels")`` the channels are the MFCCs (0), the
    deltas (1) and the delta-deltas (2), and liu2023's Table 2 removes one of them
    (``channels=(1, 2)``: without the MFCCs).

    Parameters
    ----------
    channels : sequence of int or None, default=None
        Distinct channel indices to keep, in this order; at least one. ``None``
        keeps every channel (the input comes back unchanged).

    Attributes
    ----------
    n_features_in_ : int
        Features (axis -2) of the utterances seen in :meth:`fit`.

    See Also
    --------
    sklearn_ser.features.MFCC : ``stack="channels"`` gives MFCC, Δ and ΔΔ as
        channels.
    StackSpectrograms : Two feature maps as two channels.

    Notes
    -----
    Ragged input (an object array of ``(C, F, T_i)`` arrays) gives an object
    array, dense ``(n, C, F, T)`` input a dense array; the selected channels are
    copies, the input is not modified. The indices are checked against the
    channels of ``X`` in :meth:`fit` and :meth:`transform`.

    References
    ----------
    .. [1] liu2023: "Speech emotion recognition with cascaded attention and joint
       loss", §4.2, Table 2.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import SelectChannels
    >>> X = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    >>> out = SelectChannels(channels=(2, 0)).fit_transform(X)
    >>> out.shape
    (2, 2, 4, 5)
    >>> bool((out[:, 0] == X[:, 2]).all())
    True
    """

    _parameter_constraints: dict = {"channels": [None, list, tuple, np.ndarray]}

    def __init__(self, *, channels=None) -> None:
        self.channels = channels

    def _indices(self, n_channels: int) -> list[int] | None:
        if self.channels is None:
            return None
        name = type(self).__name__
        chosen = list(np.ravel(np.asarray(self.channels, dtype=object)))
        bad = [
            c
            for c in chosen
            if isinstance(c, (bool, np.bool_))
            or not isinstance(c, Integral)
            or not 0 <= c < n_channels
        ]
        if not chosen or bad or len(set(chosen)) != len(chosen):
            raise ValueError(
                f"{name}: channels must be distinct channel indices in "
                f"[0, {n_channels}), at least one, got {self.channels!r}"
            )
        return [int(c) for c in chosen]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> SelectChannels:
        """Check ``channels`` against the channels of ``X``; nothing is learnt.

        Parameters
        ----------
        X : object array of (C, F, T_i) arrays, or ndarray of shape (n, C, F, T)
            Features, one array per utterance.
        y : None
            Ignored.

        Returns
        -------
        self : SelectChannels
            This transformer.
        """
        items, _ = check_features(X, name=type(self).__name__)
        self._indices(items[0].shape[0])
        self.n_features_in_ = int(items[0].shape[1])
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The chosen channels of every utterance, in the input's layout.

        Parameters
        ----------
        X : object array of (C, F, T_i) arrays, or ndarray of shape (n, C, F, T)
            Features, one array per utterance.

        Returns
        -------
        X_new : object array of ndarray of shape (len(channels), F, T_i), or ndarray
            Dense when ``X`` was dense.
        """
        self._validate_params()
        items, dense = check_features(X, name=type(self).__name__)
        keep = self._indices(items[0].shape[0])
        out = items if keep is None else [a[keep] for a in items]
        return np.stack(out) if dense else to_object_array(out)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def _resize_bins(a: np.ndarray, n: int) -> np.ndarray:
    """Linear interpolation of ``a`` ``(C, F, T)`` to ``(C, n, T)`` along axis -2."""
    n_bins = a.shape[-2]
    if n_bins == n:
        return a
    pos = np.linspace(0.0, n_bins - 1.0, n)
    i0 = np.floor(pos).astype(np.intp)
    i1 = np.minimum(i0 + 1, n_bins - 1)
    frac = (pos - i0).astype(a.dtype)[:, None]
    return a[..., i0, :] * (1 - frac) + a[..., i1, :] * frac


class StackSpectrograms(TransformerMixin, BaseEstimator):
    """Two feature maps of the same audio as two channels of one input.

    Each utterance's two maps — li2021's spectrogram and mel spectrogram, by
    default — are resized to ``n_features`` bins by linear interpolation along
    frequency (li2021 resizes both images to 256 × 256; the first and last bins
    are kept exactly) and stacked as channels 0 and 1: ``(2, n_features, T_i)``.
    Both transformers must give the same frames (same hop, centring and
    ``max_frames``). Stateless.

    Parameters
    ----------
    spectrogram : transformer
        Audio → ``(1, F_s, T)`` features, channel 0 (li2021: the spectrogram),
        e.g. :class:`~sklearn_ser.features.Spectrogram`.
    mel : transformer
        Audio → ``(1, F_m, T)`` features, channel 1 (li2021: the mel
        spectrogram), e.g. :class:`~sklearn_ser.features.LogMelSpectrogram`.
    n_features : int, default=256
        Bins of both channels after resizing (li2021: 256).

    See Also
    --------
    sklearn_ser.features.Spectrogram : The linear-frequency map.
    sklearn_ser.features.LogMelSpectrogram : The mel map.
    SelectChannels : Keep some channels.

    Notes
    -----
    Ragged input gives an object array of float32 ``(2, n_features, T_i)``
    arrays; when both transformers return dense arrays (``max_frames=``) the
    output is a dense ``(n, 2, n_features, T)`` array. :meth:`fit` only checks
    the parameters of both transformers (on clones).

    References
    ----------
    .. [1] li2021: MSc thesis, "Speech emotion recognition with TF-CNN,
       spectrogram hashing and multi-level classification", §5.1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import (
    ...     LogMelSpectrogram, Spectrogram, StackSpectrograms)
    >>> rng = np.random.default_rng(0)
    >>> X = [0.1 * rng.standard_normal(8000).astype(np.float32) for _ in range(2)]
    >>> stack = StackSpectrograms(
    ...     spectrogram=Spectrogram(win_ms=32.0, hop_ms=10.0, scale="db"),
    ...     mel=LogMelSpectrogram(n_mels=64, win_ms=32.0, hop_ms=10.0),
    ...     n_features=48)
    >>> out = stack.fit_transform(X)
    >>> out[0].shape, out[0].dtype
    ((2, 48, 51), dtype('float32'))
    """

    _parameter_constraints: dict = {
        "spectrogram": [HasMethods(["transform"])],
        "mel": [HasMethods(["transform"])],
        "n_features": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, spectrogram, mel, n_features: int = 256) -> None:
        self.spectrogram = spectrogram
        self.mel = mel
        self.n_features = n_features

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any = None) -> StackSpectrograms:
        """Check the parameters of both transformers; nothing is learnt.

        Parameters
        ----------
        X : sequence of audio
            Waveforms or file paths, as the two transformers take them.
        y : None
            Ignored.

        Returns
        -------
        self : StackSpectrograms
            This transformer.
        """
        clone(self.spectrogram).fit(X)
        clone(self.mel).fit(X)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Two-channel ``(2, n_features, T_i)`` features of every utterance.

        Parameters
        ----------
        X : sequence of audio
            Waveforms or file paths, as the two transformers take them.

        Returns
        -------
        X_new : object array of ndarray of shape (2, n_features, T_i), or ndarray
            float32; dense when both transformers return dense arrays.
        """
        self._validate_params()
        name = type(self).__name__
        maps = []
        for key in ("spectrogram", "mel"):
            items, dense = check_features(
                getattr(self, key).transform(X), name=f"{name} ({key})"
            )
            maps.append((items, dense))
        (spec, spec_dense), (mel, mel_dense) = maps
        out = []
        for i, (s, m) in enumerate(zip(spec, mel)):
            if s.shape[-1] != m.shape[-1]:
                raise ValueError(
                    f"{name}: utterance {i} has {s.shape[-1]} spectrogram frames but "
                    f"{m.shape[-1]} mel frames; give both transformers the same "
                    "hop_ms, center and max_frames"
                )
            out.append(
                np.concatenate(
                    [
                        _resize_bins(s, self.n_features),
                        _resize_bins(m, self.n_features),
                    ],
                    axis=0,
                ).astype(np.float32)
            )
        return np.stack(out) if spec_dense and mel_dense else to_object_array(out)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True  # audio: waveforms or file paths
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
