"""An approval by code of a device enrolled when approve_bundle read it
(``approved=None``: another of its bundles approved before), when, before
the import's own first admission (its header read), its vouch lapses (its
row ``pending``) or a history hand-over records the held bundle as received
on its word, or both: the approval ends as the same approval after those
changes would (review 27 F1, F2; review 26 F4 was the same in the lock's
window). Before, the first admission held the bundle as from an unknown
device (F1), or answered a plain replay with the row left ``received`` and
the device ``pending`` (F2). docs/bundle-format.md §5 step 5.

The hand-over's record is made as sync/bundle/vault_io.py
_Applier.record_received makes it (VaultImport.record_bundle with
on_word=True, in an import unit), the lapse as
tests/sync/test_readmission_bounded.py makes it (set_device_status). The
window is the import's header read (tests/sync/test_readmission_approval.py
_before_admission); the reference is the same approval on a copy of the
desk that changed first."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.api import Vault
from db.entities import Case
from sync import org_vault
from sync.bundle import reader
from sync.bundle.quarantine import approve_bundle
from sync.bundle.vault_io import ExportedBundle
from tests.sync.test_readmission_approval import _approve, _before_admission, _held, _outcome
from tests.sync.test_revoked_after_admission import Desks, desks, org
from tests.sync.trust_fixtures import Organisation

__all__ = ["desks", "org"]


def _approved_before(org: Organisation) -> tuple[Vault, ExportedBundle]:
    """tests/sync/test_readmission_approval.py's scene (two bundles held,
    the first approved), its second bundle carrying a case only: no custody
    event, so a hand-over's entry for it names a chain head held here."""
    work = org.worker("field")
    first = org.export(work.vault)
    _held(org, first)
    work.vault.cases.create(Case(title="second"))
    second = org.export(work.vault)
    _held(org, second)
    code = org_vault.status(work.vault).verification_code
    approve_bundle(org.coordinator, first.bundle_id, code, org.coordinator.vault_keys.age_identity())
    return work.vault, second


def _received_on_word_and_lapsed(
    vault: Vault, made: ExportedBundle, org_id: str, worker: Vault, lapse: bool = True
) -> None:
    """What a hand-over naming the held bundle received does (its chain's
    events, then its ``received`` entry), then the vouch's lapse."""
    device_id = worker.device_id
    header = reader.check_header(made.path, org_id=org_id).header
    chain = [event.to_wire() for event in worker.sync.custody_since(0, 1000)]
    with vault.sync.begin_import() as unit:
        unit.add_custody_events(chain)
        unit.record_bundle(
            made.bundle_id,
            device_id,
            header.sequence,
            header.custody_head,
            header.previous,
            on_word=True,
        )
    if lapse:
        vault.sync.set_device_status(device_id, "pending")


def test_received_and_lapsed_before_the_admission_the_approval_enrols_and_approves(
    org: Organisation, desks: Desks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker, made = _approved_before(org)
    worker_id = worker.device_id
    code = org_vault.status(worker).verification_code
    approve = _approve(made, code)
    twin = desks.split()
    _received_on_word_and_lapsed(twin, made, org.org_id, worker)
    reference = _outcome(twin, made, worker_id, lambda: approve(twin))
    coordinator = org.coordinator

    ran = _before_admission(
        monkeypatch, lambda: _received_on_word_and_lapsed(coordinator, made, org.org_id, worker)
    )
    outcome = _outcome(coordinator, made, worker_id, lambda: approve(coordinator))
    assert ran, "the window was never reached"
    assert reference.device_status == "enrolled", reference
    assert outcome == reference, f"\n{outcome}\n!=\n{reference}"


def test_received_before_the_admission_the_approval_marks_the_row_approved(
    org: Organisation, desks: Desks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One change in the window (the hand-over's record; the device stays
    enrolled): the held row ends as the same approval after the change
    leaves it (approved), not ``received``."""
    worker, made = _approved_before(org)
    worker_id = worker.device_id
    code = org_vault.status(worker).verification_code
    approve = _approve(made, code)
    twin = desks.split()
    _received_on_word_and_lapsed(twin, made, org.org_id, worker, lapse=False)
    reference = _outcome(twin, made, worker_id, lambda: approve(twin))
    coordinator = org.coordinator
    ran = _before_admission(
        monkeypatch, lambda: _received_on_word_and_lapsed(coordinator, made, org.org_id, worker, lapse=False)
    )
    outcome = _outcome(coordinator, made, worker_id, lambda: approve(coordinator))
    assert ran, "the window was never reached"
    assert outcome == reference, f"\n{outcome}\n!=\n{reference}"


def test_lapsed_before_the_admission_the_approval_imports_and_enrols(
    org: Organisation, desks: Desks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 26 F4's scene with the lapse one step earlier: after
    approve_bundle's read, before import_bundle's first admission: imported
    and the device enrolled, as the same approval after the lapse, not held
    as from an unknown device with a refusal recorded."""
    worker, made = _approved_before(org)
    worker_id = worker.device_id
    code = org_vault.status(worker).verification_code
    approve = _approve(made, code)
    twin = desks.split()
    twin.sync.set_device_status(worker_id, "pending")
    reference = _outcome(twin, made, worker_id, lambda: approve(twin))
    coordinator = org.coordinator
    ran = _before_admission(monkeypatch, lambda: coordinator.sync.set_device_status(worker_id, "pending"))
    outcome = _outcome(coordinator, made, worker_id, lambda: approve(coordinator))
    assert ran, "the window was never reached"
    assert reference.answer == "imported" and reference.device_status == "enrolled", reference
    assert outcome == reference, f"\n{outcome}\n!=\n{reference}"
