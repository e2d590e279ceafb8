"""Bundled example cohorts: the SurvSet breast-cancer cohorts (PyPI ``survset``).

SurvSet ships each cohort as one table: ``time``, ``event``, ``fac_*`` factors,
``num_*`` numerics and genes as ``num_HS_<SYMBOL>``. :func:`load_example` splits it
into expression and clinical data, names and types the clinical factors
(``er``, ``node``, ``grade``, ``age``, ``size``...) and harmonises gene symbols.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from sigsurv.cohorts.build import assemble_cohort
from sigsurv.cohorts.model import Cohort, Endpoint, Provenance
from sigsurv.errors import OptionError, SigsurvInputError

__all__ = ["EXAMPLES", "ExampleInfo", "list_examples", "load_example"]


@dataclass(frozen=True)
class ExampleInfo:
    """Description of a bundled cohort."""

    name: str
    title: str
    endpoint: str
    endpoint_label: str
    unit: str
    platform: str
    scale: str
    reference: str


EXAMPLES: dict[str, ExampleInfo] = {
    "gse1992": ExampleInfo(
        "gse1992",
        "UNC breast tumours (Hu et al., BMC Genomics 2006; GEO GSE1992)",
        "rfs",
        "relapse-free survival",
        "months",
        "UNC custom Agilent two-colour oligo arrays",
        "log2 ratio vs Stratagene Universal Human Reference",
        "SurvSet 0.2.11 from survJamda.data 1.0.2 (Yasrebi et al. 2009)",
    ),
    "gse3143": ExampleInfo(
        "gse3143",
        "Duke breast tumours (Bild et al., Nature 2006; GEO GSE3143)",
        "os",
        "overall survival",
        "months",
        "Affymetrix HG-U95Av2",
        "log2 intensity",
        "SurvSet 0.2.11 from survJamda.data 1.0.2 (Yasrebi et al. 2009)",
    ),
    "gse4335": ExampleInfo(
        "gse4335",
        "Norway/Stanford breast tumours (Sorlie et al.; GEO GSE4335)",
        "os",
        "overall survival",
        "months",
        "Stanford cDNA two-colour arrays",
        "log2 ratio vs reference",
        "SurvSet 0.2.11 from survJamda.data 1.0.2 (Yasrebi et al. 2009)",
    ),
    "nki70": ExampleInfo(
        "nki70",
        "NKI 70-gene (MammaPrint) cohort (van de Vijver et al., NEJM 2002)",
        "mfs",
        "metastasis-free survival",
        "years",
        "Agilent/Rosetta arrays, 70 MammaPrint genes only",
        "log10 ratio",
        "SurvSet 0.2.11 from R package penalized (nki70)",
    ),
}


def list_examples() -> pd.DataFrame:
    """Table of the bundled cohorts.

    Examples
    --------
    >>> list_examples().index.tolist()
    ['gse1992', 'gse3143', 'gse4335', 'nki70']
    """
    rows = [info.__dict__ for info in EXAMPLES.values()]
    return pd.DataFrame(rows).set_index("name")


@lru_cache(maxsize=8)
def _read_survset(name: str) -> pd.DataFrame:
    pickles = resources.files("SurvSet") / "resources" / "pickles"
    # SurvSet's own package data (not a user file): the package ships pickles.
    with resources.as_file(pickles / f"{name}.pickle") as path:
        return pd.read_pickle(path)


def _status(values: pd.Series, positive: object, negative: object) -> pd.Series:
    mapped = values.map({positive: "positive", negative: "negative"})
    return pd.Series(
        pd.Categorical(mapped, categories=["negative", "positive"]), index=values.index
    )


def _numeric_code(values: pd.Series) -> pd.Series:
    # 'missing' / 'na' / 'x' are SurvSet's spellings of unknown.
    return pd.to_numeric(
        values.astype(str).where(~values.astype(str).isin(["missing", "na", "x"])), errors="coerce"
    ).astype(float)


def _clinical(name: str, table: pd.DataFrame) -> pd.DataFrame:
    clinical = pd.DataFrame(index=table["pid"].astype(str).to_numpy())
    get = lambda column: table[column].set_axis(clinical.index)  # noqa: E731
    if name == "gse1992":
        clinical["er"] = _status(get("fac_er_positive").astype(str), "1", "0")
        clinical["node"] = _status(get("fac_node_status").astype(str), "1", "0")
        clinical["grade"] = _numeric_code(get("fac_grade"))
        clinical["size_category"] = _numeric_code(get("fac_size"))
        clinical["age"] = get("num_age").astype(float)
    elif name == "gse3143":
        clinical["er_level"] = get("num_erlev").astype(float)
    elif name == "gse4335":
        clinical["er"] = _status(get("fac_er_status").astype(str), "1", "0")
        clinical["node_category"] = _numeric_code(get("fac_node_status"))
        clinical["metastasis"] = get("fac_metastasis").astype(float)
        clinical["histology"] = get("fac_histology").astype(str)
        clinical["size_category"] = _numeric_code(get("fac_tumor_size"))
        clinical["grade"] = _numeric_code(get("fac_grade"))
        clinical["age"] = get("num_age").astype(float)
    elif name == "nki70":
        clinical["er"] = _status(get("fac_ER").astype(str), "Positive", "Negative")
        clinical["nodes"] = get("fac_N").astype(str)
        clinical["diameter"] = get("fac_Diam").astype(str)
        grade_codes = {"Well diff": 1.0, "Intermediate": 2.0, "Poorly diff": 3.0}
        clinical["grade"] = get("fac_Grade").astype(str).map(grade_codes).astype(float)
        clinical["age"] = get("num_Age").astype(float)
    info = EXAMPLES[name]
    clinical[f"{info.endpoint}_time"] = get("time").astype(float)
    clinical[f"{info.endpoint}_event"] = get("event").astype("Int8")
    return clinical


def _expression(name: str, table: pd.DataFrame) -> pd.DataFrame:
    if name == "nki70":
        clinical_numeric = {"num_Age"}
        columns = [c for c in table.columns if c.startswith("num_") and c not in clinical_numeric]
        symbols = [c[len("num_") :] for c in columns]
    else:
        columns = [c for c in table.columns if c.startswith("num_HS_")]
        symbols = [c[len("num_HS_") :] for c in columns]
    values = table[columns].to_numpy(dtype=float).T
    return pd.DataFrame(values, index=symbols, columns=table["pid"].astype(str).to_numpy())


def load_example(name: str, *, harmonise: bool = True) -> Cohort:
    """Load a bundled SurvSet breast-cancer cohort.

    Parameters
    ----------
    name
        ``gse1992`` (RFS, months), ``gse3143`` (OS, months), ``gse4335`` (OS, months)
        or ``nki70`` (MFS, years).
    harmonise
        Map the (2007-era) gene symbols to current HGNC symbols (``TMEM49`` ->
        ``VMP1``), with the report in ``cohort.gene_report``.

    Examples
    --------
    >>> cohort = load_example("gse1992")
    >>> cohort.n_samples, cohort.endpoint().name, int(cohort.survival()[1].sum())
    (124, 'rfs', 35)
    >>> cohort.clinical["er"].value_counts().to_dict()
    {'positive': 72, 'negative': 50}
    """
    key = name.lower()
    if key not in EXAMPLES:
        raise OptionError("unknown bundled cohort", expected=" | ".join(EXAMPLES), found=name)
    info = EXAMPLES[key]
    table = _read_survset(key)
    expression = _expression(key, table)
    clinical = _clinical(key, table)
    if expression.columns.has_duplicates or np.any(pd.isna(expression.columns)):
        raise SigsurvInputError(f"bundled cohort {key}: sample identifiers are not unique")
    endpoint = Endpoint(
        name=info.endpoint,
        time=f"{info.endpoint}_time",
        event=f"{info.endpoint}_event",
        unit=info.unit,  # type: ignore[arg-type]
        label=info.endpoint_label,
        source_columns=("time", "event"),
    )
    provenance = Provenance(
        source=f"{info.title}; {info.reference}",
        platform=info.platform,
        scale=info.scale,
        identifier_type="symbol",
        files=(f"SurvSet/resources/pickles/{key}.pickle",),
    )
    return assemble_cohort(
        key,
        expression,
        clinical,
        endpoints=[endpoint],
        provenance=provenance,
        harmonise=harmonise,
        id_type="symbol",
    )
