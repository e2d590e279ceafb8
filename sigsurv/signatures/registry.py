"""The signature registry: built-in signatures, user files, and gene-symbol harmonisation.

Built-in signatures are YAML files shipped in ``sigsurv/signatures/builtin/``. Anywhere a
signature id is accepted, a path to a user's YAML or GMT file is accepted too
(``path::NAME`` picks one signature from a file holding several).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from sigsurv.errors import SignatureError, SigsurvWarning
from sigsurv.signatures.io import dumps_gmt, dumps_yaml, load_signatures, read_yaml
from sigsurv.signatures.schema import Signature

__all__ = [
    "BUILTIN_DIR",
    "SignatureHarmonisation",
    "builtin_file",
    "export_signature",
    "get_signature",
    "harmonise_signature",
    "list_signatures",
    "signature_summary",
    "using_signatures",
]

#: Folder of the built-in signature YAML files.
BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"


@functools.lru_cache(maxsize=1)
def _builtin_index() -> dict[str, tuple[Signature, str]]:
    index: dict[str, tuple[Signature, str]] = {}
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        for sig in read_yaml(path):
            if sig.id in index:
                raise SignatureError(
                    "duplicate built-in signature id",
                    file=path.name,
                    found=sig.id,
                    hint=f"also defined in {index[sig.id][1]}",
                )
            index[sig.id] = (sig, path.name)
    return index


#: User signatures that :func:`get_signature` resolves by id inside :func:`using_signatures`.
_USER_SIGNATURES: contextvars.ContextVar[Mapping[str, Signature] | None] = contextvars.ContextVar(
    "sigsurv_user_signatures", default=None
)


@contextlib.contextmanager
def using_signatures(signatures: Iterable[Signature]) -> Iterator[None]:
    """Let :func:`get_signature` resolve these user signatures by id inside the block.

    A claim record names its signatures by id; a user's signature (a ``--signature``
    file, or one defined inline in a claim file) has no built-in id, so the code that
    runs the claim finds it here. An id may not be a built-in id, nor be given twice
    with different definitions.

    Examples
    --------
    >>> mine = Signature.from_genes("my_prolif", {"MKI67": 1.0, "TOP2A": 1.0})
    >>> with using_signatures([mine]):
    ...     get_signature("my_prolif").symbols
    ('MKI67', 'TOP2A')
    """
    known = dict(_USER_SIGNATURES.get() or {})
    builtin = _builtin_index()
    for sig in signatures:
        if sig.id in builtin:
            raise SignatureError(
                "a user signature may not reuse a built-in id",
                file=sig.definition_file or None,
                found=sig.id,
                hint=f"defined in {builtin[sig.id][1]}; rename yours",
            )
        if sig.id in known and known[sig.id] != sig:  # the definition file is not compared
            raise SignatureError(
                "two different user signatures share an id",
                file=sig.definition_file or None,
                found=sig.id,
                hint=f"also defined in {known[sig.id].definition_file or 'a claim file'}",
            )
        known[sig.id] = sig
    token = _USER_SIGNATURES.set(known)
    try:
        yield
    finally:
        _USER_SIGNATURES.reset(token)


def builtin_file(signature_id: str) -> str:
    """Name of the built-in YAML file that defines ``signature_id``.

    Examples
    --------
    >>> builtin_file("msk1_rps6ka5")
    'msk1.yaml'
    """
    index = _builtin_index()
    if signature_id not in index:
        raise SignatureError("unknown built-in signature id", found=signature_id)
    return index[signature_id][1]


def list_signatures(
    *, include_retracted: bool = False, collection: str | None = None
) -> list[Signature]:
    """All built-in signatures, sorted by id.

    Parameters
    ----------
    include_retracted
        Also list signatures whose evidence was retracted (``retracted: true``, e.g.
        the miR-661 targets); they are left out by default so that analyses over
        "all built-in signatures" do not use them.
    collection
        Only the signatures of this collection (e.g. ``aigner2011_metastasis_mirnas``).

    Examples
    --------
    >>> ids = [s.id for s in list_signatures()]
    >>> "msk1_rps6ka5" in ids, "aigner_mir661_targets" in ids
    (True, False)
    >>> "aigner_mir661_targets" in [s.id for s in list_signatures(include_retracted=True)]
    True
    """
    sigs = [sig for sig, _ in _builtin_index().values()]
    if not include_retracted:
        sigs = [s for s in sigs if not s.retracted]
    if collection is not None:
        sigs = [s for s in sigs if s.collection == collection]
    return sorted(sigs, key=lambda s: s.id)


def _did_you_mean(text: str, ids: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest built-in ids (issue 22), else ''."""
    import difflib

    matches = difflib.get_close_matches(text.casefold(), list(ids), n=3, cutoff=0.6)
    return " (did you mean " + " or ".join(f"'{m}'" for m in matches) + "?)" if matches else ""


def _split_selector(text: str) -> tuple[str, str | None]:
    if "::" in text:
        path, name = text.rsplit("::", 1)
        return path, name
    return text, None


def get_signature(
    id_or_path: str | PathLike[str] | Signature, *, harmonise: bool = True
) -> Signature:
    """Return a signature by built-in id, or read it from a user's YAML/GMT file.

    Parameters
    ----------
    id_or_path
        A built-in id (``msk1_rps6ka5``), a path to a YAML or GMT file holding exactly
        one signature (a ``NAME_UP``/``NAME_DN`` pair counts as one), ``path::NAME``
        for one signature of a file holding several, or a :class:`Signature`
        (returned unchanged).
    harmonise
        Map the gene symbols of a *user file* to current symbols with
        :func:`harmonise_signature`; renamed, ambiguous and unknown symbols are reported
        in one :class:`~sigsurv.errors.SigsurvWarning`. Built-in signatures already
        use current symbols and are returned as shipped.

    Raises
    ------
    SignatureError
        Unknown id and no such file, a file with several signatures and no
        ``::NAME``, a name not in the file, or any problem in the file itself.

    Examples
    --------
    >>> get_signature("mir21_mirna").symbols
    ('MIR21', 'VMP1')
    >>> get_signature("no_such_signature")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.SignatureError: unknown signature 'no_such_signature': not a built-in id ...
    """
    if isinstance(id_or_path, Signature):
        return id_or_path
    text = str(id_or_path)
    index = _builtin_index()
    if text in index:
        sig = index[text][0]
        if sig.retracted:
            warnings.warn(
                f"signature {sig.id} rests on retracted evidence; kept for the record only",
                SigsurvWarning,
                stacklevel=2,
            )
        return sig
    user = _USER_SIGNATURES.get() or {}
    if text in user:
        return user[text]
    path_text, name = _split_selector(text)
    path = Path(path_text)
    if not path.is_file():
        raise SignatureError(
            f"unknown signature {text!r}: not a built-in id and no such file"
            + _did_you_mean(text, _builtin_index()),
            hint="'sigsurv signatures list' shows the built-in ids",
        )
    sigs = load_signatures(path)
    if name is None:
        if len(sigs) != 1:
            raise SignatureError(
                f"the file holds {len(sigs)} signatures; choose one",
                file=str(path),
                expected=f"{path}::NAME",
                found=", ".join(s.id for s in sigs),
            )
        sig = sigs[0]
    else:
        matches = [s for s in sigs if s.id == name]
        if not matches:
            raise SignatureError(
                f"no signature named {name!r} in the file",
                file=str(path),
                expected="one of " + ", ".join(s.id for s in sigs),
            )
        sig = matches[0]
    if harmonise:
        sig, report = harmonise_signature(sig)
        if not report.clean:
            warnings.warn(f"{path}: {report.to_text()}", SigsurvWarning, stacklevel=2)
    return sig


# ---------------------------------------------------------------------------------
# harmonisation


@dataclass(frozen=True)
class SignatureHarmonisation:
    """What gene-symbol harmonisation did to a signature.

    Attributes
    ----------
    signature_id
        The signature.
    renamed
        ``(given, current)`` pairs that were replaced (previous symbols, aliases, case).
    ambiguous
        Symbols that name several genes; kept as given, never mapped.
    unmapped
        Symbols the gene table does not know; kept as given.
    candidates
        ``{ambiguous symbol: (candidate current symbols)}`` when the gene report gives them.
    gene_report
        The :class:`GeneMapReport` returned by ``sigsurv.cohorts.genes.map_identifiers``.

    Examples
    --------
    >>> rep = SignatureHarmonisation("s", renamed=(("MSK1", "RPS6KA5"),), unmapped=("FOO1",))
    >>> rep.to_text()
    'signature s: 1 renamed (MSK1->RPS6KA5), 0 ambiguous, 1 unknown (FOO1)'
    """

    signature_id: str
    renamed: tuple[tuple[str, str], ...] = ()
    ambiguous: tuple[str, ...] = ()
    unmapped: tuple[str, ...] = ()
    candidates: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    gene_report: Any = field(default=None, compare=False, repr=False)

    @property
    def clean(self) -> bool:
        """True when every symbol was already current."""
        return not (self.renamed or self.ambiguous or self.unmapped)

    def to_text(self) -> str:
        """One line for the user.

        Examples
        --------
        >>> SignatureHarmonisation("s", ambiguous=("SIP1",)).to_text()
        'signature s: 0 renamed, 1 ambiguous (SIP1), 0 unknown'
        """

        def names(items: Sequence[str]) -> str:
            shown = ", ".join(items[:10]) + (", ..." if len(items) > 10 else "")
            return f" ({shown})" if items else ""

        renamed = [f"{a}->{b}" for a, b in self.renamed]
        ambiguous = [
            f"{a}: {'/'.join(self.candidates[a])}" if self.candidates.get(a) else a
            for a in self.ambiguous
        ]
        return (
            f"signature {self.signature_id}: {len(self.renamed)} renamed{names(renamed)}, "
            f"{len(self.ambiguous)} ambiguous{names(ambiguous)}, "
            f"{len(self.unmapped)} unknown{names(list(self.unmapped))}"
        )

    def summary(self) -> str:
        """Deprecated alias of :meth:`to_text`; it will be removed in the next release.

        In sigsurv's API ``summary`` means a table (a DataFrame); text renderings are
        ``to_text()``.

        Examples
        --------
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     text = SignatureHarmonisation("s").summary()
        >>> text, caught[0].category.__name__
        ('signature s: 0 renamed, 0 ambiguous, 0 unknown', 'DeprecationWarning')
        """
        warnings.warn(
            "SignatureHarmonisation.summary() is deprecated; use SignatureHarmonisation.to_text()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.to_text()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (without the raw gene report)."""
        return {
            "signature_id": self.signature_id,
            "renamed": [{"given": a, "current": b} for a, b in self.renamed],
            "ambiguous": [
                {"given": a, "candidates": list(self.candidates.get(a, ()))} for a in self.ambiguous
            ],
            "unmapped": list(self.unmapped),
        }


def _map_symbols(symbols: list[str]) -> tuple[list[str | None], Any]:
    # Imported lazily: the gene table is only needed for user files.
    from sigsurv.cohorts.genes import map_identifiers

    return map_identifiers(symbols, id_type="symbol")


def _reported_names(container: Any) -> set[str]:
    """Input identifiers listed in one field of a gene-map report, whatever its shape."""
    if container is None:
        return set()
    if isinstance(container, Mapping):
        return {str(k) for k in container}
    names: set[str] = set()
    for item in container:
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, tuple | list) and item:
            names.add(str(item[0]))
        else:
            for attr in ("identifier", "input", "query", "given", "symbol"):
                if hasattr(item, attr):
                    names.add(str(getattr(item, attr)))
                    break
    return names


def harmonise_signature(sig: Signature) -> tuple[Signature, SignatureHarmonisation]:
    """Map a signature's symbols to current HGNC symbols, with a report.

    Uses ``sigsurv.cohorts.genes.map_identifiers(symbols, id_type="symbol")``. Renamed
    symbols are replaced (the gene's note records the symbol given); ambiguous symbols
    (an alias naming several genes, e.g. ``SIP1``) and unknown symbols are kept as given
    and reported, never mapped silently. Two members that map to the same current gene
    (e.g. ``TMEM49`` and ``VMP1``) are refused.

    Returns
    -------
    (Signature, SignatureHarmonisation)
        The harmonised signature (the same object when nothing changed) and the report.

    Raises
    ------
    SignatureError
        Two members map to the same current symbol.

    Examples
    --------
    >>> sig, report = harmonise_signature(get_signature("msk1_luminal"))
    >>> report.clean, sig.symbols
    (True, ('RPS6KA5', 'GATA3', 'FOXA1'))
    """
    symbols = list(sig.symbols)
    mapped, gene_report = _map_symbols(symbols)
    if len(mapped) != len(symbols):
        raise SignatureError(
            f"signature {sig.id}: gene mapping returned {len(mapped)} results "
            f"for {len(symbols)} symbols"
        )
    reported_ambiguous = getattr(gene_report, "ambiguous", None)
    ambiguous_names = _reported_names(reported_ambiguous)
    renamed: list[tuple[str, str]] = []
    ambiguous: list[str] = []
    unmapped: list[str] = []
    genes = []
    owner: dict[str, str] = {}
    for gene, current in zip(sig.genes, mapped, strict=True):
        if current is None:
            (ambiguous if gene.symbol in ambiguous_names else unmapped).append(gene.symbol)
            new = gene
        elif current != gene.symbol:
            renamed.append((gene.symbol, current))
            note = f"given as {gene.symbol}; renamed by gene-symbol harmonisation"
            new = dataclasses.replace(
                gene, symbol=current, note=f"{gene.note} ({note})" if gene.note else note
            )
        else:
            new = gene
        key = new.symbol.upper()
        if key in owner:
            raise SignatureError(
                f"signature {sig.id}: {owner[key]} and {gene.symbol} are the same gene "
                f"({new.symbol}) after harmonisation",
                hint="keep one of them",
            )
        owner[key] = gene.symbol
        genes.append(new)
    report = SignatureHarmonisation(
        signature_id=sig.id,
        renamed=tuple(renamed),
        ambiguous=tuple(ambiguous),
        unmapped=tuple(unmapped),
        candidates={
            name: tuple(str(c) for c in reported_ambiguous[name])
            for name in ambiguous
            if isinstance(reported_ambiguous, Mapping) and name in reported_ambiguous
        },
        gene_report=gene_report,
    )
    if not renamed:
        return sig, report
    return dataclasses.replace(sig, genes=tuple(genes)), report


# ---------------------------------------------------------------------------------
# views for the CLI


def signature_summary(sig: Signature | str) -> dict[str, Any]:
    """One JSON-ready row for ``sigsurv signatures list``.

    Keys: ``id``, ``name``, ``version``, ``n_genes``, ``feature_type``, ``doi``,
    ``pmid``, ``seed_document``, ``population``, ``endpoint``, ``expected_direction``,
    ``is_proxy``, ``retracted``, ``collection``, ``file`` (built-in file name or empty).

    Examples
    --------
    >>> row = signature_summary("msk1_rps6ka5")
    >>> row["n_genes"], row["doi"], row["seed_document"]
    (1, '10.1038/s41556-017-0021-z', '004_5c88e53fffd63dd8.txt')
    """
    sig = get_signature(sig, harmonise=False) if isinstance(sig, str) else sig
    index = _builtin_index()
    builtin = index.get(sig.id)
    return {
        "id": sig.id,
        "name": sig.name,
        "version": sig.version,
        "n_genes": sig.n_genes,
        "feature_type": sig.feature_type,
        "doi": sig.source.doi,
        "pmid": sig.source.pmid,
        "seed_document": sig.source.seed_document,
        "population": sig.population,
        "endpoint": sig.endpoint,
        "expected_direction": sig.expected_direction,
        "is_proxy": sig.is_proxy,
        "retracted": sig.retracted,
        "collection": sig.collection,
        "file": builtin[1] if builtin is not None and builtin[0] == sig else "",
    }


def export_signature(sig: Signature | str, format: str = "yaml") -> str:
    """The text of ``sigsurv signatures export ID --format gmt|yaml``.

    Examples
    --------
    >>> export_signature("msk1_luminal", "gmt").split("\\t")[:3]
    ['msk1_luminal', 'https://doi.org/10.1038/s41556-017-0021-z', 'RPS6KA5']
    """
    sig = get_signature(sig, harmonise=False) if isinstance(sig, str) else sig
    if format == "yaml":
        return dumps_yaml(sig)
    if format == "gmt":
        return dumps_gmt(sig)
    raise SignatureError("unknown export format", expected="yaml | gmt", found=format)
