"""An organisation set up as users set it up (sync/org_vault.py): a
coordinator's vault creates it and issues tokens, field workers enrol with
the profile, its fingerprint and a token, and record work; bundles travel
through a folder standing for a USB stick. Shared by test_bundle_trust and
test_bundle_acks."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from db.api import Vault
from db.keyring_store import NoKeyring
from sync import org_vault
from sync.bundle.vault_io import ExportedBundle, ImportedBundle, export_bundle, import_bundle
from sync.org import SignedProfile
from tests.db.sync_fixtures import FieldWork, record_field_work
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

HOUR_MS = 3_600_000


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class Organisation:
    coordinator: Vault
    signed: SignedProfile
    usb: Path
    tmp_path: Path
    workers: list[FieldWork] = field(default_factory=list)

    @property
    def org_id(self) -> str:
        return self.signed.profile.org_id

    def token(self, *, hours: float = 1, issued_ms: int | None = None) -> str:
        return org_vault.issue_token(self.coordinator, hours=hours, now_ms=issued_ms).text

    def worker(self, name: str, *, token: str | None = None, enrol_ms: int | None = None) -> FieldWork:
        """A field worker's vault with recorded work, enrolled with ``token``."""
        work = record_field_work(self.tmp_path / name, self.tmp_path)
        org_vault.enrol(
            work.vault,
            current_profile(self.coordinator),
            fingerprint_given=self.signed.profile.fingerprint,
            token=token,
            now_ms=enrol_ms,
        )
        self.workers.append(work)
        return work

    def export(self, worker: Vault) -> ExportedBundle:
        """As ``fieldvault bundle export`` does: to the coordinators of the
        profile the worker holds."""
        profile = org_vault.held_profile(worker)
        assert profile is not None
        recipients = [c.age_recipient for c in profile.coordinators]
        return export_bundle(worker, self.usb, recipients, profile.org_id, profile.version)

    def import_(self, path: Path, *, dry_run: bool = False) -> ImportedBundle:
        return import_bundle(
            self.coordinator,
            path,
            self.coordinator.vault_keys.age_identity(),
            org_id=self.org_id,
            dry_run=dry_run,
        )

    def close(self) -> None:
        for work in self.workers:
            work.vault.lock()
        self.coordinator.lock()


def current_profile(coordinator: Vault) -> bytes:
    return org_vault.current_signed(coordinator).signed


def make_organisation(tmp_path: Path) -> Organisation:
    coordinator = Vault.create(
        tmp_path / "coordinator", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2
    ).vault
    signed = org_vault.create_organisation(coordinator, "Kharkiv documentation group", label="Kyiv desk")
    usb = tmp_path / "usb"
    usb.mkdir()
    return Organisation(coordinator, signed, usb, tmp_path)
