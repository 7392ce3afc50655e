"""The sync client's state in the vault (migration 0012; docs/vault-format.md,
"Sync state"): each bundle's delivery to the organisation's server — the tus
upload being resumed, then the server's signed receipt — and a few values
the client remembers between runs (the server's receipt key, a coordinator's
changes cursor). Each method is one short transaction: the sync worker never
holds the vault's write lock while it talks to the network.

Opaque here: receipts and values are text that sync/client checks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.chunked_ids import driver_execute
from db.model import SyncClientValue, SyncDelivery
from db.services import VaultContext

if TYPE_CHECKING:
    from db.vault import Vault


# What a read-modify-write makes of a value (None when it has none): the
# new text, or None to leave it as it is.
ValueChange = Callable[[str | None], str | None]


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Delivery:
    bundle_id: str
    upload_url: str | None  # the tus upload being resumed (None: not started)
    receipt: str | None  # the server's receipt, JSON as received (None: not delivered)
    receipt_index: int | None
    delivered_ms: int | None

    @property
    def delivered(self) -> bool:
        return self.receipt is not None


def _delivery(row: SyncDelivery) -> Delivery:
    return Delivery(row.bundle_id, row.upload_url, row.receipt, row.receipt_index, row.delivered_ms)


class SyncClientState:
    """``SyncClientState.of(vault)``: deliveries and remembered values."""

    def __init__(self, ctx: VaultContext) -> None:
        self._ctx = ctx

    @classmethod
    def of(cls, vault: Vault) -> SyncClientState:
        return cls(vault.services.context)

    def delivery(self, bundle_id: str) -> Delivery | None:
        with self._ctx.sessions() as session:
            row = session.get(SyncDelivery, bundle_id)
            return _delivery(row) if row is not None else None

    def deliveries(self) -> list[Delivery]:
        with self._ctx.sessions() as session:
            return [_delivery(r) for r in session.scalars(select(SyncDelivery))]

    def set_upload(self, bundle_id: str, upload_url: str | None) -> None:
        """Remember (or forget, None) the upload that carries ``bundle_id``."""
        with self._ctx.write_transaction("remember the upload") as session:
            row = session.get(SyncDelivery, bundle_id)
            if row is None:
                session.add(SyncDelivery(bundle_id=bundle_id, upload_url=upload_url))
            elif row.receipt is None:
                row.upload_url = upload_url

    def mark_delivered(self, bundle_id: str, receipt: str, receipt_index: int) -> Delivery:
        """The server's receipt for ``bundle_id`` (checked by the caller). A
        bundle delivered before keeps its first receipt."""
        with self._ctx.write_transaction("record the delivery") as session:
            row = session.get(SyncDelivery, bundle_id)
            if row is None:
                row = SyncDelivery(bundle_id=bundle_id)
                session.add(row)
            if row.receipt is None:
                row.receipt, row.receipt_index, row.delivered_ms = receipt, receipt_index, _now_ms()
                row.upload_url = None
            return _delivery(row)

    def value(self, name: str) -> str | None:
        # Straight to the driver (db/chunked_ids.py): an import asks for a
        # value at every bundle (sync/bundle/hand_over_in_flight.py), and
        # the ORM's identity map and row objects cost several times the read.
        with self._ctx.sessions() as session:
            row = driver_execute(
                session, "SELECT value FROM sync_client_values WHERE name = ?", (name,)
            ).first()
            return str(row[0]) if row is not None else None

    def set_value(self, name: str, value: str) -> None:
        with self._ctx.write_transaction("remember a sync value") as session:
            session.merge(SyncClientValue(name=name, value=value))

    def update_value(self, name: str, change: ValueChange) -> str | None:
        """Read value ``name`` and store what ``change`` makes of it, in one
        write transaction: no other writer (thread or process) stores the
        value in between, so nothing another one added is overwritten.
        Returns the value as stored."""
        with self._ctx.write_transaction("update a sync value") as session:
            return change_value(session, name, change)


def change_value(session: Session, name: str, change: ValueChange) -> str | None:
    """``update_value`` inside an open write transaction (``session``'s),
    as a bundle's import stores a value with the bundle."""
    row = session.get(SyncClientValue, name)
    old = row.value if row is not None else None
    new = change(old)
    if new is None:
        return old
    session.merge(SyncClientValue(name=name, value=new))
    return new
