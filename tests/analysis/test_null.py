"""Random-signature null on constructed data: direction, matching, adjustment, seeds."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from sigsurv.analysis.null import _draw_sets, _feasible_bins, random_signature_null
from sigsurv.errors import AnalysisError, OptionError, SigsurvInputError, SigsurvWarning
from sigsurv.scoring import score
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
    labels, used = _feasible_bins(values, is_signature, (10, 5))
    assert used == (10, 5)
    weights = np.array([1.0, -1.0, 2.0, 1.0, -0.5])
    sets = _draw_sets(genes, signature_rows, weights, labels, 100, np.random.default_rng(0))
    row = {g: i for i, g in enumerate(genes)}
    observed_mean = values.mean(axis=1)
    for members in sets.values():
        assert len(members) == 5 and not set(members) & set(genes[signature_rows])
        drawn = np.array([row[g] for g in members])
        assert sorted(members.values()) == sorted(weights.tolist())
        # each random gene sits in its signature gene's bin
        assert sorted(labels[drawn].tolist()) == sorted(labels[signature_rows].tolist())
    # means of random sets match the signature's (bins are deciles of 1000 genes)
    set_means = [observed_mean[[row[g] for g in m]].mean() for m in sets.values()]
    assert abs(np.mean(set_means) - observed_mean[signature_rows].mean()) < 0.5


def test_bins_coarsen_when_too_few_genes() -> None:
    values = np.arange(40, dtype=float)[:, None] + np.random.default_rng(1).normal(size=(40, 8))
    is_signature = np.zeros(40, dtype=bool)
    is_signature[[36, 37, 38, 39]] = True  # all in the top mean bin
    _, used = _feasible_bins(values, is_signature, (10, 5))
    assert used[0] < 10 or used[1] < 5
    is_signature[:] = True
    is_signature[0] = False
    with pytest.raises(AnalysisError, match="too few genes"):
        _feasible_bins(values, is_signature, (10, 5))


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
