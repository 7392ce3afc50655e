"""Sync reads revisions by the order this vault stored them (issue 11)."""

from __future__ import annotations

import pytest

from db.vault import Vault
from tests.factory import make_case, make_testimony
from tests.vault_helpers import open_vault


def test_since_pages_through_revisions_in_storing_order(vault: Vault) -> None:
    case = make_case(vault)
    testimony = make_testimony(vault, case.id)
    vault.testimonies.edit(testimony.id, narrative="changed")
    stored = vault.revisions.since()
    assert [s.local_seq for s in stored] == sorted(s.local_seq for s in stored)
    assert len({s.local_seq for s in stored}) == len(stored) == len(vault.revisions.all())
    # Page by page from a cursor: the same revisions, none twice.
    seen, cursor = [], 0
    while page := vault.revisions.since(cursor, limit=2):
        seen += [s.revision_id for s in page]
        cursor = page[-1].local_seq
    assert seen == [s.revision_id for s in stored]
    # What is stored later comes after the last cursor, and only it.
    vault.cases.edit(case.id, title="Renamed")
    (newest,) = vault.revisions.since(cursor)
    assert newest.revision_id not in seen and newest.device_id == vault.device_id


def test_the_sequence_survives_a_reopen_and_applying_again_adds_nothing(vault: Vault, vault_dir) -> None:
    make_case(vault)
    before = vault.revisions.since()
    vault.lock()
    vault = open_vault(vault_dir)
    assert vault.revisions.since() == before
    wire = [rev.to_wire() for rev in vault.revisions.all()]
    assert vault.revisions.apply(wire) == 0  # known revisions: no new numbers
    assert vault.revisions.since() == before
    vault.lock()


def test_a_bad_cursor_is_refused(vault: Vault) -> None:
    with pytest.raises(ValueError):
        vault.revisions.since(-1)
    with pytest.raises(ValueError):
        vault.revisions.since(0, limit=0)
