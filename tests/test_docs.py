"""The documentation and the examples gallery.

* the Sphinx build (warnings are errors, gallery not executed, no network), skipped
  with its reason when the ``docs`` extra is not installed;
* every example compiles and has the title docstring sphinx-gallery needs (running
  them is the job of ``make -C docs html-plot``);
* the API reference lists every public class and function of every subpackage, and
  the citations of the pages exist in the bibliography.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import os
import py_compile
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs"
EXAMPLES = REPO_ROOT / "examples"

DOCS_DEPS = {
    "sphinx": "sphinx",
    "numpydoc": "numpydoc",
    "sphinx_gallery": "sphinx-gallery",
    "sphinxcontrib.bibtex": "sphinxcontrib-bibtex",
    "pydata_sphinx_theme": "pydata-sphinx-theme",
}
# The stages of the gallery, in the order docs/conf.py shows them.
GALLERY_FOLDERS = ["audio", "features", "augmentation", "models", "evaluation", "papers"]
SUBPACKAGES = [
    "datasets", "features", "augment", "losses", "nn", "models", "metrics",
    "plotting", "recipes", "io", "evaluation", "testing",
]

EXAMPLE_FILES = sorted(p for p in EXAMPLES.rglob("*.py") if not p.name.startswith("_"))


def _missing_docs_deps() -> list[str]:
    missing = []
    for module, dist in DOCS_DEPS.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:  # a parent package is absent
            found = False
        if not found:
            missing.append(dist)
    return missing


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    """``sphinx -W`` in the cheap mode CI uses: nothing executed, no network."""
    missing = _missing_docs_deps()
    if missing:
        pytest.skip(
            "the docs extra is not installed (missing: " + ", ".join(missing)
            + '); pip install -e ".[docs]" to run the documentation build'
        )
    # Build a copy, so that the generated pages and a parallel `make html` in the
    # checkout do not collide.
    ignore = shutil.ignore_patterns(
        "_build", "generated", "auto_examples", "__pycache__", "*.pyc"
    )
    shutil.copytree(DOCS, tmp_path / "docs", ignore=ignore)
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=ignore)
    out = tmp_path / "html"
    env = {**os.environ, "SER_DOCS_INTERSPHINX": "0", "MPLBACKEND": "Agg"}
    env.pop("SER_DOCS_PLOT_GALLERY", None)
    cmd = [
        sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
        "-D", "plot_gallery=0", str(tmp_path / "docs"), str(out),
    ]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, (
        f"docs build failed (exit {proc.returncode}):\n{proc.stderr[-6000:]}"
    )
    for page in ["index.html", "api.html", "papers.html", "pitfalls.html",
                 "glossary.html", "auto_examples/index.html",
                 "generated/sklearn_ser.features.MFCC.html"]:
        assert (out / page).is_file(), f"{page} was not built"


@pytest.mark.parametrize(
    "path", EXAMPLE_FILES, ids=[str(p.relative_to(EXAMPLES)) for p in EXAMPLE_FILES]
)
def test_example_compiles_and_has_a_title(path, tmp_path):
    py_compile.compile(str(path), cfile=str(tmp_path / "example.pyc"), doraise=True)
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")), clean=False)
    assert doc, f"{path.name}: sphinx-gallery needs a module docstring"
    lines = doc.strip("\n").splitlines()
    assert len(lines) >= 3 and set(lines[0]) == {"="} and set(lines[2]) == {"="}, (
        f"{path.name}: the docstring must open with an overlined rst title"
    )
    assert len(lines[0]) == len(lines[2]) >= len(lines[1].rstrip()), (
        f"{path.name}: the title's over- and underline must match and cover it"
    )


def test_synthetic_examples_are_the_executed_ones():
    """Only ``plot_*.py`` runs in the gallery; the EmoDB scripts must not match."""
    for path in EXAMPLE_FILES:
        text = path.read_text(encoding="utf-8")
        reads_corpus = "SER_DATA" in text
        assert path.name.startswith("plot_") != reads_corpus, (
            f"{path.relative_to(EXAMPLES)}: plot_*.py examples run in the docs build "
            "and must use the synthetic corpus; scripts reading SER_DATA must not be "
            "named plot_*"
        )


def test_gallery_folders_have_readmes():
    assert (EXAMPLES / "README.txt").is_file()
    folders = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()
                     and not p.name.startswith(("_", ".")))
    assert folders == sorted(GALLERY_FOLDERS)
    for name in GALLERY_FOLDERS:
        assert (EXAMPLES / name / "README.txt").is_file(), f"examples/{name}/README.txt"
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    order = re.findall(r'"\.\./examples/(\w+)"', conf)
    assert order == GALLERY_FOLDERS


def _api_entries() -> set[tuple[str, str]]:
    """(module, name) of every autosummary entry of the API pages, docs/api/*.rst."""
    entries = set()
    for page in sorted((DOCS / "api").glob("*.rst")):
        module, in_autosummary = None, False
        for line in page.read_text(encoding="utf-8").splitlines():
            if m := re.match(r"\.\. currentmodule:: (\S+)", line):
                module, in_autosummary = m.group(1), False
            elif line.startswith(".. autosummary::"):
                in_autosummary = True
            elif (in_autosummary and line.startswith("   ")
                  and not line.strip().startswith(":")):
                entries.add((module, line.strip()))
            elif line and not line.startswith(" "):
                in_autosummary = False
    return entries


@pytest.mark.parametrize("subpackage", SUBPACKAGES)
def test_api_reference_lists_every_public_name(subpackage):
    name = f"sklearn_ser.{subpackage}"
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        pytest.skip(f"{name} cannot be imported yet ({exc})")
    # Classes and functions; constants such as the WA/UA scorer objects are
    # described in the text of the page instead.
    public = [
        n for n in getattr(module, "__all__", [])
        if inspect.isclass(getattr(module, n)) or inspect.isfunction(getattr(module, n))
    ]
    assert (DOCS / "api" / f"{subpackage}.rst").is_file(), f"docs/api/{subpackage}.rst"
    entries = _api_entries()
    missing = [n for n in public if (name, n) not in entries]
    assert not missing, f"docs/api/{subpackage}.rst does not list {missing}"


def test_citations_exist_in_the_bibliography():
    bib = (DOCS / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    cited = set()
    for page in DOCS.rglob("*.rst"):
        if {"_build", "generated", "auto_examples"} & set(page.parts):
            continue
        for group in re.findall(r":cite:[pt]?:`([^`]+)`",
                                page.read_text(encoding="utf-8")):
            cited.update(k.strip() for k in group.split(","))
    assert cited, "no citation found in the docs"
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"
    assert {"liu2021", "zhou", "kumar", "li2021", "liu2023"} <= cited
