"""A signature on a cohort: one :class:`AnalysisSpec` in, one result out.

This layer sits between the statistics engine (:mod:`sigsurv.survival`, arrays in,
results out) and the claims pipeline (:mod:`sigsurv.claims`). It prepares the
survival data of a cohort (:func:`prepare_survival`), scores a signature, runs the
survival analysis (:func:`analyse_signature`, :func:`analyse_scores`), its
competing-risk counterpart, the random-signature null and gene-set enrichment.
"""

from sigsurv.analysis.competing import (
    COMPETING_DEFINITIONS,
    CompetingRiskAnalysis,
    analyse_cohort_competing,
    analyse_competing_risks,
    analyse_signature_competing,
)
from sigsurv.analysis.data import prepare_survival
from sigsurv.analysis.enrichment import (
    SurvivalScan,
    gene_sets_from_signatures,
    scan_cohort,
    survival_set_enrichment,
)
from sigsurv.analysis.null import RandomSignatureNull, random_signature_null
from sigsurv.analysis.signature import (
    DEFINITIONS,
    SignatureSurvival,
    analyse_scores,
    analyse_signature,
)
from sigsurv.analysis.spec import (
    CUT_RULES,
    AnalysisSpec,
    ScoringSpec,
    combine_subgroups,
    parse_cut,
)

__all__ = [
    "COMPETING_DEFINITIONS",
    "CUT_RULES",
    "DEFINITIONS",
    "AnalysisSpec",
    "CompetingRiskAnalysis",
    "RandomSignatureNull",
    "ScoringSpec",
    "SignatureSurvival",
    "SurvivalScan",
    "analyse_cohort_competing",
    "analyse_competing_risks",
    "analyse_scores",
    "analyse_signature",
    "analyse_signature_competing",
    "combine_subgroups",
    "gene_sets_from_signatures",
    "parse_cut",
    "prepare_survival",
    "random_signature_null",
    "scan_cohort",
    "survival_set_enrichment",
]
