"""Users' claim records: any paper's claim, written as data, tested like the built-in ones.

A user's claim file is a YAML record in the schema of the built-in seed records
(:class:`~sigsurv.seeds.SeedRecord`), read by the same strict reader. Instead of a
``seed_document`` it names its ``source`` (a DOI, ``PMID:...`` or an https URL). Its
claims name their signatures by id: a built-in signature, a signature of a
``--signature`` file, or one defined inline under ``signatures:`` in the claim file.
Claim ids are unique across the built-in records and every user file.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload

import pandas as pd

from sigsurv.cohorts.subgroup import parse_subgroup
from sigsurv.errors import SignatureError, UnsafeExpressionError
from sigsurv.seeds._reader import ClaimRecordError, _Reader, read_record_file
from sigsurv.seeds.registry import list_claims
from sigsurv.seeds.schema import Claim, SeedRecord
from sigsurv.signatures import (
    Signature,
    get_signature,
    harmonise_signature,
    list_signatures,
    load_signatures,
    signature_from_dict,
    using_signatures,
)

__all__ = [
    "TEMPLATE_PATH",
    "ClaimFile",
    "accepts_claim_files",
    "available_claims",
    "choose_claims",
    "claim_row",
    "claim_template",
    "expand_claims",
    "find_claim",
    "load_claim_files",
    "load_claims",
    "read_signature_files",
]

#: The commented template ``sigsurv claims new`` writes (a valid record as it is).
TEMPLATE_PATH = Path(__file__).resolve().parent / "template" / "claim-record.yaml"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ClaimFile(Sequence[Claim]):
    """A user's claim file, read and validated: a sequence of its claims.

    Attributes
    ----------
    path
        The file.
    sha256
        SHA-256 of its bytes (recorded in ``run.json``).
    record
        The record (:class:`~sigsurv.seeds.SeedRecord`, with its ``source``).
    signatures
        The signatures defined inline in the file (gene symbols harmonised).
    given_signatures
        The signatures of ``--signature`` files (``load_claims(signatures=...)``) that
        its claims name, kept so that the file runs on its own.

    Examples
    --------
    >>> claims = load_claims(TEMPLATE_PATH)
    >>> [c.id for c in claims], claims.record.source
    (['my_paper_proliferation_rfs'], '10.1000/182')
    """

    path: str
    sha256: str
    record: SeedRecord
    signatures: tuple[Signature, ...] = ()
    given_signatures: tuple[Signature, ...] = ()

    @property
    def claims(self) -> tuple[Claim, ...]:
        """The file's claims, in file order."""
        return self.record.claims

    def __len__(self) -> int:
        return len(self.record.claims)

    @overload
    def __getitem__(self, index: int) -> Claim: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Claim, ...]: ...
    def __getitem__(self, index: int | slice) -> Claim | tuple[Claim, ...]:
        return self.record.claims[index]

    @property
    def summary(self) -> pd.DataFrame:
        """One row per claim: id, statistic, value, endpoint, population, signature."""
        columns = ["statistic", "value", "endpoint", "population", "expected_direction"]
        rows = [
            {"id": c.id, **{k: getattr(c, k) for k in columns}, "signature_id": c.signature_id}
            for c in self.claims
        ]
        return pd.DataFrame(rows).set_index("id")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the file, its SHA-256, source, claim ids and inline signature ids."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "source": self.record.source,
            "claims": [c.id for c in self.claims],
            "inline_signatures": [s.id for s in self.signatures],
        }

    def to_text(self) -> str:
        """A few lines: the file, its source and its claims."""
        lines = [f"{self.path} (source {self.record.source}): {len(self.claims)} claim(s)"]
        lines += [f"  {c.id}: {c.statement.strip()}" for c in self.claims]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<p>{self.path} (source {self.record.source})</p>" + self.summary.to_html()


def read_signature_files(paths: Iterable[str | Path]) -> list[Signature]:
    """Every signature of these YAML/GMT files (symbols harmonised, as ``--signature`` reads).

    Examples
    --------
    >>> read_signature_files([])
    []
    """
    out: list[Signature] = []
    for path in paths:
        for sig in load_signatures(path):
            out.append(_harmonised(sig))  # a built-in id is refused where it is used
    return out


def _harmonised(sig: Signature) -> Signature:
    import warnings

    from sigsurv.errors import SigsurvWarning

    harmonised, report = harmonise_signature(sig)
    if not report.clean:
        where = sig.definition_file or "a claim file"
        warnings.warn(f"{where}: {report.to_text()}", SigsurvWarning, stacklevel=3)
    return harmonised


def _builtin_ids() -> set[str]:
    return {s.id for s in list_signatures(include_retracted=True)}


def _inline_signatures(reader: _Reader, items: Any, path: Path) -> list[Signature]:
    if not isinstance(items, list):
        raise reader.fail("signatures must be a list of signatures", ("signatures",))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    out: list[Signature] = []
    for i, item in enumerate(items):
        try:
            sig = signature_from_dict(
                item, file=str(path), lines=reader.lines, _path=("signatures", i)
            )
        except SignatureError as err:
            if err.line is None:
                at = ("signatures", i)
                raise reader.fail(err.message, at, found=err.found, hint=err.hint) from None
            raise ClaimRecordError(
                err.message,
                file=str(path),
                line=err.line,
                expected=err.expected,
                found=err.found,
                hint=err.hint,
            ) from None
        where = ("signatures", i, "id")
        if sig.id in _builtin_ids():
            raise reader.fail("an inline signature reuses a built-in id", where, found=sig.id)
        if sig.id in {s.id for s in out}:
            raise reader.fail("duplicate inline signature id", where, found=sig.id)
        sig = dataclasses.replace(sig, definition_file=str(path), definition_sha256=digest)
        out.append(_harmonised(sig))
    return out


def _check_signature_ids(reader: _Reader, record: SeedRecord, known: set[str]) -> None:
    def check(signature_id: str, path: tuple[Any, ...]) -> None:
        if signature_id not in known:
            close = difflib.get_close_matches(signature_id, sorted(known), n=1)
            raise reader.fail(
                "unknown signature id",
                path,
                found=signature_id,
                hint=f"did you mean {close[0]!r}?"
                if close
                else "a built-in id, a --signature file's id or one defined under 'signatures:'",
            )

    for i, signature_id in enumerate(record.signature_ids):
        check(signature_id, ("signature_ids", i))
    for i, claim in enumerate(record.claims):
        check(claim.signature_id, ("claims", i, "signature_id"))
        for j, proxy in enumerate(claim.proxy_signature_ids):
            check(proxy, ("claims", i, "proxy_signature_ids", j))


def _check_expressions(reader: _Reader, record: SeedRecord) -> None:
    for i, claim in enumerate(record.claims):
        match = claim.population_match
        expressions = [("population_filter",), ("population_match", "exact")]
        values = [claim.population_filter, None if match is None else match.exact]
        expressions.append(("population_match", "analogue"))
        values.append(None if match is None else match.analogue)
        for key, value in zip(expressions, values, strict=True):
            if not value:
                continue
            try:
                parse_subgroup(value)
            except UnsafeExpressionError as err:
                raise reader.fail(
                    f"claim {claim.id!r}: invalid subgroup expression",
                    ("claims", i, *key),
                    found=value,
                    hint=err.message,
                ) from None


def _check_builtin_ids(reader: _Reader, record: SeedRecord) -> None:
    builtin = {c.id: c.seed_document for c in list_claims()}
    for i, claim in enumerate(record.claims):
        if claim.id in builtin:
            raise reader.fail(
                "claim id is already a built-in claim's",
                ("claims", i, "id"),
                found=claim.id,
                hint=f"built-in record of {builtin[claim.id]}; choose another id",
            )


def load_claims(path: str | Path, *, signatures: Iterable[Signature] = ()) -> ClaimFile:
    """Read a user's claim record file strictly, ready for :func:`reproduce_claims`.

    Parameters
    ----------
    path
        The YAML claim file (schema: ``sigsurv/seeds/claim-record.schema.json``; a
        template: ``sigsurv claims new``).
    signatures
        Signatures the claims may name besides the built-in and inline ones (those of
        ``--signature`` files, see :func:`read_signature_files`).

    Raises
    ------
    ClaimRecordError
        Anything invalid, as ``file:line:column: what`` (unknown keys with a
        did-you-mean, missing required keys, wrong types, a duplicated or built-in
        claim id, an unknown signature id, an invalid source or subgroup, YAML beyond
        the alias budget or the size cap).

    Examples
    --------
    >>> from sigsurv.seeds.user import TEMPLATE_PATH
    >>> claims = load_claims(TEMPLATE_PATH)
    >>> claims.claims[0].source, claims.claims[0].signature_id
    ('10.1000/182', 'pam50_proliferation')
    """
    return _load(path, list(signatures))[0]


def _load(path: str | Path, given: list[Signature]) -> tuple[ClaimFile, _Reader]:
    path = Path(path)
    record, inline_items, reader = read_record_file(path, kind="user")
    inline = _inline_signatures(reader, inline_items, path) if inline_items else []
    for i, sig in enumerate(inline):
        if sig.id in {s.id for s in given}:
            raise reader.fail(
                "an inline signature has the id of a --signature one",
                ("signatures", i, "id"),
                found=sig.id,
            )
    known = _builtin_ids() | {s.id for s in inline} | {s.id for s in given}
    _check_signature_ids(reader, record, known)
    _check_builtin_ids(reader, record)
    _check_expressions(reader, record)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    named = {i for claim in record.claims for i in claim.signature_ids} | set(record.signature_ids)
    loaded = ClaimFile(
        path=str(path),
        sha256=digest,
        record=record,
        signatures=tuple(inline),
        given_signatures=tuple(sig for sig in given if sig.id in named),
    )
    return loaded, reader


def load_claim_files(
    paths: Iterable[str | Path], *, signatures: Iterable[Signature] = ()
) -> list[ClaimFile]:
    """Read several claim files; a claim id may appear in only one of them.

    Examples
    --------
    >>> [f.claims[0].id for f in load_claim_files([TEMPLATE_PATH])]
    ['my_paper_proliferation_rfs']
    """
    given = list(signatures)
    files: list[ClaimFile] = []
    first: dict[str, str] = {}  # claim id -> "file:line"
    defined: dict[str, tuple[Signature, str]] = {}  # inline signature id -> (it, file)
    for path in paths:
        loaded, reader = _load(path, given)
        for i, claim in enumerate(loaded.claims):
            if claim.id in first:
                raise reader.fail(
                    "duplicate claim id",
                    ("claims", i, "id"),
                    found=claim.id,
                    hint=f"first given at {first[claim.id]}",
                )
            first[claim.id] = f"{loaded.path}:{reader.where(('claims', i, 'id'))[0]}"
        for i, sig in enumerate(loaded.signatures):
            if sig.id in defined and defined[sig.id][0] != sig:
                raise reader.fail(
                    "two claim files define different signatures with one id",
                    ("signatures", i, "id"),
                    found=sig.id,
                    hint=f"also in {defined[sig.id][1]}",
                )
            defined[sig.id] = (sig, loaded.path)
        files.append(loaded)
    return files


def expand_claims(claims: Any) -> tuple[list[Claim] | None, list[Signature]]:
    """Claims to test and the inline signatures they need, from what a caller passed.

    ``claims`` may be ``None`` (every built-in claim), a :class:`ClaimFile`, or a
    sequence of :class:`~sigsurv.seeds.Claim` and :class:`ClaimFile` items. Every
    signature a claim names must then be found: built-in, inline in a passed file, or
    made available with :func:`~sigsurv.signatures.using_signatures`.

    Examples
    --------
    >>> chosen, inline = expand_claims(load_claims(TEMPLATE_PATH))
    >>> [c.id for c in chosen], inline
    (['my_paper_proliferation_rfs'], [])
    """
    if claims is None:
        return None, []
    items = [claims] if isinstance(claims, ClaimFile) else list(claims)
    chosen: list[Claim] = []
    inline: list[Signature] = []
    for item in items:
        if isinstance(item, ClaimFile):
            chosen.extend(item.claims)
            inline.extend((*item.signatures, *item.given_signatures))
        else:
            chosen.append(item)
    ids = [c.id for c in chosen]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ClaimRecordError("a claim id is given twice", found=duplicated[0])
    with using_signatures(inline):
        for claim in chosen:
            for signature_id in claim.signature_ids:
                get_signature(signature_id)  # raises for an id nobody defines
    return chosen, inline


def accepts_claim_files(function: F) -> F:
    """Let ``function(cohorts, claims, ...)`` take :class:`ClaimFile` objects as ``claims``.

    The claims are expanded by :func:`expand_claims` and the files' inline signatures
    are resolvable by id while ``function`` runs.

    Examples
    --------
    >>> @accepts_claim_files
    ... def count(cohorts, claims=None):
    ...     return len(claims)
    >>> count([], load_claims(TEMPLATE_PATH))
    1
    """

    @functools.wraps(function)
    def wrapper(cohorts: Any, claims: Any = None, *args: Any, **kwargs: Any) -> Any:
        chosen, inline = expand_claims(claims)
        with using_signatures(inline):
            return function(cohorts, chosen, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def claim_template() -> str:
    """The commented claim record template (``sigsurv claims new``).

    Examples
    --------
    >>> claim_template().startswith("# A claim record")
    True
    """
    return TEMPLATE_PATH.read_text(encoding="utf-8")


def available_claims(files: Iterable[ClaimFile] = (), *, builtin: bool = True) -> list[Claim]:
    """The built-in claims (unless ``builtin=False``), then the files' claims.

    Examples
    --------
    >>> [c.id for c in available_claims([load_claims(TEMPLATE_PATH)], builtin=False)]
    ['my_paper_proliferation_rfs']
    """
    return [*(list_claims() if builtin else []), *(c for f in files for c in f.claims)]


def find_claim(claim_id: str, claims: Iterable[Claim]) -> Claim:
    """The claim with this id among ``claims``; an unknown id is refused with a did-you-mean.

    Examples
    --------
    >>> find_claim("bidwell2012_irf7_bmfs", list_claims()).signature_id
    'irf7_bone_proxy'
    """
    pool = {c.id: c for c in claims}
    if claim_id not in pool:
        close = difflib.get_close_matches(claim_id, sorted(pool), n=1)
        raise ClaimRecordError(
            "unknown claim id",
            found=claim_id,
            hint=f"did you mean {close[0]!r}?" if close else "'sigsurv claims list' shows the ids",
        )
    return pool[claim_id]


def choose_claims(
    claim_ids: Iterable[str] | None, files: Sequence[ClaimFile] = (), *, builtin: bool = True
) -> list[Claim] | None:
    """The claims a ``reproduce`` run tests: ``None`` for every built-in claim.

    Parameters
    ----------
    claim_ids
        Only these ids (``--claim``), among the built-in claims and the files' claims.
    files
        Users' claim files (``--claims``): all their claims are tested.
    builtin
        Include the built-in claims (``--no-builtin-claims`` sets it false).

    Examples
    --------
    >>> choose_claims(None) is None
    True
    >>> [c.id for c in choose_claims(None, [load_claims(TEMPLATE_PATH)], builtin=False)]
    ['my_paper_proliferation_rfs']
    """
    ids = list(claim_ids or [])
    if not builtin and not files:
        raise ClaimRecordError(
            "no claims to test", hint="--no-builtin-claims needs at least one --claims FILE"
        )
    if not ids and builtin and not files:
        return None
    pool = available_claims(files, builtin=builtin)
    return [find_claim(i, pool) for i in ids] if ids else pool


def claim_row(claim: Claim) -> dict[str, Any]:
    """One line of ``sigsurv claims list``: id, origin, statistic, value, endpoint, population.

    Examples
    --------
    >>> claim_row(list_claims()[0])["origin"]
    'seed 000_228b9000aaa37f33.txt'
    """
    origin = f"source {claim.source}" if claim.source else f"seed {claim.seed_document}"
    return {
        "id": claim.id,
        "origin": origin,
        "statistic": claim.statistic,
        "value": claim.value,
        "endpoint": claim.endpoint,
        "population": claim.population,
        "expected_direction": claim.expected_direction,
        "signature_id": claim.signature_id,
    }
