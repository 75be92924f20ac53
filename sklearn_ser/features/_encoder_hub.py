"""Loading pretrained speech encoders with Hugging Face ``transformers``: the
process-wide table of loaded networks, what is read from their configurations, the
error when the weights are missing, and a tiny random model for tests and examples.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from typing import Any

from sklearn_ser.utils._random import torch_rng

__all__ = ["EncoderNotFoundError"]

_NAME = "SpeechEncoder"


class EncoderNotFoundError(FileNotFoundError, ValueError):
    """The encoder's weights are neither in the folder given nor in the HF cache.

    A :class:`FileNotFoundError` that is also a :class:`ValueError`, like every other
    bad input of sklearn_ser.
    """


def _import_transformers():
    try:
        import transformers
    except ImportError:
        raise ImportError(
            f"{_NAME} needs the Hugging Face 'transformers' package: "
            'pip install "sklearn-ser[encoders]"'
        ) from None
    return transformers


# ------------------------------------------------------------ loaded networks
# (source, revision, local_files_only, device) -> _Loaded; two at most (a large
# wav2vec 2.0 takes 1.2 GB), shared by clones, so a grid search loads once.
_MODELS: OrderedDict = OrderedDict()
_MODELS_LOCK = threading.Lock()
_MAX_MODELS = 2


class _Loaded:
    """A network in eval mode and what the estimator reads from its configuration."""

    def __init__(self, model: Any, info: dict) -> None:
        self.model = model
        self.info = info


def _not_found(model: str, why: str) -> EncoderNotFoundError:
    from huggingface_hub import constants

    here = os.path.abspath(os.path.expanduser(model))
    return EncoderNotFoundError(
        f"{_NAME}: model={model!r} not found ({why}): looked in the folder {here} "
        f"and the Hugging Face cache {constants.HF_HUB_CACHE}; download it once "
        f"where there is a network (`hf download {model}`, or "
        f"local_files_only=False), or give model= a folder holding config.json "
        "and the weights"
    )


def _fingerprint(path: str | None, config: Any) -> str:
    """What identifies the weights: the hub commit, else the folder's config and
    weight files (names, sizes, modification times)."""
    commit = getattr(config, "_commit_hash", None)
    if commit:
        return str(commit)
    h = hashlib.sha1(json.dumps(config.to_dict(), sort_keys=True, default=str).encode())
    if path is not None and os.path.isdir(path):
        for name in sorted(os.listdir(path)):
            if name.endswith((".safetensors", ".bin", ".pt", ".json")):
                st = os.stat(os.path.join(path, name))
                h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def _conv_geometry(config: Any) -> tuple[int, int]:
    """(receptive field, stride) in samples of the convolutional front end."""
    kernels = list(getattr(config, "conv_kernel", None) or [10, 3, 3, 3, 3, 2, 2])
    strides = list(getattr(config, "conv_stride", None) or [5, 2, 2, 2, 2, 2, 2])
    field, jump = 1, 1
    for k, s in zip(kernels, strides, strict=False):
        field += (k - 1) * jump
        jump *= s
    return field, jump


def _load(model: str, revision: str | None, local_files_only: bool, device: str):
    source = os.fspath(model)
    is_dir = os.path.isdir(os.path.expanduser(source))
    if is_dir:  # a folder is one model wherever it is named from
        source = os.path.abspath(os.path.expanduser(source))
    key = (source, revision, bool(local_files_only), device)
    with _MODELS_LOCK:
        if key in _MODELS:
            _MODELS.move_to_end(key)
            return _MODELS[key]
    transformers = _import_transformers()
    if is_dir:
        if not os.path.isfile(os.path.join(source, "config.json")):
            raise _not_found(str(model), "the folder has no config.json")
    kwargs = {"revision": revision, "local_files_only": local_files_only}
    try:
        config = transformers.AutoConfig.from_pretrained(source, **kwargs)
        net = transformers.AutoModel.from_pretrained(source, **kwargs)
    except OSError as exc:
        why = "no such folder, not in the cache" if not is_dir else "no weights"
        raise _not_found(str(model), why) from exc
    try:
        extractor = transformers.AutoFeatureExtractor.from_pretrained(source, **kwargs)
    except (OSError, ValueError):
        extractor = None  # no preprocessor_config.json: wav2vec 2.0's defaults
    layer_norm = getattr(config, "feat_extract_norm", "group") == "layer"
    field, stride = _conv_geometry(config)
    info = {
        "n_layers": int(config.num_hidden_layers) + 1,
        "hidden_size": int(config.hidden_size),
        "sr": int(getattr(extractor, "sampling_rate", 16000)),
        "normalize": bool(getattr(extractor, "do_normalize", True)),
        # models with group norm in the front end (wav2vec2-base) are trained
        # without padding masks: they see only inputs of equal length together
        "mask": bool(getattr(extractor, "return_attention_mask", layer_norm)),
        "field": field,
        "stride": stride,
        "fingerprint": _fingerprint(source if is_dir else None, config),
    }
    # float32 whatever the checkpoint stores (transformers 5 keeps its dtype)
    net.float().eval().to(device)
    loaded = _Loaded(net, info)
    with _MODELS_LOCK:
        _MODELS[key] = loaded
        while len(_MODELS) > _MAX_MODELS:
            _MODELS.popitem(last=False)
    return loaded


def _save_tiny_model(
    path: str | os.PathLike,
    *,
    kind: str = "wav2vec2",
    seed: int = 0,
    sampling_rate: int = 16000,
    feat_extract_norm: str = "group",
    do_normalize: bool = True,
) -> str:
    """Save a randomly initialised 2-layer, 32-wide model to ``path`` (for tests,
    examples and benchmarks: no weights are downloaded)."""
    transformers = _import_transformers()
    config_cls, model_cls = {
        "wav2vec2": ("Wav2Vec2Config", "Wav2Vec2Model"),
        "hubert": ("HubertConfig", "HubertModel"),
        "wavlm": ("WavLMConfig", "WavLMModel"),
    }[kind]
    config = getattr(transformers, config_cls)(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        # wav2vec 2.0's geometry in three layers: 320-sample hop, 50 frames/s
        conv_dim=(16, 16, 16),
        conv_stride=(5, 8, 8),
        conv_kernel=(10, 7, 10),  # a 400-sample receptive field, as wav2vec 2.0
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=2,
        feat_extract_norm=feat_extract_norm,
        do_stable_layer_norm=feat_extract_norm == "layer",
    )
    with torch_rng(seed):
        model = getattr(transformers, model_cls)(config)
    path = os.fspath(path)
    model.save_pretrained(path)
    transformers.Wav2Vec2FeatureExtractor(
        sampling_rate=sampling_rate,
        do_normalize=do_normalize,
        return_attention_mask=feat_extract_norm == "layer",
    ).save_pretrained(path)
    return path
