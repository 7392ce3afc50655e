"""An approval by verification code for a device revoked after the
approval's own check gives what the same approval gives after the
revocation (docs/bundle-format.md §5 step 5, "Approval").

``approve_bundle`` (sync/bundle/quarantine.py) refuses a device the profile
held revokes (``quarantine-device-revoked``): nothing changes, nothing is
kept, no refusal recorded. A revocation stored after that check (in the
window before the import's write lock, or before its admission) ended the
import ``device-revoked`` instead: the device's revisions kept as left out
and the refusal recorded for the held bundle. Now the import of an
approval gives the approval's own refusal.

Real vaults and bundles; each window made real through the public API as
in tests/sync/test_revoked_after_admission.py (a wrapped
``SyncStateService.begin_import``; for the window before admission, the
import's own header read, ``sync.bundle.vault_io.check_header``, which
``approve_bundle`` does not use), and compared with the same approval on a
copy of the coordinator's vault revoked first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import FieldvaultError, Vault, withheld_revision_ids
from sync import org_vault
from sync.bundle import reader
from sync.bundle.admission import BundleQuarantined
from sync.bundle.quarantine import approve_bundle, import_refusals
from sync.bundle.reader import CheckedBundle
from sync.bundle.vault_io import ExportedBundle
from tests.sync.client.sync_helpers import record_work
from tests.sync.test_revoked_after_admission import Desks, _counts, by_profile, desks, org
from tests.sync.trust_fixtures import Organisation

__all__ = ["desks", "org"]  # the fixtures


@dataclass(frozen=True)
class Outcome:
    """What an approval left in the coordinator's vault."""

    answer: str  # "imported", or the error's code
    counts: dict[str, int]
    withheld: frozenset[str]
    received: bool
    device_status: str | None
    held: tuple[tuple[str, str], ...]
    refusals: dict[str, str]


def _outcome(vault: Vault, made: ExportedBundle, device_id: str, run: Callable[[], object]) -> Outcome:
    try:
        run()
        answer = "imported"
    except FieldvaultError as refused:
        answer = refused.code or type(refused).__name__
    device = vault.sync.device(device_id)
    return Outcome(
        answer=answer,
        counts=_counts(vault),
        withheld=withheld_revision_ids(vault),
        received=vault.sync.received_bundle(made.bundle_id) is not None,
        device_status=device.status if device is not None else None,
        held=tuple((h.bundle_id, h.status) for h in vault.sync.held_bundles(include_approved=True)),
        refusals=import_refusals(vault),
    )


def _approve(made: ExportedBundle, code: str) -> Callable[[Vault], object]:
    return lambda vault: approve_bundle(vault, made.bundle_id, code, vault.vault_keys.age_identity())


def _held(org: Organisation, made: ExportedBundle) -> None:
    with pytest.raises(BundleQuarantined):
        org.import_(made.path)


def _unknown(org: Organisation, _tmp_path: Path) -> tuple[Vault, ExportedBundle]:
    """A worker without a token: its first bundle held, its device unknown."""
    work = org.worker("field")
    made = org.export(work.vault)
    _held(org, made)
    return work.vault, made


def _approved_before(org: Organisation, tmp_path: Path) -> tuple[Vault, ExportedBundle]:
    """A worker without a token whose two bundles were held; the first is
    approved (the device enrolled by it), the second is still held."""
    work = org.worker("field")
    first = org.export(work.vault)
    _held(org, first)
    record_work(work.vault, tmp_path, "second")
    second = org.export(work.vault)
    _held(org, second)
    code = org_vault.status(work.vault).verification_code
    approve_bundle(org.coordinator, first.bundle_id, code, org.coordinator.vault_keys.age_identity())
    return work.vault, second


def _before_admission(monkeypatch: pytest.MonkeyPatch, act: Callable[[], None]) -> list[str]:
    """``act`` runs once, when the import reads the bundle's header: after
    the approval's check, before admission."""
    check = reader.check_header  # the function vault_io calls by that name
    ran: list[str] = []

    def check_header(path: Path, *, org_id: str | None = None) -> CheckedBundle:
        if not ran:
            ran.append("ran")
            act()
        return check(path, org_id=org_id)

    monkeypatch.setattr("sync.bundle.vault_io.check_header", check_header)
    return ran


@pytest.mark.parametrize(
    ("device", "window"),
    [
        (_unknown, "lock"),
        (_approved_before, "lock"),
        (_unknown, "admission"),
        (_approved_before, "admission"),
    ],
    ids=["unknown-lock", "enrolled-lock", "unknown-admission", "enrolled-admission"],
)
def test_an_approval_for_a_device_revoked_in_the_window_is_refused_as_after_the_revocation(
    org: Organisation,
    desks: Desks,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    device: Callable[[Organisation, Path], tuple[Vault, ExportedBundle]],
    window: str,
) -> None:
    worker, made = device(org, tmp_path)
    worker_id = worker.device_id
    code = org_vault.status(worker).verification_code
    approve = _approve(made, code)
    twin = desks.split()
    by_profile(twin, worker_id)
    reference = _outcome(twin, made, worker_id, lambda: approve(twin))
    coordinator = org.coordinator

    def revoke() -> None:
        by_profile(coordinator, worker_id)

    ran = desks.in_the_window(revoke) if window == "lock" else _before_admission(monkeypatch, revoke)
    outcome = _outcome(coordinator, made, worker_id, lambda: approve(coordinator))
    assert ran, "the window was never reached"
    # Before: bundle-device-revoked, the device's revisions kept as left
    # out and the refusal recorded for the held bundle.
    assert outcome == reference
    assert outcome.answer == "quarantine-device-revoked"
    assert (made.bundle_id, "held") in outcome.held and not outcome.received
    assert outcome.refusals == {} and not outcome.withheld


def test_an_approval_whose_device_stops_being_enrolled_in_the_window_is_answered_as_after_it(
    org: Organisation, desks: Desks, tmp_path: Path
) -> None:
    """Review 26 F4: approved by code while enrolled (another of its bundles
    approved before), the device's row goes pending (a vouch lapse) between
    the approval's read and the import's lock. The re-admission takes the
    code's word, as the same approval after the lapse does: imported, the
    device enrolled, nothing refused. Before, it was held again as from an
    unknown device and the approval answered with a recorded refusal."""
    worker, made = _approved_before(org, tmp_path)
    worker_id = worker.device_id
    approve = _approve(made, org_vault.status(worker).verification_code)
    twin = desks.split()
    twin.sync.set_device_status(worker_id, "pending")
    reference = _outcome(twin, made, worker_id, lambda: approve(twin))
    coordinator = org.coordinator

    def lapse() -> None:
        coordinator.sync.set_device_status(worker_id, "pending")

    ran = desks.in_the_window(lapse)
    outcome = _outcome(coordinator, made, worker_id, lambda: approve(coordinator))
    assert ran, "the window was never reached"
    assert reference.answer == "imported", reference
    assert outcome == reference
