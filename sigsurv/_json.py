"""The package's one JSON writer: strict JSON, deterministic, never NaN or Infinity.

Every JSON sigsurv writes (``results.json``, ``run.json``, ``--json`` output of the CLI,
the manifest embedded in the HTML report) goes through :func:`dumps`, so the same
value is always written the same way:

* non-finite floats (NaN, +/-Infinity) become ``null``: they are not JSON, and a
  quantity that could not be estimated is *missing*, not a number;
* NumPy scalars and arrays become Python numbers and lists, paths become strings,
  tuples and sets become lists (sets sorted, for determinism);
* anything else that is not JSON raises :class:`TypeError` rather than being
  silently stringified.
"""

from __future__ import annotations

import json
import math
from pathlib import Path, PurePath
from typing import Any

import numpy as np

__all__ = ["dumps", "to_jsonable", "write_json"]


def to_jsonable(value: Any) -> Any:
    """Convert a value to plain JSON types (non-finite floats become None).

    Examples
    --------
    >>> import numpy as np
    >>> to_jsonable({"hr": np.float64("nan"), "n": np.int64(3), "ci": (0.5, float("inf"))})
    {'hr': None, 'n': 3, 'ci': [0.5, None]}
    """
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return [to_jsonable(item) for item in sorted(value, key=repr)]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, PurePath):
        return str(value)
    return value


def dumps(payload: Any, *, sort_keys: bool = True) -> str:
    """Serialise to strict JSON: 2-space indent, a final newline, NaN/Infinity as null.

    Parameters
    ----------
    payload
        Dicts, lists, numbers, strings, NumPy scalars/arrays, paths.
    sort_keys
        Sort object keys (files); False keeps the insertion order (listings shown
        to a user, where the order carries meaning).

    Examples
    --------
    >>> dumps({"b": float("nan"), "a": 1})
    '{\\n  "a": 1,\\n  "b": null\\n}\\n'
    >>> dumps({"b": 1, "a": 2}, sort_keys=False).split()[1]
    '"b":'
    """
    return json.dumps(to_jsonable(payload), indent=2, sort_keys=sort_keys, allow_nan=False) + "\n"


def write_json(payload: Any, path: str | Path, *, sort_keys: bool = True) -> str:
    """Write :func:`dumps` of ``payload`` to ``path`` (UTF-8); return the text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.json"
    >>> write_json({"p": float("inf")}, path)
    '{\\n  "p": null\\n}\\n'
    """
    text = dumps(payload, sort_keys=sort_keys)
    Path(path).write_text(text, encoding="utf-8")
    return text
