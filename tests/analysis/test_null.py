"""Random-signature null on constructed data: direction, matching, adjustment, seeds."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from sigsurv.analysis._null_draws import draw_rows, feasible_bins, gene_sets
from sigsurv.analysis.null import random_signature_null
from sigsurv.errors import AnalysisError, OptionError, SigsurvInputError, SigsurvWarning
from sigsurv.scoring import get_method, score
from sigsurv.signatures.schema import Signature
from sigsurv.survival.cox import cox_fit

N_GENES, N_SAMPLES = 400, 150
SIGNATURE_GENES = [f"G{i:03d}" for i in range(6)]


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Six signature genes follow a latent factor that lowers the hazard; others are noise."""
    rng = np.random.default_rng(11)
    factor = rng.normal(size=N_SAMPLES)
    means = rng.uniform(2, 12, N_GENES)
    sds = rng.uniform(0.3, 2.0, N_GENES)
    values = means[:, None] + sds[:, None] * rng.normal(size=(N_GENES, N_SAMPLES))
    values[:6] = means[:6, None] + sds[:6, None] * (factor + 0.5 * rng.normal(size=(6, N_SAMPLES)))
    expression = pd.DataFrame(
        values,
        index=[f"G{i:03d}" for i in range(N_GENES)],
        columns=[f"s{j}" for j in range(N_SAMPLES)],
    )
    event_time = rng.exponential(np.exp(0.8 * factor) * 20)
    censor = rng.uniform(5, 60, N_SAMPLES)
    time = np.minimum(event_time, censor).round(2) + 0.01
    event = (event_time <= censor).astype(float)
    return expression, time, event, factor


@pytest.fixture(scope="module")
def signature() -> Signature:
    return Signature.from_genes("protective_set", SIGNATURE_GENES)


def _run(data: tuple, signature: Signature, **kwargs: object):  # type: ignore[no-untyped-def]
    expression, time, event, _ = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        return random_signature_null(expression, time, event, signature, **kwargs)  # type: ignore[arg-type]


def test_signed_in_the_claims_direction(data: tuple, signature: Signature) -> None:
    protective = _run(data, signature, n_random=200, seed=3, expected_direction="protective")
    harmful = _run(data, signature, n_random=200, seed=3, expected_direction="harmful")
    assert protective.observed_z < -4  # a higher score lowers the hazard
    assert protective.percentile == 100.0 and protective.p_empirical == pytest.approx(1 / 201)
    # the same signature against a harmful claim does not "beat random"
    assert harmful.percentile == 0.0 and harmful.p_empirical == 1.0
    # |z| still says it is strong either way
    assert protective.percentile_abs == harmful.percentile_abs == 100.0
    np.testing.assert_array_equal(protective.random_z, harmful.random_z)


def test_empirical_p_and_percentile_formulas(data: tuple, signature: Signature) -> None:
    # a weak "signature": two noise genes, so it falls inside the random distribution
    weak = Signature.from_genes("weak", ["G100", "G200"])
    res = _run(data, weak, n_random=300, seed=5, expected_direction="harmful")
    t_obs, t_rand = res.observed_z, res.random_z
    assert res.p_empirical == pytest.approx((1 + np.sum(t_rand >= t_obs)) / (1 + t_rand.size))
    assert res.percentile == pytest.approx(100 * np.mean(t_rand < t_obs))
    protective = _run(data, weak, n_random=300, seed=5, expected_direction="protective")
    assert protective.p_empirical == pytest.approx(
        (1 + np.sum(-t_rand >= -t_obs)) / (1 + t_rand.size)
    )
    two_sided = _run(data, weak, n_random=300, seed=5)
    assert two_sided.direction == "two-sided"
    assert two_sided.p_empirical == pytest.approx(
        (1 + np.sum(np.abs(t_rand) >= abs(t_obs))) / (1 + t_rand.size)
    )
    assert 0.0 < res.p_empirical < 1.0 and 0.0 < res.percentile < 100.0


def test_deterministic_with_a_seed(data: tuple, signature: Signature) -> None:
    a = _run(data, signature, n_random=40, seed=7, expected_direction="protective")
    b = _run(data, signature, n_random=40, seed=7, expected_direction="protective")
    c = _run(data, signature, n_random=40, seed=8, expected_direction="protective")
    np.testing.assert_array_equal(a.random_z, b.random_z)
    assert not np.array_equal(a.random_z, c.random_z)
    assert a.to_dict() == b.to_dict()


def test_random_genes_match_mean_and_variance() -> None:
    rng = np.random.default_rng(2)
    means = np.linspace(1, 14, 1000)
    sds = rng.uniform(0.2, 3.0, 1000)
    values = means[:, None] + sds[:, None] * rng.standard_normal((1000, 30))
    genes = np.array([f"g{i}" for i in range(1000)])
    signature_rows = np.array([990, 995, 999, 5, 500])  # very high, very low, middle means
    is_signature = np.zeros(1000, dtype=bool)
    is_signature[signature_rows] = True
    labels, used = feasible_bins(values, is_signature, (10, 5))
    assert used == (10, 5)
    weights = np.array([1.0, -1.0, 2.0, 1.0, -0.5])
    rows, slots = draw_rows(signature_rows, labels, 100, np.random.default_rng(0))
    assert rows.shape == (100, 5) and sorted(slots.tolist()) == [0, 1, 2, 3, 4]
    # each column stands in for one signature gene, from that gene's bin
    np.testing.assert_array_equal(labels[rows], np.tile(labels[signature_rows[slots]], (100, 1)))
    observed_mean = values.mean(axis=1)
    for drawn in rows:
        assert len(set(drawn)) == 5 and not set(drawn) & set(signature_rows)
    sets = gene_sets(rows, weights[slots], genes, 0)
    assert sets[7].id == "random_00007" and sets[7].found == tuple(genes[rows[7]])
    assert sorted((sets[7].direction * sets[7].weight).tolist()) == sorted(weights.tolist())
    # means of random sets match the signature's (bins are deciles of 1000 genes)
    set_means = observed_mean[rows].mean(axis=1)
    assert abs(np.mean(set_means) - observed_mean[signature_rows].mean()) < 0.5


def test_fast_path_scores_equal_score_of_the_resolved_sets() -> None:
    """The null's gene sets, scored directly, equal score() of the same {gene: weight} dicts."""
    rng = np.random.default_rng(5)
    values = rng.normal(size=(200, 40))
    genes = np.array([f"g{i}" for i in range(200)])
    expression = pd.DataFrame(values, index=genes)
    signature_rows = np.array([3, 50, 120, 7])
    weights = np.array([1.0, -2.0, 0.5, 1.0])
    labels, _ = feasible_bins(values, np.isin(np.arange(200), signature_rows), (4, 2))
    rows, slots = draw_rows(signature_rows, labels, 30, np.random.default_rng(1))
    sets = gene_sets(rows, weights[slots], genes, 0)
    as_dicts = {
        gs.id: {str(genes[r]): float(w) for r, w in zip(rows[i], weights[slots], strict=True)}
        for i, gs in enumerate(sets)
    }
    # (not gsva: a one-gene DN part at the middle rank has an undefined GSVA score)
    for method in ("mean_z", "weighted", "zscore", "ssgsea", "singscore"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            expected = score(expression, as_dicts, method, min_coverage=1.0).to_numpy()
            got = np.asarray(get_method(method).func(values, sets, **get_method(method).options))
        np.testing.assert_array_equal(got, expected)


def test_null_refuses_na_cells(data: tuple, signature: Signature) -> None:
    expression, time, event, _ = data
    broken = expression.copy()
    broken.iloc[10, 3] = np.nan
    with pytest.raises(AnalysisError, match="1 genes have NA cells"):
        random_signature_null(broken, time, event, signature, n_random=10)


def test_bins_coarsen_when_too_few_genes() -> None:
    values = np.arange(40, dtype=float)[:, None] + np.random.default_rng(1).normal(size=(40, 8))
    is_signature = np.zeros(40, dtype=bool)
    is_signature[[36, 37, 38, 39]] = True  # all in the top mean bin
    _, used = feasible_bins(values, is_signature, (10, 5))
    assert used[0] < 10 or used[1] < 5
    is_signature[:] = True
    is_signature[0] = False
    with pytest.raises(AnalysisError, match="too few genes"):
        feasible_bins(values, is_signature, (10, 5))


def test_matched_by_default_and_reported(data: tuple, signature: Signature) -> None:
    res = _run(data, signature, n_random=20, seed=1)
    assert res.matched.startswith("expression mean (")
    assert (
        _run(data, signature, n_random=20, seed=1, match_expression=False).matched == "not matched"
    )
    record = res.to_dict()
    assert record["n_sets"] == 20 and {"percentile", "p_empirical", "matched"} <= set(record)


def test_adjusted_and_stratified_observed_z_is_the_cox_fit_z(
    data: tuple, signature: Signature
) -> None:
    expression, time, event, _ = data
    rng = np.random.default_rng(4)
    covariates = pd.DataFrame(
        {"age": rng.normal(60, 10, N_SAMPLES), "grade": rng.choice(["1", "2", "3"], N_SAMPLES)}
    )
    strata = rng.choice(["hiseq", "ga"], N_SAMPLES)
    res = _run(
        data,
        signature,
        n_random=15,
        seed=2,
        expected_direction="protective",
        covariates=covariates,
        strata=strata,
    )
    sig_score = score(expression, signature, method="mean_z", min_coverage=1.0).iloc[:, 0]
    design = pd.concat([pd.DataFrame({"score": sig_score.to_numpy()}), covariates], axis=1)
    direct = cox_fit(time, event, design, strata=strata).summary.loc["score", "z"]
    assert res.observed_z == pytest.approx(direct, rel=1e-10)
    assert res.covariates == ("age", "grade") and res.stratified
    assert res.random_z.size + res.n_failed == 15


def test_adjusting_for_the_driver_removes_the_signal(data: tuple, signature: Signature) -> None:
    _, _, _, factor = data
    adjusted = _run(
        data,
        signature,
        n_random=30,
        seed=2,
        expected_direction="protective",
        covariates=pd.DataFrame({"driver": factor}),
    )
    assert abs(adjusted.observed_z) < 3


def test_standardise_within_strata(data: tuple, signature: Signature) -> None:
    strata = np.repeat(["a", "b"], N_SAMPLES // 2)
    plain = _run(data, signature, n_random=10, seed=2, strata=strata)
    within = _run(
        data, signature, n_random=10, seed=2, strata=strata, standardise_within_strata=True
    )
    assert plain.observed_z != within.observed_z
    expression, time, event, _ = data
    s = score(expression, signature, method="mean_z", min_coverage=1.0).iloc[:, 0].to_numpy()
    z = np.empty_like(s)
    for level in ("a", "b"):
        part = strata == level
        z[part] = (s[part] - s[part].mean()) / s[part].std(ddof=1)
    direct = cox_fit(time, event, pd.DataFrame({"score": z}), strata=strata).summary.loc[
        "score", "z"
    ]
    assert within.observed_z == pytest.approx(direct, rel=1e-10)


def test_legacy_call_still_works(data: tuple, signature: Signature) -> None:
    expression, time, event, _ = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        res = random_signature_null(
            expression, time, event, signature, method="mean_z", n_random=10, seed=1
        )
    assert res.direction == "two-sided" and res.n_random == 10
    assert {"observed_z", "percentile_abs", "p_empirical", "random_abs_z_median"} <= set(
        res.to_dict()
    )


def test_input_errors(data: tuple, signature: Signature) -> None:
    with pytest.raises(OptionError, match="direction"):
        _run(data, signature, n_random=5, expected_direction="up")
    with pytest.raises(SigsurvInputError, match="one row per sample"):
        _run(data, signature, n_random=5, covariates=pd.DataFrame({"x": [1.0, 2.0]}))
    with pytest.raises(SigsurvInputError, match="one value per sample"):
        _run(data, signature, n_random=5, strata=["a", "b"])
    with pytest.raises(AnalysisError, match="no gene present"):
        _run(data, Signature.from_genes("absent", ["NOPE1"]), n_random=5)


def test_standardised_input_is_drawn_unmatched_and_says_so(data: tuple, signature: Signature):
    # Per-gene z-scored input (issue 20 item 7): every mean is 0, so mean/variance bins
    # would sort genes by rounding noise. The null draws from all genes and says so.
    expression, time, event, _ = data
    values = expression.to_numpy()
    z = (values - values.mean(axis=1, keepdims=True)) / values.std(axis=1, keepdims=True)
    standardised = pd.DataFrame(z, index=expression.index, columns=expression.columns)
    null = _run((standardised, time, event, None), signature, n_random=50, seed=3)
    assert null.matched.startswith("unmatched: the input is standardised per gene")
    assert "bins" in _run(data, signature, n_random=50, seed=3).matched
