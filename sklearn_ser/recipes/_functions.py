"""One function per registered recipe (``recipes.liu2021(...)``), documented from its
record: the steps-and-settings table, parameters, notes and examples.

Importing this module builds each recipe's pipeline once (cheap, nothing is fitted)
to read the values its record marks as the classes' own defaults.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from ._docs import function_docstring
from ._record import Recipe, get_recipe, registered

__all__ = ["recipe_function"]

_FUNCTIONS: dict[str, Callable] = {}


def _signature(recipe: Recipe) -> inspect.Signature:
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [inspect.Parameter(o.name, kw, default=o.default) for o in recipe.options]
    params.append(inspect.Parameter("random_state", kw, default=None))
    params.append(inspect.Parameter("overrides", inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(params, return_annotation="Pipeline")


def _make(recipe: Recipe) -> Callable:
    def function(**kwargs):
        return recipe.build(**kwargs)

    function.__name__ = function.__qualname__ = recipe.name
    function.__module__ = "sklearn_ser.recipes"
    function.__signature__ = _signature(recipe)
    function.__doc__ = function_docstring(recipe, recipe.pipeline().get_params())
    return function


def recipe_function(name: str) -> Callable:
    """The function of the recipe called ``name`` (made once, then reused)."""
    if name not in _FUNCTIONS:
        _FUNCTIONS[name] = _make(get_recipe(name, where="sklearn_ser.recipes"))
    return _FUNCTIONS[name]


# The functions say they belong to ``sklearn_ser.recipes`` (where users find them),
# so doctest would not look for their examples here without ``__test__``.
__test__ = {name: recipe_function(name) for name in registered()}
