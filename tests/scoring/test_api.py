"""The scoring interface: inputs, coverage, registry, options, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import sigsurv.signatures
from sigsurv.cohorts.model import Cohort, Endpoint
from sigsurv.errors import (
    AnalysisError,
    CohortValidationError,
    CoverageError,
    SignatureError,
    SigsurvInputError,
    SigsurvWarning,
)
from sigsurv.scoring import (
    METHODS,
    get_method,
    list_methods,
    score,
    score_signatures,
    signature_coverage,
)
from sigsurv.signatures.schema import Signature, SignatureGene

EXPECTED_METHODS = {
    "mean_z",
    "weighted",
    "zscore",
    "plage",
    "ssgsea",
    "gsva",
    "singscore",
    "single_gene",
}


@pytest.fixture()
def expression() -> pd.DataFrame:
    rng = np.random.default_rng(42)
    genes = ["BCL2", "IGF1R", "PTEN", "RPS6KA5", "IRF7", "STAT1", "ESR1", "ERBB2"]
    genes += [f"X{i}" for i in range(12)]
    return pd.DataFrame(
        rng.normal(size=(len(genes), 6)), index=genes, columns=[f"p{j}" for j in range(6)]
    )


def test_registry_lists_every_method_with_metadata():
    table = list_methods()
    assert set(table.index) == EXPECTED_METHODS == set(METHODS)
    for column in (
        "description",
        "reference",
        "supports_signed",
        "supports_weights",
        "depends_on_samples",
        "depends_on_sets",
        "options",
    ):
        assert column in table.columns
    assert table.loc["ssgsea", "options"]["alpha"] == 0.25
    assert table.loc["ssgsea", "options"]["normalise"] is False
    assert table.loc["ssgsea", "depends_on_sets"] == "with normalise=True"
    assert bool(table.loc["weighted", "supports_weights"])
    assert not bool(table.loc["singscore", "depends_on_samples"])
    assert bool(table.loc["gsva", "depends_on_samples"])
    assert get_method("plage").name == "plage"
    with pytest.raises(SigsurvInputError, match="unknown scoring method"):
        get_method("nope")


def test_dataframe_is_scored_as_given(expression):
    before = expression.copy()
    shuffled = expression[["p3", "p0", "p5", "p1", "p4", "p2"]]
    result = score(shuffled, {"pair": ["BCL2", "IGF1R"]})
    assert list(result.index) == ["p3", "p0", "p5", "p1", "p4", "p2"]
    assert list(result.columns) == ["pair"]
    pd.testing.assert_frame_equal(expression, before)
    # no renaming: symbols are matched exactly (case-sensitive), with a hint
    lowered = expression.rename(index={"BCL2": "bcl2", "IGF1R": "igf1r"})
    with pytest.raises(CoverageError, match="ignoring case"):
        score(lowered, {"pair": ["BCL2", "IGF1R"]})


def test_cohort_and_dataframe_give_the_same_scores(expression):
    clinical = pd.DataFrame(
        {"os_time": np.arange(6.0) + 1, "os_event": [1, 0, 1, 0, 1, 0]}, index=expression.columns
    )
    cohort = Cohort("toy", expression, clinical, {"os": Endpoint("os", "os_time", "os_event")})
    sets = {"ifn": ["IRF7", "STAT1"], "pair": ["BCL2", "IGF1R"]}
    pd.testing.assert_frame_equal(score(cohort, sets, "ssgsea"), score(expression, sets, "ssgsea"))


def test_signature_objects_lists_and_ids(expression, monkeypatch):
    sig = Signature(
        id="msk1",
        name="MSK1",
        genes=(SignatureGene("RPS6KA5"), SignatureGene("PTEN", direction=-1, weight=2.0)),
    )
    other = Signature.from_genes("ifn", ["IRF7", "STAT1"])
    result = score(expression, [sig, other], "weighted")
    assert list(result.columns) == ["msk1", "ifn"]
    by_dict = score(expression, {"msk1": {"RPS6KA5": 1.0, "PTEN": -2.0}}, "weighted")
    np.testing.assert_allclose(result["msk1"], by_dict["msk1"])

    # a string id is resolved lazily through sigsurv.signatures.get_signature
    monkeypatch.setattr(
        sigsurv.signatures, "get_signature", lambda key: {"msk1": sig}[key], raising=False
    )
    np.testing.assert_allclose(score(expression, "msk1", "weighted")["msk1"], result["msk1"])
    mixed = score(expression, ["msk1", other], "weighted")
    assert list(mixed.columns) == ["msk1", "ifn"]


def test_coverage_report_and_minimum_coverage(expression):
    sets = {"half": ["BCL2", "IGF1R", "MIR21", "MIR503HG"], "full": ["IRF7", "STAT1"]}
    coverage = signature_coverage(expression, sets)
    assert coverage.loc["half", "n_genes"] == 4
    assert coverage.loc["half", "n_found"] == 2
    assert coverage.loc["half", "fraction"] == 0.5
    assert coverage.loc["half", "found"] == ["BCL2", "IGF1R"]
    assert coverage.loc["half", "missing"] == ["MIR21", "MIR503HG"]
    result = score_signatures(expression, sets)  # 50% found: accepted at the default 0.5
    assert result.coverage.loc["half", "missing"] == ("MIR21", "MIR503HG")
    assert result.coverage_record("half")["missing"] == ("MIR21", "MIR503HG")
    assert result.method == "mean_z"
    assert result.gene_counts["half"].tolist() == [2] * 6 and result.not_scored.empty
    # the scores table is plain: no attrs (pandas deep-copies them at every indexing)
    assert score(expression, sets).attrs == {}
    pd.testing.assert_frame_equal(score(expression, sets), result.scores)
    with pytest.raises(CoverageError) as info:
        score(expression, sets, min_coverage=0.75)
    message = str(info.value)
    assert "signature half: 2 of 4 genes found" in message
    assert "found: BCL2, IGF1R" in message and "missing: MIR21, MIR503HG" in message
    assert "\n" not in message
    with pytest.raises(CoverageError, match="0 of 1 genes"):
        score(expression, {"none": ["MIR21"]}, min_coverage=0.0)
    with pytest.raises(CoverageError, match="min_coverage must be a fraction"):
        score(expression, sets, min_coverage=1.5)


@pytest.mark.parametrize("method", sorted(EXPECTED_METHODS - {"single_gene"}))
def test_small_signatures_are_scored_never_dropped(expression, method):
    result = score(expression, {"bcl2_igf1r": ["BCL2", "IGF1R"], "ifn": ["IRF7", "STAT1"]}, method)
    assert result.shape == (6, 2)
    assert np.isfinite(result.to_numpy()).all()


def test_results_can_be_concatenated(expression):
    first = score(expression, {"a": ["BCL2", "IGF1R"]})
    second = score(expression, {"b": ["IRF7", "STAT1"]})
    assert pd.concat([first, second], axis=1).shape == (6, 2)
    assert pd.concat([first, first]).shape == (12, 1)


def test_progress_callback_reaches_its_total(expression):
    calls: list[tuple[int, int]] = []
    score(
        expression,
        {"a": ["BCL2", "IGF1R"]},
        "gsva",
        block_size=2,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls and calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_threads_and_blocks_do_not_change_scores(expression):
    sets = {"a": ["BCL2", "IGF1R", "PTEN"], "b": {"IRF7": 1.0, "ESR1": -1.0}}
    for method in ("ssgsea", "singscore", "gsva"):
        reference = score(expression, sets, method)
        blocked = score(expression, sets, method, block_size=1, threads=2)
        pd.testing.assert_frame_equal(reference, blocked)


def test_option_errors(expression):
    sets = {"a": ["BCL2", "IGF1R"]}
    with pytest.raises(SigsurvInputError, match="unknown option 'tau'"):
        score(expression, sets, "ssgsea", tau=1)
    with pytest.raises(SigsurvInputError, match="invalid option ties"):
        score(expression, sets, "ssgsea", ties="first")
    with pytest.raises(SigsurvInputError, match="alpha"):
        score(expression, sets, "ssgsea", alpha=-1)
    with pytest.raises(SigsurvInputError, match="threads"):
        score(expression, sets, "ssgsea", threads=0)
    with pytest.raises(SigsurvInputError, match="standardise"):
        score(expression, sets, "mean_z", standardise="yes")


def test_bad_inputs_raise_clear_errors(expression):
    sets = {"a": ["BCL2", "IGF1R"]}
    # NA cells are scored (see test_missing.py); infinite values are refused
    with_inf = expression.copy()
    with_inf.loc["PTEN", "p2"] = np.inf
    with pytest.raises(CohortValidationError, match="1 infinite expression values"):
        score(with_inf, sets)
    duplicated = pd.concat([expression, expression.iloc[[0]]])
    with pytest.raises(CohortValidationError, match="duplicated gene"):
        score(duplicated, sets)
    text = expression.astype(object)
    text.loc["BCL2", "p1"] = "high"
    with pytest.raises(CohortValidationError, match="numeric"):
        score(text, sets)
    with pytest.raises(CohortValidationError, match="cannot score"):
        score(expression.to_numpy(), sets)
    with pytest.raises(SignatureError, match="duplicate gene"):
        score(expression, {"a": ["BCL2", "BCL2"]})
    with pytest.raises(SignatureError, match="empty"):
        score(expression, {"a": []})
    with pytest.raises(SignatureError, match="single_gene scores one gene"):
        score(expression, sets, "single_gene")


def test_weights_ignored_by_unweighted_methods_are_reported(expression):
    weighted = {"w": {"BCL2": 2.0, "IGF1R": 1.0}}
    with pytest.warns(SigsurvWarning, match="zscore ignores gene weights"):
        score(expression, weighted, "zscore")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score(expression, weighted, "weighted")


def test_constant_genes(expression):
    constant = expression.copy()
    constant.loc["PTEN"] = 1.0
    with pytest.raises(AnalysisError, match="PTEN has constant expression"):
        score(constant, {"a": ["BCL2", "PTEN"]}, "mean_z")
    with pytest.warns(SigsurvWarning, match="constant expression"):
        gsva = score(constant, {"a": ["BCL2", "IGF1R", "PTEN"]}, "gsva")
    without = score(constant.drop(index="PTEN"), {"a": ["BCL2", "IGF1R"]}, "gsva")
    np.testing.assert_allclose(gsva["a"], without["a"], rtol=1e-12)
    # average-rank ssGSEA keeps constant genes: they are ordinary values in a sample
    assert np.isfinite(score(constant, {"a": ["BCL2", "PTEN"]}, "ssgsea")).all().all()


def test_undefined_scores_are_refused_not_returned_as_nan():
    expression = pd.DataFrame(
        [[0, 0, 0], [0, 0, 0.01], [0, 0, 0], [0, 0, -0.01]],
        index=["G0", "G1", "G2", "G3"],
        columns=["S0", "S1", "S2"],
        dtype=float,
    )
    with pytest.warns(SigsurvWarning), pytest.raises(AnalysisError, match="undefined scores"):
        score(expression, {"sig": {"G0": -1.0, "G1": 1.0}}, method="gsva")
