"""The result of scoring: the scores and, as explicit fields, how they were made.

The coverage report used to travel in ``DataFrame.attrs``, which pandas deep-copies on
every ``__getitem__`` and ``.T`` (1.33 million ``deepcopy`` calls in one ``reproduce``
run); it is now a field of :class:`ScoreResult`, and the scores table carries no attrs.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["NOT_SCORED_COLUMNS", "ScoreResult"]

NOT_SCORED_COLUMNS: tuple[str, ...] = ("sample", "signature", "n_genes_measured", "reason")


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Per-sample signature scores with their coverage report.

    Attributes
    ----------
    scores
        Samples x signatures (input order); NaN only for the samples listed in
        ``not_scored``.
    coverage
        One row per signature (index ``signature``): ``n_genes`` requested,
        ``n_found`` in the matrix, ``fraction`` found, ``found`` and ``missing``
        (tuples of symbols, signature order), ``min_genes_per_sample`` (signature
        genes measured in the worst sample: below ``n_found`` only with NA cells),
        ``n_scored`` and ``n_not_scored`` samples.
    gene_counts
        Samples x signatures: signature genes with a value in each sample.
    not_scored
        One row per (sample, signature) left NA: ``sample``, ``signature``,
        ``n_genes_measured`` and ``reason``.
    method, options
        The scoring method and its resolved options.

    Examples
    --------
    >>> from sigsurv.scoring import score_signatures
    >>> expr = pd.DataFrame([[1.0, 2.0, 3.0], [2.0, 1.0, 4.0]], index=["A", "B"],
    ...                     columns=["s1", "s2", "s3"])
    >>> result = score_signatures(expr, {"ab": ["A", "B", "C"]})
    >>> result.scores.shape, int(result.coverage.loc["ab", "n_found"])
    ((3, 1), 2)
    >>> print(result.to_text())
    mean_z scores of 3 samples
    ab: 2 of 3 genes found (66.7%), every sample scored; missing: C
    """

    scores: pd.DataFrame
    coverage: pd.DataFrame
    gene_counts: pd.DataFrame
    not_scored: pd.DataFrame
    method: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> pd.DataFrame:
        """The coverage table (one row per signature)."""
        return self.coverage

    def coverage_record(self, signature: str) -> dict[str, Any]:
        """One signature's coverage as plain values (JSON-ready).

        ``n_genes, n_found, fraction, found, missing``; with NA cells also
        ``min_genes_per_sample`` and ``n_not_scored``.

        Examples
        --------
        >>> from sigsurv.scoring import score_signatures
        >>> expr = pd.DataFrame([[1.0, 2.0], [2.0, 1.0]], index=["A", "B"],
        ...                     columns=["s1", "s2"])
        >>> score_signatures(expr, {"ab": ["A", "B"]}).coverage_record("ab")["n_found"]
        2
        """
        row = self.coverage.loc[signature]
        record: dict[str, Any] = {
            "n_genes": int(row["n_genes"]),
            "n_found": int(row["n_found"]),
            "fraction": float(row["fraction"]),
            "found": tuple(row["found"]),
            "missing": tuple(row["missing"]),
        }
        if int(row["min_genes_per_sample"]) < int(row["n_found"]):
            record["min_genes_per_sample"] = int(row["min_genes_per_sample"])
            record["n_not_scored"] = int(row["n_not_scored"])
        return record

    def coverage_records(self) -> dict[str, dict[str, Any]]:
        """:meth:`coverage_record` of every signature, in column order."""
        return {str(sig): self.coverage_record(sig) for sig in self.coverage.index}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: method, options, coverage, not-scored samples and the scores.

        Examples
        --------
        >>> from sigsurv.scoring import score_signatures
        >>> expr = pd.DataFrame([[1.0, 2.0], [2.0, 1.0]], index=["A", "B"],
        ...                     columns=["s1", "s2"])
        >>> sorted(score_signatures(expr, {"ab": ["A", "B"]}).to_dict())
        ['coverage', 'method', 'not_scored', 'options', 'scores']
        """
        scores = {
            str(sig): [None if np.isnan(v) else float(v) for v in self.scores[sig].to_numpy()]
            for sig in self.scores.columns
        }
        return {
            "method": self.method,
            "options": {
                str(k): v if isinstance(v, (bool, int, float, str, type(None))) else repr(v)
                for k, v in self.options.items()
            },
            "coverage": {
                sig: {**rec, "found": list(rec["found"]), "missing": list(rec["missing"])}
                for sig, rec in self.coverage_records().items()
            },
            "not_scored": self.not_scored.to_dict(orient="records"),
            "scores": {"sample": [str(s) for s in self.scores.index], **scores},
        }

    def to_text(self) -> str:
        """A few lines: per signature, genes found, samples scored, genes missing."""
        lines = [f"{self.method} scores of {self.scores.shape[0]} samples"]
        for sig in self.coverage.index:
            row = self.coverage_record(sig)
            n_not_scored = row.get("n_not_scored", 0)
            scored = (
                "every sample scored"
                if n_not_scored == 0
                else f"{n_not_scored} sample(s) not scored (too few genes measured)"
            )
            text = (
                f"{sig}: {row['n_found']} of {row['n_genes']} genes found "
                f"({100 * row['fraction']:.3g}%), {scored}"
            )
            if "min_genes_per_sample" in row:
                text += f"; at least {row['min_genes_per_sample']} genes measured per sample"
            if row["missing"]:
                text += f"; missing: {', '.join(row['missing'][:20])}"
            lines.append(text)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        table = self.coverage.drop(columns=["found"]).copy()
        table["missing"] = [", ".join(m) for m in table["missing"]]
        head = html.escape(f"{self.method} scores of {self.scores.shape[0]} samples")
        return f"<p><b>{head}</b></p>" + table.to_html()
