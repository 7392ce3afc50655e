"""An approval by code is of one device: a file that became another device's
bundle between approve_bundle's check and the import's own read is imported
as that device's, unapproved (review 28 F2; sync/bundle/vault_io.py
``_of_the_sender``). Here Y is unknown without a token, so its bundle is
held in quarantine as Y's; under X's approval it was refused
``bundle-signer`` and never held for anyone to approve. The window is the
import's header read (tests/sync/test_readmission_approval.py
``_before_admission``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from db.errors import FieldvaultError
from sync import org_vault
from sync.bundle.quarantine import approve_bundle
from tests.sync.test_readmission_approval import _approved_before, _before_admission
from tests.sync.test_revoked_after_admission import desks, org
from tests.sync.trust_fixtures import Organisation

__all__ = ["desks", "org"]


def test_an_approval_of_x_does_not_admit_the_bundle_of_y_read_in_its_place(
    org: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker, made = _approved_before(org, tmp_path)  # X enrolled; its second bundle held
    code = org_vault.status(worker).verification_code
    stranger = org.worker("stranger")  # Y: joined with the profile alone, unknown here
    theirs = org.export(stranger.vault)
    given = tmp_path / "on-the-stick.fvbundle"
    shutil.copy(made.path, given)
    coordinator = org.coordinator

    def swapped() -> None:  # the stick's file is now Y's bundle
        shutil.copy(theirs.path, given)

    ran = _before_admission(monkeypatch, swapped)
    try:
        approve_bundle(coordinator, str(given), code, coordinator.vault_keys.age_identity())
        answer = "imported"
    except FieldvaultError as refused:
        answer = refused.code or type(refused).__name__

    assert ran, "the window was never reached"
    held_for_y = [
        h.bundle_id
        for h in coordinator.sync.held_bundles(include_approved=True)
        if h.device_id == stranger.vault.device_id
    ]
    assert (answer, held_for_y) == ("bundle-quarantined", [theirs.bundle_id]), (
        f"Y's bundle read under X's approval: answered {answer!r}, held for Y: {held_for_y}"
    )
