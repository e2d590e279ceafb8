"""TCGA barcodes: the patient and the sample type a barcode names.

A module of its own so that every loader can read barcodes without importing the TCGA
loader (which imports the table readers: a cycle otherwise).
"""

from __future__ import annotations

__all__ = ["patient_barcode", "sample_type_code"]


def patient_barcode(barcode: str) -> str:
    """Patient part of a TCGA barcode (first 12 characters, upper case).

    Examples
    --------
    >>> patient_barcode("tcga-a1-a0se-01a-11r-a085-13"), patient_barcode("TCGA.BH.A1FM.11B")
    ('TCGA-A1-A0SE', 'TCGA-BH-A1FM')
    """
    return str(barcode)[:12].upper().replace(".", "-")


def sample_type_code(barcode: str) -> str | None:
    """Sample type code (characters 14-15: ``01`` primary tumour, ``11`` normal...).

    Examples
    --------
    >>> sample_type_code("TCGA-A1-A0SE-01A-11R-A085-13"), sample_type_code("TCGA-A1-A0SE")
    ('01', None)
    """
    text = str(barcode)
    return text[13:15] if len(text) >= 15 else None
