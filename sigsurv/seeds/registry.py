"""The seed records shipped with sigsurv: one strict YAML file per seed document.

One YAML file per seed document (``sigsurv/seeds/<seed file stem>.yaml``), written in
sigsurv's own words. Reading is strict: unknown fields are refused with the file and
line, like signature files.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from sigsurv.seeds._reader import MAX_RECORD_BYTES, read_record_file
from sigsurv.seeds.schema import Claim, SeedRecord, _err
from sigsurv.signatures import Signature, get_signature, signature_to_dict

__all__ = [
    "MAX_RECORD_BYTES",
    "RECORDS_DIR",
    "claims_for_signature",
    "describe_signature",
    "get_claim",
    "get_seed_record",
    "list_claims",
    "load_seed_records",
    "read_seed_record",
]

#: Folder of the seed record YAML files.
RECORDS_DIR = Path(__file__).resolve().parent


def read_seed_record(path: str | Path) -> SeedRecord:
    """Read one seed record YAML file, strictly (unknown fields refused, with the line).

    Examples
    --------
    >>> rec = read_seed_record(RECORDS_DIR / "001_bda596df1d0ad88b.yaml")
    >>> rec.claims[0].table.counts
    ((6, 1), (8, 22))
    """
    path = Path(path)
    record, _inline, reader = read_record_file(path, kind="builtin", what="seed record file")
    if Path(record.seed_document).stem != path.stem:
        raise reader.fail(
            "seed_document must name the seed file this record is named after",
            ("seed_document",),
            expected=f"{path.stem}.txt",
            found=record.seed_document,
        )
    return record


@functools.lru_cache(maxsize=1)
def _records() -> tuple[SeedRecord, ...]:
    records = tuple(read_seed_record(p) for p in sorted(RECORDS_DIR.glob("*.yaml")))
    seen: dict[str, str] = {}
    for rec in records:
        for claim in rec.claims:
            if claim.id in seen:
                raise _err("duplicate claim id", found=claim.id, hint=f"also in {seen[claim.id]}")
            seen[claim.id] = rec.seed_document
    return records


def load_seed_records() -> list[SeedRecord]:
    """All seed records, sorted by seed document name.

    Examples
    --------
    >>> [r.seed_document[:3] for r in load_seed_records()]
    ['000', '001', '002', '003', '004']
    """
    return list(_records())


def get_seed_record(seed_document: str) -> SeedRecord:
    """The record of one seed document (file name, with or without ``.txt``).

    Examples
    --------
    >>> get_seed_record("003_05836eed4c824ca8").citation.pmid
    '21234533'
    """
    stem = Path(seed_document).stem
    for rec in _records():
        if Path(rec.seed_document).stem == stem:
            return rec
    raise _err("unknown seed document", found=seed_document)


def list_claims(
    *, signature_id: str | None = None, quantitative: bool | None = None
) -> list[Claim]:
    """Every claim of every seed record, in record order.

    Parameters
    ----------
    signature_id
        Only claims this signature tests (as primary or as proxy).
    quantitative
        ``True``: only claims with a published number; ``False``: only direction-only
        claims; ``None``: all.

    Examples
    --------
    >>> [c.id for c in list_claims(quantitative=True)]  # doctest: +NORMALIZE_WHITESPACE
    ['aacr2010_mir21_trastuzumab_her2_pos', 'gawrzak2018_msk1_bone_relapse_5y_er_pos',
     'gawrzak2018_msk1_mfs_er_pos']
    """
    claims = [c for rec in _records() for c in rec.claims]
    if signature_id is not None:
        claims = [c for c in claims if signature_id in c.signature_ids]
    if quantitative is not None:
        claims = [c for c in claims if c.is_quantitative == quantitative]
    return claims


def claims_for_signature(signature_id: str) -> list[Claim]:
    """Claims a signature tests, as primary signature or as labelled proxy.

    Examples
    --------
    >>> [c.id for c in claims_for_signature("mir424_503_targets")]
    ['rodriguez_barrueco2017_mir424_503_loss']
    """
    return list_claims(signature_id=signature_id)


def get_claim(claim_id: str) -> Claim:
    """One claim by id.

    Examples
    --------
    >>> get_claim("gawrzak2018_msk1_bone_relapse_5y_er_pos").horizon
    Horizon(value=60.0, unit='months')
    """
    for claim in list_claims():
        if claim.id == claim_id:
            return claim
    raise _err(
        "unknown claim id",
        found=claim_id,
        expected="one of " + ", ".join(c.id for c in list_claims()),
    )


def describe_signature(sig: Signature | str) -> dict[str, Any]:
    """Everything ``sigsurv signatures show`` prints, as a JSON-ready dict.

    The full record (:func:`~sigsurv.signatures.signature_to_dict`) plus
    ``n_genes``, the resolved origins of the scoring defaults (``method_origin`` /
    ``cut_origin``: ``authors`` or ``sigsurv_default``) and ``claims``: the seed
    claims this signature tests, directly (``role: primary``) or as an explicitly
    labelled proxy (``role: proxy``), each as
    :meth:`sigsurv.seeds.Claim.to_dict`. It lives with the seed records
    because it joins a signature with the claims that use it.

    Examples
    --------
    >>> info = describe_signature("msk1_rps6ka5")
    >>> primary = [c["id"] for c in info["claims"] if c["role"] == "primary"]
    >>> primary  # doctest: +NORMALIZE_WHITESPACE
    ['gawrzak2018_msk1_bone_relapse_5y_er_pos', 'gawrzak2018_msk1_mfs_er_pos',
     'gawrzak2018_msk1_no_difference_er_neg']
    >>> info["method_origin"], info["cut_origin"]
    ('authors', 'sigsurv_default')
    """
    sig = get_signature(sig, harmonise=False) if isinstance(sig, str) else sig
    out = signature_to_dict(sig)
    out["n_genes"] = sig.n_genes
    out["method_origin"] = sig.method_origin_resolved
    out["cut_origin"] = sig.cut_origin_resolved
    claims = []
    for claim in claims_for_signature(sig.id):
        row = claim.to_dict()
        row["role"] = "primary" if claim.signature_id == sig.id else "proxy"
        claims.append(row)
    out["claims"] = claims
    return out
