"""The recipes' documentation, written from the records (tables and docstrings).

Nothing here states a value: the tables list the records' settings, and the values
a record marks :data:`~sklearn_ser.recipes._record.INHERITED` are read from a built
pipeline, so a default is written once, in the class that has it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from ._record import Recipe

__all__ = ["function_docstring", "grid_table", "recipe_table", "rst_table"]

_INDENT = "    "


def rst_table(
    header: tuple[str, str],
    rows: Iterable[tuple[str, str]],
    *,
    width: int = 16,
    text_width: int = 58,
) -> list[str]:
    """A two-column reStructuredText simple table; the second column is wrapped."""
    rule = "=" * width + "  " + "=" * text_width
    lines = [rule, f"{header[0]:<{width}}  {header[1]}", rule]
    for key, text in rows:
        wrapped = textwrap.wrap(
            text, text_width, break_long_words=False, break_on_hyphens=False
        ) or [""]
        lines.append(f"{key:<{width}}  {wrapped[0]}".rstrip())
        lines += [" " * (width + 2) + more for more in wrapped[1:]]
    lines.append(rule)
    return lines


def _public_path(cls: type) -> str:
    """``sklearn_ser.features.MFCC`` for ``sklearn_ser.features._mfcc.MFCC``."""
    parts = []
    for part in cls.__module__.split("."):
        if part.startswith("_"):
            break
        parts.append(part)
    return ".".join(parts + [cls.__qualname__])


def _literal(value: Any) -> str:
    if isinstance(value, type):
        return value.__name__
    return repr(value)


def _step_text(recipe: Recipe, step, params: Mapping[str, Any]) -> str:
    estimator = params[step.name]
    if isinstance(estimator, str):
        head = f'``"{estimator}"``'
    else:
        head = f":class:`~{_public_path(type(estimator))}`"
    parts = []
    for option in recipe.options:
        name, _, rel = option.param.partition("__")
        if name == step.name:
            parts.append(
                f"``{rel}`` from ``{option.name}=`` (default {option.default!r})"
            )
    for setting in recipe.settings:
        name, _, rel = setting.param.partition("__")
        if name != step.name:
            continue
        value = params.get(setting.param, setting.value)
        source = setting.source + ("; the class's default" if setting.inherited else "")
        parts.append(
            f"``{rel}={_literal(value)}``" + (f" ({source})" if source else "")
        )
    text = head + (f": {step.text}" if step.text else "")
    return text + ("; " + ", ".join(parts) if parts else "")


def recipe_table(recipe: Recipe, params: Mapping[str, Any]) -> list[str]:
    """The table of a recipe's steps and settings (``params``: its ``get_params()``)."""
    rows = [
        (f"``{step.name}``", _step_text(recipe, step, params)) for step in recipe.steps
    ]
    return rst_table(("step", f"value ({recipe.name} section)"), rows)


def _values(values) -> str:
    return ", ".join(_literal(v) for v in values)


def grid_table(recipes: Iterable[Recipe]) -> list[str]:
    """The table of every recipe's search space, for :func:`param_grid`."""
    rows = []
    for recipe in recipes:
        parts = []
        for row in recipe.grid:
            when = "".join(f" (``{k}={v!r}``)" for k, v in (row.when or {}).items())
            keys = "; ".join(f"``{k}`` in {_values(v)}" for k, v in row.params.items())
            parts.append(f"{row.source}{when}: {keys}")
        rows.append((recipe.name, ". ".join(parts) or "no search space"))
    width = max(11, *(len(name) + 2 for name, _ in rows))
    return rst_table(("name", "search space"), rows, width=width, text_width=76 - width)


def _choices(choices: tuple) -> str:
    return (
        "{"
        + ", ".join(f'"{c}"' if isinstance(c, str) else repr(c) for c in choices)
        + "}"
    )


def function_docstring(recipe: Recipe, params: Mapping[str, Any]) -> str:
    """The numpydoc docstring of the recipe's function (``params``: the built
    pipeline's ``get_params()``, which gives the inherited values)."""
    out = [f"{recipe.name}: {recipe.summary}", ""]
    out += recipe_table(recipe, params)
    if recipe.epochs:
        epochs = ", ".join(f"``{p}={params[p]}``" for p in recipe.epochs if p in params)
        out += ["", f"Training epochs: {epochs}."]
    out += ["", "Parameters", "----------"]
    for option in recipe.options:
        out.append(
            f"{option.name} : {_choices(option.choices)}, default={option.default!r}"
        )
        out += textwrap.wrap(
            option.text, 80, initial_indent=_INDENT, subsequent_indent=_INDENT
        )
    out += [
        "random_state : int or None, default=None",
        f"{_INDENT}Seeds {recipe.seeds or 'every random step'}.",
        "**overrides",
        f"{_INDENT}Parameters of the pipeline set after it is built, e.g.",
        f"{_INDENT}{recipe.override_example or '``clf__max_epochs=2``'}.",
        "",
        "Returns",
        "-------",
    ]
    if recipe.sampler is None:
        out += [
            "pipe : imblearn.pipeline.Pipeline",
            f"{_INDENT}A new, unfitted pipeline from {recipe.inputs} to labels.",
        ]
    else:
        out += [
            "model : sklearn_ser.augment.ResampledEstimator",
            f"{_INDENT}A new, unfitted pipeline from {recipe.inputs} to labels,",
            f"{_INDENT}in a ResampledEstimator whose sampler is",
        ] + textwrap.wrap(
            recipe.sampler.text, 76, initial_indent=_INDENT, subsequent_indent=_INDENT
        )
    if recipe.options:
        names = " or ".join(f"``{o.name}``" for o in recipe.options)
        out += [
            "",
            "Raises",
            "------",
            "ValueError",
            f"{_INDENT}If {names} is not one of the choices.",
        ]
    out += ["", "See Also", "--------"]
    out += [f"param_grid : {recipe.name}'s search space."]
    for name, text in recipe.see_also:
        out.append(f"{name} : {text}")
    if recipe.notes:
        out += ["", "Notes", "-----"] + textwrap.dedent(
            recipe.notes
        ).strip().splitlines()
    out += ["", "References", "----------"]
    cited = textwrap.wrap(
        recipe.citation, 76, initial_indent=".. [1] ", subsequent_indent="   "
    )
    out += cited
    if recipe.examples:
        out += ["", "Examples", "--------"]
        out += textwrap.dedent(recipe.examples).strip().splitlines()
    first, *rest = out
    return "\n".join([first] + [(_INDENT + line).rstrip() for line in rest]) + "\n"
