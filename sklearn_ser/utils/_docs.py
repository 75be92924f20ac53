"""Shared numpydoc text, put into docstrings where they say ``%(name)s``."""

from __future__ import annotations

__all__ = ["fill_doc"]


def fill_doc(**texts: str):
    """Class decorator putting shared numpydoc text where the docstring says
    ``%(name)s`` (plain replacement: braces and percent signs elsewhere are safe)."""

    def decorate(obj):
        doc = obj.__doc__
        if doc is None:  # python -OO strips docstrings
            return obj
        for key, text in texts.items():
            doc = doc.replace(f"%({key})s", text)
        obj.__doc__ = doc
        return obj

    return decorate
