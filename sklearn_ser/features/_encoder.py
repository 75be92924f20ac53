"""Pretrained self-supervised speech encoders (wav2vec 2.0, HuBERT, WavLM) as a
scikit-learn transformer.

The weights are read with Hugging Face ``transformers`` (the optional extra
``sklearn-ser[encoders]``) from a local folder or the Hugging Face cache; nothing is
downloaded unless ``local_files_only=False``. The loaded network is kept in a small
process-wide table, never in the estimator, so the estimator pickles, clones and
goes into a model file as its reference (``model``, ``revision``) and plain numbers.
"""

from __future__ import annotations

import hashlib
import math
import os
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, check_memory
from sklearn_compat.base import _fit_context

from sklearn_ser.utils._device import resolve_device
from sklearn_ser.utils._validation import (
    audio_items,
    check_audio,
    check_consistent_length,
    to_object_array,
)

from ._encoder_hub import (  # noqa: F401  (_save_tiny_model: tests, examples)
    EncoderNotFoundError,
    _load,
    _Loaded,
    _save_tiny_model,
)

__all__ = ["EncoderNotFoundError", "SpeechEncoder"]

_NAME = "SpeechEncoder"


# ------------------------------------------------------------------ the cache
def _stored(
    model, revision, fingerprint, layers, pooling, chunk, normalize, sr, audio,
    value=None,
):
    """What joblib.Memory stores per utterance; ``value`` is not part of the key:
    the first call stores the embedding computed in a batch, later calls read it."""
    return value


def _output_frames(n: np.ndarray | int, field: int, stride: int) -> np.ndarray:
    return np.maximum((np.asarray(n) - field) // stride + 1, 0)


class SpeechEncoder(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Hidden states of a pretrained speech encoder (wav2vec 2.0, HuBERT, WavLM).

    Runs a self-supervised speech model of Hugging Face ``transformers`` on every
    utterance and returns the hidden states of the chosen layers, pooled over
    frames (a 2-D table for linear probes, :class:`SpeakerNormalizer`-style scaling
    and any scikit-learn classifier) or not (the ragged ``(layers, dim, frames)``
    layout of :mod:`sklearn_ser.features`, which
    :class:`~sklearn_ser.models.LayerWeightedClassifier`, the deep classifiers and
    :class:`FrameStatistics` take).

    Parameters
    ----------
    model : str or path-like
        A Hugging Face hub id (``"microsoft/wavlm-base-plus"``), read from the HF
        cache, or a folder holding ``config.json`` and the weights (what
        ``save_pretrained`` writes).
    layer : "all", int or list of int, default="all"
        Which hidden states: 0 is the input of the transformer (the projected
        convolutional features), ``i`` the output of transformer layer ``i``;
        negative numbers count from the last. ``"all"`` takes the
        ``num_hidden_layers + 1`` of them.
    pooling : {"mean", "mean+std", "none"}, default="mean"
        ``"mean"``: the frames' mean per layer, ``(n, layers * dim)``;
        ``"mean+std"``: mean then standard deviation per layer,
        ``(n, layers * 2 * dim)``; ``"none"``: an object array of float32
        ``(layers, dim, frames_i)`` arrays (50 frames per second at 16 kHz).
    sr : int, default=16000
        Sample rate of the waveforms in ``X`` (files at another rate are resampled
        to it when read). Audio is resampled to the model's rate (its feature
        extractor's ``sampling_rate``) when the two differ.
    batch_size : int, default=8
        Most pieces of audio run through the network together. Pieces are sorted by
        length first, so a batch holds similar lengths and little padding.
    chunk_seconds : float, default=20.0
        Longer utterances are cut into equal pieces of at most this length, run one
        by one and their frames joined, so memory (attention is quadratic in length)
        stays bounded whatever the utterance's length.
    device : str, default="auto"
        Torch device; ``"auto"`` takes CUDA, then MPS, then the CPU.
    revision : str or None, default=None
        Hub revision (branch, tag or commit) of ``model``.
    local_files_only : bool, default=True
        Read only local files (folder or cache); never download.
    memory : str, joblib.Memory or None, default=None
        Cache of the embeddings on disk (a folder or a :class:`joblib.Memory`),
        keyed by the model, its revision and weights, the layers, the pooling and
        the content of each utterance's audio, so that a second call -- another
        fold or candidate of a grid search over the classifier -- reads the cache
        instead of running the network. None caches nothing.

    Attributes
    ----------
    layers_ : tuple of int
        The hidden states taken (non-negative indices).
    n_layers_ : int
        Hidden states of the model (transformer layers + 1).
    hidden_size_ : int
        Dimension of a hidden state.
    model_sr_ : int
        The rate the model takes.
    fingerprint_ : str
        The hub commit, or a digest of the folder's configuration and weight files
        (part of the cache key).
    model_ : torch.nn.Module
        The network (a property: loaded again after unpickling, never stored).

    See Also
    --------
    sklearn_ser.models.LayerWeightedClassifier : SUPERB's weighted sum of layers.
    FrameStatistics : Functionals of ``pooling="none"`` output.

    Notes
    -----
    The network runs in eval mode under :func:`torch.inference_mode`. Each
    utterance is normalised to zero mean and unit variance first when the model's
    feature extractor does so (``do_normalize``), the whole utterance before it is
    cut. Padding within a batch is masked for models whose feature extractor asks
    for an attention mask; the others (group-normalised front ends such as
    wav2vec2-base) only batch pieces of equal length, so an utterance's embedding
    never depends on the other utterances of the call. Utterances shorter than the
    front end's receptive field (400 samples at 16 kHz) raise a ``ValueError``.

    References
    ----------
    .. [1] Baevski et al., "wav2vec 2.0" (NeurIPS 2020); Hsu et al., "HuBERT" (TASLP
       2021); Chen et al., "WavLM" (JSTSP 2022).
    .. [2] Yang et al., "SUPERB: Speech processing Universal PERformance
       Benchmark" (Interspeech 2021): layer-weighted features, emotion task.

    Examples
    --------
    A tiny randomly initialised model stands in for real weights here:

    >>> import tempfile, numpy as np, pytest
    >>> transformers = pytest.importorskip("transformers")
    >>> from sklearn_ser.features import SpeechEncoder
    >>> from sklearn_ser.features._encoder import _save_tiny_model
    >>> folder = _save_tiny_model(tempfile.mkdtemp())
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.standard_normal(16000).astype(np.float32) for _ in range(3)]
    >>> enc = SpeechEncoder(model=folder, layer=[1, 2]).fit(X)
    >>> enc.transform(X).shape
    (3, 64)
    >>> enc.set_params(pooling="none").transform(X)[0].shape
    (2, 32, 49)
    """

    _parameter_constraints: dict = {
        "model": [str, os.PathLike],
        "layer": [StrOptions({"all"}), Integral, list, tuple],
        "pooling": [StrOptions({"mean", "mean+std", "none"})],
        "sr": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "chunk_seconds": [Interval(Real, 0, None, closed="neither")],
        "device": [str],
        "revision": [str, None],
        "local_files_only": ["boolean"],
        "memory": [None, str, HasMethods(["cache"])],
    }

    def __init__(
        self,
        *,
        model: str | os.PathLike,
        layer: str | int | list[int] = "all",
        pooling: str = "mean",
        sr: int = 16000,
        batch_size: int = 8,
        chunk_seconds: float = 20.0,
        device: str = "auto",
        revision: str | None = None,
        local_files_only: bool = True,
        memory: Any = None,
    ) -> None:
        self.model = model
        self.layer = layer
        self.pooling = pooling
        self.sr = sr
        self.batch_size = batch_size
        self.chunk_seconds = chunk_seconds
        self.device = device
        self.revision = revision
        self.local_files_only = local_files_only
        self.memory = memory

    # ----------------------------------------------------------------- model
    def _loaded(self) -> _Loaded:
        return _load(
            os.fspath(self.model),
            self.revision,
            self.local_files_only,
            resolve_device(self.device),
        )

    @property
    def model_(self):
        check_is_fitted(self)
        return self._loaded().model

    def __getstate__(self) -> dict:
        # the network is never part of the estimator; drop anything torch that a
        # subclass or a user may have attached
        state = super().__getstate__()
        return {k: v for k, v in state.items() if not k.startswith("_model")}

    def _layers(self, n_layers: int) -> tuple[int, ...]:
        layer = self.layer
        if isinstance(layer, str):
            return tuple(range(n_layers))
        many = isinstance(layer, (list, tuple))
        chosen = list(layer) if many else [layer]
        if not chosen:
            raise ValueError(f"{_NAME}: layer is an empty list")
        out = []
        for i in chosen:
            if isinstance(i, bool) or not isinstance(i, Integral):
                raise TypeError(f"{_NAME}: layer must hold ints, got {i!r}")
            if not -n_layers <= i < n_layers:
                raise ValueError(
                    f"{_NAME}: layer {i} does not exist; the model has hidden states "
                    f"0..{n_layers - 1} (0 = the transformer's input)"
                )
            out.append(int(i) % n_layers)
        if len(set(out)) != len(out):
            raise ValueError(f"{_NAME}: layer lists a hidden state twice: {layer!r}")
        return tuple(out)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any = None, y: Any = None) -> SpeechEncoder:
        """Load the model (from its folder or the HF cache) and check the layers.

        Parameters
        ----------
        X : sequence of waveforms or file paths, default=None
            Not read (nothing is learnt).
        y : None
            Ignored.

        Returns
        -------
        self : SpeechEncoder
        """
        if X is not None and hasattr(X, "__len__"):
            check_consistent_length(X, y, name=_NAME)
        info = self._loaded().info
        self.layers_ = self._layers(info["n_layers"])
        self.n_layers_ = info["n_layers"]
        self.hidden_size_ = info["hidden_size"]
        self.model_sr_ = info["sr"]
        self.fingerprint_ = info["fingerprint"]
        return self

    # ------------------------------------------------------------- transform
    def _waves(self, X: Any) -> list[np.ndarray]:
        """Mono float32 waveforms at the model's rate; paths read at that rate."""
        from sklearn_ser.utils._audio import resample

        items = audio_items(X, name=_NAME)
        target = self.model_sr_
        waves = []
        for i, item in enumerate(items):
            is_path = isinstance(item, (str, bytes, os.PathLike))
            rate = target if is_path else int(self.sr)
            (y,) = check_audio([item], sr=rate, name=_NAME, start=i, copy=False)
            if rate != target:
                y = resample(y, orig_sr=rate, target_sr=target).astype(np.float32)
            waves.append(y)
        return waves

    def _chunks(self, n: int, info: dict) -> list[tuple[int, int]]:
        """Equal pieces of at most ``chunk_seconds``, cut at multiples of the
        front end's stride so that the frames of the pieces follow each other."""
        stride = info["stride"]
        most = max(int(self.chunk_seconds * self.model_sr_), info["field"])
        pieces = math.ceil(n / most)
        size = math.ceil(n / pieces / stride) * stride
        bounds = list(range(0, n, size)) + [n]
        out = list(zip(bounds[:-1], bounds[1:], strict=True))
        if len(out) > 1 and out[-1][1] - out[-1][0] < info["field"]:
            out[-2:] = [(out[-2][0], n)]  # a tail too short for a frame joins
        return out

    def transform(self, X: Any) -> np.ndarray:
        """Encode every utterance (reading the cache first when ``memory`` is set).

        Parameters
        ----------
        X : sequence of waveforms or file paths, or ndarray of shape (n, n_samples)
            One item per utterance: a 1-D waveform at ``sr`` or a path to an audio
            file. Not modified.

        Returns
        -------
        embeddings : ndarray of shape (n, n_features), dtype float32, or object ndarray of shape (n,)
            2-D when ``pooling`` is ``"mean"`` or ``"mean+std"``; an object array
            of float32 ``(len(layers_), hidden_size_, frames_i)`` arrays when it is
            ``"none"``.
        """
        check_is_fitted(self)
        self._validate_params()
        info = self._loaded().info  # loaded again after unpickling
        waves = self._waves(X)
        for i, y in enumerate(waves):
            if y.size < info["field"]:
                raise ValueError(
                    f"{_NAME}: utterance {i} has {y.size} samples at "
                    f"{self.model_sr_} Hz, shorter than the model's "
                    f"{info['field']}-sample receptive field"
                )
        memory = check_memory(self.memory)
        store = memory.cache(_stored, ignore=["value"])
        key = (
            os.fspath(self.model), self.revision, self.fingerprint_,
            list(self.layers_), self.pooling,
            float(self.chunk_seconds), info["normalize"], int(self.model_sr_),
        )  # fmt: skip
        digests = [hashlib.sha1(y.tobytes()).hexdigest() for y in waves]
        results: list[Any] = [None] * len(waves)
        cached = memory.location is not None
        todo = []
        for i, digest in enumerate(digests):
            if cached and store.check_call_in_cache(*key, digest):
                results[i] = store(*key, digest)
            else:
                todo.append(i)
        if todo:
            encoded = self._encode([waves[i] for i in todo], info)
            for i, value in zip(todo, encoded, strict=True):
                results[i] = store(*key, digests[i], value=value) if cached else value
        if self.pooling == "none":
            return to_object_array(results)
        return np.stack(results).astype(np.float32, copy=False)

    def _encode(self, waves: list[np.ndarray], info: dict) -> list[np.ndarray]:
        """Run the network on the pieces of ``waves``, batched by length."""
        import torch

        loaded = self._loaded()
        net, device = loaded.model, resolve_device(self.device)
        pieces = []  # (length, utterance, piece index, samples)
        for u, y in enumerate(waves):
            if info["normalize"]:  # as Wav2Vec2FeatureExtractor, per utterance
                y = (y - y.mean()) / np.sqrt(y.var() + 1e-7)
            for p, (a, b) in enumerate(self._chunks(y.size, info)):
                pieces.append((b - a, u, p, y[a:b]))
        pieces.sort(key=lambda t: (-t[0], t[1], t[2]))
        batches, current = [], []
        for piece in pieces:
            if current and (
                len(current) == self.batch_size
                or (not info["mask"] and piece[0] != current[0][0])
            ):
                batches.append(current)
                current = []
            current.append(piece)
        if current:
            batches.append(current)

        layers = list(self.layers_)
        frames: dict[int, dict[int, np.ndarray]] = {u: {} for u in range(len(waves))}
        with torch.inference_mode():
            for batch in batches:
                longest = batch[0][0]
                x = np.zeros((len(batch), longest), dtype=np.float32)
                for j, (n, *_, samples) in enumerate(batch):
                    x[j, :n] = samples
                kwargs = {"output_hidden_states": True}
                if info["mask"]:
                    mask = np.zeros_like(x, dtype=np.int64)
                    for j, (n, *_) in enumerate(batch):
                        mask[j, :n] = 1
                    kwargs["attention_mask"] = torch.from_numpy(mask).to(device)
                with warnings.catch_warnings():
                    # WavLM's attention gives torch masks of two types (harmless)
                    warnings.filterwarnings(
                        "ignore", message="Support for mismatched key_padding_mask"
                    )
                    out = net(torch.from_numpy(x).to(device), **kwargs)
                hidden = torch.stack([out.hidden_states[k] for k in layers], dim=1)
                hidden = hidden.float().cpu().numpy()  # (B, layers, T, dim)
                counts = _output_frames([p[0] for p in batch], **_geom(info))
                for j, (_, u, p, _) in enumerate(batch):
                    t = min(int(counts[j]), hidden.shape[2])
                    h = hidden[j, :, :t]
                    # pooled output keeps a piece's moments only, not its frames:
                    # memory stays bounded by the batch, however long the audio
                    frames[u][p] = h.copy() if self.pooling == "none" else _moments(h)
        return [self._pool([frames[u][p] for p in sorted(frames[u])])
                for u in range(len(waves))]

    def _pool(self, parts: list) -> np.ndarray:
        """The pieces of one utterance into what ``pooling`` asks: ``(layers,
        frames, dim)`` frames joined, or their moments combined."""
        if self.pooling == "none":
            h = np.concatenate(parts, axis=1)
            return np.ascontiguousarray(h.transpose(0, 2, 1), dtype=np.float32)
        n, mean, m2 = parts[0]
        for nb, mb, m2b in parts[1:]:  # Chan et al.'s pairwise update
            delta = mb - mean
            total = n + nb
            mean = mean + delta * (nb / total)
            m2 = m2 + m2b + delta**2 * (n * nb / total)
            n = total
        if self.pooling == "mean":
            return mean.reshape(-1).astype(np.float32)
        std = np.sqrt(m2 / n)
        return np.concatenate([mean, std], axis=1).reshape(-1).astype(np.float32)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns (per frame for ``pooling="none"``).

        Parameters
        ----------
        input_features : None
            Ignored (the input is audio).

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``layer{l}_mean{d}`` (and ``layer{l}_std{d}``) per column, or
            ``layer{l}_{d}`` per row of ``features[i].reshape(-1, T)``.
        """
        check_is_fitted(self)
        dims = range(self.hidden_size_)
        if self.pooling == "none":
            parts = [""]
        elif self.pooling == "mean":
            parts = ["mean"]
        else:
            parts = ["mean", "std"]
        names = [f"layer{k}_{s}{d}" for k in self.layers_ for s in parts for d in dims]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True  # file paths
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = False
        return tags


def _moments(h: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Frames, mean and summed squared deviations of ``(layers, frames, dim)``."""
    h64 = h.astype(np.float64)
    mean = h64.mean(axis=1)
    return h.shape[1], mean, ((h64 - mean[:, None]) ** 2).sum(axis=1)


def _geom(info: dict) -> dict:
    return {"field": info["field"], "stride": info["stride"]}
