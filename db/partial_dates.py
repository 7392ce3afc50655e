"""Dates as people type them: a year, a month or a day, often not more.

A testimony's interview date and an incident's date are *partial dates*: the
record stores ``""``, ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``db.entities``
refuses anything else), with how much of it is known. Forms and the command
line read what was typed here, so that every client accepts the same forms
and refuses impossible dates for the same reasons.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

EARLIEST_YEAR = 1900
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
# Day first, as dates are written in Ukraine: 15.03.2022, 03.2022 (or with /).
_DOTTED_DATE = re.compile(r"^(?:(\d{1,2})[./])?(\d{1,2})[./](\d{4})$")


class PartialDateError(ValueError):
    """Why a date was refused: "format", "month", "day", "early" or "future"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PartialDate:
    iso: str  # "", "YYYY", "YYYY-MM" or "YYYY-MM-DD": the stored form
    precision: str  # "unknown", "year", "month" or "day"


def parse_partial_date(text: str, today: dt.date | None = None) -> PartialDate:
    """A year, a month or a day, typed as ISO (2022, 2022-03, 2022-03-15) or day
    first (15.03.2022, 03.2022); checked against the calendar and today."""
    text = text.strip()
    if not text:
        return PartialDate("", "unknown")
    today = today or dt.date.today()
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _DOTTED_DATE.match(text):
        day, month, year = match.groups()
    else:
        raise PartialDateError("format")
    y = int(year)
    if y < EARLIEST_YEAR:
        raise PartialDateError("early")
    if month is None:
        if y > today.year:
            raise PartialDateError("future")
        return PartialDate(f"{y:04d}", "year")
    m = int(month)
    if not 1 <= m <= 12:
        raise PartialDateError("month")
    if day is None:
        if (y, m) > (today.year, today.month):
            raise PartialDateError("future")
        return PartialDate(f"{y:04d}-{m:02d}", "month")
    try:
        date = dt.date(y, m, int(day))
    except ValueError:
        raise PartialDateError("day") from None
    if date > today:
        raise PartialDateError("future")
    return PartialDate(date.isoformat(), "day")
