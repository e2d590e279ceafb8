"""Issue 21 rules end to end: null in the verdict, small strata, ER provenance, legend, EPV."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from fixtures import SMALL_MODEL_WARNINGS

from sigsurv._json import dumps
from sigsurv.claims.evidence import adjusted_estimate
from sigsurv.claims.populations import population_for, receptor_provenance
from sigsurv.claims.reproduce import VERDICTS, reproduce_claims
from sigsurv.cohorts.model import Cohort, Endpoint
from sigsurv.errors import SigsurvWarning
from sigsurv.seeds import get_claim


def cohort_with(
    beta: float,
    n: int,
    *,
    seed: int,
    noise_genes: int = 60,
    study: list[str] | None = None,
    er: list[str] | None = None,
) -> Cohort:
    """x drives the hazard (beta per SD); RPS6KA5 measures x, background genes better."""
    rng = np.random.default_rng(seed)
    samples = [f"s{i:04d}" for i in range(n)]
    x = rng.normal(size=n)
    genes = [f"G{i:03d}" for i in range(noise_genes)]
    # Random genes share the signal, more cleanly than RPS6KA5: random sets do as well.
    background = x[None, :] + 0.3 * rng.normal(size=(noise_genes, n))
    expression = pd.DataFrame(6 + background, index=genes, columns=samples)
    expression.loc["RPS6KA5"] = 6 + 0.7 * x + 0.75 * rng.normal(size=n)
    event_time = rng.exponential(1 / np.exp(beta * x)) * 24
    censor = rng.exponential(60, n)
    clinical = pd.DataFrame(
        {
            "er": er if er is not None else ["positive"] * n,
            "mfs_time": np.minimum(event_time, censor),
            "mfs_event": (event_time <= censor).astype(int),
        },
        index=samples,
    )
    strata: tuple[str, ...] = ()
    if study is not None:
        clinical["study"] = study
        strata = ("study",)
    endpoints = {"mfs": Endpoint("mfs", "mfs_time", "mfs_event")}
    return Cohort("rules", expression, clinical, endpoints, strata_columns=strata)


def msk1_claim():
    base = get_claim("gawrzak2018_msk1_mfs_er_pos")
    return dataclasses.replace(base, proxy_signature_ids=(), statistic="qualitative", value=None)


def test_consistent_but_not_better_than_random_signatures_says_so():
    cohort = cohort_with(-0.5, 300, seed=3)
    result = reproduce_claims([cohort], [msk1_claim()], include_proxies=False, null_random=200)
    (test,) = result.claims[0].tests
    null = test.to_dict()["null"]
    assert null["p_empirical"] > 0.05
    assert test.verdict == "consistent, not better than random signatures"
    assert test.detail is not None and test.detail.ci_reading == "consistent"
    assert "not better than random signatures: empirical p" in test.reason


def test_strata_below_the_minimum_are_merged_and_reported():
    n = 300
    study = ["A"] * 150 + ["B"] * 146 + ["C"] * 3 + ["D"]
    cohort = cohort_with(-0.5, n, seed=4, study=study)
    result = reproduce_claims([cohort], [msk1_claim()], include_proxies=False, null_random=0)
    (test,) = result.claims[0].tests
    assert test.strata == "study_merged"
    assert test.strata_note is not None and "C, D" in test.strata_note
    assert "merged into 'A'" in test.strata_note  # 4 patients: too few on their own
    assert test.strata_note in test.reason
    assert test.analysis is not None and set(test.analysis.strata_values) == {"A", "B"}


def test_cohort_strata_attribute_is_used_first():
    n = 200
    cohort = cohort_with(-0.5, n, seed=5, study=["A", "B"] * (n // 2))
    cohort = dataclasses.replace(cohort, strata_columns=())
    object.__setattr__(cohort, "strata", "study")  # what the loaders branch adds
    result = reproduce_claims([cohort], [msk1_claim()], include_proxies=False, null_random=0)
    assert result.claims[0].tests[0].strata == "study"


def test_er_called_from_mrna_makes_an_analogue_population():
    n = 120
    er = ["positive", "negative"] * (n // 2)
    cohort = cohort_with(-0.5, n, seed=6, er=er)
    assert receptor_provenance(cohort, "er") == "not recorded"
    assert population_for(msk1_claim(), cohort)[2] == "exact"
    tagged = dataclasses.replace(cohort, clinical=cohort.clinical.assign(er_method="ESR1 mRNA"))
    _, label, exactness, reason = population_for(msk1_claim(), tagged)
    assert exactness == "analogue" and "from mRNA" in label and "not measured by IHC" in reason
    ihc = dataclasses.replace(cohort, clinical=cohort.clinical.assign(er_method="IHC"))
    assert receptor_provenance(ihc, "er") == "IHC"


def test_results_json_defines_every_verdict_and_new_field():
    cohort = cohort_with(-0.5, 200, seed=7)
    result = reproduce_claims([cohort], [msk1_claim()], include_proxies=False, null_random=0)
    payload = json.loads(dumps(result.to_dict()))
    definitions = payload["definitions"]
    for verdict in VERDICTS:
        assert definitions[verdict], verdict
    row = payload["rows"][0]
    for key in (
        "orientation",
        "verdict_basis",
        "score_relation",
        "verdict_estimate",
        "strata_note",
    ):
        assert key in row and key in definitions
    assert "nominal" in payload["options"]["alpha"]
    assert "adhoc" in payload["options"]["pooling"]
    assert payload["claims"][0]["headline_rule"] == definitions["headline_rule"]


def test_adjusted_model_below_five_events_per_parameter_is_not_an_estimate():
    rng = np.random.default_rng(8)
    n = 60
    x = rng.normal(size=n)
    time = rng.exponential(np.exp(-0.5 * x))
    event = (rng.random(n) < 0.15).astype(float)  # about 9 events
    covariates = pd.DataFrame({"age": rng.normal(60, 9, n), "size": rng.normal(2, 1, n)})
    out = adjusted_estimate(time, event, x, covariates)
    assert out["events_per_parameter"] < 5
    assert out["hr"] is None and out["not_computed"].startswith("too few events")
    assert out["ml"]["hr"] is not None  # the ML fit is kept, labelled, beside


@pytest.mark.parametrize("cohort_name", ["gse1992"])
def test_bundled_er_negative_msk1_reads_different(cohort_name):
    from sigsurv import load_example

    claim = get_claim("gawrzak2018_msk1_no_difference_er_neg")
    # 21 events for 5 clinical parameters: the adjusted estimate is flagged as unstable
    with pytest.warns(SigsurvWarning, match=SMALL_MODEL_WARNINGS):
        result = reproduce_claims([load_example(cohort_name)], [claim], null_random=0)
    (test,) = result.claims[0].tests
    assert test.verdict == "different"  # per-SD HR 0.60 (0.38-0.94), 22 events
    assert result.claims[0].summary.startswith("1 different (gse1992)")
