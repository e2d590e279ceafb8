"""Write a figure the way journals ask for it: PNG at 300 dpi, PDF and SVG.

Files are reproducible byte for byte: no creation date in the PDF or SVG metadata and
a fixed SVG id salt.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from sigsurv.errors import OptionError

__all__ = ["FORMATS", "PNG_DPI", "save_figure"]

FORMATS = ("png", "pdf", "svg")
PNG_DPI = 300
_METADATA = {"png": None, "pdf": {"CreationDate": None}, "svg": {"Date": None}}


def save_figure(
    figure: Figure, folder: str | Path, stem: str, formats: Sequence[str] = FORMATS
) -> dict[str, Path]:
    """Write ``folder/stem.<format>`` for each format; return ``{file name: path}``.

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib.pyplot as plt
    >>> figure = plt.figure(figsize=(2, 1))
    >>> sorted(save_figure(figure, tempfile.mkdtemp(), "demo"))
    ['demo.pdf', 'demo.png', 'demo.svg']
    """
    unknown = [f for f in formats if f not in _METADATA]
    if unknown:
        raise OptionError("unknown figure format", expected=" | ".join(FORMATS), found=unknown[0])
    directory = Path(folder)
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    with matplotlib.rc_context({"svg.hashsalt": "sigsurv"}):
        for suffix in formats:
            path = directory / f"{stem}.{suffix}"
            figure.savefig(
                path, dpi=PNG_DPI if suffix == "png" else None, metadata=_METADATA[suffix]
            )
            written[path.name] = path
    return written
