"""Registration of the built-in scoring methods (imported by :mod:`sigsurv.scoring`)."""

from __future__ import annotations

from sigsurv.scoring.gsva import gsva_scores
from sigsurv.scoring.linear import (
    mean_z_scores,
    plage_scores,
    single_gene_scores,
    weighted_scores,
    zscore_scores,
)
from sigsurv.scoring.registry import ScoringMethod, register_method
from sigsurv.scoring.singscore import singscore_scores
from sigsurv.scoring.ssgsea import ssgsea_scores

__all__: list[str] = []

# threads=None: every available core; engine="auto": compiled kernels when numba is
# installed (see sigsurv.scoring._engine)
_BLOCKS = {"block_size": 128, "threads": None, "engine": "auto"}

register_method(
    ScoringMethod(
        name="mean_z",
        func=mean_z_scores,
        description="mean of per-gene z-scores (across samples), signed by direction",
        reference="signed average of standardised genes (genefu sig.score, signed=TRUE)",
        supports_signed=True,
        supports_weights=False,
        depends_on_samples=True,
        depends_on_sets="no",
        options={"standardise": True},
        signed_rule="direction -1 genes enter with a minus sign",
    )
)
register_method(
    ScoringMethod(
        name="weighted",
        func=weighted_scores,
        description="signed weighted mean of z-scores, UP and DN parts weighted by their size",
        reference="genefu sig.score(signed=FALSE); Sotiriou 2006, Haibe-Kains 2009",
        supports_signed=True,
        supports_weights=True,
        depends_on_samples=True,
        depends_on_sets="no",
        options={"standardise": True},
        signed_rule="(k_up/k) * wmean(UP) - (k_dn/k) * wmean(DN)",
    )
)
register_method(
    ScoringMethod(
        name="zscore",
        func=zscore_scores,
        description="combined z-score: sum of per-gene z-scores / sqrt(k)",
        reference="Lee et al. 2008 (PLoS Comput Biol); GSVA method='zscore'",
        supports_signed=True,
        supports_weights=False,
        depends_on_samples=True,
        depends_on_sets="no",
        options={},
        signed_rule="direction -1 genes enter with a minus sign",
    )
)
register_method(
    ScoringMethod(
        name="plage",
        func=plage_scores,
        description="first right singular vector of the z-scored genes, oriented like mean_z",
        reference="Tomfohr et al. 2005 (BMC Bioinformatics); GSVA method='plage'",
        supports_signed=True,
        supports_weights=False,
        depends_on_samples=True,
        depends_on_sets="no",
        options={},
        signed_rule="direction -1 rows negated; sign oriented to correlate positively with mean_z",
    )
)
register_method(
    ScoringMethod(
        name="ssgsea",
        func=ssgsea_scores,
        description="single-sample GSEA enrichment score (rank-weighted walk)",
        reference="Barbie et al. 2009 (Nature); GSVA method='ssgsea' (1.46 with ties='gsva_1.46')",
        supports_signed=True,
        supports_weights=False,
        depends_on_samples=False,
        depends_on_sets="with normalise=True",
        options={"alpha": 0.25, "normalise": False, "ties": "average", **_BLOCKS},
        signed_rule="ES(UP) - ES(DN)",
    )
)
register_method(
    ScoringMethod(
        name="gsva",
        func=gsva_scores,
        description="GSVA: kernel CDF per gene (Gaussian, Poisson or none), rank-score KS walk",
        reference="Hänzelmann, Castelo & Guinney 2013 (BMC Bioinformatics); GSVA 1.46",
        supports_signed=True,
        supports_weights=False,
        depends_on_samples=True,
        depends_on_sets="no",
        options={
            "tau": 1.0,
            "max_diff": True,
            "kcdf": "Gaussian",
            "fast_kernel": False,
            **_BLOCKS,
        },
        signed_rule="ES(UP) - ES(DN)",
    )
)
register_method(
    ScoringMethod(
        name="singscore",
        func=singscore_scores,
        description="rescaled, centred mean rank of the set genes in each sample",
        reference="Foroutan et al. 2018 (BMC Bioinformatics); singscore::simpleScore",
        supports_signed=True,
        supports_weights=False,
        depends_on_samples=False,
        depends_on_sets="no",
        options=dict(_BLOCKS),
        signed_rule="up score + down score (simpleScore TotalScore)",
    )
)
register_method(
    ScoringMethod(
        name="single_gene",
        func=single_gene_scores,
        description="expression of a one-gene signature (raw, or z-scored with standardise)",
        reference="the gene's own expression, e.g. RPS6KA5",
        supports_signed=True,
        supports_weights=False,
        depends_on_samples=False,
        depends_on_sets="no",
        options={"standardise": False},
        signed_rule="direction -1 negates the expression",
    )
)
