"""The server's metadata: engine, migrations and the typed operations the
API needs (docs/server.md, "Storage"). SQLAlchemy Core over a database URL:
a SQLite file by default, PostgreSQL for several processes. Uniqueness that
matters (a token used once, one bundle per device and sequence, one receipt
per index) is enforced by constraints, so concurrent processes agree.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from sync.server.schema import (
    acks,
    bundles,
    challenges,
    devices,
    inbox,
    org,
    rate_counts,
    receipts,
    sessions,
    uploads,
    used_tokens,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def now_ms() -> int:
    return int(time.time() * 1000)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def open_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def upgrade(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


@dataclass(frozen=True)
class OrgState:
    fingerprint: str
    org_id: str | None
    org_key: bytes | None
    version: int | None
    profile: bytes | None


@dataclass(frozen=True)
class UploadRow:
    upload_id: str
    device_id: str
    length: int
    expires_ms: int
    state: str
    bundle_id: str | None
    relay_signature: bytes | None = None  # a coordinator's relay statement (relay_statement.py)


def _upload_row(row: Any) -> UploadRow:
    signature = row.relay_signature
    return UploadRow(
        row.upload_id,
        row.device_id,
        row.length,
        row.expires_ms,
        row.state,
        row.bundle_id,
        bytes(signature) if signature is not None else None,
    )


@dataclass(frozen=True)
class BundleRow:
    bundle_id: str
    device_id: str
    sequence: int
    previous: str | None
    profile_version: int
    payload_sha256: str
    file_sha256: str
    size: int
    bundle_key: str
    upload_id: str
    state: str
    received_ms: int
    receipt_index: int | None
    relayed_by: str | None = None  # the coordinator that relayed it; None: its maker sent it


class Metadata:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- the organisation ------------------------------------------------------------

    def pin(self, fingerprint: str) -> None:
        with self.engine.begin() as conn:
            if conn.execute(select(org.c.slot)).first() is None:
                conn.execute(insert(org).values(slot=1, fingerprint=fingerprint, updated_ms=now_ms()))
            else:
                conn.execute(update(org).values(fingerprint=fingerprint, updated_ms=now_ms()))

    def org_state(self) -> OrgState | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(org)).first()
        if row is None:
            return None
        return OrgState(row.fingerprint, row.org_id, row.org_key, row.version, row.profile)

    def store_profile(self, org_id: str, org_key: bytes, version: int, profile: bytes) -> bool:
        """Keep a checked profile if it is newer than the held one (compare
        and set: of two processes storing at once, the newer wins)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(org)
                .where((org.c.version.is_(None)) | (org.c.version < version))
                .values(org_id=org_id, org_key=org_key, version=version, profile=profile, updated_ms=now_ms())
            )
            return result.rowcount == 1

    # -- devices and tokens ----------------------------------------------------------

    def device_key(self, device_id: str) -> bytes | None:
        with self.engine.connect() as conn:
            key: bytes | None = conn.execute(
                select(devices.c.device_key).where(devices.c.device_id == device_id)
            ).scalar()
        return key

    def enrol(self, device_id: str, device_key: bytes, token_id: str, expires_ms: int) -> str:
        """Record the token as used and the device as enrolled, in one
        transaction. Returns "enrolled", "again" (this device already used
        this token: a retry) or "used" (the token is someone else's)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(used_tokens).values(
                        token_id=token_id, device_id=device_id, used_ms=now_ms(), expires_ms=expires_ms
                    )
                )
                if conn.execute(select(devices.c.device_id).where(devices.c.device_id == device_id)).first():
                    return "enrolled"  # known already (an earlier token): the new one is spent too
                conn.execute(
                    insert(devices).values(
                        device_id=device_id, device_key=device_key, token_id=token_id, enrolled_ms=now_ms()
                    )
                )
                return "enrolled"
        except IntegrityError:
            with self.engine.connect() as conn:
                holder = conn.execute(
                    select(used_tokens.c.device_id).where(used_tokens.c.token_id == token_id)
                ).scalar()
            return "again" if holder == device_id else "used"

    # -- login -------------------------------------------------------------------------

    def add_challenge(self, challenge: str, device_id: str, expires_ms: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(challenges).where(challenges.c.expires_ms < now_ms()))
            conn.execute(
                insert(challenges).values(challenge=challenge, device_id=device_id, expires_ms=expires_ms)
            )

    def take_challenge(self, challenge: str, device_id: str) -> bool:
        """Spend a challenge: true once, for its device, before it expires."""
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(challenges).where(
                    challenges.c.challenge == challenge,
                    challenges.c.device_id == device_id,
                    challenges.c.expires_ms >= now_ms(),
                )
            )
            return result.rowcount == 1

    def add_session(self, token_sha256: str, device_id: str, expires_ms: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_ms < now_ms()))
            conn.execute(
                insert(sessions).values(token_sha256=token_sha256, device_id=device_id, expires_ms=expires_ms)
            )

    def session_device(self, token_sha256: str) -> str | None:
        with self.engine.connect() as conn:
            device: str | None = conn.execute(
                select(sessions.c.device_id).where(
                    sessions.c.token_sha256 == token_sha256, sessions.c.expires_ms >= now_ms()
                )
            ).scalar()
        return device

    # -- uploads -----------------------------------------------------------------------

    def add_upload(
        self,
        upload_id: str,
        device_id: str,
        length: int,
        expires_ms: int,
        relay_signature: bytes | None = None,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(uploads).values(
                    upload_id=upload_id,
                    device_id=device_id,
                    length=length,
                    created_ms=now_ms(),
                    expires_ms=expires_ms,
                    state="receiving",
                    relay_signature=relay_signature,
                )
            )

    def upload(self, upload_id: str) -> UploadRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(uploads).where(uploads.c.upload_id == upload_id)).first()
        return _upload_row(row) if row is not None else None

    def set_upload_state(self, upload_id: str, state: str, bundle_id: str | None = None) -> None:
        """End an upload ("done" or "refused"): its relay statement, checked
        or not, is dropped with it (server.md §6)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(uploads)
                .where(uploads.c.upload_id == upload_id)
                .values(state=state, bundle_id=bundle_id, relay_signature=None)
            )

    def remove_upload(self, upload_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(uploads).where(uploads.c.upload_id == upload_id))

    def receiving_uploads(self) -> list[UploadRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(uploads).where(uploads.c.state == "receiving")).all()
        return [_upload_row(r) for r in rows]

    def expired_uploads(self, now: int) -> list[str]:
        """Partial uploads past their expiry, and refused ones: a refused
        upload's row is kept only until then (its device hears 410 on HEAD
        meanwhile), so refusals do not grow the table without bound."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(uploads.c.upload_id).where(
                        uploads.c.state.in_(("receiving", "refused")), uploads.c.expires_ms < now
                    )
                ).scalars()
            )

    def expired_finished_uploads(self, now: int) -> list[str]:
        """Finished uploads past their expiry whose bundle is committed: the
        row only answers a resuming device's HEAD, and a device that asks
        after this hears 404, starts again and is answered with the bundle
        stored before. A bundle still staged (a crash before its commit)
        keeps its upload's row, which its bytes are staged under."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(uploads.c.upload_id).where(
                        uploads.c.state == "done",
                        uploads.c.expires_ms < now,
                        select(bundles.c.bundle_id)
                        .where(bundles.c.bundle_id == uploads.c.bundle_id, bundles.c.state == "committed")
                        .exists(),
                    )
                ).scalars()
            )

    # -- bundles -----------------------------------------------------------------------

    def claim_bundle(self, row: BundleRow, addressee: str | None = None) -> BundleRow:
        """Claim (device, sequence) for a bundle in state "staged", or return
        the bundle that holds it already (a retry, or a conflict). A bundle
        with an ``addressee`` is filed in that device's inbox in the same
        transaction: it is never committed without being filed, so the
        coordinators' changes feed never lists it."""
        values = {name: getattr(row, name) for name in BundleRow.__dataclass_fields__}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(bundles).values(**values))
                if addressee is not None:
                    conn.execute(insert(inbox).values(bundle_id=row.bundle_id, addressee=addressee))
                conn.execute(
                    update(uploads)
                    .where(uploads.c.upload_id == row.upload_id)
                    .values(state="done", bundle_id=row.bundle_id, relay_signature=None)
                )
            return row
        except IntegrityError:
            held = self.bundle_at(row.device_id, row.sequence) or self.bundle(row.bundle_id)
            if held is None:  # vanished between the two reads: cannot happen without deletes
                raise
            return held

    def _bundle_where(self, *where: Any) -> BundleRow | None:
        with self.engine.connect() as conn:
            found = conn.execute(select(bundles).where(*where)).first()
        return BundleRow(**found._mapping) if found is not None else None

    def bundle(self, bundle_id: str) -> BundleRow | None:
        return self._bundle_where(bundles.c.bundle_id == bundle_id)

    def bundle_at(self, device_id: str, sequence: int) -> BundleRow | None:
        return self._bundle_where(bundles.c.device_id == device_id, bundles.c.sequence == sequence)

    def staged_bundles(self) -> list[BundleRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(bundles).where(bundles.c.state == "staged")).all()
        return [BundleRow(**r._mapping) for r in rows]

    def commit_bundle(self, bundle_id: str, make_entry: Any) -> int:
        """Append the bundle's receipt to the log and mark it committed, in
        one transaction; ``make_entry(index, previous)`` gives (entry bytes,
        entry sha256, signature). Returns the receipt index. Two processes
        appending at once collide on the index and the loser retries."""
        for _attempt in range(50):
            try:
                with self.engine.begin() as conn:
                    held = conn.execute(
                        select(bundles.c.receipt_index).where(bundles.c.bundle_id == bundle_id)
                    ).scalar()
                    if held is not None:
                        return int(held)
                    last = conn.execute(
                        select(receipts.c.idx, receipts.c.entry_sha256)
                        .order_by(receipts.c.idx.desc())
                        .limit(1)
                    ).first()
                    index = (last.idx + 1) if last is not None else 1
                    previous = last.entry_sha256 if last is not None else "0" * 64
                    entry, entry_sha256, signature = make_entry(index, previous)
                    conn.execute(
                        insert(receipts).values(
                            idx=index,
                            bundle_id=bundle_id,
                            entry=entry,
                            entry_sha256=entry_sha256,
                            signature=signature,
                        )
                    )
                    conn.execute(
                        update(bundles)
                        .where(bundles.c.bundle_id == bundle_id)
                        .values(state="committed", receipt_index=index)
                    )
                    return index
            except IntegrityError:
                time.sleep(0.01)
        raise RuntimeError("could not append to the receipt log")

    def receipt(self, index: int) -> tuple[bytes, bytes] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(receipts.c.entry, receipts.c.signature).where(receipts.c.idx == index)
            ).first()
        return (row.entry, row.signature) if row is not None else None

    def receipts_from(self, start: int, limit: int) -> list[tuple[int, bytes, bytes]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(receipts.c.idx, receipts.c.entry, receipts.c.signature)
                .where(receipts.c.idx >= start)
                .order_by(receipts.c.idx)
                .limit(limit)
            ).all()
        return [(r.idx, r.entry, r.signature) for r in rows]

    def changes(self, cursor: int, limit: int, coordinator_id: str) -> list[tuple[BundleRow, bool]]:
        """Committed bundles whose receipt index is above ``cursor``, in log
        order, each with whether this coordinator acknowledged it."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(bundles, acks.c.acked_ms)
                .select_from(
                    bundles.outerjoin(
                        acks,
                        (acks.c.bundle_id == bundles.c.bundle_id) & (acks.c.coordinator_id == coordinator_id),
                    )
                )
                .where(
                    bundles.c.state == "committed",
                    bundles.c.receipt_index > cursor,
                    # A field worker's inbox is not the coordinators' feed.
                    ~select(inbox.c.bundle_id).where(inbox.c.bundle_id == bundles.c.bundle_id).exists(),
                )
                .order_by(bundles.c.receipt_index)
                .limit(limit)
            ).all()
        result = []
        for r in rows:
            values = dict(r._mapping)
            acked = values.pop("acked_ms") is not None
            result.append((BundleRow(**values), acked))
        return result

    def inbox(self, addressee: str, cursor: int, limit: int) -> list[tuple[BundleRow, bool]]:
        """Committed bundles filed for ``addressee`` whose receipt index is
        above ``cursor``, in log order, each with whether it was taken."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(bundles, inbox.c.taken_ms)
                .select_from(bundles.join(inbox, inbox.c.bundle_id == bundles.c.bundle_id))
                .where(
                    inbox.c.addressee == addressee,
                    bundles.c.state == "committed",
                    bundles.c.receipt_index > cursor,
                )
                .order_by(bundles.c.receipt_index)
                .limit(limit)
            ).all()
        result = []
        for r in rows:
            values = dict(r._mapping)
            taken = values.pop("taken_ms") is not None
            result.append((BundleRow(**values), taken))
        return result

    def addressee_of(self, bundle_id: str) -> str | None:
        """The device a bundle is filed for, or None (not an inbox bundle)."""
        with self.engine.connect() as conn:
            found: str | None = conn.execute(
                select(inbox.c.addressee).where(inbox.c.bundle_id == bundle_id)
            ).scalar()
        return found

    def take(self, bundle_id: str) -> None:
        """The addressee imported the bundle (the first time counts)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(inbox)
                .where(inbox.c.bundle_id == bundle_id, inbox.c.taken_ms.is_(None))
                .values(taken_ms=now_ms())
            )

    def ack(self, bundle_id: str, coordinator_id: str, signed: bytes | None = None) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(acks).values(
                        bundle_id=bundle_id, coordinator_id=coordinator_id, acked_ms=now_ms(), signed=signed
                    )
                )
        except IntegrityError:
            # Acknowledged before: that changes nothing, except that a signed
            # acknowledgement file given now is kept if none was.
            if signed is not None:
                with self.engine.begin() as conn:
                    conn.execute(
                        update(acks)
                        .where(
                            (acks.c.bundle_id == bundle_id)
                            & (acks.c.coordinator_id == coordinator_id)
                            & acks.c.signed.is_(None)
                        )
                        .values(signed=signed)
                    )

    def signed_acks(self, bundle_id: str) -> list[bytes]:
        """The coordinators' signed acknowledgement files of a bundle, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(acks.c.signed)
                .where((acks.c.bundle_id == bundle_id) & acks.c.signed.is_not(None))
                .order_by(acks.c.acked_ms, acks.c.coordinator_id)
            ).scalars()
            return [bytes(row) for row in rows]

    def acked_by(self, bundle_id: str) -> list[str]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(select(acks.c.coordinator_id).where(acks.c.bundle_id == bundle_id)).scalars()
            )

    def count(self, table: Any) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    def count_request(self, device_id: str, window_ms: int) -> tuple[int, int]:
        """Count one request of ``device_id`` in the minute starting at
        ``window_ms``; returns (this window's count, the previous one's).
        Windows older than the previous one are dropped on the way."""
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
        counted = upsert(rate_counts).values(device_id=device_id, window_ms=window_ms, count=1)
        statement = counted.on_conflict_do_update(
            index_elements=[rate_counts.c.device_id, rate_counts.c.window_ms],
            set_={"count": rate_counts.c.count + 1},
        ).returning(rate_counts.c.count)
        with self.engine.begin() as conn:
            current = int(conn.execute(statement).scalar_one())
            previous = conn.execute(
                select(rate_counts.c.count).where(
                    (rate_counts.c.device_id == device_id) & (rate_counts.c.window_ms == window_ms - 60_000)
                )
            ).scalar_one_or_none()
            if current == 1:  # the first request of a device's window: forget every older window
                conn.execute(delete(rate_counts).where(rate_counts.c.window_ms < window_ms - 60_000))
        return current, int(previous or 0)
