"""The report of a gene-identifier harmonisation: what happened to each identifier."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

_EXAMPLES_SHOWN = 5


def _examples(items: Iterable[str]) -> str:
    items = list(items)
    shown = ", ".join(items[:_EXAMPLES_SHOWN])
    return shown + (", ..." if len(items) > _EXAMPLES_SHOWN else "")


@dataclass
class GeneMapReport:
    """What happened to each gene identifier during harmonisation.

    Counts (``n_input``, ``mapped``, ``unchanged``) are per element; the dicts
    and lists hold distinct inputs (as strings) in first-occurrence order.

    Attributes
    ----------
    identifier_type
        ``symbol``, ``entrez``, ``ensembl``, ``mirbase`` or ``probe``.
    n_input
        Number of identifiers given.
    mapped
        How many were mapped to a current symbol.
    unchanged
        How many were already current symbols, exactly as given.
    renamed
        ``{input: current symbol}`` for previous symbols / aliases, repaired Excel
        dates, and every translated Entrez / Ensembl / miRBase identifier.
    case_fixed
        ``{input: current symbol}`` for symbols given in another case or with
        surrounding whitespace.
    ambiguous
        ``{input: [candidate symbols]}``: names several genes; not mapped.
    unmapped
        Identifiers that name no gene of the table; not mapped.
    collapsed
        ``{symbol: [inputs]}``: rows that ended up with the same identifier and were
        collapsed into one (filled by :func:`harmonise_expression`).
    excel_mangled
        ``{input: [candidate symbols]}`` for identifiers that look like Excel dates;
        exactly one candidate means it was repaired (and is also in ``renamed``),
        several that it is ambiguous, none that it is unmapped.
    collapse_rule
        The rule used to collapse duplicates (``None`` before collapsing).
    collapse_kept
        ``{symbol: input}``: the row kept for each collapsed symbol (``max_mean``
        and ``max_var`` rules).
    n_output
        Number of rows after collapsing (``None`` before collapsing).
    gene_table
        Provenance of the gene table used.
    """

    identifier_type: str
    n_input: int = 0
    mapped: int = 0
    unchanged: int = 0
    renamed: dict[str, str] = field(default_factory=dict)
    case_fixed: dict[str, str] = field(default_factory=dict)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    collapsed: dict[str, list[str]] = field(default_factory=dict)
    excel_mangled: dict[str, list[str]] = field(default_factory=dict)
    collapse_rule: str | None = None
    collapse_kept: dict[str, str] = field(default_factory=dict)
    n_output: int | None = None
    gene_table: str = ""

    @property
    def n_not_mapped(self) -> int:
        """How many identifiers (elements) were not mapped: unmapped plus ambiguous."""
        return self.n_input - self.mapped

    @property
    def excel_repaired(self) -> dict[str, str]:
        """``{input: symbol}`` for the Excel-mangled identifiers that were repaired."""
        return {key: value[0] for key, value in self.excel_mangled.items() if len(value) == 1}

    def to_text(self) -> str:
        """One paragraph describing the harmonisation, for a CLI to print.

        Examples
        --------
        >>> from sigsurv.cohorts.genes import map_identifiers
        >>> _, report = map_identifiers(["TP53", "HER2", "SIP1", "NOTAGENE"])
        >>> print(report.to_text())  # doctest: +NORMALIZE_WHITESPACE
        4 symbol identifiers: 2 mapped to current symbols (1 unchanged; 1 renamed: HER2->ERBB2);
        1 ambiguous, kept as given (SIP1: GEMIN2|SCAF11|SLC9A3R2|ZEB2);
        1 unmapped, kept as given (NOTAGENE).
        """
        parts = [f"{self.n_input} {self.identifier_type} identifiers: {self.mapped} mapped"]
        details = [f"{self.unchanged} unchanged"] if self.identifier_type == "symbol" else []
        if self.case_fixed:
            pairs = (f"{k}->{v}" for k, v in self.case_fixed.items())
            details.append(f"{len(self.case_fixed)} case-fixed: {_examples(pairs)}")
        if self.renamed:
            pairs = (f"{k}->{v}" for k, v in self.renamed.items())
            details.append(f"{len(self.renamed)} renamed: {_examples(pairs)}")
        parts[0] += " to current symbols" + (f" ({'; '.join(details)})" if details else "")
        if self.ambiguous:
            pairs = (f"{k}: {'|'.join(v)}" for k, v in self.ambiguous.items())
            parts.append(f"{len(self.ambiguous)} ambiguous, kept as given ({_examples(pairs)})")
        if self.unmapped:
            parts.append(
                f"{len(self.unmapped)} unmapped, kept as given ({_examples(self.unmapped)})"
            )
        if self.excel_mangled:
            repaired = self.excel_repaired
            others = [key for key in self.excel_mangled if key not in repaired]
            parts.append(
                f"{len(self.excel_mangled)} look like Excel-mangled dates "
                f"({len(repaired)} repaired: "
                f"{_examples(f'{k}->{v}' for k, v in repaired.items()) or 'none'}; "
                f"not repaired: {_examples(others) or 'none'})"
            )
        if self.collapse_rule is not None:
            n_rows = sum(len(v) for v in self.collapsed.values())
            parts.append(
                f"{len(self.collapsed)} identifiers occurred on several rows: {n_rows} rows "
                f"collapsed by rule {self.collapse_rule} ({self.n_output} rows remain)"
                if self.collapsed
                else f"no duplicated identifiers ({self.n_output} rows)"
            )
        return "; ".join(parts) + "."

    def summary(self) -> str:
        """Deprecated alias of :meth:`to_text`; it will be removed in the next release.

        In sigsurv's API ``summary`` means a table (a DataFrame); text renderings are
        ``to_text()``.

        Examples
        --------
        >>> import warnings
        >>> from sigsurv.cohorts.genes import map_identifiers
        >>> _, report = map_identifiers(["HER2"])
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     text = report.summary()
        >>> text == report.to_text(), caught[0].category.__name__
        (True, 'DeprecationWarning')
        """
        warnings.warn(
            "GeneMapReport.summary() is deprecated; use GeneMapReport.to_text()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.to_text()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field.

        Examples
        --------
        >>> import json
        >>> from sigsurv.cohorts.genes import map_identifiers
        >>> _, report = map_identifiers(["MSK1"])
        >>> json.loads(json.dumps(report.to_dict()))["renamed"]
        {'MSK1': 'RPS6KA5'}
        """
        data = asdict(self)
        data["n_not_mapped"] = self.n_not_mapped
        return data
