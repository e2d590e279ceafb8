"""Text helpers shared by the figures: p-values, wrapping to a width, time units.

Wrapping is measured with the figure's own renderer, so a title never runs past the
figure's edge whatever the font, and words are never cut (a word longer than a line
stays whole on its own line).
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.figure import Figure

from sigsurv.claims.verdicts import format_p as _format_p_value

__all__ = ["DAYS_PER_MONTH", "format_p", "p_text", "text_width_inches", "wrap_to_width"]

# A month is a twelfth of a Julian year (R's and KM-plotter's convention).
DAYS_PER_MONTH = 365.25 / 12
MONTHS_PER_UNIT = {"days": 1 / DAYS_PER_MONTH, "months": 1.0, "years": 12.0}


def p_text(p: float | None) -> str:
    """A p-value with two significant digits, ``< 0.001`` below that, ``NA`` if missing.

    The one formatting rule of the project (:func:`sigsurv.claims.verdicts.format_p`);
    a bound above 1 (e.g. the Lausen–Schumacher 1994 bound) is printed as 1.0.

    Examples
    --------
    >>> p_text(0.0535), p_text(2e-6), p_text(None), p_text(1.7)
    ('0.054', '< 0.001', 'NA', '1.0')
    """
    if p is not None and np.isfinite(p) and p > 1:
        p = 1.0
    return str(_format_p_value(p))


def format_p(p: float | None) -> str:
    """``p = 0.012`` or ``p < 0.001`` (two significant digits), ``p = NA`` when missing.

    Examples
    --------
    >>> format_p(0.0123), format_p(3e-7), format_p(0.5), format_p(None)
    ('p = 0.012', 'p < 0.001', 'p = 0.50', 'p = NA')
    """
    text = p_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def text_width_inches(figure: Figure, text: str, fontsize: float, weight: str = "normal") -> float:
    """Width of one line of text drawn on ``figure``, in inches.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> figure = plt.figure(figsize=(4, 2))
    >>> 0.3 < text_width_inches(figure, "survival", 10) < 0.9
    True
    """
    artist = figure.text(0, 0, text, fontsize=fontsize, fontweight=weight)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    width = artist.get_window_extent(renderer=renderer).width / figure.dpi
    artist.remove()
    return float(width)


def wrap_to_width(
    figure: Figure, text: str, width_inches: float, fontsize: float, weight: str = "normal"
) -> list[str]:
    """Lines of ``text`` that each fit ``width_inches`` on ``figure``; words stay whole.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> figure = plt.figure(figsize=(3, 2))
    >>> lines = wrap_to_width(figure, "relapse-free survival within 60 months", 1.5, 10)
    >>> len(lines) > 1, " ".join(lines)
    (True, 'relapse-free survival within 60 months')
    """
    if not text:
        return []
    full = text_width_inches(figure, text, fontsize, weight)
    if full <= width_inches:
        return [text]
    characters = max(8, int(len(text) * width_inches / full))
    while True:
        lines = textwrap.wrap(
            text, width=characters, break_long_words=False, break_on_hyphens=False
        )
        widest = max(text_width_inches(figure, line, fontsize, weight) for line in lines)
        if widest <= width_inches or characters <= 8:
            return lines
        characters -= max(1, characters // 12)
