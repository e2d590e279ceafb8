"""The package's architecture: layers in data-flow order, no import cycles, a cheap root.

The import graph is built from the source with ``ast`` and includes every import,
also those inside functions and under ``if TYPE_CHECKING:`` (a lower layer must not
reach a higher one even lazily). ``pyproject.toml``'s import-linter contract states
the same layers for ``lint-imports``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "sigsurv"

# Highest first. A module may import its own layer and the layers below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__main__",),
    ("cli",),
    ("_cli_options",),
    ("report",),
    ("plots",),
    ("claims",),
    ("analysis",),
    ("survival",),
    ("scoring",),
    ("seeds",),
    ("signatures",),
    ("cohorts",),
    ("errors",),  # with every other private root helper (_json, _yaml, _version, ...)
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}


def _imported(module: str, path: Path, node: ast.AST) -> list[str]:
    """The sigsurv modules one import statement imports (``from a import b``: a.b if a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        kept = package[: len(package) - node.level + 1]
        base = ".".join([*kept, node.module or ""]).strip(".")
    else:
        base = node.module or ""
    known = modules()
    return [
        f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names
    ]


@cache
def import_graph() -> dict[str, dict[str, int]]:
    """module -> {imported sigsurv module: line of the first import}."""
    graph: dict[str, dict[str, int]] = defaultdict(dict)
    for module, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _imported(module, path, node):
                if target.split(".")[0] == "sigsurv" and target != module:
                    graph[module].setdefault(target, getattr(node, "lineno", 0))
    return dict(graph)


def layer_of(module: str) -> int | None:
    """Index of a module's layer in LAYERS (None for the package root)."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    top = parts[1]
    for index, members in enumerate(LAYERS):
        if top in members:
            return index
    if top.startswith("_"):
        return len(LAYERS) - 1  # private root helpers are the bottom layer
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and pyproject.toml")


def upward_imports() -> dict[tuple[str, str], int]:
    found = {}
    for module, targets in import_graph().items():
        for target, line in targets.items():
            low, high = layer_of(module), layer_of(target)
            if low is not None and high is not None and high < low:
                found[(module, ".".join(target.split(".")[:2]))] = line
    return found


def test_every_module_has_a_layer():
    for module in modules():
        layer_of(module)


def test_no_upward_imports():
    violations = [
        f"{importer} imports {imported} (line {line})"
        for (importer, imported), line in sorted(upward_imports().items())
    ]
    assert violations == []


def test_an_upward_import_inside_a_function_is_seen(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    from sigsurv.claims import reproduce\n")
    tree = ast.parse(module.read_text())
    found = [t for node in ast.walk(tree) for t in _imported("sigsurv.cohorts.probe", module, node)]
    assert found == ["sigsurv.claims.reproduce"]
    assert layer_of("sigsurv.claims.reproduce") < layer_of("sigsurv.cohorts.probe")


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, {}))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def test_no_import_cycles():
    assert _cycles(import_graph()) == []


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_module_imports_the_package_root():
    # The root re-exports everything lazily; importing it from inside would hide a cycle.
    importers = [m for m, targets in import_graph().items() if "sigsurv" in targets]
    assert importers == []


def test_root_exports_are_declared_once():
    import sigsurv

    tree = ast.parse((PACKAGE_DIR / "__init__.py").read_text(encoding="utf-8"))
    type_checking = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
    )
    seen_by_mypy = {
        alias.asname or alias.name
        for node in type_checking.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    exports = set(sigsurv._EXPORTS)
    assert seen_by_mypy == exports
    assert set(sigsurv.__all__) == exports | {"__version__"}
    assert set(dir(sigsurv)) >= set(sigsurv.__all__)
    for name in sorted(exports):
        assert getattr(sigsurv, name) is not None


def _modules_loaded_by(code: str) -> set[str]:
    root = str(PACKAGE_DIR.parent)
    output = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={"PYTHONPATH": root, "PATH": ""},
    ).stdout
    return set(output.split())


HEAVY = {"numpy", "pandas", "scipy", "matplotlib"}


def test_importing_the_package_loads_no_heavy_dependency():
    assert _modules_loaded_by("import sigsurv") & HEAVY == set()


def test_cli_help_loads_no_heavy_dependency():
    code = "from sigsurv.cli import main\nmain(['--help'])"
    assert _modules_loaded_by(code) & HEAVY == set()
