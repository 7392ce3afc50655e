"""Keeping a revoked maker's revisions as left out is best effort (review 12
F3), and the import's progress and Cancel reach the read it needs (F2): a fault while a coordinator keeps them must not take the place of the
``device-revoked`` refusal, which is what the pull records and the GUI shows.

Real vaults through a folder standing for a USB stick. The fault is real:
an SQLite trigger in Lviv's own vault aborts every insert into
``withheld_revisions`` (as a full disk or a read-only vault would fail the
write), no component of ours is replaced."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import text

from db.api import CancelToken, withheld_revision_ids
from sync.bundle import BundleRejected
from sync.bundle.reader import check_header
from sync.bundle.vault_io import BundleCancelled, import_bundle
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_revoked_bundle_records_withheld import _revision_ids, _revoked_workers_bundle

__all__ = ["usb_desks"]  # the fixture


def test_a_fault_while_keeping_the_ids_leaves_the_refusal_and_nothing_kept(
    usb_desks: UsbDesks, caplog: pytest.LogCaptureFixture
) -> None:
    desks = usb_desks
    _worker, path = _revoked_workers_bundle(desks)
    with desks.lviv.services.context.write_transaction("test: a fault in withheld_revisions") as session:
        session.execute(
            text(
                "CREATE TRIGGER test_keeping_fails BEFORE INSERT ON withheld_revisions "
                "BEGIN SELECT RAISE(ABORT, 'test fault'); END"
            )
        )
    before = _revision_ids(desks.lviv)

    with caplog.at_level(logging.WARNING), pytest.raises(BundleRejected) as refused:
        import_bundle(desks.lviv, path, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)

    assert refused.value.kind == "device-revoked"  # before: the trigger's error escaped instead
    assert refused.value.code == "bundle-device-revoked"
    assert withheld_revision_ids(desks.lviv) == frozenset()
    assert _revision_ids(desks.lviv) == before
    bundle_id = check_header(path).bundle_id
    assert desks.lviv.sync.received_bundle(bundle_id) is None
    [line] = [r.getMessage() for r in caplog.records if r.name == "sync.bundle.vault_io"]
    assert bundle_id in line and "test fault" not in line


def test_the_imports_cancel_stops_the_read_of_a_refused_bundle_and_keeps_nothing(usb_desks: UsbDesks) -> None:
    """Review 12 F2: reading a large refused bundle to keep its ids moves the
    import's progress bar, and its Cancel stops that read (the GUI passes
    both). Cancelled: nothing kept, nothing stored; imported again, the ids
    are kept."""
    desks = usb_desks
    worker, path = _revoked_workers_bundle(desks)
    before = _revision_ids(desks.lviv)
    cancel = CancelToken()
    reported: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        reported.append((done, total))
        cancel.cancel()  # the user presses Cancel as the bar first moves

    with pytest.raises(BundleCancelled):  # before: the read ran to its end, then device-revoked
        import_bundle(
            desks.lviv,
            path,
            desks.lviv.vault_keys.age_identity(),
            org_id=desks.org.org_id,
            progress=progress,
            cancel=cancel,
        )
    assert reported  # before: the bar stood still
    assert withheld_revision_ids(desks.lviv) == frozenset()
    assert _revision_ids(desks.lviv) == before
    assert desks.lviv.sync.received_bundle(check_header(path).bundle_id) is None

    with pytest.raises(BundleRejected) as refused:
        import_bundle(desks.lviv, path, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    assert refused.value.kind == "device-revoked"
    assert withheld_revision_ids(desks.lviv) == _revision_ids(worker, worker.device_id)


def test_a_refused_bundle_read_once_is_not_read_again(usb_desks: UsbDesks) -> None:
    """Review 12 F2: a refused bundle imported again (a stick's folder, each
    time) is refused from its header alone once its ids were kept: the read,
    seen through the import's progress, does not run again. A damaged copy
    refused on its payload does not stop the sound one's read."""
    desks = usb_desks
    worker, path = _revoked_workers_bundle(desks)
    identity = desks.lviv.vault_keys.age_identity()
    damaged = desks.tmp_path / "damaged.fvbundle"
    data = bytearray(path.read_bytes())
    data[-20] ^= 1
    damaged.write_bytes(bytes(data))

    def imported(bundle: Path) -> int:
        reported: list[int] = []
        with pytest.raises(BundleRejected) as refused:
            import_bundle(
                desks.lviv,
                bundle,
                identity,
                org_id=desks.org.org_id,
                progress=lambda d, _t: reported.append(d),
            )
        assert refused.value.kind == "device-revoked"
        return len(reported)

    assert imported(damaged) > 0
    assert withheld_revision_ids(desks.lviv) == frozenset()
    assert imported(path) > 0
    kept = withheld_revision_ids(desks.lviv)
    assert kept == _revision_ids(worker, worker.device_id)
    assert imported(path) == 0  # before: read (and decrypted, hashed) again at every import
    assert withheld_revision_ids(desks.lviv) == kept
