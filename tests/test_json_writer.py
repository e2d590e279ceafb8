"""sigsurv._json: every JSON sigsurv writes is strict (no NaN/Infinity) and deterministic."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from sigsurv._json import dumps, to_jsonable, write_json


def test_non_finite_numbers_become_null_at_any_depth():
    payload = {
        "a": [1.0, np.nan, {"b": np.float32("inf")}],
        "c": np.array([[0.5, -np.inf]]),
        "d": (np.int64(2), np.bool_(True)),
    }
    text = dumps(payload)
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"a": [1.0, None, {"b": None}], "c": [[0.5, None]], "d": [2, True]}


def test_output_is_deterministic_and_strict(tmp_path):
    first = write_json({"z": {3, 1, 2}, "path": Path("x/y.tsv"), "a": math.pi}, tmp_path / "o.json")
    assert first == (tmp_path / "o.json").read_text(encoding="utf-8")
    assert list(json.loads(first)) == ["a", "path", "z"]
    assert json.loads(first)["z"] == [1, 2, 3]
    assert first.endswith("}\n")
    assert dumps({"b": 1, "a": 2}, sort_keys=False).index('"b"') < dumps({"b": 1, "a": 2}).index(
        '"b"'
    )


def test_unknown_objects_are_refused_not_stringified():
    with pytest.raises(TypeError):
        dumps({"value": object()})
    assert to_jsonable("text") == "text" and to_jsonable(None) is None
