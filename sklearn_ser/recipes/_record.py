"""What a recipe is: one frozen record per paper, and the registry of records.

A :class:`Recipe` holds everything about a paper's pipeline as data — its steps,
the settings that differ from the steps' own defaults (each with the section of the
paper that gives it), the keyword options of its function, its search grid, the
parameters that count epochs, notes and citation. :meth:`Recipe.build` makes the
pipeline; :func:`register` adds a record to the registry that
:func:`~sklearn_ser.recipes.make_recipe`, :func:`~sklearn_ser.recipes.param_grid`,
:data:`~sklearn_ser.recipes.RECIPES`, the command line, the docstrings and the tests
all read. This module imports nothing heavy (no torch): a step's ``build`` imports its
estimators when it is called.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "INHERITED",
    "GridRow",
    "Option",
    "Recipe",
    "Setting",
    "Step",
    "get_recipe",
    "register",
    "registered",
]


class _Inherited:
    """Marker of a setting whose value is the step's own default."""

    _instance = None

    def __new__(cls):  # one object, so ``is`` works after copy/pickle
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __reduce__(self):
        return (_Inherited, ())

    def __repr__(self) -> str:
        return "INHERITED"


#: A :class:`Setting` value meaning "the estimator's own default" (in its class).
INHERITED = _Inherited()


@dataclass(frozen=True)
class Setting:
    """One paper setting of a recipe: a pipeline parameter, its value, its source.

    Parameters
    ----------
    param : str
        The pipeline parameter, e.g. ``"clf__criterion__alpha"``.
    value : object, default=INHERITED
        The value the recipe sets; :data:`INHERITED` when the step's class already
        has it as its default (the value is then read from the built pipeline and
        written nowhere else).
    source : str, default=""
        Where the paper gives it (``"§3.3, Fig. 3"``), or why the value was chosen
        when the paper does not give it.
    """

    param: str
    value: Any = INHERITED
    source: str = ""

    @property
    def inherited(self) -> bool:
        return self.value is INHERITED


@dataclass(frozen=True)
class Step:
    """One step of a recipe's pipeline.

    Parameters
    ----------
    name : str
        The step's name (``"features"``, ``"normalize"``, ``"augment"``, ``"clf"``).
    build : callable or None
        ``build()`` returns a new estimator with its own defaults (the recipe's
        settings are applied afterwards); None makes the step ``"passthrough"``.
    text : str, default=""
        What the step is, for the documentation table (the values come from the
        settings).
    """

    name: str
    build: Callable[[], Any] | None
    text: str = ""


@dataclass(frozen=True)
class Option:
    """A keyword argument of a recipe's function that sets one pipeline parameter.

    Parameters
    ----------
    name : str
        The keyword, e.g. ``"loss"``.
    param : str
        The pipeline parameter it sets, e.g. ``"clf__loss"``.
    choices : tuple
        The allowed values.
    default : object
        The value when the keyword is not given.
    text : str
        Its description in the function's Parameters section.
    """

    name: str
    param: str
    choices: tuple
    default: Any
    text: str = ""


@dataclass(frozen=True)
class GridRow:
    """One dict of a recipe's search space (:func:`~sklearn_ser.recipes.param_grid`).

    Parameters
    ----------
    params : mapping of str to list
        Pipeline parameters and the values to search.
    source : str
        The figure or table of the paper it reproduces.
    when : mapping or None, default=None
        Option values this row belongs to (zhou: ``{"loss": "ams"}``);
        ``param_grid(name, loss=...)`` keeps the rows of that value.
    """

    params: Mapping[str, Sequence]
    source: str
    when: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Recipe:
    """One paper as data: everything its recipe function, grid and docs are made of.

    Parameters
    ----------
    name : str
        The recipe's name (the paper's key in ``docs/references.bib``).
    summary : str
        One line: what the pipeline is.
    citation : str
        The paper and the sections used (the References entry).
    inputs : str
        What the pipeline takes.
    steps : tuple of Step
        The pipeline's steps, in order.
    settings : tuple of Setting, default=()
        The paper's settings, each written once: a value the recipe sets, or
        :data:`INHERITED` to refer to a default the step's class already has.
    options : tuple of Option, default=()
        Keyword arguments of the recipe function besides ``random_state``.
    grid : tuple of GridRow, default=()
        The paper's search space.
    epochs : tuple of str, default=()
        Pipeline parameters that count training epochs.
    seeds : str, default=""
        What ``random_state`` seeds (for the docstring).
    override_example : str, default=""
        An example of ``**overrides`` (for the docstring).
    notes : str, default=""
        Deviations from the paper and values it does not give (numpydoc Notes).
    grid_notes : str, default=""
        How the grid was read from the paper.
    see_also : tuple of (str, str), default=()
        Entries of the See Also section.
    examples : str, default=""
        Doctest lines of the Examples section.
    sampler : Step or None, default=None
        A waveform sampler put around the whole pipeline with
        :class:`~sklearn_ser.augment.ResampledEstimator` (so that routed
        metadata such as ``speaker=`` follows the resampled rows); the recipe
        then returns that wrapper, whose parameters are ``estimator__<step>__...``
        and ``sampler__...``. None: the pipeline itself.
    """

    name: str
    summary: str
    citation: str
    inputs: str
    steps: tuple[Step, ...]
    settings: tuple[Setting, ...] = ()
    options: tuple[Option, ...] = ()
    grid: tuple[GridRow, ...] = ()
    epochs: tuple[str, ...] = ()
    seeds: str = ""
    override_example: str = ""
    notes: str = ""
    grid_notes: str = ""
    see_also: tuple[tuple[str, str], ...] = ()
    examples: str = field(default="", repr=False)
    sampler: Step | None = None

    # ---------------------------------------------------------------- building
    def check_options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The option values (defaults filled in), each checked against its choices."""
        values = {}
        for option in self.options:
            value = options.get(option.name, option.default)
            if value not in option.choices:
                raise ValueError(
                    f"{self.name}: {option.name} must be one of "
                    f"{', '.join(map(repr, option.choices))}, got {value!r}"
                )
            values[option.name] = value
        return values

    def build(self, *, random_state: Any = None, **kwargs: Any):
        """A new, unfitted pipeline: the steps, the settings, the options, ``kwargs``.

        ``random_state`` is given to every parameter called ``random_state``;
        keyword arguments that are not options are pipeline parameters set last
        (of the :class:`~sklearn_ser.augment.ResampledEstimator` when the recipe
        has a ``sampler``).
        """
        names = {option.name for option in self.options}
        options = {k: v for k, v in kwargs.items() if k in names}
        overrides = {k: v for k, v in kwargs.items() if k not in names}
        if self.sampler is None:
            return self.pipeline(random_state=random_state, **options, **overrides)
        from sklearn_ser.augment import ResampledEstimator

        sampler = self.sampler.build()
        if "random_state" in sampler.get_params():
            sampler.set_params(random_state=random_state)
        model = ResampledEstimator(
            self.pipeline(random_state=random_state, **options), sampler=sampler
        )
        if overrides:
            model.set_params(**overrides)
        return model

    def pipeline(self, *, random_state: Any = None, **kwargs: Any):
        """The pipeline of the steps alone (without the ``sampler`` around it)."""
        from imblearn.pipeline import Pipeline

        names = {option.name for option in self.options}
        options = self.check_options({k: v for k, v in kwargs.items() if k in names})
        overrides = {k: v for k, v in kwargs.items() if k not in names}
        pipe = Pipeline(
            [
                (step.name, "passthrough" if step.build is None else step.build())
                for step in self.steps
            ]
        )
        params = {s.param: s.value for s in self.settings if not s.inherited}
        params.update({o.param: options[o.name] for o in self.options})
        params.update(
            dict.fromkeys(
                (
                    k
                    for k in pipe.get_params()
                    if k.rsplit("__", 1)[-1] == "random_state"
                ),
                random_state,
            )
        )
        pipe.set_params(**params)
        if overrides:
            pipe.set_params(**overrides)
        return pipe

    def param_grid(self, **options: Any) -> dict | list[dict]:
        """The search space (new objects every call); rows filtered by ``options``."""
        rows = list(self.grid)
        for key, value in options.items():
            if value is None:
                continue
            if key not in {o.name for o in self.options}:
                owners = [
                    r.name
                    for r in _REGISTRY.values()
                    if key in {o.name for o in r.options}
                ]
                raise ValueError(
                    f"param_grid: {key}= selects one of {' or '.join(owners) or 'no'}"
                    f" recipe's grids; got {key}={value!r} for {self.name!r}"
                )
            option = next(o for o in self.options if o.name == key)
            if value not in option.choices:
                raise ValueError(
                    f"param_grid: {self.name}'s {key} must be one of "
                    f"{', '.join(map(repr, option.choices))} or None, got {value!r}"
                )
            rows = [r for r in rows if r.when is not None and r.when.get(key) == value]
        grids = [{k: list(copy.deepcopy(v)) for k, v in r.params.items()} for r in rows]
        return grids[0] if len(grids) == 1 else grids


# ------------------------------------------------------------------- registry
_REGISTRY: dict[str, Recipe] = {}


def register(recipe: Recipe, *, replace: bool = False) -> Recipe:
    """Add ``recipe`` to the registry (the names the package and the CLI know).

    Parameters
    ----------
    recipe : Recipe
        The record.
    replace : bool, default=False
        Replace a record of the same name instead of refusing it.

    Returns
    -------
    recipe : Recipe
        The record, so that ``register`` can be used on a module-level constant.

    Raises
    ------
    TypeError
        If ``recipe`` is not a :class:`Recipe`.
    ValueError
        If a recipe of that name is registered and ``replace`` is False, or a
        setting or option names a step the recipe does not have.
    """
    if not isinstance(recipe, Recipe):
        raise TypeError(f"register: expected a Recipe, got {type(recipe).__name__}")
    if recipe.name in _REGISTRY and not replace:
        raise ValueError(f"register: a recipe called {recipe.name!r} is registered")
    steps = {step.name for step in recipe.steps}
    for param in [s.param for s in recipe.settings] + [o.param for o in recipe.options]:
        if param.split("__", 1)[0] not in steps:
            raise ValueError(
                f"register: {recipe.name}: {param!r} names no step of the recipe "
                f"(steps: {', '.join(sorted(steps))})"
            )
    _REGISTRY[recipe.name] = recipe
    return recipe


def registered() -> tuple[str, ...]:
    """The names of the registered recipes, in the order they were registered."""
    return tuple(_REGISTRY)


def get_recipe(name: Any, *, where: str = "get_recipe") -> Recipe:
    """The record called ``name``; a ValueError listing the recipes otherwise."""
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(
            f"{where}: unknown recipe {name!r}; choose one of {', '.join(_REGISTRY)}"
        )
    return _REGISTRY[name]
