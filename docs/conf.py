"""Sphinx configuration of the sklearn_ser documentation.

Build it with ``make -C docs html`` (warnings are errors; the gallery examples are
rendered but not executed) or ``make -C docs html-plot`` (the synthetic-corpus
examples are executed too, a few minutes on CPU). The build needs no network:
intersphinx links to scikit-learn, imbalanced-learn, skorch, librosa, torch, numpy
and matplotlib are fetched only when ``SER_DOCS_INTERSPHINX=1``.

Environment variables read here:

``SER_DOCS_INTERSPHINX=1``
    Fetch the intersphinx inventories (network) and link to the projects above.
``SER_DOCS_PLOT_GALLERY=1``
    Execute the gallery examples (same as ``-D plot_gallery=1``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive, directives

DOCS_DIR = Path(__file__).resolve().parent
REPO_ROOT = DOCS_DIR.parent
# Import the package from this checkout even when it is not installed.
sys.path.insert(0, str(REPO_ROOT))
# argparse wraps --help at the terminal width; fix it so the CLI page is stable.
os.environ["COLUMNS"] = "88"

import sklearn_ser  # noqa: E402

# -- Project -----------------------------------------------------------------------

project = "sklearn_ser"
author = "sklearn_ser developers"
copyright = "sklearn_ser developers"  # noqa: A001 (Sphinx's name)
release = sklearn_ser.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinxcontrib.bibtex",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb",
                    "_generated"]
root_doc = "index"
default_role = "literal"  # `x` renders as code, as in scikit-learn's docs
nitpicky = False
suppress_warnings: list[str] = []

# -- autodoc / autosummary / numpydoc -----------------------------------------------

# One API page per subpackage (docs/api/<name>.rst). A subpackage that cannot be
# imported (not written yet, or broken) would make autosummary abort the whole
# build, so its page is left out and the build reports it as a warning instead
# (an error under -W). Every other page is still built and checked.
import importlib  # noqa: E402

from sphinx.util import logging as _sphinx_logging  # noqa: E402

_API_PAGES = sorted(p.stem for p in (DOCS_DIR / "api").glob("*.rst"))
_API_UNAVAILABLE: dict[str, str] = {}
for _name in _API_PAGES:
    try:
        importlib.import_module(f"sklearn_ser.{_name}")
    except Exception as exc:  # noqa: BLE001 - any failure leaves the page out
        _API_UNAVAILABLE[_name] = f"{type(exc).__name__}: {exc}"
exclude_patterns += [f"api/{name}.rst" for name in _API_UNAVAILABLE]

autosummary_generate = [
    f"api/{name}.rst" for name in _API_PAGES if name not in _API_UNAVAILABLE
]
autosummary_imported_members = False
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"  # the numpydoc "Parameters" sections give the types
autodoc_member_order = "groupwise"
autodoc_mock_imports: list[str] = []

numpydoc_show_class_members = False  # the class template lists the members
numpydoc_class_members_toctree = False
numpydoc_show_inherited_class_members = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()  # lenient; docstrings are tested elsewhere

# -- bibliography --------------------------------------------------------------------

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "alpha"
bibtex_reference_style = "author_year"

# -- intersphinx (opt-in: the default build must not need the network) ---------------

_INTERSPHINX = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "scipy": ("https://docs.scipy.org/doc/scipy", None),
    "matplotlib": ("https://matplotlib.org/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "imblearn": ("https://imbalanced-learn.org/stable", None),
    "skorch": ("https://skorch.readthedocs.io/en/stable", None),
    "librosa": ("https://librosa.org/doc/latest", None),
    "torch": ("https://docs.pytorch.org/docs/stable", None),
    "joblib": ("https://joblib.readthedocs.io/en/stable", None),
    "dask": ("https://docs.dask.org/en/stable", None),
    "distributed": ("https://distributed.dask.org/en/stable", None),
}
if os.environ.get("SER_DOCS_INTERSPHINX", "0") == "1":
    intersphinx_mapping = _INTERSPHINX
else:
    intersphinx_mapping = {}
intersphinx_timeout = 10

# -- sphinx-gallery ------------------------------------------------------------------

# The stages of the data flow, in the order the gallery shows them; the EmoDB
# recipes of the papers come last.
_GALLERY_SECTIONS = [
    "../examples/audio",
    "../examples/features",
    "../examples/augmentation",
    "../examples/models",
    "../examples/evaluation",
    "../examples/papers",
]

# Only ``plot_*.py`` scripts are executed; they use the synthetic corpus and run in
# seconds on CPU. The papers' EmoDB recipes (``examples/papers/emodb_*.py``) are
# rendered with their code but never executed by the docs build: they read
# ``SER_DATA`` and train for minutes to hours; run them by hand.
plot_gallery = os.environ.get("SER_DOCS_PLOT_GALLERY", "False")

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|/_",
    "subsection_order": _GALLERY_SECTIONS,
    "within_subsection_order": "FileNameSortKey",
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("sklearn_ser",),
    "inspect_global_variables": False,
    "download_all_examples": False,
    "write_computation_times": False,
    "remove_config_comments": True,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "min_reported_time": 1,
    "show_memory": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "capture_repr": ("__repr__",),
}

# -- HTML ----------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_ser {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "header_links_before_dropdown": 7,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None  # deterministic output


# -- The command-line reference, generated from the argparse parser -----------------


class CLIHelpDirective(Directive):
    """``.. sklearn-ser-help:: [COMMAND]`` inserts ``sklearn-ser [COMMAND] --help``.

    The text comes from :func:`sklearn_ser.cli.build_parser`, so the page always
    shows the options of the installed command line. A command the parser does not
    (yet) have is reported as a warning.
    """

    optional_arguments = 1
    has_content = False

    def run(self):
        from sklearn_ser.cli import build_parser

        parser = build_parser()
        command = self.arguments[0] if self.arguments else None
        if command is not None:
            subparsers = [
                action
                for action in parser._actions  # argparse keeps subparsers only here
                if action.__class__.__name__ == "_SubParsersAction"
            ]
            choices = subparsers[0].choices if subparsers else {}
            if command not in choices:
                msg = self.state.document.reporter.warning(
                    f"sklearn-ser has no command {command!r} "
                    f"(commands: {', '.join(sorted(choices)) or 'none'})",
                    line=self.lineno,
                )
                return [msg]
            parser = choices[command]
        text = parser.format_help().rstrip()
        node = nodes.literal_block(text, text)
        node["language"] = "text"
        return [node]


def _report_unavailable_api(app):
    logger = _sphinx_logging.getLogger(__name__)
    for name, reason in _API_UNAVAILABLE.items():
        logger.warning(
            "API page api/%s left out: sklearn_ser.%s cannot be imported (%s)",
            name, name, reason,
        )


def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_*_request`` methods.

    They are metadata-routing plumbing, identical on every estimator, and their
    docstrings point into scikit-learn's own documentation (unresolvable here).
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


# -- Results tables, generated from benchmarks/results ------------------------------


def _results_dir() -> Path:
    """``benchmarks/results`` of this checkout, else of the imported package's."""
    here = REPO_ROOT / "benchmarks" / "results"
    if here.is_dir():
        return here
    return Path(sklearn_ser.__file__).resolve().parents[1] / "benchmarks" / "results"


def _write_results_tables(app):
    """docs/_generated/*.inc (included by papers.rst) and the README's headline
    block, from the JSON reports ``benchmarks/bench_accuracy.py`` writes."""
    from sklearn_ser.evaluation._tables import write_generated

    readme = REPO_ROOT / "README.md"
    write_generated(_results_dir(), DOCS_DIR / "_generated",
                    readme=readme if readme.is_file() else None)


def setup(app):
    directives.register_directive("sklearn-ser-help", CLIHelpDirective)
    app.connect("builder-inited", _write_results_tables)
    app.connect("builder-inited", _report_unavailable_api)
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
