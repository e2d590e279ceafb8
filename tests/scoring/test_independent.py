"""Each method against a straightforward, independent re-implementation.

The references here follow the published R code line by line (loops, explicit walks,
scipy ranks) rather than the closed forms used by sigsurv.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from fixtures import SSGSEA_TIES_WARNING
from scipy.stats import norm, rankdata

from sigsurv.errors import SigsurvWarning
from sigsurv.scoring import score

RTOL = 1e-10


def _frame(values: np.ndarray) -> pd.DataFrame:
    genes = [f"G{i}" for i in range(values.shape[0])]
    samples = [f"S{j}" for j in range(values.shape[1])]
    return pd.DataFrame(values, index=genes, columns=samples)


@pytest.fixture(scope="module")
def random_frame() -> pd.DataFrame:
    return _frame(np.random.default_rng(7).normal(size=(60, 9)))


# ---------------------------------------------------------------- ssGSEA (R rndWalk)
def _walk_es(ranking_order, ranks_col, members, alpha):
    """GSVA 1.46 ``rndWalk``: sum of (in-set weighted ECDF - out-of-set ECDF)."""
    inside = np.isin(ranking_order, members).astype(float)
    weights = np.abs(ranks_col[ranking_order]) ** alpha * inside
    step_in = np.cumsum(weights) / weights.sum()
    step_out = np.cumsum(1 - inside) / (1 - inside).sum()
    return float(np.sum(step_in - step_out))


def _ssgsea_gsva146(values, members, alpha=0.25):
    out = []
    for j in range(values.shape[1]):
        ranks = np.trunc(rankdata(values[:, j], method="average"))  # mode(R) <- "integer"
        order = np.argsort(-ranks, kind="stable")  # order(decreasing=TRUE), stable
        out.append(_walk_es(order, ranks, members, alpha))
    return np.array(out)


def _ssgsea_average_by_enumeration(values, members, alpha=0.25):
    """Mean of the walk over every order of the tied genes (average-rank weights)."""
    out = []
    for j in range(values.shape[1]):
        col = values[:, j]
        ranks = rankdata(col, method="average")
        groups = [np.flatnonzero(col == v) for v in np.unique(col)[::-1]]  # high to low
        scores = []
        for perm in itertools.product(*(itertools.permutations(g) for g in groups)):
            order = np.concatenate([np.array(p, dtype=int) for p in perm])
            scores.append(_walk_es(order, ranks, members, alpha))
        out.append(np.mean(scores))
    return np.array(out)


def test_ssgsea_gsva146_matches_literal_walk_with_ties():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 6, size=(40, 5)).astype(float)  # many ties
    values[9] = 2.0  # a constant gene: GSVA keeps it for ssGSEA
    frame = _frame(values)
    members = np.array([1, 4, 9, 17, 30])
    ours = score(frame, {"s": [f"G{i}" for i in members]}, method="ssgsea", ties="gsva_1.46")["s"]
    expected = _ssgsea_gsva146(values, members)
    np.testing.assert_allclose(ours.to_numpy(), expected, rtol=RTOL)


def test_ssgsea_average_ties_is_the_mean_over_tie_orders():
    rng = np.random.default_rng(11)
    values = rng.integers(0, 5, size=(8, 4)).astype(float)
    frame = _frame(values)
    members = np.array([0, 3, 5])
    with pytest.warns(SigsurvWarning, match=SSGSEA_TIES_WARNING):
        ours = score(frame, {"s": [f"G{i}" for i in members]}, method="ssgsea", alpha=0.5)["s"]
    expected = _ssgsea_average_by_enumeration(values, members, alpha=0.5)
    np.testing.assert_allclose(ours.to_numpy(), expected, rtol=RTOL)


def test_ssgsea_signed_is_up_minus_down_and_normalisation_uses_every_part(random_frame):
    up, down = ["G1", "G2", "G3", "G4"], ["G10", "G11", "G12"]
    signed = score(
        random_frame, {"sig": {**dict.fromkeys(up, 1.0), **dict.fromkeys(down, -1.0)}}, "ssgsea"
    )["sig"]
    parts = score(random_frame, {"up": up, "down": down}, "ssgsea")
    np.testing.assert_allclose(signed, parts["up"] - parts["down"], rtol=RTOL)
    normed = score(
        random_frame,
        {"sig": {**dict.fromkeys(up, 1.0), **dict.fromkeys(down, -1.0)}},
        "ssgsea",
        normalise=True,
    )["sig"]
    spread = parts.to_numpy().max() - parts.to_numpy().min()
    np.testing.assert_allclose(normed, (parts["up"] - parts["down"]) / spread, rtol=RTOL)


# ---------------------------------------------------------------- GSVA (C code, literally)
def _gsva_literal(values, members, tau=1.0, max_diff=True):
    table = norm.cdf(10.0 * np.arange(10001) / 10000.0)
    n_genes, n_samples = values.shape
    stat = np.empty_like(values)
    for g in range(n_genes):
        x = values[g]
        bw = np.std(x, ddof=1) / 4.0
        for j in range(n_samples):
            left = 0.0
            for i in range(n_samples):
                v = (x[j] - x[i]) / bw
                if v < -10:
                    cdf = 0.0
                elif v > 10:
                    cdf = 1.0
                else:
                    c = table[int(abs(v) / 10.0 * 10000.0)]
                    cdf = 1.0 - c if v < 0 else c
                left += cdf
            left /= n_samples
            stat[g, j] = -math.log((1.0 - left) / left)
    out = []
    k = len(members)
    for j in range(n_samples):
        order = np.argsort(-stat[:, j], kind="stable")
        rank_score = np.empty(n_genes)
        rank_score[order] = np.abs(np.arange(n_genes, 0, -1) - n_genes / 2.0)
        in_set = np.zeros(n_genes, dtype=bool)
        in_set[members] = True
        total = np.sum(rank_score[members] ** tau)
        cum, peak, dip = 0.0, 0.0, 0.0
        for idx in order:  # the KS-like walk of ks_test.c
            cum += rank_score[idx] ** tau / total if in_set[idx] else -1.0 / (n_genes - k)
            peak, dip = max(peak, cum), min(dip, cum)
        out.append(peak + dip if max_diff else (peak if peak > abs(dip) else dip))
    return np.array(out)


@pytest.mark.parametrize("fast_kernel", [False, True])
@pytest.mark.parametrize(("tau", "max_diff"), [(1.0, True), (0.5, False)])
def test_gsva_matches_literal_c_translation(fast_kernel, tau, max_diff):
    values = np.random.default_rng(5).normal(size=(25, 7))
    frame = _frame(values)
    members = np.array([2, 5, 11, 19])
    ours = score(
        frame,
        {"s": [f"G{i}" for i in members]},
        "gsva",
        tau=tau,
        max_diff=max_diff,
        fast_kernel=fast_kernel,
    )["s"]
    expected = _gsva_literal(values, members, tau=tau, max_diff=max_diff)
    np.testing.assert_allclose(ours.to_numpy(), expected, rtol=1e-9)


# ---------------------------------------------------------------- singscore (R code)
def _singscore_r(values, up, down=None):
    ranks = np.column_stack([rankdata(values[:, j], method="min") for j in range(values.shape[1])])
    n = values.shape[0]

    def norm_score(members):
        k = len(members)
        low, high = (k + 1) / 2, (2 * n - k + 1) / 2
        return (ranks[members].mean(axis=0) - low) / (high - low)

    up_score = norm_score(up)
    if down is None:
        return up_score - 0.5
    return (up_score - 0.5) + ((1 - norm_score(down)) - 0.5)


def test_singscore_matches_r_definition_with_ties():
    values = np.random.default_rng(2).integers(0, 8, size=(50, 6)).astype(float)
    frame = _frame(values)
    up, down = [0, 3, 7, 9, 20], [1, 2, 30]
    ours = score(
        frame,
        {
            "up_only": [f"G{i}" for i in up],
            "signed": {**{f"G{i}": 1.0 for i in up}, **{f"G{i}": -1.0 for i in down}},
        },
        "singscore",
    )
    np.testing.assert_allclose(ours["up_only"], _singscore_r(values, up), rtol=RTOL)
    np.testing.assert_allclose(ours["signed"], _singscore_r(values, up, down), rtol=RTOL)


# ---------------------------------------------------------------- genefu sig.score, z-scores
def _genefu_sig_score(data: pd.DataFrame, coefficients: dict[str, float], signed: bool):
    """genefu::sig.score on a samples x genes matrix (no mapping, no NA)."""
    coef = pd.Series(coefficients)
    pos, neg = coef[coef >= 0].index, coef[coef < 0].index
    n = len(coef)
    result = pd.Series(0.0, index=data.index)
    if len(pos):
        w = np.ones(len(pos)) if signed else np.abs(coef[pos].to_numpy())
        result = (len(pos) / n) * (data[pos] * w).sum(axis=1) / w.sum()
    if len(neg):
        w = np.ones(len(neg)) if signed else np.abs(coef[neg].to_numpy())
        result = result - (len(neg) / n) * (data[neg] * w).sum(axis=1) / w.sum()
    return result


def test_weighted_and_mean_z_match_genefu_on_z_scores(random_frame):
    coefficients = {"G0": 2.0, "G5": -0.5, "G8": 1.5, "G13": -3.0, "G21": 1.0}
    z = random_frame.sub(random_frame.mean(axis=1), axis=0).div(random_frame.std(axis=1), axis=0)
    samples_by_genes = z.T
    ours = score(random_frame, {"sig": coefficients}, "weighted")["sig"]
    expected = _genefu_sig_score(samples_by_genes, coefficients, signed=False)
    np.testing.assert_allclose(ours, expected, rtol=RTOL)
    ours_mean = score(random_frame, {"sig": dict.fromkeys(coefficients, 1.0)}, "mean_z")["sig"]
    signs = {g: math.copysign(1.0, c) for g, c in coefficients.items()}
    signed_mean = score(random_frame, {"sig": signs}, "mean_z")["sig"]
    np.testing.assert_allclose(
        signed_mean, _genefu_sig_score(samples_by_genes, coefficients, signed=True), rtol=RTOL
    )
    np.testing.assert_allclose(ours_mean, z.loc[list(coefficients)].mean(axis=0), rtol=RTOL)
    raw = score(random_frame, {"sig": coefficients}, "weighted", standardise=False)["sig"]
    np.testing.assert_allclose(
        raw, _genefu_sig_score(random_frame.T, coefficients, signed=False), rtol=RTOL
    )


def test_zscore_plage_and_single_gene_match_direct_formulas(random_frame):
    genes = ["G2", "G4", "G6", "G40"]
    z = random_frame.loc[genes].sub(random_frame.loc[genes].mean(axis=1), axis=0)
    z = z.div(random_frame.loc[genes].std(axis=1), axis=0)
    combined = score(random_frame, {"s": genes}, "zscore")["s"]
    np.testing.assert_allclose(combined, z.sum(axis=0) / 2.0, rtol=RTOL)
    plage = score(random_frame, {"s": genes}, "plage")["s"].to_numpy()
    v = np.linalg.svd(z.to_numpy())[2][0]
    assert np.isclose(abs(np.dot(plage, v)), 1.0, rtol=1e-12)
    assert np.dot(plage, z.mean(axis=0)) > 0
    one = score(random_frame, {"RPS6KA5": {"G3": -1.0}}, "single_gene")["RPS6KA5"]
    np.testing.assert_array_equal(one, -random_frame.loc["G3"])
    standardized = score(random_frame, {"g": ["G3"]}, "single_gene", standardise=True)["g"]
    x = random_frame.loc["G3"]
    np.testing.assert_allclose(standardized, (x - x.mean()) / x.std(), rtol=RTOL)
