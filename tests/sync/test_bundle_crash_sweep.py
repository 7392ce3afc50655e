"""kill -9 swept across a bundle's import (`make stress`; issue 11): a
bundle of several evidence files is imported in a child that is killed at
POINTS moments spread over a clean import's duration, into a fresh copy of
the coordinator's vault each time. Whenever the kill lands (reading,
storing, while the settling thread fsyncs and renames the files,
db/blob_settling.py, or committing), the vault afterwards verifies and
holds all of the bundle or none of it; no temp file stays, a file renamed
before the commit waits in quarantine (never deleted); and the same import
run again completes with every file as it was sent."""

from __future__ import annotations

import functools
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from sync.bundle.vault_io import import_bundle
from tests.crash_helpers import run_child, send
from tests.db.sync_fixtures import assert_received, field_bundle, import_into
from tests.vault_helpers import open_vault

pytestmark = pytest.mark.stress

ORG = "0193f3e0-8a00-7000-8000-00000000c0de"
FILES = 6
POINTS = 24
SLOW_FSYNC = 0.02


def slow_fsyncs() -> None:
    """Each fsync this process asks for from Python (the settling thread's,
    the blob folder's; not SQLite's own) takes SLOW_FSYNC more, as on a slow
    disk: the files' settling spans much of the import, and kills land in it."""
    real = os.fsync

    def slow(fd: Any) -> None:
        time.sleep(SLOW_FSYNC)
        real(fd)

    os.fsync = slow


def child(folder: Path, bundle: Path, fd: int) -> None:
    slow_fsyncs()
    vault = open_vault(folder)
    send(fd, e="open")
    import_bundle(vault, bundle, vault.vault_keys.age_identity(), org_id=ORG)
    send(fd, e="done")
    vault.lock()


def test_kill9_anywhere_in_an_import_leaves_all_or_nothing(tmp_path: Path) -> None:
    made = field_bundle(tmp_path, ORG, FILES, 3 << 20)
    clean = tmp_path / "clean"
    shutil.copytree(made.coordinator, clean)
    vault = open_vault(clean)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", os.fsync)  # restored after the clean run
        slow_fsyncs()
        started = time.monotonic()
        import_bundle(vault, made.bundle, vault.vault_keys.age_identity(), org_id=ORG)
        duration = time.monotonic() - started
    vault.lock()

    outcomes = {"applied": 0, "untouched": 0}
    for point in range(POINTS):
        folder = tmp_path / f"point-{point}"
        shutil.copytree(made.coordinator, folder)
        after = 1.5 * duration * (point + 0.5) / POINTS  # the child is slower to start its clock
        result = run_child(functools.partial(child, folder, made.bundle), kill_after=after)
        done = any(m["e"] == "done" for m in result.messages)
        vault = open_vault(folder)
        try:
            assert vault.verify().ok, (point, after)
            stored = {rev.revision_id for rev in vault.revisions.all()}
            device = vault.sync.device(made.device_id)
            assert device is not None
            applied = made.revisions <= stored and device.last_sequence == 1
            untouched = not made.revisions & stored and device.last_sequence == 0
            assert applied != untouched, (point, after)  # all of it or none of it
            if done:
                assert applied, point
            names = [p.name for p in (folder / "blobs").iterdir()]
            assert not [n for n in names if n.startswith(".tmp-")], (point, names)
            if untouched:
                assert names == [], (point, names)  # a renamed one was moved to quarantine
                assert len(vault.quarantined()) <= FILES + 1, point
            outcomes["applied" if applied else "untouched"] += 1
        finally:
            vault.lock()
        import_into(folder, made.bundle, ORG)  # the re-run completes (or is a replay)
        with open_vault(folder) as vault:
            assert_received(vault, made.sent, tmp_path)
        shutil.rmtree(folder)
    print(f"clean import {duration:.2f} s; {outcomes}")
    # The sweep reached both sides of the commit.
    assert outcomes["untouched"] >= 1, outcomes
