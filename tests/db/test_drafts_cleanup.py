"""Drafts die with their record: deleting a testimony (or its case) discards its
draft in the same transaction as the tombstone, and every unlock discards the
drafts of records deleted by other means (a tombstone from elsewhere, an
autosave that raced the delete)."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.errors import NotFound
from db.keyring_store import NoKeyring
from db.services import VaultContext, new_record_draft_key, record_draft_key
from db.vault import Vault
from tests.factory import make_case, make_testimony
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault

UNSAVED = {"format": 1, "fields": {"narrative": "Свідок бачив полонених (не збережено)"}}


def test_deleting_a_testimony_discards_its_draft(vault: Vault) -> None:
    kept = make_testimony(vault)
    doomed = make_testimony(vault, kept.case_id)
    vault.drafts.put(record_draft_key("testimony", kept.id), UNSAVED)
    vault.drafts.put(record_draft_key("testimony", doomed.id), UNSAVED)
    vault.drafts.put(new_record_draft_key("testimony", kept.case_id), UNSAVED)

    vault.testimonies.delete(doomed.id)

    assert vault.drafts.get(record_draft_key("testimony", doomed.id)) is None
    assert vault.drafts.keys() == sorted(
        [record_draft_key("testimony", kept.id), new_record_draft_key("testimony", kept.case_id)]
    )


def test_a_failed_delete_keeps_the_draft(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    """One transaction: when the tombstone cannot be written, the draft is not lost."""
    testimony = make_testimony(vault)
    key = record_draft_key("testimony", testimony.id)
    vault.drafts.put(key, UNSAVED)

    def failing_commit(self: VaultContext, session: object, rev_args: dict[str, object]) -> None:
        raise RuntimeError("the tombstone could not be written")

    monkeypatch.setattr(VaultContext, "commit_local", failing_commit)
    with pytest.raises(RuntimeError):
        vault.testimonies.delete(testimony.id)
    monkeypatch.undo()

    assert vault.drafts.get(key) is not None
    assert vault.testimonies.get(testimony.id).id == testimony.id
    # Now it goes, with its draft; deleting it again touches no other draft.
    vault.testimonies.delete(testimony.id)
    assert vault.drafts.get(key) is None
    other = make_testimony(vault)
    vault.drafts.put(record_draft_key("testimony", other.id), UNSAVED)
    with pytest.raises(NotFound):
        vault.testimonies.delete(testimony.id)
    assert vault.drafts.keys() == [record_draft_key("testimony", other.id)]


def test_deleting_a_case_discards_the_drafts_of_new_records_in_it(vault: Vault) -> None:
    doomed, kept = make_case(vault), make_case(vault, title="Bucha")
    vault.drafts.put(new_record_draft_key("testimony", doomed.id), UNSAVED)
    vault.drafts.put(new_record_draft_key("testimony", kept.id), UNSAVED)
    vault.cases.delete(doomed.id)
    assert vault.drafts.keys() == [new_record_draft_key("testimony", kept.id)]


def test_unlock_discards_drafts_of_deleted_testimonies(vault: Vault, vault_dir: Path) -> None:
    live = make_testimony(vault)
    deleted = make_testimony(vault, live.case_id)
    vault.testimonies.delete(deleted.id)
    # The editor's autosave timer fired after the delete: a stale draft.
    vault.drafts.put(record_draft_key("testimony", deleted.id), UNSAVED)
    # Keys the cleanup must leave alone: a live record, a record this vault
    # has never seen, and keys outside the convention.
    keep = sorted(
        [
            record_draft_key("testimony", live.id),
            new_record_draft_key("testimony", live.case_id),
            record_draft_key("testimony", "0190c3b2-0000-7000-8000-000000000000"),
            "testimony:other",
            "notes:scratch",
        ]
    )
    for key in keep:
        vault.drafts.put(key, UNSAVED)
    assert vault.drafts.stale_keys() == [record_draft_key("testimony", deleted.id)]
    vault.lock()

    reopened = open_vault(vault_dir)
    try:
        assert reopened.drafts.keys() == keep
        assert reopened.drafts.stale_keys() == []
        assert reopened.drafts.discard_stale() == 0
    finally:
        reopened.lock()


def test_a_tombstone_from_elsewhere_makes_the_draft_stale(vault: Vault, tmp_path: Path) -> None:
    """Another device deletes the testimony; this vault receives the tombstone
    while it holds a draft; the next unlock discards it."""
    testimony = make_testimony(vault)
    other = Vault.create(tmp_path / "other", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    try:
        other.revisions.apply(vault.revisions.all())
        key = record_draft_key("testimony", testimony.id)
        other.drafts.put(key, UNSAVED)
        vault.testimonies.delete(testimony.id)
        other.revisions.apply(vault.revisions.all())
        with pytest.raises(NotFound):
            other.testimonies.get(testimony.id)
        assert other.drafts.stale_keys() == [key]
    finally:
        other.lock()
    reopened = open_vault(tmp_path / "other")
    try:
        assert reopened.drafts.get(key) is None
    finally:
        reopened.lock()


def test_unlock_with_stale_drafts_of_a_deleted_case(vault: Vault, vault_dir: Path) -> None:
    case = make_case(vault)
    vault.cases.delete(case.id)
    vault.drafts.put(new_record_draft_key("testimony", case.id), UNSAVED)
    vault.lock()
    reopened = open_vault(vault_dir)
    try:
        assert reopened.drafts.keys() == []
    finally:
        reopened.lock()
