"""The import's small lookups through the driver (db/chunked_ids.py
``driver_execute``, ``ids_among``; session 14, issue 14's merge benchmark)
answer as the SQLAlchemy statements they replaced: they see what the
session added and has not flushed (as autoflush made the ORM statements
see it), and a plain column's ``values_among`` finds what the ORM query
finds, across more ids than one chunk."""

from __future__ import annotations

from sqlalchemy import select

from db.api import Device, OrgProfile, Vault
from db.chunked_ids import CHUNK, driver_execute, ids_among, values_among
from db.hlc import Timestamp
from db.model import KnownDevice, OrgProfileRow, ReceivedBundle, WithheldRevision
from db.parked import any_parked
from db.store import latest_reading, load_clock, save_clock
from db.sync_state import _device, _received


def _withheld(number: int, learned: str) -> WithheldRevision:
    return WithheldRevision(
        revision_id=f"{number:064x}",
        entity_id=f"00000000-0000-4000-8000-{number:012x}",
        device_id="ab" * 16,
        withheld_ms=1,
        learned=learned,
    )


def test_lookups_see_rows_the_session_has_not_flushed(vault: Vault) -> None:
    with vault.services.context.sessions() as session:
        session.add(_withheld(1, "left-out"))
        session.add(_withheld(2, "set-aside"))
        # Nothing flushed yet: the driver lookups flush first, as autoflush did.
        assert ids_among(session, "withheld_revisions", "revision_id", [f"{1:064x}", f"{2:064x}"]) == {
            f"{1:064x}",
            f"{2:064x}",
        }
        assert ids_among(
            session,
            "withheld_revisions",
            "revision_id",
            [f"{1:064x}", f"{2:064x}"],
            "learned = ?",
            ("set-aside",),
        ) == {f"{2:064x}"}
        assert driver_execute(session, "SELECT count(*) FROM withheld_revisions").scalar_one() == 2
        assert not any_parked(session)
        session.rollback()


def test_values_among_through_the_driver_finds_what_the_orm_finds(vault: Vault) -> None:
    held = range(0, 2 * CHUNK + 10, 3)  # every third id held, over three chunks
    asked = [f"{n:064x}" for n in range(2 * CHUNK + 10)] + ["not-an-id", f"{1:064x}"]  # a repeat too
    with vault.services.context.sessions() as session:
        session.add_all(_withheld(n, "left-out") for n in held)
        session.flush()
        by_orm = set(
            session.scalars(
                select(WithheldRevision.revision_id).where(WithheldRevision.revision_id.in_(asked))
            )
        )
        found = values_among(session, WithheldRevision.revision_id, asked)
        assert found == by_orm == {f"{n:064x}" for n in held}
        session.rollback()


def test_the_clock_reads_and_writes_through_the_driver(vault: Vault) -> None:
    with vault.services.context.write_transaction("test clock") as session:
        before = load_clock(session)
        later = Timestamp(before.ms + 1_000, 7)
        save_clock(session, later)
        assert load_clock(session) == later
        save_clock(session, Timestamp(later.ms, 8))  # the row is updated, not added again
        assert load_clock(session) == Timestamp(later.ms, 8)
        assert driver_execute(session, "SELECT count(*) FROM clock").scalar_one() == 1
        assert latest_reading(session, vault.device_id, later.ms) >= Timestamp(later.ms, 8)


def test_the_imports_sync_state_reads_answer_as_the_orm_did(vault: Vault) -> None:
    # vault.sync's org_profile, device and received_bundle (session 16): each
    # bundle's import asks them before its write lock, through the driver now.
    sync = vault.sync
    assert sync.org_profile() is None
    assert sync.device("ab" * 16) is None
    assert sync.received_bundle("cd" * 32) is None
    sync.set_org_profile(OrgProfile(3, b"\x00signed\xff" * 40))
    devices = [
        # Every nullable column empty, then every one set; a key with zero bytes in it.
        KnownDevice(
            device_id="11" * 16,
            public_key=b"\x00" * 31 + b"\x01",
            age_recipient="age1" + "q" * 58,
            role="device",
            status="pending",
            label="",
            last_sequence=0,
            last_bundle_id=None,
            updated_ms=1,
            vouched_by=None,
        ),
        KnownDevice(
            device_id="22" * 16,
            public_key=bytes(range(32)),
            age_recipient="age1" + "p" * 58,
            role="coordinator",
            status="enrolled",
            label="Київ desk",
            last_sequence=17,
            last_bundle_id="ef" * 32,
            updated_ms=2,
            vouched_by="33" * 16,
        ),
    ]
    received = [
        ReceivedBundle(bundle_id="44" * 32, device_id="11" * 16, sequence=1, imported_ms=5),
        ReceivedBundle(
            bundle_id="55" * 32,
            device_id="22" * 16,
            sequence=9,
            imported_ms=6,
            previous="66" * 32,
            custody_head="77" * 32,
            addressed="[[2,3],[5,5]]",
        ),
    ]
    with vault.services.context.write_transaction("test rows") as session:
        session.add_all([*devices, *received])
    with vault.services.context.sessions() as session:
        row = session.get(OrgProfileRow, 1)
        assert row is not None
        assert (
            sync.org_profile()
            == OrgProfile(row.version, bytes(row.signed))
            == OrgProfile(3, b"\x00signed\xff" * 40)
        )
        for device in devices:
            by_orm = session.get(KnownDevice, device.device_id)
            assert by_orm is not None
            assert sync.device(device.device_id) == _device(by_orm)
        for bundle in received:
            by_orm_bundle = session.get(ReceivedBundle, bundle.bundle_id)
            assert by_orm_bundle is not None
            assert sync.received_bundle(bundle.bundle_id) == _received(by_orm_bundle)
    assert sync.device("22" * 16) == Device(
        device_id="22" * 16,
        public_key=bytes(range(32)),
        age_recipient="age1" + "p" * 58,
        status="enrolled",
        role="coordinator",
        label="Київ desk",
        last_sequence=17,
        last_bundle_id="ef" * 32,
        vouched_by="33" * 16,
    )
    found = sync.received_bundle("55" * 32)
    assert found is not None and found.addressed == ((2, 3), (5, 5)) and found.custody_head == "77" * 32
    assert sync.received_bundle("44" * 32) == sync.received_bundles()[0]
