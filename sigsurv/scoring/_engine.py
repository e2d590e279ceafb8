"""Choice of the engine that runs the heavy kernels: compiled (numba) or numpy.

``engine="auto"`` (the default of every method) uses the compiled kernels of
:mod:`sigsurv.scoring._numba_kernels` when numba can be imported, else the numpy
implementations (the plain rank counts of ssgsea / singscore stay in numpy under
"auto": numpy's vectorised sort is faster there); the environment variable
``SIGSURV_ENGINE`` (``numba`` / ``numpy``) overrides ``"auto"`` for a whole process.
``engine="numba"`` refuses to run without numba rather than silently falling back.
Both engines give the same scores to within a few units in the last place: the compiled
kernels may fuse multiply-adds or vectorise reductions differently on CPUs with wider
registers (AVX-512), so the two can round one operation differently (1 ulp, ~2e-16, in
11 of 2,700 GSVA cells on such a CPU). Equality across engines is never bit-identity;
``run.json`` records the engine that made the scores.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

from sigsurv.errors import SigsurvInputError

__all__ = ["ENGINES", "check_engine", "compiled_kernels"]

ENGINES: tuple[str, ...] = ("auto", "numba", "numpy")
ENGINE_VARIABLE = "SIGSURV_ENGINE"


def check_engine(method: str, engine: Any) -> str:
    """Validate an ``engine`` option.

    Examples
    --------
    >>> check_engine("gsva", "numpy")
    'numpy'
    """
    if engine not in ENGINES:
        raise SigsurvInputError(
            f"method {method}: invalid option engine", expected=" | ".join(ENGINES), found=engine
        )
    return str(engine)


def compiled_kernels(engine: str = "auto", *, auto_compiled: bool = True) -> ModuleType | None:
    """The compiled kernel module for ``engine``, or None for the numpy engine.

    ``auto_compiled=False``: ``"auto"`` means numpy (unless ``SIGSURV_ENGINE`` says
    otherwise), for kernels whose numpy version is as fast (the rank counts: numpy's
    vectorised sort beats a compiled binary search on current CPUs).

    Examples
    --------
    >>> compiled_kernels("numpy") is None
    True
    >>> compiled_kernels("auto", auto_compiled=False) is None
    True
    """
    if engine == "auto":
        engine = os.environ.get(ENGINE_VARIABLE, "auto" if auto_compiled else "numpy")
        if engine not in ENGINES:
            raise SigsurvInputError(
                f"environment variable {ENGINE_VARIABLE}: invalid value",
                expected=" | ".join(ENGINES),
                found=engine,
            )
    if engine == "numpy":
        return None
    try:
        from sigsurv.scoring import _numba_kernels
    except ImportError as exc:
        if engine == "numba":
            raise SigsurvInputError(
                "engine='numba' needs the numba package", hint="pip install numba"
            ) from exc
        return None
    return _numba_kernels
