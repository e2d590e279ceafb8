"""SignatureScorer: fold-safe scoring inside scikit-learn pipelines and cross-validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fixtures import SSGSEA_TIES_WARNING, warns_if
from sklearn.base import clone
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import Pipeline

from sigsurv.cohorts.model import Cohort
from sigsurv.errors import CohortValidationError, CoverageError, OptionError
from sigsurv.scoring import score
from sigsurv.scoring.transformer import SignatureScorer

sksurv = pytest.importorskip("sksurv")
from sksurv.linear_model import CoxPHSurvivalAnalysis  # noqa: E402
from sksurv.metrics import concordance_index_censored  # noqa: E402
from sksurv.util import Surv  # noqa: E402


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    from sigsurv import load_example

    return load_example("gse1992").complete_cases("rfs")


def _signatures(cohort: Cohort) -> dict[str, object]:
    genes = cohort.genes.tolist()
    return {
        "up": genes[:12],
        "signed": {g: (1.0 if i % 2 else -1.0) for i, g in enumerate(genes[20:30])},
    }


def _survival_target(cohort: Cohort) -> np.ndarray:
    time, event = cohort.survival("rfs")
    return Surv.from_arrays(event=event.astype(bool), time=time)


@pytest.mark.parametrize(
    ("method", "options"),
    [
        ("mean_z", {}),
        ("mean_z", {"standardise": False}),
        ("weighted", {}),
        ("zscore", {}),
        ("ssgsea", {}),
        ("singscore", {}),
    ],
)
def test_fitted_on_all_samples_equals_score(
    cohort: Cohort, method: str, options: dict[str, object]
) -> None:
    signatures = _signatures(cohort)
    X = cohort.expression.T
    with warns_if(method == "ssgsea", SSGSEA_TIES_WARNING):
        got = SignatureScorer(signatures, method, options=options).fit(X).transform(X)
    with warns_if(method == "ssgsea", SSGSEA_TIES_WARNING):
        expected = score(cohort, signatures, method=method, **options).to_numpy()
    np.testing.assert_array_equal(got, expected)  # bit-identical


def test_plage_fitted_on_all_samples_equals_score(cohort: Cohort) -> None:
    signatures = _signatures(cohort)
    X = cohort.expression.T
    got = SignatureScorer(signatures, "plage").fit(X).transform(X)
    expected = score(cohort, signatures, method="plage").to_numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_single_gene_standardised_on_training_rows(cohort: Cohort) -> None:
    X = cohort.expression.T
    gene = cohort.genes[3]
    train, test = X.iloc[:80], X.iloc[80:]
    scorer = SignatureScorer({"g": [gene]}, "single_gene", options={"standardise": True})
    got = scorer.fit(train).transform(test)[:, 0]
    expected = (test[gene] - train[gene].mean()) / train[gene].std(ddof=1)
    np.testing.assert_allclose(got, expected.to_numpy(), rtol=1e-13)


def test_test_fold_is_scored_with_training_fold_mean_and_sd(cohort: Cohort) -> None:
    """The no-leakage property itself, checked fold by fold against a hand computation."""
    signatures = {"up": cohort.genes[:12].tolist()}
    genes = list(signatures["up"])
    X = cohort.expression.T
    for train_idx, test_idx in KFold(5, shuffle=True, random_state=1).split(X):
        train, test = X.iloc[train_idx], X.iloc[test_idx]
        got = SignatureScorer(signatures).fit(train).transform(test)[:, 0]
        mean = train[genes].mean(axis=0)
        sd = train[genes].std(axis=0, ddof=1)
        by_hand = ((test[genes] - mean) / sd).mean(axis=1).to_numpy()
        np.testing.assert_allclose(got, by_hand, rtol=1e-12, atol=1e-14)
        # Fitting on the test fold itself (leakage) gives different scores.
        leaky = score(test.T, signatures)["up"].to_numpy()
        assert np.max(np.abs(got - leaky)) > 1e-3


def test_plage_projects_new_samples_on_training_loadings(cohort: Cohort) -> None:
    signatures = {"up": cohort.genes[:12].tolist()}
    X = cohort.expression.T
    train, test = X.iloc[:90], X.iloc[90:]
    scorer = SignatureScorer(signatures, "plage").fit(train)
    assert scorer.loadings_ is not None and scorer.singular_values_ is not None
    u = scorer.loadings_["up"]
    assert u.shape == (12,)
    assert abs(float(u @ u) - 1.0) < 1e-12
    # On the training rows the projection reproduces PLAGE itself.
    np.testing.assert_allclose(
        scorer.transform(train)[:, 0],
        score(train.T, signatures, method="plage")["up"].to_numpy(),
        atol=1e-12,
    )
    # New samples: z-scores with the training mean/sd, projected on u, divided by s.
    genes = signatures["up"]
    z = (test[genes] - train[genes].mean()) / train[genes].std(ddof=1)
    expected = z.to_numpy() @ u / scorer.singular_values_["up"]
    np.testing.assert_allclose(scorer.transform(test)[:, 0], expected, rtol=1e-12)


def _cv_cindex_by_hand(
    X: pd.DataFrame, y: np.ndarray, signatures: object, leak: bool
) -> list[float]:
    """Cross-validated C-index; ``leak=True`` scores the whole cohort before splitting."""
    all_scores = score(X.T, signatures).to_numpy() if leak else None
    out = []
    for train_idx, test_idx in KFold(5, shuffle=True, random_state=0).split(X):
        if all_scores is not None:
            s_train, s_test = all_scores[train_idx], all_scores[test_idx]
        else:
            scorer = SignatureScorer(signatures).fit(X.iloc[train_idx])
            s_train = scorer.transform(X.iloc[train_idx])
            s_test = scorer.transform(X.iloc[test_idx])
        model = CoxPHSurvivalAnalysis().fit(s_train, y[train_idx])
        risk = model.predict(s_test)
        event, time = y["event"][test_idx], y["time"][test_idx]
        out.append(concordance_index_censored(event, time, risk)[0])
    return out


def test_pipeline_cross_val_score_has_no_leakage(cohort: Cohort) -> None:
    signatures = _signatures(cohort)
    X = cohort.expression.T
    y = _survival_target(cohort)
    pipeline = Pipeline([("score", SignatureScorer(signatures)), ("cox", CoxPHSurvivalAnalysis())])
    folds = KFold(5, shuffle=True, random_state=0)
    cv = cross_val_score(pipeline, X, y, cv=folds)
    fold_safe = _cv_cindex_by_hand(X, y, signatures, leak=False)
    leaky = _cv_cindex_by_hand(X, y, signatures, leak=True)
    np.testing.assert_allclose(cv, fold_safe, rtol=1e-12)
    # Scoring the whole cohort first would have changed the cross-validated C-index.
    assert not np.allclose(cv, leaky, rtol=0, atol=1e-9)
    assert np.all((cv > 0) & (cv < 1))


def test_set_output_pandas_and_feature_names(cohort: Cohort) -> None:
    signatures = _signatures(cohort)
    X = cohort.expression.T
    scorer = SignatureScorer(signatures).set_output(transform="pandas").fit(X.iloc[:60])
    out = scorer.transform(X.iloc[60:])
    assert isinstance(out, pd.DataFrame)
    assert out.columns.tolist() == ["up", "signed"]
    assert out.index.equals(X.index[60:])
    assert scorer.get_feature_names_out().tolist() == ["up", "signed"]
    assert scorer.n_features_in_ == X.shape[1]
    assert list(scorer.feature_names_in_) == X.columns.tolist()
    assert int(scorer.coverage_.loc["up", "n_found"]) == 12


def test_array_input_after_dataframe_fit(cohort: Cohort) -> None:
    signatures = _signatures(cohort)
    X = cohort.expression.T
    scorer = SignatureScorer(signatures).fit(X)
    np.testing.assert_array_equal(scorer.transform(X.to_numpy()), scorer.transform(X))
    with pytest.raises(CohortValidationError, match="wrong shape"):
        scorer.transform(X.to_numpy()[:, :10])
    with pytest.raises(CohortValidationError, match="needs a samples x genes DataFrame"):
        SignatureScorer(signatures).fit(X.to_numpy())


def test_refusals_are_explicit(cohort: Cohort) -> None:
    X = cohort.expression.T
    signatures = _signatures(cohort)
    with pytest.raises(OptionError, match="does not support gsva"):
        SignatureScorer(signatures, "gsva").fit(X)
    with pytest.raises(OptionError, match="normalise=True"):
        SignatureScorer(signatures, "ssgsea", options={"normalise": True}).fit(X)
    scorer = SignatureScorer(signatures).fit(X)
    with pytest.raises(CohortValidationError, match="genes SignatureScorer was fitted on"):
        scorer.transform(X.iloc[:, ::-1])
    with pytest.raises(CoverageError, match="transpose"):
        SignatureScorer(signatures).fit(X.T)


def test_clone_keeps_parameters(cohort: Cohort) -> None:
    scorer = SignatureScorer(_signatures(cohort), "zscore", min_coverage=0.8)
    copy = clone(scorer)
    assert copy.get_params() == scorer.get_params()
