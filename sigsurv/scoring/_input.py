"""Input normalisation for the scoring engine: expression matrix, gene sets, coverage.

Everything a scoring method needs is reduced here to plain arrays:

* the expression as a float64 genes x samples :class:`numpy.ndarray` plus its gene
  and sample labels (scored exactly as given: no renaming, collapsing or reordering);
* each signature as a :class:`GeneSet` holding the row indices of its genes found in
  the matrix, their directions (+1 / -1) and weights.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._dask import ExpressionStore
from sigsurv.errors import CohortValidationError, CoverageError, SignatureError
from sigsurv.signatures.schema import Signature

__all__ = [
    "ORIENTATIONS",
    "GeneSet",
    "SignatureSpec",
    "coverage_table",
    "expression_matrix",
    "is_anndata",
    "resolve_signatures",
    "store_in_anndata",
]


@dataclass(frozen=True)
class SignatureSpec:
    """A signature reduced to what scoring needs (symbols, directions, weights).

    Examples
    --------
    >>> spec = SignatureSpec("s", ("A", "B"), (1, -1), (1.0, 2.0))
    >>> spec.n_genes
    2
    """

    id: str
    symbols: tuple[str, ...]
    directions: tuple[int, ...]
    weights: tuple[float, ...]

    @property
    def n_genes(self) -> int:
        """Number of genes requested by the signature."""
        return len(self.symbols)


@dataclass(frozen=True)
class GeneSet:
    """A signature mapped onto the rows of an expression matrix.

    ``index``, ``direction`` and ``weight`` are aligned and only cover the genes
    found in the matrix, in signature order.

    Examples
    --------
    >>> gs = GeneSet("s", np.array([0, 2]), np.array([1, -1]), np.array([1.0, 1.0]))
    >>> gs.is_signed, gs.k
    (True, 2)
    """

    id: str
    index: np.ndarray
    direction: np.ndarray
    weight: np.ndarray
    found: tuple[str, ...] = ()
    missing: tuple[str, ...] = field(default=())

    @property
    def k(self) -> int:
        """Number of genes found."""
        return int(self.index.size)

    @property
    def is_signed(self) -> bool:
        """True when some found gene has direction -1."""
        return bool(np.any(self.direction < 0))

    @property
    def has_weights(self) -> bool:
        """True when the found genes do not all have the same weight."""
        return bool(self.weight.size and np.ptp(self.weight) > 0)

    def part(self, direction: int) -> np.ndarray:
        """Row indices of the found genes with the given direction."""
        return self.index[self.direction == direction]


ORIENTATIONS: tuple[str, ...] = ("genes_x_samples", "samples_x_genes")


def is_anndata(data: Any) -> bool:
    """True for an :class:`anndata.AnnData` object (checked without importing anndata).

    Examples
    --------
    >>> is_anndata(pd.DataFrame())
    False
    """
    return any(
        cls.__name__ == "AnnData" and cls.__module__.split(".")[0] == "anndata"
        for cls in type(data).__mro__
    )


def _anndata_frame(adata: Any, layer: str | None) -> pd.DataFrame:
    """The genes x samples view of an AnnData's ``X`` or ``layers[layer]`` (dense)."""
    if layer is None:
        matrix = adata.X
        what = "X"
    elif layer in adata.layers:
        matrix = adata.layers[layer]
        what = f"layer {layer!r}"
    else:
        raise CohortValidationError(
            "AnnData has no such layer",
            expected=" | ".join(map(str, adata.layers)) or "no layer (use X)",
            found=layer,
        )
    if matrix is None:
        raise CohortValidationError(f"AnnData {what} is empty", expected="an expression matrix")
    if hasattr(matrix, "toarray"):  # scipy sparse: scoring needs every value
        matrix = matrix.toarray()
    values = np.asarray(matrix)
    return pd.DataFrame(
        values.T, index=pd.Index(adata.var_names), columns=pd.Index(adata.obs_names)
    )


def expression_matrix(
    data: Any,
    *,
    layer: str | None = None,
    orientation: str | None = None,
    allow_missing: bool = False,
) -> tuple[np.ndarray, pd.Index, pd.Index]:
    """Return ``(values, genes, samples)`` of a cohort, an AnnData or a DataFrame.

    ``values`` is genes x samples float64 whatever the input's orientation.

    Parameters
    ----------
    data
        A :class:`~sigsurv.cohorts.model.Cohort`; an :class:`anndata.AnnData`
        (``obs`` = samples, ``var`` = genes, the scverse orientation); or a pandas
        DataFrame, read as genes x samples unless ``orientation="samples_x_genes"``
        (the scikit-learn orientation).
    layer
        AnnData only: score ``adata.layers[layer]`` instead of ``adata.X``.
    orientation
        DataFrame only: ``"genes_x_samples"`` (default) or ``"samples_x_genes"``.
    allow_missing
        Accept NA cells (NaN), as :func:`~sigsurv.scoring.score` does; infinite
        values are always refused.

    The values are a float64 C-contiguous copy-free view when possible; nothing is
    renamed, collapsed or reordered.

    Examples
    --------
    >>> df = pd.DataFrame([[1.0, 2.0]], index=["A"], columns=["s1", "s2"])
    >>> values, genes, samples = expression_matrix(df)
    >>> values.shape, list(genes), list(samples)
    ((1, 2), ['A'], ['s1', 's2'])
    >>> values, genes, samples = expression_matrix(df.T, orientation="samples_x_genes")
    >>> values.shape, list(genes), list(samples)
    ((1, 2), ['A'], ['s1', 's2'])
    """
    from sigsurv.cohorts.model import Cohort

    _check_input_options(data, layer, orientation)
    if isinstance(data, ExpressionStore):
        check_store_labels(data)
        # read the whole store: the in-memory backend scores a numpy matrix
        frame = pd.DataFrame(
            np.asarray(data.array.compute(), dtype=np.float64),
            index=data.genes,
            columns=data.samples,
        )
        return expression_matrix(frame, allow_missing=allow_missing)
    if isinstance(data, Cohort):
        frame = data.expression
        where = f"cohort {data.name}"
    elif is_anndata(data):
        frame = _anndata_frame(data, layer)
        where = "AnnData" + (f" layer {layer!r}" if layer else "")
    elif isinstance(data, pd.DataFrame):
        frame = data.T if orientation == "samples_x_genes" else data
        where = "expression DataFrame"
    else:
        raise CohortValidationError(
            "cannot score this object",
            expected="a sigsurv Cohort, an AnnData, a pandas DataFrame or an ExpressionStore",
            found=type(data).__name__,
        )
    _check_frame_labels(frame, where)
    bad = [
        (c, t)
        for c, t in frame.dtypes.items()
        if not pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t)
    ]
    if bad:
        column, dtype = bad[0]
        raise CohortValidationError(
            f"{where}: expression values must be numeric",
            column=str(column),
            found=str(dtype),
            hint="pass genes as rows and samples as columns",
        )
    values = np.ascontiguousarray(frame.to_numpy(dtype=np.float64))
    bad_values = np.isinf(values) if allow_missing else ~np.isfinite(values)
    if bad_values.any():
        rows, cols = np.nonzero(bad_values)
        what = "infinite" if allow_missing else "missing or infinite"
        raise CohortValidationError(
            f"{where}: {rows.size} {what} expression values",
            column=str(frame.columns[cols[0]]),
            expected="finite numbers",
            found=f"{values[rows[0], cols[0]]} for gene {frame.index[rows[0]]}",
            hint="impute or drop them explicitly before scoring"
            + ("" if allow_missing else " (score() accepts NA cells)"),
        )
    return values, frame.index, frame.columns


def _check_input_options(data: Any, layer: str | None, orientation: str | None) -> None:
    """Refuse an unknown ``orientation`` and options that do not apply to ``data``."""
    if orientation is not None and orientation not in ORIENTATIONS:
        raise CohortValidationError(
            "unknown orientation", expected=" | ".join(ORIENTATIONS), found=orientation
        )
    if layer is not None and not is_anndata(data):
        raise CohortValidationError(
            "layer= only applies to AnnData input", found=type(data).__name__
        )
    if orientation is not None and not isinstance(data, pd.DataFrame):
        raise CohortValidationError(
            "orientation= only applies to DataFrame input",
            found=type(data).__name__,
            hint="a Cohort is genes x samples and an AnnData samples (obs) x genes (var)",
        )


def _check_frame_labels(frame: pd.DataFrame, where: str) -> None:
    """Refuse an empty matrix and duplicated gene or sample identifiers."""
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise CohortValidationError(
            f"{where}: the expression matrix is empty",
            expected="at least one gene and one sample",
            found=f"{frame.shape[0]} genes x {frame.shape[1]} samples",
        )
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()].unique()[:5].tolist()
        raise CohortValidationError(
            f"{where}: duplicated gene identifiers",
            found=", ".join(map(str, dup)),
            hint="collapse duplicated genes with a documented rule before scoring",
        )
    if frame.columns.has_duplicates:
        dup = frame.columns[frame.columns.duplicated()].unique()[:5].tolist()
        raise CohortValidationError(
            f"{where}: duplicated sample identifiers", found=", ".join(map(str, dup))
        )


def check_store_labels(store: ExpressionStore) -> None:
    """Refuse an empty store or duplicated gene / sample identifiers.

    Examples
    --------
    >>> import dask.array as da
    >>> store = ExpressionStore(da.zeros((2, 1)), pd.Index(["A", "A"]), pd.Index(["s"]), "x")
    >>> check_store_labels(store)
    Traceback (most recent call last):
    ...
    sigsurv.errors.CohortValidationError: expression store x: duplicated gene identifiers; found 'A'
    """
    where = f"expression store {store.source}"
    if 0 in store.shape:
        raise CohortValidationError(f"{where}: the expression matrix is empty")
    for labels, what in ((store.genes, "gene"), (store.samples, "sample")):
        if labels.has_duplicates:
            dup = labels[labels.duplicated()].unique()[:5].tolist()
            raise CohortValidationError(
                f"{where}: duplicated {what} identifiers", found=", ".join(map(str, dup))
            )


def expression_labels(
    data: Any, *, layer: str | None = None, orientation: str | None = None
) -> pd.Index:
    """Gene identifiers of what :func:`expression_matrix` accepts, without reading values.

    Examples
    --------
    >>> list(expression_labels(pd.DataFrame([[1.0]], index=["A"], columns=["s"])))
    ['A']
    """
    if isinstance(data, ExpressionStore):
        check_store_labels(data)
        return data.genes
    return expression_matrix(data, layer=layer, orientation=orientation)[1]


def _spec_from_signature(sig: Signature) -> SignatureSpec:
    return SignatureSpec(
        sig.id,
        tuple(sig.symbols),
        tuple(int(d) for d in sig.directions),
        tuple(float(w) for w in sig.weights),
    )


def _spec_from_mapping(name: str, genes: Any) -> SignatureSpec:
    if not isinstance(name, str) or not name:
        raise SignatureError("gene set names must be non-empty strings", found=repr(name))
    if isinstance(genes, Mapping):
        symbols, directions, weights = [], [], []
        for symbol, value in genes.items():
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise SignatureError(
                    f"gene set {name}: weight of {symbol} is not a number",
                    expected="a signed number (negative = direction -1)",
                    found=repr(value),
                )
            value = float(value)
            if not np.isfinite(value):
                raise SignatureError(
                    f"gene set {name}: weight of {symbol} is not finite", found=value
                )
            symbols.append(symbol)
            directions.append(-1 if value < 0 else 1)
            weights.append(abs(value))
    elif isinstance(genes, str) or not isinstance(genes, Iterable):
        raise SignatureError(
            f"gene set {name}: genes must be a list of symbols or a symbol -> weight dict",
            found=type(genes).__name__,
        )
    else:
        symbols = list(genes)
        directions = [1] * len(symbols)
        weights = [1.0] * len(symbols)
    if not symbols:
        raise SignatureError(
            f"gene set {name}: the gene list is empty", expected="at least one gene"
        )
    seen: set[str] = set()
    for symbol in symbols:
        if not isinstance(symbol, str) or not symbol.strip():
            raise SignatureError(
                f"gene set {name}: gene symbols must be non-empty strings", found=repr(symbol)
            )
        if symbol in seen:
            raise SignatureError(f"gene set {name}: duplicate gene", found=symbol)
        seen.add(symbol)
    return SignatureSpec(name, tuple(symbols), tuple(directions), tuple(weights))


def resolve_signatures(signatures: Any) -> list[SignatureSpec]:
    """Turn the accepted signature inputs into a list of :class:`SignatureSpec`.

    Accepted: a built-in signature id or file path (resolved by
    ``sigsurv.signatures.get_signature``), a :class:`~sigsurv.signatures.schema.Signature`,
    a list of those, or a dict ``name -> [genes]`` / ``name -> {gene: signed weight}``.

    Examples
    --------
    >>> [s.id for s in resolve_signatures({"A": ["X", "Y"], "B": {"Z": -1.0}})]
    ['A', 'B']
    >>> resolve_signatures({"B": {"Z": -2.0}})[0].directions
    (-1,)
    """
    if isinstance(signatures, Mapping):
        specs = [_spec_from_mapping(name, genes) for name, genes in signatures.items()]
    elif isinstance(signatures, (str, Signature)) or not isinstance(signatures, Sequence):
        specs = [_resolve_one(signatures)]
    else:
        specs = [_resolve_one(item) for item in signatures]
    if not specs:
        raise SignatureError("no signature to score", expected="at least one signature")
    ids = [spec.id for spec in specs]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise SignatureError(
            "signature ids must be unique in one call", found=", ".join(duplicated)
        )
    return specs


def _resolve_one(item: Any) -> SignatureSpec:
    if isinstance(item, Signature):
        return _spec_from_signature(item)
    if isinstance(item, str):
        try:
            from sigsurv.signatures import get_signature
        except ImportError as exc:  # the registry is optional for the scoring engine
            raise SignatureError(
                f"cannot resolve signature {item!r}: the signature registry is not available",
                hint="pass a Signature object or a dict name -> genes",
            ) from exc
        return _spec_from_signature(get_signature(item))
    raise SignatureError(
        "signature not recognised",
        expected="a signature id, a Signature, a list of those or a dict name -> genes",
        found=type(item).__name__,
    )


def map_signatures(specs: list[SignatureSpec], genes: pd.Index) -> list[GeneSet]:
    """Map signatures onto matrix rows (exact symbol match, case-sensitive).

    Examples
    --------
    >>> spec = SignatureSpec("s", ("B", "Q", "A"), (1, 1, -1), (1.0, 1.0, 1.0))
    >>> gs = map_signatures([spec], pd.Index(["A", "B", "C"]))[0]
    >>> gs.index.tolist(), gs.direction.tolist(), gs.missing
    ([1, 0], [1, -1], ('Q',))
    """
    positions = genes.get_indexer(pd.Index([s for spec in specs for s in spec.symbols]))
    sets = []
    start = 0
    for spec in specs:
        pos = positions[start : start + spec.n_genes]
        start += spec.n_genes
        hit = pos >= 0
        symbols = np.array(spec.symbols, dtype=object)
        sets.append(
            GeneSet(
                spec.id,
                pos[hit].astype(np.intp),
                np.asarray(spec.directions, dtype=np.int64)[hit],
                np.asarray(spec.weights, dtype=np.float64)[hit],
                found=tuple(symbols[hit]),
                missing=tuple(symbols[~hit]),
            )
        )
    return sets


def coverage_table(specs: list[SignatureSpec], sets: list[GeneSet]) -> pd.DataFrame:
    """Per signature: genes requested, found, fraction found, found and missing symbols.

    Examples
    --------
    >>> spec = SignatureSpec("s", ("A", "Q"), (1, 1), (1.0, 1.0))
    >>> table = coverage_table([spec], map_signatures([spec], pd.Index(["A"])))
    >>> row = table.loc["s"]
    >>> int(row["n_found"]), float(row["fraction"]), row["missing"]
    (1, 0.5, ['Q'])
    """
    rows = [
        {
            "signature": spec.id,
            "n_genes": spec.n_genes,
            "n_found": gs.k,
            "fraction": gs.k / spec.n_genes,
            "found": list(gs.found),
            "missing": list(gs.missing),
        }
        for spec, gs in zip(specs, sets, strict=True)
    ]
    table = pd.DataFrame(rows).set_index("signature")
    return table.astype({"n_genes": int, "n_found": int, "fraction": float})


def _shorten(names: Sequence[str], limit: int = 20) -> str:
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... (+{len(names) - limit} more)"


def check_coverage(
    sets: list[GeneSet],
    specs: list[SignatureSpec],
    min_coverage: float,
    genes: pd.Index,
    *,
    other_axis: pd.Index | None = None,
) -> None:
    """Raise :class:`CoverageError` for the first signature below ``min_coverage``.

    A signature with no gene found is always refused, whatever ``min_coverage``.
    ``other_axis`` is the matrix's sample axis: when the signature's genes are found
    there instead, the error says so and suggests transposing.

    Examples
    --------
    >>> spec = SignatureSpec("s", ("A", "Q", "R"), (1, 1, 1), (1.0, 1.0, 1.0))
    >>> sets = map_signatures([spec], pd.Index(["A"]))
    >>> check_coverage(sets, [spec], 0.5, pd.Index(["A"]))
    Traceback (most recent call last):
    ...
    sigsurv.errors.CoverageError: signature s: 1 of 3 genes found (33.3%), below min_coverage 50%; found: A; missing: Q, R
    """  # noqa: E501
    if isinstance(min_coverage, bool) or not 0.0 <= float(min_coverage) <= 1.0:
        raise CoverageError(
            "min_coverage must be a fraction", expected="a number in [0, 1]", found=min_coverage
        )
    for spec, gs in zip(specs, sets, strict=True):
        fraction = gs.k / spec.n_genes
        if gs.k == 0 or fraction < min_coverage:
            upper = {str(g).upper(): str(g) for g in genes}
            near = [upper[m.upper()] for m in gs.missing if m.upper() in upper]
            hint = (
                f"genes match only ignoring case ({_shorten(near, 5)}): harmonise symbols"
                if near
                else "lower min_coverage to score it anyway"
            )
            across = _found_on_other_axis(spec, other_axis)
            if across:
                hint = (
                    f"{len(across)} of the signature's genes ({_shorten(across, 5)}) are "
                    "column labels, not row labels: transpose? The matrix looks like "
                    "samples x genes; pass orientation='samples_x_genes'"
                )
            raise CoverageError(
                f"signature {spec.id}: {gs.k} of {spec.n_genes} genes found "
                f"({100 * fraction:.3g}%), below min_coverage {100 * float(min_coverage):.3g}%; "
                f"found: {_shorten(list(gs.found))}; missing: {_shorten(list(gs.missing))}",
                hint=hint if gs.k == 0 or near else None,
            )


def _found_on_other_axis(spec: SignatureSpec, other_axis: pd.Index | None) -> list[str]:
    """The signature's symbols present on the sample axis (a transposed matrix)."""
    if other_axis is None:
        return []
    present = other_axis.get_indexer(pd.Index(spec.symbols)) >= 0
    return [symbol for symbol, hit in zip(spec.symbols, present, strict=True) if hit]


def coverage_for_anndata(result: Any) -> pd.DataFrame:
    """The coverage report of a :class:`~sigsurv.scoring.result.ScoreResult`, h5ad-safe.

    One row per signature: ``n_genes``, ``n_found``, ``fraction``,
    ``min_genes_per_sample``, ``n_not_scored`` and the found and missing symbols
    joined by ``","`` (AnnData cannot write list cells).

    Examples
    --------
    >>> from sigsurv.scoring import score_signatures
    >>> expr = pd.DataFrame([[1.0, 2.0], [2.0, 1.0]], index=["A", "B"], columns=["s1", "s2"])
    >>> coverage_for_anndata(score_signatures(expr, {"s": ["A", "C"]})).loc["s", "missing"]
    'C'
    """
    table = result.coverage[
        ["n_genes", "n_found", "fraction", "min_genes_per_sample", "n_not_scored"]
    ].copy()
    table["found"] = [",".join(f) for f in result.coverage["found"]]
    table["missing"] = [",".join(m) for m in result.coverage["missing"]]
    table.index = pd.Index([str(s) for s in table.index], name="signature")
    return table


def store_in_anndata(adata: Any, result: Any, key_added: str) -> None:
    """Write scores to ``adata.obsm[key_added]`` and coverage to ``adata.uns``.

    decoupler's convention: ``obsm[key_added]`` is a samples x signatures DataFrame
    indexed like ``adata.obs_names``; ``uns[key_added + "_coverage"]`` is the
    coverage report (:func:`coverage_for_anndata`), and ``uns[key_added +
    "_method"]`` the method and its options. ``result`` is a
    :class:`~sigsurv.scoring.result.ScoreResult`.

    Examples
    --------
    >>> import anndata
    >>> from sigsurv.scoring import score_signatures
    >>> adata = anndata.AnnData(np.array([[1.0, 2.0], [2.0, 1.0]]),
    ...                         obs=pd.DataFrame(index=["s1", "s2"]),
    ...                         var=pd.DataFrame(index=["A", "B"]))
    >>> store_in_anndata(adata, score_signatures(adata, {"s": ["A"]}), "sigsurv")
    >>> adata.obsm["sigsurv"]["s"].tolist()
    [-0.7071067811865475, 0.7071067811865475]
    """
    if not is_anndata(adata):
        raise CohortValidationError(
            "key_added needs AnnData input (scores are written to adata.obsm)",
            found=type(adata).__name__,
            hint="drop key_added, or pass an AnnData",
        )
    if not isinstance(key_added, str) or not key_added:
        raise CohortValidationError("key_added must be a non-empty string", found=key_added)
    scores = result.scores
    if not scores.index.equals(pd.Index(adata.obs_names)):
        raise CohortValidationError(
            "scores do not match the AnnData's samples",
            expected="scores indexed like adata.obs_names",
        )
    stored = pd.DataFrame(
        scores.to_numpy(), index=pd.Index(adata.obs_names), columns=scores.columns.astype(str)
    )
    adata.obsm[key_added] = stored
    adata.uns[f"{key_added}_coverage"] = coverage_for_anndata(result)
    adata.uns[f"{key_added}_method"] = {
        "method": str(result.method),
        "options": {
            str(k): v if isinstance(v, (bool, int, float, str)) else repr(v)
            for k, v in result.options.items()
        },
    }
