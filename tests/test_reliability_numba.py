"""Issue 15, row 6: numba's on-disk cache is never an error.

Each scenario runs in a fresh interpreter (numba picks the cache place when the
kernels module is imported); ``TMPDIR`` points the fallback into ``tmp_path``. The
first runs the package's MFCC; the others three small kernels made with the
package's ``cached_njit`` (the decorator of every kernel of the package), which
compile in a fraction of MFCC's time (each run compiles cold).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# every test starts fresh interpreters that compile the kernels
pytestmark = pytest.mark.slow

RUN_MFCC = """
import numpy as np
from sklearn_ser.features import MFCC
x = np.random.default_rng(0).standard_normal(4000).astype(np.float32)
X = np.empty(1, dtype=object); X[0] = x
out = MFCC(sr=16000).fit_transform(X)
print("OK", out[0].shape)
"""

# Three small kernels, written to a module file (numba caches only functions that
# live in a file), decorated as the package decorates its own.
KERNELS = """
import numpy as np
from sklearn_ser.utils._numba import cached_njit


@cached_njit(nogil=True)
def scale(x, a):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = a * x[i]
    return out


@cached_njit()
def total(x):
    s = 0.0
    for v in x:
        s += v
    return s


@cached_njit()
def clip(x, lo, hi):
    return np.minimum(np.maximum(x, lo), hi)
"""

RUN_KERNELS = """
import sys
sys.path.insert(0, {folder!r})
import numpy as np
import small_kernels as k
print("OK", k.total(k.clip(k.scale(np.arange(5.0), 2.0), 1.0, 6.0)))
"""


def _kernels(tmp_path: Path) -> str:
    folder = tmp_path / "kernels"
    folder.mkdir(exist_ok=True)
    (folder / "small_kernels.py").write_text(KERNELS)
    return RUN_KERNELS.format(folder=str(folder))


# what numba sees with a read-only package folder and a read-only home: neither
# the in-tree nor the user-wide locator can be used
NOTHING_WRITABLE = """
from numba.core import caching
for name in ("InTreeCacheLocator", "UserWideCacheLocator"):
    setattr(getattr(caching, name), "from_function",
            classmethod(lambda cls, py_func, py_file: None))
"""


def _python(code, tmp_path, **env):
    full = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    full.update(TMPDIR=str(tmp_path), OMP_NUM_THREADS="1", **env)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                          capture_output=True, text=True, env=full, timeout=600)


def _cache_files(folder: Path):
    return sorted(p for p in folder.rglob("*") if p.suffix in (".nbi", ".nbc"))


def test_nothing_writable_falls_back_to_a_private_temp_folder(tmp_path):
    result = _python(NOTHING_WRITABLE + RUN_MFCC, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout and "Traceback" not in result.stderr
    folder = tmp_path / f"sklearn_ser-numba-{os.getuid()}"
    assert folder.is_dir()
    assert (folder.stat().st_mode & 0o777) == 0o700
    assert any(p.suffix == ".nbi" for p in _cache_files(folder))


def test_someone_elses_temp_folder_is_not_used(tmp_path):
    shared = tmp_path / f"sklearn_ser-numba-{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)  # writable by anyone: cache files there are not trusted
    result = _python(NOTHING_WRITABLE + _kernels(tmp_path), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "OK 19.0" in result.stdout
    assert _cache_files(shared) == []
    private = [p for p in tmp_path.iterdir()
               if p.name.startswith("sklearn_ser-numba-") and p != shared]
    assert private and _cache_files(private[0]), "no private cache folder was used"


def test_truncated_or_garbage_cache_files_are_rebuilt(tmp_path):
    """A cache cut short (a disk that filled up, a process killed mid-write), one of
    empty files and one of bytes that are not a pickle are all rebuilt. One
    compiling run fills the cache; then each cached function gets one of the three
    damages (the run caches three kernels, so each damage is met by one), and
    one run on that cache recompiles them all."""
    cache = tmp_path / "cache"
    run = _kernels(tmp_path)
    first = _python(run, tmp_path, NUMBA_CACHE_DIR=str(cache))
    assert first.returncode == 0, first.stderr
    files = _cache_files(cache)
    assert files, "numba wrote no cache"
    # "<module>.<function>-<line>.py311.nbi" and "....py311.<n>.nbc": per function
    functions = sorted({p.name.split(".py")[0] for p in files})
    assert len(functions) >= 3, functions
    damages = [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: b"",  # empty
        lambda data: b"\x80\x04not a pickle",  # garbage
    ]
    for path in files:
        damage = damages[functions.index(path.name.split(".py")[0]) % len(damages)]
        path.write_bytes(damage(path.read_bytes()))

    second = _python(run, tmp_path, NUMBA_CACHE_DIR=str(cache))
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr and "OK" in second.stdout
    # the cache was rewritten: every index unpickles again
    indexes = [p for p in _cache_files(cache) if p.suffix == ".nbi"]
    assert len(indexes) == len(functions)
    for index in indexes:
        with open(index, "rb") as f:
            pickle.load(f)
            pickle.loads(f.read())
    third = _python(run, tmp_path, NUMBA_CACHE_DIR=str(cache))
    assert third.returncode == 0, third.stderr
