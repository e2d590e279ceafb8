"""One spelling across the public API (issue 17 item 6): British -ise names.

The American names still work for one release and warn, naming their replacement.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import sigsurv
import sigsurv.analysis
import sigsurv.survival
from sigsurv.analysis import signature as analysis
from sigsurv.analysis.null import random_signature_null
from sigsurv.cohorts import clinical
from sigsurv.errors import SigsurvInputError, SigsurvWarning
from sigsurv.scoring import METHODS, linear, score, score_signatures, ssgsea
from sigsurv.scoring._input import GeneSet
from sigsurv.signatures.schema import Signature
from sigsurv.survival import cox

AMERICAN_IZE = re.compile(r"(normal|standard|analy|harmon|summar|optim|initial)ize", re.I)


def _expression() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        rng.normal(size=(3, 12)),
        index=["A", "B", "C"],
        columns=[f"s{i}" for i in range(12)],
    )


def test_public_names_use_one_spelling() -> None:
    for module in (sigsurv, sigsurv.survival, sigsurv.analysis):
        american = [name for name in module.__all__ if AMERICAN_IZE.search(name)]
        assert american == [], module.__name__


def test_registered_option_names_use_one_spelling() -> None:
    for method in METHODS.values():
        assert [o for o in method.options if AMERICAN_IZE.search(o)] == [], method.name
        assert not AMERICAN_IZE.search(method.depends_on_sets)


@pytest.mark.parametrize(
    ("old", "new", "args"),
    [
        (cox.standardize, cox.standardise, ([1.0, 2.0, 4.0],)),
        (sigsurv.survival.standardize, sigsurv.survival.standardise, ([1.0, 2.0, 4.0],)),
        (linear.standardize_rows, linear.standardise_rows, (np.array([[1.0, 2.0, 4.0]]),)),
        (
            analysis.standardize_within,
            analysis.standardise_within,
            (np.array([1.0, 2.0, 4.0, 3.0]), np.array(list("aabb"))),
        ),
    ],
)
def test_old_function_names_warn_and_agree(old, new, args) -> None:  # type: ignore[no-untyped-def]
    with pytest.warns(DeprecationWarning, match=rf"{old.__name__}.*use '{new.__name__}'"):
        got = old(*args)
    np.testing.assert_array_equal(got, new(*args))


def test_standardize_status_warns_and_agrees() -> None:
    values = ["Positve", "neg", "+", "Equivocal", None]
    with pytest.warns(DeprecationWarning, match="use 'standardise_status'"):
        status, unknown = clinical.standardize_status(values)
    new_status, new_unknown = clinical.standardise_status(values)
    assert status.equals(new_status) and unknown == new_unknown


@pytest.mark.parametrize(
    ("method", "old", "new", "value"),
    [
        ("ssgsea", "normalize", "normalise", True),
        ("mean_z", "standardize", "standardise", False),
        ("weighted", "standardize", "standardise", False),
        ("single_gene", "standardize", "standardise", True),
    ],
)
def test_old_option_names_warn_and_agree(method: str, old: str, new: str, value: bool) -> None:
    sets = {"one": ["B"]} if method == "single_gene" else {"pair": ["A", "B"]}
    expression = _expression()
    with pytest.warns(DeprecationWarning, match=f"'{old}' is deprecated; use '{new}'"):
        got = score(expression, sets, method, **{old: value})
    expected = score(expression, sets, method, **{new: value})
    pd.testing.assert_frame_equal(got, expected, check_like=False)
    options = score_signatures(expression, sets, method, **{new: value}).options
    assert options[new] is value and old not in options


def test_old_and_new_option_together_are_refused() -> None:
    with pytest.raises(SigsurvInputError, match="give only one"):
        score(_expression(), {"pair": ["A", "B"]}, "ssgsea", normalize=True, normalise=True)


def test_old_keywords_of_method_functions_warn_and_agree() -> None:
    values = _expression().to_numpy()
    gs = GeneSet("pair", np.array([0, 1]), np.array([1, -1]), np.ones(2))
    one = GeneSet("one", np.array([1]), np.array([1]), np.ones(1))
    cases = [
        (ssgsea.ssgsea_scores, [gs], "normalize", "normalise", True),
        (linear.mean_z_scores, [gs], "standardize", "standardise", False),
        (linear.weighted_scores, [gs], "standardize", "standardise", False),
        (linear.single_gene_scores, [one], "standardize", "standardise", True),
    ]
    for func, sets, old, new, value in cases:
        with pytest.warns(DeprecationWarning, match=rf"{old}=.*use .*{new}="):
            got = func(values, sets, **{old: value})
        np.testing.assert_array_equal(got, func(values, sets, **{new: value}))
    with pytest.raises(SigsurvInputError, match="give only one"):
        linear.mean_z_scores(values, [gs], standardize=False, standardise=False)


def test_old_keyword_of_random_signature_null_warns_and_agrees() -> None:
    rng = np.random.default_rng(5)
    n_genes, n_samples = 60, 80
    expression = pd.DataFrame(
        rng.normal(5.0, 1.0, size=(n_genes, n_samples)),
        index=[f"G{i:02d}" for i in range(n_genes)],
        columns=[f"s{j}" for j in range(n_samples)],
    )
    time = rng.exponential(size=n_samples)
    event = rng.uniform(size=n_samples) < 0.7
    signature = Signature.from_genes("set", [f"G{i:02d}" for i in range(4)])
    strata = np.repeat(["a", "b"], n_samples // 2)
    common = {"n_random": 5, "seed": 1, "strata": strata}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        with pytest.warns(DeprecationWarning, match="use .*standardise_within_strata="):
            old = random_signature_null(
                expression, time, event, signature, standardize_within_strata=True, **common
            )
        new = random_signature_null(
            expression, time, event, signature, standardise_within_strata=True, **common
        )
    assert old.observed_z == new.observed_z
