"""Issue 22: a proxy's name says what a high score means, and agrees with its genes."""

from __future__ import annotations

import re

import pytest

from sigsurv.errors import SignatureError
from sigsurv.signatures import get_signature, list_signatures
from sigsurv.signatures._validate import signature_from_dict

PROXIES = [s for s in list_signatures(include_retracted=True) if s.is_proxy]


def _named_direction(name: str) -> str | None:
    """``up`` / ``down`` as the name states it after ``high =`` (None if it does not)."""
    match = re.search(r"high = ([^)]*)", name)
    if match is None:
        return None
    words = set(re.findall(r"\b(up|down)\b", match.group(1)))
    return words.pop() if len(words) == 1 else "both" if words else None


@pytest.mark.parametrize("signature", PROXIES, ids=[s.id for s in PROXIES])
def test_every_proxy_name_states_what_a_high_score_means(signature):
    directions = {g.direction for g in signature.genes}
    stated = _named_direction(signature.name)
    assert stated is not None, f"{signature.id}: name {signature.name!r} lacks 'high = ... up/down'"
    if len(directions) == 1:
        expected = "up" if directions == {1} else "down"
        assert stated == expected, f"{signature.id}: {signature.name!r} but directions {directions}"
    # Genes the name lists must be genes of the signature, in the stated direction.
    for gene in signature.genes:
        if re.search(rf"\b{re.escape(gene.symbol)}\b", signature.name) and stated != "both":
            assert (gene.direction == 1) == (stated == "up"), gene.symbol


def test_mir424_503_targets_name_no_longer_reverses_the_reading():
    sig = get_signature("mir424_503_targets")
    assert set(sig.directions) == {-1}
    assert "down" in sig.name and " up" not in sig.name


def test_name_check_catches_a_reversed_name():
    assert _named_direction("miR-X loss, target level (high = BCL2 up)") == "up"
    assert _named_direction("no statement") is None


def _record(**extra):
    return {"id": "t", "genes": [{"symbol": "PTEN", "direction": 1}], "mirnas": ["MIR21"]} | extra


def test_score_relation_must_agree_with_target_directions_and_words():
    sig = signature_from_dict(
        _record(score_relation="inverse", score_meaning="higher target score = lower miR-21")
    )
    assert sig.score_relation == "inverse"
    with pytest.raises(SignatureError, match="score relation disagrees"):
        signature_from_dict(_record(score_relation="same"))
    with pytest.raises(SignatureError, match="score meaning disagrees"):
        signature_from_dict(
            _record(score_relation="inverse", score_meaning="higher score = higher miR-21")
        )
    with pytest.raises(SignatureError, match="unknown confounder"):
        signature_from_dict(_record(score_relation="inverse", confounders=["smoking"]))
