"""A hole in leaving out a revoked device's revisions, closed (issue 14;
review 10 F2, F3; docs/bundle-format.md §5 step 11): the import left out a
revision naming a withheld one as parent only when that parent was
withheld by the same import; now the vault keeps what its imports left out
(``withheld_revisions``, migration 0019), and the sending side decides from
each record's whole history (tests/sync/test_desk_revoked_after_upload.py
has the fuller tests).

So: the Kyiv desk uploads a bundle carrying a field worker's revisions (by
USB, made before Lviv was added: they travel in Kyiv's own bundle), then
edits the worker's testimony and uploads a second bundle holding only the
edit (the first counted delivered at its receipt). The organisation then
revokes the worker, and Lviv takes the new profile before it pulls both.
The first import leaves the worker's revisions out; the second stores
Kyiv's edit without its parent, and Lviv's ``verify`` failed ("names parent
…, which is not in the vault") for good.

The second test: the same from the sending side, for a parent the
organisation holds (pulled by Kyiv, refused at Lviv since the revocation).

Real vaults, a real server on loopback."""

from __future__ import annotations

from pathlib import Path

from sync import org_vault
from sync.bundle.vault_io import import_bundle
from sync.client.org_link import publish_profile
from sync.client.pull import pull
from tests.sync.client.sync_helpers import quick_backoff, record_work
from tests.sync.desk_world import (
    ServerDesks,
    desk_added_after_the_worker,
    desk_push,
    desk_sync,
    export_by_usb,
    server_desks,
    worker_push,
)

__all__ = ["server_desks"]  # the fixture


def test_a_desks_edit_in_a_later_bundle_goes_with_its_parent_left_out_before(tmp_path: Path) -> None:
    with desk_added_after_the_worker(tmp_path) as (kyiv, lviv, worker):
        work = record_work(worker, tmp_path, "by-usb", size=5_000)
        made, profile = export_by_usb(worker, tmp_path / "stick")
        import_bundle(kyiv, made.path, kyiv.vault_keys.age_identity(), org_id=profile.org_id)
        assert desk_push(kyiv).sent  # the worker's revisions, in Kyiv's bundle
        edit = kyiv.testimonies.edit(work.testimony_id, title="checked at the Kyiv desk").revision
        second = desk_push(kyiv)
        assert second.made is not None and second.made.revisions == 1  # the edit alone
        signed = org_vault.revoke_device(kyiv, worker.device_id)
        assert publish_profile(signed.signed, signed.profile).state == "done"
        org_vault.update_profile(lviv, signed.signed)

        pulled = pull(lviv, proxy=False, backoff=quick_backoff())
        assert pulled.refused == []
        [later] = [r for r in pulled.received if r.bundle_id == second.made.bundle_id]
        assert later.withheld_revisions == (edit,)  # before: stored without its parent
        assert lviv.verify().ok


def test_a_desks_edit_of_a_pulled_record_of_a_device_revoked_since(
    server_desks: ServerDesks, tmp_path: Path
) -> None:
    """The same hole from the sending side: Kyiv pulled the worker's bundle
    (held by the organisation, so not in Kyiv's bundles) and edited its
    testimony; the worker is revoked before Lviv pulled that bundle. Lviv
    now refuses the worker's bundle (bundle-device-revoked), and Kyiv's
    bundle made after the revocation withholds nothing (its scan skips held
    revisions, so the edit's parent is not withheld): Lviv stores the edit
    without its parent and fails verify."""
    desks = server_desks
    desks.registered(desks.first)
    work = record_work(desks.first, tmp_path, "pulled", size=3_000)
    worker_push(desks.first)
    desk_sync(desks.kyiv)  # Kyiv pulls the worker's bundle
    edit = desks.kyiv.testimonies.edit(work.testimony_id, title="checked at the Kyiv desk").revision
    signed = org_vault.revoke_device(desks.kyiv, desks.first.device_id)
    assert publish_profile(signed.signed, signed.profile).state == "done"
    org_vault.update_profile(desks.lviv, signed.signed)
    made = desk_push(desks.kyiv).made
    assert made is not None

    pulled = pull(desks.lviv, proxy=False, backoff=quick_backoff())
    assert [code for _bundle, code in pulled.refused] == ["bundle-device-revoked"]  # the worker's
    # Before, the edit went (made.withheld == ()) and its parent never will:
    assert desks.lviv.verify().ok, (edit, made.withheld)
