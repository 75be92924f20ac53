"""One threading policy: how many threads torch, BLAS/OpenMP and the numba feature
kernels get, decided in one place.

:func:`resolve_n_threads` turns an ``n_jobs`` value (joblib's conventions) into a
thread count, capped by the CPUs this process may run on, by ``OMP_NUM_THREADS``
and by the cores other processes leave idle; :func:`thread_limits` applies it to
torch (intra-op), to the BLAS and OpenMP pools (threadpoolctl) and to numba for the
duration of a ``with`` block and restores the previous settings afterwards.

OpenMP's spin-waiting (a thread that finished its share burns CPU waiting for the
others) is decided by ``OMP_WAIT_POLICY`` / ``GOMP_SPINCOUNT`` when the OpenMP
runtime starts, i.e. when torch is first imported; :func:`passive_openmp_env`
returns the variables to export before that (see ``docs/performance.rst``).
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from numbers import Integral

__all__ = ["available_cpus", "busy_cpus", "passive_openmp_env", "resolve_n_threads",
           "thread_limits"]


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, else ``os.cpu_count()``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - macOS / Windows
        return max(1, os.cpu_count() or 1)


def _proc_stat_busy() -> tuple[float, float] | None:
    """(busy, total) jiffies of all CPUs from ``/proc/stat`` (Linux), else None."""
    try:
        with open("/proc/stat") as f:
            fields = [float(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


_LAST_BUSY: list = [float("-inf"), 0.0]  # (monotonic time, value) of the last reading
_BUSY_TTL = 2.0


def busy_cpus(window: float = 0.05, *, max_age: float = _BUSY_TTL) -> float:
    """CPUs kept busy by *other* processes, measured over ``window`` seconds.

    On Linux: busy time of all CPUs in ``/proc/stat`` minus this process's CPU time
    over the window; elsewhere the one-minute load average (which counts this
    process too). Returns 0.0 when neither can be read. A reading younger than
    ``max_age`` seconds is reused (predicting batch after batch measures once).
    """
    now = time.monotonic()
    if now - _LAST_BUSY[0] < max_age:
        return _LAST_BUSY[1]
    value = _measure_busy(window)
    _LAST_BUSY[:] = [time.monotonic(), value]
    return value


def _measure_busy(window: float) -> float:
    first = _proc_stat_busy()
    if first is None:
        try:
            return float(os.getloadavg()[0])
        except (AttributeError, OSError):  # pragma: no cover - Windows
            return 0.0
    own0 = sum(os.times()[:2])
    time.sleep(window)
    second = _proc_stat_busy()
    own1 = sum(os.times()[:2])
    busy, total = second[0] - first[0], second[1] - first[1]
    if total <= 0:
        return 0.0
    # jiffies -> CPU-seconds share of the machine, times the machine's CPU count
    n_cpu = os.cpu_count() or 1
    others = busy / total * n_cpu - (own1 - own0) / window
    return max(0.0, others)


def resolve_n_threads(n_jobs=None, *, adapt_to_load: bool = True) -> int:
    """Threads to use for ``n_jobs``, after the machine's limits and its load.

    Parameters
    ----------
    n_jobs : int or None, default=None
        joblib's convention: a positive count, or ``-1`` all CPUs, ``-2`` all but
        one, ...; ``None`` means ``OMP_NUM_THREADS`` when set, else torch's current
        intra-op count (torch's default is the number of CPUs).
    adapt_to_load : bool, default=True
        Leave out the cores other processes keep busy (:func:`busy_cpus`), never
        going below one thread. Two threads on a core shared with another
        CPU-bound process wait for each other at every parallel region; one thread
        does not (``benchmarks/bench_training.py --contention``).

    Returns
    -------
    n_threads : int
        At least 1 and at most :func:`available_cpus`.

    Examples
    --------
    >>> from sklearn_ser.utils._threads import resolve_n_threads
    >>> resolve_n_threads(1)
    1
    >>> resolve_n_threads(-1, adapt_to_load=False) >= 1
    True
    """
    cpus = available_cpus()
    if n_jobs is None:
        env = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
        if env.isdigit() and int(env) > 0:
            n = int(env)
        else:
            import torch

            n = torch.get_num_threads()
    elif isinstance(n_jobs, Integral) and not isinstance(n_jobs, bool) and n_jobs != 0:
        n = int(n_jobs) if n_jobs > 0 else cpus + 1 + int(n_jobs)
    else:
        raise ValueError(
            f"n_jobs must be a non-zero int or None, got {n_jobs!r}"
        )
    n = min(max(1, n), cpus)
    if adapt_to_load and n > 1:
        idle = cpus - busy_cpus()
        n = max(1, min(n, int(idle + 0.5)))
    return n


def passive_openmp_env() -> dict[str, str]:
    """Environment variables that stop OpenMP threads spin-waiting.

    ``OMP_WAIT_POLICY=PASSIVE`` (GNU and LLVM/Intel OpenMP) and ``KMP_BLOCKTIME=0``
    (Intel OpenMP) make a thread that has finished its share of a parallel region
    sleep instead of spinning; they take effect only if exported before the OpenMP
    runtime loads (before ``import torch``), e.g. for a child process::

        subprocess.run(cmd, env={**os.environ, **passive_openmp_env()})

    Values already in the environment are kept.

    Examples
    --------
    >>> from sklearn_ser.utils._threads import passive_openmp_env
    >>> sorted(passive_openmp_env())
    ['KMP_BLOCKTIME', 'OMP_WAIT_POLICY']
    """
    return {
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE"),
        "KMP_BLOCKTIME": os.environ.get("KMP_BLOCKTIME", "0"),
    }


@contextmanager
def thread_limits(n_jobs=None, *, adapt_to_load: bool = True):
    """Run a block with one thread count for torch, BLAS/OpenMP and numba.

    Parameters
    ----------
    n_jobs : int or None, default=None
        As :func:`resolve_n_threads`.
    adapt_to_load : bool, default=True
        As :func:`resolve_n_threads`.

    Yields
    ------
    n_threads : int
        The count in force inside the block; the previous torch, threadpoolctl and
        numba settings come back on exit.

    Examples
    --------
    >>> import torch
    >>> from sklearn_ser.utils._threads import thread_limits
    >>> before = torch.get_num_threads()
    >>> with thread_limits(1) as n:
    ...     n, torch.get_num_threads()
    (1, 1)
    >>> torch.get_num_threads() == before
    True
    """
    import torch
    from threadpoolctl import threadpool_limits

    n = resolve_n_threads(n_jobs, adapt_to_load=adapt_to_load)
    torch_before = torch.get_num_threads()
    numba_before = None
    try:
        import numba

        numba_before = numba.get_num_threads()
        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    except (ImportError, ValueError, RuntimeError):  # pragma: no cover
        numba_before = None
    # set after numba: starting numba's OpenMP layer can reset torch's runtime
    torch.set_num_threads(n)
    try:
        with threadpool_limits(limits=n):
            yield n
    finally:
        # numba's and threadpoolctl's OpenMP calls may reach torch's runtime too:
        # torch is restored last
        if numba_before is not None:
            import numba

            numba.set_num_threads(numba_before)
        torch.set_num_threads(torch_before)
