"""A revision whose record this vault holds with another type is left out,
alone with its edits, not a refusal of the whole bundle (issue 14, session
11; closing note 10: "a relayed revision whose record type clashes ...
makes the desk refuse the whole relaying bundle (``bundle-revision``);
through the server that can cut the desk off from that sender").

A record's type never changes here (db/store.py ``store_received``), and
which type is right cannot be known: record ids are their writer's choice,
so a clash is a forged or broken revision. Before, the desk refused the
whole bundle that carried it: the relaying desk's own work was lost with
it, and through the server, where that bundle counted as delivered, every
later bundle of the desk was refused too (its chain starts after events
never taken). Now that revision and its edits are left out, kept as left
out (``withheld_revisions`` learned ``type-clash``), listed by the import
(``type_clash``), ``fieldvault devices parked`` and the Devices view; the
rest is applied, and ``verify`` passes. A clashing revision the bundle's
own signer made is treated the same way (a field worker's bundle refused
whole would cut its chain the same way).

Real vaults, real signed bundles by USB (tests/sync/desk_world.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from db.api import Vault
from db.entities import Incident
from db.hlc import Timestamp
from db.revisions import Revision, create_revision
from fieldvault.bundle_cli import _human, _imported_row
from sync.client.pull import Received
from sync.merge.devices import devices_view
from tests.cli_helpers import Cli, child_env
from tests.db.sync_fixtures import FieldWork
from tests.factory import make_case, make_person
from tests.sync.desk_world import UsbDesks, assert_verified, usb_desks
from tests.vault_helpers import PASSPHRASE

desks = usb_desks  # the fixture
__all__ = ["desks"]


def _claim_as_incident(worker: FieldWork, entity_id: str) -> tuple[Revision, Revision]:
    """The worker's device signs an incident with the id of a record another
    vault holds as a person, and an edit of it; both stored in its own
    vault, so its next bundle carries them."""
    identity = worker.vault.services.context.identity
    now = time.time_ns() // 1_000_000
    body = Incident(case_id=worker.case_id, title="claimed").body()
    first = create_revision(
        identity,
        entity_id=entity_id,
        entity_type="incident",
        op="put",
        body=body,
        parents=[],
        hlc=Timestamp(now, 0),
    )
    edit = create_revision(
        identity,
        entity_id=entity_id,
        entity_type="incident",
        op="put",
        body=body | {"title": "claimed again"},
        parents=[first.revision_id],
        hlc=Timestamp(now, 1),
    )
    worker.vault.revisions.apply([first, edit])
    return first, edit


def _person_ids(vault: Vault) -> set[str]:
    return {revision.entity_id for revision in vault.revisions.all() if revision.entity_type == "person"}


def _held(vault: Vault) -> set[str]:
    return {revision.revision_id for revision in vault.revisions.all()}


def test_a_relayed_clashing_revision_is_left_out_and_the_desks_bundle_is_taken(
    desks: UsbDesks, tmp_path: Path
) -> None:
    worker = desks.worker("w")
    person = make_person(
        desks.lviv, make_case(desks.lviv, title="Lviv's case").id
    )  # Lviv holds E as a person
    first, edit = _claim_as_incident(worker, person.id)
    taken_at_kyiv = desks.org.import_(desks.org.export(worker.vault).path)
    assert taken_at_kyiv.type_clash == ()  # Kyiv never held E: it stored the incident
    make_case(desks.kyiv, title="Kyiv's own work")

    imported = desks.to_lviv(desks.kyiv_bundle())  # before: BundleRejected bundle-revision
    assert set(imported.type_clash) == {first.revision_id, edit.revision_id}
    # ``bundle import --json`` and ``sync --json`` list them; the plain line says why.
    row = _imported_row(imported)
    assert (
        set(row["type_clash"])
        == set(Received.of(imported).to_json()["type_clash"])
        == set(imported.type_clash)
    )
    assert "2 revision(s) LEFT OUT, their record is held here as another type" in _human(row)
    held = _held(desks.lviv)
    assert not {first.revision_id, edit.revision_id} & held
    # The rest is taken: Kyiv's own work and the worker's honest case.
    titles = {case.title for case in desks.lviv.cases.list()}
    assert {"Kyiv's own work", "Lviv's case"} <= titles
    assert worker.case_id in {case.id for case in desks.lviv.cases.list()}
    assert person.id in _person_ids(desks.lviv)  # E stays a person here
    assert_verified(desks.lviv, desks.kyiv)

    # Kyiv's next bundle carries them again: a no-op, not listed again, and taken.
    make_case(desks.kyiv, title="Kyiv's later work")
    again = desks.to_lviv(desks.kyiv_bundle())
    assert again.type_clash == () and again.withheld_revisions == ()
    assert "Kyiv's later work" in {case.title for case in desks.lviv.cases.list()}

    # The worker's row in the Devices view counts them, with their reason.
    [device] = [r for r in devices_view(desks.lviv) if r.device_id == worker.vault.device_id]
    assert device.type_clash_revisions == 2 and "type-clash" in device.warnings
    assert device.to_json()["type_clash_revisions"] == 2

    # ``fieldvault devices parked`` lists them, with their reason.
    folder = desks.lviv.folder
    desks.lviv.lock()
    cli = Cli(folder, child_env(tmp_path))
    listed = cli.run("devices", "parked", "--json", secrets=[PASSPHRASE])
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    clashes = {r["revision_id"]: r for r in rows if r.get("reason") == "type-clash"}
    assert set(clashes) == {first.revision_id, edit.revision_id}
    assert clashes[first.revision_id]["entity_id"] == person.id
    assert clashes[first.revision_id]["signer"] == worker.vault.device_id
    plain = cli.run("devices", "parked", secrets=[PASSPHRASE])
    assert f"two devices claim record {person.id} with different types" in plain.stdout  # review 17 F4


def test_a_field_workers_own_clashing_revision_is_left_out_and_the_rest_taken(desks: UsbDesks) -> None:
    """The bundle's own signer made the clashing revision: treated the same
    (refusing the worker's bundle would break its chain here for good)."""
    worker = desks.worker("w")
    person = make_person(
        desks.kyiv, make_case(desks.kyiv, title="Kyiv's case").id
    )  # Kyiv holds E as a person
    first, edit = _claim_as_incident(worker, person.id)
    imported = desks.org.import_(
        desks.org.export(worker.vault).path
    )  # before: BundleRejected bundle-revision
    assert set(imported.type_clash) == {first.revision_id, edit.revision_id}
    assert worker.case_id in {case.id for case in desks.kyiv.cases.list()}
    assert desks.kyiv.evidence.get(worker.evidence_id).sha256 == worker.sha256
    assert not {first.revision_id, edit.revision_id} & _held(desks.kyiv)
    assert person.id in _person_ids(desks.kyiv)
    assert_verified(desks.kyiv)
