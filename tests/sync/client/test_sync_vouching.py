"""Vouching between coordinators through a real server on loopback (issue
14; docs/bundle-format.md §8 "Vouching between coordinators", docs/sync.md
§2 "Pull").

The Kyiv desk created the organisation: it alone issues tokens, adds cards
and can check a token's proof. The Lviv desk, a second coordinator of the
profile, pulls the workers' bundles from the same server and, before,
held every one of them in quarantine for good (it cannot approve without
the organisation key). Now Kyiv's bundle to coordinators vouches for its
devices; once Lviv has imported it, Lviv's next pull imports the bundles it
holds of those devices from its spool and acknowledges them on the server,
and later bundles of theirs go straight in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.api import NoKeyring, Vault
from sync import org_vault
from sync.bundle.admission import BundleQuarantined
from sync.bundle.quarantine import release_held
from sync.bundle.vault_io import ImportedBundle, export_bundle, import_bundle
from sync.client.pull import pull
from sync.client.push import push, spool_dir
from sync.merge.devices import devices_view
from tests.cli_helpers import Cli, child_env
from tests.sync.client.sync_helpers import (
    Org,
    add_testimony,
    new_vault,
    organisation,
    quick_backoff,
    record_work,
)
from tests.vault_helpers import PASSPHRASE


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    """As tests/e2e/conftest.py's: the child's home and temp folders are the test's."""
    return child_env(tmp_path)


def _card_worker(org: Org, name: str) -> Vault:
    """A field worker Kyiv adds by its card, spending the token the worker
    enrolled with (the server registers it at its first sync, by that token)."""
    vault = new_vault(org.tmp / name)
    token = org_vault.issue_token(org.coordinator, hours=1).text
    signed = org_vault.current_signed(org.coordinator)
    org_vault.enrol(vault, signed.signed, fingerprint_given=signed.profile.fingerprint, token=token)
    org_vault.add_device(org.coordinator, org_vault.own_device_card(vault).text, token=token)
    org.workers.append(vault)
    return vault


def _acked_by(org: Org, coordinator: Vault, bundle_id: str) -> bool:
    """Has ``coordinator`` acknowledged the bundle on the server (its feed says)?"""
    with org.server.client() as client:
        client.login(coordinator.sync.signing_key(), coordinator.device_id)
        [change] = [c for c in client.changes(0)["changes"] if c["bundle_id"] == bundle_id]
        return bool(change["acked"])


def test_the_second_desk_imports_the_held_bundles_after_the_first_desks_vouch(
    org: Org, tmp_path: Path
) -> None:
    lviv = org.second_desk()
    by_token = org.worker("anna")  # enrolled with a Kyiv token
    token_work = record_work(by_token, tmp_path, "anna")
    first = push(by_token, backoff=quick_backoff()).made
    assert first is not None

    held = pull(lviv, backoff=quick_backoff())
    assert held.held == [first.bundle_id] and held.received == []
    [row] = lviv.sync.held_bundles()
    assert (row.reason, Path(row.path).parent) == ("token-unknown", spool_dir(lviv).absolute())
    kyiv = pull(org.coordinator, backoff=quick_backoff())  # Kyiv checks its token: enrolled there
    assert [r.bundle_id for r in kyiv.received] == [first.bundle_id]

    by_card = _card_worker(org, "boris")
    card_work = record_work(by_card, tmp_path, "boris")
    second = push(by_card, backoff=quick_backoff()).made
    assert second is not None
    assert pull(lviv, backoff=quick_backoff()).held == [second.bundle_id]
    assert not _acked_by(org, lviv, first.bundle_id)

    # Kyiv's bundle to coordinators, by USB: it vouches for both workers.
    profile = org_vault.held_profile(org.coordinator)
    assert profile is not None
    usb = tmp_path / "usb"
    usb.mkdir()
    made = export_bundle(
        org.coordinator, usb, [c.age_recipient for c in profile.coordinators], profile.org_id, profile.version
    )
    taken = import_bundle(lviv, made.path, lviv.vault_keys.age_identity(), org_id=profile.org_id)
    assert sorted(taken.vouched) == sorted([by_token.device_id, by_card.device_id])

    # Lviv's next pull imports what it held, from its spool, and acknowledges it.
    released = pull(lviv, backoff=quick_backoff())
    assert sorted(released.released) == sorted([first.bundle_id, second.bundle_id])
    assert sorted(r.bundle_id for r in released.received) == sorted([first.bundle_id, second.bundle_id])
    assert released.held == [] and released.refused == []
    assert lviv.sync.held_bundles() == []
    assert list(spool_dir(lviv).glob("*.fvbundle*")) == []  # the pulled copies are gone
    assert _acked_by(org, lviv, first.bundle_id) and _acked_by(org, lviv, second.bundle_id)
    narratives = {t.narrative for t in lviv.testimonies.list()}
    assert {token_work.narrative, card_work.narrative} <= narratives
    out = tmp_path / "boris-evidence"
    lviv.evidence.export(card_work.evidence_id, out)
    assert out.read_bytes() == card_work.evidence

    # A later bundle of a vouched worker goes straight in.
    add_testimony(by_card, "Boris, second statement")
    third = push(by_card, backoff=quick_backoff()).made
    assert third is not None
    later = pull(lviv, backoff=quick_backoff())
    assert [r.bundle_id for r in later.received] == [third.bundle_id] and later.held == []
    rows = {r.device_id: r for r in devices_view(lviv)}
    for worker in (by_token, by_card):
        assert rows[worker.device_id].verification == "verified"
        assert rows[worker.device_id].held_bundles == 0
        assert rows[worker.device_id].vouched_by == org.coordinator.device_id
    assert lviv.verify().ok


def test_a_held_bundle_stays_held_without_a_vouch(org: Org, tmp_path: Path) -> None:
    """The control: pulls alone release nothing (the device is unknown at Lviv)."""
    lviv = org.second_desk()
    worker = org.worker("anna")
    record_work(worker, tmp_path, "anna")
    made = push(worker, backoff=quick_backoff()).made
    assert made is not None
    assert pull(lviv, backoff=quick_backoff()).held == [made.bundle_id]
    pull(org.coordinator, backoff=quick_backoff())
    again = pull(lviv, backoff=quick_backoff())
    assert again.released == [] and again.received == []
    assert [h.bundle_id for h in lviv.sync.held_bundles()] == [made.bundle_id]


def test_fieldvault_bundle_import_releases_usb_held_bundles_and_sync_the_pulled_ones(
    org: Org, tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    """The command line: ``bundle import`` of Kyiv's bundle at the Lviv desk
    imports a bundle Lviv held from a USB stick (still where it was left)
    and says that one it holds from a pull is for the next ``sync``, which
    imports it."""
    lviv = org.second_desk()
    anna = org.worker("anna")
    anna_work = record_work(anna, tmp_path, "anna")
    pulled = push(anna, backoff=quick_backoff()).made
    assert pulled is not None
    assert pull(lviv, backoff=quick_backoff()).held == [pulled.bundle_id]
    pull(org.coordinator, backoff=quick_backoff())  # Kyiv: anna's token checks out

    boris = _card_worker(org, "boris")
    boris_work = record_work(boris, tmp_path, "boris")
    stick = tmp_path / "stick"
    stick.mkdir()
    profile = org_vault.held_profile(org.coordinator)
    assert profile is not None
    recipients = [c.age_recipient for c in profile.coordinators]
    by_usb = export_bundle(boris, stick, recipients, profile.org_id, profile.version)
    with pytest.raises(BundleQuarantined):
        import_bundle(lviv, by_usb.path, lviv.vault_keys.age_identity(), org_id=profile.org_id)
    kyiv_bundle = export_bundle(org.coordinator, stick, recipients, profile.org_id, profile.version)

    lviv.lock()
    desk = Cli(lviv.folder, isolated_env)
    rows = desk.json("bundle", "import", str(kyiv_bundle.path), secrets=[PASSPHRASE])
    first, *after = rows
    assert first["bundle_id"] == kyiv_bundle.bundle_id
    assert sorted(first["vouched"]) == sorted([anna.device_id, boris.device_id])
    by_id = {row["bundle_id"]: row for row in after}
    assert by_id[by_usb.bundle_id]["released"] is True and by_id[by_usb.bundle_id]["ok"] is True
    assert by_id[by_usb.bundle_id]["revisions"] >= 2
    assert by_id[pulled.bundle_id]["action"] == "next-sync" and by_id[pulled.bundle_id]["released"] is False
    said = desk.run("bundle", "import", str(kyiv_bundle.path), secrets=[PASSPHRASE]).stdout
    assert "already imported" in said  # a replay vouches nothing: no release rows again

    synced = desk.json("sync", secrets=[PASSPHRASE])
    assert synced["received"] == 1 and synced["released"] == [pulled.bundle_id]
    opened = Vault.open(lviv.folder, PASSPHRASE, keyring=NoKeyring())
    try:
        assert opened.sync.held_bundles() == []
        narratives = {t.narrative for t in opened.testimonies.list()}
        assert {anna_work.narrative, boris_work.narrative} <= narratives
        assert opened.verify().ok
    finally:
        opened.lock()


def test_a_release_cut_before_its_acknowledgement_is_acknowledged_by_the_next_pull(
    org: Org, tmp_path: Path
) -> None:
    """A kill between a release's import and its acknowledgement (the same
    state as a pulled bundle approved by code): imported, its spool copy
    still there, not acknowledged. The next pull acknowledges it as Lviv and
    removes the copy; it imports nothing again."""
    lviv = org.second_desk()
    worker = org.worker("anna")
    record_work(worker, tmp_path, "anna")
    made = push(worker, backoff=quick_backoff()).made
    assert made is not None
    assert pull(lviv, backoff=quick_backoff()).held == [made.bundle_id]
    pull(org.coordinator, backoff=quick_backoff())
    profile = org_vault.held_profile(org.coordinator)
    assert profile is not None
    usb = tmp_path / "usb"
    usb.mkdir()
    kyiv = export_bundle(
        org.coordinator, usb, [c.age_recipient for c in profile.coordinators], profile.org_id, profile.version
    )
    import_bundle(lviv, kyiv.path, lviv.vault_keys.age_identity(), org_id=profile.org_id)
    # The release's import, without the pull's acknowledgement after it.
    [released] = release_held(lviv, lviv.vault_keys.age_identity(), org_id=profile.org_id)
    assert released.imported is not None
    copy = spool_dir(lviv) / f"{made.bundle_id}.fvbundle"
    assert copy.is_file() and not _acked_by(org, lviv, made.bundle_id)

    after = pull(lviv, backoff=quick_backoff())
    assert after.released == [] and after.received == [] and after.refused == []
    assert _acked_by(org, lviv, made.bundle_id)
    assert not copy.exists()


def test_the_vouch_through_the_server_releases_the_held_bundle_in_the_same_pull(
    org: Org, tmp_path: Path
) -> None:
    """Coordinators' own bundles travel through the server too (docs/sync.md
    §2.3): the Kyiv desk's sync round pushes its bundle, vouching for the
    worker it enrolled by token; the Lviv desk's next round pulls it and,
    in the same pull, imports and acknowledges the worker's bundle it held.
    Nobody carries a stick."""
    from db.api import Case
    from tests.sync.client.test_coordinator_push import desk_sync

    lviv = org.second_desk()
    worker = org.worker("anna")
    work = record_work(worker, tmp_path, "anna")
    made = push(worker, backoff=quick_backoff()).made
    assert made is not None
    desk_sync(lviv)
    assert [h.bundle_id for h in lviv.sync.held_bundles()] == [made.bundle_id]  # token-unknown

    org.coordinator.cases.create(Case(title="Kyiv desk: a case of its own"))  # its own work to share
    desk_sync(org.coordinator)  # pulls the worker's bundle (its token), pushes its own bundle
    desk_sync(lviv)
    assert lviv.sync.held_bundles() == []
    known = lviv.sync.device(worker.device_id)
    assert known is not None and (known.status, known.vouched_by) == ("enrolled", org.coordinator.device_id)
    assert work.narrative in {t.narrative for t in lviv.testimonies.list()}
    assert lviv.sync.received_bundle(made.bundle_id) is not None
    assert _acked_by(org, lviv, made.bundle_id)
    assert lviv.verify().ok


def test_a_spool_copy_swapped_before_the_release_import_is_not_acknowledged_as_the_held_bundle(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 8 F7, the pull's side: the held bundle's spool copy is swapped
    for another valid bundle of the same worker between the release's check
    and the import's read. That bundle is imported (it passes every check);
    the held one is reported (quarantine-file-changed), not named released,
    not acknowledged on the server, and stays held. Before, the pull
    acknowledged the held bundle and removed the copy."""
    from sync.bundle import quarantine

    lviv = org.second_desk()
    worker = org.worker("anna")
    record_work(worker, tmp_path, "anna")
    made = push(worker, backoff=quick_backoff()).made
    assert made is not None
    assert pull(lviv, backoff=quick_backoff()).held == [made.bundle_id]
    pull(org.coordinator, backoff=quick_backoff())
    profile = org_vault.held_profile(org.coordinator)
    assert profile is not None
    recipients = [c.age_recipient for c in profile.coordinators]
    usb = tmp_path / "usb"
    usb.mkdir()
    add_testimony(worker, "Anna, second statement")
    other = export_bundle(worker, usb, recipients, profile.org_id, profile.version)  # never on the server
    kyiv = export_bundle(org.coordinator, usb, recipients, profile.org_id, profile.version)
    import_bundle(lviv, kyiv.path, lviv.vault_keys.age_identity(), org_id=profile.org_id)

    copy = spool_dir(lviv) / f"{made.bundle_id}.fvbundle"
    real_import = import_bundle

    def swapped_then_imported(vault: Vault, path: Path, *args: object, **kwargs: object) -> ImportedBundle:
        if path.absolute() == copy.absolute():  # the moment between the release's check and the import
            path.write_bytes(other.path.read_bytes())
        return real_import(vault, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(quarantine, "import_bundle", swapped_then_imported)
    after = pull(lviv, backoff=quick_backoff())

    assert after.released == []
    assert (made.bundle_id, "quarantine-file-changed") in after.refused
    assert [r.bundle_id for r in after.received] == [other.bundle_id]
    assert not _acked_by(org, lviv, made.bundle_id)
    row = lviv.sync.held_bundle(made.bundle_id)
    assert row is not None and row.status == "held"
    assert lviv.sync.received_bundle(made.bundle_id) is None
    assert lviv.sync.received_bundle(other.bundle_id) is not None
