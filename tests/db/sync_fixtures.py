"""Shared by the tests/db/test_sync_*.py files: a field device's vault whose
work a coordinator's vault imports (issue 11)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.device import DeviceIdentity
from db.keyring_store import NoKeyring
from db.sync_state import Device
from db.vault import Vault
from tests.factory import make_case, make_testimony
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


@dataclass
class FieldWork:
    """What a field device recorded: a case, a testimony and one evidence file."""

    vault: Vault
    case_id: str
    evidence_id: str
    sha256: str
    data: bytes

    def revisions(self) -> list[dict[str, str]]:
        return [rev.to_wire() for rev in self.vault.revisions.all()]

    def custody(self) -> list[dict[str, str]]:
        return [event.to_wire() for event in self.vault.sync.custody_since()]

    def as_device(self, status: str = "enrolled") -> Device:
        identity = self.vault.services.context.identity
        return Device(identity.device_id, identity.public_key, "age1example", status)


def record_field_work(folder: Path, tmp_path: Path, size: int = 300_000) -> FieldWork:
    vault = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    case = make_case(vault)
    make_testimony(vault, case.id)
    data = os.urandom(size)
    source = tmp_path / f"photo-{folder.name}.jpg"
    source.write_bytes(data)
    item = vault.evidence.ingest(source, case.id).item
    return FieldWork(vault, case.id, item.id, item.sha256, data)


@pytest.fixture(name="field")
def field_fixture(tmp_path: Path) -> Iterator[FieldWork]:
    work = record_field_work(tmp_path / "field", tmp_path)
    yield work
    work.vault.lock()


def outsider() -> DeviceIdentity:
    return DeviceIdentity.generate()
