"""Which gene sets track survival: preranked GSEA (gseapy) of the genome-wide Cox z.

Genes are ranked by the Wald z of their univariate Cox model (from
:func:`~sigsurv.survival.cox_scan.cox_scan`): positive z = higher expression, higher
hazard. A set with a positive normalised enrichment score is enriched among
harmful genes, a negative one among protective genes. Signed signatures are split
into their ``_UP`` and ``_DN`` halves (GSEA scores unsigned sets).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sigsurv.analysis.data import prepare_survival
from sigsurv.cohorts.model import Cohort
from sigsurv.errors import AnalysisError
from sigsurv.signatures.schema import Signature
from sigsurv.survival.cox_scan import cox_scan
from sigsurv.survival.endpoints import SurvivalData

__all__ = ["SurvivalScan", "gene_sets_from_signatures", "scan_cohort", "survival_set_enrichment"]


def gene_sets_from_signatures(signatures: Sequence[Signature]) -> dict[str, list[str]]:
    """Unsigned gene sets for GSEA: a signed signature gives ``ID_UP`` and ``ID_DN``.

    Examples
    --------
    >>> from sigsurv.signatures import Signature
    >>> sig = Signature.from_genes("demo", {"BCL2": -1.0, "PTEN": 1.0})
    >>> gene_sets_from_signatures([sig])
    {'demo_UP': ['PTEN'], 'demo_DN': ['BCL2']}
    """
    sets: dict[str, list[str]] = {}
    for signature in signatures:
        if signature.is_signed:
            sets[f"{signature.id}_UP"] = list(signature.up_genes)
            sets[f"{signature.id}_DN"] = list(signature.down_genes)
        else:
            sets[signature.id] = list(signature.symbols)
    return sets


def survival_set_enrichment(
    scan: pd.DataFrame,
    gene_sets: dict[str, list[str]],
    *,
    min_size: int = 2,
    max_size: int = 500,
    permutations: int = 1000,
    seed: int = 20240101,
    threads: int = 1,
) -> pd.DataFrame:
    """Preranked GSEA of gene sets against genes ranked by their Cox z.

    Parameters
    ----------
    scan
        Output of :func:`~sigsurv.survival.cox_scan.cox_scan` (index = genes, column ``z``);
        genes flagged by ``nonconvergence_warning`` (ran out of iterations or a
        coefficient that may be infinite) and genes without a z are left out of the
        ranking.
    gene_sets
        ``name -> genes``.
    min_size, max_size
        Set sizes (after intersecting with the ranked genes) outside this range are
        skipped by gseapy, and listed in the result with ``tested`` False.
    permutations, seed
        gseapy's gene-set permutations and seed (deterministic).

    Returns
    -------
    pandas.DataFrame
        One row per set: ``es``, ``nes``, ``p``, ``fdr``, ``n_genes``, ``leading_edge``,
        ``tested``; sorted by p.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.survival.cox_scan import cox_scan
    >>> cohort = load_example("gse4335")
    >>> scan = cox_scan(cohort.expression, *cohort.survival())
    >>> table = survival_set_enrichment(scan, {"prolif": ["MKI67", "AURKA", "BIRC5", "CCNB1",
    ...                                                 "TOP2A", "CDC20", "BUB1"]},
    ...                                 permutations=100)
    >>> bool(table.loc["prolif", "tested"])
    True
    """
    import gseapy

    if "z" not in scan.columns:
        raise AnalysisError("the scan table has no 'z' column", expected="cox_scan output")
    # Genes R's coxph would warn about (ran out of iterations, coefficient may be
    # infinite) have no meaningful z: they are left out of the ranking.
    flag = "nonconvergence_warning" if "nonconvergence_warning" in scan.columns else "converged"
    usable = None
    if flag in scan.columns:
        usable = scan[flag].astype(bool)
        usable = ~usable if flag == "nonconvergence_warning" else usable
    ranking = scan.loc[usable, "z"] if usable is not None else scan["z"]
    ranking = ranking[np.isfinite(ranking.to_numpy(dtype=float))].astype(float)
    if ranking.empty:
        raise AnalysisError("no converged gene to rank")
    ranked_genes = set(ranking.index.astype(str))
    sizes = {name: len(set(genes) & ranked_genes) for name, genes in gene_sets.items()}
    testable = {n: g for n, g in gene_sets.items() if min_size <= sizes[n] <= max_size}
    rows = []
    if testable:
        result = gseapy.prerank(
            rnk=ranking.sort_values(ascending=False),
            gene_sets=testable,
            min_size=min_size,
            max_size=max_size,
            permutation_num=permutations,
            seed=seed,
            threads=threads,
            outdir=None,
            no_plot=True,
            verbose=False,
        )
        table = result.res2d.set_index("Term")
        for name in testable:
            if name not in table.index:
                continue
            row = table.loc[name]
            rows.append(
                {
                    "set": name,
                    "es": float(row["ES"]),
                    "nes": float(row["NES"]),
                    "p": float(row["NOM p-val"]),
                    "fdr": float(row["FDR q-val"]),
                    "n_genes": sizes[name],
                    "leading_edge": str(row["Lead_genes"]),
                    "tested": True,
                }
            )
    tested_names = {r["set"] for r in rows}
    for name in gene_sets:
        if name not in tested_names:
            rows.append(
                {
                    "set": name,
                    "es": np.nan,
                    "nes": np.nan,
                    "p": np.nan,
                    "fdr": np.nan,
                    "n_genes": sizes[name],
                    "leading_edge": "",
                    "tested": False,
                }
            )
    frame = pd.DataFrame(rows).set_index("set")
    return frame.sort_values(["tested", "p"], ascending=[False, True], na_position="last")


@dataclass
class SurvivalScan:
    """A genome-wide univariate Cox scan of a cohort and the gene-set enrichment of its z.

    Attributes
    ----------
    survival
        The endpoint data the scan used.
    scan
        One row per gene of the cohort, in cohort order
        (:func:`~sigsurv.survival.cox_scan.cox_scan`'s columns) plus ``status``:
        ``fitted``, ``infinite coefficient`` (monotone likelihood, R's "coefficient
        may be infinite"), ``not converged`` or ``constant`` (expression does not
        vary: no Cox model exists, statistics left empty).
    enrichment
        One row per gene set (:func:`survival_set_enrichment`).
    constant_genes
        Number of constant genes (listed in ``scan`` with empty statistics).
    """

    survival: SurvivalData
    scan: pd.DataFrame
    enrichment: pd.DataFrame
    constant_genes: int

    @property
    def constant_gene_names(self) -> list[str]:
        """Genes whose expression does not vary (no Cox model)."""
        return self.scan.index[self.scan["status"] == "constant"].astype(str).tolist()

    @property
    def infinite_coefficient_genes(self) -> list[str]:
        """Genes whose coefficient may be infinite (monotone likelihood)."""
        return self.scan.index[self.scan["status"] == STATUS_INFINITE].astype(str).tolist()


def scan_cohort(
    cohort: Cohort,
    signatures: Sequence[Signature],
    *,
    endpoint: str | None = None,
    permutations: int = 1000,
    seed: int = 20240101,
) -> SurvivalScan:
    """Univariate Cox of every varying gene, then preranked GSEA of signatures on the Cox z.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.signatures import get_signature
    >>> result = scan_cohort(load_example("gse4335"), [get_signature("msk1_luminal")],
    ...                      permutations=10)
    >>> len(result.scan) == load_example("gse4335").n_genes
    True
    >>> bool(result.scan["status"].isin(["fitted", "constant", "infinite coefficient"]).all())
    True
    """
    data, survival = prepare_survival(cohort, endpoint)
    spread = np.ptp(data.expression.to_numpy(), axis=1)
    fitted = cox_scan(data.expression.loc[spread > 0], survival.time, survival.event)
    scan = _with_status(fitted, data.expression.index)
    enrichment = survival_set_enrichment(
        fitted, gene_sets_from_signatures(signatures), permutations=permutations, seed=seed
    )
    return SurvivalScan(
        survival=survival,
        scan=scan,
        enrichment=enrichment,
        constant_genes=int((spread == 0).sum()),
    )


STATUS_INFINITE = "infinite coefficient"


def _with_status(fitted: pd.DataFrame, genes: pd.Index) -> pd.DataFrame:
    """Every gene in cohort order; genes without a model get empty statistics."""
    status = np.where(
        fitted["infinite_coefficient"].to_numpy(bool),
        STATUS_INFINITE,
        np.where(fitted["converged"].to_numpy(bool), "fitted", "not converged"),
    )
    table = fitted.assign(status=status).reindex(genes)
    table.index.name = fitted.index.name
    table["status"] = table["status"].fillna("constant")
    # Nullable types: a constant gene's flags and iterations are missing, not 0/False.
    flags = ["converged", "infinite_coefficient", "nonconvergence_warning"]
    return table.astype({"iterations": "Int64"} | dict.fromkeys(flags, "boolean"))
