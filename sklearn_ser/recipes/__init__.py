"""The papers as one call each: their whole pipelines and their search spaces.

Every recipe returns a new, unfitted :class:`imblearn.pipeline.Pipeline` with the
paper's features, augmentation, model and hyper-parameters (a recipe that augments
waveforms around a speaker-normalised pipeline returns the pipeline inside a
:class:`~sklearn_ser.augment.ResampledEstimator`), so that a paper's
experiment is a :func:`~sklearn.model_selection.cross_validate` or
:class:`~sklearn.model_selection.GridSearchCV` call:

%(table)s

The steps have the same names in every recipe — ``"features"``, ``"normalize"``,
``"augment"`` and ``"clf"`` (li2021 augments waveforms, so its ``"augment"`` comes
first; liu2023 adds ``"select"``, the channels its Table 2 ablates). A step the paper
does not use is ``"passthrough"``, so it can be switched on with ``set_params``
(e.g. ``recipes.liu2023(augment=SpecAugmentResampler())``).

Keyword arguments of a recipe other than its own are parameters of the pipeline,
set after it is built: ``recipes.liu2021(clf__max_epochs=2)``. ``random_state``
seeds every random step (augmentation, network initialisation, batches).
:func:`param_grid` gives the paper's own search space in the pipeline's parameter
names; :func:`make_recipe` builds a recipe from its name (:data:`RECIPES`), as the
command line does.

The recipes run on audio: a sequence of file paths or of 16 kHz waveforms, one per
utterance (paths at other rates are resampled when loaded). Results of the papers
and ours are compared in the documentation page "The papers and our results".

Each recipe is a record (:class:`Recipe`: steps, settings with the paper section
that gives each, options, search grid, epochs, notes, citation) in the registry;
the functions, :func:`make_recipe`, :func:`param_grid`, the command line's choices,
these tables and the tests are all made from the records. A new recipe is one
:class:`Recipe` passed to :func:`register`.
"""

from __future__ import annotations

from typing import Any

from . import _papers  # noqa: F401  (registers the five papers' records)
from . import _baselines  # noqa: F401  (egemaps_svm, speaker_independent)
from . import _ssl  # noqa: F401  (registers ssl_probe, after the papers)
from ._docs import grid_table, rst_table
from ._record import (
    INHERITED,
    GridRow,
    Option,
    Recipe,
    Setting,
    Step,
    get_recipe,
    register,
    registered,
)

__all__ = [
    "INHERITED",
    "RECIPES",
    "GridRow",
    "Option",
    "Recipe",
    "Setting",
    "Step",
    "egemaps_svm",
    "get_recipe",
    "kumar",
    "li2021",
    "liu2021",
    "liu2023",
    "make_recipe",
    "param_grid",
    "register",
    "speaker_independent",
    "ssl_probe",
    "zhou",
]


def __getattr__(name: str) -> Any:
    # RECIPES follows the registry; the recipe functions are made (with their
    # documentation, which imports the models) only when asked for, so that the
    # registry and ``sklearn-ser --help`` do not import torch.
    if name == "RECIPES":
        return registered()
    if name in registered():
        from ._functions import recipe_function

        return recipe_function(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(registered()))


def make_recipe(name: str, **kwargs: Any):
    """The pipeline of the recipe called ``name`` (as the command line builds it).

    Parameters
    ----------
    name : %(names)s
        One of :data:`RECIPES`.
    **kwargs
        Keyword arguments of the recipe: ``random_state``, its options (zhou's
        ``loss`` and ``pooling``), and pipeline parameters to override.

    Returns
    -------
    pipe : imblearn.pipeline.Pipeline
        A new, unfitted pipeline.

    Raises
    ------
    ValueError
        If ``name`` is not a recipe; the message lists the recipes.

    Examples
    --------
    >>> from sklearn_ser.recipes import make_recipe
    >>> make_recipe("liu2023", random_state=0).steps[-1][0]
    'clf'
    """
    return get_recipe(name, where="make_recipe").build(**kwargs)


def param_grid(name: str, *, loss: str | None = None) -> dict | list[dict]:
    """The paper's own search space, in the parameter names of its recipe.

    For :class:`~sklearn.model_selection.GridSearchCV` over the recipe's pipeline
    (each value is a list; several dicts are searched one after the other, so an
    ablation is one candidate rather than a product with every other value).

    %(table)s

    Parameters
    ----------
    name : %(names)s
        The recipe.
    loss : {"ams", "focal", "ce"} or None, default=None
        zhou only: the grid of one loss (``"ce"``: the two poolings); None gives
        the whole of Table 2. Must be None for the other recipes.

    Returns
    -------
    grid : dict or list of dict
        Parameter names of the recipe's pipeline mapped to lists of values.
        Every call returns new objects.

    Raises
    ------
    ValueError
        If ``name`` is not a recipe, or ``loss`` is not one of zhou's losses (or
        is given for another recipe).

    Notes
    -----
    %(notes)s

    Examples
    --------
    >>> from sklearn_ser import recipes
    >>> grid = recipes.param_grid("zhou", loss="ams")
    >>> grid["clf__criterion__scale"], grid["clf__criterion__margin"]
    ([10.0, 30.0], [0.1, 0.2, 0.4])
    >>> len(recipes.param_grid("liu2023"))
    8
    """
    return get_recipe(name, where="param_grid").param_grid(loss=loss)


# ----------------------------------------------------- documentation from records
def _document() -> None:
    import textwrap

    if __doc__ is None:  # python -OO: no docstrings to fill
        return

    records = [get_recipe(name) for name in registered()]
    names = "{" + ", ".join(f'"{r.name}"' for r in records) + "}"
    width = max(17, *(len(f":func:`{r.name}`") + 2 for r in records))
    overview = rst_table(
        ("recipe", "pipeline"),
        [(f":func:`{r.name}`", r.summary) for r in records],
        width=width,
        text_width=79 - width,
    )
    globals()["__doc__"] = __doc__ % {"table": "\n".join(overview)}
    indent = "    "
    # the placeholders stand indented in the docstrings: indent the other lines
    notes = "\n\n".join(
        textwrap.dedent(r.grid_notes).strip() for r in records if r.grid_notes
    )
    notes = "\n".join((indent + line).rstrip() for line in notes.splitlines()).lstrip()
    grid = ("\n" + indent).join(grid_table(records))
    make_recipe.__doc__ = make_recipe.__doc__ % {"names": names}
    param_grid.__doc__ = param_grid.__doc__ % {
        "table": grid,
        "names": names,
        "notes": notes,
    }


_document()
