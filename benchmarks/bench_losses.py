"""Forward + backward time of the triplet mining modes (issue 3, item 7).

For batch sizes 32, 128 and 512 (64-d embeddings, 8 classes, squared Euclidean
distance, margin 0.2) on one CPU thread, the table gives per mining mode:

* ``vectorised`` — :class:`sklearn_ser.losses.TripletLoss`, median wall-clock of
  the repeats (``CPU ms``: median process CPU time, steadier on a busy machine);
* ``naive`` — a Python loop over every triplet ``(a, p, n)`` of the batch that
  selects the mode's triplets by the same definitions and adds their hinges as torch
  scalars (the distances themselves come from the vectorised matrix). It runs for
  B <= 128 only; at B = 512 the value is extrapolated from B = 128 by the ``B^3``
  growth of the loop and marked ``~``;
* ``speed-up`` — naive / vectorised (wall-clock);
* ``peak MB`` — the peak of the memory torch allocates during one forward + backward
  (profiler, torch allocations only, the distance matrix and everything after it).

and a row for plain cross-entropy on ``(B, 8)`` logits.

Targets (issue 3): every mode ``O(B^2)`` memory and under 50 ms at B = 512, batch-hard
under 10 ms, at least 100x faster than the naive loop at B = 128.

Run: ``python benchmarks/bench_losses.py [--repeats 20] [--sizes 32 128 512]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from sklearn_ser.losses import TripletLoss, pairwise_distances

MININGS = ("all", "hard", "semihard", "hard+semihard")
MARGIN = 0.2
DIM = 64
N_CLASSES = 8


# ------------------------------------------------------------------ naive loop
def naive_triplet_loss(embeddings: torch.Tensor, target: torch.Tensor, mining: str):
    """Mean hinge over the mode's triplets by a Python loop over all triplets."""
    dist = pairwise_distances(embeddings, distance="squared_euclidean")
    d = dist.detach().tolist()
    y = target.tolist()
    n = len(y)
    terms = []
    for a in range(n):
        positives = [p for p in range(n) if p != a and y[p] == y[a]]
        negatives = [q for q in range(n) if y[q] != y[a]]
        if mining == "hard":
            best = None  # the triplet of the anchor with the largest d_ap - d_an
            for p in positives:
                for q in negatives:
                    if best is None or d[a][p] - d[a][q] > best[0]:
                        best = (d[a][p] - d[a][q], p, q)
            if best is not None:
                terms.append(torch.relu(dist[a, best[1]] + MARGIN - dist[a, best[2]]))
            continue
        for p in positives:
            closest = None  # semihard: the closest negative farther than p
            for q in negatives:
                if mining == "all":
                    terms.append(torch.relu(dist[a, p] + MARGIN - dist[a, q]))
                elif mining == "hard+semihard":
                    if d[a][q] < d[a][p] + MARGIN:
                        terms.append(dist[a, p] + MARGIN - dist[a, q])
                elif d[a][q] > d[a][p] and (closest is None or d[a][q] < d[a][closest]):
                    closest = q
            if mining == "semihard" and closest is not None:
                terms.append(torch.relu(dist[a, p] + MARGIN - dist[a, closest]))
    if not terms:
        return embeddings.sum() * 0.0
    return torch.stack(terms).mean()


# --------------------------------------------------------------------- timing
def time_ms(fn, repeats: int, *, warm_up: bool = True) -> tuple[float, float]:
    """Median wall-clock and CPU (process) milliseconds of ``fn()``."""
    if warm_up:
        fn()
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return 1e3 * statistics.median(wall), 1e3 * statistics.median(cpu)


def peak_mb(fn) -> float:
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    live = peak = 0
    for event in sorted(prof.events(), key=lambda e: e.time_range.start):
        if event.name == "[memory]":  # a free outside any op
            live += event.cpu_memory_usage
        else:
            live += event.self_cpu_memory_usage
        peak = max(peak, live)
    return peak / 2**20


def batch(size: int, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    emb = torch.randn(size, DIM, generator=gen, requires_grad=True)
    target = (torch.arange(size) % N_CLASSES)[torch.randperm(size, generator=gen)]
    logits = torch.randn(size, N_CLASSES, generator=gen, requires_grad=True)
    return emb, target, logits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[32, 128, 512])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--naive-max", type=int, default=128,
                        help="largest batch for which the naive loop runs")
    args = parser.parse_args()
    torch.set_num_threads(1)

    print(f"torch {torch.__version__}, 1 thread, dim {DIM}, {N_CLASSES} classes, "
          f"squared Euclidean, margin {MARGIN}\n")
    print("| B | loss | vectorised ms | (CPU ms) | naive ms | speed-up | peak MB |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    naive_at: dict[str, tuple[int, float]] = {}
    for size in args.sizes:
        emb, target, logits = batch(size)

        def ce_step():
            logits.grad = None
            F.cross_entropy(logits, target).backward()

        ce_ms, ce_cpu = time_ms(ce_step, args.repeats)
        print(
            f"| {size} | cross-entropy | {ce_ms:.3f} | {ce_cpu:.3f} | | | "
            f"{peak_mb(ce_step):.2f} |"
        )
        for mining in MININGS:
            loss_fn = TripletLoss(margin=MARGIN, mining=mining)

            def step(loss_fn=loss_fn):
                emb.grad = None
                loss_fn(emb, target).backward()

            ms, cpu_ms = time_ms(step, args.repeats)
            if size <= args.naive_max:

                def naive_step(mining=mining):
                    emb.grad = None
                    naive_triplet_loss(emb, target, mining).backward()

                naive_ms, _ = time_ms(naive_step, 1 if size > 32 else 3, warm_up=False)
                naive_at[mining] = (size, naive_ms)
                naive = f"{naive_ms:,.1f}"
            elif mining in naive_at:
                ref_size, ref_ms = naive_at[mining]
                naive_ms = ref_ms * (size / ref_size) ** 3
                naive = f"~{naive_ms:,.0f} (extrap.)"
            else:
                naive_ms, naive = float("nan"), "—"
            speedup = naive_ms / ms
            speed = "—" if speedup != speedup else (
                f"{'~' if size > args.naive_max else ''}{speedup:,.0f}x"
            )
            print(
                f"| {size} | triplet {mining} | {ms:.3f} | {cpu_ms:.3f} | {naive} | "
                f"{speed} | {peak_mb(step):.2f} |"
            )


if __name__ == "__main__":
    main()
