"""Error and warning types shared by every layer of sigsurv.

Every problem with user input raises a subclass of :class:`SigsurvInputError`.
Its one-line message names the file, the line and/or column, what was expected,
what was found and how to fix it, so the CLI can print it as a single red line
(exit code 2) and library users can catch one family of exceptions.

Problems that do not stop an analysis are reported as :class:`SigsurvWarning`
through the :mod:`warnings` module (library code never prints).
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "AnalysisError",
    "CohortValidationError",
    "CoverageError",
    "FileFormatError",
    "GeneIdentifierError",
    "OptionError",
    "SampleJoinError",
    "SignatureError",
    "SigsurvInputError",
    "SigsurvWarning",
    "UnsafeExpressionError",
]


class SigsurvInputError(ValueError):
    """Base class for every error caused by user input.

    Parameters
    ----------
    message
        What is wrong, in a few words.
    file
        The file the problem is in, if any.
    line
        1-based line number in ``file``, if known.
    column
        Column name (or 1-based column number) the problem is in, if known.
    expected
        What sigsurv expected to find.
    found
        What it found instead (shortened to 80 characters).
    hint
        How to fix it.

    Examples
    --------
    >>> err = SigsurvInputError("bad event", file="clin.tsv", line=7,
    ...                         column="OS_STATUS", expected="0/1", found="maybe")
    >>> str(err)
    "clin.tsv:7: column 'OS_STATUS': bad event; expected 0/1, found 'maybe'"
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | PathLike[str] | None = None,
        line: int | None = None,
        column: str | int | None = None,
        expected: str | None = None,
        found: object = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
        self.hint = hint
        super().__init__(self._format())

    def _format(self) -> str:
        location = ""
        if self.file is not None:
            location = self.file
            if self.line is not None:
                location += f":{self.line}"
            location += ": "
        elif self.line is not None:
            location = f"line {self.line}: "
        if self.column is not None:
            location += f"column {self.column!r}: "
        text = location + self.message
        details = []
        if self.expected is not None:
            details.append(f"expected {self.expected}")
        if self.found is not None:
            shown = repr(self.found) if isinstance(self.found, str) else str(self.found)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            details.append(f"found {shown}")
        if details:
            text += "; " + ", ".join(details)
        if self.hint:
            text += f" ({self.hint})"
        return text.replace("\n", " ")


class FileFormatError(SigsurvInputError):
    """A file cannot be read in the declared format (missing, empty, ragged, truncated...)."""


class CohortValidationError(SigsurvInputError):
    """A cohort's values break a rule (non-numeric expression, negative time, bad events...)."""


class SampleJoinError(SigsurvInputError):
    """Expression and clinical sample identifiers do not match (well enough)."""


class GeneIdentifierError(SigsurvInputError):
    """Gene identifiers cannot be harmonised (unknown identifier type, nothing mapped...)."""


class SignatureError(SigsurvInputError):
    """A signature definition (YAML, GMT or object) is invalid."""


class CoverageError(SigsurvInputError):
    """Too few of a signature's genes are present in the data to score it."""


class UnsafeExpressionError(SigsurvInputError):
    """A subgroup/filter expression uses something outside the allowed grammar."""


class OptionError(SigsurvInputError):
    """An option value is not one sigsurv accepts (unknown time unit, orientation, cut rule...)."""


class AnalysisError(SigsurvInputError):
    """The data cannot support the requested analysis (no events, one group, constant score...)."""


class SigsurvWarning(UserWarning):
    """A problem that did not stop the analysis but that the user must see."""
