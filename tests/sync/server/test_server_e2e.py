"""End to end through a real server with TLS on loopback: a worker's vault
enrols with a token, exports a real bundle and uploads it with tus; the
receipt verifies with the server's key; the coordinator follows the changes
feed, downloads the bundle in two ranges (a resumed download), gets the
same bytes, imports them into its vault and acknowledges. The testimony's
and the evidence file's canary strings are nowhere on the server: not in
its database, its data folder or its log; the log holds no address."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from db.api import Case, Vault
from db.api import Testimony as TestimonyRecord
from sync import org_vault
from sync.bundle.vault_io import export_bundle, import_bundle
from sync.server.receipts import check_log
from tests.sync.server.server_helpers import running_server
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


def _vault(folder: Path) -> Vault:
    from db.api import NoKeyring

    return Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault


def _everything_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_enrol_upload_receipt_changes_range_download_import_ack(tmp_path: Path) -> None:
    testimony_canary = f"CANARY-TESTIMONY-{secrets.token_hex(8)}"
    evidence_canary = f"CANARY-EVIDENCE-{secrets.token_hex(8)}".encode()
    coordinator = _vault(tmp_path / "coordinator")
    worker = _vault(tmp_path / "worker")
    try:
        signed = org_vault.create_organisation(coordinator, "Field Org")
        profile = signed.profile
        org_vault.enrol(worker, signed.signed, fingerprint_given=profile.fingerprint)
        org_vault.add_device(coordinator, org_vault.own_device_card(worker).text)
        case = worker.cases.create(Case(title="Shelling of the school"))
        worker.testimonies.create(
            TestimonyRecord(case_id=case.id, title="Witness A", narrative=testimony_canary)
        )
        photo = tmp_path / "photo.jpg"
        photo.write_bytes(b"\xff\xd8" + evidence_canary * 500 + secrets.token_bytes(3000))
        worker.evidence.ingest(photo, case.id)
        usb = tmp_path / "out"
        usb.mkdir()
        recipients = [c.age_recipient for c in profile.coordinators]
        made = export_bundle(worker, usb, recipients, profile.org_id, profile.version)
        token = org_vault.issue_token(coordinator, hours=1)

        with running_server(tmp_path / "server", profile.fingerprint, profile=signed.signed) as server:
            with server.client() as client:
                assert client.enrol(token.text, worker.sync.signing_key()) == worker.device_id
                client.login(worker.sync.signing_key(), worker.device_id)
                uploaded = client.upload(made.path, chunk=64 * 1024)
            assert uploaded.bundle_id == made.bundle_id
            assert (
                uploaded.body
                | {
                    "bundle_id": made.bundle_id,
                    "device_id": worker.device_id,
                    "org_id": profile.org_id,
                    "sequence": 1,
                    "size": made.path.stat().st_size,
                }
                == uploaded.body
            )

            with server.client() as coord:
                coord.login(coordinator.sync.signing_key(), coordinator.device_id)
                feed = coord.changes(cursor=0)
                assert [c["bundle_id"] for c in feed["changes"]] == [made.bundle_id]
                assert coord.changes(cursor=feed["cursor"])["changes"] == []
                log = coord.receipts()
                assert check_log(log, coord.server_key or b"") == uploaded.receipt.sha256
                received = io.BytesIO()
                half = made.path.stat().st_size // 2
                coord.download(made.bundle_id, received)
                received.truncate(half)  # as if the connection broke half way
                received.seek(half)
                coord.download(made.bundle_id, received, start=half)
                assert received.getvalue() == made.path.read_bytes()
                downloaded = tmp_path / "downloaded.fvbundle"
                downloaded.write_bytes(received.getvalue())
                imported = import_bundle(
                    coordinator, downloaded, coordinator.vault_keys.age_identity(), org_id=profile.org_id
                )
                assert imported.blobs == 1 and not imported.replay
                coord.ack(made.bundle_id)
                assert coord.changes(cursor=0)["changes"][0]["acked"] is True

        narratives = [t.narrative for t in coordinator.testimonies.list()]
        assert testimony_canary in narratives
        stored = _everything_under(tmp_path / "server")
        log_text = server.log.read_bytes()
        for canary in (testimony_canary.encode(), evidence_canary):
            assert canary not in stored and canary not in log_text
            assert canary not in made.path.read_bytes()  # the bundle itself is ciphertext
        assert b"127.0.0.1" not in log_text and b"bundle-stored" in log_text
    finally:
        worker.lock()
        coordinator.lock()
