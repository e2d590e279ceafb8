"""Per-sample signature scores: one interface, a registry of methods with metadata.

>>> import pandas as pd
>>> from sigsurv.scoring import score, list_methods
>>> expr = pd.DataFrame([[1.0, 2.0, 3.0], [2.0, 1.0, 4.0]], index=["A", "B"],
...                     columns=["s1", "s2", "s3"])
>>> score(expr, {"ab": ["A", "B"]}, method="zscore").round(3)["ab"].tolist()
[-0.861, -0.617, 1.479]
>>> "ssgsea" in list_methods().index
True
"""

from sigsurv._dask import (
    ExpressionStore,
    read_parquet_expression,
    read_zarr_expression,
    write_zarr_expression,
)
from sigsurv.scoring import methods as _methods  # noqa: F401  (registers the methods)
from sigsurv.scoring.api import score, score_signatures, signature_coverage
from sigsurv.scoring.registry import (
    METHODS,
    ScoringMethod,
    get_method,
    list_methods,
    register_method,
)
from sigsurv.scoring.result import ScoreResult

__all__ = [
    "METHODS",
    "ExpressionStore",
    "ScoreResult",
    "ScoringMethod",
    "get_method",
    "list_methods",
    "read_parquet_expression",
    "read_zarr_expression",
    "register_method",
    "score",
    "score_signatures",
    "signature_coverage",
    "write_zarr_expression",
]
