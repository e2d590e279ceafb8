"""Cohorts: the model, loaders for real download formats, gene identifiers, subgroups."""

from sigsurv.cohorts.build import EndpointSpec, assemble_cohort
from sigsurv.cohorts.cbioportal import load_cbioportal, read_cbioportal_clinical
from sigsurv.cohorts.examples import EXAMPLES, list_examples, load_example
from sigsurv.cohorts.geo import load_geo_series, read_platform_table, read_series_matrix
from sigsurv.cohorts.model import Cohort, Endpoint, JoinReport, Provenance, convert_time
from sigsurv.cohorts.sources import detect_source_kind, load_anndata, load_cohort
from sigsurv.cohorts.subgroup import evaluate_subgroup, parse_subgroup
from sigsurv.cohorts.tables import load_tables, read_clinical_table, read_expression_table
from sigsurv.cohorts.tcga import load_tcga, load_tcga_folder

__all__ = [
    "EXAMPLES",
    "Cohort",
    "Endpoint",
    "EndpointSpec",
    "JoinReport",
    "Provenance",
    "assemble_cohort",
    "convert_time",
    "detect_source_kind",
    "evaluate_subgroup",
    "list_examples",
    "load_anndata",
    "load_cbioportal",
    "load_cohort",
    "load_example",
    "load_geo_series",
    "load_tables",
    "load_tcga",
    "load_tcga_folder",
    "parse_subgroup",
    "read_cbioportal_clinical",
    "read_clinical_table",
    "read_expression_table",
    "read_platform_table",
    "read_series_matrix",
]
