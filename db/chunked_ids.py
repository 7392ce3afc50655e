"""Which of many ids a table holds, asked in chunks: one ``IN (...)`` per
``CHUNK`` ids, so that no statement nears SQLite's bound on parameters.

And the way an import's small lookups reach SQLite (``driver_execute``):
straight to the driver, with ``?`` placeholders. An import makes several
dozen of them a bundle; SQLAlchemy's handling of each cost more than the
lookup itself (measured here, 2026-11-30: an ORM select or ``session.get``
~0.5 ms of CPU, a text() statement with an expanding IN ~0.2-0.5 ms,
exec_driver_sql ~0.06 ms)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, select
from sqlalchemy.orm import InstrumentedAttribute, Session

CHUNK = 500  # ids in one IN (...): well within SQLite's bound on parameters


def driver_execute(
    session: Session, sql: str, parameters: Sequence[object] = ()
) -> CursorResult[*tuple[Any, ...]]:
    """One statement (``?`` placeholders) in ``session``'s transaction,
    straight to the driver. Pending ORM changes are flushed first, as
    session.execute's autoflush would: the statement sees them."""
    session.flush()
    return session.connection().exec_driver_sql(sql, tuple(parameters))


def marks(count: int) -> str:
    """``?,?,...``: one placeholder for each of ``count`` values of an IN (...)."""
    return ",".join("?" * count)


def ids_among(
    session: Session,
    table: str,
    column: str,
    ids: Iterable[str],
    condition: str = "",
    parameters: Sequence[object] = (),
) -> set[str]:
    """Those of ``ids`` found in ``table``.``column`` (of rows meeting the
    SQL ``condition``, whose ``?`` take ``parameters``), through the driver.
    ``table``, ``column`` and ``condition`` are the caller's constants, never
    data."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    extra = f" AND ({condition})" if condition else ""
    for at in range(0, len(wanted), CHUNK):
        chunk = wanted[at : at + CHUNK]
        rows = driver_execute(
            session,
            # Names and condition are the caller's constants; the ids are bound.
            f"SELECT {column} FROM {table} WHERE {column} IN ({marks(len(chunk))}){extra}",  # noqa: S608
            [*chunk, *parameters],
        )
        found.update(str(row[0]) for row in rows)
    return found


def values_among(
    session: Session,
    column: InstrumentedAttribute[str],
    ids: Iterable[str],
    *conditions: ColumnElement[bool],
) -> set[str]:
    """Those of ``ids`` found in ``column`` (of rows meeting ``conditions``)."""
    if not conditions:
        # The common call (a plain column of a mapped table): through the driver.
        mapped = column.property.columns[0]
        return ids_among(session, mapped.table.name, mapped.name, ids)
    wanted = sorted(set(ids))
    found: set[str] = set()
    for at in range(0, len(wanted), CHUNK):
        query: Any = select(column).where(column.in_(wanted[at : at + CHUNK]), *conditions)
        found.update(session.scalars(query))
    return found
