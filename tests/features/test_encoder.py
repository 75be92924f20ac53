"""SpeechEncoder on tiny randomly initialised wav2vec2 / HuBERT / WavLM models.

The models are built from configurations (2 layers, 32 wide) and saved to a
temporary folder; no weights are downloaded.
"""

from __future__ import annotations

import pickle
import socket

import numpy as np
import pytest

pytest.importorskip(
    "transformers", reason="the 'encoders' extra (transformers) is not installed"
)

from sklearn.base import clone  # noqa: E402

from sklearn_ser.utils._audio import resample  # noqa: E402
from sklearn_ser.features import (  # noqa: E402
    EncoderNotFoundError,
    FrameStatistics,
    SpeechEncoder,
)
from sklearn_ser.features._encoder import _save_tiny_model  # noqa: E402
from sklearn_ser.io import load_model, save_model  # noqa: E402


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Folders of tiny models: group-norm wav2vec2 (no padding mask), layer-norm
    WavLM (masked padding), HuBERT, and a wav2vec2 at 8 kHz without normalisation."""
    root = tmp_path_factory.mktemp("encoders")
    return {
        "wav2vec2": _save_tiny_model(root / "w2v"),
        "wavlm": _save_tiny_model(
            root / "wavlm", kind="wavlm", feat_extract_norm="layer"
        ),
        "hubert": _save_tiny_model(root / "hubert", kind="hubert"),
        "w2v_8k": _save_tiny_model(
            root / "w2v8k", sampling_rate=8000, do_normalize=False
        ),
    }


@pytest.fixture(scope="module")
def audio():
    rng = np.random.default_rng(0)
    lengths = (16000, 7000, 12345, 16000, 4000)
    return [(0.1 * rng.standard_normal(n)).astype(np.float32) for n in lengths]


class Counter:
    """Counts the network's forward calls and the pieces of audio they took."""

    def __init__(self, enc):
        self.calls = self.pieces = 0
        self.handle = enc.model_.register_forward_hook(self)

    def __call__(self, module, args, output):
        self.calls += 1
        self.pieces += int(args[0].shape[0])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.remove()


@pytest.mark.parametrize("kind", ["wav2vec2", "wavlm", "hubert"])
def test_shapes_of_each_pooling(models, audio, kind):
    enc = SpeechEncoder(model=models[kind]).fit(audio)
    assert enc.layers_ == (0, 1, 2) and enc.hidden_size_ == 32
    mean = enc.transform(audio)
    assert mean.shape == (5, 3 * 32) and mean.dtype == np.float32
    frames = enc.set_params(pooling="none").transform(audio)
    assert frames.dtype == object
    # 50 frames per second: (n - 400) // 320 + 1 with the 400-sample receptive field
    assert [f.shape for f in frames] == [(3, 32, (n - 400) // 320 + 1) for n in
                                         map(len, audio)]
    # "mean" is the frames' mean of each layer; "mean+std" adds their deviation
    np.testing.assert_allclose(mean[1], frames[1].mean(axis=2).ravel(), atol=1e-5)
    both = enc.set_params(pooling="mean+std").transform(audio)
    assert both.shape == (5, 3 * 2 * 32)
    np.testing.assert_allclose(
        both[1].reshape(3, 2, 32)[:, 1], frames[1].std(axis=2), atol=1e-5
    )
    assert len(enc.get_feature_names_out()) == both.shape[1]


def test_layer_selection(models, audio):
    full = SpeechEncoder(model=models["wav2vec2"]).fit(audio).transform(audio[:2])
    last = SpeechEncoder(model=models["wav2vec2"], layer=-1).fit(audio)
    assert last.layers_ == (2,)
    np.testing.assert_allclose(last.transform(audio[:2]), full[:, 64:], atol=1e-6)
    two = SpeechEncoder(model=models["wav2vec2"], layer=[2, 0]).fit(audio)
    np.testing.assert_allclose(
        two.transform(audio[:2]), np.hstack([full[:, 64:], full[:, :32]]), atol=1e-6
    )
    with pytest.raises(ValueError, match="layer 3 does not exist.*0..2"):
        SpeechEncoder(model=models["wav2vec2"], layer=3).fit(audio)
    with pytest.raises(ValueError, match="twice"):
        SpeechEncoder(model=models["wav2vec2"], layer=[1, -2]).fit(audio)


@pytest.mark.parametrize("kind", ["wav2vec2", "wavlm"])
def test_an_utterance_does_not_depend_on_its_batch(models, audio, kind):
    """Batched by length (padding masked or equal lengths only): each utterance's
    frames are those it has when encoded alone."""
    enc = SpeechEncoder(model=models[kind], pooling="none", batch_size=4).fit(audio)
    together = enc.transform(audio)
    for x, got in zip(audio, together, strict=True):
        np.testing.assert_allclose(got, enc.transform([x])[0], atol=1e-4)


def test_long_audio_is_encoded_in_pieces(models):
    """chunk_seconds cuts a long utterance into equal pieces run separately and
    joined: with the normalisation off, the frames are those of the pieces."""
    rng = np.random.default_rng(1)
    x = (0.1 * rng.standard_normal(3 * 8000)).astype(np.float32)  # 3 s at 8 kHz
    enc = SpeechEncoder(model=models["w2v_8k"], sr=8000, pooling="none",
                        chunk_seconds=1.0).fit([x])
    with Counter(enc) as counter:
        frames = enc.transform([x])[0]
    assert counter.pieces == 3  # one batch of three 1 s pieces
    pieces = enc.set_params(chunk_seconds=10.0).transform(
        [x[:8000], x[8000:16000], x[16000:]]
    )
    np.testing.assert_allclose(frames, np.concatenate(list(pieces), axis=2), atol=1e-5)
    # pooled, the pieces' moments are combined (their frames are not kept)
    pooled = enc.set_params(chunk_seconds=1.0, pooling="mean+std").transform([x])[0]
    expected = np.stack([frames.mean(axis=2), frames.std(axis=2)], axis=1).ravel()
    np.testing.assert_allclose(pooled, expected, atol=1e-5)


def test_audio_at_another_rate_is_resampled_to_the_models(models):
    rng = np.random.default_rng(2)
    x16 = (0.1 * rng.standard_normal(16000)).astype(np.float32)
    enc = SpeechEncoder(model=models["w2v_8k"], sr=16000).fit([x16])
    assert enc.model_sr_ == 8000
    x8 = resample(x16, orig_sr=16000, target_sr=8000).astype(np.float32)
    direct = SpeechEncoder(model=models["w2v_8k"], sr=8000).fit([x8])
    np.testing.assert_allclose(enc.transform([x16]), direct.transform([x8]), atol=1e-6)


def test_second_call_reads_the_cache(models, audio, tmp_path):
    enc = SpeechEncoder(model=models["wav2vec2"], memory=str(tmp_path)).fit(audio)
    with Counter(enc) as counter:
        first = enc.transform(audio[:3])
    assert counter.pieces == 3
    # a clone (as a grid search makes) reads the cache: the network does not run
    again = clone(enc).fit(audio)
    with Counter(enc) as counter:
        second = again.transform(audio[:3])
        np.testing.assert_array_equal(second, first)
        assert counter.calls == 0
        # new utterances only are encoded; the others come from the cache
        mixed = again.transform(audio)
        assert counter.pieces == 2
    np.testing.assert_array_equal(mixed[:3], first)
    # other layers are another key
    with Counter(enc) as counter:
        enc.set_params(layer=1).fit(audio).transform(audio[:1])
        assert counter.pieces == 1


def test_pickle_and_clone_keep_only_the_reference(models, audio, tmp_path):
    enc = SpeechEncoder(model=models["hubert"], layer=[0, 2]).fit(audio)
    expected = enc.transform(audio)
    blob = pickle.dumps(enc)
    assert len(blob) < 5000  # the weights (about 100 kB) are not in it
    np.testing.assert_array_equal(pickle.loads(blob).transform(audio), expected)
    copy = clone(enc)
    assert copy.get_params() == enc.get_params() and not hasattr(copy, "layers_")
    # the fitted state is plain data: the reference and five numbers
    assert {k for k in vars(enc) if k.endswith("_")} == {
        "layers_", "n_layers_", "hidden_size_", "model_sr_", "fingerprint_"
    }


def test_model_files_keep_only_the_reference(models, audio, tmp_path):
    enc = SpeechEncoder(model=models["hubert"], layer=[0, 2]).fit(audio)
    expected = enc.transform(audio)
    save_model(enc, tmp_path / "enc.model")
    loaded = load_model(tmp_path / "enc.model")
    assert loaded.model == models["hubert"] and loaded.layers_ == (0, 2)
    np.testing.assert_array_equal(loaded.transform(audio), expected)


def test_frames_go_to_frame_statistics(models, audio):
    frames = SpeechEncoder(model=models["wav2vec2"], layer=2, pooling="none").fit(
        audio
    ).transform(audio)
    table = FrameStatistics(stats=("mean",)).fit_transform(frames)
    assert table.shape == (5, 32)


def test_input_is_not_modified(models, audio):
    X = [a.copy() for a in audio[:2]]
    SpeechEncoder(model=models["wav2vec2"]).fit(X).transform(X)
    for a, b in zip(X, audio, strict=False):
        np.testing.assert_array_equal(a, b)


def test_missing_model_says_where_it_looked_and_downloads_nothing(
    tmp_path, monkeypatch
):
    def no_network(*args, **kwargs):
        raise AssertionError("SpeechEncoder tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(EncoderNotFoundError) as info:
        SpeechEncoder(model="nobody/no-such-encoder").fit()
    message = str(info.value)
    assert "\n" not in message
    assert "'nobody/no-such-encoder' not found" in message
    assert "Hugging Face cache" in message and "hf download" in message
    assert isinstance(info.value, ValueError)
    (tmp_path / "empty").mkdir()
    with pytest.raises(EncoderNotFoundError, match="no config.json"):
        SpeechEncoder(model=str(tmp_path / "empty")).fit()


def test_bad_input_is_named(models):
    enc = SpeechEncoder(model=models["wav2vec2"]).fit()
    with pytest.raises(ValueError, match="utterance 1 has 300 samples.*400-sample"):
        enc.transform([np.ones(800, np.float32), np.ones(300, np.float32)])
    with pytest.raises(ValueError, match="pooling"):
        SpeechEncoder(model=models["wav2vec2"], pooling="max").fit()
    with pytest.raises(TypeError, match="layer must hold ints"):
        SpeechEncoder(model=models["wav2vec2"], layer=[1.5]).fit()


def test_scikit_learn_api_checks_that_need_no_data(models):
    from sklearn.utils.estimator_checks import (
        check_do_not_raise_errors_in_init_or_set_params,
        check_estimator_cloneable,
        check_estimator_repr,
        check_get_params_invariance,
        check_mixin_order,
        check_no_attributes_set_in_init,
        check_set_params,
    )

    enc = SpeechEncoder(model=models["wav2vec2"], layer=[1, 2])
    name = type(enc).__name__
    for check in (check_estimator_cloneable, check_estimator_repr,
                  check_no_attributes_set_in_init, check_get_params_invariance,
                  check_set_params, check_mixin_order,
                  check_do_not_raise_errors_in_init_or_set_params):
        check(name, enc)


def test_without_transformers_fit_says_which_extra_to_install(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(ImportError, match=r'pip install "sklearn-ser\[encoders\]"'):
        SpeechEncoder(model=str(tmp_path / "not-loaded-yet")).fit()
