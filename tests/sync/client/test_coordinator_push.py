"""Two coordinator desks converge through the server alone (issues 11 and
14; docs/sync.md §2.3): a coordinator's sync round ends by pushing its own
work — its revisions (conflict resolutions, duplicate links, edits), its
custody chain's events, the numbers its send-backs took — and what it took
in by USB, to the other coordinators; never what it pulled from the server,
which holds that already.

A real server on loopback (TLS, pinned), real vaults: the Kyiv desk (it
created the organisation), the Lviv desk (a second coordinator of the
profile) and field workers. The Lviv desk knows the workers by their
cards (``put_device``, as a desk does from the card a worker hands over):
the vouch of the Kyiv desk's bundles for the devices it enrolled is
another change (bundle-format.md §4 ``devices``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from db.api import SYNC_SPOOL_DIR, Case, NoKeyring, Person, SyncClientState, Vault, wipe_vault
from db.api import Testimony as TestimonyRecord
from sync import org_vault
from sync.bundle.org_held import relay_folder
from sync.client.push import PushResult, queued_count
from sync.merge.devices import devices_view
from sync.merge.same_as import link_same_person
from tests.cli_helpers import Cli
from tests.sync.client.sync_helpers import CuttingProxy, organisation, record_work
from tests.sync.client.test_sync_cli import _env
from tests.sync.client.test_sync_kill import _run_then_kill, _staged_bytes
from tests.sync.desk_world import (
    ServerDesks,
    ack_by_usb,
    assert_verified,
    bytes_by,
    desk_push,
    export_by_usb,
    feed,
    heads_hash,
    import_by_usb,
    narratives,
    server_desks,
    stored_bytes,
    worker_push,
)
from tests.sync.desk_world import desk_sync as desk_sync  # also imported from here by other modules
from tests.vault_helpers import PASSPHRASE

desks = server_desks  # the fixture, under the name the tests ask for


def test_a_resolution_and_a_duplicate_link_at_one_desk_reach_the_other(desks: ServerDesks) -> None:
    kyiv, lviv, first = desks.kyiv, desks.lviv, desks.first
    case = first.cases.create(Case(title="Case of the school"))
    testimony = first.testimonies.create(
        TestimonyRecord(case_id=case.id, title="Statement W-7", narrative="The shelling began at dawn.")
    )
    one = first.persons.create(Person(case_id=case.id, name="Олександр Петренко"))
    other = first.persons.create(Person(case_id=case.id, name="Oleksandr Petrenko"))
    worker_push(first)
    desk_sync(kyiv)
    desk_sync(lviv)
    assert lviv.testimonies.get(testimony.id).title == "Statement W-7"

    # Kyiv edits the testimony while the worker edits it too: a conflict at Kyiv.
    kyiv.testimonies.edit(testimony.id, title="Statement W-7 (checked at the Kyiv desk)")
    first.testimonies.edit(testimony.id, narrative="The shelling began at dawn, near the school.")
    worker_push(first)
    desk_sync(kyiv)
    assert [c.entity_id for c in kyiv.revisions.conflicts()] == [testimony.id]
    current = kyiv.testimonies.get(testimony.id)
    kyiv.testimonies.save(current)  # the resolution: one merge revision over both heads
    assert kyiv.revisions.conflicts() == []
    link = link_same_person(kyiv, one.id, other.id, notes="same man, two spellings")
    desk_sync(kyiv)

    desk_sync(lviv)
    assert heads_hash(lviv) == heads_hash(kyiv)
    assert lviv.revisions.conflicts() == []
    assert lviv.revisions.heads()[link.id] == kyiv.revisions.heads()[link.id]
    assert_verified(kyiv, lviv)
    # Lviv holds Kyiv's custody chain and sees no gap in its numbers, though
    # Kyiv's send-backs took some of them (declared: `addressed`).
    kyiv_row = lviv.sync.device(kyiv.device_id)
    assert kyiv_row is not None and kyiv_row.last_sequence == kyiv.sync.outgoing().bundle_sequence
    [row] = [r for r in devices_view(lviv) if r.device_id == kyiv.device_id]
    assert row.gaps == ()
    # Nothing new: the next rounds make no bundle.
    before = len(feed(kyiv))
    desk_sync(kyiv)
    desk_sync(lviv)
    desk_sync(kyiv)
    assert len(feed(kyiv)) == before


def test_a_workers_usb_bundle_at_one_desk_reaches_the_other_whole(desks: ServerDesks, tmp_path: Path) -> None:
    """The worker's own file is relayed through the server (signed by the
    worker, filed under its number): the other desk gets its custody events
    and its number too, so the worker's next bundle, which starts after what
    Kyiv acknowledged by USB, goes straight in there (it was refused as
    ``bundle-custody`` when only the revisions travelled)."""
    kyiv, lviv, first = desks.kyiv, desks.lviv, desks.first
    desks.registered(first, title="Registered at the server")  # the worker's first sync
    work = record_work(first, tmp_path, "usb", size=300_000)
    made, profile = export_by_usb(first, tmp_path / "usb-stick")
    import_by_usb(kyiv, made.path, profile.org_id)
    ack_by_usb(kyiv, first, made.bundle_id)  # --ack-to
    made.path.unlink()  # the stick went home with the worker
    assert work.narrative not in narratives(lviv)

    desk_sync(kyiv)
    desk_sync(lviv)
    assert work.narrative in narratives(lviv)
    assert stored_bytes(lviv, work.evidence) == work.evidence
    received = lviv.sync.received_bundle(made.bundle_id)
    assert received is not None and received.sequence == made.sequence
    [row] = [r for r in devices_view(lviv) if r.device_id == first.device_id]
    assert row.gaps == () and row.last_sequence == made.sequence
    # On the server once: the worker's file as it made it; Kyiv's own bundle
    # does not carry the evidence again.
    changes = feed(kyiv)
    assert made.bundle_id in {c["bundle_id"] for c in changes}
    assert bytes_by(changes, kyiv.device_id) < 64 * 1024
    assert not any(org_held_files(kyiv))

    later = record_work(first, tmp_path, "later", size=20_000)
    assert worker_push(first).sent
    desk_sync(lviv)
    desk_sync(kyiv)
    for desk in (kyiv, lviv):
        assert later.narrative in narratives(desk)
    assert_verified(kyiv, lviv)
    assert heads_hash(lviv) == heads_hash(kyiv)


def org_held_files(vault: Vault) -> list[Path]:
    folder = relay_folder(vault)
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_bundle_pulled_by_both_desks_is_uploaded_by_neither(desks: ServerDesks, tmp_path: Path) -> None:
    kyiv, lviv, first = desks.kyiv, desks.lviv, desks.first
    work = record_work(first, tmp_path, "pulled", size=1024 * 1024)
    worker_push(first)
    for _ in range(2):
        desk_sync(kyiv)
        desk_sync(lviv)
    for desk in (kyiv, lviv):
        assert work.narrative in narratives(desk)
    changes = feed(kyiv)
    worker_bytes = bytes_by(changes, first.device_id)
    assert worker_bytes > len(work.evidence)
    # Each desk pushed at most its own custody events (the `transfer` of the
    # evidence it received): a few kilobytes, never the worker's file again.
    for desk in (kyiv, lviv):
        assert bytes_by(changes, desk.device_id) < 64 * 1024
    assert sum(int(str(c["size"])) for c in changes) < worker_bytes + 128 * 1024


def test_one_desk_alone_pushes_nothing(tmp_path: Path) -> None:
    """With no other coordinator in the profile nobody could read its bundle."""
    with organisation(tmp_path) as org:
        worker = org.worker("first")
        record_work(worker, tmp_path, "alone")
        worker_push(worker)
        org.coordinator.cases.create(Case(title="The desk's own case"))
        desk_sync(org.coordinator)
        assert [c["device_id"] for c in feed(org.coordinator)] == [worker.device_id]
        assert desk_push(org.coordinator) == PushResult()


def test_a_desk_push_killed_mid_upload_resumes_and_both_vaults_verify(
    desks: ServerDesks, tmp_path: Path
) -> None:
    kyiv, lviv, org = desks.kyiv, desks.lviv, desks.org
    work = record_work(kyiv, tmp_path, "kyiv-desk", size=6 * 1024 * 1024)
    slow = CuttingProxy(org.port, every=1 << 40, cuts=0, pace=0.02)
    try:
        org.point_at(slow.url, org.server.cert_sha256)
        _run_then_kill(
            "push",
            kyiv.folder,
            lambda: _staged_bytes(org) > 1024 * 1024,
            "{'chunk': 128 * 1024, 'coordinator': True}",
        )
    finally:
        slow.close()
    org.point_at(org.server.url, org.server.cert_sha256)
    org_vault.update_profile(lviv, org_vault.current_signed(kyiv).signed)
    [killed] = [d for d in SyncClientState.of(kyiv).deliveries() if d.upload_url is not None]
    assert not killed.delivered
    assert_verified(kyiv, lviv)
    pushed = desk_push(kyiv)
    # The killed run's bundle first, resumed at the server's offset; then one
    # with the custody events the checks just recorded (`verify`), which
    # carries the work again, as any bundle made before an acknowledgement.
    assert pushed.sent[0] == killed.bundle_id and pushed.made is not None
    assert pushed.sent == [killed.bundle_id, pushed.made.bundle_id]
    assert pushed.acknowledged == pushed.sent  # the server holds them: counted as acknowledged
    desk_sync(lviv)
    assert work.narrative in narratives(lviv)
    assert stored_bytes(lviv, work.evidence) == work.evidence
    # Delivered and held: nothing more to send.
    assert desk_push(kyiv).made is None
    assert_verified(kyiv, lviv)


def test_fieldvault_sync_pushes_a_desks_own_work_to_the_other_desk(
    desks: ServerDesks, tmp_path: Path
) -> None:
    kyiv, lviv = desks.kyiv, desks.lviv
    kyiv.cases.create(Case(title="Kyiv desk: the bridge"))
    for vault in (kyiv, lviv):
        vault.lock()  # the commands open the vaults themselves
    env = _env(tmp_path)
    pushed = Cli(kyiv.folder, env).json("sync", secrets=[PASSPHRASE])
    made = pushed["to_coordinators"]["made"]
    assert pushed["role"] == "coordinator" and made is not None
    assert pushed["to_coordinators"] == {
        "made": made,
        "sent": [made],
        "queued": [],
        "relayed": [],
        "relays_set_aside": [],
    }
    again = Cli(kyiv.folder, env).json("sync", secrets=[PASSPHRASE])
    assert again["to_coordinators"] == {
        "made": None,
        "sent": [],
        "queued": [],
        "relayed": [],
        "relays_set_aside": [],
    }
    pulled = Cli(lviv.folder, env).json("sync", secrets=[PASSPHRASE])
    assert [(b["bundle_id"], b["device_id"]) for b in pulled["bundles"]] == [(made, kyiv.device_id)]
    assert pulled["to_coordinators"]["made"] is None  # nothing of its own: no bundle


def test_a_usb_bundle_of_a_worker_only_one_desk_knows_reaches_the_other_on_its_vouch(
    desks: ServerDesks, tmp_path: Path
) -> None:
    """Lviv never saw the worker's card: Kyiv's bundle vouches for the
    devices Kyiv enrolled (bundle-format.md §4 ``devices``), so the worker's
    revisions it relays are taken at Lviv."""
    kyiv, lviv = desks.kyiv, desks.lviv
    stranger = desks.org.worker("stranger")  # enrolled with Kyiv's token only
    assert lviv.sync.device(stranger.device_id) is None
    work = record_work(stranger, tmp_path, "stranger", size=50_000)
    made, profile = export_by_usb(stranger, tmp_path / "stick")
    import_by_usb(kyiv, made.path, profile.org_id)
    desk_sync(kyiv)
    desk_sync(lviv)
    assert work.narrative in narratives(lviv)
    known = lviv.sync.device(stranger.device_id)
    assert known is not None and (known.status, known.vouched_by) == ("enrolled", kyiv.device_id)
    assert stored_bytes(lviv, work.evidence) == work.evidence
    assert heads_hash(lviv) == heads_hash(kyiv)


def test_a_panic_wipe_removes_the_bundles_waiting_for_relay(desks: ServerDesks, tmp_path: Path) -> None:
    kyiv, first = desks.kyiv, desks.first
    record_work(first, tmp_path, "relay-then-wipe", size=10_000)
    made, profile = export_by_usb(first, tmp_path / "stick")
    import_by_usb(kyiv, made.path, profile.org_id)
    [waiting] = org_held_files(kyiv)
    assert waiting.read_bytes() == made.path.read_bytes()  # the worker's file, ciphertext as made
    assert queued_count(kyiv) == 1  # the sync panel's "waiting to be sent"
    folder = kyiv.folder
    kyiv.lock()
    wipe_vault(folder, keyring=NoKeyring())
    assert not waiting.exists() and not (folder / SYNC_SPOOL_DIR).exists()


def test_a_relay_the_server_refuses_travels_in_the_desks_own_bundle(
    desks: ServerDesks, tmp_path: Path
) -> None:
    """The server holds another bundle with the worker's number (a copy of
    the worker's vault pushed it: a fork): Kyiv's relay is refused
    (bundle-conflict), forgotten, and what the USB bundle brought goes in
    Kyiv's own bundle instead, so Lviv still gets it."""
    kyiv, lviv, first = desks.kyiv, desks.lviv, desks.first
    first.lock()
    twin = Vault.open(shutil.copytree(first.folder, tmp_path / "twin"), PASSPHRASE, keyring=NoKeyring())
    first = Vault.open(first.folder, PASSPHRASE, keyring=NoKeyring())
    desks.org.workers.append(twin)
    desks.org.workers.append(first)
    try:
        twin.cases.create(Case(title="The twin's bundle 1"))
        assert worker_push(twin).sent  # number 1 of the worker's device, on the server
        work = record_work(first, tmp_path, "usb-refused", size=30_000)
        made, profile = export_by_usb(first, tmp_path / "stick")
        assert made.sequence == 1
        import_by_usb(kyiv, made.path, profile.org_id)
        shared = desk_push(kyiv)
        assert shared.relayed == [] and org_held_files(kyiv) == []  # refused, forgotten
        assert shared.made is not None and shared.made.blobs == 1  # the worker's evidence, in Kyiv's bundle
        desk_sync(lviv)
        assert work.narrative in narratives(lviv)
        assert stored_bytes(lviv, work.evidence) == work.evidence
    finally:
        twin.lock()


def test_a_worker_whose_first_bundle_was_acknowledged_by_usb_still_joins_the_server(
    desks: ServerDesks, tmp_path: Path
) -> None:
    """Enrolled offline with a token, its first bundle carried to Kyiv and
    acknowledged there by USB, the worker's first sync must still register
    it at the server with that token (the acknowledgement used to forget the
    token, and every sync after was refused: device-unknown)."""
    kyiv, lviv = desks.kyiv, desks.lviv
    worker = desks.org.worker("usb-first")
    record_work(worker, tmp_path, "usb-first", size=5_000)
    made, profile = export_by_usb(worker, tmp_path / "stick")
    import_by_usb(kyiv, made.path, profile.org_id)
    ack_by_usb(kyiv, worker, made.bundle_id)
    later = record_work(worker, tmp_path, "after-usb", size=5_000)
    assert worker_push(worker).sent  # registered with its token, then delivered
    desk_sync(kyiv)
    desk_sync(lviv)
    for desk in (kyiv, lviv):
        assert later.narrative in narratives(desk)
    assert worker.sync.enrolment_token() is None  # spent at the server now
