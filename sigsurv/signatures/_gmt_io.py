"""Signatures as GMT (MSigDB convention): genes and directions only."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from sigsurv.errors import SignatureError, SigsurvWarning
from sigsurv.signatures._files import _as_list, _Path, _read_text
from sigsurv.signatures.schema import Signature, SignatureGene, _whitespace_in


def loads_gmt(text: str, *, file: str = "<string>") -> list[Signature]:
    """Parse GMT text; ``NAME_UP`` / ``NAME_DN`` pairs become one signed signature ``NAME``.

    Blank lines and lines starting with ``#`` are skipped; trailing tabs at the end of a
    line are ignored. Every other problem (a line with no genes, an empty gene field,
    a gene with a space in it, a duplicate gene or set name, a gene in both halves of
    a pair, a set name that is not a valid id) raises with the line number.

    Examples
    --------
    >>> text = "S_UP\\tna\\tPTEN\\tPDCD4\\nS_DN\\tna\\tBCL2\\nOTHER\\tna\\tIRF7\\n"
    >>> sigs = loads_gmt(text)
    >>> [(s.id, s.up_genes, s.down_genes) for s in sigs]
    [('S', ('PTEN', 'PDCD4'), ('BCL2',)), ('OTHER', ('IRF7',), ())]
    >>> loads_gmt("EMPTY\\tna\\n", file="sets.gmt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.SignatureError: sets.gmt:1: gene set 'EMPTY' has no genes; ...
    """
    sets = _gene_sets(text, file)
    out: list[Signature] = []
    done: set[str] = set()
    first_line: dict[str, int] = {}
    for name, gene_set in sets.items():
        if name in done:
            continue
        base = name[:-3] if name.endswith(("_UP", "_DN")) else None
        if base and f"{base}_UP" in sets and f"{base}_DN" in sets:
            up, dn = sets[f"{base}_UP"], sets[f"{base}_DN"]
            _check_halves(base, up, dn, file)
            members = tuple(SignatureGene(g, 1) for g in up.genes) + tuple(
                SignatureGene(g, -1) for g in dn.genes
            )
            sig_id, line, desc = base, min(up.line, dn.line), up.description
            done.update({f"{base}_UP", f"{base}_DN"})
        else:
            members = tuple(SignatureGene(g, 1) for g in gene_set.genes)
            sig_id, line, desc = name, gene_set.line, gene_set.description
            done.add(name)
        if sig_id in first_line:
            raise SignatureError(
                f"two gene sets give signature id {sig_id!r}",
                file=file,
                line=max(line, first_line[sig_id]),
                found=sig_id,
                hint=f"{sig_id}_UP and {sig_id}_DN are read as signature {sig_id}; "
                f"the other is at line {min(line, first_line[sig_id])}: rename one",
            )
        first_line[sig_id] = line
        try:
            out.append(Signature(id=sig_id, name=sig_id, genes=members, description=desc))
        except SignatureError as err:
            raise SignatureError(
                err.message,
                file=file,
                line=line,
                expected=err.expected,
                found=err.found,
                hint="rename the gene set" if "id" in err.message else err.hint,
            ) from None
    return out


class _GeneSet(NamedTuple):
    line: int
    description: str
    genes: tuple[str, ...]


def _gene_sets(text: str, file: str) -> dict[str, _GeneSet]:
    """The gene sets of a GMT text by name, in file order (nothing paired yet)."""
    sets: dict[str, _GeneSet] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\t").split("\t")
        name = fields[0].strip()
        if len(fields) == 1:
            raise SignatureError(
                "GMT line has no tab-separated fields",
                file=file,
                line=number,
                expected="NAME<TAB>DESCRIPTION<TAB>GENE...",
                found=line,
            )
        if not name:
            raise SignatureError("GMT line has an empty set name", file=file, line=number)
        genes = _line_genes(name, fields[2:], file, number)
        if name in sets:
            raise SignatureError(
                "duplicate gene set name",
                file=file,
                line=number,
                found=name,
                hint=f"first defined at line {sets[name].line}",
            )
        description = fields[1].strip()
        sets[name] = _GeneSet(number, "" if description.lower() == "na" else description, genes)
    if not sets:
        raise SignatureError("the GMT file has no gene sets", file=file)
    return sets


def _line_genes(name: str, fields: list[str], file: str, number: int) -> tuple[str, ...]:
    """The genes of one GMT line, checked: none empty, no whitespace inside, no duplicate.

    Errors name the line and the field (``column 4``: the second gene; the set name is
    field 1 and the description field 2).
    """
    if not fields:
        raise SignatureError(
            f"gene set {name!r} has no genes",
            file=file,
            line=number,
            expected="NAME<TAB>DESCRIPTION<TAB>GENE...",
        )
    first_field: dict[str, int] = {}
    clean: list[str] = []
    for column, gene in enumerate(fields, start=3):
        symbol = gene.strip()
        if not symbol:
            raise SignatureError(
                f"gene set {name!r} has an empty gene field (two tabs in a row)",
                file=file,
                line=number,
                column=column,
            )
        inner = _whitespace_in(symbol)
        if inner is not None:
            raise SignatureError(
                f"gene set {name!r}: gene field contains {inner}",
                file=file,
                line=number,
                column=column,
                found=symbol,
                hint="GMT genes are separated by tabs",
            )
        key = symbol.upper()
        if key in first_field:
            first = clean[first_field[key] - 3]
            same_case = "" if first == symbol else f" as {first!r}; genes differ only by case"
            raise SignatureError(
                f"gene set {name!r}: duplicate gene",
                file=file,
                line=number,
                column=column,
                found=symbol,
                hint=f"first listed in column {first_field[key]}{same_case}",
            )
        first_field[key] = column
        clean.append(symbol)
    return tuple(clean)


def _check_halves(base: str, up: _GeneSet, dn: _GeneSet, file: str) -> None:
    both = {g.upper() for g in up.genes} & {g.upper() for g in dn.genes}
    if both:
        raise SignatureError(
            f"gene set {base!r}: gene in both {base}_UP and {base}_DN",
            file=file,
            line=max(up.line, dn.line),
            found=sorted(both)[0],
        )


def read_gmt(path: _Path) -> list[Signature]:
    """Read the gene sets of a GMT file (see :func:`loads_gmt`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "s.gmt"
    >>> _ = tmp.write_text("MIR21_T\\thttps://doi.org/x\\tPTEN\\tPDCD4\\n")
    >>> read_gmt(tmp)[0].symbols
    ('PTEN', 'PDCD4')
    """
    return loads_gmt(_read_text(path), file=str(path))


def dumps_gmt(signatures: Signature | Iterable[Signature]) -> str:
    """Serialise signatures as GMT lines (signed ones as ``ID_UP`` / ``ID_DN``).

    Emits a :class:`~sigsurv.errors.SigsurvWarning` for every signature with a weight
    other than 1, since GMT cannot carry weights.

    Examples
    --------
    >>> sig = Signature.from_genes("demo", {"PTEN": 1.0, "BCL2": -1.0})
    >>> dumps_gmt(sig).splitlines()
    ['demo_UP\\tna\\tPTEN', 'demo_DN\\tna\\tBCL2']
    """
    lines: list[str] = []
    for sig in _as_list(signatures):
        if any(g.weight != 1.0 for g in sig.genes):
            warnings.warn(
                f"signature {sig.id}: GMT cannot carry weights; written unweighted "
                "(use YAML to keep them)",
                SigsurvWarning,
                stacklevel=2,
            )
        description = f"https://doi.org/{sig.source.doi}" if sig.source.doi else "na"
        if not sig.up_genes:
            warnings.warn(
                f"signature {sig.id}: every gene has direction -1; GMT cannot mark a "
                f"one-sided down set, so it is written as {sig.id}_DN and reads back as an "
                "unsigned set of that name (use YAML to keep the directions)",
                SigsurvWarning,
                stacklevel=2,
            )
            lines.append("\t".join([f"{sig.id}_DN", description, *sig.down_genes]))
        elif sig.is_signed:
            lines.append("\t".join([f"{sig.id}_UP", description, *sig.up_genes]))
            lines.append("\t".join([f"{sig.id}_DN", description, *sig.down_genes]))
        else:
            lines.append("\t".join([sig.id, description, *sig.symbols]))
    return "\n".join(lines) + "\n"


def write_gmt(signatures: Signature | Iterable[Signature], path: _Path) -> Path:
    """Write signatures as GMT (MSigDB convention); returns the path.

    A signature whose genes all have direction -1 is written as one ``ID_DN`` line (with
    a warning) and reads back as an unsigned set named ``ID_DN``: GMT cannot mark a
    one-sided down set. Write it to YAML to keep the directions.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "w.gmt"
    >>> sig = Signature.from_genes("w", {"PTEN": 1.0, "BCL2": -1.0})
    >>> back = read_gmt(write_gmt(sig, out))[0]
    >>> back.up_genes, back.down_genes
    (('PTEN',), ('BCL2',))
    """
    out = Path(path)
    out.write_text(dumps_gmt(signatures), encoding="utf-8")
    return out
