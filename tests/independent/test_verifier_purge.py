"""The independent verifier (docs/ alone) and purge after delivery: a file
removed because it was delivered (every holder has a signed ``purge`` event
with its SHA-256, chain-of-custody.md) passes; a file removed by hand
does not."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.independent import vaultcheck
from tests.independent.appdriver import PASSPHRASE, App, built_once, create_vault, new_app

# As sync/client/purge.py hands a receipted bundle to the vault (the receipt
# itself is checked against a real server in tests/sync/client/test_sync_purge.py).
PURGE = """
from db.api import DeliveredBundle, EvidencePurge
vault.sync.record_transfers([(values["item"], values["sha256"])], bundle_id="bundle-1")
done = EvidencePurge.of(vault).purge([DeliveredBundle("bundle-1", 4, "ef" * 32, (values["sha256"],))])
result = done.evidence_ids
"""


FILES = {"delivered.bin": b"\x07" * 50_000, "kept.bin": b"\x09" * 30_000}


def make_vault(folder: Path) -> dict[str, Any]:
    app = new_app(folder)
    created = create_vault(app)  # test-speed Argon2: test_verifier.py checks an init-made vault
    case = app.cli_json("case", "new", "Kharkiv, May 2022")["id"]
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    ingested = app.cli("ingest", *(str(folder / name) for name in FILES), "--case", case)
    items = {row["sha256"]: row["id"] for row in map(json.loads, ingested.splitlines())}
    sha = {name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()}
    purged = app.api(PURGE, item=items[sha["delivered.bin"]], sha256=sha["delivered.bin"])
    assert purged == [items[sha["delivered.bin"]]]
    return {"vault": str(app.vault), "home": str(app.home), "created": created, "items": items, "sha": sha}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """make_vault's vault, built once per test run (appdriver.built_once):
    both tests change only a copy."""
    built = built_once(tmp_path_factory.getbasetemp(), "verifier-purge", make_vault)
    app = App(Path(built["vault"]), Path(built["home"]))
    return built | {"app": app, "keys": vaultcheck.unlock(app.vault, PASSPHRASE)}


def _copy(made: dict[str, Any], tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(made["app"].vault, copy)
    return copy


def _check(made: dict[str, Any], vault: Path) -> vaultcheck.Report:
    return vaultcheck.verify(vault, made["keys"], device_id=made["created"]["device_id"])


def _blob_of(made: dict[str, Any], vault: Path, name: str) -> str:
    connection = vaultcheck.open_database(vault / "vault.db", made["keys"])
    try:
        row = connection.execute(
            "SELECT blob_id FROM blobs WHERE sha256 = ?", (made["sha"][name],)
        ).fetchone()
    finally:
        connection.close()
    assert row is not None
    return str(row[0])


def test_a_delivered_and_purged_file_passes(made: dict[str, Any], tmp_path: Path) -> None:
    vault = _copy(made, tmp_path)
    assert not (vault / "blobs" / _blob_of(made, vault, "delivered.bin")).exists()
    report = _check(made, vault)
    assert report.problems == []
    assert report.counts["blobs"] == 2 and report.counts["purged"] == 1


def test_a_file_removed_by_hand_fails(made: dict[str, Any], tmp_path: Path) -> None:
    vault = _copy(made, tmp_path)
    kept = _blob_of(made, vault, "kept.bin")
    (vault / "blobs" / kept).unlink()
    report = _check(made, vault)
    assert [(p.kind, p.subject) for p in report.problems] == [("blob", kept)]
    assert report.counts["purged"] == 1
