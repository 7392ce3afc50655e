"""A sender revoked between admission and the import's write lock.

``import_bundle`` (sync/bundle/vault_io.py) decides §5 step 5 (admission,
sync/bundle/admission.py) before it takes the vault's write lock, from the
profile held then; ``_apply`` then takes the lock and decides the rest. A
revocation stored in between (a coordinator revoking the device in the GUI,
another import or a pull storing a newer profile) must give exactly what a
revocation before the import gives: the bundle refused ``device-revoked``,
nothing of it applied or recorded as received, no device enrolled and no
token spent, and, at a coordinator of the profile that revokes it, the
maker's revisions kept as left out (``_keep_revoked_makers_revisions``,
docs/bundle-format.md §5 step 11). Before, the known sender's bundle was
refused as ``signer`` (or ``custody``) and nothing was kept, one without
revisions or events was recorded as received, and a sender admitted by its
token or approved by its code was enrolled and its bundle applied.

Each window is made real: ``vault.sync.begin_import`` is wrapped so that
the revocation is done through the public API (``org_vault.revoke_device``,
or ``vault.sync.set_device_status`` for a revocation only the devices table
holds) when the import asks for the lock, after admission. Each outcome is
compared with the same import on a copy of the vault taken just before,
where the revocation comes first.

Real vaults and real bundles, through a folder standing for a USB stick."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import text

from db.api import Vault, withheld_revision_ids
from sync import org_vault
from sync.bundle import BundleRejected, check_bundle
from sync.bundle.admission import BundleQuarantined
from sync.bundle.quarantine import QuarantineRefused, approve_bundle, import_refusals
from sync.bundle.vault_io import ExportedBundle, ImportedBundle, import_bundle
from tests.sync.client.sync_helpers import record_work
from tests.sync.desk_world import UsbDesks, act_at_the_import_lock, usb_desks
from tests.sync.trust_fixtures import Organisation, make_organisation
from tests.vault_helpers import open_vault

TABLES = (
    "revisions",
    "received_bundles",
    "received_custody_events",
    "evidence_blobs",
    "known_devices",
    "withheld_revisions",
)

Revoke = Callable[[Vault, str], None]

__all__ = ["usb_desks"]  # the fixture


def by_profile(vault: Vault, device_id: str) -> None:
    """The coordinator revokes the device (a new profile version)."""
    org_vault.revoke_device(vault, device_id)


def by_devices_table(vault: Vault, device_id: str) -> None:
    """Only the vault's devices table says revoked (a profile being applied
    stores the devices first, the profile last: sync/org_vault.py ``_keep``)."""
    vault.sync.set_device_status(device_id, "revoked")


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Organisation]:
    made = make_organisation(tmp_path)
    yield made
    made.close()


def _counts(vault: Vault) -> dict[str, int]:
    with vault.services.context.sessions() as session:
        return {t: cast(int, session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}


@dataclass(frozen=True)
class Outcome:
    """What an import left in the coordinator's vault."""

    reason: str | None  # the refusal's; None: imported (or a replay)
    replay: bool
    refused_read: tuple[int, int] | None
    counts: dict[str, int]
    withheld: frozenset[str]
    received: bool
    device_status: str | None
    token_users: tuple[str | None, ...]
    held: tuple[tuple[str, str], ...]


def _revision_ids(vault: Vault) -> set[str]:
    return {r.revision_id for r in vault.revisions.since(0, 100_000)}


def _outcome(vault: Vault, made: ExportedBundle, run: Callable[[], ImportedBundle]) -> Outcome:
    reason, refused_read, replay = None, None, False
    try:
        replay = run().replay
    except BundleRejected as refused:
        assert not isinstance(refused, BundleQuarantined), refused.reason
        reason, refused_read = refused.reason, refused.refused_read
    device_id = check_bundle(made.path).header.device_id
    device = vault.sync.device(device_id)
    return Outcome(
        reason=reason,
        replay=replay,
        refused_read=refused_read,
        counts=_counts(vault),
        withheld=withheld_revision_ids(vault),
        received=vault.sync.received_bundle(made.bundle_id) is not None,
        device_status=device.status if device is not None else None,
        token_users=tuple(t.used_by for t in vault.enrolment_tokens.issued()),
        held=tuple((h.bundle_id, h.status) for h in vault.sync.held_bundles(include_approved=True)),
    )


class Desks:
    """The coordinator's vault, and a copy of it made at ``split`` time."""

    def __init__(self, org: Organisation, monkeypatch: pytest.MonkeyPatch) -> None:
        self.org = org
        self.monkeypatch = monkeypatch
        self.twin: Vault | None = None

    def split(self) -> Vault:
        """Copy the coordinator's vault as it is now (locked to copy it, then
        both opened again): the same import run on the copy with the
        revocation first is what the window must give."""
        org = self.org
        folder = Path(org.coordinator.folder)
        org.coordinator.lock()
        shutil.copytree(folder, folder.with_name("coordinator-twin"))
        org.coordinator = open_vault(folder)
        self.twin = open_vault(folder.with_name("coordinator-twin"))
        return self.twin

    def close(self) -> None:
        if self.twin is not None:
            self.twin.lock()

    def in_the_window(self, act: Callable[[], None]) -> list[str]:
        """``act`` runs once, when an import first asks for its write lock
        (``vault.sync`` is made afresh at each use, so its class is wrapped;
        only the vault under test imports from then on). Returns a list that
        says it ran."""
        return act_at_the_import_lock(self.monkeypatch, act)

    def compare(
        self,
        made: ExportedBundle,
        device_id: str,
        revoke: Revoke,
        run: Callable[[Vault], ImportedBundle],
        *,
        also: Callable[[Vault], object] = lambda _vault: None,
    ) -> Outcome:
        """``run`` on the copy after ``also`` and ``revoke``, and on the
        coordinator's vault with ``also`` and ``revoke`` done in the window;
        both outcomes must be the same. Returns it."""
        twin = self.split()
        also(twin)
        revoke(twin, device_id)
        before = _outcome(twin, made, lambda: run(twin))
        coordinator = self.org.coordinator

        def act() -> None:
            also(coordinator)
            revoke(coordinator, device_id)

        ran = self.in_the_window(act)
        window = _outcome(coordinator, made, lambda: run(coordinator))
        assert ran, "the import never asked for its write lock"
        assert window == before
        return window


@pytest.fixture
def desks(org: Organisation, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desks]:
    made = Desks(org, monkeypatch)
    yield made
    made.close()


def _import(path: Path, org_id: str) -> Callable[[Vault], ImportedBundle]:
    return lambda vault: import_bundle(vault, path, vault.vault_keys.age_identity(), org_id=org_id)


def _signed_by(vault: Vault) -> set[str]:
    """The revisions the worker's vault signed (its first bundle carries
    them all; a later one those after its last acknowledged bundle)."""
    return {r.revision_id for r in vault.revisions.since(0, 100_000) if r.device_id == vault.device_id}


def _known_worker(org: Organisation, tmp_path: Path) -> tuple[Vault, ExportedBundle, set[str]]:
    """A worker enrolled here by its token's first bundle, acknowledged,
    then its second bundle with new work (revisions, events, a file)."""
    work = org.worker("field", token=org.token())
    first = org.export(work.vault)
    org.import_(first.path)
    work.vault.sync.acknowledge_bundle(first.bundle_id, org.coordinator.device_id)
    before = _signed_by(work.vault)
    record_work(work.vault, tmp_path, "second")
    second = org.export(work.vault)
    new = _signed_by(work.vault) - before
    assert second.revisions == len(new) > 0 and second.custody_events > 0 and second.blobs == 1
    return work.vault, second, new


# -- a known, enrolled sender ------------------------------------------------------------------


def test_a_known_sender_revoked_in_the_window_is_refused_as_revoked_and_its_revisions_kept(
    org: Organisation, desks: Desks, tmp_path: Path
) -> None:
    worker, made, new = _known_worker(org, tmp_path)
    outcome = desks.compare(made, worker.device_id, by_profile, _import(made.path, org.org_id))
    # Before: BundleRejected("signer", <its first revision>), and nothing kept.
    assert outcome.reason == "device-revoked"
    assert not outcome.received and outcome.device_status == "revoked"
    assert new <= outcome.withheld and not new & _revision_ids(org.coordinator)
    assert outcome.refused_read == (len(new), 0)
    assert org.coordinator.verify().ok


def test_a_revocation_only_the_devices_table_holds_refuses_the_known_sender_as_revoked(
    org: Organisation, desks: Desks, tmp_path: Path
) -> None:
    worker, made, new = _known_worker(org, tmp_path)
    outcome = desks.compare(made, worker.device_id, by_devices_table, _import(made.path, org.org_id))
    # Before: BundleRejected("signer", ...). Nothing is kept as left out: no
    # profile revokes the device, as when the row said so before the import.
    assert outcome.reason == "device-revoked" and outcome.refused_read is None
    assert not outcome.received and not new & outcome.withheld
    assert not new & _revision_ids(org.coordinator)


@pytest.mark.parametrize("revoke", [by_profile, by_devices_table], ids=["profile", "devices-table"])
@pytest.mark.parametrize("content", ["empty", "custody-only"])
def test_a_bundle_without_revisions_is_not_recorded_as_received(
    org: Organisation, desks: Desks, tmp_path: Path, revoke: Revoke, content: str
) -> None:
    """No revision to fail the signer check: before, the revoked sender's
    custody-only bundle was refused as ``signer``/``custody`` (nothing
    kept either way) and an empty one was recorded as received (its
    sequence taken, its sender's next bundle chained to it)."""
    work = org.worker("field", token=org.token())
    first = org.export(work.vault)
    org.import_(first.path)
    work.vault.sync.acknowledge_bundle(first.bundle_id, org.coordinator.device_id)
    if content == "custody-only":
        work.vault.evidence.export(work.evidence_id, tmp_path / "viewed")  # an ``export`` event
    else:
        # The first bundle's ``transfer`` (sent) events travel in the
        # second; once that is acknowledged there is nothing left to send.
        second = org.export(work.vault)
        org.import_(second.path)
        work.vault.sync.acknowledge_bundle(second.bundle_id, org.coordinator.device_id)
    made = org.export(work.vault)
    assert made.revisions == 0 and (made.custody_events > 0) == (content == "custody-only")
    outcome = desks.compare(made, work.vault.device_id, revoke, _import(made.path, org.org_id))
    assert outcome.reason == "device-revoked" and not outcome.received


# -- a sender admitted by its token ------------------------------------------------------------


def test_a_sender_admitted_by_its_token_and_revoked_in_the_window_is_not_enrolled(
    org: Organisation, desks: Desks
) -> None:
    work = org.worker("field", token=org.token())
    made = org.export(work.vault)
    outcome = desks.compare(made, work.vault.device_id, by_profile, _import(made.path, org.org_id))
    # Before: the device was enrolled, its token spent and its bundle applied.
    assert outcome.reason == "device-revoked"
    assert outcome.device_status is None and outcome.token_users == (None,)
    assert not outcome.received and outcome.held == ()
    signed = _signed_by(work.vault)
    assert signed <= outcome.withheld and not signed & _revision_ids(org.coordinator)
    assert outcome.refused_read == (len(signed), 0)
    assert org.coordinator.verify().ok


# -- a sender approved by its code -------------------------------------------------------------


def test_a_sender_approved_by_its_code_and_revoked_in_the_window_is_not_enrolled(
    org: Organisation, desks: Desks
) -> None:
    """``approve_bundle`` checks the profile, then imports with the device
    approved (no admission under the lock): revoked in between, the import
    gives the approval's own refusal, ``quarantine-device-revoked``, as the
    same approval after the revocation does: nothing kept, no refusal
    recorded (session 18; tests/sync/test_readmission_approval.py compares
    the two). Session 17 refused it ``device-revoked`` as an import of the
    file, keeping the device's revisions as left out."""
    work = org.worker("field")  # no token: held until approved
    made = org.export(work.vault)
    with pytest.raises(BundleQuarantined):
        org.import_(made.path)
    code = org_vault.status(work.vault).verification_code
    ran = desks.in_the_window(lambda: by_profile(org.coordinator, work.vault.device_id))
    with pytest.raises(QuarantineRefused) as refused:
        approve_bundle(org.coordinator, made.bundle_id, code, org.coordinator.vault_keys.age_identity())
    assert ran
    # Before session 17: the device was enrolled and its bundle applied.
    assert refused.value.code == "quarantine-device-revoked"
    coordinator = org.coordinator
    assert coordinator.sync.device(work.vault.device_id) is None
    assert [(h.bundle_id, h.status) for h in coordinator.sync.held_bundles()] == [(made.bundle_id, "held")]
    assert coordinator.sync.received_bundle(made.bundle_id) is None
    assert import_refusals(coordinator) == {}
    signed = _signed_by(work.vault)
    assert not signed & _revision_ids(coordinator) and not signed & withheld_revision_ids(coordinator)


# -- a bundle received meanwhile (the replay path) ---------------------------------------------


@pytest.mark.parametrize("revoke", [by_profile, by_devices_table], ids=["profile", "devices-table"])
def test_a_bundle_another_import_took_in_the_window_is_answered_as_a_replay_would_be(
    org: Organisation, desks: Desks, tmp_path: Path, revoke: Revoke
) -> None:
    """Another import records the bundle and the sender is revoked, both in
    the window: as when both came first (§5 step 6 before step 5 unless the
    newest profile revokes the sender): refused ``device-revoked`` when the
    profile revokes it, a replay when only the devices table does."""
    worker, made, new = _known_worker(org, tmp_path)
    outcome = desks.compare(
        made, worker.device_id, revoke, _import(made.path, org.org_id), also=_import(made.path, org.org_id)
    )
    assert outcome.received and new <= _revision_ids(org.coordinator)
    if revoke is by_profile:
        assert outcome.reason == "device-revoked"
    else:
        assert outcome.reason is None and outcome.replay


# -- a coordinator desk's bundle -----------------------------------------------------------------


def test_a_coordinator_desk_revoked_in_the_window_is_refused_as_revoked_and_its_revisions_kept(
    usb_desks: UsbDesks, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The Lviv desk's bundle to coordinators, read at Kyiv while Kyiv
    revokes Lviv (a seized desk): its own revisions are not left out as a
    revoked signer's in a desk's bundle (§5 step 11 leaves out the *other*
    revoked signers), so before this the import refused it as ``signer``
    and kept nothing."""
    lviv = usb_desks.lviv
    record_work(lviv, tmp_path, "desk")
    made = usb_desks.org.export(lviv)
    desks = Desks(usb_desks.org, monkeypatch)
    try:
        outcome = desks.compare(made, lviv.device_id, by_profile, _import(made.path, usb_desks.org.org_id))
    finally:
        desks.close()
    signed = _signed_by(lviv)
    assert outcome.reason == "device-revoked" and not outcome.received
    assert signed <= outcome.withheld and not signed & _revision_ids(usb_desks.kyiv)
    assert outcome.refused_read == (len(signed), 0)
