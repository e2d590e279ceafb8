"""Suite-wide collection rules (root conftest: they apply to ``tests/`` and to the doctests
of ``sigsurv/`` alike; test fixtures live in ``tests/conftest.py``).

* Tests measured slow are marked ``slow`` here (``python -m pytest -m "not slow"`` is the
  edit loop, under 60 s of CPU; CONTRIBUTING.md).
* Warnings are errors (``filterwarnings`` in pyproject.toml): a test that expects a
  warning asserts it with ``pytest.warns``. The one allowance made here: the examples of
  the documentation (doctests and the ``docs/*.md`` blocks) run the API on tiny data, so
  sigsurv's own data-quality warnings (:class:`~sigsurv.errors.SigsurvWarning`: few
  events, small expected counts, heavy ties) are part of what they show.
"""

from __future__ import annotations

import pytest

#: Tests that take more than a few seconds, marked ``slow`` here rather than in their
#: files (their files belong to other work in progress; a new slow test takes
#: ``@pytest.mark.slow`` directly). Measured with ``--durations`` on a shared 2-core
#: machine; a node id ending in ``[`` marks every parameter of that test.
SLOW_TESTS = frozenset(
    {
        # cohorts: real downloads through local mirrors, whole-file loaders
        "tests/cohorts/test_fetch.py::test_shipped_gse96058_recipe_through_a_mirror",
        "tests/cohorts/test_fetch.py::test_cli_fetch_then_reproduce_by_id_and_by_recipe_file",
        "tests/cohorts/test_download_layouts.py::"
        "test_firehose_merged_clinical_gives_receptors_age_and_trastuzumab",
        "tests/cohorts/test_download_layouts.py::"
        "test_rna_seq_series_with_empty_matrix_table_and_supplementary_expression",
        "tests/cohorts/test_download_layouts.py::"
        "test_er_status_coded_0_1_in_a_plain_table_is_standardised",
        "tests/cohorts/test_download_layouts.py::test_gds_soft_with_annot_platform_through_the_cli",
        "tests/cohorts/test_download_layouts.py::test_tcga_small_fixtures_folder_loads_through_the_cli",
        "tests/cohorts/test_download_layouts.py::test_firehose_layout_with_second_header_line",
        "tests/cohorts/test_download_layouts.py::"
        "test_gdc_phenotype_table_is_patient_clinical_with_receptor_status",
        "tests/cohorts/test_download_layouts.py::"
        "test_cbioportal_example_study_loads_through_meta_files",
        "tests/cohorts/test_loaders_real.py::test_gse1992_files_match_the_bundled_cohort",
        "tests/cohorts/test_genes.py::test_real_cohort_counts[",
        "tests/cohorts/test_genes.py::test_mapping_60k_identifiers",
        # corpus: whole CLI runs in subprocesses, killed runs, memory caps
        "tests/corpus/test_outputs.py::test_two_concurrent_runs_into_one_out_cannot_mix",
        "tests/corpus/test_outputs.py::test_killed_reproduce_leaves_previous_output_or_none[",
        "tests/corpus/test_outputs.py::test_reproduce_with_a_long_cohort_name_writes_bounded_file_names",
        "tests/corpus/test_outputs.py::test_force_replaces_a_complete_output_whole",
        "tests/corpus/test_memory.py::test_gzip_bomb_is_refused_within_a_memory_cap",
        "tests/corpus/test_memory.py::test_running_out_of_memory_is_one_exit_2_line",
        "tests/corpus/test_memory.py::test_a_lower_limit_refuses_under_a_lower_cap",
        "tests/corpus/test_notes.py::test_survival_shows_and_records_the_unit_doubt",
        "tests/signatures/test_yaml_hostile.py::test_billion_laughs_refused_under_one_gib",
        "tests/signatures/test_yaml_hostile.py::test_accepted_documents_read_as_safe_load_does",
        # statistics: profile likelihoods checked by brute-force optimisation
        "tests/survival/test_firth.py::test_profile_likelihood_p_values_and_limits",
        "tests/survival/test_firth.py::test_stratified_penalised_loglik_and_maximum",
        "tests/survival/test_firth.py::test_estimate_is_the_maximum_of_the_penalised_likelihood",
        "tests/survival/test_competing_cli.py::test_survival_cause_writes_results_json",
        "tests/survival/test_cox_scan_kernel.py::test_compiled_equals_numpy[",
        # claims: bone-metastasis cohorts loaded whole
        "tests/claims/test_site_populations.py::test_bone_claims_use_the_competing_risk_endpoint[",
        "tests/analysis/test_null.py::test_signed_in_the_claims_direction",
        # scoring: GSVA kernels on numba (first call compiles), dask clusters
        "tests/scoring/test_kernels.py::test_gsva_kernels_match_gsva_146[poisson-counts-options0-numba]",
        "tests/scoring/test_dask.py::test_dask_scores_do_not_depend_on_chunk_sizes[",
        "tests/scoring/test_dask.py::test_lazy_stores_score_like_the_dataframe[",
        "tests/scoring/test_dask.py::test_every_method_is_identical_on_dask[gsva]",
        "tests/scoring/test_reference_gsva.py::test_gsva_fast_kernel_agrees_except_for_tied_statistics",
        "tests/test_ecosystem_anndata.py::test_score_anndata_equals_score_cohort[gsva]",
        # report and plots: figures written as PNG, PDF and SVG
        "tests/report/test_survival_labels.py::"
        "test_time_column_without_endpoint_name_is_not_called_overall_survival",
        "tests/report/test_survival_labels.py::test_subgroup_is_recorded_and_the_figures_are_written",
        "tests/report/test_survival_labels.py::test_time_column_prefixes_name_the_endpoint",
        "tests/plots/test_km_figures.py::test_figures_are_written_as_300_dpi_png_pdf_and_svg",
        # doctests that run a whole analysis or write a report
        "sigsurv/scoring/api.py::sigsurv.scoring.api.score",
        "sigsurv/report/html.py::sigsurv.report.html.write_reproduction",
        "sigsurv/report/outputs.py::sigsurv.report.outputs.write_survival_outputs",
        "sigsurv/report/outputs.py::sigsurv.report.outputs.write_scan_outputs",
        "sigsurv/report/terminal.py::sigsurv.report.terminal.cohort_info_view",
        # ---- measured CPU >= 0.3 s each (process + children, one process, the rest of the
        # edit loop being ~0.04 s a test): together 31 s of the 78 s the loop took before;
        # without them the loop stays under 60 s CPU (CONTRIBUTING.md)
        "sigsurv/_dask.py::sigsurv._dask.compute_in_order",
        "sigsurv/analysis/enrichment.py::sigsurv.analysis.enrichment.scan_cohort",
        "sigsurv/analysis/enrichment.py::sigsurv.analysis.enrichment.survival_set_enrichment",
        "sigsurv/analysis/signature.py::sigsurv.analysis.signature.analyse_signature",
        "sigsurv/claims/reproduce.py::sigsurv.claims.reproduce.reproduce_claims",
        "sigsurv/cohorts/model.py::sigsurv.cohorts.model.Cohort.endpoint",
        "sigsurv/plots/analysis.py::sigsurv.plots.analysis.km_title",
        "sigsurv/report/manifest.py::sigsurv.report.manifest.reproduction_manifest",
        "sigsurv/report/outputs.py::sigsurv.report.outputs.multivariable_forest",
        "tests/analysis/test_analysis_spec.py::test_scoring_spec_replays_the_scoring",
        "tests/analysis/test_analysis_strata.py::test_per_sd_hr_is_standardised_within_strata",
        "tests/analysis/test_null.py::test_empirical_p_and_percentile_formulas",
        "tests/claims/test_reproduce.py::test_strata_columns_come_from_the_cohort_or_the_caller",
        "tests/claims/test_reproduce.py::test_survival_command_refuses_unsafe_subgroup",
        "tests/claims/test_reproduce_verdicts.py::test_equivalence_margins_are_an_option",
        "tests/claims/test_reproduce_verdicts.py::"
        "test_multiplicity_holm_within_claim_and_bh_over_run",
        "tests/claims/test_reproduce_verdicts.py::"
        "test_pools_are_reml_knha_records_and_separate_endpoints",
        "tests/claims/test_reproduce_verdicts.py::test_results_json_schema_per_test_and_claim",
        "tests/claims/test_reproduce_wiring.py::"
        "test_bone_claim_without_sites_uses_the_labelled_analogue",
        "tests/claims/test_site_populations.py::test_copy_number_loss_groups_on_study_es_0",
        "tests/claims/test_site_populations.py::"
        "test_site_specific_test_on_tcga_matches_the_direct_fits",
        "tests/cohorts/test_cohort_properties.py::test_valid_cohort_round_trips[tsv]",
        "tests/cohorts/test_copy_number.py::"
        "test_cbioportal_loader_adds_cna_columns_from_the_meta_file",
        "tests/cohorts/test_download_layouts.py::test_geo_annot_with_repeated_go_columns",
        "tests/cohorts/test_download_layouts.py::"
        "test_gsalightning_aliquot_table_joins_patient_level_cdr",
        "tests/cohorts/test_download_layouts.py::test_platform_option_maps_a_plain_probe_table",
        "tests/cohorts/test_download_layouts.py::"
        "test_probe_maps_read_as_platform_tables[GPL96-19812]",
        "tests/cohorts/test_genes.py::test_collapse_matches_reference",
        "tests/cohorts/test_genes.py::test_gse1992_exact_counts",
        "tests/corpus/test_cli_options.py::"
        "test_option_refused_in_one_line[400-digit subgroup integer-arguments9-number too large]",
        "tests/corpus/test_outputs.py::"
        "test_existing_output_needs_force_and_foreign_folders_are_never_replaced",
        "tests/corpus/test_outputs.py::test_score_out_file_is_atomic_and_needs_force",
        "tests/plots/test_figures.py::test_km_figure_annotation_uses_the_analysis_numbers",
        "tests/plots/test_km_figures.py::test_km_days_input_is_shown_in_months",
        "tests/plots/test_km_figures.py::test_km_optimal_cut_leads_with_the_adjusted_p",
        "tests/plots/test_km_figures.py::test_km_stratified",
        "tests/plots/test_km_figures.py::test_km_three_groups_with_cumulative_events",
        "tests/plots/test_km_figures.py::test_km_two_groups",
        "tests/plots/test_other_figures.py::test_random_null_histogram",
        "tests/scoring/test_kernels.py::"
        "test_gsva_kernels_match_gsva_146[poisson_nomaxdiff-counts-options1-numba]",
        "tests/scoring/test_reference_gsva.py::"
        "test_average_ties_default_agrees_where_set_genes_are_untied[gse1992]",
        "tests/scoring/test_reference_gsva.py::"
        "test_average_ties_default_agrees_where_set_genes_are_untied[gse4335]",
        "tests/survival/test_meta.py::test_leave_one_out_matches_metafor",
        "tests/test_architecture.py::test_no_upward_imports",
        "tests/test_cli.py::test_score_command_writes_tsv_and_parquet",
        # ---- measured 2026-12-07 after the issue-23 refactor, CPU >= 0.4 s each in one
        # process (tools: a per-test process_time + children plugin); 23 s of the 74 s loop
        "tests/cohorts/test_strata.py::test_load_cohort_sets_a_validated_strata",
        "tests/report/test_report_html.py::"
        "test_figure_formats_on_demand_leave_the_report_unchanged",
        "tests/scoring/test_kernels.py::test_poisson_kernel_warns_on_non_integer_values",
        "tests/cohorts/test_strata.py::test_reproduce_asks_only_for_options_it_has",
        "tests/cohorts/test_strata.py::test_reproduce_takes_the_source_options_and_strata",
        "tests/analysis/test_null_batch.py::"
        "test_null_with_and_without_the_batch_is_identical[standardised-within-strata]",
        "tests/cohorts/test_clinical_files.py::test_deepsurv_table_is_split_by_its_gene_columns",
        "tests/cohorts/test_strata.py::test_reproduce_refuses_in_one_line[",
        "tests/cohorts/test_strata.py::test_a_cohort_spec_with_local_files_carries_its_strata",
        "tests/report/test_report_html.py::test_report_shows_the_evidence_results_json_holds",
        "tests/test_survival_command.py::test_optimal_cut_writes_its_cut_point_scan",
        "tests/cohorts/test_clinical_files.py::"
        "test_metabric_clinical_files_join_as_downloaded[clinical_patient_cbioportal_with_RFS.csv-RFS_MONTHS-RFS_STATUS-rfs]",
        "sigsurv/report/manifest.py::sigsurv.report.manifest.survival_manifest",
        "tests/claims/test_reproduce_verdicts.py::"
        "test_pools_are_reml_adhoc_records_and_separate_endpoints",
        "tests/test_survival_command.py::test_a_mistyped_signature_id_suggests_the_id",
        "tests/survival/test_power_scales.py::test_tost_power_matches_simulation_at_hr_1[",
        "tests/test_survival_command.py::test_survival_by_er_equals_r_survdiff_and_coxph",
        "sigsurv/analysis/survival_result.py::"
        "sigsurv.analysis.survival_result.SignatureSurvival.with_times",
        "sigsurv/plots/analysis.py::sigsurv.plots.analysis.km_subtitle",
        "sigsurv/cohorts/model.py::sigsurv.cohorts.model.Cohort.to_anndata",
        "sigsurv/claims/site_specific.py::sigsurv.claims.site_specific.assess_site_claim",
        "tests/docs/test_docs_examples.py::test_page_examples_run[tutorials/ecosystem.md]",
        "tests/test_cli.py::test_score_json_threads_and_global_options_after_the_subcommand",
        "tests/test_cli.py::test_survival_records_the_subgroup_in_results_and_manifest",
        "tests/test_ecosystem_anndata.py::test_load_cohort_accepts_an_in_memory_anndata",
        "tests/test_ecosystem_anndata.py::test_transposed_dataframe_error_suggests_transposing",
        # ---- second pass: CPU in [0.2, 0.3) s, the other TCGA-fixture tests (loading TCGA
        # costs ~6 s CPU and moves to whichever of them runs first) and the ulp comparison
        # of the GSVA kernels on large matrices; the loop was 68 s CPU under heavy load
        "tests/claims/test_site_populations.py::test_mir21_population_is_her2_trastuzumab_on_tcga",
        "tests/claims/test_site_populations.py::test_assess_site_claim_on_tcga",
        "tests/scoring/test_kernels.py::test_compiled_and_numpy_kernels_agree_within_ulp[",
        "sigsurv/report/outputs.py::sigsurv.report.outputs.km_figure",
        "sigsurv/report/outputs.py::sigsurv.report.outputs.write_competing_outputs",
        "sigsurv/report/terminal.py::sigsurv.report.terminal.scan_view",
        "tests/claims/test_reproduce.py::"
        "test_summary_reports_proxies_when_the_claims_own_signature_is_not_measured",
        "tests/claims/test_reproduce_verdicts.py::"
        "test_claims_of_no_association_use_equivalence[0.0-equivalent]",
        "tests/claims/test_reproduce_verdicts.py::"
        "test_claims_of_no_association_use_equivalence[1.0-not equivalent]",
        "tests/claims/test_reproduce_verdicts.py::"
        "test_identical_tests_are_computed_once_and_shared",
        "tests/claims/test_reproduce_verdicts.py::"
        "test_stratified_tests_cut_and_standardise_within_strata",
        "tests/claims/test_reproduce_wiring.py::test_analyses_accept_an_anndata_cohort",
        "tests/cohorts/test_cohort_properties.py::test_kaplan_meier_is_monotone_and_bounded",
        "tests/cohorts/test_cohort_properties.py::test_valid_cohort_round_trips[anndata]",
        "tests/cohorts/test_competing_endpoints.py::test_tcga_bone_relapse_competing_endpoint",
        "tests/cohorts/test_download_layouts.py::test_dotted_r_barcodes_with_entrez_rows_join_cdr",
        "tests/cohorts/test_download_layouts.py::"
        "test_xena_gdc_survival_table_counts_and_negative_times",
        "tests/cohorts/test_genes.py::test_gse4335_underscore_hla",
        "tests/docs/test_docs_examples.py::test_page_examples_run[tutorials/own-signature.md]",
        "tests/plots/test_km_figures.py::test_legend_reads_row_by_row_and_stays_inside",
        "tests/plots/test_other_figures.py::test_forest",
        "tests/scoring/test_dask.py::test_every_method_is_identical_on_dask[mean_z]",
        "tests/scoring/test_kernels.py::"
        "test_gsva_kernel_memory_does_not_grow_with_samples_squared[numpy]",
        "tests/survival/test_cox.py::test_univariate_matches_r[gse4335]",
        "tests/survival/test_cox_scan.py::test_every_gene_matches_r[gse1992]",
        "tests/survival/test_firth.py::"
        "test_matches_r_coxphf_on_the_published_breast_example[breast]",
        "tests/survival/test_scan_adjusted.py::test_blocks_and_a_single_gene_agree_with_cox_fit",
        "tests/test_architecture.py::test_cli_help_loads_no_heavy_dependency",
        "tests/test_cli.py::test_every_command_has_help[--help]",
        "tests/test_ecosystem_anndata.py::test_further_text_fields_round_trip",
        "tests/test_ecosystem_anndata.py::"
        "test_samples_by_genes_dataframe_with_explicit_orientation",
        "tests/test_ecosystem_anndata.py::test_score_anndata_equals_score_cohort[singscore]",
        "tests/test_ecosystem_anndata.py::test_score_anndata_equals_score_cohort[ssgsea]",
        "tests/test_ecosystem_sklearn.py::test_pipeline_cross_val_score_has_no_leakage",
    }
)


def _is_slow(nodeid: str) -> bool:
    if nodeid in SLOW_TESTS:
        return True
    head, bracket, _ = nodeid.partition("[")
    return bool(bracket) and head + "[" in SLOW_TESTS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the measured slow tests; let documentation examples show sigsurv's warnings."""
    from sigsurv.errors import SigsurvWarning

    allow = pytest.mark.filterwarnings(f"ignore::{SigsurvWarning.__module__}.SigsurvWarning")
    for item in items:
        if _is_slow(item.nodeid):
            item.add_marker(pytest.mark.slow)
        is_doc_example = isinstance(item, pytest.DoctestItem) or item.nodeid.startswith(
            "tests/docs/test_docs_examples.py::test_page_examples_run["
        )
        if is_doc_example:
            item.add_marker(allow)
