"""``cached_njit``: numba's ``njit(cache=True)`` that never makes caching an error.

numba caches compiled functions next to the source (``__pycache__``), or in the
user's cache folder, or in ``NUMBA_CACHE_DIR`` when that is set. Two failures
turned into errors of the whole package:

* nothing writable (read-only install and home): numba raises ``RuntimeError:
  cannot cache function ...: no locator available`` when the module is imported.
  Here the cache then goes to a private temporary folder (``<tmp>/sklearn_ser-
  numba-<uid>``, created mode 0700; a fresh one per process if that path is not
  ours), and ``NUMBA_CACHE_DIR`` chooses a permanent place;
* an unreadable or truncated cache file (a disk full, a killed process): numba's
  unpickling error came back on every later run. Here a cache that cannot be read
  is deleted and the function compiled (and cached) again. This patches numba's
  ``Cache.load_overload``/``save_overload`` for the process (librosa's cached
  functions have the same problem).
"""

from __future__ import annotations

import os
import stat
import tempfile
import warnings

__all__ = [
    "cached_njit",
    "configure_numba_cache",
    "fallback_cache_dir",
    "import_librosa",
]


def fallback_cache_dir() -> str:
    """A temporary cache folder only this user can write (created if needed)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = os.path.join(tempfile.gettempdir(), f"sklearn_ser-numba-{uid}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return tempfile.mkdtemp(prefix="sklearn_ser-numba-")
    info = os.lstat(path)
    private = (
        stat.S_ISDIR(info.st_mode)
        and getattr(info, "st_uid", uid) == uid
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )
    # someone else's folder could hold cache files crafted to be unpickled
    return path if private else tempfile.mkdtemp(prefix="sklearn_ser-numba-")


_CONFIGURED = False


def _probe():  # a function numba's user-wide locator is asked about
    return None


def _forgiving(load, save):
    """Wrappers of ``Cache.load_overload``/``save_overload`` that turn unreadable
    or unwritable cache files into a compile (numba internals: looked up
    defensively)."""

    def load_overload(self, sig, target_context):
        try:
            return load(self, sig, target_context)
        except Exception:  # truncated/corrupt pickle, unreadable file...
            index = getattr(getattr(self, "_cache_file", None), "_index_path", None)
            if index is not None:
                try:
                    os.remove(index)  # the next save writes a fresh index
                except OSError:
                    pass
            return None  # numba compiles instead

    def save_overload(self, sig, data):
        try:
            save(self, sig, data)
        except Exception:  # a cache that cannot be written costs time only
            pass

    load_overload._sklearn_ser = save_overload._sklearn_ser = True
    return load_overload, save_overload


def configure_numba_cache() -> None:
    """Make numba's on-disk cache safe for this process (idempotent).

    Without ``NUMBA_CACHE_DIR`` and with no writable user cache folder, numba's
    cache (ours and librosa's) goes to :func:`fallback_cache_dir`; a cache file that
    cannot be read is deleted and its function compiled again. Called before the
    package compiles or imports librosa.
    """
    global _CONFIGURED
    if _CONFIGURED:
        return
    _CONFIGURED = True
    from numba import config
    from numba.core import caching

    if not config.CACHE_DIR:
        locator = getattr(caching, "UserWideCacheLocator", None)
        try:
            usable = locator is not None and locator.from_function(
                _probe, __file__) is not None
        except Exception:
            usable = False
        if not usable:
            config.CACHE_DIR = fallback_cache_dir()
    cache = getattr(caching, "Cache", None)
    if cache is not None and not getattr(cache.load_overload, "_sklearn_ser", False):
        cache.load_overload, cache.save_overload = _forgiving(
            cache.load_overload, cache.save_overload
        )


def import_librosa():
    """``import librosa`` after :func:`configure_numba_cache` (librosa compiles
    cached numba functions when imported)."""
    configure_numba_cache()
    import librosa

    return librosa


def cached_njit(**options):
    """``numba.njit(cache=True, **options)`` after :func:`configure_numba_cache`.

    Parameters
    ----------
    **options : dict
        Other :func:`numba.njit` options (``nogil=True``...).

    Returns
    -------
    decorator : callable
        Turns a Python function into a numba dispatcher.

    Examples
    --------
    >>> from sklearn_ser.utils._numba import cached_njit
    >>> @cached_njit(nogil=True)
    ... def twice(x):
    ...     return 2 * x
    >>> twice(21)
    42
    """
    from numba import njit

    configure_numba_cache()

    def decorate(func):
        try:
            return njit(cache=True, **options)(func)
        except RuntimeError as exc:  # e.g. NUMBA_CACHE_DIR itself not writable
            if "cannot cache" not in str(exc):
                raise
            if not func.__code__.co_filename.startswith("<"):  # not interactive
                warnings.warn(
                    f"numba cannot cache {func.__qualname__} ({exc}); set "
                    "NUMBA_CACHE_DIR to a writable folder", RuntimeWarning,
                    stacklevel=2,
                )
            return njit(cache=False, **options)(func)

    return decorate
