"""Run every ```python block of docs/**/*.md, page by page, so the examples cannot rot.

The blocks of one page run in order in one namespace (a tutorial builds on its earlier
blocks), with the working directory set to a temporary folder. Pages whose examples need
an optional package that is not installed are skipped, saying which.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
OPTIONAL = {"anndata", "sksurv", "lifelines"}
#: Pages whose examples take more than a few seconds (cohort-wide scoring, CV, scans).
SLOW_PAGES = {"tutorials/claim.md", "tutorials/scan.md", "tutorials/pipeline.md"}


def python_blocks(text: str) -> list[str]:
    """The bodies of the ```python fenced blocks of a Markdown page, in order."""
    return [match.group(1) for match in FENCE.finditer(text)]


def _pages() -> list[object]:
    pages = [p for p in sorted(DOCS.rglob("*.md")) if python_blocks(p.read_text("utf-8"))]
    params = []
    for page in pages:
        name = page.relative_to(DOCS).as_posix()
        marks = [pytest.mark.slow] if name in SLOW_PAGES else []
        params.append(pytest.param(page, id=name, marks=marks))
    return params


def test_fence_extraction() -> None:
    text = "a\n```python\nx = 1\n```\n```yaml\ny: 2\n```\n```python\nprint(x)\n```\n"
    assert python_blocks(text) == ["x = 1\n", "print(x)\n"]


def test_docs_have_examples() -> None:
    assert sum(len(python_blocks(p.read_text())) for p in DOCS.rglob("*.md")) >= 10


@pytest.mark.parametrize("page", _pages())
def test_page_examples_run(page: Path, tmp_path: Path) -> None:
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for number, block in enumerate(blocks, start=1):
            code = compile(block, f"{page.name} (python block {number})", "exec")
            try:
                exec(code, namespace)  # the documentation's own examples
            except ModuleNotFoundError as err:
                if err.name in OPTIONAL:
                    pytest.skip(f"optional package {err.name} not installed")
                raise
    finally:
        os.chdir(cwd)


@pytest.mark.slow
def test_site_builds_strict(tmp_path: Path) -> None:
    """``mkdocs build --strict`` (warnings are errors) succeeds, API pages included."""
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    import subprocess
    import sys

    root = DOCS.parent
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    scoring = (tmp_path / "site" / "api" / "scoring" / "index.html").read_text("utf-8")
    assert "SignatureScorer" in scoring
    assert ":func:" not in scoring  # Sphinx roles rendered as code by scripts/mkdocs_hooks.py
