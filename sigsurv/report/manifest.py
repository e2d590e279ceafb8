"""Run manifests (``run.json``): what produced a set of outputs, so they can be reproduced.

A manifest records the command, its options, the SHA-256 of every input file, the
signatures used (id, version, definition file and its SHA-256), the seed, the
versions of sigsurv, Python and the scientific dependencies, the platform and the
time. It is built from the objects the analysis returned, never from re-parsed
command-line text.
"""

from __future__ import annotations

import datetime as _dt
import importlib.util
import platform
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sigsurv._json import to_jsonable
from sigsurv._version import __version__

if TYPE_CHECKING:
    from sigsurv.claims.reproduction import Reproduction

__all__ = [
    "DEPENDENCIES",
    "build_manifest",
    "column_manifest",
    "definition_record",
    "dependency_versions",
    "locate_input",
    "portable_path",
    "reproduction_manifest",
    "scoring_engine_record",
    "signature_record",
    "survival_manifest",
]

DEPENDENCIES = (
    "numpy",
    "numba",
    "pandas",
    "scipy",
    "lifelines",
    "scikit-learn",
    "gseapy",
    "matplotlib",
    "survset",
    "typer",
    "rich",
    "jinja2",
    "pyyaml",
)


def dependency_versions() -> dict[str, str | None]:
    """Versions of sigsurv, Python and the scientific dependencies (None if not installed).

    Examples
    --------
    >>> versions = dependency_versions()
    >>> versions["sigsurv"] == __version__, "numpy" in versions
    (True, True)
    """
    versions: dict[str, str | None] = {"sigsurv": __version__, "python": sys.version.split()[0]}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def signature_record(signature: Any) -> dict[str, Any]:
    """Id and version of a :class:`~sigsurv.signatures.Signature` (``signatures`` in run.json).

    Examples
    --------
    >>> from sigsurv.signatures import get_signature
    >>> signature_record(get_signature("msk1_rps6ka5"))
    {'id': 'msk1_rps6ka5', 'version': '1'}
    """
    return {"id": signature.id, "version": signature.version}


def definition_record(signature: Any) -> dict[str, Any]:
    """The file a signature was read from and its SHA-256 (``signature_definitions``).

    Examples
    --------
    >>> from sigsurv.signatures import get_signature
    >>> sorted(definition_record(get_signature("msk1_rps6ka5")))
    ['file', 'id', 'sha256']
    """
    return {
        "id": signature.id,
        "file": portable_path(signature.definition_file) if signature.definition_file else None,
        "sha256": signature.definition_sha256 or None,
    }


def _package_roots() -> list[Path]:
    """Folders holding installed packages (site-packages) and sigsurv's own source root."""
    # sigsurv/report/manifest.py -> the folder holding the sigsurv package
    roots = [Path(__file__).resolve().parents[2]]
    for entry in sys.path:
        if entry and ("site-packages" in entry or "dist-packages" in entry):
            roots.append(Path(entry).resolve())
    return roots


def portable_path(file: str | Path) -> str:
    """A path as a manifest records it: never the absolute path of this machine.

    A file of an installed package (or of sigsurv itself) is written relative to the
    folder holding the package (``sigsurv/signatures/builtin/msk1.yaml``); a file under
    the working directory relative to it; any other path as given.

    Examples
    --------
    >>> from sigsurv.signatures import get_signature
    >>> portable_path(get_signature("msk1_rps6ka5").definition_file)
    'sigsurv/signatures/builtin/msk1.yaml'
    """
    path = Path(file)
    if not path.is_absolute():
        return str(path)
    resolved = path.resolve()
    for root in [*_package_roots(), Path.cwd().resolve()]:
        if resolved.is_relative_to(root):
            return resolved.relative_to(root).as_posix()
    return str(path)


def locate_input(file: str | Path) -> Path | None:
    """The file on disk: as given, or a package-relative path of an installed package
    (a bundled cohort's ``SurvSet/resources/pickles/gse1992.pickle``); None if absent.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> locate_input(load_example("gse1992").provenance.files[0]) is not None
    True
    """
    path = Path(file)
    if path.is_file():
        return path
    if path.is_absolute() or not path.parts:
        return None
    spec = importlib.util.find_spec(path.parts[0]) if path.parts[0].isidentifier() else None
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location).parent / path
        if candidate.is_file():
            return candidate
    return None


def scoring_engine_record(method: str, engine: str = "auto") -> dict[str, Any]:
    """The scoring engine that ran (``scoring_engine`` in run.json) and numba's version.

    ``used`` is ``numba`` when the method has compiled kernels and ``engine`` (with
    ``SIGSURV_ENGINE`` for ``auto``) resolves to them, else ``numpy``; the two may
    differ by an ulp, so a replay names the engine. Scores given as such (method
    ``given``) were not computed here: ``used`` is None.

    Examples
    --------
    >>> scoring_engine_record("mean_z")["used"]
    'numpy'
    >>> scoring_engine_record("gsva", "numpy")["requested"]
    'numpy'
    """
    from sigsurv.scoring import get_method, list_methods
    from sigsurv.scoring._engine import compiled_kernels

    used: str | None = None
    if method in list_methods().index:
        compiled = "engine" in get_method(method).options
        used = "numba" if compiled and compiled_kernels(engine) is not None else "numpy"
    numba = dependency_versions().get("numba")
    return {"method": method, "requested": engine, "used": used, "numba": numba}


def build_manifest(
    *,
    command: str,
    options: Mapping[str, Any],
    input_files: Iterable[str | Path] = (),
    signatures: Iterable[Any] = (),
    seed: int | None = None,
) -> dict[str, Any]:
    """Run manifest: versions, input SHA-256, signatures, options, seed, time.

    Parameters
    ----------
    command, options
        The command and its options (JSON-ready values).
    input_files
        Files read, each once in the order given, with their SHA-256; a bundled
        cohort's package-relative file is found in its package (:func:`locate_input`);
        paths are recorded without this machine's folders (:func:`portable_path`).
    signatures
        The :class:`~sigsurv.signatures.Signature` objects used: their id and
        version, and the file each was read from with its SHA-256.
    seed
        The random seed.

    Examples
    --------
    >>> manifest = build_manifest(command="survival", options={"cut": "median"}, seed=1)
    >>> sorted(manifest)[:3]
    ['command', 'created', 'inputs']
    """
    from sigsurv.cohorts.tables import sha256_of

    used = list(signatures)
    inputs = []
    seen: set[str] = set()
    for file in input_files:
        path = locate_input(file)
        shown = portable_path(file)
        if path is not None and shown not in seen:
            seen.add(shown)
            inputs.append({"path": shown, "sha256": sha256_of(path)})
    return {
        "command": command,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "inputs": inputs,
        "options": to_jsonable(dict(options)),
        "platform": platform.platform(),
        "seed": seed,
        "signature_definitions": [definition_record(s) for s in used],
        "signatures": [signature_record(s) for s in used],
        "versions": dependency_versions(),
    }


def reproduction_manifest(
    reproduction: Reproduction,
    cohorts: Iterable[Any],
    *,
    options: Mapping[str, Any],
    seed: int,
    claim_files: Iterable[Any] = (),
) -> dict[str, Any]:
    """Manifest of ``sigsurv reproduce``: the cohorts' input files and every signature tested.

    ``claim_files`` are the users' claim files read
    (:class:`~sigsurv.seeds.ClaimFile`): each is recorded in ``claim_files`` with its
    SHA-256, source and claim ids.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.claims import reproduce_claims
    >>> from sigsurv.seeds import get_claim
    >>> cohort = load_example("gse1992")
    >>> result = reproduce_claims([cohort], [get_claim("gawrzak2018_msk1_mfs_er_pos")],
    ...                           null_random=0)
    >>> manifest = reproduction_manifest(result, [cohort], options={}, seed=1)
    >>> [s["id"] for s in manifest["signatures"]]
    ['msk1_luminal', 'msk1_rps6ka5']
    >>> sorted(manifest["options"]["scoring_engine"])
    ['mean_z', 'single_gene']
    """
    tested = sorted(reproduction.signatures(), key=lambda s: s.id)
    methods = sorted({s.default_method for s in tested})
    engines = {method: scoring_engine_record(method) for method in methods}
    manifest = build_manifest(
        command="reproduce",
        options={**options, "scoring_engine": engines},
        input_files=[file for cohort in cohorts for file in cohort.provenance.files],
        signatures=tested,
        seed=seed,
    )
    manifest["claim_files"] = [file.to_dict() for file in claim_files]
    return manifest


def survival_manifest(
    result: Any,
    *,
    source: str,
    cohort_files: Iterable[str | Path] = (),
    source_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Manifest of ``sigsurv survival``, built from the analysis result itself.

    The options are the result's :class:`~sigsurv.analysis.AnalysisSpec`, its signature
    and scoring method, and how the cohort was read; the inputs are the cohort's files
    and the file the signature was defined in.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis import AnalysisSpec, analyse_signature
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5",
    ...                            AnalysisSpec(horizon=60))
    >>> manifest = survival_manifest(result, source="gse1992")
    >>> manifest["options"]["analysis"]["horizon"], manifest["signatures"]
    (60.0, [{'id': 'msk1_rps6ka5', 'version': '1'}])
    """
    signature = result.signature
    files = [*cohort_files]
    if signature is not None and signature.definition_file:
        files.append(signature.definition_file)
    options = {
        "source": source,
        "signature": result.signature_id,
        "method": result.method,
        "analysis": result.spec.to_dict(),
        "scoring_engine": scoring_engine_record(result.method, result.spec.scoring.engine),
        "source_options": dict(source_options or {}),
    }
    return build_manifest(
        command="survival",
        options=options,
        input_files=files,
        signatures=[] if signature is None else [signature],
        seed=result.spec.seed,
    )


def column_manifest(
    result: Any,
    *,
    source: str,
    cohort_files: Iterable[str | Path] = (),
    source_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Manifest of ``sigsurv survival --by``: the column, the analysis and the inputs.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.column import analyse_column
    >>> manifest = column_manifest(analyse_column(load_example("gse1992"), "er"),
    ...                            source="gse1992")
    >>> manifest["options"]["by"]
    'er'
    """
    options = {
        "source": source,
        "by": result.column,
        "analysis": result.spec.to_dict(),
        "source_options": dict(source_options or {}),
    }
    return build_manifest(
        command="survival",
        options=options,
        input_files=list(cohort_files),
        signatures=[],
        seed=result.spec.seed,
    )
