"""Which of many ids a table holds, asked in chunks: one ``IN (...)`` per
``CHUNK`` ids, so that no statement nears SQLite's bound on parameters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

CHUNK = 500  # ids in one IN (...): well within SQLite's bound on parameters


def values_among(
    session: Session,
    column: InstrumentedAttribute[str],
    ids: Iterable[str],
    *conditions: ColumnElement[bool],
) -> set[str]:
    """Those of ``ids`` found in ``column`` (of rows meeting ``conditions``)."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    for at in range(0, len(wanted), CHUNK):
        query: Any = select(column).where(column.in_(wanted[at : at + CHUNK]), *conditions)
        found.update(session.scalars(query))
    return found
