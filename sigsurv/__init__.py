"""sigsurv: gene signatures from cancer papers, tested for survival on real cohorts."""

__version__ = "0.1.0"
