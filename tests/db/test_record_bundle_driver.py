"""VaultImport.record_bundle and is_imported read and write through the
driver (H6, session 16): they answer and store as the ORM code did, and an
object of those rows the import's session loaded before reads the new
values afterwards, not stale ones."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from db.errors import ImportRejected
from db.model import KnownDevice, QuarantinedBundle, ReceivedBundle
from db.vault import Vault
from tests.db.sync_fixtures import FieldWork, field_fixture  # noqa: F401 - the fixture "field"


def held(bundle_id: str, device_id: str, status: str = "held") -> QuarantinedBundle:
    return QuarantinedBundle(
        bundle_id=bundle_id,
        device_id=device_id,
        device_key=b"\x00" * 32,
        age_recipient=None,
        sequence=3,
        reason="device-unknown",
        token_id=None,
        path="/nowhere",
        received_ms=1,
        status=status,
        decided_ms=None,
    )


def test_what_record_bundle_stores_and_what_loaded_objects_read_after(vault: Vault, field: FieldWork) -> None:
    vault.sync.put_device(field.as_device())
    device_id = field.as_device().device_id
    first, second, third = "a" * 64, "b" * 64, "c" * 64
    with vault.sync.begin_import() as unit:
        session = unit._session
        session.add(held(second, device_id))
        session.add(held(third, device_id, status="received"))
        session.flush()
        device = session.get(KnownDevice, device_id)
        waiting = session.get(QuarantinedBundle, second)
        other = session.get(QuarantinedBundle, third)
        assert device is not None and waiting is not None and other is not None
        assert device.last_sequence == 0 and not unit.is_imported(second)

        unit.record_bundle(second, device_id, 5, None, first, ((2, 4),))
        # The objects loaded before read what the driver wrote.
        assert (device.last_sequence, device.last_bundle_id) == (5, second)
        assert waiting.status == "approved" and waiting.decided_ms is not None
        assert other.status == "received" and other.decided_ms is None  # only a held one is marked
        assert unit.is_imported(second)
        row = session.get(ReceivedBundle, second)
        assert row is not None
        assert (row.device_id, row.sequence, row.custody_head, row.previous, row.addressed) == (
            device_id,
            5,
            None,
            first,
            "[[2, 4]]",
        )
        # An older number (a late bundle filling a gap) moves nothing back.
        unit.record_bundle(first, device_id, 2, on_word=True)
        assert (device.last_sequence, device.last_bundle_id) == (5, second)
        # Recording the same bundle again (a replay's word) stores no second row.
        unit.record_bundle(second, device_id, 5)
    with vault.sync.begin_import() as unit:
        rows = unit._session.execute(
            text("SELECT bundle_id, sequence, addressed FROM received_bundles ORDER BY sequence")
        ).all()
        assert [tuple(r) for r in rows] == [(first, 2, None), (second, 5, "[[2, 4]]")]
        assert unit.is_imported(first) and not unit.is_imported(third)


def test_is_imported_sees_a_row_the_session_has_not_flushed(vault: Vault, field: FieldWork) -> None:
    vault.sync.put_device(field.as_device())
    with vault.sync.begin_import() as unit:
        unit._session.add(
            ReceivedBundle(
                bundle_id="d" * 64,
                device_id=field.as_device().device_id,
                sequence=1,
                custody_head=None,
                imported_ms=1,
                previous=None,
                addressed=None,
            )
        )
        assert unit.is_imported("d" * 64)


def test_refusals_leave_nothing_recorded(vault: Vault, field: FieldWork) -> None:
    vault.sync.put_device(field.as_device())
    device_id = field.as_device().device_id
    with vault.sync.begin_import() as unit:
        unit.record_bundle("a" * 64, device_id, 1)
    for bundle_id, device, sequence, head, reason in (
        ("b" * 64, device_id, 1, None, "fork"),
        ("b" * 64, "0" * 32, 2, None, "device unknown"),
        ("b" * 64, device_id, 2, "e" * 64, "custody head missing"),
    ):
        with pytest.raises(ImportRejected) as refused, vault.sync.begin_import() as unit:
            unit.record_bundle(bundle_id, device, sequence, head)
        assert refused.value.reason == reason and refused.value.code == "bundle-rejected"
    with pytest.raises(ValueError), vault.sync.begin_import() as unit:
        unit.record_bundle("not hex", device_id, 2)
    with vault.sync.begin_import() as unit:
        assert not unit.is_imported("b" * 64)
        known = unit._session.get(KnownDevice, device_id)
        assert known is not None and (known.last_sequence, known.last_bundle_id) == (1, "a" * 64)
