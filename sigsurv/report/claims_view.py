"""Terminal views of claim records (``sigsurv claims list | show | validate``)."""

from __future__ import annotations

from typing import Any

import yaml
from rich.markup import escape
from rich.table import Table

__all__ = ["claim_text", "claims_table", "validated_lines"]


def claims_table(rows: list[dict[str, Any]]) -> Table:
    """The claims (rows of :func:`sigsurv.seeds.user.claim_row`), built-in and users'.

    Examples
    --------
    >>> claims_table([{"id": "c", "origin": "source 10.1000/1", "statistic": "hazard_ratio",
    ...                "value": 1.5, "endpoint": "rfs", "population": "all",
    ...                "expected_direction": "harmful", "signature_id": "s"}]).row_count
    1
    """
    table = Table(title="Claims ('sigsurv claims show ID' for endpoint, population and more)")
    table.add_column("id", no_wrap=True)
    for column in ("from", "statistic", "value", "higher score", "signature"):
        table.add_column(column)
    for row in rows:
        value = "" if row["value"] is None else f"{row['value']:g}"
        table.add_row(
            escape(row["id"]),
            escape(row["origin"]),
            escape(row["statistic"]),
            value,
            escape(row["expected_direction"]),
            escape(row["signature_id"]),
        )
    return table


def claim_text(record: dict[str, Any]) -> str:
    """One claim's record (:meth:`sigsurv.seeds.Claim.to_dict`) as YAML, empty fields left out.

    Examples
    --------
    >>> print(claim_text({"id": "c", "value": 1.5, "notes": [], "table": None}), end="")
    id: c
    value: 1.5
    """
    shown = {k: v for k, v in record.items() if v not in (None, "", [], {})}
    return yaml.safe_dump(shown, sort_keys=False, allow_unicode=True, width=88)


def validated_lines(files: list[dict[str, Any]]) -> list[str]:
    """One line per valid claim file (:meth:`sigsurv.seeds.ClaimFile.to_dict`).

    Examples
    --------
    >>> validated_lines([{"path": "c.yaml", "claims": ["a", "b"], "source": "PMID:1"}])
    ['c.yaml: valid claim record (source PMID:1), 2 claims: a, b']
    """
    out = []
    for info in files:
        n = len(info["claims"])
        ids = ", ".join(info["claims"])
        word = "claim" if n == 1 else "claims"
        out.append(
            f"{info['path']}: valid claim record (source {info['source']}), {n} {word}: {ids}"
        )
    return out
