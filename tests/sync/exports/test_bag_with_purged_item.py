"""A BagIt package of a case one of whose items was delivered and purged
from this laptop (review 6, F2; docs/exports.md, "BagIt"): the bag is made
of the rest, validates, and names the purged item withheld, with its
SHA-256 of intake, in its manifest entry, its metadata and bag-info.txt;
the CLI says so on stderr. Before, the whole export failed with
``evidence-purged`` and a field worker under the purge policy could bag no
case with a delivered item."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

from db.api import DeliveredBundle, EvidencePurge, Vault
from sync.exports.run import ExportRequest, run_export
from tests.cli_helpers import Cli
from tests.sync.exports.samples import SampleCase
from tests.vault_helpers import PASSPHRASE, open_vault

BAGIT = str(Path(sys.executable).with_name("bagit.py"))
PURGED_WORDS = "delivered to the organisation's server and purged from this laptop"


def _deliver_and_purge(vault: Vault, evidence_id: str) -> str:
    sha256 = vault.evidence.get(evidence_id).sha256
    vault.sync.record_transfers([(evidence_id, sha256)], bundle_id="bundle-1")
    done = EvidencePurge.of(vault).purge([DeliveredBundle("bundle-1", 7, "ab" * 32, (sha256,))])
    assert done.evidence_ids == [evidence_id]
    return sha256


def test_a_bag_leaves_out_the_purged_file_and_names_it_withheld(
    sample_case: SampleCase, tmp_path: Path
) -> None:
    vault = sample_case.vault
    purged_id, kept_id = sample_case.item_ids
    sha256 = _deliver_and_purge(vault, purged_id)
    out = tmp_path / "usb"
    out.mkdir()

    outcome = run_export(vault, ExportRequest("bagit", sample_case.case_id, out))

    bag = outcome.path
    assert outcome.extra["purged"] == [purged_id] and outcome.extra["items"] == 2
    checked = subprocess.run([sys.executable, BAGIT, "--validate", str(bag)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert [p.name for p in (bag / "data" / "evidence").iterdir()] == [kept_id]
    manifest = json.loads((bag / "data" / "export-manifest.json").read_bytes())
    entry = next(e for e in manifest["evidence"] if e["id"] == purged_id)
    assert entry == {
        "id": purged_id,
        "sha256": sha256,
        "size": vault.evidence.get(purged_id).size,
        "path": None,
        "stripped": None,
        "withheld": "delivered-and-purged",
    }
    metadata = json.loads((bag / "data" / "metadata" / f"{purged_id}.json").read_text())
    assert metadata["file"] is None and metadata["withheld"] == PURGED_WORDS and metadata["sha256"] == sha256
    info = (bag / "bag-info.txt").read_text(encoding="utf-8")
    assert f"Fieldvault-Files-Withheld: 1 evidence file(s) {PURGED_WORDS}" in info and purged_id in info
    # Its record went out: an export-metadata event, also in the bag's custody file.
    actions = [e.action for e in vault.evidence.custody(purged_id)]
    assert actions == ["intake", "transfer", "purge", "export-metadata"]
    assert vault.evidence.custody(purged_id)[-1].details == {
        "format": "bagit",
        "file_name": bag.name,
        "purpose": "ngo-internal",
    }
    events = json.loads((bag / "data" / "custody" / f"{purged_id}.json").read_text())
    assert [json.loads(base64.b64decode(e["signed"]))["action"] for e in events] == actions
    assert [e.action for e in vault.evidence.custody(kept_id)] == ["intake", "export"]
    assert vault.verify().ok


def test_the_cli_says_which_files_are_not_in_the_package(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASSPHRASE)
    case = cli.json("case", "new", "Справа", secrets=[PASSPHRASE])["id"]
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(5000))
    with open_vault(cli.vault) as vault:
        item_id = vault.evidence.ingest(tmp_path / "photo.jpg", case).item.id
        _deliver_and_purge(vault, item_id)
    dest = tmp_path / "usb"
    dest.mkdir()
    result = cli.run("--json", "export", "bagit", "--case", case, str(dest), secrets=[PASSPHRASE])
    assert json.loads(result.stdout)["purged"] == [item_id]
    assert f"Not in the package: 1 evidence file(s) {PURGED_WORDS} ({item_id})" in result.stderr
