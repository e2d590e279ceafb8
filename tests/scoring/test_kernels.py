"""GSVA's kernels (Gaussian, Poisson, none) against GSVA 1.46 and across engines.

Goldens: ``tests/data/scoring/gsva_kcdf/*.tsv``, made by ``make.R`` next to
them (GSVA 1.46.0, Debian r-bioc-gsva).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures import SSGSEA_TIES_WARNING, assert_within_ulp, warns_if
from golden import assert_matches_r

from sigsurv.errors import SigsurvInputError, SigsurvWarning
from sigsurv.scoring import score
from sigsurv.scoring._engine import compiled_kernels
from sigsurv.scoring.gsva import kernel_cdf_statistic

DATA = Path(__file__).resolve().parents[1] / "data" / "scoring" / "gsva_kcdf"
needs_numba = pytest.mark.skipif(compiled_kernels("auto") is None, reason="numba not installed")


@pytest.fixture()
def expression() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    return pd.DataFrame(
        rng.normal(size=(30, 12)),
        index=[f"G{i}" for i in range(30)],
        columns=[f"S{j}" for j in range(12)],
    )


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, sep="\t", index_col=0)


@pytest.fixture(scope="module")
def golden() -> dict:
    sets_table = pd.read_csv(DATA / "sets.tsv", sep="\t")
    sets: dict[str, list[str]] = {}
    for name, gene in zip(sets_table["set"], sets_table["gene"], strict=True):
        sets.setdefault(name, []).append(gene)
    return {
        "counts": _read("counts.tsv"),
        "tied": _read("tied.tsv"),
        "sets": sets,
        "scores": _read("goldens.tsv"),
    }


def _score_quietly(frame: pd.DataFrame, sets: dict, **options) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)  # constant genes are dropped
        return score(frame, sets, "gsva", **options)


@pytest.mark.parametrize("engine", ["numpy", pytest.param("numba", marks=needs_numba)])
@pytest.mark.parametrize(
    ("variant", "matrix", "options"),
    [
        ("poisson", "counts", {"kcdf": "Poisson"}),
        ("poisson_nomaxdiff", "counts", {"kcdf": "Poisson", "max_diff": False}),
        ("none", "tied", {"kcdf": "none"}),
        ("gaussian_tied", "tied", {"kcdf": "Gaussian"}),
    ],
)
def test_gsva_kernels_match_gsva_146(golden, engine, variant, matrix, options):
    sets = golden["sets"]
    ours = _score_quietly(golden[matrix], sets, engine=engine, threads=2, **options)
    reference = golden["scores"][[f"{variant}__{name}" for name in sets]]
    assert list(ours.index) == list(reference.index)
    assert_matches_r(ours, reference, what=f"GSVA {variant}")


@needs_numba
@pytest.mark.parametrize("kcdf", ["Gaussian", "Poisson", "none"])
def test_compiled_and_numpy_kernels_agree_within_ulp(kcdf):
    rng = np.random.default_rng(7)
    if kcdf == "Poisson":
        values = rng.poisson(rng.gamma(1.0, 20.0, size=(60, 1)), size=(60, 45)).astype(float)
    else:
        values = rng.normal(size=(60, 45)) * rng.uniform(0.1, 3.0, size=(60, 1))
        values[:10] = np.round(values[:10], 1)  # tied values
        values[10] = 3.0 * values[11] - 2.0  # statistics tied across genes
    values = values[values.max(axis=1) > values.min(axis=1)]
    compiled = kernel_cdf_statistic(values, kcdf=kcdf, engine="numba", threads=2)
    plain = kernel_cdf_statistic(values, kcdf=kcdf, engine="numpy", threads=1)
    assert_within_ulp(compiled, plain)


@needs_numba
@pytest.mark.parametrize("n_samples", [2, 3, 4, 5, 7, 8, 13, 64])
def test_compiled_gaussian_kernel_on_whole_table_steps(n_samples):
    # Pair differences of whole table steps put every index on an integer, where GSVA's
    # own operation sequence decides; every sample count modulo the compiled kernel's
    # tiles of four samples (pairs indexed once for both samples, sums in order).
    from sigsurv.scoring._kcdf import CDF_TABLE_SYMMETRIC, gaussian_rows

    kernels = compiled_kernels("numba")
    rng = np.random.default_rng(n_samples)
    for h in (1.0, 0.3, 0.0123):
        x = rng.integers(-30000, 30000, size=(12, n_samples)) * (h / 1000.0)
        bw = np.full(12, h)
        compiled, plain = np.empty_like(x), np.empty_like(x)
        kernels.gaussian_rows(x, bw, CDF_TABLE_SYMMETRIC, compiled)
        gaussian_rows(x, bw, plain)
        assert_within_ulp(compiled, plain)


@needs_numba
@pytest.mark.parametrize("case", ["continuous", "tied", "infinite", "one_value"])
def test_compiled_and_numpy_walk_positions_are_identical(case):
    # GSVA's walk positions (decreasing statistic, ties in row order): the compiled
    # bucket count against numpy's stable argsort, with ties (also 0.0 against -0.0)
    # and infinite statistics (kcdf="none" with NA cells).
    from sigsurv.scoring.gsva import _walk_positions

    rng = np.random.default_rng(4)
    block = rng.normal(size=(7, 500))
    if case == "tied":
        block[:5] = np.round(block[:5], 1)
        block[5] = 0.0
        block[6, ::2] = -0.0
    elif case == "infinite":
        block[:, ::50] = np.inf
        block[3, 7] = -np.inf
        block[4, 1::50] = -np.inf
    elif case == "one_value":
        block[:] = 2.5
    for size in (1, 3, 60, 499):
        union = np.unique(rng.choice(500, size=size, replace=False))
        compiled = _walk_positions(block.copy(), union, "numba", None)
        plain = _walk_positions(block.copy(), union, "numpy", None)
        assert np.array_equal(compiled, plain)


def test_numpy_gaussian_kernel_is_sliced_for_many_samples(monkeypatch):
    # More samples than one pair chunk holds: the numpy engine slices samples; the
    # statistic must not change (checked against unsliced evaluation).
    from sigsurv.scoring import _kcdf

    rng = np.random.default_rng(3)
    values = rng.normal(size=(3, 70))
    whole = kernel_cdf_statistic(values, engine="numpy", threads=1)
    monkeypatch.setattr(_kcdf, "_PAIR_CHUNK", 200)  # 2 samples (x 70) per slice
    sliced = kernel_cdf_statistic(values, engine="numpy", threads=1)
    assert np.array_equal(whole, sliced)


def test_gsva_engines_and_threads_agree_within_ulp(expression):
    sets = {"a": ["G1", "G2", "G3"], "b": {"G4": 1.0, "G5": -1.0}}
    reference = score(expression, sets, "gsva", engine="numpy", threads=1)
    for options in ({"engine": "auto"}, {"threads": 2}, {"threads": None, "block_size": 1}):
        assert_within_ulp(score(expression, sets, "gsva", **options), reference)


def test_poisson_kernel_refuses_negative_values(expression):
    with pytest.raises(SigsurvInputError, match="non-negative counts"):
        score(expression - 10.0, {"a": ["G1", "G2"]}, "gsva", kcdf="Poisson")


def test_poisson_kernel_warns_on_non_integer_values():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.uniform(0, 50, size=(20, 6)), index=[f"G{i}" for i in range(20)])
    with pytest.warns(SigsurvWarning, match="integer counts"):
        score(frame, {"a": ["G1", "G2"]}, "gsva", kcdf="Poisson")


def test_fast_kernel_is_gaussian_only(expression):
    with pytest.raises(SigsurvInputError, match="fast_kernel"):
        score(expression, {"a": ["G1", "G2"]}, "gsva", kcdf="none", fast_kernel=True)


def test_unknown_kcdf_and_engine_are_refused(expression):
    with pytest.raises(SigsurvInputError, match="kcdf"):
        score(expression, {"a": ["G1", "G2"]}, "gsva", kcdf="gaussian")
    with pytest.raises(SigsurvInputError, match="engine"):
        score(expression, {"a": ["G1", "G2"]}, "gsva", engine="cuda")


@needs_numba
@pytest.mark.parametrize("stable", [False, True])
def test_compiled_and_numpy_rank_counts_are_identical(stable):
    from sigsurv.scoring._ranks import block_ranks

    rng = np.random.default_rng(5)
    block = np.round(rng.normal(size=(9, 300)), 1)  # heavily tied
    block[0] = rng.normal(size=300)  # one tie-free sample
    union = np.unique(rng.choice(300, size=40, replace=False))
    compiled = block_ranks(block, union, stable=stable, engine="numba")
    plain = block_ranks(block, union, stable=stable, engine="numpy")
    for ours, theirs in zip(compiled, plain, strict=True):
        if theirs is None:
            assert ours is None
        else:
            assert np.array_equal(ours, theirs)


@needs_numba
@pytest.mark.parametrize(
    ("method", "options"),
    [("ssgsea", {}), ("ssgsea", {"ties": "gsva_1.46"}), ("singscore", {})],
)
def test_rank_methods_agree_across_engines_with_ties(method, options):
    rng = np.random.default_rng(9)
    frame = pd.DataFrame(
        np.round(rng.normal(size=(200, 15)), 1), index=[f"G{i}" for i in range(200)]
    )
    sets = {"a": [f"G{i}" for i in range(0, 40, 3)], "b": {"G50": 1.0, "G51": -1.0}}
    tied_average = method == "ssgsea" and not options  # 93% of set values tied
    with warns_if(tied_average, SSGSEA_TIES_WARNING):
        compiled = score(frame, sets, method, engine="numba", threads=2, **options)
    with warns_if(tied_average, SSGSEA_TIES_WARNING):
        plain = score(frame, sets, method, engine="numpy", threads=1, **options)
    assert_within_ulp(compiled, plain)


def test_average_ties_warn_on_heavily_tied_signature_genes():
    from sigsurv.scoring.ssgsea import TIED_SHARE_WARNING

    rng = np.random.default_rng(2)
    values = rng.normal(size=(100, 8))
    frame = pd.DataFrame(values, index=[f"G{i}" for i in range(100)])
    sets = {"a": [f"G{i}" for i in range(10)]}
    with warnings.catch_warnings():
        warnings.simplefilter("error", SigsurvWarning)
        score(frame, sets, "ssgsea")  # tie-free: no warning
    tied = frame.copy()
    tied.iloc[:2] = tied.iloc[50].to_numpy()  # 2 of 10 set genes tied in every sample
    assert 2 / 10 > TIED_SHARE_WARNING
    with pytest.warns(SigsurvWarning, match="ties='gsva_1.46'"):
        score(tied, sets, "ssgsea")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SigsurvWarning)
        score(tied, sets, "ssgsea", ties="gsva_1.46")  # the GSVA convention: no warning


@pytest.mark.parametrize("engine", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_gsva_kernel_memory_does_not_grow_with_samples_squared(engine):
    # 2 genes x 3,000 samples: the former exact kernel held one gene's 9e6 pairs at
    # once (~450 MB of temporaries); the compiled kernel needs O(samples) per gene, the
    # numpy one its pair chunk (2e6 pairs, ~50 bytes each over its temporaries).
    import tracemalloc

    values = np.random.default_rng(1).normal(size=(2, 3000))
    kernel_cdf_statistic(values[:, :10], engine=engine, threads=1)  # compile first
    tracemalloc.start()
    kernel_cdf_statistic(values, engine=engine, threads=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    limit = 1e6 if engine == "numba" else 120e6
    assert peak < limit


def _previous_exact_kernel(x: np.ndarray) -> np.ndarray:
    """The exact kernel of sigsurv before the compiled one (samples^2 temporaries)."""
    from sigsurv.scoring._kcdf import CDF_TABLE
    from sigsurv.scoring.gsva import _bandwidth

    bw = _bandwidth(x)
    v = x[:, :, None] - x[:, None, :]
    v /= bw[:, None, None]
    negative = v < 0
    np.abs(v, out=v)
    v /= 10.0
    v *= 10000.0
    np.minimum(v, 10000.0, out=v)
    cdf = CDF_TABLE[v.astype(np.intp)]
    np.subtract(1.0, cdf, out=cdf, where=negative)
    left = np.cumsum(cdf, axis=2)[:, :, -1]
    left /= x.shape[1]
    return -np.log((1.0 - left) / left)


@pytest.mark.parametrize("engine", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_kernels_equal_the_previous_exact_implementation(engine):
    rng = np.random.default_rng(12)
    values = rng.normal(size=(40, 57)) * rng.uniform(0.01, 5.0, size=(40, 1))
    values[:8] = np.round(values[:8], 1)  # ties within genes
    values[8] = 2.0 * values[9] + 1.0  # statistics tied across genes
    values[10, :5] += 100.0  # beyond |v| = 10
    previous = _previous_exact_kernel(values)
    ours = kernel_cdf_statistic(values, engine=engine, threads=2)
    np.testing.assert_allclose(ours, previous, rtol=1e-12, atol=0)
    assert_within_ulp(ours, previous)
