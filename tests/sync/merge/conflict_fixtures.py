"""Two field devices edit one testimony; a coordinator merges their bundles
and holds the conflict (issue 14). Shared by the conflict round trip
(tests/sync/merge/test_conflict_round_trip.py) and the Conflicts dialog's
GUI test (tests/desktop/test_conflicts_view.py).

Everything travels as users move it: the coordinator records the case and
the testimony and sends them to both workers in a bundle (a worker accepts
a coordinator's revisions); each worker edits the testimony without seeing
the other's edit and sends its bundle back; the coordinator imports both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from db.api import Testimony, Vault
from db.keyring_store import NoKeyring
from sync import org_vault
from sync.bundle.vault_io import ExportedBundle, ImportedBundle, export_bundle, import_bundle
from tests.factory import make_case
from tests.sync.trust_fixtures import Organisation, current_profile, make_organisation
from tests.sync.usb_world import SavedUsbOrg, built_once, save
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

NARRATIVE = "Свідок бачив, як двох полонених вивели з підвалу. Потім їх посадили в машину."
# The first worker corrects a number and adds the time; the second adds the colour of the car.
FIRST_NARRATIVE = "Свідок бачив, як трьох полонених вивели з підвалу вночі. Потім їх посадили в машину."
SECOND_NARRATIVE = "Свідок бачив, як двох полонених вивели з підвалу. Потім їх посадили в білу машину."


@dataclass
class ConflictScene:
    org: Organisation
    first: Vault
    second: Vault
    testimony_id: str

    @property
    def coordinator(self) -> Vault:
        return self.org.coordinator

    def send_back(self) -> ExportedBundle:
        """The coordinator's next bundle, encrypted to both workers."""
        profile = org_vault.held_profile(self.coordinator)
        assert profile is not None
        recipients = [self.first.vault_keys.age_recipient(), self.second.vault_keys.age_recipient()]
        return export_bundle(self.coordinator, self.org.usb, recipients, self.org.org_id, profile.version)

    def receive(self, worker: Vault, bundle: ExportedBundle) -> ImportedBundle:
        return import_bundle(worker, bundle.path, worker.vault_keys.age_identity(), org_id=self.org.org_id)

    def close(self) -> None:
        for vault in (self.first, self.second, self.coordinator):
            if not vault.is_locked:
                vault.lock()


def _worker(org: Organisation, name: str) -> Vault:
    vault = Vault.create(org.tmp_path / name, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    org_vault.enrol(vault, current_profile(org.coordinator), fingerprint_given=org.signed.profile.fingerprint)
    org_vault.add_device(org.coordinator, org_vault.own_device_card(vault).text)
    return vault


# Tests that took a copy of the saved scene (pytest's node ids): a second
# scene in one test is built afresh, so that no two of its vaults share an identity.
_COPIED_FOR: set[str] = set()


def build_conflict(tmp_path: Path) -> ConflictScene:
    """A coordinator's vault holding one testimony in conflict: two heads,
    one written on each worker's device (in ``tmp_path``: coordinator,
    first, second, usb). A copy of the scene built once per test process
    (tests/sync/usb_world.py: the vaults and the stick as the build left
    them, opened again), or built afresh for a test's second scene."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    taken = any((tmp_path / name).exists() for name in ("coordinator", "first", "second", "usb"))
    if not test or test in _COPIED_FOR or taken:
        return _build_conflict(tmp_path)
    _COPIED_FOR.add(test)
    saved, testimony_id = built_once("conflict-scene", tmp_path.parent, _saved_conflict)
    org, workers = saved.open_copy(tmp_path)
    return ConflictScene(org, workers["first"], workers["second"], testimony_id)


def _saved_conflict(folder: Path) -> tuple[SavedUsbOrg, str]:
    scene = _build_conflict(folder)
    return save(scene.org, {"first": scene.first, "second": scene.second}), scene.testimony_id


def _build_conflict(tmp_path: Path) -> ConflictScene:
    org = make_organisation(tmp_path)
    scene = ConflictScene(org, _worker(org, "first"), _worker(org, "second"), "")
    case = make_case(org.coordinator)
    testimony = org.coordinator.testimonies.create(
        Testimony(
            case_id=case.id,
            title="Statement of witness W-1",
            language="uk",
            interviewer="Mariia K.",
            narrative=NARRATIVE,
        )
    )
    scene.testimony_id = testimony.id
    shared = scene.send_back()
    for worker in (scene.first, scene.second):
        assert scene.receive(worker, shared).revisions == 2  # the case and the testimony
    scene.first.testimonies.edit(
        testimony.id, title="Statement of W-1 (corrected)", narrative=FIRST_NARRATIVE
    )
    scene.second.testimonies.edit(testimony.id, interviewer="Mariia Koval", narrative=SECOND_NARRATIVE)
    for worker in (scene.first, scene.second):
        org.import_(org.export(worker).path)
    assert [c.entity_id for c in org.coordinator.revisions.conflicts()] == [testimony.id]
    return scene
