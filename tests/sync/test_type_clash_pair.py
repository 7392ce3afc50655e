"""A type clash is shown as a pair, blaming neither side (review 17 F4;
db/type_clash.py).

The rule keeps whichever type reaches a vault first, and which side is
honest cannot be known there: a device that learned a record's id can sign
another type with it and arrange to arrive first. Here the forger F claims
the honest worker H's person as an incident and its bundle reaches Kyiv
first: Kyiv holds the record as F's incident and leaves out H's person.
Before, only H (the honest one) carried the warning, and nothing named F.
Now both rows carry it, each with the pair (the left-out revision and its
signer; the held record's first revision, its signer, type and signed
time), and ``fieldvault devices parked`` lists the pair in JSON and text.

Real vaults, real signed bundles by USB (tests/sync/desk_world.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from db.api import Vault
from db.revisions import Revision
from sync.merge.devices import DeviceRow, devices_view
from tests.cli_helpers import Cli, child_env
from tests.db.sync_fixtures import FieldWork
from tests.factory import make_person
from tests.sync.desk_world import UsbDesks, assert_verified, usb_desks
from tests.sync.test_type_clash_relayed import _claim_as_incident
from tests.vault_helpers import PASSPHRASE

desks = usb_desks  # the fixture
__all__ = ["desks"]


@dataclass(frozen=True)
class ClashScene:
    honest: FieldWork  # made the person first; its revision is the one left out at Kyiv
    forger: FieldWork  # claimed the person's id as an incident; reached Kyiv first
    person_revision: str
    forged_first: Revision
    forged_edit: Revision
    record: str


def forger_arrives_first(desks: UsbDesks) -> ClashScene:
    """H makes a person; F signs an incident (and an edit) with its id; Kyiv
    imports F's bundle, then H's."""
    honest, forger = desks.worker("honest"), desks.worker("forger")
    person = make_person(honest.vault, honest.case_id)
    first, edit = _claim_as_incident(forger, person.id)
    assert desks.org.import_(desks.org.export(forger.vault).path).type_clash == ()
    taken = desks.org.import_(desks.org.export(honest.vault).path)
    assert list(taken.type_clash) == [person.revision]
    return ClashScene(honest, forger, person.revision, first, edit, person.id)


def _row(vault: Vault, device_id: str) -> DeviceRow:
    [row] = [r for r in devices_view(vault) if r.device_id == device_id]
    return row


def test_both_sides_of_a_clash_are_shown_with_the_pair(desks: UsbDesks) -> None:
    scene = forger_arrives_first(desks)
    honest_id, forger_id = scene.honest.vault.device_id, scene.forger.vault.device_id
    honest, forger = _row(desks.kyiv, honest_id), _row(desks.kyiv, forger_id)
    # The left-out side, as before: its revision is counted.
    assert honest.type_clash_revisions == 1 and "type-clash" in honest.warnings
    # The held side too (before: no warning, no pair: the forger went unnamed).
    assert forger.type_clash_held_revisions == 1 and "type-clash" in forger.warnings
    assert honest.type_clashes == forger.type_clashes
    [pair] = forger.type_clashes
    assert (pair.revision_id, pair.signer, pair.entity_id) == (scene.person_revision, honest_id, scene.record)
    assert pair.held_first is not None
    assert pair.held_first.revision_id == scene.forged_first.revision_id  # the first, not the edit
    assert pair.held_first.signer == forger_id
    assert pair.held_first.entity_type == "incident"
    assert pair.held_first.made_ms == scene.forged_first.hlc.ms
    assert forger.to_json()["type_clashes"] == [pair.to_json()]
    assert pair.to_json()["held_first"] == {
        "revision_id": scene.forged_first.revision_id,
        "signer": forger_id,
        "entity_type": "incident",
        "made_ms": scene.forged_first.hlc.ms,
    }
    assert_verified(desks.kyiv)


def test_devices_parked_lists_the_pair_in_json_and_text(desks: UsbDesks, tmp_path: Path) -> None:
    scene = forger_arrives_first(desks)
    honest_id, forger_id = scene.honest.vault.device_id, scene.forger.vault.device_id
    folder = desks.kyiv.folder
    desks.kyiv.lock()
    cli = Cli(folder, child_env(tmp_path))
    listed = cli.run("devices", "parked", "--json", secrets=[PASSPHRASE])
    [clash] = [r for r in map(json.loads, listed.stdout.splitlines()) if r.get("reason") == "type-clash"]
    assert clash["revision_id"] == scene.person_revision and clash["signer"] == honest_id
    assert clash["held_first"]["revision_id"] == scene.forged_first.revision_id
    assert clash["held_first"]["signer"] == forger_id
    assert clash["held_first"]["entity_type"] == "incident"

    plain = cli.run("devices", "parked", secrets=[PASSPHRASE]).stdout
    assert f"two devices claim record {scene.record} with different types" in plain
    assert f"held here as incident: its first revision {scene.forged_first.revision_id}" in plain
    assert f"signed by {forger_id}" in plain and f"signed by {honest_id}" in plain
    assert "forged or broken" not in plain  # neither side blamed

    devices = cli.run("devices", secrets=[PASSPHRASE])
    warnings = [line for line in devices.stderr.splitlines() if "type clash" in line]
    assert {honest_id, forger_id} == {line.split("device ")[1].split(":")[0] for line in warnings}
