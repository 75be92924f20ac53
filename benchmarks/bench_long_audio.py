"""Peak memory of ``sklearn-ser predict --timeline`` on a long recording (issue 15,
row 11).

Makes a ``--minutes``-long 16 kHz recording in a temporary folder (written block by
block: speech-like synthetic utterances one after the other), trains two small
models on the synthetic corpus and saves them:

* ``svm``: MFCC(+delta) statistics -> standardise -> RBF SVM (the demo's baseline);
* ``cnn-lstm``: the liu2021 recipe (CNN-BiLSTM, joint loss), ``--epochs`` epochs;

then runs ``sklearn-ser predict --timeline --window W --hop H`` on the recording
(and, for the floor, on a recording one window long) in a child process per model and prints its wall time and peak RSS, read with
``resource.getrusage(RUSAGE_CHILDREN)`` in an intermediate process that runs only
that command (so the training of this process does not count).

Target (issue 15): peak RSS <= 400 MB for both on a 30-minute file.

Run: ``python benchmarks/bench_long_audio.py [--minutes 30] [--window 3] [--hop 3]``.
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
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   text=True)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": r.returncode, "peak_mb": peak_kb / 1024,
                  "seconds": time.perf_counter() - t0, "stderr": r.stderr[-500:]}))
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--window", type=float, default=3.0)
    parser.add_argument("--hop", type=float, default=3.0)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--models", nargs="+", default=["svm", "cnn-lstm"])
    args = parser.parse_args(argv)
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
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        print(f"{'model':<10} {'file':<8} {'windows':>8} {'seconds':>8} "
              f"{'peak RSS MB':>12}")
        worst = 0.0
        for name in args.models:
            for label, wav, secs in (("window", short_wav, args.window),
                                     ("long", long_wav, seconds)):
                command = [sys.executable, "-m", "sklearn_ser.cli", "predict",
                           "--model", str(models[name]), "--timeline", "--window",
                           str(args.window), "--hop", str(args.hop), "--quiet",
                           str(wav)]
                result = subprocess.run([sys.executable, "-c", MEASURE, *command],
                                        capture_output=True, text=True, env=env)
                r = json.loads(result.stdout)
                if r["rc"] != 0:
                    print(f"{name}: failed ({r['rc']}): {r['stderr']}")
                    return 1
                n = max(int(secs // args.hop), 1)
                print(f"{name:<10} {label:<8} {n:>8} {r['seconds']:>8.1f} "
                      f"{r['peak_mb']:>12.0f}")
                if label == "long":
                    worst = max(worst, r["peak_mb"])
        print(f"target: peak RSS <= 400 MB -> {'met' if worst <= 400 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    t0 = time.perf_counter()
    code = main()
    print(f"total {time.perf_counter() - t0:.0f} s")
    sys.exit(code)
