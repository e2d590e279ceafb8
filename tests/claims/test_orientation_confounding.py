"""Issue 21 must-shows on constructed cohorts: proxy orientation and ER confounding.

* A HER2+ trastuzumab-treated cohort where the miR-21 *targets* protect (true per-SD HR
  about 0.5): the target proxy of the harmful miR-21 claim is "consistent" (a target
  score rises when miR-21 falls), with the orientation said in words.
* A two-study DRFS cohort where BCL2/IGF1R track ER (ESR1) and only ER drives outcome:
  the miR-424/503 target proxy is not a bare "contradicted"; its verdict uses the
  ESR1-adjusted HR (an analogue covariate), unadjusted beside it; without ESR1 it is
  "confounded, not adjusted". The IRF7 proxy with a small harmful effect and many
  events reads "effect of the claimed size excluded".
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sigsurv.claims.reproduce import reproduce_claims
from sigsurv.cohorts.model import Cohort, Endpoint
from sigsurv.seeds import get_claim
from sigsurv.signatures import get_signature

FAST = {"null_random": 50, "null_random_adjusted": 0}
MIR21_TARGETS = [g.symbol for g in get_signature("mir21_targets").genes]
IRF7_GENES = [g.symbol for g in get_signature("irf7_bone_proxy").genes]
PROLIFERATION = [g.symbol for g in get_signature("pam50_proliferation").genes]


def _noise(rng: np.random.Generator, genes: list[str], n: int) -> pd.DataFrame:
    return pd.DataFrame(rng.normal(6.0, 1.0, (len(genes), n)), index=genes)


def _times(rng: np.random.Generator, log_hazard: np.ndarray, censor: float) -> tuple:
    event_time = rng.exponential(1.0 / np.exp(log_hazard)) * 30
    censor_time = rng.exponential(30 / censor, log_hazard.size)
    return np.minimum(event_time, censor_time), (event_time <= censor_time).astype(int)


def her2_trastuzumab_cohort(n: int = 400, seed: int = 21) -> Cohort:
    rng = np.random.default_rng(seed)
    samples = [f"h{i:04d}" for i in range(n)]
    activity = rng.normal(size=n)  # miR-21 target activity (higher = less miR-21)
    targets = pd.DataFrame({g: 7 + activity + 0.5 * rng.normal(size=n) for g in MIR21_TARGETS}).T
    background = _noise(rng, [*PROLIFERATION, *(f"G{i:03d}" for i in range(200))], n)
    expression = pd.concat([targets, background])
    expression.columns = samples
    # True per-SD HR of the target score about 0.5.
    time, event = _times(rng, np.log(0.5) * activity / 0.9, censor=0.3)
    clinical = pd.DataFrame(
        {"her2": "positive", "trastuzumab": "yes", "pfi_time": time, "pfi_event": event},
        index=samples,
    )
    endpoints = {"pfi": Endpoint("pfi", "pfi_time", "pfi_event")}
    return Cohort("her2_sim", expression, clinical, endpoints)


def test_mir21_target_proxy_that_protects_is_consistent_with_the_harmful_mir21_claim():
    claim = get_claim("aacr2010_mir21_trastuzumab_her2_pos")
    result = reproduce_claims([her2_trastuzumab_cohort()], [claim], **FAST)
    (row,) = [t for t in result.claims[0].tests if t.signature_id == "mir21_targets"]
    assert row.population is not None and row.population["exactness"] == "exact"
    per_sd = row.hr_per_sd()
    assert (
        per_sd is not None and per_sd.ci_upper is not None and per_sd.ci_upper < 1
    )  # the targets protect
    assert row.claim_direction == "harmful" and row.expected_direction == "protective"
    assert row.verdict == "consistent"
    assert "higher target score = lower miR-21" in row.orientation
    assert "higher target score = lower miR-21" in row.reason
    record = row.to_dict()
    assert record["hr_per_sd_oriented"]["hr"] == pytest.approx(per_sd.hr)
    # The null and the C-index are read in the same (protective) direction.
    assert record["null"]["direction"] == "protective" and record["null"]["p_empirical"] < 0.05
    assert record["concordance"]["c"] > 0.5
    # The claim's own miRNA is not measured: the summary keeps the published table and
    # names what the proxy showed.
    summary = result.claims[0].summary
    assert summary.startswith("odds ratio ") and "proxy mir21_targets" in summary
    assert "1 consistent of 1 informative cohort" in summary


def drfs_two_study_cohort(n: int = 614, seed: int = 7, with_esr1: bool = True) -> Cohort:
    rng = np.random.default_rng(seed)
    samples = [f"d{i:04d}" for i in range(n)]
    study = np.where(np.arange(n) < 344, "VDX", "NKI")
    esr1 = rng.normal(size=n)  # ER (mRNA), the only driver of outcome here
    genes = {
        "BCL2": 6 + esr1 + 0.7 * rng.normal(size=n),
        "IGF1R": 6 + 0.8 * esr1 + 0.8 * rng.normal(size=n),
        "CDC25A": 6 + rng.normal(size=n),
    }
    irf7 = rng.normal(size=n)
    for gene in IRF7_GENES:
        genes[gene] = 6 + irf7 + 0.6 * rng.normal(size=n)
    if with_esr1:
        genes["ESR1"] = 8 + esr1
    expression = pd.concat(
        [pd.DataFrame(genes).T, _noise(rng, [f"G{i:03d}" for i in range(150)], n)]
    )
    expression.columns = samples
    time, event = _times(rng, -0.6 * esr1 + 0.12 * irf7 + 0.2 * (study == "NKI"), censor=0.4)
    clinical = pd.DataFrame({"study": study, "dmfs_time": time, "dmfs_event": event}, index=samples)
    endpoints = {"dmfs": Endpoint("dmfs", "dmfs_time", "dmfs_event")}
    return Cohort("drfs_sim", expression, clinical, endpoints, strata_columns=("study",))


@pytest.fixture(scope="module")
def mir424_rows():
    claim = get_claim("rodriguez_barrueco2017_mir424_503_loss")
    with_esr1 = reproduce_claims([drfs_two_study_cohort()], [claim], **FAST)
    without = reproduce_claims([drfs_two_study_cohort(with_esr1=False)], [claim], **FAST)
    pick = [
        next(t for t in r.claims[0].tests if t.signature_id == "mir424_503_targets")
        for r in (with_esr1, without)
    ]
    return with_esr1.claims[0], pick[0], pick[1]


def test_mir424_503_target_proxy_is_judged_on_the_er_adjusted_hr(mir424_rows):
    record, row, _ = mir424_rows
    assert row.strata == "study" and row.endpoint == "dmfs"
    unadjusted = row.hr_per_sd()
    assert (
        unadjusted is not None and unadjusted.ci_lower is not None and unadjusted.ci_lower > 1
    )  # confounded: looks contradicted
    assert row.verdict != "contradicted"
    assert row.verdict_basis == "per-SD HR adjusted for ESR1_mrna"
    adjusted = row.confounding["adjusted"]
    assert (
        adjusted["ci_lower"] < 1 < adjusted["ci_upper"]
        or adjusted["ci_upper"] < unadjusted.ci_lower
    )
    assert "analogue covariate" in row.reason and "unadjusted per-SD HR" in row.reason
    assert row.to_dict()["confounding"]["measures"][0]["status"] == "mrna"
    assert row.to_dict()["verdict_estimate"] == "confounding.adjusted"
    assert row.verdict_estimate() is not None
    assert row.verdict_estimate().hr == pytest.approx(adjusted["hr"])
    assert row.to_dict()["confounding_status"] == "adjusted"
    assert "er-adjusted in drfs_sim" in record.summary


def test_unmeasurable_confounder_reads_confounded_not_adjusted(mir424_rows):
    _, _, row = mir424_rows
    assert row.verdict == "confounded, not adjusted"
    assert row.detail is not None and row.detail.ci_reading == "contradicted"
    assert "no ER field and no ESR1 expression" in row.reason
    assert row.verdict_estimate() is None  # never pooled


def test_irf7_proxy_with_a_small_effect_and_many_events_excludes_the_claimed_size():
    claim = dataclasses.replace(get_claim("bidwell2012_irf7_bmfs"), site="")
    result = reproduce_claims([drfs_two_study_cohort()], [claim], **FAST)
    (row,) = result.claims[0].tests
    per_sd = row.hr_per_sd()
    assert per_sd is not None and per_sd.ci_lower is not None and per_sd.ci_upper is not None
    assert 0.67 < per_sd.ci_lower < 1 < per_sd.ci_upper  # 1.09 (0.99-1.20)
    assert row.verdict == "effect of the claimed size excluded"
    assert "excludes the target per-SD HR 0.67" in row.reason
    assert result.claims[0].summary.startswith(
        "1 effect of the claimed size excluded (drfs_sim) of 1 informative cohort"
    )
