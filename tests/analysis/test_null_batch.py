"""The null's batched path gives the numbers of the scoring method, bit for bit."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from fixtures import assert_within_ulp

import sigsurv.analysis.null as null_module
from sigsurv.analysis._null_batch import batch_mean_z, null_matrix, standardised_per_gene
from sigsurv.analysis._null_draws import Draw, _quantile_bins, draw_rows, feasible_bins
from sigsurv.analysis.null import random_signature_null
from sigsurv.cohorts.sample_kinds import is_standardised_per_gene
from sigsurv.errors import AnalysisError, SigsurvWarning
from sigsurv.scoring import get_method
from sigsurv.scoring.linear import gene_reference, mean_z_scores
from sigsurv.signatures.schema import Signature

N_GENES, N_SAMPLES = 300, 90


def _cohort(seed: int = 3) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=N_SAMPLES)
    means = rng.uniform(2, 12, N_GENES)
    sds = rng.uniform(0.3, 2.0, N_GENES)
    values = means[:, None] + sds[:, None] * rng.normal(size=(N_GENES, N_SAMPLES))
    values[:5] += sds[:5, None] * factor
    expression = pd.DataFrame(
        values,
        index=[f"G{i:03d}" for i in range(N_GENES)],
        columns=[f"s{j}" for j in range(N_SAMPLES)],
    )
    event_time = rng.exponential(np.exp(-0.7 * factor) * 20)
    censor = rng.uniform(5, 60, N_SAMPLES)
    time = np.minimum(event_time, censor).round(1) + 0.01
    return expression, time, (event_time <= censor).astype(float)


def test_batched_mean_z_is_the_scoring_methods_bit_for_bit() -> None:
    expression, _, _ = _cohort()
    values = expression.to_numpy()
    matrix = null_matrix(expression)
    signature_rows = np.array([0, 7, 3, 250, 11])
    weights = np.array([1.0, -2.0, 0.5, -1.0, 3.0])
    labels, _ = feasible_bins(values, np.isin(np.arange(N_GENES), signature_rows), (5, 3))
    rows, slots = draw_rows(signature_rows, labels, 200, np.random.default_rng(4))
    draw = Draw(signature_rows, weights, rows, slots)
    batched = batch_mean_z(matrix, "mean_z", *draw.rows_and_signs())
    assert batched is not None
    sets = draw.gene_sets(expression.index.to_numpy())
    expected = mean_z_scores(values, sets, reference=gene_reference(values))
    # the same operations in the same order: bit for bit on this CPU, but a compiled
    # kernel against numpy is only promised to agree within a few ulp on any CPU
    assert_within_ulp(batched, expected.T)
    # and without the shared reference (each set standardised on its own)
    assert_within_ulp(batched[:20], mean_z_scores(values, sets[:20]).T)


def test_batch_declines_other_methods_and_options() -> None:
    expression, _, _ = _cohort()
    matrix = null_matrix(expression)
    rows, signs = np.array([[0, 1]]), np.array([[1.0, 1.0]])
    assert batch_mean_z(matrix, "zscore", rows, signs) is None
    assert batch_mean_z(matrix, "weighted", rows, signs) is None
    assert get_method("mean_z").options == {"standardise": True}  # the batch's assumption


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"expected_direction": "protective", "bins": (4, 3)},
        {"match_expression": False, "seed": 9},
        {"strata": np.repeat(["a", "b", "c"], N_SAMPLES // 3), "standardise_within_strata": True},
    ],
    ids=["default", "protective", "unmatched", "standardised-within-strata"],
)
def test_null_with_and_without_the_batch_is_identical(
    kwargs: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    expression, time, event = _cohort()
    expression.iloc[[40, 41]] = 2.5  # constant genes: never drawn (and the rows shift)
    signature = Signature.from_genes("s", {"G000": 1.0, "G001": -2.0, "G003": 1.0, "G042": 1.0})
    kwargs = {"n_random": 150, "seed": 5, **kwargs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        batched = random_signature_null(expression, time, event, signature, **kwargs)
        monkeypatch.setattr(null_module, "batch_mean_z", lambda *args: None)
        per_method = random_signature_null(expression, time, event, signature, **kwargs)
    # compiled scores vs numpy scores (within a few ulp on any CPU), then the same fits
    np.testing.assert_allclose(batched.random_z, per_method.random_z, rtol=1e-12, atol=0)
    exact, close = _split_record(batched.to_dict()), _split_record(per_method.to_dict())
    assert exact[0] == close[0]
    assert exact[1] == pytest.approx(close[1], rel=1e-12)


def _split_record(record: dict) -> tuple[dict, dict]:
    """A null's record as (everything but the floats, the floats)."""
    floats = {k: v for k, v in record.items() if isinstance(v, float)}
    return {k: v for k, v in record.items() if k not in floats}, floats


def test_matrix_finds_constant_and_na_genes_exactly() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(5, 1, size=(9, 40))
    values[0] = 0.1  # the mean of 40 copies of 0.1 is not 0.1: its sd is not 0
    values[1] = 0.0
    values[2] = 1e300  # squares of rounding errors overflow
    values[3] = 1.0
    values[3, 7] = 1.0 + 2**-52  # varies by one unit in the last place
    values[4, 2] = np.inf  # varies (its range is inf); its sd is NaN
    values[5] = -7.25
    frame = pd.DataFrame(values)
    matrix = null_matrix(frame)
    assert matrix.varying.tolist() == np.flatnonzero(np.ptp(values, axis=1) > 0).tolist()
    assert matrix.varying.tolist() == [3, 4, 6, 7, 8]
    assert matrix.mean is not None and matrix.sd is not None
    finite = np.isfinite(values).all(axis=1)
    mean, sd = gene_reference(values[finite])
    np.testing.assert_array_equal(matrix.mean[finite], mean)
    np.testing.assert_array_equal(matrix.sd[finite], sd)
    values[6, 3] = np.nan
    values[8, 0] = np.nan
    with pytest.raises(AnalysisError, match="2 genes have NA cells"):
        null_matrix(pd.DataFrame(values))
    # one sample: nothing varies (the null then finds no gene)
    assert null_matrix(pd.DataFrame(values[:, 1:2])).varying.size == 0


@pytest.mark.parametrize("shift", [0.0, 1e-4, 1e-3, 2e-3, 5.0])
def test_standardised_check_agrees_with_the_full_one(shift: float) -> None:
    rng = np.random.default_rng(2)
    values = rng.normal(size=(50, 30))
    values = (values - values.mean(axis=1, keepdims=True)) / values.std(axis=1, keepdims=True)
    values[7] += shift  # one gene's mean moves off 0 by `shift` sds (tolerance 1e-3)
    frame = pd.DataFrame(values)
    assert standardised_per_gene(frame, null_matrix(frame)) == is_standardised_per_gene(frame)
    raw = pd.DataFrame(values + 8.0)
    assert standardised_per_gene(raw, null_matrix(raw)) is False


def test_quantile_bins_rank_with_ties_in_order() -> None:
    values = np.random.default_rng(6).integers(0, 15, 400).astype(float)  # many ties
    ranks = np.argsort(np.argsort(values, kind="stable"), kind="stable")
    for n_bins in (1, 3, 10, 400):
        np.testing.assert_array_equal(_quantile_bins(values, n_bins), ranks * n_bins // 400)
