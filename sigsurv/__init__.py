"""sigsurv: gene signatures from cancer papers, tested for survival on real cohorts.

The public API is re-exported here; see the README for a walkthrough.

>>> import sigsurv
>>> cohort = sigsurv.load_example("gse1992")
>>> result = sigsurv.analyse_signature(cohort, "msk1_rps6ka5")
>>> result.survival.n
72
"""

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
)
from sigsurv.cohorts.genes import harmonise_expression, map_identifiers
from sigsurv.errors import SigsurvInputError, SigsurvWarning
from sigsurv.report.reproduce import reproduce_claims
from sigsurv.scoring import list_methods, score, signature_coverage
from sigsurv.seeds import get_claim, list_claims
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
    analyse_scores,
    analyse_signature,
    concordance_index,
    cox_fit,
    cox_scan,
    group_by_cut,
    kaplan_meier,
    logrank_test,
    logrank_trend_test,
    maxstat_cutpoint,
    meta_analysis,
    random_signature_null,
    two_by_two,
)

__version__ = "0.1.0"

__all__ = [
    "Cohort",
    "Endpoint",
    "Signature",
    "SignatureGene",
    "SigsurvInputError",
    "SigsurvWarning",
    "__version__",
    "analyse_scores",
    "analyse_signature",
    "concordance_index",
    "cox_fit",
    "cox_scan",
    "get_claim",
    "get_signature",
    "group_by_cut",
    "harmonise_expression",
    "kaplan_meier",
    "list_claims",
    "list_examples",
    "list_methods",
    "list_signatures",
    "load_anndata",
    "load_cbioportal",
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
    "score",
    "signature_coverage",
    "two_by_two",
    "write_gmt",
    "write_yaml",
]
