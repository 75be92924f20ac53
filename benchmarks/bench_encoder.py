"""Throughput of ``sklearn_ser.features.SpeechEncoder``: uncached vs cached.

A tiny randomly initialised wav2vec 2.0 (2 transformer layers, 32 wide, wav2vec
2.0's 320-sample hop; built from a configuration and saved to a temporary folder,
nothing downloaded) encodes ``--n`` utterances of 1-4 s of noise at 16 kHz,
mean-pooled over frames:

* uncached: ``memory=None``, the network runs on every call;
* cold cache: ``memory=<folder>``, first call (network + writing the cache);
* warm cache: the same call again (hashing the audio + reading the cache; the
  network does not run).

Figures are utterances per second, the best of ``--repeat`` runs, on the CPU with
``--threads`` torch threads. The tiny network is far cheaper than a real one
(wav2vec2-base: 95 M parameters, 12 layers of 768), so the uncached figure here is
an upper bound and the cached one what any model gets: a grid search over the head
costs the cache reads, not the encoder.

Run: ``python benchmarks/bench_encoder.py [--n 200] [--repeat 3] [--threads 1]``
(needs ``pip install "sklearn-ser[encoders]"``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SR = 16000


def best_rate(fn, n: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return n / min(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="utterances (default 200)")
    parser.add_argument("--repeat", type=int, default=3, help="runs (default 3)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--batch-size", type=int, default=8, help="default 8")
    args = parser.parse_args(argv)

    import torch

    from sklearn_ser.features import SpeechEncoder
    from sklearn_ser.features._encoder import _save_tiny_model

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    lengths = rng.integers(SR, 4 * SR, size=args.n)
    X = [(0.1 * rng.standard_normal(n)).astype(np.float32) for n in lengths]
    seconds = lengths.sum() / SR
    with tempfile.TemporaryDirectory() as tmp:
        folder = _save_tiny_model(Path(tmp) / "tiny")
        plain = SpeechEncoder(model=folder, batch_size=args.batch_size).fit()
        plain.transform(X[:4])  # warm-up: first-call allocations
        uncached = best_rate(lambda: plain.transform(X), args.n, args.repeat)
        cold = []
        for r in range(args.repeat):
            enc = SpeechEncoder(model=folder, batch_size=args.batch_size,
                                memory=str(Path(tmp) / f"cache{r}")).fit()
            cold.append(best_rate(lambda e=enc: e.transform(X), args.n, 1))
        warm = best_rate(lambda: enc.transform(X), args.n, args.repeat)
    print(f"{args.n} utterances, {seconds:.0f} s of audio, torch threads "
          f"{args.threads}, batch_size {args.batch_size}")
    print(f"{'':12s} {'utt/s':>9s} {'x real time':>12s}")
    for name, rate in (("uncached", uncached), ("cold cache", max(cold)),
                       ("warm cache", warm)):
        print(f"{name:12s} {rate:9.1f} {rate * seconds / args.n:12.1f}")
    print(f"warm cache / uncached: {warm / uncached:.1f}x")


if __name__ == "__main__":
    main()
