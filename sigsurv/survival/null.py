"""Random-signature null: does a signature beat random gene sets of the same size?

In breast cancer most random gene sets are prognostic (Venet et al., PLoS Comput
Biol 2011), because proliferation touches much of the transcriptome. The null
draws ``n_random`` gene sets of the signature's size (same numbers of up and down
genes) from the cohort's non-constant genes with a seeded generator, scores them with the same
method, fits the same univariate Cox model (:func:`~sigsurv.survival.cox_scan.cox_scan`)
and reports where the signature's Wald z falls among them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sigsurv.errors import AnalysisError
from sigsurv.signatures.schema import Signature
from sigsurv.survival.cox_scan import cox_scan

__all__ = ["RandomSignatureNull", "random_signature_null"]


@dataclass(frozen=True)
class RandomSignatureNull:
    """Position of a signature's Cox z among random signatures of equal size.

    Attributes
    ----------
    observed_z
        Wald z of the signature's score (univariate Cox, Efron).
    percentile_abs
        Percentage of random signatures with a smaller ``|z|`` (strength of association).
    p_empirical
        ``(1 + #{|z_random| >= |z_observed|}) / (1 + n_random)``.
    random_z
        The random signatures' z (non-converged fits excluded, counted in ``n_failed``).
    """

    signature_id: str
    size: int
    method: str
    n_random: int
    seed: int
    observed_z: float
    percentile_abs: float
    p_empirical: float
    random_z: np.ndarray
    n_failed: int

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary (without the random z values)."""
        return {
            "signature_id": self.signature_id,
            "size": self.size,
            "method": self.method,
            "n_random": self.n_random,
            "seed": self.seed,
            "observed_z": self.observed_z,
            "percentile_abs": self.percentile_abs,
            "p_empirical": self.p_empirical,
            "random_abs_z_median": float(np.median(np.abs(self.random_z))),
            "n_failed": self.n_failed,
        }


def random_signature_null(
    expression: pd.DataFrame,
    time: np.ndarray,
    event: np.ndarray,
    signature: Signature,
    *,
    method: str = "mean_z",
    n_random: int = 1000,
    seed: int = 20240101,
) -> RandomSignatureNull:
    """Compare a signature's survival association with random gene sets of the same size.

    Parameters
    ----------
    expression
        Genes x samples, columns aligned with ``time`` and ``event``.
    signature
        The signature; only its genes present in ``expression`` count for the size.
    method
        Scoring method (the same for the signature and the random sets).
    n_random, seed
        Number of random signatures and the seed of their generator.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.signatures import get_signature
    >>> cohort = load_example("gse1992")
    >>> time, event = cohort.survival()
    >>> null = random_signature_null(cohort.expression, time, event,
    ...                              get_signature("irf7_bone_proxy"), n_random=50, seed=1)
    >>> 0 <= null.percentile_abs <= 100, null.n_random
    (True, 50)
    """
    from sigsurv.scoring import score

    # Constant genes have no z-score; they can be neither drawn nor scored.
    values = expression.to_numpy(dtype=float)
    expression = expression.loc[np.ptp(values, axis=1) > 0]
    present = [g for g in signature.genes if g.symbol in expression.index]
    if not present:
        raise AnalysisError(f"signature {signature.id}: no gene present for the null")
    n_up = sum(1 for g in present if g.direction == 1)
    n_down = len(present) - n_up
    genes = expression.index.to_numpy()
    if len(genes) < 2 * len(present):
        raise AnalysisError(
            "too few genes in the cohort for a random-signature null",
            found=len(genes),
            expected=f"at least {2 * len(present)}",
        )
    rng = np.random.default_rng(seed)
    sets: dict[str, dict[str, float]] = {}
    for index in range(n_random):
        chosen = rng.choice(len(genes), size=len(present), replace=False)
        members = {str(genes[i]): 1.0 for i in chosen[:n_up]}
        members.update({str(genes[i]): -1.0 for i in chosen[n_up : n_up + n_down]})
        sets[f"random_{index:05d}"] = members
    observed = {signature.id: {g.symbol: float(g.direction) * g.weight for g in present}}
    scores = score(expression, {**observed, **sets}, method=method, min_coverage=1.0)
    scan = cox_scan(scores.T, np.asarray(time, float), np.asarray(event, float))
    observed_z = float(scan.loc[signature.id, "z"])
    random_scan = scan.drop(index=signature.id)
    usable = random_scan["converged"].to_numpy(dtype=bool) & np.isfinite(random_scan["z"])
    random_z = random_scan.loc[usable, "z"].to_numpy(dtype=float)
    if random_z.size == 0:
        raise AnalysisError("no random signature could be fitted")
    below = float(np.mean(np.abs(random_z) < abs(observed_z)))
    at_least = int(np.sum(np.abs(random_z) >= abs(observed_z)))
    return RandomSignatureNull(
        signature_id=signature.id,
        size=len(present),
        method=method,
        n_random=n_random,
        seed=seed,
        observed_z=observed_z,
        percentile_abs=100.0 * below,
        p_empirical=(1 + at_least) / (1 + random_z.size),
        random_z=random_z,
        n_failed=int((~usable).sum()),
    )
