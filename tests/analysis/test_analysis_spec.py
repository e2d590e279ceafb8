"""AnalysisSpec: one object describes an analysis; results carry it and their Signature."""

from __future__ import annotations

import dataclasses

import pytest

from sigsurv import load_example
from sigsurv.analysis.signature import AnalysisSpec, analyse_scores, analyse_signature
from sigsurv.errors import OptionError, SigsurvWarning


@pytest.fixture(scope="module")
def gse1992():
    return load_example("gse1992")


def test_spec_and_deprecated_keywords_give_the_same_analysis(gse1992):
    with pytest.warns(DeprecationWarning, match=r"spec=AnalysisSpec\(\.\.\.\)"):
        by_keywords = analyse_signature(
            gse1992, "msk1_rps6ka5", cut="tertile", horizon=60, covariates=["age"], seed=7
        )
    spec = AnalysisSpec(cut="tertile", horizon=60, covariates=("age",), seed=7)
    by_spec = analyse_signature(gse1992, "msk1_rps6ka5", spec)
    assert by_keywords.spec == by_spec.spec == spec
    assert by_keywords.to_dict() == by_spec.to_dict()
    assert by_spec.signature is not None and by_spec.signature.id == "msk1_rps6ka5"
    assert by_spec.signature.definition_sha256


def test_keyword_subgroup_conventions_are_kept(gse1992):
    default = analyse_signature(gse1992, "msk1_rps6ka5")
    with pytest.warns(DeprecationWarning, match=r"analyse_signature\(subgroup=\.\.\.\)"):
        everybody = analyse_signature(gse1992, "msk1_rps6ka5", subgroup=None)
    with pytest.warns(DeprecationWarning):
        given = analyse_signature(gse1992, "msk1_rps6ka5", subgroup="node == 'positive'")
    assert default.survival.subgroup == "er == 'positive'"
    assert everybody.survival.subgroup is None and everybody.survival.n == 124
    assert given.survival.subgroup == "node == 'positive'"
    assert (default.spec.population, everybody.spec.population) == (True, False)


def test_subgroup_and_population_combine(gse1992):
    spec = AnalysisSpec(subgroup="node == 'positive'")
    result = analyse_signature(gse1992, "msk1_rps6ka5", spec)
    expected = gse1992.subset("node == 'positive'").subset("er == 'positive'").n_samples
    assert result.survival.n == expected
    payload = result.to_dict()
    assert payload["endpoint"]["subgroup"] == "(node == 'positive') and (er == 'positive')"
    assert payload["analysis"]["subgroup"] == "node == 'positive'"


def test_spec_and_keywords_together_are_refused(gse1992):
    with pytest.warns(DeprecationWarning), pytest.raises(OptionError, match="not both"):
        analyse_signature(gse1992, "msk1_rps6ka5", AnalysisSpec(), cut="tertile")


def test_every_mirror_keyword_warns_and_a_spec_alone_does_not(gse1992):
    import inspect
    import warnings

    keywords = [
        name
        for name, parameter in inspect.signature(analyse_signature).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    assert len(keywords) == 13  # scoring (2), the spec's fields (11); **score_options too
    with pytest.warns(DeprecationWarning, match=r"\(standardise=\.\.\.\)"):
        analyse_signature(gse1992, "msk1_rps6ka5", standardise=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        analyse_signature(gse1992, "msk1_rps6ka5", spec=AnalysisSpec(horizon=60))


def test_a_spec_with_a_cause_is_the_competing_analysis(gse1992):
    with pytest.raises(OptionError, match="analyse_signature_competing"):
        analyse_signature(gse1992, "msk1_rps6ka5", AnalysisSpec(cause=1))


def test_spec_is_validated_and_normalised():
    assert AnalysisSpec(cut="Quartiles").cut == "quartile"
    assert AnalysisSpec(covariates=["age", "node"]).covariates == ("age", "node")
    with pytest.raises(OptionError):
        AnalysisSpec(cut="thirds")
    with pytest.raises(OptionError):
        AnalysisSpec(ties="exact")
    with pytest.raises(OptionError):
        AnalysisSpec(covariates="age")
    with pytest.raises(dataclasses.FrozenInstanceError):
        AnalysisSpec().cut = "median"  # type: ignore[misc]
    assert AnalysisSpec(cause=" bone relapse ").cause == "bone relapse"
    assert AnalysisSpec(cause=2).to_dict()["cause"] == 2 and not AnalysisSpec().competing
    for cause in (0, True, "", 1.5):
        with pytest.raises(OptionError, match="cause"):
            AnalysisSpec(cause=cause)


def test_analyse_scores_accepts_a_spec(gse1992):
    esr1 = gse1992.expression.loc["ESR1"]
    result = analyse_scores(gse1992, esr1, AnalysisSpec(cut="quartile"), signature_id="ESR1")
    assert result.grouping.levels == ["Q1", "Q2", "Q3", "Q4"]
    assert result.signature is None and result.spec.cut == "quartile"
    assert analyse_scores(gse1992, esr1).cut_rule == "median"


def test_scoring_spec_replays_the_scoring(gse1992):
    from sigsurv.analysis.spec import ScoringSpec

    # scoring options given in the spec (the keyword `ties` is the Cox ties method)
    scoring = ScoringSpec(
        method="ssgsea", min_coverage=0.6, options={"ties": "gsva_1.46"}, engine="numpy"
    )
    first = analyse_signature(gse1992, "msk1_rps6ka5", AnalysisSpec(scoring=scoring))
    replayed = analyse_signature(gse1992, "msk1_rps6ka5", first.spec)
    assert replayed.method == "ssgsea" and replayed.spec.scoring == scoring
    assert replayed.to_dict() == first.to_dict()
    assert replayed.to_dict()["analysis"]["scoring"] == scoring.to_dict()
    # scoring keywords (deprecated) fold into the result's spec
    with pytest.warns(DeprecationWarning, match="ScoringSpec"):
        by_keywords = analyse_signature(gse1992, "msk1_rps6ka5", method="zscore", min_coverage=0.6)
    assert by_keywords.spec.scoring == ScoringSpec(method="zscore", min_coverage=0.6)


def test_scoring_spec_is_validated():
    from sigsurv.analysis.spec import ScoringSpec
    from sigsurv.scoring._engine import ENGINES

    assert ScoringSpec().engine in ENGINES
    with pytest.raises(OptionError, match="unknown scoring engine"):
        ScoringSpec(engine="cuda")
    with pytest.raises(OptionError, match="fraction"):
        ScoringSpec(min_coverage=1.5)
    with pytest.raises(OptionError, match="given twice"):
        ScoringSpec(options={"engine": "numpy"})
    with pytest.raises(OptionError, match="given twice"):
        ScoringSpec(method="gsva").with_keywords("ssgsea", 0.5, {})
    spec = AnalysisSpec(scoring=ScoringSpec(method="gsva", options={"kcdf": "Poisson"}))
    assert hash(spec) == hash(AnalysisSpec(scoring=ScoringSpec(method="gsva")))
    assert spec.scoring.score_options() == {"kcdf": "Poisson"}


def test_scoring_spec_in_the_spec_is_used(gse1992):
    from sigsurv.analysis.spec import ScoringSpec

    spec = AnalysisSpec(scoring=ScoringSpec(method="zscore"))
    assert analyse_signature(gse1992, "msk1_rps6ka5", spec).method == "zscore"
    with pytest.warns(DeprecationWarning), pytest.raises(OptionError, match="given twice"):
        analyse_signature(gse1992, "msk1_rps6ka5", spec, method="mean_z")


def test_another_covariates_infinite_coefficient_keeps_the_scores_hazard_ratio(gse1992):
    """Grade 1 has no relapse in GSE1992: grade 2 and 3 vs 1 are infinite (monotone
    likelihood), the score's coefficient converges and is kept (issue 23; R coxph
    reports it beside the warning). The multivariable model used to null every term."""
    import pandas as pd

    clinical = gse1992.clinical.copy()
    clinical["grade_level"] = pd.Categorical(
        clinical["grade"].map({1.0: "G1", 2.0: "G2", 3.0: "G3"})
    )
    cohort = dataclasses.replace(gse1992, clinical=clinical)
    spec = AnalysisSpec(population=False, covariates=["grade_level"])
    with pytest.warns(SigsurvWarning, match="may be infinite"):
        result = analyse_signature(cohort, "msk1_rps6ka5", spec)
    model = result.to_dict()["cox_multivariable"]
    terms = {row["term"]: row for row in model["terms"]}
    assert model["well_defined"] is False and model["problems"]
    fit = result.cox_multivariable.summary.loc["score_per_sd"]
    score = terms["score_per_sd"]
    assert score["estimable"] is True and score["reason"] is None
    assert score["problems"] == model["problems"]  # the fit's warning travels with it
    for key in ("hr", "ci_lower", "ci_upper", "coef", "se", "z", "p_wald"):
        assert score[key] == float(fit[key])
    assert 0 < score["p_wald"] < 1 and score["ci_lower"] < score["hr"] < score["ci_upper"]
    for level in ("grade_levelG2", "grade_levelG3"):
        assert terms[level]["estimable"] is False and terms[level]["hr"] is None
        assert "infinite" in terms[level]["reason"]
    assert set(score) == {
        "term", "hr", "ci_lower", "ci_upper", "coef", "se", "z", "p_wald",
        "conf_level", "kind", "estimable", "reason", "problems",
    }  # fmt: skip
