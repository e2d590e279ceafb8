"""sigsurv: gene signatures from cancer papers, tested for survival on real cohorts.

The public API is re-exported here; see the README for a walkthrough.
"""

from sigsurv.cohorts import (
    Cohort,
    Endpoint,
    list_examples,
    load_cbioportal,
    load_cohort,
    load_example,
    load_geo_series,
    load_tables,
    load_tcga,
    load_tcga_folder,
)
from sigsurv.errors import SigsurvInputError, SigsurvWarning

__version__ = "0.1.0"

__all__ = [
    "Cohort",
    "Endpoint",
    "SigsurvInputError",
    "SigsurvWarning",
    "__version__",
    "list_examples",
    "load_cbioportal",
    "load_cohort",
    "load_example",
    "load_geo_series",
    "load_tables",
    "load_tcga",
    "load_tcga_folder",
]
