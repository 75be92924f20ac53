"""torch's random generator is one per process: the one place that seeds it.

Weight initialisation, dropout, SpecAugment-style masks and the data loaders'
shuffling draw from torch's *global* generator, which every thread of a process
shares. :func:`torch_rng` runs a block on that generator, seeded, restores it
afterwards, and lets one such block run at a time, so that two fits running in
threads of one process (joblib's threading backend, a Dask worker with several
threads) give the same models as when they run one after the other.
"""

from __future__ import annotations

import threading
import warnings
from contextlib import contextmanager

__all__ = ["torch_rng"]

_LOCK = threading.RLock()


@contextmanager
def torch_rng(seed: int | None = None, *, name: str = "sklearn_ser"):
    """Run a block on torch's CPU generator, seeded, one block at a time.

    Parameters
    ----------
    seed : int or None, default=None
        Seed of the block (:func:`torch.manual_seed`); None leaves the generator's
        state as it is. Either way the state from before the block comes back
        after it.
    name : str, default="sklearn_ser"
        Who asks, for the warning.

    Warns
    -----
    UserWarning
        When a block of another thread is running: this one waits for it, so fits
        in threads of one process run one after the other (use processes for
        parallel fits: joblib's default ``loky`` backend, Dask workers with one
        thread each).

    Examples
    --------
    >>> import torch
    >>> from sklearn_ser.utils._random import torch_rng
    >>> with torch_rng(0):
    ...     a = torch.rand(2)
    >>> with torch_rng(0):
    ...     b = torch.rand(2)
    >>> bool((a == b).all())
    True
    """
    import torch

    if not _LOCK.acquire(blocking=False):
        warnings.warn(
            f"{name}: another thread of this process is training or predicting with "
            "a torch network; torch's random generator is shared by the whole "
            "process, so this call waits for it (fits in threads run one at a time, "
            "and stay reproducible). Use processes to fit in parallel: joblib's "
            "default 'loky' backend, or Dask workers with one thread each.",
            UserWarning,
            stacklevel=3,
        )
        _LOCK.acquire()
    try:
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            yield
    finally:
        _LOCK.release()
