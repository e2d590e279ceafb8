"""Safe subgroup expressions: ``er == 'positive' and grade >= 2``.

User-supplied filters are parsed with :func:`ast.parse` (which never executes
anything) and then checked against a whitelist: comparisons of a clinical column
with literals (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in``, ``not in``),
combined with ``and``, ``or``, ``not`` and parentheses. Calls, attributes,
subscripts, arithmetic, names other than clinical columns, and anything else are
refused with :class:`~sigsurv.errors.UnsafeExpressionError`; nothing is passed to
``eval`` or ``DataFrame.query``. Column names that are not Python identifiers are
written in backticks (```ER Status` == 'Positive'``).

String comparisons are case-insensitive and ignore surrounding spaces; a sample
whose value is missing never matches (so ``not`` does not select missing values).
"""

from __future__ import annotations

import ast
import re

import numpy as np
import pandas as pd

from sigsurv.errors import UnsafeExpressionError

__all__ = ["MAX_EXPRESSION_LENGTH", "evaluate_subgroup", "parse_subgroup"]

MAX_EXPRESSION_LENGTH = 500
_BACKTICK = re.compile(r"`([^`]+)`")
_COMPARATORS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}


MAX_EXACT_INTEGER = 2**53  # larger integers are not exact as floats (the values are floats)


def _number(value: int | float, text: str, node: ast.AST) -> int | float:
    """A numeric literal the comparison can use exactly (finite, an exact float)."""
    if isinstance(value, int) and abs(value) > MAX_EXACT_INTEGER:
        raise UnsafeExpressionError(
            "subgroup expression: number too large to compare exactly",
            expected=f"at most {MAX_EXACT_INTEGER} in absolute value",
            found=f"a {len(str(abs(value)))}-digit integer",
        )
    if isinstance(value, float) and not np.isfinite(value):
        raise UnsafeExpressionError(
            "subgroup expression: number is not finite",
            found=ast.get_source_segment(text, node) or str(value),
        )
    return value


def _literal(node: ast.AST, text: str) -> object:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not (isinstance(node.value, bool))
    ):
        return _number(node.value, text, node)
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, (int, float))
        and not isinstance(node.operand.value, bool)
    ):
        return -_number(node.operand.value, text, node)
    raise UnsafeExpressionError(
        "subgroup expression: only literal strings and numbers may be compared",
        expected="column == 'value', column >= 2, column in ['a', 'b']",
        found=ast.get_source_segment(text, node) or type(node).__name__,
    )


def _check(node: ast.AST, text: str, names: dict[str, str]) -> tuple:
    """Validate a node and return a small tuple tree (the parsed, safe form)."""
    if isinstance(node, ast.BoolOp):
        joiner = "and" if isinstance(node.op, ast.And) else "or"
        return (joiner, [_check(value, text, names) for value in node.values])
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return ("not", _check(node.operand, text, names))
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1:
            raise UnsafeExpressionError(
                "subgroup expression: chained comparisons are not supported",
                found=ast.get_source_segment(text, node),
                hint="write a < x and x < b",
            )
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if not isinstance(left, ast.Name):
            raise UnsafeExpressionError(
                "subgroup expression: the left side of a comparison must be a column name",
                found=ast.get_source_segment(text, left) or type(left).__name__,
            )
        if type(op) not in _COMPARATORS:
            raise UnsafeExpressionError(
                "subgroup expression: unsupported operator", found=type(op).__name__
            )
        column = names.get(left.id, left.id)
        symbol = _COMPARATORS[type(op)]
        if symbol in ("in", "not in"):
            if not isinstance(right, (ast.List, ast.Tuple, ast.Set)):
                raise UnsafeExpressionError(
                    "subgroup expression: 'in' needs a list of literals",
                    found=ast.get_source_segment(text, right),
                )
            values = [_literal(element, text) for element in right.elts]
            return ("cmp", column, symbol, values)
        return ("cmp", column, symbol, _literal(right, text))
    if isinstance(node, ast.Name):
        raise UnsafeExpressionError(
            "subgroup expression: a bare column name is not a condition",
            found=node.id,
            hint=f"compare it: {node.id} == 'value'",
        )
    raise UnsafeExpressionError(
        "subgroup expression: not allowed (only comparisons of clinical columns with "
        "literals, and/or/not, parentheses)",
        found=ast.get_source_segment(text, node) or type(node).__name__,
    )


def parse_subgroup(expression: str) -> tuple:
    """Parse and validate a subgroup expression; return its safe tree form.

    Raises
    ------
    UnsafeExpressionError
        Anything outside the grammar, e.g. ``__import__('os').system('true')``.

    Examples
    --------
    >>> parse_subgroup("er == 'positive' and grade >= 2")
    ('and', [('cmp', 'er', '==', 'positive'), ('cmp', 'grade', '>=', 2)])
    >>> parse_subgroup("__import__('os').system('true')")
    Traceback (most recent call last):
    ...
    sigsurv.errors.UnsafeExpressionError: subgroup expression: not allowed (only ...
    """
    if not isinstance(expression, str) or not expression.strip():
        raise UnsafeExpressionError(
            "subgroup expression is empty", expected="e.g. er == 'positive'"
        )
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise UnsafeExpressionError(
            "subgroup expression is too long",
            expected=f"at most {MAX_EXPRESSION_LENGTH} characters",
            found=f"{len(expression)} characters",
        )
    names: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        key = f"_col{len(names)}_"
        names[key] = match.group(1)
        return key

    text = _BACKTICK.sub(placeholder, expression.strip())
    if "`" in text:
        raise UnsafeExpressionError("subgroup expression: unbalanced backtick", found=expression)
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise UnsafeExpressionError(
            "subgroup expression is not valid",
            expected="e.g. er == 'positive' and grade >= 2",
            found=expression,
            hint=str(getattr(exc, "msg", exc)),
        ) from None
    return _check(tree.body, text, names)


def _compare(values: pd.Series, symbol: str, literal: object, column: str) -> np.ndarray:
    present = values.notna().to_numpy()
    if isinstance(literal, list):
        matches = np.zeros(len(values), dtype=bool)
        for item in literal:
            matches |= _compare(values, "==", item, column)
        return matches if symbol == "in" else (~matches & present)
    if isinstance(literal, str):
        numeric_column = pd.api.types.is_numeric_dtype(values) and not (
            pd.api.types.is_bool_dtype(values)
        )
        if numeric_column:  # text never equals a number: it would silently select nobody
            raise UnsafeExpressionError(
                "subgroup expression compares a numeric column with text",
                column=column,
                found=repr(literal),
                hint=f"write the number without quotes, e.g. {column} == {literal.strip()}"
                if _is_number(literal)
                else "the column holds numbers",
            )
        if symbol not in ("==", "!="):
            raise UnsafeExpressionError(
                f"subgroup expression: '{symbol}' needs a number",
                column=column,
                found=repr(literal),
            )
        text = values.astype(object).map(lambda v: str(v).strip().lower(), na_action="ignore")
        equal = (text == literal.strip().lower()).fillna(False).to_numpy(dtype=bool)
        return equal if symbol == "==" else (~equal & present)
    numeric = pd.to_numeric(values, errors="coerce")
    not_numeric = numeric.isna() & values.notna()
    if not_numeric.any():
        raise UnsafeExpressionError(
            "subgroup expression compares a non-numeric column with a number",
            column=column,
            found=repr(values[not_numeric].iloc[0]),
            hint="quote the value: column == 'value'",
        )
    array = numeric.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        result = {
            "==": array == literal,
            "!=": array != literal,
            "<": array < literal,
            "<=": array <= literal,
            ">": array > literal,
            ">=": array >= literal,
        }[symbol]
    return result & present


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _evaluate(tree: tuple, clinical: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return (selected, known) masks; ``known`` is False where a value is missing."""
    kind = tree[0]
    if kind == "cmp":
        _, column, symbol, literal = tree
        if column not in clinical.columns:
            raise UnsafeExpressionError(
                "subgroup expression names an unknown clinical column",
                column=column,
                expected="one of: " + ", ".join(map(str, clinical.columns[:30])),
            )
        values = clinical[column]
        return _compare(values, symbol, literal, column), values.notna().to_numpy()
    if kind == "not":
        selected, known = _evaluate(tree[1], clinical)
        return ~selected & known, known
    parts = [_evaluate(child, clinical) for child in tree[1]]
    selected = parts[0][0].copy()
    known = parts[0][1].copy()
    for part_selected, part_known in parts[1:]:
        if kind == "and":
            selected &= part_selected
        else:
            selected |= part_selected
        known &= part_known
    return selected, known


def evaluate_subgroup(expression: str, clinical: pd.DataFrame) -> np.ndarray:
    """Boolean mask of the samples (rows of ``clinical``) selected by an expression.

    Examples
    --------
    >>> import pandas as pd
    >>> clin = pd.DataFrame({"er": ["positive", "negative", None], "grade": [3, 1, 2]})
    >>> evaluate_subgroup("er == 'Positive' or grade <= 2", clin).tolist()
    [True, True, True]
    >>> evaluate_subgroup("not er == 'positive'", clin).tolist()
    [False, True, False]
    """
    tree = parse_subgroup(expression)
    selected, _ = _evaluate(tree, clinical)
    return selected
