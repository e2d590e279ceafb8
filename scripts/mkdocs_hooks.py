"""MkDocs hooks for sigsurv's documentation site (configured in mkdocs.yml).

The docstrings use Sphinx roles (``:func:`~sigsurv.scoring.score```), which
mkdocstrings renders verbatim as ``:func:<code>~sigsurv.scoring.score</code>``. This
hook shows them as code instead: the short name for ``~`` targets, the full path
otherwise, as Sphinx would.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj|py:\w+):<code>(~?)([^<]+)</code>")


def _code(match: re.Match[str]) -> str:
    target = match.group(2)
    return f"<code>{target.rsplit('.', 1)[-1] if match.group(1) else target}</code>"


def on_page_content(html: str, **kwargs: Any) -> str:
    """Render Sphinx cross-reference roles left in docstrings as inline code."""
    return _ROLE.sub(_code, html)
