"""Intake, a bundle's import and a recording on a system without
``os.fdatasync`` and ``os.fchmod`` (Windows has neither; macOS lacks
fdatasync): they were called unguarded, and the AttributeError left the
operation half done with its temp file open (review 31). Now the data is
flushed with fsync there and the mode left to the vault folder's ACL."""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import pytest

from db.api import Case, Device, Vault
from db.keyring_store import NoKeyring
from sync.bundle.vault_io import export_bundle, import_bundle
from tests.db.sync_fixtures import record_field_work
from tests.evidence_samples import make_random
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

ORG = "0193f3e0-8a00-7000-8000-00000000c0de"


@pytest.fixture
def no_posix_file_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fdatasync")
    monkeypatch.delattr(os, "fchmod")


def test_intake_and_import_work_without_fdatasync_and_fchmod(
    tmp_path: Path, no_posix_file_calls: None
) -> None:
    field = record_field_work(tmp_path / "field", tmp_path, size=300_000)
    worker = field.vault
    # More than intake's flush interval, so that its background flush runs.
    big = make_random(tmp_path / "video.bin", 70 << 20, seed=7)
    item = worker.evidence.ingest(big, field.case_id).item
    coordinator = Vault.create(
        tmp_path / "coordinator", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2
    ).vault
    w_id = worker.services.context.identity
    coordinator.sync.put_device(Device(w_id.device_id, w_id.public_key, "age1unused", "enrolled"))
    (tmp_path / "usb").mkdir()
    bundle = export_bundle(worker, tmp_path / "usb", [coordinator.vault_keys.age_recipient()], ORG, 1).path
    import_bundle(coordinator, bundle, coordinator.vault_keys.age_identity(), org_id=ORG)
    assert coordinator.verify().ok
    copy = coordinator.evidence.export(item.id, tmp_path / "copy.bin")
    assert copy.path.read_bytes() == big.read_bytes()
    coordinator.lock()
    worker.lock()


def test_a_recording_works_without_fdatasync(tmp_path: Path, no_posix_file_calls: None) -> None:
    vault = Vault.create(tmp_path / "vault", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    case = vault.cases.create(Case(title="case"))
    recording = vault.start_recording(case.id)
    rate, chunk = 48_000, 48_000 // 50  # 20 ms of mono 16-bit PCM a push, as a device gives it
    pcm = bytes(
        b
        for i in range(2 * rate)
        for b in int(8000 * math.sin(2 * math.pi * 440 * i / rate)).to_bytes(2, "little", signed=True)
    )
    for offset in range(0, len(pcm), chunk * 2):  # 2 s: several sealed segments, each flushed
        recording.push(pcm[offset : offset + chunk * 2])
    item = recording.stop().item
    with vault.evidence.open(item.id) as reader:
        assert hashlib.sha256(reader.read()).hexdigest() == item.sha256
    assert vault.verify().ok
    vault.lock()
