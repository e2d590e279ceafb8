"""How a cohort is read: one set of options every loader takes (:class:`LoadOptions`).

Every loader (:func:`~sigsurv.cohorts.load_cohort`, ``load_tables``, ``load_tcga``,
``load_cbioportal``, ``load_geo_series``, ``load_anndata``...) accepts
``options: LoadOptions | None``. Its keyword arguments of the same names still work:
a keyword that is given (not None) replaces that field of ``options``, and the result
is the one :class:`LoadOptions` the loader passes down, to the readers (the input
limit) and to :func:`~sigsurv.cohorts.build.assemble_cohort`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sigsurv.cohorts.readers import DEFAULT_MAX_FILE_BYTES
from sigsurv.errors import OptionError

__all__ = ["DEFAULT_MAX_FILE_BYTES", "LoadOptions", "load_options"]


@dataclass(frozen=True)
class LoadOptions:
    """How to read a cohort: gene identifiers, missing values, sample kinds, input size.

    Attributes
    ----------
    harmonise
        Map gene identifiers to current HGNC symbols
        (:func:`sigsurv.cohorts.genes.harmonise_expression`).
    id_type
        Identifier type of the expression rows: ``auto`` (detected), ``symbol``,
        ``entrez``, ``ensembl``...
    collapse
        Rule for several rows of one gene: ``max_mean`` (highest mean), ``max_var``,
        ``mean``.
    na_policy
        Missing expression values: ``sample`` (a sample with too many is dropped, as
        documented in :func:`~sigsurv.cohorts.build.assemble_cohort`).
    non_tumour
        ``exclude`` leaves normal tissue and cell lines out of scoring and analysis
        (reported); ``keep`` keeps them.
    transform
        ``auto`` (log2(x+1) for linear-scale values, reported), ``log2p1`` or ``none``;
        None is the loader's own default (``auto`` for downloaded formats, ``none`` for
        a plain expression table).
    standardise
        Clinical value standardisation (``{column: {value: standard}}``), as a recipe's
        ``standardise`` block.
    event_codes
        Explicit event codes of a declared endpoint (``{"yes": 1, "no": 0}``).
    max_file_bytes
        Largest input read, in bytes of text once decompressed (a workbook's unpacked
        size, an archive member's size, a declared matrix size); default 512 MiB.

    Examples
    --------
    >>> options = LoadOptions(collapse="mean", max_file_bytes=16 * 1024**2)
    >>> options.collapse, options.max_file_bytes // 1024**2, options.harmonise
    ('mean', 16, True)
    >>> LoadOptions(max_file_bytes=0)
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: max_file_bytes must be a whole number >= 1; found 0
    """

    harmonise: bool = True
    id_type: str = "auto"
    collapse: str = "max_mean"
    na_policy: str = "sample"
    non_tumour: str = "exclude"
    transform: str | None = None
    standardise: Mapping[str, Mapping[str, object]] | None = None
    event_codes: Mapping[str, int] | None = None
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES

    def __post_init__(self) -> None:
        limit = self.max_file_bytes
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise OptionError("max_file_bytes must be a whole number >= 1", found=limit)

    def replace(self, **changes: Any) -> LoadOptions:
        """These options with the given fields changed; a value of None leaves the field.

        Examples
        --------
        >>> LoadOptions().replace(collapse="mean", harmonise=None).collapse
        'mean'
        """
        given = {name: value for name, value in changes.items() if value is not None}
        unknown = sorted(set(given) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise TypeError(f"LoadOptions has no field {unknown[0]!r}")
        return dataclasses.replace(self, **given) if given else self

    def transform_or(self, default: str) -> str:
        """The transform to apply: the one set here, else the loader's ``default``.

        Examples
        --------
        >>> LoadOptions().transform_or("auto"), LoadOptions(transform="none").transform_or("auto")
        ('auto', 'none')
        """
        return default if self.transform is None else self.transform


def load_options(options: LoadOptions | None = None, **keywords: Any) -> LoadOptions:
    """The one :class:`LoadOptions` a loader uses: ``options`` (or the defaults) with the
    keyword arguments that were given (not None) replacing their fields.

    Examples
    --------
    >>> load_options(LoadOptions(collapse="mean"), collapse=None, harmonise=False)
    LoadOptions(harmonise=False, id_type='auto', collapse='mean', na_policy='sample', \
non_tumour='exclude', transform=None, standardise=None, event_codes=None, \
max_file_bytes=536870912)
    """
    if options is not None and not isinstance(options, LoadOptions):
        raise OptionError("options must be a LoadOptions", found=type(options).__name__)
    return (options or LoadOptions()).replace(**keywords)
