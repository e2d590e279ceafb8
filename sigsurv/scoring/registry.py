"""Registry of scoring methods with their metadata (decoupler-style).

Each method is a :class:`ScoringMethod`: a function
``func(values, sets, *, progress, **options) -> ndarray (samples x sets)`` plus what a
user must know to choose it: its reference, whether it handles signed and weighted
signatures, whether a sample's score depends on the other samples of the cohort or on
the other signatures scored in the same call, and its options with their defaults.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from sigsurv.errors import SigsurvInputError
from sigsurv.scoring._common import user_stacklevel

__all__ = ["METHODS", "ScoringMethod", "get_method", "list_methods", "register_method"]

# American option names kept for one release (issue 17: one British spelling);
# old name -> new name, accepted with a DeprecationWarning
DEPRECATED_OPTION_NAMES: MappingProxyType[str, str] = MappingProxyType(
    {"normalize": "normalise", "standardize": "standardise"}
)


@dataclass(frozen=True)
class ScoringMethod:
    """A scoring method and its metadata.

    Parameters
    ----------
    name
        Registry key (``ssgsea``).
    func
        ``func(values, sets, *, progress, **options)`` returning a samples x sets array.
    description
        One-line description of the score.
    reference
        Paper / implementation the method reproduces.
    supports_signed
        True if direction -1 genes are used (how: see ``signed_rule``).
    supports_weights
        True if gene weights are used; otherwise non-uniform weights raise a warning.
    depends_on_samples
        True if a sample's score changes when other samples are added or removed.
    depends_on_sets
        ``"no"``, ``"yes"`` or a condition (``"with normalise=True"``).
    options
        Option names and their defaults.
    signed_rule
        How signed signatures are scored.

    Examples
    --------
    >>> get_method("mean_z").supports_signed
    True
    """

    name: str
    func: Callable[..., Any]
    description: str
    reference: str
    supports_signed: bool
    supports_weights: bool
    depends_on_samples: bool
    depends_on_sets: str
    options: dict[str, Any] = field(default_factory=dict)
    signed_rule: str = ""

    def resolve_options(self, given: dict[str, Any]) -> dict[str, Any]:
        """Merge user options with the defaults, refusing unknown names.

        A deprecated American option name (``normalize``, ``standardize``) is mapped to
        its British replacement with a :class:`DeprecationWarning`.

        Examples
        --------
        >>> get_method("ssgsea").resolve_options({"alpha": 0.5})["alpha"]
        0.5
        """
        given = self._rename_deprecated(given)
        unknown = sorted(set(given) - set(self.options))
        if unknown:
            raise SigsurvInputError(
                f"method {self.name}: unknown option {unknown[0]!r}",
                expected=", ".join(self.options) or "no options",
                found=", ".join(unknown),
            )
        return {**self.options, **given}

    def _rename_deprecated(self, given: dict[str, Any]) -> dict[str, Any]:
        renamed = dict(given)
        for old, new in DEPRECATED_OPTION_NAMES.items():
            if old not in renamed or new not in self.options:
                continue
            if new in renamed:
                raise SigsurvInputError(
                    f"method {self.name}: option {old!r} is the deprecated spelling of {new!r};"
                    " give only one",
                    expected=new,
                    found=f"{old}, {new}",
                )
            warnings.warn(
                f"scoring option {old!r} is deprecated; use {new!r}",
                DeprecationWarning,
                stacklevel=user_stacklevel(),
            )
            renamed[new] = renamed.pop(old)
        return renamed


_REGISTRY: dict[str, ScoringMethod] = {}
METHODS: MappingProxyType[str, ScoringMethod] = MappingProxyType(_REGISTRY)
"""Read-only mapping ``name -> ScoringMethod`` of every registered method."""


def register_method(method: ScoringMethod) -> ScoringMethod:
    """Add a method to the registry (names are unique).

    Examples
    --------
    >>> "gsva" in METHODS
    True
    """
    if method.name in _REGISTRY:
        raise SigsurvInputError("scoring method already registered", found=method.name)
    _REGISTRY[method.name] = method
    return method


def get_method(name: str) -> ScoringMethod:
    """Return a registered method by name.

    Examples
    --------
    >>> get_method("zscore").reference.startswith("Lee")
    True
    """
    if not isinstance(name, str) or name not in _REGISTRY:
        raise SigsurvInputError(
            "unknown scoring method", expected=" | ".join(_REGISTRY), found=str(name)
        )
    return _REGISTRY[name]


def list_methods() -> pd.DataFrame:
    """Metadata of every scoring method, one row per method.

    Examples
    --------
    >>> table = list_methods()
    >>> sorted(table.index)[:3]
    ['gsva', 'mean_z', 'plage']
    >>> bool(table.loc["ssgsea", "supports_signed"])
    True
    """
    rows = [
        {
            "name": m.name,
            "description": m.description,
            "reference": m.reference,
            "supports_signed": m.supports_signed,
            "signed_rule": m.signed_rule,
            "supports_weights": m.supports_weights,
            "depends_on_samples": m.depends_on_samples,
            "depends_on_sets": m.depends_on_sets,
            "options": dict(m.options),
        }
        for m in _REGISTRY.values()
    ]
    return pd.DataFrame(rows).set_index("name")
