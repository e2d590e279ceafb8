"""Gene symbols that a spreadsheet turned into dates (``SEPT9`` -> ``9-Sep``)."""

from __future__ import annotations

import re

from sigsurv.cohorts.genes._table import _Lookup, _symbol_or_alias

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# spellings a gene symbol can start with that Excel reads as a month
_MONTH_PREFIXES: dict[int, tuple[str, ...]] = {
    number: tuple(dict.fromkeys((name[:3].upper(), name.upper())))
    for number, name in enumerate(_MONTHS, start=1)
}
_MONTH_PREFIXES[3] += ("MARC",)  # MARC1/MARC2 (now MTARC1/2) were renamed for this reason
_MONTH_PREFIXES[9] += ("SEPT",)  # SEPT1..SEPT14 (now SEPTIN*)
_SEP = r"[-/ .]"
_DAY_MONTH_RE = re.compile(rf"^([0-9]{{1,2}}){_SEP}([A-Za-z]{{3,9}})\.?(?:{_SEP}[0-9]{{2,4}})?$")
_MONTH_DAY_RE = re.compile(rf"^([A-Za-z]{{3,9}})\.?{_SEP}([0-9]{{1,2}})$")
_ISO_RE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_SLASH_RE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{2}|[0-9]{4})$")


def _month_number(token: str) -> int | None:
    token = token.lower()
    for number, name in enumerate(_MONTHS, start=1):
        if len(token) >= 3 and name.startswith(token):
            return number
    return None


def _excel_date_parts(text: str) -> list[tuple[int, int]]:
    """(month, number) readings of a string that looks like an Excel date, else []."""
    readings: list[tuple[int, int]] = []
    if match := _DAY_MONTH_RE.match(text):
        month = _month_number(match.group(2))
        if month is not None:
            readings.append((month, int(match.group(1))))
    elif match := _MONTH_DAY_RE.match(text):
        month = _month_number(match.group(1))
        if month is not None:
            readings.append((month, int(match.group(2))))
    elif match := _ISO_RE.match(text):
        readings.append((int(match.group(2)), int(match.group(3))))
    elif match := _SLASH_RE.match(text):
        first, second = int(match.group(1)), int(match.group(2))
        readings.extend([(first, second), (second, first)])  # month/day or day/month
    return [(m, n) for m, n in dict.fromkeys(readings) if 1 <= m <= 12 and 1 <= n <= 31]


def _excel_candidates(text: str, lookup: _Lookup) -> list[str] | None:
    """Current symbols a date-looking string may have been (None: not a date)."""
    readings = _excel_date_parts(text)
    if not readings:
        return None
    candidates: list[str] = []
    for month, number in readings:
        for prefix in _MONTH_PREFIXES[month]:
            candidates.extend(_symbol_or_alias(f"{prefix}{number}", lookup))
    return candidates
