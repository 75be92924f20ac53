"""A deterministic synthetic emotional-speech corpus (source-filter synthesis)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval
from sklearn_compat.utils._param_validation import validate_params

__all__ = ["make_emotional_speech", "EMOTION_PROFILES"]


@dataclass(frozen=True)
class _Profile:
    """Prosodic and voice-quality settings of one emotion (relative to a speaker).

    pitch : F0 level, semitones above the speaker's base.
    pitch_range : standard deviation of the syllable pitch accents, semitones.
    declination : F0 slope over the utterance, semitones per second.
    rate : syllables per second.
    level : speech level, dB relative to neutral.
    dynamics : standard deviation of the syllable stress, dB.
    tilt : one-pole low-pass coefficient on the source (0 flat .. 0.95 steep).
    open_quotient : open fraction of the glottal cycle (Rosenberg pulse).
    jitter, shimmer : relative per-period perturbation of period and amplitude.
    breath : aspiration noise relative to the voiced source.
    attack : fraction of a syllable its amplitude takes to rise.
    pause : probability of a pause after a syllable.
    f1_scale, f2_scale : formant shift (wide mouth opening raises F1; a smile F2).
    """

    pitch: float
    pitch_range: float
    declination: float
    rate: float
    level: float
    dynamics: float
    tilt: float
    open_quotient: float
    jitter: float
    shimmer: float
    breath: float
    attack: float
    pause: float
    f1_scale: float
    f2_scale: float


# Directions from Murray & Arnott (1993), Table 1, and Banse & Scherer (1996): anger
# and happiness high, wide-ranged, fast and loud (anger with a flatter spectrum, the
# pressed voice); fear the highest pitch, fastest, irregular (jitter), breathy;
# sadness low, narrow, slow, quiet, steep spectrum, breathy; boredom low, monotone,
# slow; disgust low, slow, grumbled (wide declination). Magnitudes are ours.
EMOTION_PROFILES: dict[str, _Profile] = {
    # fields: pitch, pitch_range, declination, rate, level, dynamics, tilt,
    # open_quotient, jitter, shimmer, breath, attack, pause, f1_scale, f2_scale
    # fmt: off
    "neutral": _Profile(0.0, 1.8, -1.5, 4.6, 0.0, 1.5, 0.60, 0.55,
        0.010, 0.04, 0.04, 0.25, 0.15, 1.00, 1.00),
    "anger": _Profile(6.0, 4.5, -3.0, 6.0, 12.0, 4.0, 0.05, 0.35,
        0.018, 0.08, 0.02, 0.06, 0.05, 1.18, 1.03),
    "happiness": _Profile(7.0, 6.0, -0.5, 5.6, 6.0, 3.0, 0.30, 0.48,
        0.010, 0.05, 0.04, 0.14, 0.08, 1.08, 1.14),
    "fear": _Profile(9.0, 3.0, 1.0, 6.8, 3.0, 2.0, 0.45, 0.62,
        0.050, 0.12, 0.22, 0.15, 0.12, 1.05, 1.06),
    "sadness": _Profile(-3.0, 0.5, -2.5, 2.8, -10.0, 0.8, 0.92, 0.80,
        0.012, 0.06, 0.22, 0.45, 0.40, 0.90, 0.94),
    "boredom": _Profile(-4.5, 0.3, -0.8, 3.5, -6.0, 0.5, 0.85, 0.65,
        0.008, 0.04, 0.08, 0.35, 0.30, 0.95, 0.97),
    "disgust": _Profile(-5.0, 3.0, -4.5, 3.1, -2.0, 3.0, 0.78, 0.42,
        0.025, 0.10, 0.12, 0.20, 0.30, 0.94, 0.88),
    "calm": _Profile(-1.5, 1.0, -1.0, 3.7, -5.0, 0.8, 0.82, 0.68,
        0.008, 0.03, 0.10, 0.35, 0.22, 0.98, 1.00),
    "surprise": _Profile(9.0, 7.0, 5.0, 4.9, 4.0, 3.0, 0.35, 0.48,
        0.012, 0.05, 0.04, 0.10, 0.08, 1.12, 1.06),
    # fmt: on
}

_DEFAULT_CLASSES = (
    "anger",
    "boredom",
    "disgust",
    "fear",
    "happiness",
    "neutral",
    "sadness",
)

# How much each profile value varies from utterance to utterance (one standard
# deviation, additive), so that classes overlap.
# fmt: off
_UTTERANCE_SD = _Profile(1.0, 0.4, 0.6, 0.25, 1.5, 0.3, 0.05, 0.03,
                         0.002, 0.008, 0.01, 0.03, 0.04, 0.015, 0.015)
# fmt: on

# Peterson & Barney (1952) adult male formants F1-F3 (Hz) of seven vowels
# /i/ /ɛ/ /æ/ /a/ /ʌ/ /ɔ/ /u/; F4, F5 fixed.
_VOWELS = np.array(
    [
        [270.0, 2290.0, 3010.0],
        [530.0, 1840.0, 2480.0],
        [660.0, 1720.0, 2410.0],
        [730.0, 1090.0, 2440.0],
        [640.0, 1190.0, 2390.0],
        [570.0, 840.0, 2410.0],
        [300.0, 870.0, 2240.0],
    ]
)
# Ten "sentences" (as EmoDB's ten texts): fixed vowel sequences, and which syllables
# start with which fricative (negative: none, 40 %); each utterance draws its text
# independently of its emotion.
_TEXT_RNG = np.random.default_rng(20050901)
_TEXTS = _TEXT_RNG.integers(len(_VOWELS), size=(10, 24))
_TEXT_FRICATIVES = _TEXT_RNG.integers(-2, 3, size=(10, 24))
_F45 = np.array([3300.0, 3750.0])
_BANDWIDTHS = np.array([60.0, 90.0, 120.0, 170.0, 220.0])
_REF_RMS = 0.03  # speech RMS of a neutral utterance of an average speaker


def _check_classes(classes: Any) -> tuple[str, ...]:
    if classes is None:
        return _DEFAULT_CLASSES
    classes = tuple(str(c) for c in classes)
    if not classes:
        raise ValueError("make_emotional_speech: classes is empty")
    unknown = [c for c in classes if c not in EMOTION_PROFILES]
    if unknown:
        raise ValueError(
            f"make_emotional_speech: unknown emotion(s) {unknown} in classes; "
            f"expected names among {sorted(EMOTION_PROFILES)}"
        )
    if len(set(classes)) != len(classes):
        raise ValueError(f"make_emotional_speech: classes has duplicates: {classes}")
    return classes


def _check_duration(duration: Any) -> tuple[float, float]:
    if isinstance(duration, Real) and not isinstance(duration, bool):
        lo = hi = float(duration)
    else:
        try:
            lo, hi = (float(d) for d in duration)
        except (TypeError, ValueError):
            raise TypeError(
                "make_emotional_speech: duration must be a number of seconds or a "
                f"(min, max) pair, got {duration!r}"
            ) from None
    if not (0.2 <= lo <= hi) or not np.isfinite(hi):
        raise ValueError(
            "make_emotional_speech: duration must satisfy 0.2 <= min <= max (seconds),"
            f" got {duration!r}"
        )
    return lo, hi


@lru_cache(maxsize=8)
def _fricative_filters(sr: int) -> tuple[np.ndarray, ...]:
    """Band-pass filters shaping noise into /s/-, /ʃ/- and /f/-like frication."""
    from scipy.signal import butter

    nyq = sr / 2.0
    bands = [(4000.0, 7500.0), (2000.0, 5000.0), (1000.0, 7000.0)]
    return tuple(
        butter(2, [lo / nyq, min(hi, 0.95 * nyq) / nyq], btype="band", output="sos")
        for lo, hi in bands
        if lo < 0.9 * nyq
    )


def _formant_sos(formants: np.ndarray, sr: int) -> np.ndarray:
    """All-pole cascade of 2nd-order resonators (Klatt 1980), unit gain at DC."""
    keep = formants < 0.45 * sr
    f = formants[keep]
    bw = _BANDWIDTHS[: len(formants)][keep]
    r = np.exp(-np.pi * bw / sr)
    c = 2.0 * r * np.cos(2.0 * np.pi * f / sr)
    sos = np.zeros((len(f), 6))
    sos[:, 0] = 1.0 - c + r * r
    sos[:, 3] = 1.0
    sos[:, 4] = -c
    sos[:, 5] = r * r
    return sos


def _speakers(n_speakers: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Per-speaker voice: pitch base by gender, vocal-tract length, loudness, habits."""
    out = []
    for i in range(n_speakers):
        female = i % 2 == 0
        out.append(
            {
                "id": f"spk{i:02d}",
                "gender": "female" if female else "male",
                # F0 base: ~210 Hz women, ~115 Hz men (Titze 1994), log-normal spread
                "f0": (210.0 if female else 115.0) * np.exp(rng.normal(0.0, 0.10)),
                # vocal-tract length: women's formants ~15 % higher (Fant 1966)
                "vtl": (1.15 if female else 1.0) * np.exp(rng.normal(0.0, 0.04)),
                "level": rng.normal(0.0, 1.5),
                "rate": np.exp(rng.normal(0.0, 0.12)),
                "tilt": rng.normal(0.0, 0.05),
                "breath": abs(rng.normal(0.0, 0.02)),
                "pitch_range": np.exp(rng.normal(0.0, 0.2)),
                # how strongly the speaker acts the emotions
                "expressiveness": rng.uniform(0.8, 1.15),
                # idiosyncratic vowel quality
                "vowels": _VOWELS * np.exp(rng.normal(0.0, 0.04, size=_VOWELS.shape)),
            }
        )
    return out


def _utterance_profile(
    emotion: str, speaker: dict, class_sep: float, rng: np.random.Generator
) -> _Profile:
    """Emotion profile for one utterance: scaled towards neutral, jittered."""
    neutral, target = EMOTION_PROFILES["neutral"], EMOTION_PROFILES[emotion]
    strength = class_sep * speaker["expressiveness"] * rng.uniform(0.8, 1.0)
    values = {}
    for fld in fields(_Profile):
        n, t = getattr(neutral, fld.name), getattr(target, fld.name)
        sd = getattr(_UTTERANCE_SD, fld.name)
        values[fld.name] = n + strength * (t - n) + rng.normal(0.0, sd)
    p = _Profile(**values)
    return replace(
        p,
        pitch_range=max(p.pitch_range, 0.1) * speaker["pitch_range"],
        rate=max(p.rate * speaker["rate"], 1.5),
        tilt=float(np.clip(p.tilt + speaker["tilt"], 0.0, 0.95)),
        open_quotient=float(np.clip(p.open_quotient, 0.3, 0.85)),
        jitter=max(p.jitter, 0.0),
        shimmer=max(p.shimmer, 0.0),
        breath=max(p.breath + speaker["breath"], 0.0),
        attack=float(np.clip(p.attack, 0.05, 0.45)),
        pause=float(np.clip(p.pause, 0.0, 0.6)),
        dynamics=max(p.dynamics, 0.0),
    )


def _syllables(
    n: int, sr: int, p: _Profile, rng: np.random.Generator
) -> list[tuple[int, int]]:
    """Syllable nuclei as (start, stop) sample indices, at the profile's tempo."""
    t = rng.uniform(0.03, 0.12)
    end = n / sr - rng.uniform(0.03, 0.1)
    out = []
    while True:
        d = np.exp(rng.normal(0.0, 0.25)) / p.rate
        if t + d > end:
            break
        voiced = d * rng.uniform(0.6, 0.85)
        out.append((int(t * sr), int((t + voiced) * sr)))
        t += d
        if rng.uniform() < p.pause:
            t += rng.uniform(0.08, 0.3)
    if not out:  # a very short clip: one syllable over most of it
        a = int(0.05 * n)
        out.append((a, n - a))
    return out


def _glottal(phase: np.ndarray, oq: float) -> np.ndarray:
    """Rosenberg (1971) glottal flow at the cycle position ``phase`` in [0, 1)."""
    tp, tn = 0.7 * oq, 0.3 * oq
    out = np.zeros_like(phase)
    rise = phase < tp
    out[rise] = 0.5 * (1.0 - np.cos((np.pi / tp) * phase[rise]))
    fall = ~rise & (phase < tp + tn)
    out[fall] = np.cos((0.5 * np.pi / tn) * (phase[fall] - tp))
    return out


def _synthesise(
    n: int,
    sr: int,
    p: _Profile,
    speaker: dict,
    noise_level: float,
    text: int,
    rng: np.random.Generator,
) -> np.ndarray:
    from scipy.signal import lfilter, sosfilt

    syl = _syllables(n, sr, p, rng)
    t = np.arange(n) / sr

    # F0 contour: level + declination + one accent per syllable (interpolated
    # between syllable centres), in semitones, then jitter held over each period.
    centres = np.array([(a + b) / 2 / sr for a, b in syl])
    accents = p.pitch_range * rng.normal(0.0, 1.0, size=len(syl))
    knots_t = np.concatenate([[0.0], centres, [n / sr]])
    knots_st = np.concatenate([[accents[0]], accents, [accents[-1]]])
    semitones = (
        p.pitch + p.declination * (t - t[-1] / 2) + np.interp(t, knots_t, knots_st)
    )
    f0 = speaker["f0"] * np.exp2(semitones / 12.0)
    block = max(int(sr / speaker["f0"]), 1)
    n_blocks = n // block + 1
    f0 *= 1.0 + p.jitter * np.repeat(rng.normal(size=n_blocks), block)[:n]
    phase = np.cumsum(f0) / sr
    cycle = phase.astype(np.int64)
    frac = phase - cycle
    flow = _glottal(frac, p.open_quotient)
    shimmer = 1.0 + p.shimmer * rng.normal(size=cycle[-1] + 1)
    # flow derivative: the glottal flow with lip radiation
    source = np.diff(flow * shimmer[cycle], prepend=0.0)
    source /= np.std(source) + 1e-12
    # aspiration: noise gated by the open glottis (high-passed by the difference)
    noise = np.diff(rng.normal(size=n + 1)) * flow
    source += p.breath * 3.0 * noise
    source = lfilter([1.0 - p.tilt], [1.0, -p.tilt], source)  # spectral tilt
    source /= np.std(source) + 1e-12  # fricatives below keep their level to it

    out = np.zeros(n)
    tail = int(0.02 * sr)
    fric = _fricative_filters(sr)
    vowels = speaker["vowels"]
    stress = 10.0 ** (p.dynamics * rng.normal(size=len(syl)) / 20.0)
    for k, (a, b) in enumerate(syl):
        m = b - a
        if m < 4:
            continue
        u = np.arange(m) / m
        att = p.attack
        env = np.where(
            u < att,
            0.5 * (1 - np.cos(np.pi * u / att)),
            np.where(u > 0.7, 0.5 * (1 + np.cos(np.pi * (u - 0.7) / 0.3)), 1.0),
        )
        v = vowels[_TEXTS[text, k % _TEXTS.shape[1]]]
        formants = np.concatenate([v, _F45]) * speaker["vtl"]
        formants[0] *= p.f1_scale
        formants[1] *= p.f2_scale
        stop = min(b + tail, n)
        seg = np.zeros(stop - a)
        seg[:m] = source[a:b] * env * stress[k]
        out[a:stop] += sosfilt(_formant_sos(formants, sr), seg)
        kind = _TEXT_FRICATIVES[text, k % _TEXTS.shape[1]]
        if kind >= 0 and kind < len(fric):  # a fricative onset before the vowel
            ln = int(rng.uniform(0.03, 0.07) * sr)
            f_a = max(a - ln, 0)
            burst = sosfilt(fric[kind], rng.normal(size=a - f_a))
            burst *= np.hanning(a - f_a) * rng.uniform(0.15, 0.4) * stress[k]
            out[f_a:a] += burst

    voiced = np.zeros(n, dtype=bool)
    for a, b in syl:
        voiced[a:b] = True
    rms = np.sqrt(np.mean(out[voiced] ** 2)) + 1e-12
    level_db = p.level + speaker["level"]
    out *= _REF_RMS * 10.0 ** (level_db / 20.0) / rms
    out += noise_level * _REF_RMS * rng.normal(size=n)
    peak = np.max(np.abs(out))
    if peak > 0.99:  # keep within [-1, 1] (rare: a very loud speaker and emotion)
        out *= 0.99 / peak
    return out.astype(np.float32)


@validate_params(
    {
        "n_per_class": [Interval(Integral, 1, None, closed="left")],
        "classes": ["array-like", None],
        "n_speakers": [Interval(Integral, 1, None, closed="left")],
        "sr": [Interval(Integral, 4000, None, closed="left")],
        "duration": ["array-like", Interval(Real, 0, None, closed="neither")],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "class_sep": [Interval(Real, 0, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_emotional_speech(
    n_per_class: int = 40,
    classes: Sequence[str] | None = None,
    n_speakers: int = 8,
    *,
    sr: int = 16000,
    duration: float | tuple[float, float] = (1.0, 3.0),
    noise_level: float = 0.05,
    class_sep: float = 1.0,
    shuffle: bool = True,
    random_state: int | np.random.RandomState | None = None,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Generate a synthetic emotional-speech corpus (prosody-controlled vowels).

    In the spirit of :func:`sklearn.datasets.make_classification`: a small,
    deterministic, learnable but not trivial speech-emotion corpus, for the demo,
    examples and fast tests. Each utterance is source-filter speech: a Rosenberg
    glottal pulse train [3]_ with an F0 contour (level, pitch accents, declination,
    jitter), shimmer and aspiration noise, a spectral-tilt filter, a syllable
    amplitude envelope at the emotion's tempo, and a cascade of five formant
    resonators [4]_ with a vowel [5]_ drawn per syllable (some syllables get a
    fricative onset). Pitch level and range, tempo, energy, voice quality and
    formant shifts follow each emotion's prosodic profile from the literature
    [1]_ [2]_; speakers differ in pitch (by gender), vocal-tract length, loudness,
    tempo, voice quality and how strongly they act.

    Parameters
    ----------
    n_per_class : int, default=40
        Utterances per emotion. Within a class, utterances go to the speakers in
        turn, so with ``n_per_class >= n_speakers`` every speaker has every emotion.
    classes : sequence of str, default=None
        Emotions to generate, among ``"anger"``, ``"boredom"``, ``"calm"``,
        ``"disgust"``, ``"fear"``, ``"happiness"``, ``"neutral"``, ``"sadness"``,
        ``"surprise"``. ``None`` gives EmoDB's seven: anger, boredom, disgust,
        fear, happiness, neutral, sadness.
    n_speakers : int, default=8
        Number of speakers, ``"spk00"``, ``"spk01"``, ...; even-numbered ones
        female, odd-numbered ones male.
    sr : int, default=16000
        Sample rate in Hz (formants above ``0.45 * sr`` are left out).
    duration : float or (float, float), default=(1.0, 3.0)
        Utterance length in seconds, or the range it is drawn from uniformly.
    noise_level : float, default=0.05
        Standard deviation of additive white background noise, relative to the
        speech RMS of a neutral utterance of an average speaker (0.05 ≈ 26 dB SNR).
    class_sep : float, default=1.0
        How far each emotion's profile lies from neutral: 0 makes all classes
        neutral (chance), larger values make the task easier.
    shuffle : bool, default=True
        Shuffle the utterances; otherwise they come class by class.
    random_state : int, RandomState instance or None, default=None
        Seed of the generator. Same seed, same corpus (bit for bit).
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        X : ndarray of shape (n_samples,), dtype object
            Waveforms, each a float32 array ``[shape=(n_samples_i,)]`` in
            [-1, 1] at ``sr``.
        y : ndarray of shape (n_samples,), dtype str
            Emotion labels.
        speaker : ndarray of shape (n_samples,), dtype str
            Speaker ids, for group-wise cross-validation.
        gender : ndarray of shape (n_samples,), dtype str
            ``"female"`` or ``"male"``.
        sr : int
            Sample rate.
        target_names : ndarray of str
            Sorted class names.
        DESCR : str
            Description of the corpus.
    (X, y) : tuple
        If ``return_X_y`` is True.

    See Also
    --------
    load_emodb : The real corpus with the same seven classes.

    Notes
    -----
    Profiles (``EMOTION_PROFILES``) follow the directions of Murray & Arnott's
    Table 1 [1]_ and Banse & Scherer [2]_: anger and happiness high, wide-ranged,
    fast and loud (anger with the flattest spectrum and F1 raised); fear the
    highest pitch, fastest, with jitter and breathiness; sadness low, narrow,
    slow, quiet, with a steep spectrum and breathiness; boredom low, monotone,
    slow; disgust low, slow, with a steep declination. The magnitudes are ours.
    Every utterance scales its emotion's distance from neutral by
    ``class_sep`` × the speaker's expressiveness (0.55–1.1) × a random 0.6–1.0,
    then adds Gaussian jitter to every setting, so classes overlap.

    Measured at the defaults (7 classes × 40, 8 speakers: 280 utterances of
    1-3 s, about 1.3 s of CPU to generate), with ``make_pipeline(MFCC(n_mfcc=20,
    deltas=1, stack="features"), FrameStatistics(), StandardScaler(),
    SVC(C=10, class_weight="balanced"))`` and ``StratifiedGroupKFold(n_splits=4)``
    over speakers (predictions pooled over the folds): UA 0.70, 0.76, 0.75, 0.68,
    0.66 for ``random_state`` 0 to 4 (mean 0.71; WA equal, the classes being
    balanced), against a chance level of 0.14. Anger/happiness/fear and
    boredom/sadness/disgust are the confused groups. Command::

        python benchmarks/synthetic_baseline.py

    References
    ----------
    .. [1] Murray, I. R., and Arnott, J. L. (1993). "Toward the simulation of
       emotion in synthetic speech: a review of the literature on human vocal
       emotion." J. Acoust. Soc. Am. 93(2), 1097-1108, Table 1.
    .. [2] Banse, R., and Scherer, K. R. (1996). "Acoustic profiles in vocal
       emotion expression." J. Pers. Soc. Psychol. 70(3), 614-636.
    .. [3] Rosenberg, A. E. (1971). "Effect of glottal pulse shape on the quality
       of natural vowels." J. Acoust. Soc. Am. 49(2B), 583-590.
    .. [4] Klatt, D. H. (1980). "Software for a cascade/parallel formant
       synthesizer." J. Acoust. Soc. Am. 67(3), 971-995.
    .. [5] Peterson, G. E., and Barney, H. L. (1952). "Control methods used in a
       study of the vowels." J. Acoust. Soc. Am. 24(2), 175-184.

    Examples
    --------
    >>> from sklearn_ser.datasets import make_emotional_speech
    >>> data = make_emotional_speech(n_per_class=2, classes=["anger", "sadness"],
    ...                              n_speakers=2, random_state=0)
    >>> data.X.shape, data.X[0].dtype, data.sr
    ((4,), dtype('float32'), 16000)
    >>> sorted(data.y.tolist()), data.target_names.tolist()
    (['anger', 'anger', 'sadness', 'sadness'], ['anger', 'sadness'])
    >>> sorted(set(data.speaker.tolist()))
    ['spk00', 'spk01']
    """
    classes = _check_classes(classes)
    lo, hi = _check_duration(duration)
    # sklearn's random_state conventions, numpy's fast Generator for the samples
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    rng = np.random.default_rng(seed)
    speakers = _speakers(n_speakers, rng)

    waves, labels, spk = [], [], []
    for emotion in classes:
        for i in range(n_per_class):
            speaker = speakers[i % n_speakers]
            profile = _utterance_profile(emotion, speaker, class_sep, rng)
            n = int(round(rng.uniform(lo, hi) * sr))
            text = (i // n_speakers + rng.integers(len(_TEXTS))) % len(_TEXTS)
            waves.append(_synthesise(n, sr, profile, speaker, noise_level, text, rng))
            labels.append(emotion)
            spk.append(i % n_speakers)

    order = rng.permutation(len(waves)) if shuffle else np.arange(len(waves))
    X = np.empty(len(waves), dtype=object)
    for j, i in enumerate(order):
        X[j] = waves[i]
    y = np.array(labels)[order]
    speaker_ids = np.array([speakers[s]["id"] for s in spk])[order]
    gender = np.array([speakers[s]["gender"] for s in spk])[order]
    if return_X_y:
        return X, y
    target_names = np.array(sorted(classes))
    descr = (
        "Synthetic emotional speech (sklearn_ser.datasets.make_emotional_speech)\n"
        f"{len(y)} utterances ({n_per_class} per class) of {lo:g}-{hi:g} s at "
        f"{sr} Hz; {len(target_names)} classes ({', '.join(target_names)}); "
        f"{n_speakers} speakers ({sum(s['gender'] == 'female' for s in speakers)} "
        "female). Source-filter vowel sequences whose pitch, tempo, energy and "
        "voice quality follow each emotion's prosodic profile (Murray & Arnott "
        "1993; Banse & Scherer 1996). Generated, no licence restrictions."
    )
    return Bunch(
        X=X,
        y=y,
        speaker=speaker_ids,
        gender=gender,
        sr=sr,
        target_names=target_names,
        DESCR=descr,
    )
