"""Signature names say what a high score means (issue 22).

``mir424_503_targets`` was named "... (BCL2, IGF1R, CDC25A up)" while its genes have
direction -1, so a "high" score meant the targets were *down*. Every target-level set
now states ``high score = GENES high|low``; this test reads the wording back and
compares it with the gene directions.
"""

from __future__ import annotations

import re

import pytest

from sigsurv.signatures import list_signatures

_STATED = re.compile(r"high score = (?P<genes>[A-Za-z0-9, -]+?) (?P<level>high|low)\b")
TARGET_SETS = [s for s in list_signatures(include_retracted=True) if s.id.endswith("_targets")]


@pytest.mark.parametrize("signature", TARGET_SETS, ids=lambda s: s.id)
def test_target_set_names_state_what_a_high_score_means(signature):
    stated = _STATED.search(signature.name)
    assert stated is not None, signature.name
    genes = [g.strip() for g in stated.group("genes").split(",")]
    direction = 1 if stated.group("level") == "high" else -1
    assert genes == [g.symbol for g in signature.genes]
    assert all(g.direction == direction for g in signature.genes), signature.name


def test_no_name_says_up_for_genes_scored_down():
    for signature in list_signatures(include_retracted=True):
        listed = re.search(r"\(([^()]*)\bup\)", signature.name)
        if listed is None:
            continue
        named = {g.strip() for g in listed.group(1).split(",")}
        down = {g.symbol for g in signature.genes if g.direction < 0}
        assert not named & down, signature.name
