"""Size budgets of the code (issue 23): modules a reader can hold, functions one screen long.

* no module of ``sigsurv/`` over 800 lines, none of ``sigsurv/claims/`` over 500;
* at most 5 functions over 80 lines of code, counted as the lines of the body that are
  neither blank nor comments, the docstring excluded.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sigsurv"
MODULE_LINES = 800
CLAIMS_MODULE_LINES = 500
FUNCTION_CODE_LINES = 80
LONG_FUNCTIONS_ALLOWED = 5


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def code_lines(function: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """Body lines that are neither blank nor comments, the docstring excluded."""
    body = function.body
    first = body[0]
    has_docstring = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    start = (first.end_lineno or first.lineno) + 1 if has_docstring else first.lineno
    segment = lines[start - 1 : function.end_lineno]
    return sum(1 for line in segment if line.strip() and not line.strip().startswith("#"))


def long_functions() -> list[tuple[int, str]]:
    """``(code lines, "module:line name")`` of every function over the budget."""
    found = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = code_lines(node, lines)
                if size > FUNCTION_CODE_LINES:
                    where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}"
                    found.append((size, where))
    return sorted(found, reverse=True)


def test_code_lines_are_counted_without_docstring_blank_lines_and_comments():
    source = 'def f():\n    """Doc.\n\n    More.\n    """\n\n    # why\n    x = 1\n    return x\n'
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    assert code_lines(function, source.splitlines()) == 2


def test_no_module_over_800_lines():
    sizes = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in _modules()}
    over = {str(p.relative_to(PACKAGE.parent)): n for p, n in sizes.items() if n > MODULE_LINES}
    assert not over, f"modules over {MODULE_LINES} lines: {over}"


def test_no_claims_module_over_500_lines():
    over = {
        str(path.relative_to(PACKAGE.parent)): n
        for path in sorted((PACKAGE / "claims").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > CLAIMS_MODULE_LINES
    }
    assert not over, f"claims modules over {CLAIMS_MODULE_LINES} lines: {over}"


def test_at_most_five_functions_over_80_lines_of_code():
    found = long_functions()
    assert len(found) <= LONG_FUNCTIONS_ALLOWED, f"functions over {FUNCTION_CODE_LINES}: {found}"
