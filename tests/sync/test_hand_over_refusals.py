"""The history hand-over's refusals and replays (docs/bundle-format.md §10),
by USB with real vaults: Kyiv took a field worker's bundle and acknowledged
it; Lviv and Odesa were added as coordinators since.

- a replayed hand-over is a no-op;
- one made for Odesa (encrypted to Odesa) is not Lviv's to read;
- one Kyiv signed for Odesa but encrypted to Lviv (a faulty or hostile
  maker) is refused by its ``addressee``, nothing applied;
- one a field worker made (its own key, a ``received`` member, addressed
  and encrypted to Lviv) is refused as ``signer``: the member is a
  coordinator's word only;
- a revoked worker's records, chain and bundles are not handed over, and
  the new desk still verifies;
- one naming another bundle at a number the new desk holds is a ``fork``,
  and one carrying the new desk's own chain is refused (``custody``),
  nothing applied."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import Case, Vault
from sync import org_vault
from sync.bundle.errors import BundleRejected
from sync.bundle.format import ReceivedEntry
from sync.bundle.hand_over import hand_over
from sync.bundle.writer import BundleContents, DeviceIdentity, bundle_file_name, write_bundle
from tests.db.sync_fixtures import FieldWork
from tests.sync.desk_world import (
    ack_by_usb,
    add_desk,
    assert_verified,
    heads_hash,
    import_by_usb,
    know_worker,
    revoke,
)
from tests.sync.trust_fixtures import Organisation, make_organisation
from tests.sync.usb_world import SavedUsbOrg, built_once, save


@dataclass
class Desks:
    org: Organisation
    worker: FieldWork
    lviv: Vault
    odesa: Vault

    @property
    def kyiv(self) -> Vault:
        return self.org.coordinator

    def to_lviv(self, path: Path) -> object:
        return import_by_usb(self.lviv, path, self.org.org_id)

    def stick(self, name: str) -> Path:
        folder = self.org.tmp_path / name
        folder.mkdir(exist_ok=True)
        return folder


def _build(folder: Path) -> tuple[SavedUsbOrg, None]:
    org = make_organisation(folder)
    worker = org.worker("field", token=org.token())
    made = org.export(worker.vault)
    org.import_(made.path)
    ack_by_usb(org.coordinator, worker.vault, made.bundle_id)
    lviv = add_desk(org.coordinator, folder / "lviv", label="Lviv")
    odesa = add_desk(org.coordinator, folder / "odesa", label="Odesa")
    org_vault.update_profile(lviv, org_vault.current_signed(org.coordinator).signed)
    return save(org, {"lviv": lviv, "odesa": odesa}), None


@pytest.fixture
def desks(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desks]:
    """The desks, built once per test process (usb_world): this test's own copy."""
    saved, _ = built_once("hand-over-refusals", tmp_path_factory, _build)
    with saved.copy(tmp_path) as (org, made):
        [worker] = org.workers
        yield Desks(org, worker, made["lviv"], made["odesa"])


def test_a_replayed_hand_over_is_a_no_op(desks: Desks) -> None:
    handed = hand_over(desks.kyiv, desks.stick("stick"), desks.lviv.device_id)
    first = import_by_usb(desks.lviv, handed.path, desks.org.org_id)
    assert not first.replay and first.custody_events >= 1
    held = heads_hash(desks.lviv)
    assert held == heads_hash(desks.kyiv)
    again = import_by_usb(desks.lviv, handed.path, desks.org.org_id)
    assert again.replay and heads_hash(desks.lviv) == held
    # The worker's bundle itself is now a replay at Lviv too.
    assert desks.lviv.sync.device(desks.worker.vault.device_id).last_sequence == 1  # type: ignore[union-attr]
    assert_verified(desks.kyiv, desks.lviv)


def test_a_hand_over_for_another_desk_is_not_read(desks: Desks) -> None:
    before = heads_hash(desks.lviv)
    handed = hand_over(desks.kyiv, desks.stick("stick"), desks.odesa.device_id)
    with pytest.raises(BundleRejected) as refused:
        import_by_usb(desks.lviv, handed.path, desks.org.org_id)
    assert refused.value.kind == "not-a-recipient"
    assert heads_hash(desks.lviv) == before
    # Odesa takes its own.
    org_vault.update_profile(desks.odesa, org_vault.current_signed(desks.kyiv).signed)
    import_by_usb(desks.odesa, handed.path, desks.org.org_id)
    assert heads_hash(desks.odesa) == heads_hash(desks.kyiv)


def _crafted(
    maker: Vault,
    dest: Path,
    addressee: str,
    recipient: str,
    entry: ReceivedEntry,
    custody: list[dict[str, str]] | None = None,
) -> Path:
    """A bundle with a ``received`` member (and ``custody`` events), signed
    by ``maker``'s device key as the real writer signs, carrying nothing else."""
    profile = org_vault.held_profile(maker)
    assert profile is not None
    sequence = maker.sync.outgoing().bundle_sequence + 1
    written = write_bundle(
        dest / bundle_file_name(profile.org_id, maker.device_id, sequence),
        BundleContents(
            org_id=profile.org_id,
            profile_version=profile.version,
            sequence=sequence,
            previous=maker.sync.outgoing().previous_bundle_id,
            custody_head=custody[-1]["hash"] if custody else None,
            custody=custody or [],
            addressee=addressee,
            received=[entry],
        ),
        DeviceIdentity(maker.sync.signing_key(), maker.device_id),
        [recipient],
    )
    return written.path


def _forged_entry(desks: Desks) -> ReceivedEntry:
    """The worker's bundle 2, which nobody ever received: recorded at Lviv,
    it would hide the gap a lost bundle leaves, or fork the real one."""
    return ReceivedEntry(desks.worker.vault.device_id, 2, "ab" * 32, "cd" * 32, None)


def test_a_hand_over_signed_for_another_desk_is_refused_by_its_addressee(desks: Desks) -> None:
    before = heads_hash(desks.lviv)
    path = _crafted(
        desks.kyiv,
        desks.stick("crafted"),
        desks.odesa.device_id,
        desks.lviv.vault_keys.age_recipient(),
        _forged_entry(desks),
    )
    with pytest.raises(BundleRejected) as refused:
        import_by_usb(desks.lviv, path, desks.org.org_id)
    assert refused.value.kind == "not-a-recipient"
    assert heads_hash(desks.lviv) == before
    assert desks.lviv.sync.received_bundles() == []


def test_a_hand_over_made_by_a_field_worker_is_refused(desks: Desks) -> None:
    worker = desks.worker.vault
    know_worker(desks.lviv, worker)  # Lviv holds its card: the bundle passes admission
    path = _crafted(
        worker,
        desks.stick("crafted"),
        desks.lviv.device_id,
        desks.lviv.vault_keys.age_recipient(),
        _forged_entry(desks),
    )
    with pytest.raises(BundleRejected) as refused:
        import_by_usb(desks.lviv, path, desks.org.org_id)
    assert (refused.value.kind, refused.value.subject) == ("signer", worker.device_id)
    assert desks.lviv.sync.received_bundles() == []


def test_a_revoked_workers_history_is_not_handed_over(desks: Desks, tmp_path: Path) -> None:
    second = desks.org.worker("second", token=desks.org.token())
    made = desks.org.export(second.vault)
    desks.org.import_(made.path)
    revoke(desks.kyiv, second.vault.device_id, tell=[desks.lviv])
    handed = hand_over(desks.kyiv, desks.stick("stick"), desks.lviv.device_id)
    assert handed.withheld  # the second worker's revisions
    assert handed.chains == 1  # the first worker's chain only
    import_by_usb(desks.lviv, handed.path, desks.org.org_id)
    held = {r.device_id for r in desks.lviv.sync.received_bundles()}
    assert desks.worker.vault.device_id in held and second.vault.device_id not in held
    lviv_revisions = {r.revision_id for r in desks.lviv.revisions.all()}
    assert not lviv_revisions & set(handed.withheld)
    assert_verified(desks.lviv)


def test_a_hand_over_naming_another_bundle_at_a_held_number_is_a_fork(desks: Desks) -> None:
    """Lviv holds the worker's bundle 1 (from a first hand-over); a second
    one from Kyiv naming another bundle 1 is refused whole as a fork."""
    import_by_usb(
        desks.lviv, hand_over(desks.kyiv, desks.stick("first"), desks.lviv.device_id).path, desks.org.org_id
    )
    held = heads_hash(desks.lviv)
    worker = desks.worker.vault.device_id
    path = _crafted(
        desks.kyiv,
        desks.stick("crafted"),
        desks.lviv.device_id,
        desks.lviv.vault_keys.age_recipient(),
        ReceivedEntry(worker, 1, "ab" * 32, None, None),
    )
    with pytest.raises(BundleRejected) as refused:
        import_by_usb(desks.lviv, path, desks.org.org_id)
    assert refused.value.kind == "fork"
    assert heads_hash(desks.lviv) == held
    assert [r.sequence for r in desks.lviv.sync.received_bundles() if r.device_id == worker] == [1]


def test_a_hand_over_carrying_the_new_desks_own_chain_is_refused(desks: Desks, tmp_path: Path) -> None:
    """The new desk's own chain is its own to write: events of it in a
    hand-over (signed by the new desk, so they would verify) are refused."""
    source = tmp_path / "desk-photo.bin"
    source.write_bytes(b"a file the Lviv desk took in")
    case_id = desks.lviv.cases.create(Case(title="Lviv desk case")).id
    desks.lviv.evidence.ingest(source, case_id)
    own = [event.to_wire() for event in desks.lviv.sync.custody_since()]
    assert own
    path = _crafted(
        desks.kyiv,
        desks.stick("crafted"),
        desks.lviv.device_id,
        desks.lviv.vault_keys.age_recipient(),
        _forged_entry(desks),
        custody=own,
    )
    with pytest.raises(BundleRejected) as refused:
        import_by_usb(desks.lviv, path, desks.org.org_id)
    assert (refused.value.kind, refused.value.subject) == ("custody", own[0]["hash"])
    assert desks.lviv.sync.received_bundles() == []
