"""Waveform augmentation: speed perturbation, pitch shift, additive noise at an exact
SNR -- functions (hypothesis properties) and imbalanced-learn samplers (counts,
n_copies, determinism, no input mutation, fit-time only in a Pipeline)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.svm import SVC

from sklearn_ser.augment import (
    NoiseResampler,
    PitchShiftResampler,
    SpeedPerturbResampler,
    add_noise,
    pitch_shift,
    speed_perturb,
)
from sklearn_ser.features import MFCC, FrameStatistics

SR = 16000


def measured_snr(clean, noisy):
    clean = np.asarray(clean, dtype=np.float64)
    d = np.asarray(noisy, dtype=np.float64) - clean
    return 10 * np.log10(np.sum(clean**2) / np.sum(d**2))


def tone(freq, n=SR, sr=SR):
    return np.sin(2 * np.pi * freq * np.arange(n) / sr).astype(np.float32)


def peak_hz(x, sr=SR):
    return np.argmax(np.abs(np.fft.rfft(x * np.hanning(x.size)))) * sr / x.size


waves_st = st.builds(
    lambda seed, n, gain: (np.random.default_rng(seed).normal(size=n) * gain).astype(
        np.float32
    ),
    st.integers(0, 2**16),
    st.integers(200, 4000),
    st.floats(1e-3, 10.0),
)


# -------------------------------------------------------------------- functions
@settings(max_examples=40, deadline=None)
@given(
    y=waves_st,
    snr=st.floats(-10.0, 60.0),
    noise=st.sampled_from(["white", "pink"]),
    seed=st.integers(0, 2**16),
)
def test_measured_snr_equals_requested(y, snr, noise, seed):
    before = y.copy()
    noisy = add_noise(y, snr_db=snr, noise=noise, random_state=seed)
    assert noisy.dtype == np.float32 and noisy.shape == y.shape
    assert abs(measured_snr(y, noisy) - snr) < 0.1
    np.testing.assert_array_equal(y, before)
    np.testing.assert_array_equal(
        noisy, add_noise(y, snr_db=snr, noise=noise, random_state=seed)
    )


def test_pink_noise_has_less_power_at_high_frequencies():
    y = np.zeros(SR, dtype=np.float32)
    y[::400] = 1.0
    d = add_noise(y, snr_db=0.0, noise="pink", random_state=0).astype(np.float64) - y
    power = np.abs(np.fft.rfft(d)) ** 2
    low, high = power[50:500].mean(), power[5000:7500].mean()
    assert low > 5 * high  # ~1/f; white noise would give a ratio near 1


@settings(max_examples=20, deadline=None)
@given(y=waves_st)
def test_speed_one_and_zero_semitones_are_identity(y):
    for out in (speed_perturb(y, speed=1.0), pitch_shift(y, sr=SR, n_steps=0)):
        np.testing.assert_array_equal(out, y)
        assert out is not y


@settings(max_examples=20, deadline=None)
@given(speed=st.floats(0.5, 2.0), n=st.integers(500, 8000))
def test_speed_perturb_length_and_no_mutation(speed, n):
    y = np.random.default_rng(n).normal(size=n).astype(np.float32)
    before = y.copy()
    out = speed_perturb(y, speed=speed)
    assert out.shape == (max(round(n / speed), 1),) and out.dtype == np.float32
    np.testing.assert_array_equal(y, before)


@pytest.mark.parametrize("speed", [0.9, 1.1])
def test_speed_moves_frequencies_by_the_factor(speed):
    out = speed_perturb(tone(300.0), speed=speed)
    assert abs(peak_hz(out) - 300.0 * speed) < 3


@pytest.mark.parametrize("n_steps", [-2.0, 1.0, 3.0])
def test_pitch_shift_moves_frequency_keeps_length_and_loudness(n_steps):
    y = tone(300.0)
    out = pitch_shift(y, sr=SR, n_steps=n_steps)
    assert out.shape == y.shape
    assert abs(peak_hz(out) - 300.0 * 2 ** (n_steps / 12)) < 4
    np.testing.assert_allclose(
        np.sqrt(np.mean(out**2)), np.sqrt(np.mean(y**2)), rtol=1e-4
    )


@pytest.mark.parametrize("n_steps", [-3.0, 2.5])
def test_pitch_shift_matches_librosa(n_steps):
    import librosa

    t = np.arange(2 * SR) / SR
    x = (np.sin(2 * np.pi * 220 * t) + 0.5 * np.sin(2 * np.pi * 470 * t)).astype(
        np.float32
    )
    ours = pitch_shift(x, sr=SR, n_steps=n_steps)
    ref = librosa.effects.pitch_shift(
        x, sr=SR, n_steps=n_steps, n_fft=512, res_type="soxr_hq"
    )
    assert np.corrcoef(ours[1000:-1000], ref[1000:-1000])[0, 1] > 0.9999


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: speed_perturb(np.ones(10), speed=3.0), "speed must be"),
        (lambda: pitch_shift(np.ones(10), sr=SR, n_steps=20), "n_steps must be"),
        (lambda: add_noise(np.ones(10), snr_db=10, noise="blue"), "noise must be"),
        (lambda: add_noise(np.ones((2, 10)), snr_db=10), "1-D waveform"),
        (lambda: add_noise(np.array([np.nan, 1.0]), snr_db=10), "NaN or inf"),
    ],
)
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_silence_stays_silent():
    np.testing.assert_array_equal(add_noise(np.zeros(100), snr_db=10), np.zeros(100))


# --------------------------------------------------------------------- samplers
def corpus(seed=0, counts=(5, 3, 2)):
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k, n in enumerate(counts):
        for _ in range(n):
            X.append(
                (rng.normal(size=int(rng.integers(1500, 3000))) * 0.3).astype(
                    np.float32
                )
            )
            y.append(f"c{k}")
    return X, np.asarray(y)


SAMPLERS = [
    lambda **kw: SpeedPerturbResampler(**kw),
    lambda **kw: PitchShiftResampler(**kw),
    lambda **kw: NoiseResampler(noise="pink", **kw),
]


@settings(max_examples=10, deadline=None)
@given(
    which=st.integers(0, 2),
    extra=st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 4)),
    seed=st.integers(0, 1000),
)
def test_class_counts_equal_sampling_strategy(which, extra, seed):
    X, y = corpus(seed)
    counts = Counter(y)
    wanted = {c: counts[c] + e for c, e in zip(sorted(counts), extra, strict=True)}
    sampler = SAMPLERS[which](sampling_strategy=wanted, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == Counter(wanted)
    assert len(X_res) == len(y_res) == sampler.sample_indices_.size
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])


@pytest.mark.parametrize("which", range(3))
def test_default_balances_to_majority_and_n_copies_augments_everything(which):
    X, y = corpus()
    _, y_res = SAMPLERS[which](random_state=0).fit_resample(X, y)
    assert Counter(y_res) == {"c0": 5, "c1": 5, "c2": 5}
    sampler = SAMPLERS[which](n_copies=2, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {"c0": 15, "c1": 9, "c2": 6}
    # every original appears once as itself and n_copies times as a source
    assert Counter(sampler.sample_indices_.tolist()) == {i: 3 for i in range(len(X))}


@pytest.mark.parametrize("which", range(3))
@pytest.mark.parametrize("dense", [False, True])
def test_same_seed_same_output_and_input_not_mutated(which, dense):
    X, y = corpus()
    if dense:
        X = np.stack([x[:1500] for x in X])
    before = [np.array(x, copy=True) for x in X]
    y_before = y.copy()
    a = SAMPLERS[which](n_copies=1, random_state=3).fit_resample(X, y)
    b = SAMPLERS[which](n_copies=1, random_state=3).fit_resample(X, y)
    for xa, xb in zip(a[0], b[0], strict=True):
        np.testing.assert_array_equal(xa, xb)
    for x, x0 in zip(X, before, strict=True):
        np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y_before)
    if dense and which > 0:  # pitch and noise keep the length: dense stays dense
        assert a[0].shape == (2 * len(X), 1500)


def test_n_copies_cycles_through_the_values():
    X, y = corpus()
    sampler = SpeedPerturbResampler(speeds=(0.9, 1.1), n_copies=2)
    X_res, _ = sampler.fit_resample(X, y)
    n = len(X)
    synthetic_src = sampler.sample_indices_[n:]
    assert sampler.speeds_.tolist() == [0.9, 1.1] * n
    for row, (src, speed) in enumerate(
        zip(synthetic_src, sampler.speeds_, strict=True)
    ):
        assert len(X_res[n + row]) == round(len(X[src]) / speed)
    noise = NoiseResampler(snr_db=(5.0, 25.0), n_copies=2, random_state=0)
    X_res, _ = noise.fit_resample(X, y)
    for row, src in enumerate(noise.sample_indices_[n:]):
        assert abs(measured_snr(X[src], X_res[n + row]) - noise.snr_db_[row]) < 0.1


def test_identity_values_give_copies_of_the_originals():
    X, y = corpus()
    for sampler in (
        SpeedPerturbResampler(speeds=1.0, n_copies=1),
        PitchShiftResampler(n_steps=0.0, n_copies=1),
    ):
        X_res, _ = sampler.fit_resample(X, y)
        for row, src in enumerate(sampler.sample_indices_):
            np.testing.assert_array_equal(X_res[row], X[src])


def test_bad_values_are_named():
    X, y = corpus()
    with pytest.raises(ValueError, match="speeds must be"):
        SpeedPerturbResampler(speeds=(0.9, 5.0)).fit_resample(X, y)
    with pytest.raises(ValueError, match="snr_db must be"):
        NoiseResampler(snr_db=()).fit_resample(X, y)


def test_in_an_imblearn_pipeline_augmentation_happens_at_fit_only(tiny_corpus):
    X, y = tiny_corpus.X, tiny_corpus.y
    pipe = make_pipeline(
        SpeedPerturbResampler(n_copies=2, random_state=0),
        NoiseResampler(snr_db=20.0, n_copies=1, random_state=0),
        MFCC(n_mfcc=13),
        FrameStatistics(stats=("mean", "std")),
        SVC(),
    )
    pipe.fit(X, y)
    assert pipe[-1].shape_fit_[0] == 6 * len(X)  # x3 speeds, then x2 noise
    assert pipe.predict(X).shape == (len(X),)
    assert pipe.score(X, y) > 0.5
    clone(pipe).fit(X, y)


@pytest.mark.parametrize(
    "sampler",
    [SpeedPerturbResampler(), PitchShiftResampler(), NoiseResampler()],
    ids=lambda s: type(s).__name__,
)
def test_data_free_api_checks_and_documented_parameters(sampler):
    from numpydoc.docscrape import ClassDoc
    from sklearn.utils.estimator_checks import (
        check_estimator_cloneable,
        check_estimator_repr,
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
        check_set_params,
    )

    name = type(sampler).__name__
    for check in (
        check_estimator_cloneable,
        check_estimator_repr,
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
        check_set_params,
    ):
        check(name, sampler)
    documented = {
        p.name.split(":")[0].strip() for p in ClassDoc(type(sampler))["Parameters"]
    }
    assert set(sampler.get_params()) <= documented


@pytest.mark.parametrize("n", [1, 3, 17, 200, 513])
def test_very_short_waveforms(n):
    y = np.random.default_rng(n).normal(size=n).astype(np.float32)
    assert pitch_shift(y, sr=SR, n_steps=2).shape == (n,)
    assert speed_perturb(y, speed=1.1).shape == (max(round(n / 1.1), 1),)
    assert (
        abs(measured_snr(y, add_noise(y, snr_db=5, noise="pink", random_state=0)) - 5)
        < 0.1
    )
