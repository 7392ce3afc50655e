"""Entity ids: UUIDv7 (time-ordered, so new rows append to indexes)."""

from __future__ import annotations

import uuid6


def new_id() -> str:
    return str(uuid6.uuid7())
