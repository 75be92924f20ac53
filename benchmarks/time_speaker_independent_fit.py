"""Wall time of recipes.speaker_independent's fit on the 960 staged RAVDESS files.

    SER_DATA=../shared/data python benchmarks/time_speaker_independent_fit.py
"""

import os
import time

import sklearn

from sklearn_ser.datasets import load_ravdess
from sklearn_ser.recipes import make_recipe

HOME = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
d = load_ravdess(data_home=os.environ.get("SER_DATA", HOME))
t0 = time.perf_counter()
with sklearn.config_context(enable_metadata_routing=True):
    model = make_recipe("speaker_independent", random_state=0)
    model.fit(d.X, d.y, speaker=d.speaker)
    fit_min = (time.perf_counter() - t0) / 60
    print(f"fit on {len(d.X)} utterances (+{2 * len(d.X)} speed copies): "
          f"{fit_min:.1f} min; os.cpu_count()={os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    t0 = time.perf_counter()
    acc = model.score(d.X[:100], d.y[:100], speaker=d.speaker[:100])
    print(f"predict 100: {(time.perf_counter() - t0) / 60:.2f} min (train acc {acc:.2f})")
