"""Merge is a set union (issue 14): real bundles from several field devices,
imported into a coordinator's vault in any order and any number of times,
give the same merged state; importing a bundle again changes nothing.

The devices are real vaults enrolled as users enrol them; their bundles are
written by ``export_bundle`` and read by ``import_bundle``, as on a USB
stick. Each example copies the coordinator's vault as it was before any
import (Argon2 at the test cost) and imports an order hypothesis chose.

Two organisations: in one the workers enrol with a token that their first
imported bundle proves (whichever of their bundles comes first); in the
other the coordinator added the devices by their cards beforehand, and one
worker edits another's testimony too, so the merge holds a conflict."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.api import Person, Vault
from sync import org_vault
from sync.bundle.errors import BundleRejected
from sync.bundle.vault_io import import_bundle
from tests.db.sync_fixtures import FieldWork, record_field_work
from tests.factory import make_person
from tests.sync.trust_fixtures import Organisation, current_profile, make_organisation
from tests.vault_helpers import open_vault

STRESS_EXAMPLES = int(os.environ.get("FIELDVAULT_MERGE_EXAMPLES", "60"))


@dataclass
class Scenario:
    pristine: Path  # the coordinator's vault folder before any import
    bundles: list[Path]
    expected: str  # the merged state after importing each bundle once, in the order made
    tmp: Path
    age_identity: str
    org_id: str


def merged_state(vault: Vault) -> str:
    """A hash of what the merge decides: every entity's heads, every stored
    revision id, the conflicts, each device's last imported sequence."""
    revisions: list[str] = []
    cursor = 0
    while page := vault.revisions.since(cursor, 500):
        revisions += [rev.revision_id for rev in page]
        cursor = page[-1].local_seq
    state = {
        "heads": sorted((entity, sorted(heads)) for entity, heads in vault.revisions.heads().items()),
        "revisions": sorted(revisions),
        "conflicts": sorted(c.entity_id for c in vault.revisions.conflicts()),
        "devices": sorted((d.device_id, d.status, d.last_sequence) for d in vault.sync.devices()),
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def worker(org: Organisation, name: str, *, card: bool) -> FieldWork:
    work = record_field_work(org.tmp_path / name, org.tmp_path, size=3000)
    org_vault.enrol(
        work.vault,
        current_profile(org.coordinator),
        fingerprint_given=org.signed.profile.fingerprint,
        token=None if card else org.token(),
    )
    if card:
        org_vault.add_device(org.coordinator, org_vault.own_device_card(work.vault).text)
    org.workers.append(work)
    return work


def build(tmp: Path, *, card: bool) -> Scenario:
    org = make_organisation(tmp)
    first, second = worker(org, "first", card=card), worker(org, "second", card=card)
    bundles = [org.export(first.vault).path, org.export(second.vault).path]
    testimony = first.vault.testimonies.list()[0]
    if card:
        # The second worker holds the first's work (as it was then) and will
        # edit its testimony too: concurrent edits, a conflict once merged.
        second.vault.revisions.apply([rev.to_wire() for rev in first.vault.revisions.all()])
    make_person(first.vault, first.case_id, name="Олександр Петренко")
    first.vault.testimonies.edit(testimony.id, title="Edited on the first device")
    bundles.append(org.export(first.vault).path)
    make_person(second.vault, second.case_id, name="Oleksandr Petrenko")
    if card:
        second.vault.testimonies.edit(testimony.id, title="Edited on the second device")
    bundles.append(org.export(second.vault).path)
    second.vault.persons.create(Person(case_id=second.case_id, name="Петренко О."))
    bundles.append(org.export(second.vault).path)
    age_identity = str(org.coordinator.vault_keys.age_identity())
    folder = org.coordinator.folder
    org.close()
    pristine = tmp / "pristine"
    shutil.copytree(folder, pristine)
    scenario = Scenario(pristine, bundles, "", tmp, age_identity, org.org_id)
    coordinator = restore(scenario, "reference")
    try:
        for path in bundles:
            assert not import_into(coordinator, scenario, path).replay
        scenario.expected = merged_state(coordinator)
        if card:
            assert coordinator.revisions.conflicts(), "the scenario should hold a conflict"
    finally:
        coordinator.lock()
    return scenario


def restore(scenario: Scenario, name: str) -> Vault:
    folder = scenario.tmp / "runs" / name
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(scenario.pristine, folder)
    return open_vault(folder)


def import_into(vault: Vault, scenario: Scenario, path: Path):
    return import_bundle(vault, path, scenario.age_identity, org_id=scenario.org_id)


@pytest.fixture(scope="module", params=["token", "card"])
def scenario(request, tmp_path_factory) -> Scenario:
    return build(tmp_path_factory.mktemp(f"merge-{request.param}"), card=request.param == "card")


def orders(count: int) -> st.SearchStrategy[list[int]]:
    """Every bundle at least once, in any order, some several times."""
    return st.tuples(
        st.permutations(range(count)), st.lists(st.integers(0, count - 1), max_size=count), st.randoms()
    ).map(lambda t: _interleave(list(t[0]), t[1], t[2]))


def _interleave(order: list[int], repeats: list[int], rng) -> list[int]:
    for index in repeats:
        order.insert(rng.randint(0, len(order)), index)
    return order


def check_order(scenario: Scenario, order: list[int]) -> None:
    coordinator = restore(scenario, "example")
    try:
        seen: set[int] = set()
        for index in order:
            before = merged_state(coordinator) if index in seen else None
            result = import_into(coordinator, scenario, scenario.bundles[index])
            if index in seen:
                assert result.replay, f"bundle {index} imported twice"
                assert merged_state(coordinator) == before  # a re-import is a no-op
            seen.add(index)
        assert merged_state(coordinator) == scenario.expected, f"order {order}"
    finally:
        coordinator.lock()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_order_any_number_of_times_gives_the_same_merge(scenario, data):
    check_order(scenario, data.draw(orders(len(scenario.bundles)), label="order"))


def test_the_reverse_order_gives_the_same_merge(scenario):
    check_order(scenario, list(reversed(range(len(scenario.bundles)))))


@pytest.mark.stress
@settings(
    max_examples=STRESS_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_order_stress(scenario, data):
    check_order(scenario, data.draw(orders(len(scenario.bundles)), label="order"))


def test_a_relayed_revision_of_a_device_not_yet_known_waits_for_that_device(tmp_path):
    """The one order the merge does not forgive (docs/merge.md): a bundle
    relaying the work of a device enrolled only by token, imported before
    that device's first bundle, is refused as signed by an unknown key, and
    changes nothing; imported again after, it merges as in any other order."""
    org = make_organisation(tmp_path)
    try:
        first, second = worker(org, "first", card=False), worker(org, "second", card=False)
        own = org.export(first.vault).path
        second.vault.revisions.apply([rev.to_wire() for rev in first.vault.revisions.all()])
        relayed = org.export(second.vault).path
        before = merged_state(org.coordinator)
        with pytest.raises(BundleRejected) as refused:
            org.import_(relayed)
        assert refused.value.reason.startswith("signer")
        assert merged_state(org.coordinator) == before
        org.import_(own)
        assert not org.import_(relayed).replay
        heads = org.coordinator.revisions.heads()
        assert all(heads.get(rev.entity_id) for rev in second.vault.revisions.all())
    finally:
        org.close()
