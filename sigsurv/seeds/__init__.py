"""Structured records of the seed documents and their claims (what ``reproduce`` checks)."""

from sigsurv.seeds.registry import (
    claims_for_signature,
    describe_signature,
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
    "STATISTICS",
    "Citation",
    "Claim",
    "Comparison",
    "CountsTable",
    "EndpointMatch",
    "Horizon",
    "SeedRecord",
    "claims_for_signature",
    "describe_signature",
    "get_claim",
    "get_seed_record",
    "list_claims",
    "load_seed_records",
    "read_seed_record",
]
