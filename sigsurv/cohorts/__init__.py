"""Cohorts: the model, loaders for real download formats, gene identifiers, subgroups."""

from sigsurv.cohorts.build import EndpointSpec, assemble_cohort
from sigsurv.cohorts.cbioportal import load_cbioportal, read_cbioportal_clinical
from sigsurv.cohorts.examples import EXAMPLES, list_examples, load_example
from sigsurv.cohorts.fetch import FetchError, FetchResult, fetch
from sigsurv.cohorts.geo import load_geo_series, read_platform_table, read_series_matrix
from sigsurv.cohorts.model import Cohort, Endpoint, JoinReport, Provenance, convert_time
from sigsurv.cohorts.options import LoadOptions
from sigsurv.cohorts.recipe import Recipe, list_recipes, load_recipe
from sigsurv.cohorts.resolve import load_cohort, load_recipe_cohort, resolve_cohort
from sigsurv.cohorts.sources import detect_source_kind, load_anndata
from sigsurv.cohorts.subgroup import evaluate_subgroup, parse_subgroup
from sigsurv.cohorts.tables import load_tables, read_clinical_table, read_expression_table
from sigsurv.cohorts.tcga import load_tcga, load_tcga_folder

__all__ = [
    "EXAMPLES",
    "Cohort",
    "Endpoint",
    "EndpointSpec",
    "FetchError",
    "FetchResult",
    "JoinReport",
    "LoadOptions",
    "Provenance",
    "Recipe",
    "assemble_cohort",
    "convert_time",
    "detect_source_kind",
    "evaluate_subgroup",
    "fetch",
    "list_examples",
    "list_recipes",
    "load_anndata",
    "load_cbioportal",
    "load_cohort",
    "load_example",
    "load_geo_series",
    "load_recipe",
    "load_recipe_cohort",
    "load_tables",
    "load_tcga",
    "load_tcga_folder",
    "parse_subgroup",
    "read_cbioportal_clinical",
    "read_clinical_table",
    "read_expression_table",
    "read_platform_table",
    "read_series_matrix",
    "resolve_cohort",
]
