"""Importing a field device's work into a coordinator's vault as one unit
(issue 11): revisions are authorised by their key, not only verified; custody
events extend their device's own chain; evidence bytes are checked against
their SHA-256 and attached to the items that name them; any failure leaves
nothing behind, rows or files."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from db.custody import SIGNATURE_DOMAIN
from db.device import DeviceIdentity
from db.entities import Case
from db.errors import ImportRejected, RevisionRejected
from db.hlc import Timestamp
from db.revisions import canonical_json, create_revision
from db.vault import Vault
from tests.db.sync_fixtures import FieldWork, field_fixture, outsider  # noqa: F401 - the fixture "field"
from tests.vault_helpers import open_vault

BUNDLE = "b" * 64


def import_all(vault: Vault, work: FieldWork, *, bundle: str = BUNDLE, sequence: int = 1) -> None:
    with vault.sync.begin_import() as unit:
        unit.add_revisions(work.revisions())
        unit.add_custody_events(work.custody())
        unit.add_blob(work.sha256, len(work.data), io.BytesIO(work.data), [work.evidence_id])
        unit.record_bundle(bundle, work.as_device().device_id, sequence, work.vault.sync.custody_head())


def blob_files(vault: Vault) -> set[str]:
    return {p.name for p in (vault.folder / "blobs").iterdir()}


def counts(vault: Vault) -> dict[str, int]:
    with vault.services.context.sessions() as session:
        return {
            table: int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in (
                "revisions",
                "entities",
                "blobs",
                "evidence_blobs",
                "custody_events",
                "received_custody_events",
                "received_bundles",
            )
        }


def forged_revision(identity: DeviceIdentity) -> dict[str, str]:
    """A revision as perfect as can be: valid id, canonical form, body and
    signature; only its key is not the organisation's."""
    return create_revision(
        identity,
        entity_id="0190f3a0-0000-7000-8000-000000000001",
        entity_type="case",
        op="put",
        body=Case(title="Planted case").body(),
        parents=[],
        hlc=Timestamp(1_700_000_000_000, 0),
    ).to_wire()


# -- who may write ---------------------------------------------------------------------


def test_a_perfectly_signed_revision_from_an_outsider_is_refused(vault: Vault) -> None:
    before = counts(vault)
    with pytest.raises(RevisionRejected) as refused, vault.sync.begin_import() as unit:
        unit.add_revisions([forged_revision(outsider())])
    assert refused.value.reason == "signer not authorised"
    assert refused.value.code == "revision-rejected"
    assert counts(vault) == before
    assert vault.verify().ok


def test_only_an_enrolled_device_may_write(vault: Vault, field: FieldWork) -> None:
    before = counts(vault)
    # Unknown, pending: refused, with nothing applied.
    for status in (None, "pending"):
        if status is not None:
            vault.sync.put_device(field.as_device(status))
        with pytest.raises(RevisionRejected) as refused, vault.sync.begin_import() as unit:
            unit.add_revisions(field.revisions())
        assert refused.value.reason == "signer not authorised"
        assert counts(vault) == before
    # Enrolled: accepted.
    vault.sync.set_device_status(field.as_device().device_id, "enrolled")
    import_all(vault, field)
    assert vault.cases.get(field.case_id).title == field.vault.cases.get(field.case_id).title
    # Revoked: what it sends now is refused; what it sent before stays trusted.
    field.vault.cases.edit(field.case_id, title="Edited after revocation")
    vault.sync.set_device_status(field.as_device().device_id, "revoked")
    with pytest.raises(RevisionRejected) as refused, vault.sync.begin_import() as unit:
        unit.add_revisions(field.revisions())
    assert refused.value.reason == "signer not authorised"
    assert vault.cases.get(field.case_id).title != "Edited after revocation"
    report = vault.verify()
    assert report.ok, report.problems


def test_an_outsider_revision_inside_a_good_batch_spoils_all_of_it(vault: Vault, field: FieldWork) -> None:
    vault.sync.put_device(field.as_device())
    before = counts(vault)
    with pytest.raises(RevisionRejected), vault.sync.begin_import() as unit:
        unit.add_revisions([*field.revisions(), forged_revision(outsider())])
    assert counts(vault) == before


# -- a whole import ----------------------------------------------------------------------


def test_a_device_s_work_arrives_whole_with_its_custody(
    vault: Vault, field: FieldWork, tmp_path: Path
) -> None:
    vault.sync.put_device(field.as_device())
    import_all(vault, field)
    # The evidence bytes, exported from the coordinator's vault, are the original.
    exported = vault.evidence.export(field.evidence_id, tmp_path / "out.jpg")
    assert exported.path.read_bytes() == field.data and exported.sha256 == field.sha256
    # The device's chain is held as its own; this vault's chain records the receipt.
    received = [e.action for e in vault.evidence.custody(field.evidence_id)]
    assert received[0] == "transfer"
    transfer = vault.evidence.custody(field.evidence_id)[0]
    assert transfer.details == {
        "direction": "received",
        "bundle": BUNDLE,
        "device": field.as_device().device_id,
    }
    device = vault.sync.device(field.as_device().device_id)
    assert device is not None and (device.last_sequence, device.last_bundle_id) == (1, BUNDLE)
    assert counts(vault)["received_custody_events"] == len(field.custody())
    report = vault.verify()
    assert report.ok, report.problems
    # Importing the same again adds nothing (no rows, no file, no event).
    before, files = counts(vault), blob_files(vault)
    import_all(vault, field)
    assert counts(vault) == before and blob_files(vault) == files


def test_any_failure_leaves_no_row_and_no_file(vault: Vault, field: FieldWork, tmp_path: Path) -> None:
    vault.sync.put_device(field.as_device())
    second = tmp_path / "second.bin"
    second.write_bytes(b"x" * 5000)
    other = field.vault.evidence.ingest(second, field.case_id).item
    before, files = counts(vault), blob_files(vault)
    with pytest.raises(ImportRejected) as refused, vault.sync.begin_import() as unit:
        unit.add_revisions(field.revisions())
        unit.add_custody_events(field.custody())
        # The first file is whole and lands under its final name...
        unit.add_blob(field.sha256, len(field.data), io.BytesIO(field.data), [field.evidence_id])
        assert len(blob_files(vault)) == len(files) + 1
        # ...the second was altered on the way.
        unit.add_blob(other.sha256, 5000, io.BytesIO(b"y" * 5000), [other.id])
    assert refused.value.code == "blob-rejected" and refused.value.params == {"sha256": other.sha256}
    assert counts(vault) == before
    assert blob_files(vault) == files  # the first file was removed again, no temp file left
    vault.lock()
    vault = open_vault(vault.folder)
    assert vault.quarantined() == [] and vault.verify().ok
    vault.lock()


@pytest.mark.parametrize(
    ("size", "evidence", "reason"),
    [
        (None, "item", "its bytes do not match their SHA-256 and size"),  # truncated on the way
        (1, "item", "records another SHA-256 or size"),  # a size the item does not record
        (0, "nothing", "names no evidence item"),
        (0, "case", "is not an evidence item here"),
    ],
)
def test_evidence_bytes_must_be_what_their_item_records(
    vault: Vault, field: FieldWork, size: int | None, evidence: str, reason: str
) -> None:
    vault.sync.put_device(field.as_device())
    ids = {"item": [field.evidence_id], "nothing": [], "case": [field.case_id]}[evidence]
    data = field.data[:-1] if size is None else field.data
    with pytest.raises(ImportRejected) as refused, vault.sync.begin_import() as unit:
        unit.add_revisions(field.revisions())
        unit.add_blob(field.sha256, len(field.data) + (size or 0), io.BytesIO(data), ids)
    assert reason in refused.value.reason
    assert counts(vault)["revisions"] == 0 + counts_of_own(vault)


def counts_of_own(vault: Vault) -> int:
    return len([r for r in vault.revisions.all() if r.device_id == vault.device_id])


def test_a_replayed_bundle_and_a_fork(vault: Vault, field: FieldWork) -> None:
    vault.sync.put_device(field.as_device())
    import_all(vault, field)
    with vault.sync.begin_import() as unit:
        assert unit.is_imported(BUNDLE)
    with pytest.raises(ImportRejected) as fork, vault.sync.begin_import() as unit:
        unit.record_bundle("c" * 64, field.as_device().device_id, 1)
    assert fork.value.reason == "fork" and fork.value.code == "bundle-rejected"
    with pytest.raises(ImportRejected) as unknown, vault.sync.begin_import() as unit:
        unit.record_bundle("c" * 64, "0" * 32, 1)
    assert unknown.value.reason == "device unknown"


# -- per-device custody chains ---------------------------------------------------------------


def reencode(event: dict[str, str], change: dict[str, object]) -> dict[str, str]:
    """The event with its envelope changed and its hash recomputed (not re-signed)."""
    envelope = json.loads(base64.b64decode(event["signed"]))
    envelope.update(change)
    signed = canonical_json(envelope)
    return {**event, "hash": hashlib.sha256(signed).hexdigest(), "signed": base64.b64encode(signed).decode()}


def test_each_device_s_chain_only_grows_from_its_last_event(vault: Vault, field: FieldWork) -> None:
    vault.sync.put_device(field.as_device())
    field.vault.evidence.open(field.evidence_id).close()  # event 2
    field.vault.evidence.open(field.evidence_id).close()  # event 3
    first, second, third = field.custody()
    cases = [
        ([second], "does not extend its device's chain"),  # a gap: event 1 missing
        ([first, third], "does not extend its device's chain"),
        ([first, reencode(second, {"details": {"purpose": "other"}})], "bad signature"),
        ([{**first, "hash": "0" * 64}], "does not match its hash"),
        ([{**first, "signed": "***"}], "malformed wire encoding"),
    ]
    for events, reason in cases:
        with pytest.raises(ImportRejected) as refused, vault.sync.begin_import() as unit:
            unit.add_custody_events(events)
        assert reason in refused.value.reason, (reason, refused.value.reason)
        assert counts(vault)["received_custody_events"] == 0
    with vault.sync.begin_import() as unit:
        assert unit.add_custody_events([first, second]) == 2
    with vault.sync.begin_import() as unit:  # the next bundle: held events skipped, the chain extends
        assert unit.add_custody_events([second, third]) == 1


def test_a_fork_of_a_device_s_chain_is_refused(vault: Vault, field: FieldWork) -> None:
    vault.sync.put_device(field.as_device())
    with vault.sync.begin_import() as unit:
        unit.add_custody_events(field.custody())
    # The device's own key signs another event 1: a rewritten history.
    envelope = json.loads(base64.b64decode(field.custody()[0]["signed"]))
    envelope["details"] = {"name": "rewritten.jpg"}
    signed = canonical_json(envelope)
    signature = field.vault.services.context.identity.sign(SIGNATURE_DOMAIN + signed)
    forged = {
        "hash": hashlib.sha256(signed).hexdigest(),
        "signed": base64.b64encode(signed).decode(),
        "signature": base64.b64encode(signature).decode(),
    }
    with pytest.raises(ImportRejected) as refused, vault.sync.begin_import() as unit:
        unit.add_custody_events([forged])
    assert "fork" in refused.value.reason


def test_neither_this_vault_s_chain_nor_a_revoked_device_s_arrives_as_received(
    vault: Vault, field: FieldWork
) -> None:
    vault.sync.put_device(field.as_device())
    import_all(vault, field)  # this vault's chain now holds the transfer events
    own = [event.to_wire() for event in vault.sync.custody_since()]
    assert own
    with pytest.raises(ImportRejected) as refused, vault.sync.begin_import() as unit:
        unit.add_custody_events(own)
    assert refused.value.reason == "signer not authorised"
    field.vault.evidence.open(field.evidence_id).close()  # a new event on the device
    vault.sync.set_device_status(field.as_device().device_id, "revoked")
    with pytest.raises(ImportRejected) as refused, vault.sync.begin_import() as unit:
        unit.add_custody_events(field.custody())
    assert refused.value.reason == "signer not authorised"


@pytest.mark.parametrize("cut", ["first", "last"])
def test_verify_checks_each_received_chain_on_its_own(
    vault: Vault, field: FieldWork, tmp_path: Path, cut: str
) -> None:
    second = FieldWorkFactory.make(tmp_path)
    try:
        field.vault.evidence.open(field.evidence_id).close()  # a second event
        for work in (field, second):
            vault.sync.put_device(work.as_device())
            import_all(vault, work, bundle=hashlib.sha256(work.sha256.encode()).hexdigest())
        report = vault.verify()
        assert report.ok, report.problems
        # Cut one device's chain at its start or its end: that chain is
        # named, the other device's is not.
        device = field.as_device().device_id
        seq = 1 if cut == "first" else 2
        with vault.services.context.write_transaction("tamper") as session:
            session.execute(
                text("DELETE FROM received_custody_events WHERE device_id = :d AND seq = :s"),
                {"d": device, "s": seq},
            )
        problems = [p for p in vault.verify().problems if p.kind == "custody"]
        assert problems and all(device in p.subject for p in problems), problems
        assert not any(second.as_device().device_id in p.subject for p in problems)
    finally:
        second.vault.lock()


def test_a_bundle_whose_custody_head_is_not_in_the_chain_is_refused(vault: Vault, field: FieldWork) -> None:
    vault.sync.put_device(field.as_device())
    field.vault.evidence.open(field.evidence_id).close()
    first, _second = field.custody()
    before = counts(vault)
    with pytest.raises(ImportRejected) as refused, vault.sync.begin_import() as unit:
        unit.add_custody_events([first])  # the newest event held back
        unit.record_bundle(BUNDLE, field.as_device().device_id, 1, field.vault.sync.custody_head())
    assert refused.value.reason == "custody head missing"
    assert counts(vault) == before


class FieldWorkFactory:
    @staticmethod
    def make(tmp_path: Path) -> FieldWork:
        from tests.db.sync_fixtures import record_field_work

        return record_field_work(tmp_path / "second-field", tmp_path, size=4000)


# -- large files: streamed before the transaction --------------------------------------------


class SavesWhileRead(io.RawIOBase):
    """The evidence bytes; while they are read, another thread saves a draft
    (as the GUI's autosave would) and must not wait for the read to end."""

    def __init__(self, data: bytes, vault: Vault) -> None:
        self._data = io.BytesIO(data)
        self._vault = vault
        self.saved_meanwhile = False

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if not self.saved_meanwhile:
            saver = threading.Thread(
                target=self._vault.drafts.put, args=("testimony:x", {"narrative": "..."})
            )
            saver.start()
            saver.join(timeout=10)
            self.saved_meanwhile = not saver.is_alive()
        return self._data.read(n)


def test_a_staged_file_streams_without_holding_the_write_lock(
    vault: Vault, field: FieldWork, tmp_path: Path
) -> None:
    vault.sync.put_device(field.as_device())
    source = SavesWhileRead(field.data, vault)
    staged = vault.sync.stage_blob(field.sha256, len(field.data), source)  # type: ignore[arg-type]
    assert source.saved_meanwhile
    with vault.sync.begin_import() as unit:
        unit.add_revisions(field.revisions())
        assert unit.add_staged_blob(staged, [field.evidence_id])
    assert vault.evidence.export(field.evidence_id, tmp_path / "out.bin").path.read_bytes() == field.data
    assert vault.verify().ok
    assert not any(name.startswith(".tmp-") for name in blob_files(vault))


def test_staged_bytes_that_do_not_match_leave_no_file(vault: Vault, field: FieldWork) -> None:
    files = blob_files(vault)
    with pytest.raises(ImportRejected) as refused:
        vault.sync.stage_blob(field.sha256, len(field.data), io.BytesIO(b"z" * len(field.data)))
    assert refused.value.code == "blob-rejected"
    assert blob_files(vault) == files


def test_a_staged_file_of_a_failed_import_is_removed(vault: Vault, field: FieldWork) -> None:
    vault.sync.put_device(field.as_device())
    files = blob_files(vault)
    staged = vault.sync.stage_blob(field.sha256, len(field.data), io.BytesIO(field.data))
    assert len(blob_files(vault)) == len(files) + 1  # the temp file
    with pytest.raises(ImportRejected), vault.sync.begin_import() as unit:
        unit.add_staged_blob(staged, [field.evidence_id])  # its revisions never arrived
    assert blob_files(vault) == files
