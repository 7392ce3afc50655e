"""Every export is a custody event, and a crash's partial export does not
outlive the next unlock unseen (docs/exports.md "Custody" and "Crashes";
db/partial_exports.py).

- A PDF report, a JSON and both CSV forms record one ``export-metadata``
  event per evidence item they carry, and none for an item consent withheld;
  the chain still verifies.
- A bag export killed with SIGKILL leaves a partial folder with plaintext;
  the next unlock removes exactly that folder and says so (``fieldvault
  info`` prints it), and leaves alone anything else: a look-alike folder
  beside it, another folder put at its very path, a symlink there.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from db.api import Vault
from sync.exports.run import ExportFormat, ExportRequest, run_export
from tests.cli_helpers import Cli
from tests.sync.exports.crash_export import add_big_items, files_holding, kill_during_bag_export
from tests.sync.exports.samples import SampleCase
from tests.vault_helpers import PASSPHRASE, open_vault


def metadata_events(vault: Vault, item_id: str) -> list[dict[str, object]]:
    return [e.details for e in vault.evidence.custody(item_id) if e.action == "export-metadata"]


def test_pdf_json_and_csv_exports_are_custody_events_of_each_item_they_carry(
    sample_case: SampleCase, tmp_path: Path
) -> None:
    vault = sample_case.vault
    dest = tmp_path / "usb"
    dest.mkdir()
    formats: tuple[ExportFormat, ...] = ("pdf", "json", "csv", "uwazi-csv")
    outcomes = {f: run_export(vault, ExportRequest(f, sample_case.case_id, dest)) for f in formats}
    for item_id in sample_case.item_ids:
        details = metadata_events(vault, item_id)
        assert [d["format"] for d in details] == ["pdf-report", "json", "csv", "uwazi-csv"]
        assert [d["file_name"] for d in details] == [outcomes[f].path.name for f in formats]
        assert {d["purpose"] for d in details} == {"ngo-internal"}
    # The other case's item was in no export.
    assert metadata_events(vault, sample_case.other_item_id) == []
    # The events are signed links of the one chain: it verifies.
    report = vault.verify()
    assert report.ok, report.problems


def test_an_item_consent_withheld_gets_no_event(sample_case: SampleCase, tmp_path: Path) -> None:
    vault = sample_case.vault
    # The sample witness consented to the NGO internally and prosecution, not
    # to documentation only: the testimony, its witness and its evidence stay out.
    outcome = run_export(
        vault, ExportRequest("json", sample_case.case_id, tmp_path, purpose="documentation-only")
    )
    exported = {e["id"] for e in json.loads(outcome.path.read_text(encoding="utf-8"))["evidence"]}
    withheld = {w["id"] for w in outcome.withheld if w["type"] == "evidence"}
    assert outcome.withheld and {w["type"] for w in outcome.withheld} >= {"testimony"}
    for item_id in sample_case.item_ids:
        assert bool(metadata_events(vault, item_id)) == (item_id in exported)
        assert item_id in exported or item_id in withheld


def test_a_cancelled_export_records_no_event_and_leaves_nothing(
    sample_case: SampleCase, tmp_path: Path
) -> None:
    from db.api import CancelToken, OperationCancelled

    cancel = CancelToken()
    cancel.cancel()
    vault = sample_case.vault
    export_format: ExportFormat
    for export_format in ("pdf", "json", "csv"):
        try:
            run_export(vault, ExportRequest(export_format, sample_case.case_id, tmp_path), cancel=cancel)
        except OperationCancelled:
            pass
        else:
            raise AssertionError(f"{export_format}: not cancelled")
    assert all(metadata_events(vault, item_id) == [] for item_id in sample_case.item_ids)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert vault.exports_in_progress.pending() == []


def test_a_finished_export_leaves_no_record(sample_case: SampleCase, tmp_path: Path) -> None:
    run_export(sample_case.vault, ExportRequest("bagit", sample_case.case_id, tmp_path))
    assert sample_case.vault.exports_in_progress.pending() == []


def crashed_bag(sample_case: SampleCase, vault_dir: Path, tmp_path: Path) -> tuple[Path, Path, list[bytes]]:
    """The sample case with two big items, exported as a bag by a child
    killed half-way; the vault is locked. Returns (dest, partial, item heads)."""
    heads = add_big_items(sample_case.vault, sample_case.case_id, tmp_path / "big")
    sample_case.vault.lock()
    dest = tmp_path / "usb"
    dest.mkdir()
    partial = kill_during_bag_export(vault_dir, sample_case.case_id, dest)
    return dest, partial, heads


def test_the_unlock_after_a_kill_removes_our_partial_folder_and_says_so(
    sample_case: SampleCase, vault_dir: Path, tmp_path: Path
) -> None:
    dest, partial, heads = crashed_bag(sample_case, vault_dir, tmp_path)
    # The crash left plaintext: the first big item, whole, in the partial bag.
    assert files_holding(partial, heads[0])
    # Beside it, something of the user's with a partial-looking name, and a file.
    look_alike = dest / ".my-notes.partial-0123456789abcdef"
    look_alike.mkdir()
    (look_alike / "notes.txt").write_text("mine", encoding="utf-8")
    (dest / "report.txt").write_text("mine too", encoding="utf-8")

    with open_vault(vault_dir) as vault:
        found = vault.interrupted_exports
        assert [(f.path, f.outcome) for f in found] == [(partial, "removed")]
        assert vault.exports_in_progress.pending() == []
    assert not partial.exists()
    assert sorted(p.name for p in dest.iterdir()) == [look_alike.name, "report.txt"]
    assert (look_alike / "notes.txt").read_text(encoding="utf-8") == "mine"
    # Said once: the next unlock has nothing to tell.
    with open_vault(vault_dir) as vault:
        assert vault.interrupted_exports == []


def test_what_is_not_our_partial_folder_is_left_alone_and_named(
    sample_case: SampleCase, vault_dir: Path, tmp_path: Path
) -> None:
    _dest, partial, _heads = crashed_bag(sample_case, vault_dir, tmp_path)
    # Someone moved our folder away and put another one at its very path.
    # (Moved, not deleted: a folder made in a deleted one's place may get its
    # inode number back, which no check can tell apart; db/partial_exports.py.)
    moved = tmp_path / "moved"
    partial.rename(moved)
    partial.mkdir()
    (partial / "theirs.txt").write_text("not ours", encoding="utf-8")
    with open_vault(vault_dir) as vault:
        assert [(f.path, f.outcome) for f in vault.interrupted_exports] == [(partial, "left-alone")]
    assert [p.name for p in partial.iterdir()] == ["theirs.txt"]
    assert (moved / "data").is_dir()  # and nothing was followed to where ours went


def test_a_symlink_at_the_recorded_path_is_never_followed(
    sample_case: SampleCase, vault_dir: Path, tmp_path: Path
) -> None:
    _dest, partial, _heads = crashed_bag(sample_case, vault_dir, tmp_path)
    shutil.rmtree(partial)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep", encoding="utf-8")
    os.symlink(precious, partial)
    with open_vault(vault_dir) as vault:
        assert [(f.path, f.outcome) for f in vault.interrupted_exports] == [(partial, "left-alone")]
    assert partial.is_symlink() and (precious / "keep.txt").read_text(encoding="utf-8") == "keep"


def test_a_partial_folder_on_a_missing_drive_is_looked_for_again(
    sample_case: SampleCase, vault_dir: Path, tmp_path: Path
) -> None:
    dest, partial, _heads = crashed_bag(sample_case, vault_dir, tmp_path)
    unplugged = tmp_path / "usb-unplugged"
    dest.rename(unplugged)  # the stick is not attached
    with open_vault(vault_dir) as vault:
        assert [(f.path, f.outcome) for f in vault.interrupted_exports] == [(partial, "unreachable")]
    unplugged.rename(dest)  # plugged in again
    with open_vault(vault_dir) as vault:
        assert [(f.path, f.outcome) for f in vault.interrupted_exports] == [(partial, "removed")]
    assert not partial.exists()


def test_the_cli_says_what_the_unlock_removed(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASSPHRASE)
    case = cli.json("case", "new", "Справа", secrets=[PASSPHRASE])["id"]
    with open_vault(cli.vault) as vault:
        add_big_items(vault, case, tmp_path / "big")
    dest = tmp_path / "usb"
    dest.mkdir()
    partial = kill_during_bag_export(cli.vault, case, dest)
    info = cli.run("info", secrets=[PASSPHRASE])
    assert info.returncode == 0
    assert f"its unfinished copy {partial} held plaintext and was removed" in info.stderr
    assert not partial.exists()
    verify = cli.run("verify", secrets=[PASSPHRASE], check=False)
    assert "interrupted" not in verify.stderr  # told once, at the unlock that removed it
