"""The package's layers, read statically from the source: no import cycles, and a core that
never reaches the edge.

The layers, innermost first:

- the core: every module directly in ``infuse_calc`` (quantities, dosing, schedules, the
  library, batch evaluation, settings...): no click, no rich, no matplotlib, no edge module;
- ``infuse_calc.formats``: rendering and file formats (text, tables, CSV/JSON, pictures,
  atomic files, reading order files): no click and no CLI module; rich and matplotlib only
  in the modules named in :data:`DRAWING`;
- ``infuse_calc.cli``: the click edge, which may use everything.

Every ``import`` counts, also one inside a function (a lazy import is still a dependency);
only those under ``if TYPE_CHECKING:`` do not, since they never run. ``importlib``'s dynamic
imports (the command registry) are not seen, and a package's ``__init__`` is not counted as
imported by its submodules' imports (as in import linters): both would make every package
with a registry look cyclic.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "infuse_calc"
EDGE_PACKAGES = (f"{PACKAGE}.cli", f"{PACKAGE}.formats")
#: the modules of infuse_calc.formats that may draw: rich tables, matplotlib pictures
DRAWING = {f"{PACKAGE}.formats.table": {"rich"}, f"{PACKAGE}.formats.plot": {"matplotlib"}}
UI_LIBRARIES = {"click", "rich", "matplotlib"}
#: ``python -m infuse_calc`` runs the command line
ENTRY_POINTS = {f"{PACKAGE}.__main__": f"{PACKAGE}.cli"}


def module_files() -> dict[str, Path]:
    """Every module of the package by dotted name (a package is its ``__init__``)."""
    found: dict[str, Path] = {}
    for path in sorted((SOURCE / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SOURCE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = module_files()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement at any depth, except the body of ``if TYPE_CHECKING:``."""
    if isinstance(tree, ast.If) and _is_type_checking(tree.test):
        for node in tree.orelse:
            yield from _import_nodes(node)
        return
    if isinstance(tree, ast.Import | ast.ImportFrom):
        yield tree
    for child in ast.iter_child_nodes(tree):
        yield from _import_nodes(child)


def imports_of(name: str) -> set[str]:
    """The dotted names a module imports: modules of the package where the name is one,
    otherwise the name as written (``click``, ``rich.console``)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            found.add(submodule if submodule in MODULES else base)
    return found


def graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (itself excluded)."""
    return {
        name: {target for target in imports_of(name) if target in MODULES and target != name}
        for name in MODULES
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def layer(name: str) -> str:
    if name in ENTRY_POINTS:
        return ENTRY_POINTS[name]
    for edge in EDGE_PACKAGES:
        if name == edge or name.startswith(edge + "."):
            return edge
    return "core"


# --- the checker checks -------------------------------------------------------------------


def test_the_graph_sees_lazy_relative_and_from_imports() -> None:
    # cli imports the config glue only inside a method; it must still be an edge
    edges = graph()
    assert f"{PACKAGE}.cli.defaults" in edges[f"{PACKAGE}.cli"]
    assert f"{PACKAGE}.units" in edges[f"{PACKAGE}.given"]  # from infuse_calc import units
    assert "click" in imports_of(f"{PACKAGE}.cli")


def test_type_checking_imports_do_not_count() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import never\nelse:\n    import always\n"
        "def f():\n    import lazy\n"
    )
    names = {alias.name for node in _import_nodes(tree) for alias in node.names}
    assert names == {"TYPE_CHECKING", "always", "lazy"}


def test_cycles_are_found() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(edges) == [["a", "b", "c"]]


# --- the layers -----------------------------------------------------------------------------


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer(n) == "core"))
def test_the_core_imports_no_ui_library_and_no_edge_module(name: str) -> None:
    imported = imports_of(name)
    libraries = {target.split(".")[0] for target in imported} & UI_LIBRARIES
    assert libraries == set(), f"{name} imports {sorted(libraries)}"
    edge = sorted(target for target in imported if target in MODULES and layer(target) != "core")
    assert edge == [], f"{name} imports the edge: {edge}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer(n) == f"{PACKAGE}.formats"))
def test_formats_import_no_click_and_draw_only_where_named(name: str) -> None:
    imported = imports_of(name)
    libraries = {target.split(".")[0] for target in imported} & UI_LIBRARIES
    assert libraries <= DRAWING.get(name, set()), f"{name} imports {sorted(libraries)}"
    cli = sorted(target for target in imported if layer(target) == f"{PACKAGE}.cli")
    assert cli == [], f"{name} imports the CLI: {cli}"


def test_the_layers_are_populated() -> None:
    # a renamed package would leave the parametrized tests above checking nothing
    layers = {layer(name) for name in MODULES}
    assert layers == {"core", *EDGE_PACKAGES}
    assert set(DRAWING) <= set(MODULES)


# --- sizes ------------------------------------------------------------------------------------

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def oversize() -> list[str]:
    """Modules over :data:`MAX_MODULE_LINES` and functions over :data:`MAX_FUNCTION_LINES`
    (docstrings included: a command's help text is part of its function)."""
    found: list[str] = []
    for name, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found.append(name)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                    found.append(f"{name}.{node.name}")
    return sorted(found)


def test_no_module_or_function_over_the_size_limits() -> None:
    # the modules and functions that were over when this test was written have all been
    # split: no allow-list, so a module or function that grows over a limit fails
    assert oversize() == []
