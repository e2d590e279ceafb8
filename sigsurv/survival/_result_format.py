"""Small helpers shared by the engine's result classes: tables to JSON, one-row summaries.

Every result of :mod:`sigsurv.survival` speaks :mod:`sigsurv._results`' language
(``summary``, ``to_dict()``, ``to_text()``, ``_repr_html_()``); these helpers keep
their ``to_dict`` methods in one vocabulary: data frames become lists of records,
non-finite numbers become None, NumPy scalars become Python numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._json import to_jsonable

__all__ = ["jsonable", "one_row", "records"]


def jsonable(value: Any) -> Any:
    """``value`` with data frames as records and series as dicts, in plain JSON types.

    Examples
    --------
    >>> jsonable({"hr": np.float64("inf"), "groups": pd.Series([1, 2], index=["a", "b"])})
    {'hr': None, 'groups': {'a': 1, 'b': 2}}
    """
    if isinstance(value, pd.DataFrame):
        return records(value)
    if isinstance(value, pd.Series):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    return to_jsonable(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON-ready records; a named (non-range) index becomes a column.

    Examples
    --------
    >>> frame = pd.DataFrame({"p": [0.5, np.nan]}, index=pd.Index(["x", "GLOBAL"], name="term"))
    >>> records(frame)
    [{'term': 'x', 'p': 0.5}, {'term': 'GLOBAL', 'p': None}]
    """
    keep_index = frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex)
    flat = frame.reset_index() if keep_index else frame
    if keep_index and frame.index.name is None:
        flat = flat.rename(columns={"index": "label"})
    rows = flat.to_dict(orient="records")
    return [{str(key): jsonable(value) for key, value in row.items()} for row in rows]


def one_row(values: Mapping[str, Any], label: str, index_name: str = "result") -> pd.DataFrame:
    """A one-row summary table indexed by ``label``.

    Examples
    --------
    >>> one_row({"chisq": 3.2, "p": 0.07}, "log-rank").to_dict(orient="records")
    [{'chisq': 3.2, 'p': 0.07}]
    """
    return pd.DataFrame([dict(values)], index=pd.Index([label], name=index_name))
