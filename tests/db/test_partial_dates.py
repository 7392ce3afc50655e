"""Typed partial dates (db.partial_dates) against what the records accept (db.entities)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from db import entities
from db.partial_dates import PartialDateError, parse_partial_date

TODAY = dt.date(2024, 6, 1)
CASE_ID = "00000000-0000-4000-8000-000000000000"

# Typed the ways people type dates, and a few ways they should not.
typed_dates = st.one_of(
    st.from_regex(r"\A[0-9]{1,5}(-[0-9]{1,3}(-[0-9]{1,3})?)?\Z"),
    st.from_regex(r"\A([0-9]{1,3}[./])?[0-9]{1,3}[./][0-9]{3,5}\Z"),
    st.text(max_size=12),
)


@given(typed_dates)
def test_every_date_a_form_accepts_is_one_the_records_accept(typed: str) -> None:
    try:
        parsed = parse_partial_date(typed, today=TODAY)
    except PartialDateError as refused:
        assert refused.reason in {"format", "month", "day", "early", "future"}
        return
    entities.Incident(case_id=CASE_ID, title="t", date=parsed.iso, date_precision=parsed.precision).validate()
    entities.Testimony(case_id=CASE_ID, interview_date=parsed.iso).validate()
    assert parsed.iso <= TODAY.isoformat()
