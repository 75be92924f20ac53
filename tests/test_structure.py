"""The package's shape: subpackages layered without import cycles, small modules.

An AST scan of every module under ``sklearn_ser/``: every ``import`` statement
counts, also the ones inside functions (a lazy import hides a cycle from Python,
not from this test), and so do imports under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sklearn_ser"
MAX_LINES = 600

# The lowest layer: imports no other subpackage of sklearn_ser.
BOTTOM = {"utils"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _module_name(path: Path) -> list[str]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _unit(parts: list[str]) -> str | None:
    """The subpackage (or top-level module: ``recipes``, ``cli``, ``io``) that the
    dotted module ``parts`` belongs to; None for the package root itself."""
    if len(parts) < 2 or parts[0] != "sklearn_ser":
        return None
    return parts[1]


def _imported(path: Path) -> set[tuple[str, ...]]:
    """Dotted names (as tuples) of the sklearn_ser modules ``path`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(tuple(alias.name.split(".")))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = base + (node.module.split(".") if node.module else [])
            else:
                mod = node.module.split(".")
            found.add(tuple(mod))
            for alias in node.names:  # ``from sklearn_ser import recipes``
                found.add((*mod, alias.name))
    return {m for m in found if m and m[0] == "sklearn_ser"}


def _graph() -> dict[str, dict[str, list[str]]]:
    """unit -> {imported unit: [modules of unit that import it]}."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in _modules():
        src = _unit(_module_name(path))
        if src is None:
            continue
        for mod in _imported(path):
            dst = _unit(list(mod))
            # only real subpackages/modules (``from sklearn_ser import __version__``
            # names the root)
            if dst is None or dst == src:
                continue
            if not ((PACKAGE / dst).is_dir() or (PACKAGE / f"{dst}.py").exists()):
                continue
            graph[src][dst].append(str(path.relative_to(PACKAGE)))
    return graph


def _cycles(graph) -> list[list[str]]:
    """Every elementary cycle's node list found by a DFS (one per back edge)."""
    cycles, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == "open":
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_scan_sees_lazy_and_relative_imports(tmp_path):
    # the scanner itself: an import inside a function and a relative import count
    pkg = tmp_path / "sklearn_ser" / "a"
    pkg.mkdir(parents=True)
    mod = pkg / "_m.py"
    mod.write_text(
        "from ..b import x\n"
        "def f():\n    from sklearn_ser.c._k import y\n    import sklearn_ser.d\n"
    )
    global PACKAGE
    old, PACKAGE = PACKAGE, tmp_path / "sklearn_ser"
    try:
        found = _imported(mod)
    finally:
        PACKAGE = old
    assert {("sklearn_ser", "b"), ("sklearn_ser", "c", "_k"), ("sklearn_ser", "d")} <= (
        found
    )
    assert _cycles({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}}) == [
        ["a", "b", "c", "a"]
    ]
    assert _cycles({"a": {"b": []}, "b": {}}) == []


def test_no_import_cycle_between_subpackages():
    graph = _graph()
    lines = []
    for cycle in _cycles(graph):
        hops = [
            f"{a} -> {b} ({', '.join(sorted(set(graph[a][b])))})"
            for a, b in zip(cycle, cycle[1:], strict=False)
        ]
        lines.append("; ".join(hops))
    assert not lines, "import cycles between subpackages:\n" + "\n".join(lines)


@pytest.mark.parametrize("unit", sorted(BOTTOM))
def test_bottom_layer_imports_no_subpackage(unit):
    graph = _graph()
    assert not graph.get(unit), f"{unit} imports {dict(graph[unit])}"


def test_modules_are_small():
    too_long = {}
    for path in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            too_long[rel] = n
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"


def test_ser_classifier_is_small():
    """The estimator asks its loss and its module (their contracts) instead of
    branching on them, which keeps it readable in one sitting (issue 12)."""
    tree = ast.parse((PACKAGE / "models" / "_base.py").read_text(encoding="utf-8"))
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef)
              and n.name == "SERClassifier"]
    assert cls.end_lineno - cls.lineno + 1 < 350
