"""A disk that fails while a bundle's evidence files are made durable (issue
11; db/blob_settling.py): the files' fsyncs and renames run beside the
import, and the import commits only after them. Every fsync, then every
rename, of an import is made to fail in turn (libfault, tests/faults). Each
import either completes, every file reading back as sent, or fails with a
storage error that names the disk's error and leaves nothing: no revision,
no blob row, no file in the blob store, no quarantine; and the same bundle
then imports in full."""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

from sync.bundle.vault_io import import_bundle
from tests.db.sync_fixtures import assert_received, field_bundle
from tests.faults import run_with_faults
from tests.vault_helpers import open_vault

ORG = "0193f3e0-8a00-7000-8000-00000000c0de"
FILES = 3

CHILD = r"""
import errno, json, shutil, sys
from pathlib import Path
from tests.faults import arm
from tests.vault_helpers import open_vault
from db.errors import FieldvaultError
from sync.bundle.vault_io import import_bundle

template, bundle, work, org = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
call_class, nths = sys.argv[5], json.loads(sys.argv[6])
# One interpreter for every point; each imports into its own copy of the
# coordinator's closed vault.
for nth in nths:
    folder = work / f"{call_class}-{nth}"
    shutil.copytree(template, folder)
    vault = open_vault(folder)
    identity = vault.vault_keys.age_identity()
    arm.arm(call_class, nth, errno.EIO)
    try:
        import_bundle(vault, bundle, identity, org_id=org)
        outcome = {"ok": True}
    except FieldvaultError as err:
        outcome = {"ok": False, "code": err.code, "params": err.params}
    arm.disarm()
    outcome["calls"] = arm.count(call_class)
    # What the import left, before the unlock's clean-up of temp files could hide it.
    outcome["left"] = sorted(p.name for p in (folder / "blobs").iterdir())
    vault.lock()
    print(json.dumps({"nth": nth, **outcome}), flush=True)
"""


def run_imports(
    fault_lib: Path, template: Path, bundle: Path, work: Path, call_class: str, nths: list[int]
) -> list[dict[str, object]]:
    work.mkdir(exist_ok=True)
    args = [str(template), str(bundle), str(work), ORG, call_class, json.dumps(nths)]
    done = run_with_faults(fault_lib, CHILD, args)
    assert done.returncode == 0, done.stderr[-2000:]
    outcomes = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [o["nth"] for o in outcomes] == nths, done.stderr[-2000:]
    return outcomes


def test_a_disk_failing_as_the_evidence_files_settle_leaves_all_or_nothing(
    fault_lib: Path, tmp_path: Path
) -> None:
    made = field_bundle(tmp_path, ORG, FILES, 400_000)
    template, bundle, sent, theirs = made.coordinator, made.bundle, made.sent, made.revisions
    work = tmp_path / "points"
    failed: dict[str, int] = {}
    for call_class in ("fsync", "rename"):
        (counted,) = run_imports(fault_lib, template, bundle, work, call_class, [0])
        assert counted["ok"] is True
        total = int(str(counted["calls"]))
        # Each evidence file is fsynced and renamed at least once.
        assert total >= FILES + 1, (call_class, total)
        failed[call_class] = 0
        nths = list(range(1, total + 1))
        for nth, outcome in zip(
            nths, run_imports(fault_lib, template, bundle, work, call_class, nths), strict=True
        ):
            with open_vault(work / f"{call_class}-{nth}") as vault:
                stored = {rev.revision_id for rev in vault.revisions.all()}
                if outcome["ok"]:
                    # A failure the import may pass over (the blob folder's
                    # own fsync, which not every file system has): all is in.
                    assert theirs <= stored, (call_class, nth)
                    assert_received(vault, sent, tmp_path)
                    continue
                failed[call_class] += 1
                assert outcome["code"] == "storage-failed", (call_class, nth, outcome)
                assert outcome["params"] == {"errno": errno.EIO}, (call_class, nth, outcome)
                assert outcome["left"] == [], (call_class, nth, outcome)
                assert not theirs & stored, (call_class, nth)
                assert vault.evidence.count() == 0, (call_class, nth)
                assert vault.verify().ok, (call_class, nth)
                # Nothing of the failed import stays: no file, not even in quarantine.
                assert list((vault.folder / "blobs").iterdir()) == [], (call_class, nth)
                assert vault.quarantined() == [], (call_class, nth)
                # And the same bundle imports in full afterwards.
                import_bundle(vault, bundle, vault.vault_keys.age_identity(), org_id=ORG)
                assert theirs <= {rev.revision_id for rev in vault.revisions.all()}
                assert_received(vault, sent, tmp_path)
            shutil.rmtree(work / f"{call_class}-{nth}")
    # Every evidence file's fsync and rename failed in some point.
    assert failed["fsync"] >= FILES + 1, failed
    assert failed["rename"] >= FILES + 1, failed
