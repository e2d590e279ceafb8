"""Seed claim fields for exact populations, copy-number groups and site-specific endpoints."""

from __future__ import annotations

import pytest

from sigsurv.errors import FileFormatError
from sigsurv.seeds import get_claim
from sigsurv.seeds.schema import CopyNumberGroup, EndpointMatch, PopulationMatch


def test_mir21_claim_states_the_treated_population_and_its_analogue() -> None:
    claim = get_claim("aacr2010_mir21_trastuzumab_her2_pos")
    assert claim.population_match is not None
    assert claim.population_match.exact == "her2 == 'positive' and trastuzumab == 'yes'"
    assert claim.population_match.analogue == "her2 == 'positive'"
    assert "analogue" in claim.population_match.analogue_label


def test_mir424_claim_is_a_copy_number_loss() -> None:
    claim = get_claim("rodriguez_barrueco2017_mir424_503_loss")
    assert claim.copy_number == CopyNumberGroup(
        genes=("MIR424", "MIR503"), locus="Xq26.3", alteration="loss", calls=(-2, -1)
    )


@pytest.mark.parametrize(
    "claim_id", ["bidwell2012_irf7_bmfs", "gawrzak2018_msk1_bone_relapse_5y_er_pos"]
)
def test_bone_claims_name_competing_risk_endpoints(claim_id: str) -> None:
    claim = get_claim(claim_id)
    assert claim.site == "bone"
    assert claim.endpoint_match.competing == ("bone_relapse_cr", "bmfs_cr")


def test_invalid_fields_are_refused() -> None:
    with pytest.raises(FileFormatError, match="calls of a loss"):
        CopyNumberGroup(genes=("MIR424",), calls=(1,))
    with pytest.raises(FileFormatError, match="non-empty list"):
        CopyNumberGroup(genes="MIR424")
    with pytest.raises(FileFormatError, match="analogue_label"):
        PopulationMatch(exact="her2 == 'positive'", analogue="er == 'positive'")
    with pytest.raises(FileFormatError, match="invalid endpoint name"):
        EndpointMatch(competing=("Bone CR",))
