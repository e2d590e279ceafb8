"""Signatures with provenance: schema, built-in registry, YAML/GMT I/O, harmonisation.

>>> from sigsurv.signatures import get_signature
>>> get_signature("msk1_luminal").symbols
('RPS6KA5', 'GATA3', 'FOXA1')
"""

from sigsurv.signatures.io import (
    dumps_gmt,
    dumps_yaml,
    load_signatures,
    loads_gmt,
    loads_yaml,
    parse_direction,
    read_gmt,
    read_yaml,
    signature_from_dict,
    signature_to_dict,
    write_gmt,
    write_yaml,
)
from sigsurv.signatures.registry import (
    BUILTIN_DIR,
    SignatureHarmonisation,
    builtin_file,
    export_signature,
    get_signature,
    harmonise_signature,
    list_signatures,
    signature_summary,
    using_signatures,
)
from sigsurv.signatures.schema import (
    EVIDENCE_TAGS,
    FEATURE_TYPES,
    GENE_PROVENANCE,
    Signature,
    SignatureGene,
    SignatureSource,
)

__all__ = [
    "BUILTIN_DIR",
    "EVIDENCE_TAGS",
    "FEATURE_TYPES",
    "GENE_PROVENANCE",
    "Signature",
    "SignatureGene",
    "SignatureHarmonisation",
    "SignatureSource",
    "builtin_file",
    "dumps_gmt",
    "dumps_yaml",
    "export_signature",
    "get_signature",
    "harmonise_signature",
    "list_signatures",
    "load_signatures",
    "loads_gmt",
    "loads_yaml",
    "parse_direction",
    "read_gmt",
    "read_yaml",
    "signature_from_dict",
    "signature_summary",
    "signature_to_dict",
    "using_signatures",
    "write_gmt",
    "write_yaml",
]
