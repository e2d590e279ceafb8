"""Issue 11 end to end: every verdict path of `reproduce_claims` on constructed cohorts.

Each cohort is simulated so that the rule it pins cannot pass by accident: the score
is the RPS6KA5 row (signature ``msk1_rps6ka5``) and the hazard is ``exp(beta x)``.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from fixtures import SMALL_MODEL_WARNINGS

from sigsurv._json import dumps
from sigsurv.claims.reproduce import reproduce_claims
from sigsurv.cohorts.model import Cohort, Endpoint
from sigsurv.errors import SigsurvWarning
from sigsurv.seeds import get_claim
from sigsurv.signatures import get_signature
from sigsurv.survival.meta import meta_analysis
from sigsurv.survival.multiplicity import benjamini_hochberg, holm

PROLIFERATION = [g.symbol for g in get_signature("pam50_proliferation").genes]
FAST = {"null_random": 20, "null_random_adjusted": 5}


def simulated_cohort(
    name: str,
    beta: float,
    n: int,
    *,
    seed: int,
    endpoint: str = "mfs",
    censor_rate: float = 0.3,
    with_er: bool = True,
) -> Cohort:
    rng = np.random.default_rng(seed)
    samples = [f"{name}_{i:04d}" for i in range(n)]
    x = rng.normal(8.0, 1.0, n)
    genes = ["RPS6KA5", *PROLIFERATION, *(f"G{i:03d}" for i in range(60))]
    expression = pd.DataFrame(rng.normal(6.0, 1.0, (len(genes), n)), index=genes, columns=samples)
    expression.loc["RPS6KA5"] = x
    hazard = np.exp(beta * (x - 8.0))
    event_time = rng.exponential(1.0 / hazard) * 24
    censor_time = rng.exponential(24 / censor_rate, n)
    clinical = pd.DataFrame(
        {
            "age": rng.normal(58, 10, n).round(),
            "grade": rng.integers(1, 4, n).astype(float),
            f"{endpoint}_time": np.minimum(event_time, censor_time),
            f"{endpoint}_event": (event_time <= censor_time).astype(int),
        },
        index=samples,
    )
    if with_er:
        clinical.insert(0, "er", "positive")
    endpoints = {endpoint: Endpoint(endpoint, f"{endpoint}_time", f"{endpoint}_event")}
    return Cohort(name, expression, clinical, endpoints)


def claim(direction: str = "protective", value: float | None = None, cid: str = "sim_claim"):
    base = get_claim("gawrzak2018_msk1_mfs_er_pos")
    return dataclasses.replace(
        base,
        id=cid,
        expected_direction=direction,
        statistic="hazard_ratio" if value is not None else "qualitative",
        value=value,
        ci_lower=None,
        ci_upper=None,
        ci_level=None,
        p_value=None,
        proxy_signature_ids=(),
    )


def only_test(cohorts, claims, **options):
    result = reproduce_claims(cohorts, claims, include_proxies=False, **(FAST | options))
    return result, result.claims[0].tests[0]


@pytest.mark.parametrize(
    ("beta", "direction", "verdict"),
    [
        (-0.8, "protective", "consistent"),
        (0.8, "protective", "contradicted"),
        (0.8, "harmful", "consistent"),
        (0.0, "protective", "effect of the claimed size excluded"),
    ],
)
def test_directional_verdicts_come_from_the_per_sd_ci(beta, direction, verdict):
    cohort = simulated_cohort("sim", beta, 300, seed=13)
    _, test = only_test([cohort], [claim(direction)])
    assert test.verdict == verdict
    row = test.to_dict()
    per_sd = row["hr_per_sd"]
    oriented = row["hr_per_sd_oriented"]
    if verdict == "consistent":
        assert oriented["ci_upper"] < 1
    elif verdict == "contradicted":
        assert oriented["ci_lower"] > 1
    else:
        assert per_sd["ci_lower"] < 1 < per_sd["ci_upper"] and 0.67 < oriented["ci_lower"]
    # The C-index is read in the claim's direction, never flipped to the fitted one.
    c = row["concordance"]["c"]
    if verdict in ("consistent", "contradicted"):
        assert (c > 0.5) == (verdict == "consistent")


def test_not_informative_says_which_target_and_keeps_the_ci_reading():
    cohort = simulated_cohort("small", -0.8, 40, seed=3, censor_rate=3.0)
    with pytest.warns(SigsurvWarning, match="10 events for .* the adjusted estimate is unstable"):
        _, test = only_test([cohort], [claim("protective", value=0.8)])
    assert test.verdict == "not informative"
    assert "published HR 0.80 (50/50 split) as per-SD HR 0.87" in test.reason
    assert test.detail is not None and test.detail.ci_reading in (
        "consistent",
        "inconclusive",
        "contradicted",
    )
    power = test.to_dict()["power"]
    assert power["target_hr"] == pytest.approx(0.8 ** (1 / 1.5958), abs=1e-4)
    assert power["target_source"] == "published" and power["scale"] == "per SD"
    assert power["power"] < 0.5 and power["min_detectable_hr"] < 1


def test_not_testable_reason_is_words_not_a_class_name():
    cohort = simulated_cohort("no_er", -0.5, 100, seed=4, with_er=False)
    _, test = only_test([cohort], [claim()])
    assert test.verdict == "not testable"
    assert "er" in test.reason and "Error" not in test.reason


@pytest.mark.parametrize(("beta", "verdict"), [(0.0, "equivalent"), (1.0, "different")])
def test_claims_of_no_association_use_equivalence(beta, verdict):
    cohort = simulated_cohort("null", beta, 700, seed=5, censor_rate=0.1)
    result, test = only_test([cohort], [claim("none")])
    assert test.verdict == verdict
    assert "equivalence margins 0.8–1.25" in test.reason and "TOST power at HR 1" in test.reason
    assert result.claims[0].summary.startswith(f"1 {verdict}")


def test_small_null_claim_test_is_not_informative_unless_it_differs():
    cohort = simulated_cohort("small_null", 0.0, 60, seed=5, censor_rate=0.5)
    # 36 events for 4 clinical parameters: the adjusted estimate is flagged as unstable
    with pytest.warns(SigsurvWarning, match=SMALL_MODEL_WARNINGS):
        _, test = only_test([cohort], [claim("none")])
    assert test.verdict == "not informative" and "equivalence could not be shown" in test.reason


def test_equivalence_margins_are_an_option():
    cohort = simulated_cohort("null", 0.0, 700, seed=5, censor_rate=0.1)
    _, default = only_test([cohort], [claim("none")])
    _, narrow = only_test([cohort], [claim("none")], equivalence_margins=(0.99, 1.01))
    assert default.verdict == "equivalent" and narrow.verdict != "equivalent"
    assert "0.99–1.01" in narrow.reason


def test_published_table_is_recomputed_as_an_odds_ratio_not_a_verdict():
    mir21 = get_claim("aacr2010_mir21_trastuzumab_her2_pos")
    result = reproduce_claims([], [mir21], null_random=0)
    table = result.claims[0].to_dict()["published_table_recomputed"]
    assert table["verdict"] == "published table recomputed"
    assert table["reason"].startswith("odds ratio ") and "HR" not in table["reason"]
    assert result.claims[0].summary.startswith("odds ratio ")


def test_identical_tests_are_computed_once_and_shared():
    cohort = simulated_cohort("twice", -0.6, 150, seed=6)
    first, second = claim(cid="sim_first"), claim(cid="sim_second")
    result = reproduce_claims([cohort], [first, second], include_proxies=False, **FAST)
    a, b = (record.tests[0] for record in result.claims)
    assert a.test_id == b.test_id and a.shared is b.shared
    assert a.to_dict()["shared_with"] == ["sim_second"]
    assert b.to_dict()["shared_with"] == ["sim_first"]
    # Counted once over the run: the BH q of a single distinct test is its p.
    assert a.q_bh == b.q_bh == pytest.approx(a.hr_per_sd().p_wald)


def test_multiplicity_holm_within_claim_and_bh_over_run():
    cohorts = [
        simulated_cohort(f"c{i}", beta, 200, seed=20 + i)
        for i, beta in enumerate((-0.7, -0.1, 0.2))
    ]
    other = simulated_cohort("c_other", -0.4, 200, seed=30)
    result = reproduce_claims(
        [*cohorts, other],
        [claim(cid="sim_a"), claim("harmful", cid="sim_b")],
        include_proxies=False,
        **FAST,
    )
    record = result.claims[0]
    p = [t.hr_per_sd().p_wald for t in record.tests]
    assert [t.p_holm for t in record.tests] == pytest.approx(list(holm(p)))
    # The two claims run the same four tests: BH counts each distinct test once.
    q = benjamini_hochberg(p)
    assert [t.q_bh for t in record.tests] == pytest.approx(list(q))


def test_pools_are_reml_adhoc_records_and_separate_endpoints():
    cohorts = [
        simulated_cohort("p1", -0.5, 150, seed=41),
        simulated_cohort("p2", -0.3, 150, seed=42),
        simulated_cohort("p3", -0.6, 150, seed=43),
        simulated_cohort("r1", -0.4, 150, seed=44, endpoint="rfs"),
        simulated_cohort("r2", -0.2, 150, seed=45, endpoint="rfs"),
    ]
    result = reproduce_claims(cohorts, [claim()], include_proxies=False, null_random=0)
    record = result.claims[0]
    pools = {(p["endpoint"], p["endpoint_match"]): p for p in record.pools}
    assert set(pools) == {("mfs", "exact"), ("rfs", "analogue")}
    exact = pools[("mfs", "exact")]
    assert exact["method"] == "REML" and exact["test"] == "adhoc"
    assert [s["cohort"] for s in exact["studies"]] == ["p1", "p2", "p3"]
    assert set(exact["studies"][0]) == {"cohort", "hr", "lower", "upper", "weight"}
    per_sd = [t.hr_per_sd() for t in record.tests[:3]]
    direct = meta_analysis(
        [r.coef for r in per_sd], [r.se for r in per_sd], method="REML", test="adhoc"
    )
    assert exact["hr"] == pytest.approx(direct.pooled.hr, rel=1e-12)
    assert exact["prediction_lower"] == pytest.approx(direct.prediction_lower, rel=1e-12)
    assert 0 <= exact["i2"] <= 100
    assert len(exact["leave_one_out"]) == 3
    assert " consistent" in record.summary.split(" of ")[0]
    # The headline pool is the exact endpoint's, by the stated rule; the other is listed.
    assert "pooled per-SD HR for mfs (exact endpoint, exact population)" in record.summary
    assert "PI " in record.summary
    assert record.headline_pool == exact["label"]
    assert record.other_pools and record.other_pools[0].startswith(
        pools[("rfs", "analogue")]["label"]
    )
    two = pools[("rfs", "analogue")]
    assert two["prediction_lower"] is None and "2 cohorts" in two["prediction_note"]


def test_results_json_schema_per_test_and_claim():
    cohort = simulated_cohort("schema", -0.6, 160, seed=51)
    other = simulated_cohort("schema2", -0.4, 160, seed=52)
    result = reproduce_claims([cohort, other], [claim()], include_proxies=False, **FAST)
    payload = json.loads(dumps(result.to_dict()))
    row = payload["claims"][0]["tests"][0]
    for key in ("verdict", "events", "median_follow_up", "p_holm", "q_bh"):
        assert row[key] is not None
    hr_keys = {"term", "hr", "ci_lower", "ci_upper", "coef", "se", "z", "p_wald", "estimable"}
    assert set(row["hr_per_sd"]) >= hr_keys  # one HR vocabulary: HazardRatio.to_dict()
    assert "hr_per_sd" not in row["estimate"] and "verdict_hr" not in row
    assert set(row["power"]) >= {"target_hr", "power", "min_detectable_hr"}
    for model in ("clinical", "proliferation"):
        assert set(row["adjusted"][model]) >= hr_keys | {"covariates"}
    # ER defines the subgroup: it is not a covariate; grade enters as a factor.
    assert row["adjusted"]["clinical"]["covariates"] == ["age", "grade"]
    assert row["adjusted"]["proliferation"]["covariates"] == ["pam50_proliferation"]
    assert set(row["adjusted"]["clinical"]["lrt"]) == {"stat", "df", "p"}
    assert "delta_c" in row["adjusted"]["clinical"]
    null = row["null"]
    assert set(null) >= {"n_sets", "percentile", "p_empirical", "matched"}
    assert null["n_sets"] == 20 and null["direction"] == "protective"
    assert null["proliferation_adjusted"]["n_sets"] == 5
    cuts = {r["cut"]: r for r in row["cut_rows"]}
    assert set(cuts) == {"median", "tertile", "optimal"}
    assert cuts["optimal"]["optimistic"] is True and cuts["optimal"]["corrected"]["hr"] > 0
    claim_record = payload["claims"][0]
    assert claim_record["summary"]
    pool = claim_record["pools"][0]
    for key in (
        "endpoint",
        "method",
        "test",
        "hr",
        "lower",
        "upper",
        "prediction_lower",
        "prediction_upper",
        "tau2",
        "i2",
        "q",
        "q_p",
        "studies",
    ):
        assert key in pool
    # The null row belongs to the test it was computed on.
    nulls = payload["random_signature_null"]
    assert {(n["cohort"], n["test_id"]) for n in nulls} == {
        (t["cohort"], t["test_id"]) for t in claim_record["tests"]
    }


def _hazard_ratio_records(value, path=""):
    """Every HR record in a results.json row: (path, its numbers)."""
    if isinstance(value, dict):
        if "hr" in value and "ci_lower" in value and value["hr"] is not None:
            yield path, tuple(value.get(k) for k in ("hr", "ci_lower", "ci_upper", "p_wald"))
        for key, item in value.items():
            yield from _hazard_ratio_records(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _hazard_ratio_records(item, f"{path}[{i}]")


def test_no_row_carries_a_hazard_ratio_twice():
    cohort = simulated_cohort("twice", -0.6, 160, seed=51)
    result = reproduce_claims([cohort], [claim()], include_proxies=False, **FAST)
    row = json.loads(dumps(result.to_dict()))["rows"][0]
    records = list(_hazard_ratio_records(row))
    assert len(records) >= 4  # per SD, grouped, adjusted and cut rows all have one
    seen: dict[tuple, str] = {}
    for path, numbers in records:
        assert numbers not in seen, f"{path} repeats {seen.get(numbers)}"
        seen[numbers] = path
    median = next(r for r in row["cut_rows"] if r["cut"] == row["estimate"]["cut"])
    assert median == {**median, "same_as": "estimate.hr_grouped"} and "hr" not in median
    # the run speaks the result language too: one summary row per test
    assert result.summary.loc[0, "hr"] == row["hr_per_sd"]["hr"]
    assert result.to_text().startswith("1 claims on twice") and "<table" in result._repr_html_()


def test_stratified_tests_cut_and_standardise_within_strata():
    cohort = simulated_cohort("strat", -0.5, 200, seed=61)
    batch = np.where(np.arange(200) % 2 == 0, "A", "B")
    cohort.expression.loc["RPS6KA5", batch == "B"] += 3.0  # a batch shift of the score
    cohort.clinical["machine"] = batch
    cohort = dataclasses.replace(cohort, strata_columns=("machine",))
    _, test = only_test([cohort], [claim()])
    assert test.strata == "machine"
    analysis = test.analysis
    assert set(analysis.cuts_by_stratum) == {"A", "B"}
    groups = pd.crosstab(batch, analysis.grouping.labels.astype(str).to_numpy())
    assert (groups["high"] == 50).all()  # half of each stratum is "high"
    assert "median cut taken within each stratum" in analysis.notes
    assert test.to_dict()["null"]["stratified"] is True


def test_host_gene_only_coverage_is_labelled_proxy():
    # miR-21 measured through its host gene VMP1 is not a miRNA measurement.
    cohort = simulated_cohort("host", 0.5, 150, seed=71)
    expression = cohort.expression.rename(index={"RPS6KA5": "VMP1"})
    cohort.clinical["her2"] = "positive"
    cohort = dataclasses.replace(
        cohort,
        expression=expression,
        endpoints={"rfs": Endpoint("rfs", "mfs_time", "mfs_event")},
    )
    mir21 = get_claim("aacr2010_mir21_trastuzumab_her2_pos")
    result = reproduce_claims([cohort], [mir21], include_proxies=False, **FAST)
    test = result.claims[0].tests[0]
    assert test.analysis is not None
    assert test.proxy is not None and "host gene VMP1" in test.proxy
    assert "host gene VMP1" in test.reason
    assert test.to_dict()["proxy"] == test.proxy
