"""A coordinator that refuses a bundle because its maker is revoked keeps
that device's revisions as left out (issue 14, review 11 F1;
docs/bundle-format.md §5 step 11, docs/sync.md §2.3).

Kyiv pulls a field worker's bundle from the server, edits the worker's
testimony and pushes: the edit travels alone, since the server holds its
parent. The worker is revoked; Lviv takes the new profile, then pulls. The
worker's own bundle is refused (``bundle-device-revoked``), as before. Before,
it left nothing behind, so Kyiv's edit, later in the feed, was stored at
Lviv without its parent and Lviv's ``verify`` failed for good. Now Lviv reads
the refused bundle (it is one of its recipients), keeps the revisions its
maker signed in ``withheld_revisions`` and applies nothing else; the edit
is then left out and reported.

A bundle refused for any other reason (an outsider's, a broken signature,
another organisation's, a tampered payload) keeps nothing, and in a revoked
maker's bundle only revisions that verify and that it signed are kept.

Real vaults; through a real server on loopback (tests/sync/desk_world.py)
and through a folder standing for a USB stick."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from db.api import Case, NotFound, Vault, withheld_revision_ids
from sync.bundle import BundleRejected
from sync.bundle.admission import BundleQuarantined
from sync.bundle.format import MAGIC
from sync.bundle.reader import check_header
from sync.bundle.vault_io import import_bundle
from sync.client.pull import pull
from tests.db.sync_fixtures import record_field_work
from tests.sync.client.sync_helpers import quick_backoff, record_work
from tests.sync.desk_world import (
    ServerDesks,
    UsbDesks,
    assert_verified,
    desk_push,
    desk_sync,
    revoke,
    server_desks,
    signed_by,
    usb_desks,
    worker_push,
)

__all__ = ["server_desks", "usb_desks"]  # the fixtures


def _revision_ids(vault: Vault, device_id: str | None = None) -> set[str]:
    return {
        r.revision_id
        for r in vault.revisions.since(0, 100_000)
        if device_id is None or r.device_id == device_id
    }


def _wires(vault: Vault) -> list[dict[str, Any]]:
    """The vault's own revisions, as a bundle carries them."""
    return [
        {
            "id": rev.revision_id,
            "signed": base64.b64encode(rev.signed).decode("ascii"),
            "signature": base64.b64encode(rev.signature).decode("ascii"),
        }
        for rev in vault.revisions.since(0, 100_000)
        if rev.device_id == vault.device_id
    ]


# -- through the server: review 11 F1 ----------------------------------------------------


def test_an_edit_pushed_before_the_revocation_is_left_out_where_the_workers_bundle_is_refused(
    server_desks: ServerDesks, tmp_path: Path
) -> None:
    desks = server_desks
    kyiv, lviv, worker = desks.kyiv, desks.lviv, desks.first
    desks.registered(worker)
    work = record_work(worker, tmp_path, "pulled", size=3_000)
    worker_push(worker)
    desk_sync(kyiv)  # Kyiv pulls the worker's bundle: the server holds it
    edit = kyiv.testimonies.edit(work.testimony_id, title="checked at the Kyiv desk").revision
    made = desk_push(kyiv).made
    assert made is not None and made.revisions == 1 and made.withheld == ()  # the edit goes alone
    worker_revisions = _revision_ids(kyiv, worker.device_id) - _revision_ids(lviv)
    assert worker_revisions

    # The worker's laptop is seized: revoked. Lviv takes the new profile, then pulls.
    revoke(kyiv, worker.device_id, publish=True, tell=[lviv])
    pulled = pull(lviv, proxy=False, backoff=quick_backoff())

    # The worker's bundle is refused as before, recorded nowhere as received.
    [(refused_id, code)] = pulled.refused
    assert code == "bundle-device-revoked"
    assert lviv.sync.received_bundle(refused_id) is None
    assert not worker_revisions & _revision_ids(lviv)
    # Its revisions are kept as left out; Kyiv's edit is left out and reported.
    [taken] = [r for r in pulled.received if r.bundle_id == made.bundle_id]
    assert taken.withheld_revisions == (edit,)  # before: (), and the edit stored
    assert edit not in _revision_ids(lviv)
    assert worker_revisions | {edit} <= withheld_revision_ids(lviv)
    assert_verified(kyiv, lviv)  # before: names parent ..., which is not in the vault

    # The next pull does not see the refused bundle again, and changes nothing.
    again = pull(lviv, proxy=False, backoff=quick_backoff())
    assert again.refused == [] and again.received == []


# -- by USB --------------------------------------------------------------------------------


def _revoked_workers_bundle(desks: UsbDesks) -> tuple[Vault, Path]:
    """A field worker's bundle on a stick, made before its revocation, which
    Lviv (a recipient, holding the new profile) has not seen."""
    field = desks.worker("field")
    path = desks.org.export(field.vault).path
    desks.revoke(field.vault.device_id)
    return field.vault, path


def _refused_at_lviv(desks: UsbDesks, path: Path, *, org_id: str | None = None) -> BundleRejected:
    before = _revision_ids(desks.lviv)
    held = desks.lviv.sync.held_bundles(include_approved=True)
    with pytest.raises(BundleRejected) as refused:
        import_bundle(
            desks.lviv, path, desks.lviv.vault_keys.age_identity(), org_id=org_id or desks.org.org_id
        )
    assert _revision_ids(desks.lviv) == before
    assert desks.lviv.sync.held_bundles(include_approved=True) == held
    return refused.value


def test_a_usb_import_refusing_a_revoked_makers_bundle_keeps_its_revisions_as_left_out(
    usb_desks: UsbDesks,
) -> None:
    desks = usb_desks
    worker, path = _revoked_workers_bundle(desks)
    # A dry run (bundle verify) keeps nothing.
    with pytest.raises(BundleRejected):
        import_bundle(
            desks.lviv, path, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id, dry_run=True
        )
    assert withheld_revision_ids(desks.lviv) == frozenset()

    refusal = _refused_at_lviv(desks, path)
    assert refusal.kind == "device-revoked"
    assert withheld_revision_ids(desks.lviv) == _revision_ids(worker, worker.device_id)  # before: empty
    assert desks.lviv.sync.received_bundle(check_header(path).bundle_id) is None
    assert desks.lviv.verify().ok
    # Imported again: refused again, nothing more.
    assert _refused_at_lviv(desks, path).kind == "device-revoked"
    assert withheld_revision_ids(desks.lviv) == _revision_ids(worker, worker.device_id)


def _forged(sender: Vault, desks: UsbDesks, dest: Path, revisions: list[dict[str, Any]]) -> Path:
    """A bundle signed by ``sender``'s own device key (its first), to the
    coordinators Lviv knows, carrying ``revisions``."""
    return signed_by(
        sender, desks, dest, revisions=revisions, sequence=1, name=f"forged-{sender.device_id}.fvbundle"
    )


def test_only_revisions_the_revoked_maker_signed_and_that_verify_are_kept(usb_desks: UsbDesks) -> None:
    """A seized device's own bundle carrying, besides its revisions, one
    whose signature was broken and one another device (Kyiv) signed: only
    its own sound revisions are kept."""
    desks = usb_desks
    worker, _path = _revoked_workers_bundle(desks)
    own = _wires(worker)
    bad = own[0]
    signature = bytearray(base64.b64decode(bad["signature"]))
    signature[0] ^= 1
    bad = bad | {"signature": base64.b64encode(bytes(signature)).decode("ascii")}
    kyiv_case = desks.kyiv.cases.create(Case(title="Kyiv's case"))
    kyiv_revisions = _wires(desks.kyiv)
    forged = _forged(worker, desks, desks.tmp_path / "forged", [bad, *own[1:], *kyiv_revisions])
    assert _refused_at_lviv(desks, forged).kind == "device-revoked"
    kept = withheld_revision_ids(desks.lviv)
    assert kept == {w["id"] for w in own[1:]}
    assert bad["id"] not in kept
    assert not kept & {w["id"] for w in kyiv_revisions}
    with pytest.raises(NotFound):  # nothing of the refused bundle applied
        desks.lviv.cases.get(kyiv_case.id)


def _flip(path: Path, offset: int, dest: Path) -> Path:
    data = bytearray(path.read_bytes())
    data[offset] ^= 1
    dest.write_bytes(bytes(data))
    return dest


def test_a_bundle_refused_for_any_other_reason_keeps_nothing(usb_desks: UsbDesks) -> None:
    desks = usb_desks
    _worker, path = _revoked_workers_bundle(desks)
    header_length = int.from_bytes(path.read_bytes()[len(MAGIC) : len(MAGIC) + 4], "big")
    signature_at = len(MAGIC) + 4 + header_length

    # A broken header signature; another organisation's reader; a tampered payload
    # (refused as the revoked maker's, but the bundle fails its checks when read).
    assert _refused_at_lviv(desks, _flip(path, signature_at, desks.tmp_path / "sig.fvbundle")).kind == (
        "header-signature"
    )
    assert _refused_at_lviv(desks, path, org_id="another-organisation").kind == "organisation"
    tampered = _flip(path, path.stat().st_size - 20, desks.tmp_path / "payload.fvbundle")
    assert _refused_at_lviv(desks, tampered).kind == "device-revoked"
    assert withheld_revision_ids(desks.lviv) == frozenset()

    # An outsider's bundle: held in quarantine, nothing kept.
    outsider = record_field_work(desks.tmp_path / "outsider", desks.tmp_path).vault
    desks.others.append(outsider)
    with pytest.raises(BundleQuarantined):
        import_bundle(
            desks.lviv,
            _forged(outsider, desks, desks.tmp_path / "outsider-stick", _wires(outsider)),
            desks.lviv.vault_keys.age_identity(),
            org_id=desks.org.org_id,
        )
    # A known worker's bundle (not revoked) with a broken revision: refused, nothing kept.
    honest = desks.worker("honest").vault
    desks.org.import_(desks.org.export(honest).path)
    desks.to_lviv(desks.kyiv_bundle())  # Lviv knows the honest worker, on Kyiv's vouch
    assert desks.lviv.sync.device(honest.device_id) is not None
    broken = _wires(honest)[0]
    broken = broken | {"signature": base64.b64encode(bytes(64)).decode("ascii")}
    refused = _refused_at_lviv(desks, _forged(honest, desks, desks.tmp_path / "honest", [broken]))
    assert refused.kind != "device-revoked"
    assert withheld_revision_ids(desks.lviv) == frozenset()
