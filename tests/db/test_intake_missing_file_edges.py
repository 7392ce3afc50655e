"""Three edges of the intake of a file an item of the case was missing
(db/evidence.py ``_fileless_items``; review 27 F3, F4, review 28 F1): an item
whose heads are an edit and a delete made apart, one with no head at all, and
a signed record pairing the file's SHA-256 with another size."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from db.api import Vault
from db.entities import Case, EvidenceItem
from db.errors import InvalidInput, VaultDamaged
from db.ids import new_id
from db.keyring_store import NoKeyring
from db.vault import CreatedVault
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

PHOTO = b"\xff\xd8\xff\xe0 photo of the shelled school " * 64


@pytest.fixture
def created_vault(tmp_path: Path) -> Iterator[CreatedVault]:
    created = Vault.create(tmp_path / "vault", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2)
    yield created
    created.vault.lock()


def _fileless(vault: Vault, data: bytes, *, size: int | None = None) -> tuple[str, str, str]:
    """A case and an evidence item of it naming ``data`` (SHA-256, size)
    with no stored file, as a record that came without its bytes: (case id,
    item id, its revision id)."""
    case_id = vault.cases.create(Case(title="case")).id
    ctx = vault.services.context
    item = EvidenceItem(
        case_id=case_id,
        original_name="photo.jpg",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data) if size is None else size,
        mime_type="image/jpeg",
    )
    with ctx.write_transaction("a record without its file") as session:
        rev = ctx.commit_local(
            session,
            {
                "entity_id": new_id(),
                "entity_type": "evidence",
                "op": "put",
                "body": item.body(),
                "parents": [],
            },
        )
    return case_id, rev.entity_id, rev.revision_id


def _holds_a_file(vault: Vault, item_id: str) -> bool:
    with vault.services.context.sessions() as session:
        found = session.execute(
            text("SELECT count(*) FROM evidence_blobs WHERE evidence_id = :e"), {"e": item_id}
        ).scalar()
    return bool(found)


def _actions_on(vault: Vault, item_id: str) -> list[str]:
    """The custody actions on ``item_id``, in order, read from the signed events."""
    events = [json.loads(base64.b64decode(e["signed"])) for e in vault.evidence.custody_log()]
    return [event["action"] for event in events if event.get("evidence") == item_id]


def test_an_item_edited_and_deleted_apart_refuses_the_intake_and_says_why(
    created_vault: CreatedVault, tmp_path: Path
) -> None:
    vault = created_vault.vault
    case_id, item_id, first = _fileless(vault, PHOTO)
    ctx = vault.services.context
    body = vault.evidence.get(item_id).body()
    with ctx.write_transaction("an edit and a delete made apart") as session:
        for op, edited in (("put", {**body, "description": "edited"}), ("delete", {})):
            ctx.commit_local(
                session,
                {
                    "entity_id": item_id,
                    "entity_type": "evidence",
                    "op": op,
                    "body": edited,
                    "parents": [first],
                },
            )
    assert len(vault.revisions.heads()[item_id]) == 2
    source = tmp_path / "photo.jpg"
    source.write_bytes(PHOTO)
    events_before = _actions_on(vault, item_id)

    # Neither "No evidence with id" (review 27 F3) nor "already in this case"
    # (review 28 F1: the vault holds none of the bytes, and a person told so
    # may throw away the only copy): refused, naming the conflict.
    with pytest.raises(InvalidInput) as refused:
        vault.evidence.ingest(source, case_id)

    assert refused.value.code == "file-record-in-conflict"
    assert item_id in str(refused.value) and "Nothing was stored" in str(refused.value)
    assert not _holds_a_file(vault, item_id)
    assert _actions_on(vault, item_id) == events_before  # no "intake-duplicate" either
    assert source.read_bytes() == PHOTO


def test_an_item_without_head_revisions_is_damage_not_a_duplicate(
    created_vault: CreatedVault, tmp_path: Path
) -> None:
    vault = created_vault.vault
    case_id, item_id, _revision = _fileless(vault, PHOTO)
    with vault.services.context.write_transaction("heads removed, as damage would") as session:
        session.execute(text("DELETE FROM heads WHERE entity_id = :e"), {"e": item_id})
    source = tmp_path / "photo.jpg"
    source.write_bytes(PHOTO)

    with pytest.raises(VaultDamaged) as refused:
        vault.evidence.ingest(source, case_id)

    assert "no head revision" in str(refused.value) and "Nothing was stored" in str(refused.value)
    assert not _holds_a_file(vault, item_id)
    assert source.read_bytes() == PHOTO


def test_a_record_pairing_the_sha256_with_another_size_is_refused_and_says_so(
    created_vault: CreatedVault, tmp_path: Path
) -> None:
    vault = created_vault.vault
    case_id, item_id, _revision = _fileless(vault, PHOTO, size=len(PHOTO) + 7)
    source = tmp_path / "photo.jpg"
    source.write_bytes(PHOTO)

    with pytest.raises(VaultDamaged) as refused:
        vault.evidence.ingest(source, case_id)

    message = str(refused.value)
    assert "other bytes than its row" not in message  # the row was not rewritten: it agrees
    assert f"size of {len(PHOTO) + 7} bytes" in message and f"not this file's {len(PHOTO)}" in message
    assert "Nothing was stored" in message and item_id in message
    assert not _holds_a_file(vault, item_id)
    assert source.read_bytes() == PHOTO
