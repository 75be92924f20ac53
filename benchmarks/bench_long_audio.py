"""Peak memory of predicting a long recording window by window (issue 15, row 11).

Makes a ``--minutes``-long 16 kHz recording in a temporary folder (written block by
block: speech-like synthetic utterances one after the other), trains two small
models on the synthetic corpus and saves them:

* ``svm``: MFCC(+delta) statistics -> standardise -> RBF SVM (the demo's baseline);
* ``cnn-lstm``: the liu2021 recipe (CNN-BiLSTM, joint loss), ``--epochs`` epochs;

then, for each model, predicts the recording (and, for the floor, a recording one
window long) in a fresh child process per run, both ways:

* ``api``: ``load_model`` + :func:`sklearn_ser.timeline.predict_timeline`; the
  child also reports its peak after the imports and after ``load_model``;
* ``cli``: ``sklearn-ser predict --timeline --window W --hop H``.

The peak RSS of a child is its ``ru_maxrss``, read with
``resource.getrusage(RUSAGE_CHILDREN)`` in an intermediate process that runs only
that child (what ``/usr/bin/time -v`` prints; the training of this process does
not count). First, the import baseline: the peak of a child that only imports, one
more package per row, what the predictions import.

Target (issue 15): peak RSS <= 400 MB for both models on a 30-minute file.

Run: ``python benchmarks/bench_long_audio.py [--minutes 30] [--window 3] [--hop 3]
[--batch-size 1]`` (children run with ``OMP_NUM_THREADS=1`` unless ``--threads``).
Measure in a venv made as the README's demo command makes it: a venv with pandas
installed (opensmile pulls it in) pays ~65 MB more, because scikit-learn imports
pandas when it is there.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEASURE = """
import resource, subprocess, sys, json, time
t0 = time.perf_counter()
r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   text=True)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
print(json.dumps({"rc": r.returncode, "peak_mb": peak_kb / 1024, "stdout": last,
                  "seconds": time.perf_counter() - t0, "stderr": r.stderr[-500:]}))
"""

API = """
import json, resource, sys
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
from sklearn_ser.io import load_model
from sklearn_ser.timeline import predict_timeline
marks = {"imports": peak()}
model = load_model(sys.argv[1])
marks["load_model"] = peak()
t = predict_timeline(model, sys.argv[2], window=float(sys.argv[3]),
                     hop=float(sys.argv[4]), batch_size=int(sys.argv[5]))
marks["windows"] = len(t.start)
print(json.dumps(marks))
"""

# What the predictions import, one more package per row (cumulative).
IMPORT_STAGES = [
    ("python + numpy", "numpy"),
    ("+ scikit-learn (scipy.stats...)", "sklearn.svm"),
    ("+ sklearn_ser io, timeline, MFCC", "sklearn_ser.io, sklearn_ser.timeline, "
                                         "sklearn_ser.features._mfcc"),
    ("+ numba (the MFCC kernels)", "numba, sklearn_ser.features._kernels"),
    ("+ imbalanced-learn (recipe pipelines)", "imblearn.pipeline"),
    ("+ torch", "torch"),
    ("+ skorch, sklearn_ser.models", "skorch, sklearn_ser.models._classifiers"),
]


def write_long_file(path: Path, minutes: float, sr: int = 16000) -> float:
    """A recording of synthetic utterances, written block by block."""
    import numpy as np
    import soundfile as sf

    from sklearn_ser.datasets import make_emotional_speech

    data = make_emotional_speech(n_per_class=4, n_speakers=4, random_state=0)
    total = int(minutes * 60 * sr)
    written, i = 0, 0
    with sf.SoundFile(path, "w", samplerate=sr, channels=1, subtype="PCM_16") as f:
        while written < total:
            x = np.asarray(data.X[i % len(data.X)], dtype=np.float32)
            x = x[: total - written]
            f.write(0.5 * x / max(float(np.abs(x).max()), 1e-6))
            written += len(x)
            i += 1
    return written / sr


def train_models(folder: Path, epochs: int) -> dict[str, Path]:
    from sklearn_ser import recipes
    from sklearn_ser.cli._demo import _baseline_pipeline
    from sklearn_ser.datasets import make_emotional_speech
    from sklearn_ser.io import save_model

    data = make_emotional_speech(n_per_class=8, n_speakers=4, random_state=0)
    out = {}
    svm = _baseline_pipeline(0).fit(data.X, data.y)
    out["svm"] = folder / "svm.sser"
    save_model(svm, out["svm"])
    deep = recipes.make_recipe("liu2021", random_state=0)
    keys = [k for k in deep.get_params() if k.endswith("max_epochs")]
    deep.set_params(**dict.fromkeys(keys, epochs))
    deep.fit(data.X, data.y)
    out["cnn-lstm"] = folder / "cnn_lstm.sser"
    save_model(deep, out["cnn-lstm"])
    return out


def measure(command: list[str], env: dict) -> dict:
    result = subprocess.run([sys.executable, "-c", MEASURE, *command],
                            capture_output=True, text=True, env=env)
    r = json.loads(result.stdout)
    if r["rc"] != 0:
        raise RuntimeError(f"{' '.join(command[:4])}... failed ({r['rc']}): "
                           f"{r['stderr']}")
    return r


def import_baseline(env: dict) -> list[tuple[str, float]]:
    rows, modules = [], []
    for label, names in IMPORT_STAGES:
        modules += [n.strip() for n in names.split(",")]
        code = "import " + ", ".join(modules)
        rows.append((label, measure([sys.executable, "-c", code], env)["peak_mb"]))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--window", type=float, default=3.0)
    parser.add_argument("--hop", type=float, default=3.0)
    parser.add_argument("--batch-size", type=int, default=1,
                        help="windows per call on the api path (the CLI uses the "
                             "default of predict_timeline)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--models", nargs="+", default=["svm", "cnn-lstm"])
    parser.add_argument("--paths", nargs="+", default=["api", "cli"])
    parser.add_argument("--threads", action="store_true",
                        help="leave OMP_NUM_THREADS as it is (default: 1)")
    args = parser.parse_args(argv)
    env = dict(os.environ) if args.threads else {**os.environ, "OMP_NUM_THREADS": "1"}
    print(f"python {sys.executable}; pandas installed: "
          f"{__import__('importlib.util').util.find_spec('pandas') is not None}; "
          f"OMP_NUM_THREADS={env.get('OMP_NUM_THREADS', '(unset)')}")
    print("import baseline (peak RSS of a child that only imports):")
    previous = 0.0
    for label, mb in import_baseline(env):
        print(f"  {label:<40} {mb:>6.0f} MB  ({mb - previous:+.0f})")
        previous = mb
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        long_wav = folder / "long.wav"
        seconds = write_long_file(long_wav, args.minutes)
        size_mb = long_wav.stat().st_size / 2**20
        print(f"recording: {seconds / 60:.1f} min at 16 kHz, {size_mb:.0f} MB on disk "
              f"(float32 in memory: {seconds * 16000 * 4 / 2**20:.0f} MB)")
        short_wav = folder / "short.wav"
        write_long_file(short_wav, args.window / 60)
        models = train_models(folder, args.epochs)
        print(f"{'model':<9} {'path':<4} {'file':<7} {'windows':>7} {'seconds':>8} "
              f"{'imports MB':>10} {'loaded MB':>9} {'peak RSS MB':>11}")
        worst: dict[str, float] = {}
        for name in args.models:
            for path in args.paths:
                for label, wav, secs in (("window", short_wav, args.window),
                                         ("long", long_wav, seconds)):
                    if path == "api":
                        command = [sys.executable, "-c", API, str(models[name]),
                                   str(wav), str(args.window), str(args.hop),
                                   str(args.batch_size)]
                    else:
                        command = [sys.executable, "-m", "sklearn_ser.cli", "predict",
                                   "--model", str(models[name]), "--timeline",
                                   "--window", str(args.window), "--hop",
                                   str(args.hop), "--quiet", str(wav)]
                    r = measure(command, env)
                    marks = json.loads(r["stdout"]) if path == "api" else {}
                    n = marks.get("windows", max(int(secs // args.hop), 1))
                    imports = f"{marks['imports']:.0f}" if marks else "-"
                    loaded = f"{marks['load_model']:.0f}" if marks else "-"
                    print(f"{name:<9} {path:<4} {label:<7} {n:>7} {r['seconds']:>8.1f} "
                          f"{imports:>10} {loaded:>9} {r['peak_mb']:>11.0f}",
                          flush=True)
                    if label == "long":
                        worst[name] = max(worst.get(name, 0.0), r["peak_mb"])
        for name, mb in worst.items():
            print(f"target peak RSS <= 400 MB, {name}: {mb:.0f} MB -> "
                  f"{'met' if mb <= 400 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    t0 = time.perf_counter()
    code = main()
    print(f"total {time.perf_counter() - t0:.0f} s")
    sys.exit(code)
