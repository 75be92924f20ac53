"""Throughput of the five papers' networks against the machine's matmul GFLOP/s.

For each network at its recipe's input size, prints segments/s of a training step
(forward, backward, Adam) and of inference (eval mode, no grad), the FLOPs of one
segment (forward, counted by :class:`torch.utils.flop_counter.FlopCounterMode`;
training counts forward + backward as that tool does), and the achieved GFLOP/s as
a share of a large float32 matmul's on the same threads: how close each network is
to the compute limit. Each measurement is the median of ``--repeat`` runs, the
networks measured in turn within each repeat (a busy machine slows them alike).

``--zhou`` compares zhou's network's training step in float32 (as the classifier
trains it) with bfloat16 autocast (``mixed_precision=True``, only on CPUs with
avx512_bf16/AMX; the module then runs its convolutions channels-last) and, with
``--compile``, with :func:`torch.compile` (the first step's seconds include the
compile), as ratios of wall and CPU seconds measured alternately in the same run,
and prints the lower bound FLOPs / matmul GFLOP/s for a training step.

    python benchmarks/bench_networks.py --threads 2 --repeat 3
    python benchmarks/bench_networks.py --only CNNBLSTMAttention --zhou --compile
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from sklearn_ser.nn import (
    TFCNN,
    CascadedAttentionNet,
    CNNBLSTMAttention,
    CNNLSTM,
    ResNet1D,
)

# (module, constructor kwargs, input shape of one segment) at the recipes' settings
NETWORKS = {
    "CNNLSTM": (CNNLSTM, dict(n_classes=4, n_features=40), (1, 40, 200)),
    "CNNBLSTMAttention": (CNNBLSTMAttention, dict(n_classes=7, n_features=40),
                          (1, 40, 750)),
    "ResNet1D": (ResNet1D, dict(n_classes=4, n_features=39, n_frames=10), (1, 39, 10)),
    "TFCNN": (TFCNN, dict(n_classes=4, n_features=128), (2, 128, 256)),
    "CascadedAttentionNet": (CascadedAttentionNet, dict(n_classes=4, n_features=40),
                             (3, 40, 200)),
}


def matmul_gflops(n=1024, repeat=5, dtype=torch.float32):
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(4):
            a @ b
        times.append((time.perf_counter() - t) / 4)
    return 2 * n**3 / statistics.median(times) / 1e9


def flops_per_segment(net, shape, batch):
    x = torch.randn(batch, *shape)
    with FlopCounterMode(display=False) as fwd:
        net.eval()
        with torch.no_grad():
            net(x)
    net.train()
    with FlopCounterMode(display=False) as both:
        net(x)[0].sum().backward()
    net.zero_grad()
    return fwd.get_total_flops() / batch, both.get_total_flops() / batch


def steppers(net, shape, batch, *, channels_last=False, bf16=False):
    x = torch.randn(batch, *shape)
    y = torch.randint(0, net.n_classes, (batch,))
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    cast = dict(device_type="cpu", dtype=torch.bfloat16, enabled=bf16)

    def train():
        net.train()
        opt.zero_grad()
        with torch.autocast(**cast):
            logits = net(x)[0]
        torch.nn.functional.cross_entropy(logits.float(), y).backward()
        opt.step()

    def infer():
        net.eval()
        with torch.no_grad(), torch.autocast(**cast):
            return net(x)[0].float()

    return train, infer


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench(names, batch, repeat):
    runs = {}
    for name in names:
        cls, kwargs, shape = NETWORKS[name]
        torch.manual_seed(0)
        net = cls(**kwargs)
        f_fwd, f_train = flops_per_segment(net, shape, 2)
        train, infer = steppers(net, shape, batch)
        train(), infer()  # warm-up
        runs[name] = dict(f_fwd=f_fwd, f_train=f_train, train=train, infer=infer,
                          t_train=[], t_infer=[])
    for _ in range(repeat):
        for r in runs.values():
            r["t_train"].append(timed(r["train"]))
            r["t_infer"].append(timed(r["infer"]))
    return runs


def zhou_variants(batch, repeat, *, compile=False, peak=None):
    """Training-step and inference ratios of zhou's network's variants, measured
    alternately (A B C A B C ...) in this process; also CPU seconds, which a busy
    machine distorts less than wall seconds."""
    cls, kwargs, shape = NETWORKS["CNNBLSTMAttention"]
    torch.manual_seed(0)
    base = cls(**kwargs)
    variants = {"fp32 (as the classifier trains)": {}}
    if torch.ops.mkldnn._is_mkldnn_bf16_supported():
        # under autocast the module itself switches to channels-last (forward)
        variants["bf16 autocast (mixed_precision)"] = dict(bf16=True)
        if compile:
            variants["bf16 autocast + torch.compile"] = dict(bf16=True, compile=True)
    if compile:
        variants["fp32 + torch.compile"] = dict(compile=True)
    steps, first = {}, {}
    for k, v in variants.items():
        net = copy.deepcopy(base)
        if v.pop("compile", False):
            net.forward = torch.compile(net.forward)
        train, infer = steppers(net, shape, batch, **v)
        start = time.perf_counter()
        train()  # warm-up; with torch.compile this compiles forward and backward
        first[k] = time.perf_counter() - start
        steps[k] = (train, infer)
    ref = steps["fp32 (as the classifier trains)"][1]()
    diffs = {k: (infer() - ref).abs().max().item() for k, (_, infer) in steps.items()}
    times = {k: dict(tw=[], tc=[], iw=[]) for k in steps}
    for _ in range(repeat):
        for k, (train, infer) in steps.items():
            wall, cpu = time.perf_counter(), time.process_time()
            train()
            times[k]["tw"].append(time.perf_counter() - wall)
            times[k]["tc"].append(time.process_time() - cpu)
            times[k]["iw"].append(timed(infer))
    base_k = next(iter(steps))

    def ratio(k, key):  # median over the alternated repeats of A / B
        return statistics.median(a / b for a, b in zip(times[base_k][key], times[k][key]))

    print(f"\nzhou's network, batch {batch}, {repeat} alternated repeats; ratios are "
          "medians of the per-repeat ratios against the first row")
    print(f"{'variant':34s} {'train s/step':>12s} {'wall':>6s} {'CPU':>6s} "
          f"{'infer':>6s} {'first step s':>12s} {'max|Δ logit|':>13s}")
    for k in steps:
        t = statistics.median(times[k]["tw"])
        print(f"{k:34s} {t:12.2f} {ratio(k, 'tw'):5.2f}x {ratio(k, 'tc'):5.2f}x "
              f"{ratio(k, 'iw'):5.2f}x {first[k]:12.1f} {diffs[k]:13.2e}")
    if peak:
        f_fwd, f_train = flops_per_segment(copy.deepcopy(base), shape, 2)
        print(f"training FLOPs per segment {f_train / 1e9:.2f} G: at the measured "
              f"matmul peaks the step cannot take less than "
              + ", ".join(f"{batch * f_train / g / 1e9:.2f} s ({name})"
                          for name, g in peak.items()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=list(NETWORKS))
    parser.add_argument("--zhou", action="store_true",
                        help="compare zhou's network's precisions (and --compile)")
    parser.add_argument("--compile", action="store_true",
                        help="with --zhou: add torch.compile variants")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    peak = matmul_gflops()
    print(f"torch {torch.__version__}, {args.threads} threads, batch {args.batch}; "
          f"float32 matmul 1024^3: {peak:.1f} GFLOP/s (busy machines measure less)")
    runs = bench(args.only, args.batch, args.repeat)
    print(f"{'network':22s} {'MFLOP/seg':>10s} {'train seg/s':>12s} {'GFLOP/s':>8s} "
          f"{'of peak':>8s} {'infer seg/s':>12s} {'GFLOP/s':>8s} {'of peak':>8s}")
    for name, r in runs.items():
        t, i = statistics.median(r["t_train"]), statistics.median(r["t_infer"])
        st, si = args.batch / t, args.batch / i
        gt, gi = st * r["f_train"] / 1e9, si * r["f_fwd"] / 1e9
        print(f"{name:22s} {r['f_fwd'] / 1e6:10.1f} {st:12.1f} {gt:8.1f} "
              f"{gt / peak:7.0%} {si:12.1f} {gi:8.1f} {gi / peak:7.0%}")
    if args.zhou:
        peaks = {"fp32": peak}
        if torch.ops.mkldnn._is_mkldnn_bf16_supported():
            peaks["bf16"] = matmul_gflops(dtype=torch.bfloat16)
            print(f"bfloat16 matmul 1024^3: {peaks['bf16']:.1f} GFLOP/s")
        zhou_variants(args.batch, args.repeat, compile=args.compile, peak=peaks)


if __name__ == "__main__":
    main()
