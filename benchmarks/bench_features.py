"""Throughput of ``sklearn_ser.features.MFCC`` against librosa and the bare FFT.

MFCC + delta + delta-delta (40 coefficients, 40 mel bands, 40 ms Hamming window,
10 ms hop, n_fft 1024) over

* 10 minutes of 16 kHz audio in clips of 1-8 s, and
* 600 one-second clips,

on one core and on two, next to

* librosa per clip: ``feature.mfcc`` + ``feature.delta(order=1)`` +
  ``feature.delta(order=2)`` (the reference; two cores: a thread pool over clips),
* the bare real FFT of every frame (already windowed and zero-padded to n_fft):
  the practical floor of any STFT-based MFCC.

Throughput is audio duration / wall time ("x real time"), the best of ``--repeat``
runs. One core: BLAS held to one thread (threadpoolctl), ``n_jobs=1``,
``workers=1``; two cores: ``n_jobs=2`` / ``workers=2``. On a shared (virtual)
machine the best-of figures of 1 and 2 cores come from different moments; the
script therefore also times our 1-core and 2-core runs in alternation and prints
the median of the per-pair speed-ups. It also prints the largest difference
between our features and librosa's.

eGeMAPS: ``sklearn_ser.features.EGeMAPS`` (88 functionals) beside openSMILE's
eGeMAPSv02 (``opensmile`` package, ``process_signal`` per clip, when installed) on
the 1-8 s set, one core (``--egemaps-only`` runs just that comparison).

Run: ``python benchmarks/bench_features.py [--repeat 5] [--egemaps-only]``
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

# run from a checkout without installing the package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SR = 16000
PARAMS = dict(n_mfcc=40, n_mels=40, win_ms=40.0, hop_ms=10.0, deltas=2)
LIBROSA = dict(
    sr=SR, n_mfcc=40, n_mels=40, n_fft=1024, win_length=640, hop_length=160,
    window="hamming",
)


def make_clips(durations: np.ndarray, seed: int) -> list[np.ndarray]:
    """Speech-like test signals: a harmonic source with vibrato, through a
    formant-ish filter, with noise and a slow amplitude envelope."""
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    clips = []
    for d in durations:
        n = int(round(d * SR))
        t = np.arange(n) / SR
        f0 = 120 + 40 * rng.random() + 10 * np.sin(2 * np.pi * 4 * t)
        phase = 2 * np.pi * np.cumsum(f0) / SR
        src = sum(np.sin(k * phase) / k for k in range(1, 20))
        src += 0.05 * rng.standard_normal(n)
        y = lfilter([1.0], [1.0, -1.3, 0.8], src)
        env = 0.5 + 0.5 * np.sin(2 * np.pi * 1.5 * t + rng.random() * 6) ** 2
        y = 0.1 * y * env / np.abs(y).max()
        clips.append(y.astype(np.float32))
    return clips


def dataset_mixed(total_s: float = 600.0, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    durs = []
    while sum(durs) < total_s:
        durs.append(float(rng.uniform(1.0, 8.0)))
    durs[-1] -= sum(durs) - total_s
    if durs[-1] < 1.0:  # keep every clip in [1, 8] s
        durs[-2] += durs.pop()
    return make_clips(np.array(durs), seed)


def dataset_short(n: int = 600, seed: int = 1) -> list[np.ndarray]:
    return make_clips(np.ones(n), seed)


def best_time(fn, repeat: int) -> float:
    fn()  # warm-up: caches, FFT plans, imports
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def paired_ratio(one, two, repeat: int) -> tuple[float, float, float]:
    """Speed-up of ``two`` over ``one`` timed in alternation, run after run, so
    that both see the same moments of a shared machine: (median, min, max) of the
    per-pair ratios."""
    one(), two()  # warm-up
    ratios = []
    for _ in range(max(repeat, 3)):
        t0 = time.perf_counter()
        one()
        t1 = time.perf_counter()
        two()
        t2 = time.perf_counter()
        ratios.append((t1 - t0) / (t2 - t1))
    return float(np.median(ratios)), min(ratios), max(ratios)


def librosa_one(y: np.ndarray) -> np.ndarray:
    import librosa

    m = librosa.feature.mfcc(y=y, **LIBROSA)
    return np.stack(
        [m, librosa.feature.delta(m, order=1), librosa.feature.delta(m, order=2)]
    )


def frames_matrix(clips: list[np.ndarray]) -> np.ndarray:
    """All analysis frames, windowed and zero-padded to n_fft (the FFT's input)."""
    from numpy.lib.stride_tricks import sliding_window_view
    from scipy.signal import get_window

    w = get_window("hamming", 640, fftbins=True).astype(np.float32)
    rows = []
    for y in clips:
        yp = np.pad(y, 512)
        fr = sliding_window_view(yp, 1024)[::160][:, 192 : 192 + 640]
        rows.append(fr * w)
    frames = np.concatenate(rows)
    out = np.zeros((frames.shape[0], 1024), dtype=np.float32)
    out[:, :640] = frames
    return out


PAIRED: dict[str, tuple[float, float, float]] = {}


def run_set(label: str, clips: list[np.ndarray], repeat: int) -> list[tuple]:
    from joblib import Parallel, delayed
    from scipy.fft import rfft

    from sklearn_ser.features import MFCC

    audio_s = sum(len(c) for c in clips) / SR
    rows = []

    def add(method, cores, seconds):
        rows.append((label, method, cores, seconds, audio_s / seconds))

    ours1 = MFCC(**PARAMS, n_jobs=1)
    ours2 = MFCC(**PARAMS, n_jobs=2)
    with threadpool_limits(limits=1):
        add("sklearn_ser MFCC", 1, best_time(lambda: ours1.transform(clips), repeat))
        add("librosa per clip", 1, best_time(lambda: [librosa_one(y) for y in clips], repeat))
    add("sklearn_ser MFCC", 2, best_time(lambda: ours2.transform(clips), repeat))
    PAIRED[label] = paired_ratio(
        lambda: ours1.transform(clips), lambda: ours2.transform(clips), 2 * repeat + 1
    )
    with threadpool_limits(limits=1):
        par = Parallel(n_jobs=2, prefer="threads")
        add(
            "librosa per clip",
            2,
            best_time(lambda: par(delayed(librosa_one)(y) for y in clips), repeat),
        )
    frames = frames_matrix(clips)
    frames64 = frames.astype(np.float64)
    for workers in (1, 2):
        add(
            "bare rfft, float32",
            workers,
            best_time(lambda: rfft(frames, axis=-1, workers=workers), repeat),
        )
        add(
            "bare rfft, float64",
            workers,
            best_time(lambda: rfft(frames64, axis=-1, workers=workers), repeat),
        )
    return rows


def egemaps_rows(clips: list[np.ndarray], repeat: int) -> list[tuple]:
    """eGeMAPS functionals on one core: ours and openSMILE's (when installed)."""
    from sklearn_ser.features import EGeMAPS

    audio_s = sum(len(c) for c in clips) / SR
    rows = []
    ours = EGeMAPS(n_jobs=1)
    with threadpool_limits(limits=1):
        t = best_time(lambda: ours.transform(clips), repeat)
        rows.append(("sklearn_ser EGeMAPS", t, audio_s / t))
        try:
            import opensmile
        except ImportError:
            return rows
        smile = opensmile.Smile(
            feature_set=opensmile.FeatureSet.eGeMAPSv02,
            feature_level=opensmile.FeatureLevel.Functionals,
            num_workers=1,
        )
        t = best_time(lambda: [smile.process_signal(y, SR) for y in clips], repeat)
        rows.append(("openSMILE eGeMAPSv02", t, audio_s / t))
    return rows


def print_egemaps(clips: list[np.ndarray], repeat: int) -> None:
    rows = egemaps_rows(clips, repeat)
    print(f"\n# eGeMAPSv02 functionals, {len(clips)} clips of 1-8 s "
          f"({sum(map(len, clips)) / SR:.0f} s), one core")
    print(f"| {'method':<22} | {'time (s)':>8} | {'x real time':>11} |")
    print(f"|{'-' * 24}|{'-' * 10}|{'-' * 13}|")
    for method, seconds, speed in rows:
        print(f"| {method:<22} | {seconds:>8.2f} | {speed:>10.0f}x |")
    if len(rows) == 2:
        print(f"# sklearn_ser / openSMILE speed: {rows[0][2] / rows[1][2]:.2f}x")
    else:
        print("# openSMILE not installed: no comparison row")


def agreement(clips: list[np.ndarray]) -> float:
    from sklearn_ser.features import MFCC

    ours = MFCC(**PARAMS).transform(clips)
    return max(float(np.abs(o - librosa_one(y)).max()) for o, y in zip(ours, clips))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (best kept)")
    parser.add_argument(
        "--egemaps-only", action="store_true", help="only the eGeMAPS comparison"
    )
    args = parser.parse_args()
    if args.egemaps_only:
        print_egemaps(dataset_mixed(), args.repeat)
        return

    import librosa
    import scipy

    sets = {
        "10 min, clips of 1-8 s": dataset_mixed(),
        "600 clips of 1 s": dataset_short(),
    }
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"numpy {np.__version__}, scipy {scipy.__version__}, librosa {librosa.__version__}"
    )
    print("# MFCC 40 + delta + delta-delta, 40 mel, 40 ms Hamming / 10 ms hop, n_fft 1024")
    for label, clips in sets.items():
        print(f"# {label}: {len(clips)} clips, {sum(map(len, clips)) / SR:.0f} s of audio")
    results = []
    for label, clips in sets.items():
        results += run_set(label, clips, args.repeat)

    print()
    head = f"| {'set':<24} | {'method':<20} | cores | {'time (s)':>8} | {'x real time':>11} | {'vs librosa':>10} |"
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    ref = {(r[0], r[2]): r[4] for r in results if r[1] == "librosa per clip"}
    for label, method, cores, seconds, speed in results:
        rel = speed / ref[(label, cores)]
        print(
            f"| {label:<24} | {method:<20} | {cores:>5} | {seconds:>8.3f} | "
            f"{speed:>10.0f}x | {rel:>9.2f}x |"
        )
    print()
    for label in sets:
        one = next(r[4] for r in results if r[:3] == (label, "sklearn_ser MFCC", 1))
        two = next(r[4] for r in results if r[:3] == (label, "sklearn_ser MFCC", 2))
        # what two cores give the bare FFT on this machine: the ceiling to compare with
        f1 = next(r[4] for r in results if r[:3] == (label, "bare rfft, float32", 1))
        f2 = next(r[4] for r in results if r[:3] == (label, "bare rfft, float32", 2))
        print(
            f"# {label}: sklearn_ser 2 cores / 1 core = {two / one:.2f}x "
            f"(bare rfft: {f2 / f1:.2f}x); timed in alternation: median "
            f"{PAIRED[label][0]:.2f}x, range {PAIRED[label][1]:.2f}-{PAIRED[label][2]:.2f}x"
        )
    print_egemaps(sets["10 min, clips of 1-8 s"], args.repeat)
    for label, clips in sets.items():
        print(
            f"# {label}: max |sklearn_ser - librosa| (MFCC, delta, delta-delta) = "
            f"{agreement(clips):.2e}"
        )


if __name__ == "__main__":
    main()
