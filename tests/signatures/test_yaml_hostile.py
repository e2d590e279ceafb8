"""Hostile YAML (issue 15): every case is refused cleanly, with the file and the line.

A corpus of small files, one defect each, read through every entry point that reads
YAML (signature files, seed records, the shared reader). The "billion laughs" file is
also read in a subprocess whose address space is capped at 1 GiB: before the shared
reader bounded alias expansion it ran out of memory there.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sigsurv._yaml import MAX_ALIAS_NODES, MAX_DEPTH, load_document
from sigsurv.errors import FileFormatError, SignatureError
from sigsurv.seeds import read_seed_record
from sigsurv.signatures import load_signatures, loads_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


def _laughs(key: str = "genes", width: int = 9, depth: int = 9) -> str:
    """Nested aliases: ``depth`` levels of ``width`` aliases expand to width**depth nodes."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, depth + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    lines.append(f"id: x\n{key}: *a{depth}")
    return "\n".join(lines) + "\n"


def _merge_laughs(width: int = 9, depth: int = 9) -> str:
    """The same explosion through merge keys (``<<: [*m, *m, ...]``) in a mapping."""
    lines = ["m0: &m0 {k: v}"]
    for level in range(1, depth + 1):
        lines.append(f"m{level}: &m{level} {{<<: [" + ", ".join([f"*m{level - 1}"] * width) + "]}")
    lines.append(f"id: x\nsource: *m{depth}\ngenes: [A]")
    return "\n".join(lines) + "\n"


def _nested(levels: int) -> str:
    return "id: x\ngenes: " + "[" * levels + "A" + "]" * levels + "\n"


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    line: int
    fragment: str

    def __str__(self) -> str:
        return self.name


CASES = [
    Case("billion_laughs_lists", _laughs(), 6, "aliases expand to too many nodes"),
    Case("billion_laughs_merge_keys", _merge_laughs(), 6, "aliases expand to too many nodes"),
    Case("billion_laughs_as_keys", _laughs().replace("genes: *a9", "? *a9\n: 1"), 6, "too many"),
    Case("billion_laughs_in_id", _laughs(key="name"), 6, "aliases expand to too many nodes"),
    Case("alias_inside_its_own_list", "id: x\ngenes: &g [A, *g]\n", 2, "contains it"),
    Case("alias_inside_its_own_mapping", "id: x\nsource: &s {note: *s}\ngenes: [A]\n", 2, "*s"),
    Case("alias_nested_two_levels_down", "id: x\ngenes: &g\n  - [A, [*g]]\n", 3, "contains it"),
    Case("nesting_too_deep_flow", _nested(MAX_DEPTH + 5), 2, "nested too deeply"),
    Case(
        "nesting_too_deep_block",
        "id: x\ngenes:\n"
        + "".join("  " * i + "- \n" for i in range(MAX_DEPTH + 5))
        + "  " * (MAX_DEPTH + 5)
        + "- A\n",
        2 + MAX_DEPTH,
        "nested too deeply",
    ),
    Case("duplicate_key_after_alias", "a: &a [A]\nid: x\ngenes: *a\nid: y\n", 4, "duplicate key"),
    Case(
        "anchor_defined_twice", "a: &x [A]\nid: x\ngenes: &x [*x, *x]\n", 3, "&x is defined twice"
    ),
    Case("undefined_alias", "id: x\ngenes: *nothing\n", 2, "undefined alias"),
    Case("two_documents", "id: x\ngenes: [A]\n---\nid: y\ngenes: [B]\n", 3, "single document"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_signature_file_refused_with_file_and_line(case: Case, tmp_path: Path) -> None:
    path = tmp_path / f"{case.name}.yaml"
    path.write_text(case.text, encoding="utf-8")
    with pytest.raises(SignatureError) as excinfo:
        load_signatures(path)
    err = excinfo.value
    assert type(err) is SignatureError
    assert err.file == str(path)
    assert err.line == case.line
    assert case.fragment in str(err)
    assert "\n" not in str(err)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_seed_record_refused_with_file_and_line(case: Case, tmp_path: Path) -> None:
    path = tmp_path / f"{case.name}.yaml"
    path.write_text(case.text, encoding="utf-8")
    with pytest.raises(FileFormatError) as excinfo:
        read_seed_record(path)
    assert excinfo.value.file == str(path)
    assert excinfo.value.line == case.line
    assert case.fragment in str(excinfo.value)


def test_shared_block_below_the_limit_is_read() -> None:
    """Anchors for sharing a block (as the built-in Aigner collection does) still work."""
    text = textwrap.dedent(
        """\
        signatures:
          - &first
            id: a
            endpoint: overall survival
            genes: [BCL2]
          - <<: *first
            id: b
            genes: [PTEN]
        """
    )
    first, second = loads_yaml(text)
    assert (first.endpoint, second.endpoint, second.symbols) == (
        "overall survival",
        "overall survival",
        ("PTEN",),
    )


def test_limit_counts_expanded_nodes() -> None:
    """Aliases adding exactly MAX_ALIAS_NODES nodes pass; one node more is refused."""
    block = "one: &one y\nitems: &s [" + ", ".join(["x"] * 99) + "]\n"  # 1 + 99 nodes
    aliases = ["*s"] * (MAX_ALIAS_NODES // 100)
    data, _ = load_document(block + f"copies: [{', '.join(aliases)}]\n", "ok.yaml")
    assert len(data["copies"]) == MAX_ALIAS_NODES // 100
    with pytest.raises(SignatureError, match=r"too many nodes \(at alias \*one\)"):
        load_document(block + f"copies: [{', '.join(aliases)}, *one]\n", "big.yaml")


def test_line_numbers_through_aliases() -> None:
    data, lines = load_document("shared: &s\n  - A\n  - B\nid: x\ngenes: *s\n", "s.yaml")
    assert data["genes"] == ["A", "B"]
    assert lines[("genes",)] == 5
    assert lines[("genes", 1)] == 3  # where the shared item is written


_CAPPED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from sigsurv.errors import SignatureError
from sigsurv.signatures import load_signatures
try:
    load_signatures(sys.argv[1])
except SignatureError as err:
    print("refused:", err)
else:
    print("accepted")
from sigsurv.cli import main
print("exit code", main(["signatures", "export", sys.argv[1]]))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_billion_laughs_refused_under_one_gib(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(_laughs(), encoding="utf-8")
    assert path.stat().st_size < 2048
    done = subprocess.run(
        [sys.executable, "-c", _CAPPED, str(path)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
        timeout=300,  # a hang guard, not a timing assertion
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"refused: {path}:6: YAML aliases expand to too many nodes" in done.stdout
    assert "exit code 2" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert "MemoryError" not in done.stdout + done.stderr


_TOKENS = ["a", "b", ": ", "\n", "  ", "- ", "[", "]", "{", "}", ", ", "&x ", "*x", "&y ", "*y"]
_TOKENS += ["<<: ", "? ", "1", "'q'", "#c", "---\n", "!!str ", "\t", "~"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join))
def test_accepted_documents_read_as_safe_load_does(text: str) -> None:
    """Random YAML: either a SignatureError, or exactly what PyYAML's safe loader builds."""
    try:
        data, lines = load_document(text, "r.yaml")
    except SignatureError as err:
        assert err.file == "r.yaml"
        return
    assert data == yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert all(isinstance(line, int) and line >= 1 for line in lines.values())
