"""Structured records of the seed documents and their claims (what ``reproduce`` checks)."""

from sigsurv.seeds._reader import ClaimRecordError
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
from sigsurv.seeds.user import (
    ClaimFile,
    claim_template,
    load_claim_files,
    load_claims,
    read_signature_files,
)

__all__ = [
    "CLAIM_DIRECTIONS",
    "ENDPOINT_KINDS",
    "STATISTICS",
    "Citation",
    "Claim",
    "ClaimFile",
    "ClaimRecordError",
    "Comparison",
    "CountsTable",
    "EndpointMatch",
    "Horizon",
    "SeedRecord",
    "claim_template",
    "claims_for_signature",
    "describe_signature",
    "get_claim",
    "get_seed_record",
    "list_claims",
    "load_claim_files",
    "load_claims",
    "load_seed_records",
    "read_seed_record",
    "read_signature_files",
]
