"""Peak memory of predicting a long recording window by window (issue 15, row 11).

Makes a ``--minutes``-long 16 kHz recording in a temporary folder (written block by
block: speech-like synthetic utterances one after the other), trains two small
models on the synthetic corpus and saves them:

* ``svm``: MFCC(+delta) statistics -> standardise -> RBF SVM (the demo's baseline);
* ``cnn-lstm``: the liu2021 recipe (CNN-BiLSTM, joint loss), ``--epochs`` epochs;

then, for each model, predicts the recording (and, for comparison, a recording one
window long) in a fresh child process per run, both ways:

* ``api``: ``load_model`` + :func:`sklearn_ser.timeline.predict_timeline`; the
  child also reports its peak after the imports and after ``load_model``, and its
  resident memory at the end split into anonymous memory and file-backed pages
  (the shared libraries' code and data, which every process mapping them shares);
* ``cli``: ``sklearn-ser predict --timeline --window W --hop H``.

The peak RSS of a child is its ``ru_maxrss``, read with
``resource.getrusage(RUSAGE_CHILDREN)`` in an intermediate process that runs only
that child (what ``/usr/bin/time -v`` prints; the training of this process does
not count).

First, per model, the **third-party floor**: the peak of a child that does only
what the libraries of the prediction must do, without importing sklearn_ser:
import them (numpy, scikit-learn, sklearn-compat, imbalanced-learn, torch, skorch,
numba), run one numba kernel loaded from numba's cache (which initialises LLVM:
numba's target context and runtime), build librosa's mel filterbank and, for the
network, run the liu2021 CNN-BiLSTM (built from ``torch.nn``) on the four 2-s
segments of a 3-s window. ``peak - floor`` is what sklearn_ser itself adds (its
modules, the model, the features and the buffers of a window).

Target (issue 15): peak RSS <= 400 MB for both models on a 30-minute file; the
verdict per model comes last.

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

TARGET_MB = 400

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
try:  # Linux: resident memory at the end, anonymous vs file-backed (libraries)
    with open("/proc/self/status") as f:
        status = {line.split(":")[0]: int(line.split()[1]) / 1024 for line in f
                  if line.startswith(("VmRSS", "RssAnon", "RssFile"))}
    marks.update(rss=status["VmRSS"], anon=status["RssAnon"], file=status["RssFile"])
except (OSError, KeyError, ValueError):
    pass
print(json.dumps(marks))
"""

# The third-party floor (see the module docstring): cumulative stages, argv[1] is
# the model. Run from a file, twice: numba caches the kernel of a file (not of
# ``-c`` code), and the measured run loads it from the cache, as a prediction
# loads sklearn_ser's kernels.
FLOOR = """
import json, resource, sys
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rows = [("python", peak())]
import numpy as np
rows.append(("numpy", peak()))
import sklearn.pipeline, sklearn.preprocessing, sklearn.svm
rows.append(("scikit-learn (scipy, joblib...)", peak()))
import sklearn_compat.base
rows.append(("sklearn-compat (imports every sklearn estimator)", peak()))
deep = sys.argv[1] == "cnn-lstm"
if deep:
    import imblearn.pipeline
    rows.append(("imbalanced-learn", peak()))
    import torch
    rows.append(("torch", peak()))
    import skorch
    rows.append(("skorch", peak()))
import numba
rows.append(("numba (llvmlite)", peak()))
@numba.njit(cache=True, nogil=True)
def square(x, out):
    for i in range(x.shape[0]):
        out[i] = x[i] * x[i]
square(np.zeros(4, np.float32), np.zeros(4, np.float32))
rows.append(("one cached numba kernel (LLVM, numba runtime)", peak()))
import librosa
librosa.filters.mel(sr=16000, n_fft=640, n_mels=40)
rows.append(("librosa's mel filterbank", peak()))
if deep:
    nn = torch.nn
    cnn = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 32, (40, 1))).eval()
    lstm = nn.LSTM(32, 32, batch_first=True, bidirectional=True).eval()
    with torch.no_grad():
        lstm(cnn(torch.zeros(4, 1, 40, 200)).squeeze(2).transpose(1, 2))
    rows.append(("CNN-BiLSTM forward, 4 segments (torch.nn)", peak()))
print(json.dumps(rows))
"""


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



def third_party_floor(name: str, folder: Path, env: dict) -> list[tuple[str, float]]:
    """Cumulative peak RSS (MB) after each stage of the floor child of ``name``."""
    script = folder / "floor_child.py"
    script.write_text(FLOOR, encoding="utf-8")
    command = [sys.executable, str(script), name]
    measure(command, env)  # compiles the numba kernel and caches it
    return [(label, mb) for label, mb in json.loads(measure(command, env)["stdout"])]


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
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        floors = {}
        for name in args.models:
            rows = third_party_floor(name, folder, env)
            floors[name] = rows[-1][1]
            print(f"third-party floor of the {name} prediction (peak RSS of a child "
                  "doing only what its libraries must; no sklearn_ser):")
            previous = 0.0
            for label, mb in rows:
                print(f"  {label:<50} {mb:>6.0f} MB  ({mb - previous:+.0f})")
                previous = mb
        long_wav = folder / "long.wav"
        seconds = write_long_file(long_wav, args.minutes)
        size_mb = long_wav.stat().st_size / 2**20
        print(f"recording: {seconds / 60:.1f} min at 16 kHz, {size_mb:.0f} MB on disk "
              f"(float32 in memory: {seconds * 16000 * 4 / 2**20:.0f} MB)")
        short_wav = folder / "short.wav"
        write_long_file(short_wav, args.window / 60)
        models = train_models(folder, args.epochs)
        print(f"{'model':<9} {'path':<4} {'file':<7} {'windows':>7} {'seconds':>8} "
              f"{'imports MB':>10} {'loaded MB':>9} {'peak RSS MB':>11}  "
              f"at the end: resident = anonymous + file-backed MB")
        worst: dict[str, float] = {}
        split: dict[str, str] = {}
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
                    end = (f"{marks['rss']:.0f} = {marks['anon']:.0f} + "
                           f"{marks['file']:.0f}" if "rss" in marks else "-")
                    print(f"{name:<9} {path:<4} {label:<7} {n:>7} {r['seconds']:>8.1f} "
                          f"{imports:>10} {loaded:>9} {r['peak_mb']:>11.0f}  {end}",
                          flush=True)
                    if label == "long":
                        worst[name] = max(worst.get(name, 0.0), r["peak_mb"])
                        if "rss" in marks:
                            split[name] = end
        for name, mb in worst.items():
            floor = floors[name]
            verdict = "met" if mb <= TARGET_MB else "NOT met"
            print(f"{name}: peak RSS {mb:.0f} MB on {seconds / 60:.1f} min -> target "
                  f"<= {TARGET_MB} MB {verdict}; third-party floor {floor:.0f} MB "
                  f"({'over' if floor > TARGET_MB else 'under'} the target), "
                  f"sklearn_ser's own share {mb - floor:+.0f} MB; resident at the "
                  f"end {split.get(name, '-')} (anonymous + file-backed) MB")
    return 0


if __name__ == "__main__":
    t0 = time.perf_counter()
    code = main()
    print(f"total {time.perf_counter() - t0:.0f} s")
    sys.exit(code)
