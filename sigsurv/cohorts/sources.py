"""One entry point for every cohort source: a bundled name, a folder or a file."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.cohorts.build import (
    EndpointSpec,
    assemble_cohort,
    decode_declared_endpoints,
    name_endpoint,
    type_clinical,
)
from sigsurv.cohorts.cbioportal import find_study_folder, load_cbioportal
from sigsurv.cohorts.examples import EXAMPLES, load_example
from sigsurv.cohorts.geo import is_gds_soft, is_series_matrix, load_geo_dataset, load_geo_series
from sigsurv.cohorts.model import Cohort, Provenance
from sigsurv.cohorts.options import LoadOptions, load_options
from sigsurv.cohorts.readers import check_declared_size, refuse_booleans_and_infinities
from sigsurv.cohorts.tables import load_tables, sha256_of
from sigsurv.cohorts.tcga import classify_tcga_file, is_tcga_folder, load_tcga, load_tcga_folder
from sigsurv.errors import FileFormatError, OptionError, SigsurvInputError

__all__ = ["detect_source_kind", "load_anndata", "load_cohort"]


def detect_source_kind(source: str | Path) -> str:
    """Say how a SOURCE will be read: ``example``, ``cbioportal``, ``tcga``, ``geo``,
    ``gds``, ``anndata`` or ``table``.

    Examples
    --------
    >>> detect_source_kind("gse1992"), detect_source_kind("GSE2034_series_matrix.txt.gz")
    ('example', 'geo')
    """
    text = str(source)
    if text.lower() in EXAMPLES and not Path(text).exists():
        return "example"
    path = Path(text)
    if path.is_dir():
        if find_study_folder(path) is not None:
            return "cbioportal"
        if is_tcga_folder(path):
            return "tcga"
        raise FileFormatError(
            "folder is neither a cBioPortal study nor a TCGA table folder",
            file=path,
            expected="data_clinical_*.txt + data_mrna_*.txt, or TCGA barcode tables",
        )
    if is_series_matrix(path):
        return "geo"
    if is_gds_soft(path):
        return "gds"
    if path.suffix.lower() == ".h5ad":
        return "anndata"
    if not path.exists():
        raise FileFormatError(
            "cohort source not found",
            file=path,
            expected="a bundled cohort (" + ", ".join(EXAMPLES) + "), a folder or a file",
        )
    return "table"


def load_anndata(
    path: str | Path,
    *,
    time: str | None = None,
    event: str | None = None,
    endpoint: str | None = None,
    time_unit: str | None = None,
    event_codes: Mapping[str, int] | None = None,
    layer: str | None = None,
    options: LoadOptions | None = None,
    id_type: str | None = None,
    collapse: str | None = None,
    harmonise: bool | None = None,
    na_policy: str | None = None,
    name: str | None = None,
    non_tumour: str | None = None,
) -> Cohort:
    """Load an AnnData ``.h5ad`` file (``obs`` = clinical, ``var`` = genes, X samples x genes).

    Needs the optional dependency ``anndata`` (``pip install sigsurv[anndata]``).
    ``options`` (a :class:`~sigsurv.cohorts.options.LoadOptions`) says how to read; the
    keyword arguments of the same names, when given, replace its fields. The matrix the
    file declares must fit the input limit once dense.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np, pandas as pd, anndata
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.h5ad"
    >>> obs = pd.DataFrame({"t": [5.0, 9.0], "e": [1, 0]}, index=["a", "b"])
    >>> anndata.AnnData(np.ones((2, 1)), obs=obs, var=pd.DataFrame(index=["TP53"])).write_h5ad(path)
    >>> load_anndata(path, time="t", event="e", endpoint="os",
    ...              time_unit="months").n_samples
    2
    """
    try:
        import anndata
    except ImportError:
        raise SigsurvInputError(
            "reading .h5ad needs the optional package anndata",
            file=path,
            hint="pip install 'sigsurv[anndata]'",
        ) from None
    chosen = load_options(
        options,
        event_codes=event_codes,
        id_type=id_type,
        collapse=collapse,
        harmonise=harmonise,
        na_policy=na_policy,
        non_tumour=non_tumour,
    )
    file = Path(path)
    if not file.exists():
        raise FileFormatError("file not found", file=file)
    _check_h5ad_shape(file, layer, chosen.max_file_bytes)
    try:
        adata = anndata.read_h5ad(file)
    except Exception as exc:  # h5py raises many types for a corrupt file
        raise FileFormatError(
            "cannot read .h5ad file", file=file, found=f"{type(exc).__name__}: {exc}"
        ) from None
    matrix = adata.layers[layer] if layer else adata.X
    if hasattr(matrix, "toarray"):
        matrix = matrix.toarray()
    refuse_booleans_and_infinities(np.asarray(matrix), file, f"layer {layer}" if layer else "X")
    values = np.asarray(matrix, dtype=float)
    expression = pd.DataFrame(
        values.T, index=adata.var_names.astype(str), columns=adata.obs_names.astype(str)
    )
    clinical = adata.obs.copy()
    clinical.index = clinical.index.astype(str)
    clinical = clinical.astype(object).where(clinical.notna(), None)
    clinical, decoded = decode_declared_endpoints(
        clinical,
        time=time,
        event=event,
        endpoint=endpoint,
        time_unit=time_unit,
        event_codes=chosen.event_codes,
        file=file,
    )
    clinical = type_clinical(clinical)
    provenance = Provenance(
        source=f"AnnData {file.name}",
        scale=f"layer {layer}" if layer else "X",
        identifier_type=chosen.id_type,
        files=(str(file),),
        sha256=(sha256_of(file),),
    )
    return assemble_cohort(
        name or file.stem,
        expression,
        clinical,
        endpoints=decoded,
        provenance=provenance,
        options=chosen,
        expression_file=file,
        clinical_file=file,
    )


def _check_h5ad_shape(file: Path, layer: str | None, max_file_bytes: int) -> None:
    """Refuse an .h5ad whose declared matrix (dense once read) exceeds the input limit,
    from its HDF5 header alone (issue 24: a file declaring 40 x 3e8 was read)."""
    import h5py  # type: ignore[import-untyped]

    try:
        with h5py.File(file, "r") as handle:
            node = handle["layers"][layer] if layer else handle.get("X")
            if node is None:
                return
            shape = node.shape if isinstance(node, h5py.Dataset) else node.attrs.get("shape")
    except (OSError, KeyError):
        return  # not HDF5 or no such layer: anndata reports it below
    if shape is None or len(shape) != 2:
        return
    rows, columns = (int(n) for n in shape)
    check_declared_size(
        file,
        rows * columns * 8,
        f"matrix of {rows:,} x {columns:,}",
        max_file_bytes=max_file_bytes,
    )


def load_cohort(
    source: Any,
    *,
    clinical: str | Path | None = None,
    time: str | None = None,
    event: str | None = None,
    endpoint: str | None = None,
    time_unit: str | None = None,
    event_codes: Mapping[str, int] | None = None,
    platform: str | Path | None = None,
    orientation: str = "genes_x_samples",
    sample_column: str | None = None,
    options: LoadOptions | None = None,
    collapse: str | None = None,
    harmonise: bool | None = None,
    strata: str | None = None,
    **keywords: Any,
) -> Cohort:
    """Load a cohort from any supported source.

    Parameters
    ----------
    source
        An in-memory :class:`anndata.AnnData` (read by :meth:`Cohort.from_anndata`;
        ``layer`` and ``name`` may be passed as options), a
        bundled cohort name (``gse1992``, ``gse3143``, ``gse4335``, ``nki70``), a
        cBioPortal study folder, a folder of TCGA/Xena tables, a GEO series matrix,
        an ``.h5ad`` file, or an expression table (TSV/CSV/Parquet) with ``clinical``.
    clinical, time, event, endpoint, time_unit, event_codes
        For sources without built-in endpoints: the clinical table and the columns
        (or GEO characteristic keys) of the endpoint to define. ``endpoint`` names
        it; by default the time column's name must say it (``OS_MONTHS``,
        ``relapse_time``): overall survival is never assumed.
    platform
        GEO platform annotation table (probe -> gene).
    orientation, sample_column
        For plain tables.
    options
        How to read (:class:`~sigsurv.cohorts.options.LoadOptions`: gene identifiers,
        missing values, sample kinds, the input limit...); ``collapse``, ``harmonise``
        and ``event_codes``, when given, replace its fields.
    collapse, harmonise
        Gene-identifier options (see :func:`sigsurv.cohorts.genes.harmonise_expression`).
    strata
        A clinical column to stratify the cohort's analyses by (:attr:`Cohort.strata`,
        e.g. the study of a pooled two-study table); it must exist.
    keywords
        Further loader options (``name``, ``non_tumour``, ``layer``, ``gene_columns``...),
        passed to the loader of the source's kind.

    Examples
    --------
    >>> load_cohort("gse4335").endpoint().name
    'os'
    """
    chosen = load_options(options, collapse=collapse, harmonise=harmonise, event_codes=event_codes)
    declared = {"time": time, "event": event, "endpoint": endpoint, "time_unit": time_unit}
    cohort = _load_any(
        source,
        clinical=clinical,
        declared=declared,
        platform=platform,
        orientation=orientation,
        sample_column=sample_column,
        options=chosen,
        keywords=keywords,
    )
    return cohort.with_strata(strata) if strata is not None else cohort


def _load_any(
    source: Any,
    *,
    clinical: str | Path | None,
    declared: dict[str, Any],
    platform: str | Path | None,
    orientation: str,
    sample_column: str | None,
    options: LoadOptions,
    keywords: dict[str, Any],
) -> Cohort:
    """:func:`load_cohort` without the strata: the loader the source's kind needs.

    ``declared`` holds the endpoint the user declared (``time``, ``event``,
    ``endpoint``, ``time_unit``); ``keywords`` the further loader options.
    """
    from sigsurv.cohorts.model import _is_anndata

    if _is_anndata(source):  # an in-memory AnnData: see Cohort.from_anndata
        return _anndata_cohort(source, **declared, event_codes=options.event_codes, **keywords)
    kind = detect_source_kind(source)
    if kind == "example":
        return load_example(str(source), harmonise=options.harmonise)
    if kind == "cbioportal":
        study = find_study_folder(source)
        assert study is not None  # detect_source_kind found it
        return load_cbioportal(study, options=options, **keywords)
    if kind == "tcga":
        return load_tcga_folder(source, options=options, **keywords)
    if kind in ("geo", "gds"):
        loader = load_geo_series if kind == "geo" else load_geo_dataset
        return loader(source, platform=platform, options=options, **declared, **keywords)
    if kind == "anndata":
        return load_anndata(source, options=options, **declared, **keywords)
    return _load_expression_table(
        source,
        clinical,
        declared=declared,
        platform=platform,
        orientation=orientation,
        sample_column=sample_column,
        options=options,
        keywords=keywords,
    )


def _load_expression_table(
    source: str | Path,
    clinical: str | Path | None,
    *,
    declared: dict[str, Any],
    platform: str | Path | None,
    orientation: str,
    sample_column: str | None,
    options: LoadOptions,
    keywords: dict[str, Any],
) -> Cohort:
    """An expression table with its clinical table: a GEO series matrix (RNA-seq series),
    a TCGA clinical table, any other table; or one table holding both."""
    combined = keywords.get("gene_columns") or keywords.get("clinical_columns")
    if clinical is None and not combined:
        raise OptionError(
            "an expression table needs a clinical table",
            file=source,
            expected="--clinical FILE --time COL --event COL, or --gene-columns/"
            "--clinical-columns for a table holding both",
        )
    if clinical is not None and is_series_matrix(clinical):
        # RNA-seq series: values in a supplementary table, samples in the series matrix.
        return load_geo_series(
            clinical,
            expression=source,
            orientation=orientation,
            platform=platform,
            options=options,
            **declared,
            **keywords,
        )
    if clinical is not None and _is_tcga_pair(source, clinical, orientation):
        return _load_tcga_pair(source, clinical, options=options, **declared, **keywords)
    return load_tables(
        source,
        clinical,
        orientation=orientation,
        sample_column=sample_column,
        platform=platform,
        options=options,
        **declared,
        **keywords,
    )


def _is_tcga_pair(source: str | Path, clinical: str | Path, orientation: str) -> bool:
    """An expression table with TCGA barcodes and a patient-level TCGA clinical table."""
    return (
        orientation.replace("-", "_") == "genes_x_samples"
        and classify_tcga_file(source) == "expression"
        and classify_tcga_file(clinical) == "clinical"
    )


def _load_tcga_pair(
    source: str | Path,
    clinical: str | Path,
    *,
    time: str | None,
    event: str | None,
    endpoint: str | None,
    time_unit: str | None,
    options: LoadOptions,
    **keywords: Any,
) -> Cohort:
    """Join aliquot barcodes to patients, as for a TCGA folder; ``--time/--event`` add one."""
    extra: list[EndpointSpec] = []
    if time is not None or event is not None:
        if time is None or event is None:
            raise OptionError(
                "give both the time and the event column",
                expected="--time COL --event COL",
                found=f"--time {time!r} --event {event!r}",
            )
        name = name_endpoint(time, endpoint)
        extra.append(EndpointSpec(name, time, event, unit=time_unit, codes=options.event_codes))
    return load_tcga(source, [clinical], extra_endpoints=extra, options=options, **keywords)


def _anndata_cohort(
    adata: Any,
    *,
    time: str | None,
    event: str | None,
    endpoint: str | None,
    time_unit: str | None,
    event_codes: Mapping[str, int] | None,
    layer: str | None = None,
    name: str | None = None,
) -> Cohort:
    """An in-memory AnnData as a cohort; a declared endpoint is decoded as loaders do."""
    cohort = Cohort.from_anndata(adata, layer=layer, name=name)
    if time is None and event is None:
        return cohort
    clinical, decoded = decode_declared_endpoints(
        cohort.clinical,
        time=time,
        event=event,
        endpoint=endpoint,
        time_unit=time_unit,
        event_codes=event_codes,
    )
    endpoints = {**cohort.endpoints, **{e.name: e for e in decoded}}
    return dataclasses.replace(cohort, clinical=clinical, endpoints=endpoints)
