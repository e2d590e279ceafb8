"""The statistics: endpoints, Kaplan–Meier, log-rank (weighted: ``rho``, Fleming–Harrington),
Cox (fits, gene-wise scans with covariates and strata, ``cox.zph``, nested likelihood-ratio
tests, Firth's penalty), cut-points, concordance, meta-analysis, binary endpoints. R's
conventions are the defaults.

The engine: arrays and data frames in, frozen results out. It never sees a cohort, a
signature or a score; :mod:`sigsurv.analysis` puts those together (an import-linter
contract keeps it so)."""

from sigsurv.survival.binary import BinaryResult, LogisticResult, logistic_regression, two_by_two
from sigsurv.survival.competing import (
    CumulativeIncidenceResult,
    FineGrayResult,
    GrayTest,
    cause_specific_cox,
    cumulative_incidence,
    fine_gray,
)
from sigsurv.survival.concordance import (
    ConcordanceResult,
    UnoCResult,
    concordance_index,
    time_dependent_auc,
    uno_c,
)
from sigsurv.survival.cox import (
    CoxResult,
    cox_fit,
    standardise,
    standardize,  # noqa: F401  (deprecated alias, not in __all__)
)
from sigsurv.survival.cox_scan import cox_scan
from sigsurv.survival.cutpoints import Grouping, MaxstatResult, group_by_cut, maxstat_cutpoint
from sigsurv.survival.d_index import DIndexResult, blom_scores, d_index
from sigsurv.survival.endpoints import SurvivalData, median_follow_up
from sigsurv.survival.firth import FirthCoxResult, cox_firth
from sigsurv.survival.km import KaplanMeierResult, kaplan_meier
from sigsurv.survival.logrank import LogRankResult, logrank_test, logrank_trend_test
from sigsurv.survival.meta import MetaAnalysisResult, meta_analysis
from sigsurv.survival.multiplicity import adjust_p, benjamini_hochberg, holm
from sigsurv.survival.nested import NestedLRTResult, cox_lrt
from sigsurv.survival.prediction_error import (
    BrierScoreResult,
    IntegratedBrierScoreResult,
    brier_score,
    integrated_brier_score,
)
from sigsurv.survival.rmst import RMSTComparison, RMSTResult, rmst
from sigsurv.survival.zph import ZphResult, cox_zph

__all__ = [
    "BinaryResult",
    "BrierScoreResult",
    "ConcordanceResult",
    "CoxResult",
    "CumulativeIncidenceResult",
    "DIndexResult",
    "FineGrayResult",
    "FirthCoxResult",
    "GrayTest",
    "Grouping",
    "IntegratedBrierScoreResult",
    "KaplanMeierResult",
    "LogRankResult",
    "LogisticResult",
    "MaxstatResult",
    "MetaAnalysisResult",
    "NestedLRTResult",
    "RMSTComparison",
    "RMSTResult",
    "SurvivalData",
    "UnoCResult",
    "ZphResult",
    "adjust_p",
    "benjamini_hochberg",
    "blom_scores",
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
    "fine_gray",
    "group_by_cut",
    "holm",
    "integrated_brier_score",
    "kaplan_meier",
    "logistic_regression",
    "logrank_test",
    "logrank_trend_test",
    "maxstat_cutpoint",
    "median_follow_up",
    "meta_analysis",
    "rmst",
    "standardise",
    "time_dependent_auc",
    "two_by_two",
    "uno_c",
]
