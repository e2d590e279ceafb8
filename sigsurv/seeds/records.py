"""Structured records of the seed documents and the claims they make.

One YAML file per seed document (``sigsurv/seeds/<seed file stem>.yaml``), written in
sigsurv's own words: the citation, what was measured, and every claim as data (the
statistic and its value, CI and p where published, endpoint, population, the
comparison and which group is the reference, cohort size, and the signature that tests
it). Every fact carries an evidence tag (``SEED``, ``SRC``, ``MEM``, ``INF``, ``DER``;
see ``shared/SIGNATURES.md``). These records are what ``sigsurv reproduce`` checks.
"""

from sigsurv.seeds.registry import (
    RECORDS_DIR,
    claims_for_signature,
    get_claim,
    get_seed_record,
    list_claims,
    load_seed_records,
    read_seed_record,
)
from sigsurv.seeds.schema import (
    CLAIM_DIRECTIONS,
    ENDPOINT_KINDS,
    STATISTICS,
    Citation,
    Claim,
    Comparison,
    CountsTable,
    EndpointMatch,
    Horizon,
    SeedRecord,
)

__all__ = [
    "CLAIM_DIRECTIONS",
    "ENDPOINT_KINDS",
    "RECORDS_DIR",
    "STATISTICS",
    "Citation",
    "Claim",
    "Comparison",
    "CountsTable",
    "EndpointMatch",
    "Horizon",
    "SeedRecord",
    "claims_for_signature",
    "get_claim",
    "get_seed_record",
    "list_claims",
    "load_seed_records",
    "read_seed_record",
]
