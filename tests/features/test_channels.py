"""SelectChannels and StackSpectrograms: what they return, bad input (clone,
pickle, input untouched: the shared checks, tests/test_common.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_ser.features import (
    LogMelSpectrogram,
    SelectChannels,
    Spectrogram,
    StackSpectrograms,
)


def _ragged(rng, frames=(7, 5), channels=3, features=4):
    out = np.empty(len(frames), dtype=object)
    for i, t in enumerate(frames):
        out[i] = rng.standard_normal((channels, features, t)).astype(np.float32)
    return out


@pytest.fixture
def audio(rng):
    return [0.1 * rng.standard_normal(n).astype(np.float32) for n in (4000, 5600)]


def _stack(n_features=24):
    return StackSpectrograms(
        spectrogram=Spectrogram(win_ms=32.0, hop_ms=10.0, scale="db"),
        mel=LogMelSpectrogram(n_mels=32, win_ms=32.0, hop_ms=10.0),
        n_features=n_features,
    )


# ----------------------------------------------------------------- SelectChannels
def test_select_channels_keeps_the_chosen_channels_in_order(rng):
    X = _ragged(rng)
    out = SelectChannels(channels=[2, 0]).fit_transform(X)
    assert out.dtype == object and [a.shape for a in out] == [(2, 4, 7), (2, 4, 5)]
    for a, b in zip(out, X):
        np.testing.assert_array_equal(a[0], b[2])
        np.testing.assert_array_equal(a[1], b[0])
        assert a.dtype == np.float32


def test_select_channels_none_keeps_everything_and_dense_stays_dense(rng):
    dense = rng.standard_normal((2, 3, 4, 6)).astype(np.float32)
    np.testing.assert_array_equal(SelectChannels().fit_transform(dense), dense)
    out = SelectChannels(channels=np.array([1])).fit_transform(dense)
    assert isinstance(out, np.ndarray) and out.shape == (2, 1, 4, 6)


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(4)), st.integers(1, 4))
def test_select_channels_is_a_gather_along_the_channel_axis(order, k):
    X = np.arange(2 * 4 * 3 * 5, dtype=np.float32).reshape(2, 4, 3, 5)
    keep = list(order[:k])
    np.testing.assert_array_equal(
        SelectChannels(channels=keep).fit_transform(X), X[:, keep]
    )


@pytest.mark.parametrize("bad", [(0, 3), (1, 1), (), (-1,), (0.5,), (True,)])
def test_select_channels_bad_indices_name_the_parameter(rng, bad):
    dense = rng.standard_normal((2, 3, 4, 6)).astype(np.float32)
    with pytest.raises(ValueError, match=r"SelectChannels: channels .*\[0, 3\)"):
        SelectChannels(channels=bad).fit(dense)
    with pytest.raises(ValueError, match="SelectChannels: channels"):
        SelectChannels(channels=bad).transform(dense)


def test_select_channels_parameter_type_is_checked(rng):
    dense = rng.standard_normal((2, 3, 4, 6)).astype(np.float32)
    with pytest.raises(InvalidParameterError, match="channels"):
        SelectChannels(channels=1).fit(dense)


def test_select_channels_bad_features_are_refused():
    with pytest.raises(ValueError, match="SelectChannels"):
        SelectChannels(channels=[0]).fit_transform([np.zeros(5, dtype=np.float32)])


# ------------------------------------------------------------- StackSpectrograms
def test_stack_spectrograms_are_two_resized_channels(audio):
    stack = _stack(24)
    out = stack.fit_transform(audio)
    spec = stack.spectrogram.transform(audio)
    mel = stack.mel.transform(audio)
    assert out.dtype == object
    for item, s, m in zip(out, spec, mel):
        assert item.shape == (2, 24, s.shape[-1]) == (2, 24, m.shape[-1])
        assert item.dtype == np.float32
        # the first and last bins of the resized maps are those of the originals
        for channel, original in ((0, s), (1, m)):
            np.testing.assert_allclose(
                item[channel, [0, -1]], original[0, [0, -1]], rtol=1e-5, atol=1e-4
            )
    # n_features equal to a map's bins leaves that map as it is
    native = clone(stack).set_params(n_features=32).fit_transform(audio[:1])
    np.testing.assert_allclose(native[0][1], mel[0][0], rtol=1e-6)


def test_stack_spectrograms_dense_when_both_maps_are_dense(audio):
    stack = _stack(16).set_params(spectrogram__max_frames=20, mel__max_frames=20)
    out = stack.fit_transform(audio)
    assert isinstance(out, np.ndarray) and out.shape == (2, 2, 16, 20)


def test_stack_spectrograms_refuses_different_frames(audio):
    mismatched = _stack().set_params(spectrogram__hop_ms=20.0)
    with pytest.raises(ValueError, match="StackSpectrograms: utterance 0 .*frames"):
        mismatched.fit_transform(audio[:1])


@pytest.mark.parametrize(
    "params, match",
    [({"n_features": 0}, "n_features"), ({"mel": "logmel"}, "mel")],
)
def test_stack_spectrograms_bad_parameters_are_named(audio, params, match):
    with pytest.raises(InvalidParameterError, match=match):
        _stack().set_params(**params).fit(audio)
    with pytest.raises(InvalidParameterError, match=match):
        _stack().set_params(**params).transform(audio)
