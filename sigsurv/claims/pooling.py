"""Pooling a claim's per-SD log HRs across cohorts, and choosing the headline pool.

Rules (stated in ``results.json`` under ``options.pooling`` and in every pool record):

* one pool per signature, endpoint, endpoint exactness (exact / analogue), population
  exactness (exact / analogue) and the HR each verdict used (unadjusted, or adjusted for
  the same confounder columns): evidence on the claim's own endpoint or population is
  never averaged with evidence on a stand-in, and a row ``confounded, not adjusted`` is
  not pooled at all;
* REML; below :data:`KNHA_BELOW` cohorts the *truncated* Knapp–Hartung test (metafor
  ``test="adhoc"``: the Knapp–Hartung factor is never below 1, so two concordant cohorts
  cannot give an interval narrower than the z interval widened to t), else z;
* no prediction interval below :data:`~sigsurv.claims.verdicts.MIN_COHORTS_FOR_PI`
  cohorts: two cohorts cannot estimate the spread of effects between cohorts;
* the **headline pool** of a signature is chosen by :func:`headline_pool`: exact
  endpoint and exact population first; else the analogue closest to the claim (the
  claim's own order of endpoints); ties by more cohorts. Every other pool is listed with
  the cohorts it leaves out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sigsurv._results import HazardRatio
from sigsurv.claims.verdicts import reason_from_error
from sigsurv.errors import SigsurvInputError
from sigsurv.survival.meta import MetaAnalysisResult, meta_analysis

__all__ = [
    "HEADLINE_RULE",
    "KNHA_BELOW",
    "MIN_COHORTS_FOR_PI",
    "PooledTest",
    "headline_pool",
    "pool_key",
    "pool_tests",
]

#: Pools below this many cohorts use the truncated Knapp–Hartung test (metafor "adhoc").
KNHA_BELOW = 5
#: Pools below this many cohorts get no prediction interval.
MIN_COHORTS_FOR_PI = 3
HEADLINE_RULE = (
    "headline pool: the claim's exact endpoint and exact population first; else the "
    "analogue endpoint closest to the claim (the claim's order of endpoints), exact "
    "population before analogue; ties by more cohorts"
)


_Key = tuple[str, str, str, str, str]


class PooledTest(Protocol):
    """What pooling reads of a test (:class:`~sigsurv.claims.records.ClaimTest` has it)."""

    @property
    def test_id(self) -> str | None: ...
    @property
    def cohort(self) -> str: ...
    @property
    def signature_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def endpoint(self) -> str | None: ...
    @property
    def endpoint_match(self) -> str | None: ...
    @property
    def population_exactness(self) -> str | None: ...
    @property
    def verdict_basis(self) -> str: ...
    @property
    def verdict_hr(self) -> HazardRatio | None: ...


def pool_key(test: PooledTest) -> _Key:
    """``(signature, endpoint, endpoint exactness, population exactness, HR basis)``."""
    population = test.population_exactness or "exact"
    basis = str(test.verdict_basis)
    return (
        test.signature_id,
        str(test.endpoint),
        str(test.endpoint_match),
        str(population),
        basis,
    )


def pool_label(key: _Key) -> str:
    """``sig · endpoint (exact endpoint, analogue population[, adjusted ...])``.

    Examples
    --------
    >>> pool_label(("s", "os", "analogue", "exact", "unadjusted per-SD HR"))
    's · os (analogue endpoint, exact population)'
    """
    signature_id, endpoint, match, population, basis = key
    adjusted = "" if basis.startswith("unadjusted") else f", {basis.replace('per-SD HR ', '')}"
    return f"{signature_id} · {endpoint} ({match} endpoint, {population} population{adjusted})"


def _record(key: _Key, tests: Sequence[PooledTest]) -> dict[str, Any]:
    signature_id, endpoint, match, population, basis = key
    return {
        "label": pool_label(key),
        "signature_id": signature_id,
        "signature_role": tests[0].role,
        "endpoint": endpoint,
        "endpoint_match": match,
        "population_exactness": population,
        "estimate_basis": basis,
        "cohorts": [t.cohort for t in tests],
    }


def _fit(tests: Sequence[PooledTest]) -> MetaAnalysisResult:
    estimates = [t.verdict_hr for t in tests]
    return meta_analysis(
        [e.coef for e in estimates if e is not None],
        [e.se for e in estimates if e is not None],
        labels=[t.cohort for t in tests],
        method="REML",
        test="adhoc" if len(tests) < KNHA_BELOW else "z",
    )


def _meta_record(meta: MetaAnalysisResult) -> dict[str, Any]:
    out = {**meta.to_dict(), "q_df": meta.q_df}
    k = len(meta.studies)
    if k < MIN_COHORTS_FOR_PI:
        out["prediction_lower"] = out["prediction_upper"] = None
        out["prediction_note"] = (
            f"no prediction interval with {k} cohorts: the spread of effects between "
            f"cohorts cannot be estimated from fewer than {MIN_COHORTS_FOR_PI}"
        )
    loo = meta.leave_one_out() if k >= 3 else None
    out["leave_one_out"] = (
        None
        if loo is None
        else [
            {"left_out": str(i), "hr": r.hr, "lower": r.lower, "upper": r.upper, "p": r.p}
            for i, r in loo.iterrows()
        ]
    )
    return out


def pool_tests(
    tests: Sequence[PooledTest],
) -> tuple[dict[str, MetaAnalysisResult], list[dict[str, Any]]]:
    """Pool the per-SD log HRs of one claim's tests (one pool per :func:`pool_key`).

    Each test enters with the HR its verdict used (``verdict_hr``: the adjusted one when
    the verdict is); tests sharing one computation (same ``test_id``) enter once.

    Returns
    -------
    (pooled, records)
        The fitted pools by label, and one JSON-ready record per pool (or per pool that
        could not be computed, with ``not_computed``).
    """
    groups: dict[_Key, list[PooledTest]] = {}
    seen: set[str] = set()
    for test in tests:
        per_sd = test.verdict_hr
        if per_sd is None or per_sd.coef is None or not per_sd.se:
            continue
        if test.test_id in seen:
            continue
        seen.add(str(test.test_id))
        groups.setdefault(pool_key(test), []).append(test)
    pooled: dict[str, MetaAnalysisResult] = {}
    records: list[dict[str, Any]] = []
    for key, members in groups.items():
        if len(members) < 2:
            continue
        record = _record(key, members)
        try:
            meta = _fit(members)
        except SigsurvInputError as error:
            records.append(record | {"not_computed": reason_from_error(error)})
            continue
        pooled[record["label"]] = meta
        records.append(record | _meta_record(meta))
    return pooled, records


def _closeness(record: dict[str, Any], endpoint_order: Sequence[str]) -> tuple[int, int, int, int]:
    endpoint = record["endpoint"]
    rank = endpoint_order.index(endpoint) if endpoint in endpoint_order else len(endpoint_order)
    return (
        record["endpoint_match"] != "exact",
        record["population_exactness"] != "exact",
        rank,
        -len(record.get("cohorts", [])),
    )


def headline_pool(
    records: Sequence[dict[str, Any]], signature_id: str, endpoint_order: Sequence[str]
) -> tuple[dict[str, Any] | None, list[str]]:
    """The headline pool of a signature and, for each other pool, what it leaves out.

    Parameters
    ----------
    records
        Pool records of the claim (:func:`pool_tests`).
    signature_id
        The signature whose pools compete.
    endpoint_order
        The claim's endpoints, exact first then analogues in the claim's order.

    Returns
    -------
    (headline, others)
        The chosen record (None when there is no computed pool) and one phrase per
        other pool naming its cohorts and what it leaves out.

    Examples
    --------
    >>> pools = [
    ...     {"label": "a", "signature_id": "s", "endpoint": "os", "endpoint_match": "analogue",
    ...      "population_exactness": "exact", "cohorts": ["x", "y", "z"], "hr": 1.0},
    ...     {"label": "b", "signature_id": "s", "endpoint": "dmfs", "endpoint_match": "analogue",
    ...      "population_exactness": "exact", "cohorts": ["u", "v"], "hr": 1.0}]
    >>> head, others = headline_pool(pools, "s", ["dss", "dmfs", "os"])
    >>> head["label"], others
    ('b', ['a: x, y, z (leaves out u, v)'])
    """
    mine = [r for r in records if r["signature_id"] == signature_id and "hr" in r]
    if not mine:
        return None, []
    chosen = min(mine, key=lambda r: _closeness(r, endpoint_order))
    others = []
    for record in mine:
        if record is chosen:
            continue
        left_out = [c for c in chosen["cohorts"] if c not in record["cohorts"]]
        others.append(
            f"{record['label']}: {', '.join(record['cohorts'])}"
            + (f" (leaves out {', '.join(left_out)})" if left_out else "")
        )
    return chosen, others
