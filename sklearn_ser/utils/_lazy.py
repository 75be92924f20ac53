"""Lazy public names of a subpackage (PEP 562), as scipy and scikit-image do.

A subpackage's ``__init__`` declares which private module defines each public name;
the module is imported the first time one of its names is asked for, so that
``from sklearn_ser.features import MFCC`` does not import numba (eGeMAPS kernels)
and loading an SVM model file does not import torch. The names stay where they
were: ``from pkg import Name``, ``pkg.Name``, ``dir(pkg)``, ``pkg.__all__`` and
``from pkg import *`` all work; static type checkers and IDEs read the
``if TYPE_CHECKING:`` imports each ``__init__`` keeps beside its table
(``tests/test_memory.py`` checks that the two agree).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["attach"]


def attach(
    package: str, submodules: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for the package ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    submodules : mapping of str to sequence of str
        Module -> the public names it defines, in the order ``__all__`` lists
        them. A name starting with ``_`` is a private module of the package
        (``"_mfcc"``); others are absolute (``"sklearn_ser.utils._audio"``).

    Returns
    -------
    __getattr__ : callable
        Imports the module of a public name when it is first asked for, and
        binds the name in the package (later look-ups are plain attributes).
    __dir__ : callable
        The public names and whatever the package holds already.
    __all__ : list of str
        The public names.

    Examples
    --------
    >>> import sys, types
    >>> pkg = types.ModuleType("lazy_demo")
    >>> sys.modules["lazy_demo"] = pkg
    >>> pkg.__getattr__, pkg.__dir__, pkg.__all__ = attach(
    ...     "lazy_demo", {"json": ["dumps"]})
    >>> pkg.dumps([1])
    '[1]'
    >>> "dumps" in dir(pkg)
    True
    >>> pkg.__all__
    ['dumps']
    >>> pkg.__getattr__("missing")
    Traceback (most recent call last):
    ...
    AttributeError: module 'lazy_demo' has no attribute 'missing'
    >>> del sys.modules["lazy_demo"]
    """
    where = {name: module for module, names in submodules.items() for name in names}
    public = list(where)

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        target = f"{package}.{module}" if module.startswith("_") else module
        value = getattr(importlib.import_module(target), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(public) | set(vars(sys.modules[package])))

    return __getattr__, __dir__, public
