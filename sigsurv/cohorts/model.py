"""The cohort model: expression + clinical data + named survival endpoints + provenance.

A :class:`Cohort` is what every loader returns and what scoring and survival
analyses consume. Its invariants, checked on construction:

* ``expression`` is a float genes x samples DataFrame with unique gene and sample IDs;
* ``clinical`` is a samples x fields DataFrame whose index equals the expression
  columns, in the same order;
* every endpoint names a time column (non-negative floats, in the endpoint's unit)
  and an event column (0/1 integers, missing allowed) of ``clinical``;
* a competing-risk endpoint (``Cohort.competing_endpoints``, an :class:`Endpoint` with
  ``causes``) codes its event column 0 = censored, 1..k = the cause of the event.
  It is kept apart from ``endpoints`` so that no analysis of a 0/1 endpoint ever
  reads cause codes as events.

:class:`Endpoint`, :class:`Provenance`, :class:`JoinReport` and :func:`convert_time` live
in :mod:`sigsurv.cohorts.parts`, the AnnData helpers in :mod:`sigsurv.cohorts._anndata`;
all are importable from here as before.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.cohorts._anndata import (
    _STORED_FIELDS,
    _anndata_clinical,
    _anndata_expression,
    _declared_endpoint,
    _is_anndata,
    _strings,
)
from sigsurv.cohorts.parts import (
    TIME_UNITS,
    Endpoint,
    JoinReport,
    Provenance,
    convert_time,
)
from sigsurv.errors import AnalysisError, CohortValidationError, OptionError

__all__ = [
    "TIME_UNITS",
    "Cohort",
    "Endpoint",
    "JoinReport",
    "Provenance",
    "convert_time",
]


@dataclass
class Cohort:
    """Expression, clinical data and survival endpoints of one patient cohort.

    Parameters
    ----------
    name
        Short name (``gse1992``).
    expression
        Genes x samples float matrix; gene index = current HGNC symbols when the
        cohort was harmonised by a loader.
    clinical
        Samples x fields; index equal to ``expression.columns`` (same order).
    endpoints
        Named endpoints, keyed by ``Endpoint.name``.
    provenance
        Source, platform, value scale, identifier type, input files.
    gene_report
        The identifier harmonisation report (see :mod:`sigsurv.cohorts.genes`), if any.
    join_report
        How samples were matched between expression and clinical data.
    messages
        Notes the loader wants the user to see (repairs, dropped rows...).
    strata_columns
        Clinical columns recording a technical batch that analyses of this cohort
        should stratify by when they vary (set by the loader that knows the data,
        e.g. TCGA miRNA: the sequencing machine).
    competing_endpoints
        Competing-risk endpoints (:class:`Endpoint` with ``causes``), keyed by name,
        e.g. TCGA-CDR ``bone_relapse_cr``: 1 = bone first relapse, 2 = other first
        relapse, 3 = death without relapse.
    strata
        A clinical column the user names to stratify this cohort's analyses by (a
        pooled two-study cohort: the study), or None. Set by ``load_cohort(strata=)``,
        a cohort spec's ``strata:`` or ``reproduce --strata``; validated to exist.

    Examples
    --------
    >>> import pandas as pd
    >>> expr = pd.DataFrame([[1.0, 2.0, 3.0]], index=["RPS6KA5"], columns=["s1", "s2", "s3"])
    >>> clin = pd.DataFrame({"os_time": [5.0, 8.0, 2.0], "os_event": [1, 0, 1]},
    ...                     index=expr.columns)
    >>> cohort = Cohort("toy", expr, clin, {"os": Endpoint("os", "os_time", "os_event")})
    >>> cohort.n_samples, cohort.n_genes
    (3, 1)
    """

    name: str
    expression: pd.DataFrame
    clinical: pd.DataFrame
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    provenance: Provenance = field(default_factory=Provenance)
    gene_report: Any = None
    join_report: JoinReport | None = None
    messages: tuple[str, ...] = ()
    strata_columns: tuple[str, ...] = ()
    competing_endpoints: dict[str, Endpoint] = field(default_factory=dict)
    strata: str | None = None

    def __post_init__(self) -> None:
        expr = self.expression
        if not isinstance(expr, pd.DataFrame) or not isinstance(self.clinical, pd.DataFrame):
            raise CohortValidationError(
                f"cohort {self.name}: expression and clinical must be pandas DataFrames"
            )
        if expr.index.has_duplicates:
            dup = expr.index[expr.index.duplicated()].unique()[:5].tolist()
            raise CohortValidationError(
                f"cohort {self.name}: duplicated gene identifiers",
                found=", ".join(map(str, dup)),
                hint="collapse duplicates with a documented rule",
            )
        if expr.columns.has_duplicates:
            dup = expr.columns[expr.columns.duplicated()].unique()[:5].tolist()
            raise CohortValidationError(
                f"cohort {self.name}: duplicated sample identifiers", found=", ".join(map(str, dup))
            )
        non_float = [c for c, t in expr.dtypes.items() if not np.issubdtype(t, np.floating)]
        if non_float:
            raise CohortValidationError(
                f"cohort {self.name}: expression must be floating point",
                column=str(non_float[0]),
                found=str(expr[non_float[0]].dtype),
            )
        if not self.clinical.index.equals(expr.columns):
            raise CohortValidationError(
                f"cohort {self.name}: clinical index must equal the expression columns "
                "(same samples, same order)",
                hint="loaders align them; use Cohort.from_tables to build one by hand",
            )
        for endpoint in self.endpoints.values():
            if endpoint.causes:
                raise CohortValidationError(
                    f"cohort {self.name}: endpoint {endpoint.name!r} has causes",
                    hint="competing-risk endpoints go in competing_endpoints",
                )
            self._check_endpoint(endpoint)
        for endpoint in self.competing_endpoints.values():
            if not endpoint.causes:
                raise CohortValidationError(
                    f"cohort {self.name}: competing-risk endpoint {endpoint.name!r} has no causes"
                )
            self._check_endpoint(endpoint)
        self._check_strata()
        for column in self.strata_columns:
            if column not in self.clinical.columns:
                raise CohortValidationError(
                    f"cohort {self.name}: strata column missing from the clinical data",
                    column=column,
                )

    def _check_strata(self) -> None:
        if self.strata is None:
            return
        if not isinstance(self.strata, str) or not self.strata:
            raise CohortValidationError(
                f"cohort {self.name}: strata must name one clinical column",
                found=repr(self.strata),
            )
        if self.strata not in self.clinical.columns:
            raise CohortValidationError(
                f"cohort {self.name}: strata column not found in the clinical data",
                column=self.strata,
                expected="one of: " + ", ".join(map(str, self.clinical.columns[:25])),
            )
        levels = self.clinical[self.strata].dropna().nunique()
        if levels < 2:
            raise CohortValidationError(
                f"cohort {self.name}: strata column has fewer than two levels",
                column=self.strata,
                found=f"{levels} level{'s' if levels != 1 else ''}",
            )

    def with_strata(self, column: str | None) -> Cohort:
        """The cohort with its analyses stratified by a clinical column (None: none).

        Examples
        --------
        >>> from sigsurv import load_example
        >>> load_example("gse1992").with_strata("er").strata
        'er'
        >>> load_example("gse1992").with_strata("study")
        Traceback (most recent call last):
        ...
        sigsurv.errors.CohortValidationError: column 'study': cohort gse1992: strata column not ...
        """
        if column == self.strata:
            return self
        note = f"analyses stratified by {column!r}" if column else "strata removed"
        return dataclasses.replace(self, strata=column, messages=(*self.messages, note))

    def _check_endpoint(self, endpoint: Endpoint) -> None:
        for column in (endpoint.time, endpoint.event):
            if column not in self.clinical.columns:
                raise CohortValidationError(
                    f"cohort {self.name}: endpoint {endpoint.name!r} names a missing column",
                    column=column,
                )
        time = self.clinical[endpoint.time]
        event = self.clinical[endpoint.event]
        if not pd.api.types.is_numeric_dtype(time):
            raise CohortValidationError(
                f"cohort {self.name}: endpoint {endpoint.name!r} time is not numeric",
                column=endpoint.time,
                found=str(time.dtype),
            )
        if (time.dropna() < 0).any():
            raise CohortValidationError(
                f"cohort {self.name}: negative follow-up time",
                column=endpoint.time,
                found=float(time[time < 0].iloc[0]),
            )
        codes = set(pd.unique(event.dropna()))
        allowed = set(range(len(endpoint.causes) + 1)) if endpoint.causes else {0, 1}
        if not codes <= allowed:
            raise CohortValidationError(
                f"cohort {self.name}: event indicator must be "
                + (f"0..{len(endpoint.causes)} (cause codes)" if endpoint.causes else "0/1"),
                column=endpoint.event,
                found=", ".join(map(str, sorted(codes - allowed)[:5])),
            )

    # ------------------------------------------------------------------ basics
    @property
    def samples(self) -> pd.Index:
        """Sample identifiers, in matrix order."""
        return self.expression.columns

    @property
    def genes(self) -> pd.Index:
        """Gene identifiers, in matrix order."""
        return self.expression.index

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return self.expression.shape[1]

    @property
    def n_genes(self) -> int:
        """Number of genes."""
        return self.expression.shape[0]

    def endpoint(self, name: str | None = None) -> Endpoint:
        """Return an endpoint by name (the only one if ``name`` is None).

        Examples
        --------
        >>> from sigsurv import load_example
        >>> load_example("gse1992").endpoint().name
        'rfs'
        """
        if name is None:
            if len(self.endpoints) == 1:
                return next(iter(self.endpoints.values()))
            raise AnalysisError(
                f"cohort {self.name}: several endpoints, name one",
                expected=" | ".join(self.endpoints) or "an endpoint",
            )
        key = name.lower()
        if key not in self.endpoints:
            raise AnalysisError(
                f"cohort {self.name}: no endpoint {name!r}",
                expected=" | ".join(self.endpoints) or "an endpoint",
            )
        return self.endpoints[key]

    def survival(self, name: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(time, event)`` arrays of an endpoint (NaN time where missing).

        Examples
        --------
        >>> from sigsurv import load_example
        >>> time, event = load_example("gse1992").survival("rfs")
        >>> int(event.sum()), len(time)
        (35, 124)
        """
        endpoint = self.endpoint(name)
        time = pd.to_numeric(self.clinical[endpoint.time]).to_numpy(dtype=float, na_value=np.nan)
        event = pd.to_numeric(self.clinical[endpoint.event]).to_numpy(dtype=float, na_value=np.nan)
        return time, event

    def competing_endpoint(self, name: str) -> Endpoint:
        """Return a competing-risk endpoint by name.

        Examples
        --------
        >>> import pandas as pd
        >>> expr = pd.DataFrame([[1.0, 2.0]], index=["G"], columns=["a", "b"])
        >>> clin = pd.DataFrame({"t": [3.0, 5.0], "c": [2, 0]}, index=expr.columns)
        >>> cr = Endpoint("cr", "t", "c", causes=("bone", "other"))
        >>> cohort = Cohort("toy", expr, clin, competing_endpoints={"cr": cr})
        >>> cohort.competing_endpoint("cr").causes
        ('bone', 'other')
        """
        key = name.lower()
        if key not in self.competing_endpoints:
            raise AnalysisError(
                f"cohort {self.name}: no competing-risk endpoint {name!r}",
                expected=" | ".join(self.competing_endpoints) or "a competing-risk endpoint",
            )
        return self.competing_endpoints[key]

    def competing_risks(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(time, cause code)`` arrays of a competing-risk endpoint (NaN where missing).

        Examples
        --------
        >>> import pandas as pd
        >>> expr = pd.DataFrame([[1.0, 2.0]], index=["G"], columns=["a", "b"])
        >>> clin = pd.DataFrame({"t": [3.0, 5.0], "c": [2, 0]}, index=expr.columns)
        >>> cr = Endpoint("cr", "t", "c", causes=("bone", "other"))
        >>> Cohort("toy", expr, clin, competing_endpoints={"cr": cr}).competing_risks("cr")[1]
        array([2., 0.])
        """
        endpoint = self.competing_endpoint(name)
        time = pd.to_numeric(self.clinical[endpoint.time]).to_numpy(dtype=float, na_value=np.nan)
        code = pd.to_numeric(self.clinical[endpoint.event]).to_numpy(dtype=float, na_value=np.nan)
        return time, code

    def complete_cases(self, name: str | None = None) -> Cohort:
        """Keep the samples with a known time and event for an endpoint.

        Examples
        --------
        >>> from sigsurv import load_example
        >>> load_example("gse1992").complete_cases("rfs").n_samples
        124
        """
        endpoint = self.endpoint(name)
        keep = self.clinical[[endpoint.time, endpoint.event]].notna().all(axis=1).to_numpy()
        return self._take(
            keep,
            note=None
            if keep.all()
            else f"{int((~keep).sum())} samples without {endpoint.name} data excluded",
        )

    # ------------------------------------------------------------------ AnnData
    @classmethod
    def from_anndata(
        cls,
        adata: Any,
        *,
        time: str | None = None,
        event: str | None = None,
        endpoint: str | None = None,
        time_unit: str | None = None,
        layer: str | None = None,
        name: str | None = None,
    ) -> Cohort:
        """Build a cohort from an in-memory AnnData (``obs`` = clinical, ``var`` = genes).

        The expression is ``adata.X`` (or ``adata.layers[layer]``), transposed to genes x
        samples; sparse matrices are densified and integer counts become float64 (said
        in ``messages``); nothing else is converted. Endpoints, provenance, join report
        and messages written by :meth:`to_anndata` (``adata.uns["sigsurv"]``) are
        restored. ``time`` / ``event`` declare a further endpoint on ``obs`` columns
        used as they are (numeric times, 0/1 events); to decode coded columns
        (``1:DECEASED``, ``yes``/``no``...) into new ``<endpoint>_time`` /
        ``<endpoint>_event`` columns as the file loaders do, use
        :func:`sigsurv.cohorts.load_cohort` on the AnnData.

        Parameters
        ----------
        adata
            An :class:`anndata.AnnData`, samples x genes.
        time, event
            ``obs`` columns of a further endpoint (numeric times, events coded 0/1).
        endpoint
            Its name (default: the one the time column's name says, else refused).
        time_unit
            Its unit (``days``, ``months`` or ``years``), required with ``time``.
        layer
            Layer to use instead of ``X``.
        name
            Cohort name (default: the stored name, else ``"anndata"``).

        Returns
        -------
        Cohort

        Examples
        --------
        >>> import anndata
        >>> obs = pd.DataFrame({"t": [5.0, 9.0], "e": [1, 0]}, index=["a", "b"])
        >>> adata = anndata.AnnData(np.ones((2, 1)), obs=obs, var=pd.DataFrame(index=["TP53"]))
        >>> cohort = Cohort.from_anndata(adata, time="t", event="e", endpoint="os",
        ...                              time_unit="months")
        >>> cohort.n_samples, cohort.endpoint().name
        (2, 'os')
        """
        if not _is_anndata(adata):
            raise CohortValidationError("not an AnnData object", found=type(adata).__name__)
        meta = dict(adata.uns.get("sigsurv", {}))
        messages = list(_strings(meta.get("messages", [])))
        expression = _anndata_expression(adata, layer, meta, messages)
        clinical = _anndata_clinical(adata, meta, expression.columns)
        endpoints = {
            key: Endpoint(
                name=str(spec["name"]),
                time=str(spec["time"]),
                event=str(spec["event"]),
                unit=str(spec["unit"]),  # type: ignore[arg-type]
                label=str(spec.get("label", "")),
                source_columns=_strings(spec.get("source_columns", [])),
                horizon=float(spec["horizon"]) if "horizon" in spec else None,
            )
            for key, spec in dict(meta.get("endpoints", {})).items()
        }
        if time is not None or event is not None:
            declared = _declared_endpoint(clinical, time, event, endpoint, time_unit)
            endpoints[declared.name] = declared
        stored = dict(meta.get("provenance", {}))
        restored: dict[str, Any] = {
            f.name: _strings(stored[f.name])
            if isinstance(f.default, tuple)
            else str(stored[f.name])
            for f in dataclasses.fields(Provenance)
            if f.name in stored
        }
        provenance = (
            Provenance(**restored)
            if stored
            else Provenance(source="AnnData (in memory)", scale=f"layer {layer}" if layer else "X")
        )
        join = dict(meta.get("join_report", {}))
        join_report = (
            JoinReport(
                n_expression=int(join["n_expression"]),
                n_clinical=int(join["n_clinical"]),
                n_matched=int(join["n_matched"]),
                expression_only=_strings(join.get("expression_only", [])),
                clinical_only=_strings(join.get("clinical_only", [])),
                rule=str(join.get("rule", "exact sample identifier")),
            )
            if join
            else None
        )
        text_fields = dict(meta.get("text_fields", {}))
        cohort = cls(
            name=name or str(meta.get("name", "anndata")),
            expression=expression,
            clinical=clinical,
            endpoints=endpoints,
            provenance=provenance,
            join_report=join_report,
            messages=tuple(messages),
        )
        extra: dict[str, Any] = {
            f.name: _strings(text_fields[f.name])
            for f in dataclasses.fields(cls)
            if f.name in text_fields
        }
        if meta.get("strata") is not None:
            extra["strata"] = str(meta["strata"])
        return dataclasses.replace(cohort, **extra) if extra else cohort

    def to_anndata(self) -> Any:
        """Return the cohort as an AnnData: ``X`` samples x genes, ``obs`` = clinical.

        ``var`` is indexed by gene, ``obs`` is the clinical table, and
        ``uns["sigsurv"]`` holds the name, endpoints, provenance, join report,
        messages, axis names and clinical dtypes, so that
        :meth:`from_anndata` restores the cohort exactly (the gene-identifier report,
        a Python object, is not carried over). Needs the optional package ``anndata``.

        Examples
        --------
        >>> from sigsurv import load_example
        >>> adata = load_example("gse1992").to_anndata()
        >>> adata.n_obs, adata.uns["sigsurv"]["endpoints"]["rfs"]["unit"]
        (124, 'months')
        """
        try:
            import anndata
        except ImportError:
            raise CohortValidationError(
                "Cohort.to_anndata needs the optional package anndata",
                hint="pip install 'sigsurv[anndata]'",
            ) from None
        return anndata.AnnData(
            X=self.expression.to_numpy().T.copy(),
            obs=self.clinical.copy(),
            var=pd.DataFrame(index=self.expression.index.copy()),
            uns={"sigsurv": self._anndata_metadata()},
        )

    def _anndata_metadata(self) -> dict[str, Any]:
        """What :meth:`to_anndata` stores in ``uns["sigsurv"]`` (h5ad-writable values)."""
        endpoints = {}
        for key, e in self.endpoints.items():
            spec: dict[str, Any] = {
                "name": e.name,
                "time": e.time,
                "event": e.event,
                "unit": e.unit,
                "label": e.label,
                "source_columns": list(e.source_columns),
            }
            if e.horizon is not None:  # h5ad cannot store None
                spec["horizon"] = float(e.horizon)
            endpoints[key] = spec
        meta: dict[str, Any] = {
            "name": self.name,
            "endpoints": endpoints,
            "provenance": {
                k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(self.provenance).items()
            },
            "messages": list(self.messages),
            "clinical_dtypes": {str(c): str(t) for c, t in self.clinical.dtypes.items()},
        }
        if self.strata is not None:
            meta["strata"] = self.strata
        # Further tuple-of-text fields (e.g. strata columns) travel generically.
        text_fields = {
            f.name: list(value)
            for f in dataclasses.fields(self)
            if f.name not in _STORED_FIELDS
            and isinstance(value := getattr(self, f.name), tuple)
            and all(isinstance(v, str) for v in value)
        }
        if text_fields:
            meta["text_fields"] = text_fields
        for key, axis in (("gene_axis", self.expression.index), ("sample_axis", self.samples)):
            if axis.name is not None:
                meta[key] = str(axis.name)
        if self.join_report is not None:
            meta["join_report"] = {
                k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(self.join_report).items()
            }
        return meta

    # ------------------------------------------------------------------ derivation
    def _take(self, mask: np.ndarray, note: str | None = None) -> Cohort:
        expression = self.expression.loc[:, mask]
        clinical = self.clinical.loc[mask]
        messages = self.messages + ((note,) if note else ())
        strata = self.strata
        if strata is not None and clinical[strata].dropna().nunique() < 2:
            # A subgroup can hold one study only (ER+ patients of an ER- companion
            # series): nothing left to stratify by, which is said, not refused.
            messages += (f"analyses not stratified by {strata!r}: one level in these samples",)
            strata = None
        return dataclasses.replace(
            self, expression=expression, clinical=clinical, messages=messages, strata=strata
        )

    def subset(self, expression: str) -> Cohort:
        """Keep the samples whose clinical data satisfy a subgroup expression.

        The expression is parsed by :func:`sigsurv.cohorts.subgroup.parse_subgroup`,
        a small safe grammar (comparisons of clinical columns with literals, ``in``,
        ``and`` / ``or`` / ``not``); nothing is evaluated as Python code.
        Samples where the expression involves a missing value are excluded.

        Examples
        --------
        >>> from sigsurv import load_example
        >>> cohort = load_example("gse1992")
        >>> cohort.subset("er == 'positive'").n_samples
        72
        """
        from sigsurv.cohorts.subgroup import evaluate_subgroup

        mask = evaluate_subgroup(expression, self.clinical)
        if not mask.any():
            raise AnalysisError(f"cohort {self.name}: subgroup {expression!r} selects no sample")
        subset = self._take(
            mask, note=f"subgroup {expression!r}: {int(mask.sum())} of {len(mask)} samples"
        )
        return subset

    def truncate(self, endpoint: str | None, horizon: float, unit: str | None = None) -> Cohort:
        """Administratively censor an endpoint at a horizon.

        Events after ``horizon`` become censored at ``horizon``; times beyond it are
        set to ``horizon``. ``unit`` defaults to the endpoint's unit.

        Examples
        --------
        >>> from sigsurv import load_example
        >>> cohort = load_example("gse1992").truncate("rfs", 5, unit="years")
        >>> float(cohort.survival("rfs")[0].max())
        60.0
        """
        target = self.endpoint(endpoint)
        if not np.isfinite(horizon) or horizon <= 0:
            raise OptionError("horizon must be a positive number", found=horizon)
        limit = float(horizon if unit is None else convert_time(horizon, unit, target.unit))
        clinical = self.clinical.copy()
        time = clinical[target.time].astype(float)
        event = clinical[target.event]
        beyond = time > limit
        clinical[target.time] = time.where(~beyond, limit)
        clinical[target.event] = event.where(~beyond, 0).astype(event.dtype)
        endpoints = dict(self.endpoints)
        endpoints[target.name] = dataclasses.replace(target, horizon=limit)
        note = (
            f"{target.name} truncated at {limit:g} {target.unit}: "
            f"{int((beyond & (event == 1)).sum())} later events censored"
        )
        return dataclasses.replace(
            self, clinical=clinical, endpoints=endpoints, messages=(*self.messages, note)
        )

    def with_genes(self, genes: list[str] | pd.Index) -> Cohort:
        """Return a cohort restricted to the given genes (in that order).

        Examples
        --------
        >>> from sigsurv import load_example
        >>> load_example("gse1992").with_genes(["ESR1", "ERBB2"]).genes.tolist()
        ['ESR1', 'ERBB2']
        """
        return dataclasses.replace(self, expression=self.expression.loc[list(genes)])
