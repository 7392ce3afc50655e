"""Shared by the tests/db/test_sync_*.py files: a field device's vault whose
work a coordinator's vault imports (issue 11)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.device import DeviceIdentity
from db.keyring_store import NoKeyring
from db.sync_state import Device
from db.vault import Vault
from tests.built_once import template
from tests.factory import make_case, make_testimony
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault


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
    """A field device's vault in ``folder`` that recorded a case, a testimony
    and one evidence file of ``size`` random bytes (its source left in
    ``tmp_path``). Inside a test's tmp_path, a copy of a vault recorded once
    per test process (tests/built_once.py: each test its own copy, and no
    two copies of one template in a test; ~0.4 s of CPU to record, for its
    evidence's sandbox child mostly, ~0.05 s to copy and open)."""
    saved = template(
        f"field-work-{folder.name}-{size}", [folder], lambda base: _saved_field_work(base, folder.name, size)
    )
    if saved is None:
        return _record_field_work(folder, tmp_path, size)
    base, made = saved
    shutil.copytree(base / folder.name, folder, dirs_exist_ok=True)
    (tmp_path / f"photo-{folder.name}.jpg").write_bytes(made.data)
    return FieldWork(open_vault(folder), made.case_id, made.evidence_id, made.sha256, made.data)


@dataclass(frozen=True)
class _SavedFieldWork:
    case_id: str
    evidence_id: str
    sha256: str
    data: bytes


def _saved_field_work(base: Path, name: str, size: int) -> _SavedFieldWork:
    work = _record_field_work(base / name, base, size)
    work.vault.lock()
    return _SavedFieldWork(work.case_id, work.evidence_id, work.sha256, work.data)


def _record_field_work(folder: Path, tmp_path: Path, size: int) -> FieldWork:
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


@dataclass(frozen=True)
class FieldBundle:
    """A worker's bundle addressed to a coordinator's vault that knows the
    worker (both vaults closed), and what it carries."""

    coordinator: Path
    bundle: Path
    sent: dict[str, bytes]  # evidence id -> its bytes
    revisions: set[str]  # the worker's revision ids
    device_id: str


def field_bundle(tmp_path: Path, org_id: str, files: int, size: int) -> FieldBundle:
    """A field worker's case, testimony and ``files`` + 1 evidence files of
    about ``size`` random bytes each, in one bundle for a new coordinator."""
    from sync.bundle.vault_io import export_bundle
    from tests.evidence_samples import make_random

    field = record_field_work(tmp_path / "field", tmp_path, size=size)
    worker = field.vault
    sent = {field.evidence_id: field.data}
    for number in range(files):
        source = make_random(tmp_path / f"more-{number}.bin", size + number, seed=number)
        sent[worker.evidence.ingest(source, field.case_id).item.id] = source.read_bytes()
    coordinator = Vault.create(
        tmp_path / "coordinator", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2
    ).vault
    w_id = worker.services.context.identity
    coordinator.sync.put_device(Device(w_id.device_id, w_id.public_key, "age1unused", "enrolled"))
    usb = tmp_path / "usb"
    usb.mkdir()
    bundle = export_bundle(worker, usb, [coordinator.vault_keys.age_recipient()], org_id, 1).path
    revisions = {rev.revision_id for rev in worker.revisions.all()}
    coordinator.lock()
    worker.lock()
    return FieldBundle(tmp_path / "coordinator", bundle, sent, revisions, w_id.device_id)


def assert_received(vault: Vault, sent: dict[str, bytes], tmp_path: Path) -> None:
    """``vault`` verifies and holds every file of ``sent`` as it was sent."""
    assert vault.verify().ok
    for evidence_id, data in sent.items():
        copy = vault.evidence.export(evidence_id, tmp_path / f"out-{evidence_id}.bin")
        assert copy.path.read_bytes() == data, evidence_id
        copy.path.unlink()


def import_into(folder: Path, bundle: Path, org_id: str) -> None:
    """Open the closed vault in ``folder``, import ``bundle`` and lock it."""
    from sync.bundle.vault_io import import_bundle

    vault = open_vault(folder)
    try:
        import_bundle(vault, bundle, vault.vault_keys.age_identity(), org_id=org_id)
    finally:
        vault.lock()
