"""A coordinator desk's bundle made before a revocation and read after it
(issue 14; docs/sync.md §2.3, docs/bundle-format.md §5 step 11).

Desk Kyiv uploads its bundle carrying a field worker's revisions; then the
organisation revokes the worker, and desk Lviv takes the new profile before
it pulls that bundle. Before, Lviv refused the whole bundle (``signer``)
while Kyiv counted it delivered at the server's receipt: Kyiv's next bundle's
custody chain started after events Lviv never took, and Lviv refused it and
every later one (``bundle-custody``), for good. Now Lviv leaves the revoked
worker's revisions out of a coordinator's bundle (listed by id, with the
evidence bytes only their items name) and applies the rest.

Still refused whole: a revoked signer in a field worker's bundle, an
outsider's key in any bundle, a withheld revision whose signature fails.

Review 10's findings, each a way back to the cut-off or to a failing
``verify``: F1, Kyiv's later bundles carried the bytes its withholding
bundle kept back (Lviv: bundle-blob, then bundle-custody for good); F2, an
edit in a later bundle of a revision an earlier import left out was stored
without its parent; F3, Kyiv sent its edit of a revoked worker's record the
organisation holds; F4, a child placed before its left-out parent was
stored.

Real vaults; the server tests through a real server on loopback
(tests/sync/desk_world.py), the others through a folder standing for a
USB stick (tests/sync/test_coordinator_vouching.py's desks)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from db.api import NoKeyring, NotFound, Vault, withheld_revision_ids
from fieldvault.bundle_cli import _human
from sync import org_vault
from sync.bundle import BlobSource, BundleRejected
from sync.bundle.vault_io import import_bundle
from sync.client.org_link import publish_profile
from sync.client.pull import pull
from sync.client.push import push
from tests.cli_helpers import Cli
from tests.factory import make_case
from tests.sync.client.sync_helpers import quick_backoff, record_work
from tests.sync.client.test_coordinator_push import desk_sync
from tests.sync.client.test_relay_faults import desk_added_after_the_worker, usb_bundle
from tests.sync.client.test_sync_cli import _env
from tests.sync.desk_world import (
    ServerDesks,
    assert_verified,
    desk_push,
    export_by_usb,
    narratives,
    server_desks,
    signed_by,
    stored_bytes,
    worker_push,
)
from tests.sync.test_coordinator_vouching import Desks, _outsider
from tests.sync.trust_fixtures import current_profile
from tests.vault_helpers import PASSPHRASE

__all__ = ["server_desks"]  # the fixture


def _revision_ids(vault: Vault, device_id: str) -> set[str]:
    return {r.revision_id for r in vault.revisions.since(0, 100_000) if r.device_id == device_id}


def _all_revision_ids(vault: Vault) -> set[str]:
    return {r.revision_id for r in vault.revisions.since(0, 100_000)}


def _stores(vault: Vault, sha256: str) -> bool:
    try:
        with vault.sync.open_blob(sha256) as reader:
            reader.read()
    except NotFound:
        return False
    return True


# -- through the server ------------------------------------------------------------------


def test_a_desk_bundle_pulled_after_the_revocation_is_taken_without_the_workers_revisions(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path)
    with desk_added_after_the_worker(tmp_path) as (kyiv, lviv, worker):
        # The worker's stick reaches Kyiv (made under the profile before Lviv
        # was added: not relayed, so it travels in Kyiv's own bundle).
        work = record_work(worker, tmp_path, "by-usb", size=5_000)
        made, profile = usb_bundle(worker, tmp_path / "stick")
        import_bundle(kyiv, made.path, kyiv.vault_keys.age_identity(), org_id=profile.org_id)
        worker_revisions = _revision_ids(kyiv, worker.device_id) - _all_revision_ids(lviv)
        assert worker_revisions
        # Kyiv's own work, evidence with it: its bundle carries its custody chain's events.
        before = record_work(kyiv, tmp_path, "kyiv-before", size=3_000)
        # Kyiv edits the worker's testimony: its parent is a revision Lviv will leave out.
        edited = kyiv.testimonies.edit(work.testimony_id, title="checked at the Kyiv desk")
        kyiv_edit = edited.revision
        left_out = worker_revisions | {kyiv_edit}  # the edit goes with its parent
        shared = push(kyiv, backoff=quick_backoff(), coordinator=True)
        assert shared.made is not None and shared.sent == [shared.made.bundle_id]
        assert shared.made.custody_events > 0
        uploaded = shared.made.bundle_id

        # The worker's laptop is seized: revoked. Lviv takes the new profile
        # before it pulls Kyiv's bundle.
        signed = org_vault.revoke_device(kyiv, worker.device_id)
        assert publish_profile(signed.signed, signed.profile).state == "done"
        org_vault.update_profile(lviv, signed.signed)
        lviv.lock()  # the command opens the vault itself
        pulled = Cli(lviv.folder, env).json("sync", secrets=[PASSPHRASE])
        assert pulled["refused"] == []  # before: [{"bundle_id": uploaded, "code": "bundle-signer"}]
        [row] = [b for b in pulled["bundles"] if b["bundle_id"] == uploaded]
        assert set(row["withheld_revisions"]) == left_out
        assert row["custody_events"] == shared.made.custody_events
        assert row["blobs"] == 1  # Kyiv's photo; the worker's, which only its item named, is not stored

        desk = Vault.open(lviv.folder, PASSPHRASE, keyring=NoKeyring())
        try:
            assert before.narrative in {t.narrative for t in desk.testimonies.list()}
            assert _stores(desk, hashlib.sha256(before.evidence).hexdigest())
            assert not left_out & _all_revision_ids(desk)
            assert not _stores(desk, hashlib.sha256(work.evidence).hexdigest())
            # Kyiv's edit went with its parent: without it, it would fail verify here.
            for missing in (
                lambda: desk.testimonies.get(work.testimony_id),
                lambda: desk.evidence.get(work.evidence_id),
            ):
                with pytest.raises(NotFound):
                    missing()

            # Kyiv's next bundle, with new work, is taken too: its chain
            # follows what Lviv took (before: bundle-custody, every round).
            after = record_work(kyiv, tmp_path, "kyiv-after", size=3_000)
            desk_sync(kyiv)
            result = pull(desk, proxy=False, backoff=quick_backoff())
            assert result.refused == []
            [taken] = [r for r in result.received if r.device_id == kyiv.device_id]
            assert taken.withheld_revisions == ()  # Kyiv now leaves them out itself
            assert after.narrative in {t.narrative for t in desk.testimonies.list()}
            assert _stores(desk, hashlib.sha256(after.evidence).hexdigest())
            assert desk.verify().ok
        finally:
            desk.lock()


def _revoke_and_tell(kyiv: Vault, lviv: Vault, device_id: str) -> None:
    """Kyiv revokes the device and publishes; Lviv takes the new profile."""
    signed = org_vault.revoke_device(kyiv, device_id)
    assert publish_profile(signed.signed, signed.profile).state == "done"
    org_vault.update_profile(lviv, signed.signed)


def test_desk_bundles_after_a_withholding_one_never_carry_the_bytes_it_kept_back(tmp_path: Path) -> None:
    """F1: Kyiv holds a revoked worker's evidence (its stick came by USB).
    Its first bundle after the revocation withholds the worker's revisions
    and bytes; before, its next one carried the bytes (the range held no
    revoked revision any more), Lviv refused it as bundle-blob and every
    later one as bundle-custody, and Kyiv's work never reached Lviv."""
    with desk_added_after_the_worker(tmp_path) as (kyiv, lviv, worker):
        work = record_work(worker, tmp_path, "by-usb", size=5_000)
        made, profile = export_by_usb(worker, tmp_path / "stick")
        import_bundle(kyiv, made.path, kyiv.vault_keys.age_identity(), org_id=profile.org_id)
        _revoke_and_tell(kyiv, lviv, worker.device_id)

        first = desk_push(kyiv).made
        assert first is not None and first.withheld and first.blobs == 0
        later = []
        for n in range(3):
            later.append(record_work(kyiv, tmp_path, f"kyiv-{n}", size=3_000))
            if n == 1:  # Kyiv edits the worker's item after its withholding bundle
                edit = kyiv.evidence.edit(work.evidence_id, stated_place="Izium").revision
            made_now = desk_push(kyiv).made
            assert made_now is not None and made_now.blobs == 1  # Kyiv's own bytes only
            assert made_now.withheld == ((edit,) if n == 1 else ())
        # Still unacknowledged at Kyiv, and never sent.
        assert hashlib.sha256(work.evidence).hexdigest() in {
            b.sha256 for b in kyiv.sync.unacknowledged_blobs()
        }

        pulled = pull(lviv, proxy=False, backoff=quick_backoff())
        assert pulled.refused == []  # before: bundle-blob, bundle-custody, bundle-custody
        assert {w.narrative for w in later} <= narratives(lviv)
        for w in later:
            assert stored_bytes(lviv, w.evidence) == w.evidence
        assert not _stores(lviv, hashlib.sha256(work.evidence).hexdigest())
        assert edit not in _all_revision_ids(lviv)
        assert_verified(kyiv, lviv)


def test_an_edit_in_a_later_bundle_of_a_revision_left_out_before_is_left_out_too(tmp_path: Path) -> None:
    """F2: Kyiv's bundle #2 carries the worker's revisions, #3 only Kyiv's
    edit of its testimony (both uploaded before the revocation; #2 counted
    delivered at its receipt). Lviv pulls both after the revocation: #2's
    import leaves the worker's revisions out and keeps their ids; #3's
    leaves the edit out with them. Before, #3 stored the edit without its
    parent and Lviv's verify failed for good."""
    with desk_added_after_the_worker(tmp_path) as (kyiv, lviv, worker):
        work = record_work(worker, tmp_path, "by-usb", size=5_000)
        made, profile = export_by_usb(worker, tmp_path / "stick")
        import_bundle(kyiv, made.path, kyiv.vault_keys.age_identity(), org_id=profile.org_id)
        second = desk_push(kyiv).made
        assert second is not None and second.revisions > 0
        edit = kyiv.testimonies.edit(work.testimony_id, title="checked at the Kyiv desk").revision
        edit_of_edit = kyiv.testimonies.edit(work.testimony_id, title="checked twice").revision
        third = desk_push(kyiv).made
        assert third is not None and third.revisions == 2  # the edits alone
        _revoke_and_tell(kyiv, lviv, worker.device_id)

        pulled = pull(lviv, proxy=False, backoff=quick_backoff())
        assert pulled.refused == []
        by_id = {r.bundle_id: r for r in pulled.received}
        worker_revisions = set(by_id[second.bundle_id].withheld_revisions)
        assert worker_revisions == _revision_ids(kyiv, worker.device_id) - _all_revision_ids(lviv)
        assert set(by_id[third.bundle_id].withheld_revisions) == {edit, edit_of_edit}  # before: ()
        assert {edit, edit_of_edit} | worker_revisions <= withheld_revision_ids(lviv)
        assert not {edit, edit_of_edit} & _all_revision_ids(lviv)
        assert_verified(kyiv, lviv)  # before: names parent ..., which is not in the vault


def test_a_desks_edit_of_a_revoked_workers_record_the_organisation_holds_does_not_travel(
    server_desks: ServerDesks, tmp_path: Path
) -> None:
    """F3: Kyiv pulled the worker's bundle (the organisation holds it, so
    Kyiv's bundles leave it out) and edited its testimony; the worker is
    revoked before Lviv pulled it, so Lviv refuses the worker's bundle.
    Kyiv's bundle after the revocation leaves the edit out. Before, its
    scan skipped the held parent, the edit went, and Lviv stored it
    without its parent."""
    desks = server_desks
    desks.registered(desks.first)
    work = record_work(desks.first, tmp_path, "pulled", size=3_000)
    worker_push(desks.first)
    desk_sync(desks.kyiv)  # Kyiv pulls the worker's bundle
    edit = desks.kyiv.testimonies.edit(work.testimony_id, title="checked at the Kyiv desk").revision
    own = make_case(desks.kyiv, title="Kyiv's own case")
    _revoke_and_tell(desks.kyiv, desks.lviv, desks.first.device_id)
    made = desk_push(desks.kyiv).made
    assert made is not None and edit in made.withheld  # before: withheld == ()

    pulled = pull(desks.lviv, proxy=False, backoff=quick_backoff())
    assert [code for _bundle, code in pulled.refused] == ["bundle-device-revoked"]  # the worker's own
    assert desks.lviv.cases.get(own.id).title == "Kyiv's own case"
    assert edit not in _all_revision_ids(desks.lviv)
    assert_verified(desks.kyiv, desks.lviv)


# -- by USB: what is left out, what is stored ------------------------------------------


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[Desks]:
    made = Desks(tmp_path)
    yield made
    made.close()


def test_evidence_bytes_only_withheld_revisions_name_are_not_stored(desks: Desks, tmp_path: Path) -> None:
    field = desks.worker("field")
    shared = tmp_path / "shared.jpg"
    shared.write_bytes(os.urandom(50_000))
    field_copy = field.vault.evidence.ingest(shared, field.case_id).item
    desks.org.import_(desks.org.export(field.vault).path)
    worker_revisions = _revision_ids(desks.kyiv, field.vault.device_id)
    own_case = make_case(desks.kyiv, title="Kyiv's own case")
    own_item = desks.kyiv.evidence.ingest(shared, own_case.id).item
    assert own_item.sha256 == field_copy.sha256
    stale = desks.org.export(desks.kyiv)  # before the revocation: the worker's revisions and bytes in it
    assert stale.withheld == ()
    org_vault.revoke_device(desks.kyiv, field.vault.device_id)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))

    imported = desks.to_lviv(stale.path)  # before: BundleRejected signer
    assert set(imported.withheld_revisions) == worker_revisions
    assert imported.blobs == 1  # the shared bytes, for Kyiv's item
    assert not _stores(desks.lviv, field.sha256)  # only the worker's item named these
    assert [b.evidence_ids for b in desks.lviv.sync.blobs_of([own_item.id])] == [(own_item.id,)]
    with pytest.raises(NotFound):
        desks.lviv.evidence.get(field_copy.id)
    assert desks.lviv.cases.get(own_case.id).title == "Kyiv's own case"
    assert not worker_revisions & _all_revision_ids(desks.lviv)
    assert _revision_ids(desks.kyiv, desks.kyiv.device_id) <= _all_revision_ids(desks.lviv)
    assert not list((desks.lviv.folder / "blobs").glob(".*"))  # no temp file left
    assert desks.lviv.verify().ok

    # Kyiv's next bundle follows it; a replay of the stale one is a no-op.
    later = make_case(desks.kyiv, title="Kyiv, later")
    assert not desks.to_lviv(desks.org.export(desks.kyiv).path).replay
    assert desks.lviv.cases.get(later.id).title == "Kyiv, later"
    assert desks.to_lviv(stale.path).replay


def test_a_withheld_revision_the_vault_holds_is_a_no_op_and_not_reported(desks: Desks) -> None:
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)
    desks.to_lviv(desks.kyiv_bundle())  # Lviv holds the worker's revisions, on Kyiv's vouch
    worker_revisions = _revision_ids(desks.kyiv, field.vault.device_id)
    assert worker_revisions <= _all_revision_ids(desks.lviv)
    org_vault.revoke_device(desks.kyiv, field.vault.device_id)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))
    again = _forged(desks.kyiv, desks, desks.tmp_path / "again", _wires(field.vault))
    imported = desks.to_lviv(again)
    assert imported.withheld_revisions == () and imported.revisions == 0
    assert worker_revisions <= _all_revision_ids(desks.lviv)  # kept: revocation is not forgery


def test_the_command_line_lists_the_revisions_left_out(desks: Desks, tmp_path: Path) -> None:
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)
    stale = desks.org.export(desks.kyiv)
    org_vault.revoke_device(desks.kyiv, field.vault.device_id)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))
    worker_revisions = _revision_ids(desks.kyiv, field.vault.device_id)
    desks.lviv.lock()
    lviv = Cli(desks.lviv.folder, _env(tmp_path))
    row = lviv.json("bundle", "import", str(stale.path), secrets=[PASSPHRASE])
    desks.lviv = Vault.open(desks.lviv.folder, PASSPHRASE, keyring=NoKeyring())
    assert row["ok"] and set(row["withheld_revisions"]) == worker_revisions  # ids only
    # Counted with the edits of its records that go with them (53ff9cb, f5da7e6).
    assert (
        f"{len(worker_revisions)} revision(s) left out (signed by a revoked device, or edits of its records)"
        in (_human(row))
    )


def test_a_bundle_made_after_the_revocation_leaves_out_the_desks_edits_of_withheld_records(
    desks: Desks,
) -> None:
    """The sending side of the same rule: Kyiv edited the worker's testimony
    and evidence item; made after the revocation, its bundle leaves out the
    worker's revisions, the edits whose parents they are, and the bytes only
    that item held. Before, the edits went alone: Lviv applied them without
    their parents, and its verify named them."""
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)
    [testimony] = desks.kyiv.testimonies.list()
    text_edit = desks.kyiv.testimonies.edit(testimony.id, title="edited at the Kyiv desk").revision
    item_edit = desks.kyiv.evidence.edit(field.evidence_id, stated_place="Izium").revision
    own_case = make_case(desks.kyiv, title="Kyiv's own case")
    org_vault.revoke_device(desks.kyiv, field.vault.device_id)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))

    made = desks.org.export(desks.kyiv)
    assert {text_edit, item_edit} <= set(made.withheld)
    assert made.blobs == 0  # only the worker's item held those bytes
    imported = desks.to_lviv(made.path)  # before: applied without their parents
    assert imported.withheld_revisions == ()  # nothing of them travelled
    assert desks.lviv.cases.get(own_case.id).title == "Kyiv's own case"
    assert not {text_edit, item_edit} & _all_revision_ids(desks.lviv)
    assert desks.lviv.verify().ok  # before: names parent ..., which is not in the vault


# -- adversarial: still refused whole ---------------------------------------------------


def _wires(vault: Vault, after: int = 0) -> list[dict[str, Any]]:
    """The vault's own revisions after local sequence ``after``, as a bundle carries them."""
    return [
        {
            "id": rev.revision_id,
            "signed": base64.b64encode(rev.signed).decode("ascii"),
            "signature": base64.b64encode(rev.signature).decode("ascii"),
        }
        for rev in vault.revisions.since(after, 100_000)
        if rev.device_id == vault.device_id
    ]


def _forged(
    sender: Vault,
    desks: Desks,
    dest: Path,
    revisions: list[dict[str, Any]],
    blobs: Sequence[BlobSource] = (),
) -> Path:
    """A bundle signed by ``sender``'s own device key, its next number after
    what Lviv imported of it, carrying ``revisions`` and ``blobs`` (no
    custody events)."""
    return signed_by(sender, desks, dest, prefix="forged-", revisions=revisions, blobs=blobs)


def _two_workers_known_at_lviv(desks: Desks) -> tuple[Vault, Vault, int]:
    """Two workers whose work reached Lviv in Kyiv's bundle; the second
    then records more (its revisions after the returned sequence) and is
    revoked, and Lviv holds the new profile."""
    honest, revoked = desks.worker("honest").vault, desks.worker("revoked").vault
    for worker in (honest, revoked):
        desks.org.import_(desks.org.export(worker).path)
    desks.to_lviv(desks.kyiv_bundle())
    assert desks.lviv.sync.device(honest.device_id) is not None
    mark = max(r.local_seq for r in revoked.revisions.since(0, 100_000))
    make_case(revoked, title="after the seizure")
    make_case(honest, title="the honest worker's new case")
    org_vault.revoke_device(desks.kyiv, revoked.device_id)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))
    return honest, revoked, mark


def _unchanged(desks: Desks, path: Path, kind: str) -> BundleRejected:
    before = _all_revision_ids(desks.lviv)
    with pytest.raises(BundleRejected) as refused:
        desks.to_lviv(path)
    assert refused.value.kind == kind
    assert _all_revision_ids(desks.lviv) == before
    return refused.value


def test_a_field_workers_bundle_with_a_revoked_signer_is_still_refused_whole(desks: Desks) -> None:
    honest, revoked, mark = _two_workers_known_at_lviv(desks)
    carried = [*_wires(honest), *_wires(revoked, mark)]
    forged = _forged(honest, desks, desks.tmp_path / "field", carried)
    refusal = _unchanged(desks, forged, "signer")
    assert refusal.subject in {w["id"] for w in _wires(revoked, mark)}


def test_a_coordinators_bundle_with_an_outsiders_revision_is_still_refused_whole(desks: Desks) -> None:
    _honest, revoked, mark = _two_workers_known_at_lviv(desks)
    stranger = _outsider(desks, "stranger")
    own = make_case(desks.kyiv, title="Kyiv's case")
    carried = [*_wires(desks.kyiv), *_wires(revoked, mark), *_wires(stranger)]
    forged = _forged(desks.kyiv, desks, desks.tmp_path / "outsider", carried)
    refusal = _unchanged(desks, forged, "signer")
    assert refusal.subject in {w["id"] for w in _wires(stranger)}
    with pytest.raises(NotFound):
        desks.lviv.cases.get(own.id)


def test_a_withheld_revision_whose_signature_fails_still_refuses_the_bundle(desks: Desks) -> None:
    _honest, revoked, mark = _two_workers_known_at_lviv(desks)
    bad = _wires(revoked, mark)[0]
    signature = bytearray(base64.b64decode(bad["signature"]))
    signature[0] ^= 1
    bad = bad | {"signature": base64.b64encode(bytes(signature)).decode("ascii")}
    forged = _forged(desks.kyiv, desks, desks.tmp_path / "badsig", [*_wires(desks.kyiv), bad])
    refusal = _unchanged(desks, forged, "revision")
    assert refusal.subject == bad["id"]


def test_a_coordinators_bundle_with_only_a_revoked_signer_is_taken_without_it(desks: Desks) -> None:
    """The same forged shape as the refusals above, from a coordinator and
    with nothing but the revoked worker's revisions besides its own: taken."""
    _honest, revoked, mark = _two_workers_known_at_lviv(desks)
    own = make_case(desks.kyiv, title="Kyiv's case")
    left_out = {w["id"] for w in _wires(revoked, mark)}
    forged = _forged(
        desks.kyiv, desks, desks.tmp_path / "taken", [*_wires(desks.kyiv), *_wires(revoked, mark)]
    )
    imported = desks.to_lviv(forged)
    assert set(imported.withheld_revisions) == left_out
    assert desks.lviv.cases.get(own.id).title == "Kyiv's case"
    assert not left_out & _all_revision_ids(desks.lviv)


def _kyiv_edits_a_revoked_workers_record(desks: Desks) -> tuple[Vault, list[str]]:
    """A worker's work reached Kyiv alone; Kyiv edited its testimony twice;
    the worker is revoked and Lviv holds the new profile. (The worker, the
    two edits oldest first.)"""
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)
    [testimony] = desks.kyiv.testimonies.list()
    edits = [
        desks.kyiv.testimonies.edit(testimony.id, title="checked at the Kyiv desk").revision,
        desks.kyiv.testimonies.edit(testimony.id, title="checked twice").revision,
    ]
    desks.revoke(field.vault.device_id)
    return field.vault, edits


def test_a_child_placed_before_its_left_out_parent_is_left_out(desks: Desks) -> None:
    """F4: a bundle signed by Kyiv whose payload puts Kyiv's edits first,
    the newer one first, and the revoked worker's revisions after them.
    Before, the import checked parents only against what it had already
    left out: the edits were stored without their parents."""
    worker, edits = _kyiv_edits_a_revoked_workers_record(desks)
    own = make_case(desks.kyiv, title="Kyiv's own case")
    kyiv_wires = {w["id"]: w for w in _wires(desks.kyiv)}
    children = [kyiv_wires.pop(edits[1]), kyiv_wires.pop(edits[0])]
    forged = _forged(
        desks.kyiv,
        desks,
        desks.tmp_path / "order",
        [*children, *_wires(worker), *kyiv_wires.values()],
    )
    imported = desks.to_lviv(forged)
    worker_revisions = _revision_ids(desks.kyiv, worker.device_id)
    assert set(imported.withheld_revisions) == worker_revisions | set(edits)
    assert set(edits) <= withheld_revision_ids(desks.lviv)
    assert not set(edits) & _all_revision_ids(desks.lviv)
    assert desks.lviv.cases.get(own.id).title == "Kyiv's own case"
    assert_verified(desks.lviv)  # before: names parent ..., which is not in the vault


def test_bytes_of_a_record_left_out_by_an_earlier_import_are_not_stored_nor_refused(
    desks: Desks,
) -> None:
    """F1's receiving side: Lviv left a revoked worker's evidence item out
    of Kyiv's bundle made before the revocation; a later bundle of Kyiv's
    carrying that item's bytes (as Kyiv's bundles did before the sending
    side's fix) is taken: the bytes are hashed against the manifest and
    not stored. Before, Lviv refused it whole (bundle-blob: no such
    evidence item here), and through the server for good."""
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)
    stale = desks.org.export(desks.kyiv)  # the worker's revisions and bytes
    desks.revoke(field.vault.device_id)
    assert set(desks.to_lviv(stale.path).withheld_revisions) == _revision_ids(
        desks.kyiv, field.vault.device_id
    )
    assert not _stores(desks.lviv, field.sha256)

    mark = max(r.local_seq for r in desks.kyiv.revisions.since(0, 100_000))
    own = make_case(desks.kyiv, title="Kyiv, later")
    data = field.data
    blob = BlobSource(field.sha256, len(data), (field.evidence_id,), io.BytesIO(data))
    later = _forged(desks.kyiv, desks, desks.tmp_path / "bytes", _wires(desks.kyiv, mark), [blob])
    imported = desks.to_lviv(later)  # before: BundleRejected blob
    assert imported.blobs == 0 and imported.revisions == 1
    assert desks.lviv.cases.get(own.id).title == "Kyiv, later"
    assert not _stores(desks.lviv, field.sha256)
    assert not list((desks.lviv.folder / "blobs").glob(".*"))  # no temp file left
    assert_verified(desks.lviv)

    # A bundle whose bytes name an item Lviv knows nothing of is still refused.
    stranger = BlobSource(
        field.sha256, len(data), ("00000000-0000-4000-8000-000000000000",), io.BytesIO(data)
    )
    with pytest.raises(BundleRejected) as refused:
        desks.to_lviv(_forged(desks.kyiv, desks, desks.tmp_path / "stranger", [], [stranger]))
    assert refused.value.kind == "blob"


def test_a_revision_left_out_before_is_not_reported_again(desks: Desks) -> None:
    """Review 11 F4: two bundles of Kyiv's made before the revocation, with
    no acknowledgement between them, both carry the worker's revisions.
    Lviv leaves them out of the first and reports them; the second leaves
    them out too and reports nothing new (before: the same ids again, so
    the CLI's and the GUI's count of what was left out doubled)."""
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)
    first, second = desks.org.export(desks.kyiv), desks.org.export(desks.kyiv)
    desks.revoke(field.vault.device_id)
    worker_revisions = _revision_ids(desks.kyiv, field.vault.device_id)
    assert set(desks.to_lviv(first.path).withheld_revisions) == worker_revisions
    again = desks.to_lviv(second.path)
    assert not again.replay
    assert again.withheld_revisions == ()
    assert worker_revisions <= withheld_revision_ids(desks.lviv)  # still kept as left out
    assert not worker_revisions & _all_revision_ids(desks.lviv)
    assert_verified(desks.lviv)
