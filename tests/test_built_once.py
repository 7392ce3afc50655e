"""The builders that copy vaults built once per test process
(tests/built_once.py: record_field_work, so Organisation.worker, and
UsbDesks) give each test worlds as a fresh build would: no two vaults of one
test share an identity, a test's changes stay in its copy, and a world a
module-scoped fixture builds is its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.api import Case, Vault
from sync import org_vault
from tests.db.sync_fixtures import FieldWork, record_field_work
from tests.sync.desk_world import UsbDesks
from tests.sync.trust_fixtures import Organisation, make_organisation


def _identity(vault: Vault) -> tuple[str, bytes, str]:
    return vault.device_id, vault.device_public_key, vault.vault_keys.age_recipient()


def test_two_organisations_and_their_workers_in_one_test_are_all_distinct(tmp_path: Path) -> None:
    first = make_organisation(tmp_path)
    other = make_organisation(tmp_path / "other")
    try:
        a, b = first.worker("a"), first.worker("b")
        # Same name and size as first's "a": still another vault.
        outsider_a = other.worker("a")
        again = record_field_work(tmp_path / "again" / "a", tmp_path / "again")
        vaults = [first.coordinator, other.coordinator, a.vault, b.vault, outsider_a.vault, again.vault]
        # Counted apart, so that a failure prints no key or bytes.
        identities = len({_identity(v) for v in vaults})
        assert identities == len(vaults)
        assert first.org_id != other.org_id
        org_keys = len({first.signed.profile.org_key, other.signed.profile.org_key})
        assert org_keys == 2
        works = (a, b, outsider_a, again)
        evidence, contents = len({w.evidence_id for w in works}), len({w.data for w in works})
        assert (evidence, contents) == (4, 4)
        again.vault.lock()
    finally:
        first.close()
        other.close()


def test_usb_desks_and_an_organisation_in_one_test_are_distinct(tmp_path: Path) -> None:
    desks = UsbDesks(tmp_path / "desks")
    outsider = make_organisation(tmp_path / "outsider")
    try:
        identities = len({_identity(v) for v in (desks.kyiv, desks.lviv, outsider.coordinator)})
        assert identities == 3
        assert desks.org.org_id != outsider.org_id
    finally:
        desks.close()
        outsider.close()


def _pristine_then_changed(work: FieldWork, org: Organisation) -> None:
    """What a fresh build holds (asserted), then a change of this test's own."""
    assert [c.id for c in work.vault.cases.list()] == [work.case_id]
    assert len(work.vault.testimonies.list()) == 1
    assert org.coordinator.cases.list() == []
    assert org_vault.current_signed(org.coordinator).profile.version == 1
    work.vault.cases.create(Case(title="only in this test's copy"))
    org.coordinator.cases.create(Case(title="only in this test's copy"))


# Two tests that each change their copies: whichever runs second (in any
# order, on the same xdist worker or not) still finds the world as built.
def test_a_copy_changed_by_one_test(tmp_path: Path) -> None:
    org = make_organisation(tmp_path)
    try:
        _pristine_then_changed(org.worker("a"), org)
    finally:
        org.close()


def test_is_not_changed_for_the_next(tmp_path: Path) -> None:
    org = make_organisation(tmp_path)
    try:
        _pristine_then_changed(org.worker("a"), org)
    finally:
        org.close()


def test_the_source_file_is_written_as_a_fresh_build_writes_it(tmp_path: Path) -> None:
    work = record_field_work(tmp_path / "field", tmp_path, size=5000)
    try:
        same = (tmp_path / "photo-field.jpg").read_bytes() == work.data
        assert same
        assert len(work.data) == 5000
        [item] = work.vault.evidence.list()
        assert (item.id, item.sha256) == (work.evidence_id, work.sha256)
        assert item.original_name == "photo-field.jpg"
    finally:
        work.vault.lock()


@pytest.fixture(scope="module")
def module_org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Organisation]:
    org = make_organisation(tmp_path_factory.mktemp("module-org"))
    org.coordinator.lock()  # opened again by the tests that use it
    yield org


def test_a_module_scoped_world_is_built_afresh(module_org: Organisation, tmp_path: Path) -> None:
    mine = make_organisation(tmp_path)
    try:
        assert mine.org_id != module_org.org_id
        org_keys = len({mine.signed.profile.org_key, module_org.signed.profile.org_key})
        assert org_keys == 2
    finally:
        mine.close()
