"""A scikit-learn transformer that scores signatures without leaking test samples.

:func:`sigsurv.scoring.score` standardises each gene across the samples it is given,
so scoring a whole cohort before cross-validation lets the test folds shape the
training features. :class:`SignatureScorer` learns what a method needs from the rows
passed to :meth:`~SignatureScorer.fit` only, and :meth:`~SignatureScorer.transform`
scores any new samples with those learned parameters:

* ``mean_z``, ``weighted``, ``zscore`` (and ``single_gene`` with
  ``standardise=True``): the per-gene mean and standard deviation (denominator
  n - 1, as :func:`~sigsurv.scoring.linear.standardise_rows`) of the training rows;
* ``plage``: the training rows' first left singular vector (the genes' loadings,
  oriented as :func:`~sigsurv.scoring.linear.plage_scores` orients the scores) and
  singular value; new samples are projected on it, ``v = z' u / s``, which gives the
  training rows exactly their PLAGE scores;
* ``ssgsea`` (without ``normalise``), ``singscore`` and raw ``single_gene``: nothing,
  each sample is scored from its own ranks or values;
* ``gsva`` is refused: its per-gene kernel CDF is estimated from the samples being
  scored, and an out-of-sample GSVA (kernel reference learned on training rows) is
  not implemented. ``ssgsea`` with ``normalise=True`` is refused too (its range is
  taken over all samples scored together).

The formulas are those of :mod:`sigsurv.scoring.linear`, :mod:`~sigsurv.scoring.ssgsea`
and :mod:`~sigsurv.scoring.singscore`; fitted on all samples, ``transform`` equals
:func:`~sigsurv.scoring.score`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sigsurv.errors import CohortValidationError, OptionError
from sigsurv.scoring._input import (
    check_coverage,
    coverage_table,
    expression_matrix,
    map_signatures,
    resolve_signatures,
)
from sigsurv.scoring.linear import (
    gene_reference,
    plage_scores,
    standardise_rows,
    warn_ignored_weights,
)
from sigsurv.scoring.registry import get_method

__all__ = ["SignatureScorer"]

#: Methods standardising genes with a per-gene mean and sd learned at fit time.
_STANDARDISING = ("mean_z", "weighted", "zscore", "single_gene")


class SignatureScorer(TransformerMixin, BaseEstimator):
    """Score gene signatures inside scikit-learn pipelines (samples x genes in).

    Parameters
    ----------
    signatures
        Anything :func:`~sigsurv.scoring.score` accepts: a built-in id, a
        :class:`~sigsurv.signatures.schema.Signature`, a list of those, or a dict
        ``name -> [genes]`` / ``name -> {gene: signed weight}``.
    method
        ``mean_z`` (default), ``weighted``, ``zscore``, ``plage``, ``ssgsea``,
        ``singscore`` or ``single_gene`` (``gsva`` is refused, see the module notes).
    min_coverage
        As in :func:`~sigsurv.scoring.score`, checked at fit time.
    options
        Method options (e.g. ``{"alpha": 0.25}`` for ssgsea), as
        :func:`~sigsurv.scoring.score`'s keyword options.

    Attributes
    ----------
    feature_names_in_
        Gene labels seen in ``fit`` (the columns of X).
    n_features_in_
        Number of genes seen in ``fit``.
    signature_ids_
        Output column names, one per signature.
    coverage_
        Coverage report of the training matrix (as
        :func:`~sigsurv.scoring.signature_coverage`).
    mean_, scale_
        Per-gene training mean and sd (standardising methods; ``None`` otherwise).
    loadings_, singular_values_
        ``plage`` only: per signature, the oriented left singular vector over its
        found genes and the singular value of the training rows.

    Examples
    --------
    >>> X = pd.DataFrame({"A": [1.0, 2.0, 3.0, 4.0], "B": [2.0, 1.0, 4.0, 3.0]},
    ...                  index=["s1", "s2", "s3", "s4"])
    >>> scorer = SignatureScorer({"ab": ["A", "B"]}).fit(X.iloc[:2])  # mean 1.5, sd 0.71
    >>> scorer.transform(X.iloc[2:]).round(4).tolist()
    [[2.8284], [2.8284]]
    >>> scorer.get_feature_names_out().tolist()
    ['ab']
    >>> scorer.set_output(transform="pandas").transform(X.iloc[2:]).columns.tolist()
    ['ab']
    """

    def __init__(
        self,
        signatures: Any,
        method: str = "mean_z",
        *,
        min_coverage: float = 0.5,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.signatures = signatures
        self.method = method
        self.min_coverage = min_coverage
        self.options = options

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any = None) -> SignatureScorer:
        """Learn, on these rows only, what the method needs to score new samples.

        Parameters
        ----------
        X
            Samples x genes DataFrame (column labels = gene symbols, unique, finite
            numbers).
        y
            Ignored (present for pipeline compatibility).

        Returns
        -------
        SignatureScorer
            ``self``, fitted.
        """
        if not isinstance(X, pd.DataFrame):
            raise CohortValidationError(
                "SignatureScorer.fit needs a samples x genes DataFrame",
                expected="pandas DataFrame whose columns are gene symbols",
                found=type(X).__name__,
                hint="wrap the array: pd.DataFrame(X, columns=genes)",
            )
        scoring_method = get_method(self.method)
        resolved = scoring_method.resolve_options(dict(self.options or {}))
        _refuse_sample_dependent(scoring_method.name, resolved)
        values, genes, samples = expression_matrix(X, orientation="samples_x_genes")
        specs = resolve_signatures(self.signatures)
        sets = map_signatures(specs, genes)
        check_coverage(sets, specs, self.min_coverage, genes, other_axis=samples)
        if not scoring_method.supports_weights:
            warn_ignored_weights(scoring_method.name, sets)
        self.feature_names_in_ = np.asarray(genes, dtype=object)
        self.n_features_in_ = len(genes)
        self.signature_ids_ = [spec.id for spec in specs]
        self.coverage_ = coverage_table(specs, sets)
        self._sets = sets
        self._options = resolved
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.loadings_: dict[str, np.ndarray] | None = None
        self.singular_values_: dict[str, float] | None = None
        name = scoring_method.name
        if name in _STANDARDISING or name == "plage":
            self.mean_, self.scale_ = gene_reference(values)
        if name == "plage":
            self.loadings_, self.singular_values_ = {}, {}
            for gs in sets:
                v = plage_scores(values, [gs])[:, 0]
                u = self._signed_z(values, gs) @ v  # z v = s u
                s = float(np.linalg.norm(u))
                self.loadings_[gs.id] = u / s
                self.singular_values_[gs.id] = s
        return self

    # ------------------------------------------------------------------ transform
    def transform(self, X: Any) -> np.ndarray:
        """Score the samples of X with the parameters learned in :meth:`fit`.

        Parameters
        ----------
        X
            Samples x genes DataFrame with the genes seen in ``fit`` (same order),
            or an array with those columns.

        Returns
        -------
        numpy.ndarray
            Samples x signatures (a DataFrame after ``set_output(transform="pandas")``).
        """
        check_is_fitted(self, "signature_ids_")
        values = self._values(X)
        name = get_method(self.method).name
        func = get_method(name).func
        if name == "plage":
            assert self.loadings_ is not None and self.singular_values_ is not None
            out = np.empty((values.shape[1], len(self._sets)))
            for j, gs in enumerate(self._sets):
                z = self._signed_z(values, gs)
                out[:, j] = z.T @ self.loadings_[gs.id] / self.singular_values_[gs.id]
            return out
        if name in _STANDARDISING:
            assert self.mean_ is not None and self.scale_ is not None
            reference = (self.mean_, self.scale_)
            return np.asarray(func(values, self._sets, reference=reference, **self._options))
        return np.asarray(func(values, self._sets, **self._options))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output feature names: the signature ids.

        Parameters
        ----------
        input_features
            Ignored (the outputs do not depend on input names).

        Returns
        -------
        numpy.ndarray
            Object array of signature ids.
        """
        check_is_fitted(self, "signature_ids_")
        return np.asarray(self.signature_ids_, dtype=object)

    # ------------------------------------------------------------------ helpers
    def _signed_z(self, values: np.ndarray, gs: Any) -> np.ndarray:
        assert self.mean_ is not None and self.scale_ is not None
        reference = (self.mean_[gs.index], self.scale_[gs.index])
        z = standardise_rows(values[gs.index], gs, reference=reference)
        return z * gs.direction[:, None]

    def _values(self, X: Any) -> np.ndarray:
        """Genes x samples float64 values of X, checked against the fitted genes."""
        genes = pd.Index(self.feature_names_in_)
        if isinstance(X, pd.DataFrame):
            if not X.columns.equals(genes):
                extra = X.columns.difference(genes)[:5].tolist()
                missing = genes.difference(X.columns)[:5].tolist()
                raise CohortValidationError(
                    "X does not have the genes SignatureScorer was fitted on (same order)",
                    expected=f"{len(genes)} columns as in fit",
                    found=f"{X.shape[1]} columns; new: {extra}; missing: {missing}",
                    hint="select X[scorer.feature_names_in_]",
                )
            frame = X
        else:
            array = np.asarray(X)
            if array.ndim != 2 or array.shape[1] != len(genes):
                raise CohortValidationError(
                    "X has the wrong shape",
                    expected=f"(n_samples, {len(genes)})",
                    found=str(array.shape),
                )
            frame = pd.DataFrame(array, columns=genes)
        values, _, _ = expression_matrix(frame, orientation="samples_x_genes")
        return values


def _refuse_sample_dependent(method: str, options: dict[str, Any]) -> None:
    """Refuse methods whose score of a sample depends on the other samples scored."""
    if method == "gsva":
        raise OptionError(
            "SignatureScorer does not support gsva: GSVA estimates each gene's kernel CDF "
            "from the samples being scored, so test samples would shape their own scores",
            expected="mean_z | weighted | zscore | plage | ssgsea | singscore | single_gene",
            found=method,
            hint="use ssgsea or singscore for a rank-based score, or zscore / plage",
        )
    if method == "ssgsea" and options.get("normalise"):
        raise OptionError(
            "SignatureScorer does not support ssgsea with normalise=True: the range is "
            "taken over all samples scored together",
            found="normalise=True",
            hint="use normalise=False (the default)",
        )
