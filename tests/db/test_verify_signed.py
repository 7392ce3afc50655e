"""``verify`` trusts only what is signed.

The derived tables (``entities``, ``heads``, ``revision_parents``,
``evidence_blobs``, ``blobs``) are what the app shows and exports, and anyone
holding the database key can rewrite them. Each attack below goes through
raw SQL on a session opened with the vault's real database key, as such an
attacker would, and ``verify`` must name what was changed. The attacker does
not hold the device's private key (it is sealed under another subkey), so
new signatures are a stranger's.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from db.device import DeviceIdentity
from db.entities import EvidenceItem
from db.hlc import MAX_DRIFT_MS, Timestamp, wall_clock_ms
from db.model import EntityRow, Head, RevisionRow
from db.revisions import canonical_json, create_revision
from db.vault import DB_FILE, Vault
from db.verify import Problem, VerifyReport, verify_vault
from tests.evidence_samples import make_random
from tests.factory import make_case, make_testimony
from tests.vault_helpers import checkpoints_settled, open_vault


def execute(vault: Vault, sql: str, **params: Any) -> None:
    with vault.services.context.sessions() as session:
        session.execute(text(sql), params)
        session.commit()


def problems(report: VerifyReport, kind: str | None = None) -> list[Problem]:
    return [p for p in report.problems if kind is None or p.kind == kind]


def subjects(report: VerifyReport) -> set[str]:
    return {p.subject for p in report.problems}


@pytest.fixture
def two_items(vault: Vault, tmp_path: Path) -> tuple[EvidenceItem, EvidenceItem]:
    case = make_case(vault)
    a = vault.evidence.ingest(make_random(tmp_path / "a.jpg", 4000, seed=1), case.id).item
    b = vault.evidence.ingest(make_random(tmp_path / "b.jpg", 5000, seed=2), case.id).item
    return a, b


def blob_of(vault: Vault, evidence_id: str) -> str:
    with vault.services.context.sessions() as session:
        return str(
            session.execute(
                text("SELECT blob_id FROM evidence_blobs WHERE evidence_id = :e"), {"e": evidence_id}
            ).scalar_one()
        )


# -- an untouched vault -------------------------------------------------------------


def test_a_vault_with_edits_conflicts_and_deletions_verifies(vault: Vault, tmp_path: Path) -> None:
    case = make_case(vault)
    testimony = make_testimony(vault, case.id)
    vault.testimonies.edit(testimony.id, narrative="Друга версія.")
    doomed = make_testimony(vault, case.id, title="to delete")
    vault.testimonies.delete(doomed.id, reason="duplicate")
    # A concurrent edit signed here (as a second window would): two heads.
    head = vault.testimonies.history(testimony.id)[-1]
    fork = create_revision(
        vault.services.context.identity,
        entity_id=testimony.id,
        entity_type="testimony",
        op="put",
        body=dict(head.body, narrative="Паралельна версія."),
        parents=list(head.parents),
        hlc=vault.services.context.clock.tick(),
    )
    vault.revisions.apply([fork])
    assert [c.entity_id for c in vault.revisions.conflicts()] == [testimony.id]
    vault.evidence.ingest(make_random(tmp_path / "photo.jpg", 3000), case.id)
    report = vault.verify()
    assert report.ok, report.problems
    assert report.entities_checked == 4


def test_entity_bodies_are_the_canonical_json_of_the_signed_body(vault: Vault) -> None:
    testimony = make_testimony(vault, interviewer="Олена", notes='"quoted" \\ and \u2028')
    with vault.services.context.sessions() as session:
        stored = session.scalar(select(EntityRow.body).where(EntityRow.entity_id == testimony.id))
        signed = session.scalar(
            select(RevisionRow.signed).where(RevisionRow.revision_id == testimony.revision)
        )
    assert stored is not None and signed is not None
    assert stored.encode() == canonical_json(json.loads(signed)["body"])


def test_a_body_stored_before_bodies_were_canonical_still_verifies(vault: Vault) -> None:
    testimony = make_testimony(vault)
    body = testimony.body()
    execute(
        vault,
        "UPDATE entities SET body = :b WHERE entity_id = :e",
        b=json.dumps(body, ensure_ascii=False, indent=1),  # same JSON, spelled as before
        e=testimony.id,
    )
    assert vault.verify().ok


# -- evidence pointed at other bytes ------------------------------------------------------


def test_evidence_pointed_at_another_items_bytes_is_named(
    vault: Vault, two_items: tuple[EvidenceItem, EvidenceItem]
) -> None:
    a, b = two_items
    execute(
        vault,
        "UPDATE evidence_blobs SET blob_id = :blob WHERE evidence_id = :e",
        blob=blob_of(vault, b.id),
        e=a.id,
    )
    report = vault.verify()
    assert (
        Problem("evidence", a.id, "resolves to a stored file whose SHA-256 differs from its signed one")
        in report.problems
    )
    assert b.id not in {p.subject for p in problems(report, "evidence")}


def test_evidence_repointed_with_its_derived_hash_rewritten_is_named(
    vault: Vault, two_items: tuple[EvidenceItem, EvidenceItem]
) -> None:
    """The thorough attacker also rewrites the derived row's hash and size, so
    the derived tables agree with each other: only the signatures disagree."""
    a, b = two_items
    execute(
        vault,
        "UPDATE evidence_blobs SET blob_id = :blob WHERE evidence_id = :e",
        blob=blob_of(vault, b.id),
        e=a.id,
    )
    execute(
        vault,
        "UPDATE entities SET body = json_set(body, '$.sha256', :sha, '$.size', :size) WHERE entity_id = :e",
        sha=b.sha256,
        size=b.size,
        e=a.id,
    )
    report = vault.verify()
    assert (
        Problem("entity", a.id, "its derived state differs from its signed revisions (body)")
        in report.problems
    )
    assert (
        Problem("evidence", a.id, "resolves to a stored file whose SHA-256 differs from its signed one")
        in report.problems
    )


def test_a_blob_record_rewritten_to_claim_other_bytes_is_named(
    vault: Vault, two_items: tuple[EvidenceItem, EvidenceItem]
) -> None:
    a, _b = two_items
    execute(
        vault, "UPDATE blobs SET sha256 = :sha WHERE blob_id = :blob", sha="0" * 64, blob=blob_of(vault, a.id)
    )
    report = vault.verify()
    assert Problem(
        "evidence", a.id, "resolves to a stored file whose SHA-256 differs from its signed one"
    ) in (report.problems)
    assert Problem("blob", a.id, "content does not match its SHA-256 from intake") in report.problems


# -- derived rows changed -----------------------------------------------------------------


def test_a_testimonys_displayed_text_changed_in_entities_is_named(vault: Vault) -> None:
    testimony = make_testimony(vault)
    execute(
        vault,
        "UPDATE entities SET body = json_set(body, '$.narrative', 'Свідок нічого не бачив.') WHERE entity_id = :e",
        e=testimony.id,
    )
    assert vault.testimonies.get(testimony.id).narrative == "Свідок нічого не бачив."  # what the app shows
    report = vault.verify()
    assert report.problems == [
        Problem("entity", testimony.id, "its derived state differs from its signed revisions (body)")
    ]


@pytest.mark.parametrize(
    ("sql", "field"),
    [
        ("UPDATE entities SET deleted = 1 WHERE entity_id = :e", "deleted"),
        ("UPDATE entities SET case_id = :other WHERE entity_id = :e", "case"),
        ("UPDATE entities SET head_revision_id = :other WHERE entity_id = :e", "head"),
        ("DELETE FROM heads WHERE entity_id = :e", "heads"),
    ],
)
def test_each_derived_column_changed_is_named(vault: Vault, sql: str, field: str) -> None:
    testimony = make_testimony(vault)
    execute(vault, sql, e=testimony.id, other="01900000-0000-7000-8000-00000000ffff")
    assert vault.verify().problems == [
        Problem("entity", testimony.id, f"its derived state differs from its signed revisions ({field})")
    ]


def test_a_derived_row_without_revisions_is_named(vault: Vault) -> None:
    case = make_case(vault)
    planted = "01900000-0000-7000-8000-00000000abcd"
    execute(
        vault,
        "INSERT INTO entities (entity_id, entity_type, case_id, head_revision_id, body, deleted, conflicted, "
        "created_ms, updated_ms) VALUES (:e, 'testimony', :c, :h, '{}', 0, 0, 1, 1)",
        e=planted,
        c=case.id,
        h="a" * 64,
    )
    assert vault.verify().problems == [Problem("entity", planted, "has a row in entities but no revisions")]


# -- revisions replaced or removed ------------------------------------------------------------


def test_a_revision_replaced_by_one_a_stranger_signed_is_named(vault: Vault) -> None:
    """The attacker swaps the testimony's only revision for one of their own and
    rebuilds every derived row to match it."""
    testimony = make_testimony(vault)
    stranger = DeviceIdentity.generate()
    with vault.services.context.sessions() as session:
        original = session.scalar(select(RevisionRow).where(RevisionRow.revision_id == testimony.revision))
        assert original is not None
        body = json.loads(original.signed)["body"] | {"narrative": "Підмінений текст."}
        forged = create_revision(
            stranger,
            entity_id=testimony.id,
            entity_type="testimony",
            op="put",
            body=body,
            parents=[],
            hlc=Timestamp(original.hlc_ms, original.hlc_counter),
        )
        session.delete(original)
        session.flush()
        session.add(
            RevisionRow(
                revision_id=forged.revision_id,
                entity_id=forged.entity_id,
                entity_type="testimony",
                op="put",
                hlc_ms=forged.hlc.ms,
                hlc_counter=forged.hlc.counter,
                device_id=forged.device_id,
                signed=forged.signed,
                signature=forged.signature,
            )
        )
        session.execute(text("DELETE FROM heads WHERE entity_id = :e"), {"e": testimony.id})
        session.add(Head(entity_id=testimony.id, revision_id=forged.revision_id))
        session.execute(
            text("UPDATE entities SET head_revision_id = :h, body = :b WHERE entity_id = :e"),
            {"h": forged.revision_id, "b": canonical_json(body).decode(), "e": testimony.id},
        )
        session.commit()
    assert vault.testimonies.get(testimony.id).narrative == "Підмінений текст."
    assert vault.verify().problems == [
        Problem(
            "revision",
            forged.revision_id,
            f"signed by device {stranger.device_id}, which is not this vault's device (nor an enrolled one)",
        )
    ]


def test_a_stranger_revision_received_through_apply_is_named(vault: Vault) -> None:
    """Until enrolment exists, no other device's revisions are trusted."""
    stranger = DeviceIdentity.generate()
    rev = create_revision(
        stranger,
        entity_id="01900000-0000-7000-8000-00000000beef",
        entity_type="case",
        op="put",
        body={"title": "planted", "description": "", "notes": ""},
        parents=[],
        hlc=Timestamp(wall_clock_ms(), 0),
    )
    vault.revisions.apply([rev])
    assert [p.subject for p in vault.verify().problems] == [rev.revision_id]


def test_the_latest_revision_deleted_is_named(vault: Vault) -> None:
    testimony = make_testimony(vault)
    edited = vault.testimonies.edit(testimony.id, narrative="Виправлено.")
    execute(vault, "DELETE FROM revisions WHERE revision_id = :r", r=edited.revision)
    report = vault.verify()
    assert (
        Problem(
            "entity",
            testimony.id,
            "its derived state differs from its signed revisions (head, body, updated, heads)",
        )
        in report.problems
    )


def test_an_earlier_revision_deleted_is_named(vault: Vault) -> None:
    testimony = make_testimony(vault)
    edited = vault.testimonies.edit(testimony.id, narrative="Виправлено.")
    execute(vault, "DELETE FROM revisions WHERE revision_id = :r", r=testimony.revision)
    report = vault.verify()
    assert (
        Problem("revision", edited.revision, f"names parent {testimony.revision}, which is not in the vault")
        in report.problems
    )


def test_every_revision_of_an_entity_deleted_is_named(vault: Vault) -> None:
    testimony = make_testimony(vault)
    execute(vault, "DELETE FROM revisions WHERE entity_id = :e", e=testimony.id)
    # (Its heads rows go with the revisions: a foreign key cascades.)
    assert vault.verify().problems == [
        Problem("entity", testimony.id, "has a row in entities but no revisions")
    ]


def test_an_evidence_item_whose_records_were_erased_is_named(
    vault: Vault, two_items: tuple[EvidenceItem, EvidenceItem]
) -> None:
    """Today's loss: erase every record of an item and verify passed, and the
    next unlock removed its file."""
    a, _b = two_items
    for table, column in (
        ("revisions", "entity_id"),
        ("heads", "entity_id"),
        ("entities", "entity_id"),
        ("evidence_blobs", "evidence_id"),
    ):
        execute(vault, f"DELETE FROM {table} WHERE {column} = :e", e=a.id)
    report = vault.verify()
    assert (
        Problem("custody", a.id, "custody events name an item with no record (its records were removed)")
        in report.problems
    )


def test_a_stored_file_whose_item_rows_were_removed_is_named(
    vault: Vault, two_items: tuple[EvidenceItem, EvidenceItem]
) -> None:
    a, _b = two_items
    blob_id = blob_of(vault, a.id)
    execute(vault, "DELETE FROM evidence_blobs WHERE evidence_id = :e", e=a.id)
    report = vault.verify()
    assert Problem("evidence", a.id, "has no stored file") in report.problems
    assert (
        Problem("blob", blob_id, "no evidence item refers to this stored file (its records were removed)")
        in report.problems
    )


def test_a_revision_rows_columns_changed_are_named(vault: Vault) -> None:
    testimony = make_testimony(vault)
    execute(vault, "UPDATE revisions SET hlc_ms = hlc_ms + 1 WHERE revision_id = :r", r=testimony.revision)
    assert vault.verify().problems == [
        Problem("revision", testimony.revision, "its row's columns differ from its signed bytes")
    ]


def test_a_parent_row_removed_is_named(vault: Vault) -> None:
    testimony = make_testimony(vault)
    edited = vault.testimonies.edit(testimony.id, narrative="Виправлено.")
    execute(vault, "DELETE FROM revision_parents WHERE revision_id = :r", r=edited.revision)
    assert Problem("revision", edited.revision, "its parent rows differ from its signed parents") in (
        vault.verify().problems
    )


# -- a clock far ahead is a notice, not a fault -----------------------------------------------


def test_a_revision_stamped_far_ahead_is_kept_and_listed_as_a_notice(vault: Vault) -> None:
    ahead = Timestamp(wall_clock_ms() + 3 * MAX_DRIFT_MS, 0)
    rev = create_revision(
        vault.services.context.identity,  # this device, its clock set wrong at the time
        entity_id="01900000-0000-7000-8000-00000000c10c",
        entity_type="case",
        op="put",
        body={"title": "from a laptop three days ahead", "description": "", "notes": ""},
        parents=[],
        hlc=ahead,
    )
    vault.revisions.apply([rev])
    report = vault.verify()
    assert report.ok, report.problems
    (notice,) = report.notices
    assert notice.subject == rev.revision_id and notice.detail.startswith("clock ahead: stamped 3.0 days")


# -- an examination writes nothing --------------------------------------------------------------


def test_verify_without_recording_writes_nothing(
    vault: Vault, two_items: tuple[EvidenceItem, EvidenceItem]
) -> None:
    vault.verify()  # a recorded one first: the files are settled
    checkpoints_settled(vault.folder)  # and no checkpoint of its pages pending
    files = [vault.folder / DB_FILE, vault.folder / f"{DB_FILE}-wal"]

    def snapshot() -> list[str]:
        return [hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "" for path in files]

    before = snapshot()
    custody_before = len(vault.evidence.custody_log())
    report = verify_vault(vault.services.context, record=False)
    assert report.ok
    assert len(vault.evidence.custody_log()) == custody_before
    assert snapshot() == before
    recorded = vault.verify()
    assert recorded.ok and len(vault.evidence.custody_log()) == custody_before + 2


def test_a_strangers_key_added_to_the_device_table_is_not_trusted(vault: Vault, tmp_path: Path) -> None:
    """With the database key one can add a device row: its forgeries must still be named,
    and export must refuse the item they point elsewhere."""
    testimony = make_testimony(vault)
    stranger = DeviceIdentity.generate()
    execute(
        vault,
        "INSERT INTO device VALUES (:d, :k, :s, '', 0)",
        d=stranger.device_id,
        k=stranger.public_key,
        s=b"junk, not a sealed key",
    )
    forged = create_revision(
        stranger,
        entity_id=testimony.id,
        entity_type="testimony",
        op="put",
        body=testimony.body() | {"narrative": "Підмінений текст."},
        parents=[testimony.revision],
        hlc=Timestamp(wall_clock_ms() + 1, 0),
    )
    vault.revisions.apply([forged])
    assert vault.testimonies.get(testimony.id).narrative == "Підмінений текст."
    found = {(p.kind, p.subject) for p in vault.verify().problems}
    assert ("device", stranger.device_id) in found
    assert ("revision", forged.revision_id) in found
    vault.lock()
    reopened = open_vault(vault.folder)  # the real identity still unlocks it
    assert reopened.device_id == vault.device_id
    reopened.lock()
