"""A coordinator desk's relays of USB bundles that go wrong (review 8): a
relay the server refuses for the bundle's sake, a bundle not every current
coordinator can read, a kept file that is not the bundle imported. In every
case the desk's own work still reaches the other desk through the server,
and so does the work the desk took in by USB. And what goes right since
the profile says since when its coordinators are the same
(``coordinators_since``): a bundle made before a revocation is relayed, or
held when pulled, like one made after it. A real server on loopback and
real vaults (tests/sync/desk_world.py's ``server_desks``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from db.api import Case
from sync.bundle.org_held import relay_folder, relays
from sync.org_vault import held_profile
from tests.sync.client.sync_helpers import record_work
from tests.sync.desk_world import (
    ServerDesks,
    ack_by_usb,
    bytes_by,
    desk_push,
    desk_sync,
    export_by_usb,
    feed,
    import_by_usb,
    narratives,
    push_offline,
    revoke,
    server_desks,
    stored_bytes,
    worker_push,
)
from tests.sync.desk_world import (
    desk_added_after_the_worker as desk_added_after_the_worker,  # for other modules
)

desks = server_desks  # the fixture, under the name the tests ask for
usb_bundle = export_by_usb  # the name tests/sync/test_desk_revoked_after_upload.py imports


def test_a_relay_of_a_worker_revoked_since_the_import_is_set_aside_and_the_desk_still_pushes(
    desks: ServerDesks, tmp_path: Path
) -> None:
    kyiv, lviv, first = desks.kyiv, desks.lviv, desks.first
    desks.registered(first)
    work = record_work(first, tmp_path, "before-seizure", size=5_000)
    made, profile = export_by_usb(first, tmp_path / "stick")
    import_by_usb(kyiv, made.path, profile.org_id)
    assert [r.bundle_id for r in relays(kyiv)] == [made.bundle_id]
    # The worker's laptop is seized: the organisation revokes it.
    revoke(kyiv, first.device_id, publish=True)
    own = kyiv.cases.create(Case(title="Kyiv's case after the revocation"))

    # The server refuses the relay for its maker's sake, not Kyiv's: Kyiv is
    # not told it was revoked, sets that relay aside for good and still
    # makes and delivers its own bundle.
    shared = desk_push(kyiv)
    assert shared.relays_set_aside == [(made.bundle_id, "bundle-device-revoked")]
    assert shared.relayed == [] and relays(kyiv) == []
    assert shared.made is not None and shared.sent == [shared.made.bundle_id]
    desk_sync(kyiv)  # the next rounds are clean (before: sync-device-revoked, every round)

    desk_sync(lviv)
    assert own.title in {c.title for c in lviv.cases.list()}
    # What Kyiv took in from the revoked worker stays at Kyiv: Lviv refuses
    # a revoked device's revisions, and would have refused Kyiv's whole
    # bundle for them (bundle-signer).
    assert work.narrative in narratives(kyiv)
    assert work.narrative not in narratives(lviv)


def test_a_usb_bundle_made_under_an_older_profile_reaches_a_desk_added_since(tmp_path: Path) -> None:
    with desk_added_after_the_worker(tmp_path) as (kyiv, lviv, worker):
        work = record_work(worker, tmp_path, "offline", size=5_000)
        made, profile = export_by_usb(worker, tmp_path / "stick")
        assert [c.device_id for c in profile.coordinators] == [kyiv.device_id]  # Lviv cannot read it
        import_by_usb(kyiv, made.path, profile.org_id)
        assert relays(kyiv) == []  # not relayed: Lviv could not open it
        shared = desk_push(kyiv)
        assert shared.made is not None and shared.made.blobs == 1  # the worker's evidence, in Kyiv's bundle
        desk_sync(lviv)
        assert work.narrative in narratives(lviv)
        assert stored_bytes(lviv, work.evidence) == work.evidence


def test_a_pulled_bundle_made_under_an_older_profile_reaches_a_desk_added_since(tmp_path: Path) -> None:
    with desk_added_after_the_worker(tmp_path) as (kyiv, lviv, worker):
        work = record_work(worker, tmp_path, "spooled", size=5_000)
        push_offline(worker)  # made into the worker's spool, under the profile it holds
        assert held_profile(worker).version < held_profile(kyiv).version  # type: ignore[union-attr]
        assert worker_push(worker).sent  # delivered later, as it was made
        desk_sync(kyiv)  # pulls it, and pushes what Lviv cannot read of it
        desk_sync(lviv)
        assert work.narrative in narratives(lviv)


def test_a_usb_bundle_made_before_a_desk_was_added_is_not_relayed_after_a_later_revocation(
    tmp_path: Path,
) -> None:
    """Still conservative where it must be: a revocation after Lviv was
    added keeps the coordinators' version (``coordinators_since``), and the
    worker's bundle is older than that."""
    with desk_added_after_the_worker(tmp_path) as (kyiv, lviv, worker):
        signed = revoke(kyiv, "f" * 32, publish=True, tell=[lviv])  # a lost laptop, not this worker's
        work = record_work(worker, tmp_path, "offline", size=5_000)
        made, profile = export_by_usb(worker, tmp_path / "stick")
        assert profile.version < signed.profile.coordinators_since < signed.profile.version
        import_by_usb(kyiv, made.path, profile.org_id)
        assert relays(kyiv) == []  # Lviv could not open it
        desk_sync(kyiv)
        desk_sync(lviv)
        assert work.narrative in narratives(lviv)


def revoke_another_device(desks: ServerDesks) -> int:
    """The organisation revokes the second worker's laptop (lost): a new
    profile version with the same coordinators, which both desks hold and
    the first worker, out in the field, does not. Its version."""
    signed = revoke(desks.kyiv, desks.second.device_id, publish=True, tell=[desks.lviv])
    assert signed.profile.coordinators_since < signed.profile.version  # the coordinators did not change
    return signed.profile.version


def test_a_usb_bundle_made_before_a_revocation_is_relayed_and_the_workers_next_is_taken(
    desks: ServerDesks, tmp_path: Path
) -> None:
    """Before coordinators_since, a bundle made under any older version was
    not relayed: its work went in Kyiv's own bundle without the worker's
    custody events, and Lviv refused the worker's next bundle, which starts
    after what Kyiv acknowledged by USB (``bundle-custody``)."""
    kyiv, lviv, first = desks.kyiv, desks.lviv, desks.first
    desks.registered(first)
    newest = revoke_another_device(desks)
    work = record_work(first, tmp_path, "usb", size=300_000)
    made, profile = export_by_usb(first, tmp_path / "stick")
    assert profile.version < newest  # made under the profile before the revocation
    import_by_usb(kyiv, made.path, profile.org_id)
    ack_by_usb(kyiv, first, made.bundle_id)  # --ack-to
    assert [r.bundle_id for r in relays(kyiv)] == [made.bundle_id]

    desk_sync(kyiv)
    desk_sync(lviv)
    assert work.narrative in narratives(lviv)
    received = lviv.sync.received_bundle(made.bundle_id)
    assert received is not None and received.sequence == made.sequence  # the worker's own file
    assert bytes_by(feed(kyiv), kyiv.device_id) < 64 * 1024  # its evidence did not travel again

    later = record_work(first, tmp_path, "later", size=20_000)
    assert worker_push(first).sent
    desk_sync(lviv)
    assert later.narrative in narratives(lviv)
    assert lviv.sync.device(first.device_id).last_sequence == made.sequence + 1  # type: ignore[union-attr]
    report = lviv.verify()
    assert report.ok, report.problems


def test_a_pulled_bundle_made_before_a_revocation_is_held_by_the_organisation(
    desks: ServerDesks, tmp_path: Path
) -> None:
    """Before coordinators_since, each desk that pulled it uploaded its
    contents again in its own bundle."""
    kyiv, lviv, first = desks.kyiv, desks.lviv, desks.first
    desks.registered(first)
    newest = revoke_another_device(desks)
    work = record_work(first, tmp_path, "spooled", size=300_000)
    push_offline(first)  # made into the worker's spool, under the profile it holds
    assert held_profile(first).version < newest  # type: ignore[union-attr]
    assert worker_push(first).sent  # delivered later, as it was made
    for _ in range(2):
        desk_sync(kyiv)
        desk_sync(lviv)
    changes = feed(kyiv)
    for desk in (kyiv, lviv):
        assert work.narrative in narratives(desk)
        assert bytes_by(changes, desk.device_id) < 64 * 1024  # not the worker's evidence again


def test_a_relay_file_that_is_not_the_imported_bundle_is_never_uploaded(
    desks: ServerDesks, tmp_path: Path
) -> None:
    kyiv, lviv, first, second = desks.kyiv, desks.lviv, desks.first, desks.second
    desks.registered(first)
    work = record_work(first, tmp_path, "usb", size=5_000)
    made, profile = export_by_usb(first, tmp_path / "stick")
    import_by_usb(kyiv, made.path, profile.org_id)
    # The kept copy changed on disk after the import: here another valid
    # bundle, the second worker's, in its place.
    other, _ = export_by_usb(second, tmp_path / "stick2")
    shutil.copyfile(other.path, relay_folder(kyiv) / f"{made.bundle_id}.fvbundle")
    own = kyiv.cases.create(Case(title="Kyiv's case after the swap"))

    shared = desk_push(kyiv)
    assert shared.relays_set_aside == [(made.bundle_id, "relay-file-changed")]
    assert relays(kyiv) == [] and shared.made is not None and shared.sent == [shared.made.bundle_id]
    assert other.bundle_id not in {c["bundle_id"] for c in feed(kyiv)}  # never uploaded
    desk_sync(kyiv)  # the next rounds are clean (before: sync-garbage, every round)
    desk_sync(lviv)
    assert own.title in {c.title for c in lviv.cases.list()}
    # What Kyiv imported from the stick travelled in its own bundle.
    assert work.narrative in narratives(lviv)


def test_the_relayed_file_is_the_copy_the_import_read(desks: ServerDesks, tmp_path: Path) -> None:
    kyiv, lviv, first = desks.kyiv, desks.lviv, desks.first
    desks.registered(first, lviv=False)
    work = record_work(first, tmp_path, "usb", size=5_000)
    made, profile = export_by_usb(first, tmp_path / "stick")
    on_stick = made.path.read_bytes()
    import_by_usb(kyiv, made.path, profile.org_id)
    kept = relay_folder(kyiv) / f"{made.bundle_id}.fvbundle"
    assert kept.read_bytes() == on_stick  # copied before the import, not read again after
    assert [p.name for p in relay_folder(kyiv).iterdir()] == [kept.name]  # no temp left
    made.path.write_bytes(b"the stick now answers something else")
    assert desk_push(kyiv).relayed == [made.bundle_id]
    desk_sync(lviv)
    assert work.narrative in narratives(lviv)


def test_a_relay_copy_that_fails_carries_the_bundle_in_the_desks_own(
    desks: ServerDesks, tmp_path: Path
) -> None:
    kyiv, lviv, first = desks.kyiv, desks.lviv, desks.first
    desks.registered(first, lviv=False)
    work = record_work(first, tmp_path, "usb", size=5_000)
    made, profile = export_by_usb(first, tmp_path / "stick")
    # The relay folder cannot be made (a file stands at its path): the copy
    # fails, as on a full disk.
    relay_folder(kyiv).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    relay_folder(kyiv).write_bytes(b"")
    imported = import_by_usb(kyiv, made.path, profile.org_id)
    assert imported.revisions > 0 and relays(kyiv) == []  # imported, not relayed
    relay_folder(kyiv).unlink()
    shared = desk_push(kyiv)
    assert shared.made is not None and shared.made.blobs == 1  # the worker's evidence, in Kyiv's bundle
    desk_sync(lviv)
    assert work.narrative in narratives(lviv)
