"""sigsurv: gene signatures from cancer papers, tested for survival on real cohorts.

The public API is re-exported here; see the README for a walkthrough. The names are
resolved lazily (PEP 562): ``import sigsurv`` is cheap and does not load pandas, scipy
or matplotlib until a function is first used, so the command line starts quickly.

>>> import sigsurv
>>> cohort = sigsurv.load_example("gse1992")
>>> result = sigsurv.analyse_signature(cohort, "msk1_rps6ka5")
>>> result.survival.n
72
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sigsurv._version import __version__

if TYPE_CHECKING:  # what mypy and IDEs see; at run time __getattr__ imports on first use
    from sigsurv.analysis import (
        AnalysisSpec,
        analyse_scores,
        analyse_signature,
        random_signature_null,
    )
    from sigsurv.claims.reproduce import reproduce_claims
    from sigsurv.cohorts import (
        Cohort,
        Endpoint,
        list_examples,
        load_anndata,
        load_cbioportal,
        load_cohort,
        load_example,
        load_geo_series,
        load_tables,
        load_tcga,
        load_tcga_folder,
        resolve_cohort,
    )
    from sigsurv.cohorts.fetch import fetch
    from sigsurv.cohorts.genes import harmonise_expression, map_identifiers
    from sigsurv.errors import SigsurvInputError, SigsurvWarning
    from sigsurv.report.describe import describe_cohort
    from sigsurv.scoring import (
        ScoreResult,
        list_methods,
        score,
        score_signatures,
        signature_coverage,
    )
    from sigsurv.scoring.transformer import SignatureScorer
    from sigsurv.seeds import get_claim, list_claims, load_claims
    from sigsurv.signatures import (
        Signature,
        SignatureGene,
        get_signature,
        list_signatures,
        load_signatures,
        write_gmt,
        write_yaml,
    )
    from sigsurv.survival import (
        benjamini_hochberg,
        brier_score,
        cause_specific_cox,
        concordance_index,
        cox_firth,
        cox_fit,
        cox_lrt,
        cox_zph,
        cumulative_incidence,
        fine_gray,
        group_by_cut,
        holm,
        integrated_brier_score,
        kaplan_meier,
        logrank_test,
        logrank_trend_test,
        maxstat_cutpoint,
        meta_analysis,
        time_dependent_auc,
        two_by_two,
        uno_c,
    )

    # Functions named like their modules: imported from the module itself (for mypy).
    from sigsurv.survival.cox_scan import cox_scan
    from sigsurv.survival.d_index import d_index
    from sigsurv.survival.lifelines_bridge import to_lifelines
    from sigsurv.survival.rmst import rmst

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(
        (
            "Cohort",
            "Endpoint",
            "list_examples",
            "load_anndata",
            "load_cbioportal",
            "load_cohort",
            "load_example",
            "load_geo_series",
            "load_tables",
            "load_tcga",
            "load_tcga_folder",
        ),
        "sigsurv.cohorts",
    ),
    "harmonise_expression": "sigsurv.cohorts.genes",
    "map_identifiers": "sigsurv.cohorts.genes",
    "SigsurvInputError": "sigsurv.errors",
    "SigsurvWarning": "sigsurv.errors",
    "reproduce_claims": "sigsurv.claims.reproduce",
    "list_methods": "sigsurv.scoring",
    "score": "sigsurv.scoring",
    "score_signatures": "sigsurv.scoring",
    "ScoreResult": "sigsurv.scoring",
    "signature_coverage": "sigsurv.scoring",
    "get_claim": "sigsurv.seeds",
    "list_claims": "sigsurv.seeds",
    "load_claims": "sigsurv.seeds",
    **dict.fromkeys(
        (
            "Signature",
            "SignatureGene",
            "get_signature",
            "list_signatures",
            "load_signatures",
            "write_gmt",
            "write_yaml",
        ),
        "sigsurv.signatures",
    ),
    **dict.fromkeys(
        ("AnalysisSpec", "analyse_scores", "analyse_signature", "random_signature_null"),
        "sigsurv.analysis",
    ),
    **dict.fromkeys(
        (
            "concordance_index",
            "cox_fit",
            "cox_scan",
            "group_by_cut",
            "kaplan_meier",
            "logrank_test",
            "logrank_trend_test",
            "maxstat_cutpoint",
            "meta_analysis",
            "two_by_two",
            "benjamini_hochberg",
            "brier_score",
            "cause_specific_cox",
            "cox_firth",
            "cox_lrt",
            "cox_zph",
            "cumulative_incidence",
            "d_index",
            "fine_gray",
            "holm",
            "integrated_brier_score",
            "rmst",
            "time_dependent_auc",
            "uno_c",
        ),
        "sigsurv.survival",
    ),
    "SignatureScorer": "sigsurv.scoring.transformer",
    "to_lifelines": "sigsurv.survival.lifelines_bridge",
    "fetch": "sigsurv.cohorts.fetch",
    "resolve_cohort": "sigsurv.cohorts",
    "describe_cohort": "sigsurv.report.describe",
}

__all__ = [
    "AnalysisSpec",
    "Cohort",
    "Endpoint",
    "ScoreResult",
    "Signature",
    "SignatureGene",
    "SignatureScorer",
    "SigsurvInputError",
    "SigsurvWarning",
    "__version__",
    "analyse_scores",
    "analyse_signature",
    "benjamini_hochberg",
    "brier_score",
    "cause_specific_cox",
    "concordance_index",
    "cox_firth",
    "cox_fit",
    "cox_lrt",
    "cox_scan",
    "cox_zph",
    "cumulative_incidence",
    "d_index",
    "describe_cohort",
    "fetch",
    "fine_gray",
    "get_claim",
    "get_signature",
    "group_by_cut",
    "harmonise_expression",
    "holm",
    "integrated_brier_score",
    "kaplan_meier",
    "list_claims",
    "list_examples",
    "list_methods",
    "list_signatures",
    "load_anndata",
    "load_cbioportal",
    "load_claims",
    "load_cohort",
    "load_example",
    "load_geo_series",
    "load_signatures",
    "load_tables",
    "load_tcga",
    "load_tcga_folder",
    "logrank_test",
    "logrank_trend_test",
    "map_identifiers",
    "maxstat_cutpoint",
    "meta_analysis",
    "random_signature_null",
    "reproduce_claims",
    "resolve_cohort",
    "rmst",
    "score",
    "score_signatures",
    "signature_coverage",
    "time_dependent_auc",
    "to_lifelines",
    "two_by_two",
    "uno_c",
    "write_gmt",
    "write_yaml",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use and cache it in the module namespace."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sigsurv' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
