"""The BagIt evidence package: a third party checks it with standard tools
(bagit.py, sha256sum) and the documented signature algorithm alone."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from db.api import CancelToken, FieldvaultError, InvalidInput, OperationCancelled
from sync.exports.bag import export_bag
from sync.exports.signing import ManifestInvalid, verify_manifest
from tests.sync.exports.samples import WITNESS_NAME, SampleCase

BAGIT = str(Path(sys.executable).with_name("bagit.py"))


def validate(bag: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, BAGIT, "--validate", str(bag)], capture_output=True, text=True)


def sha256sum(path: Path) -> str:
    out = subprocess.run(["sha256sum", str(path)], capture_output=True, text=True, check=True).stdout
    return out.split()[0]


def test_the_bag_validates_and_holds_every_original_byte_for_byte(sample_case: SampleCase, tmp_path):
    vault = sample_case.vault
    dest = tmp_path / "usb"
    dest.mkdir()
    result = export_bag(vault, sample_case.case_id, dest)
    bag = result.path
    assert bag.parent == dest and bag.name.startswith("fieldvault-case-")
    checked = validate(bag)
    assert checked.returncode == 0, checked.stderr
    assert (bag / "manifest-sha256.txt").is_file() and (bag / "manifest-sha512.txt").is_file()
    originals = {sha256sum(sample_case.photo), sha256sum(sample_case.recording)}
    exported = {sha256sum(p) for p in (bag / "data" / "evidence").rglob("*") if p.is_file()}
    assert exported == originals
    assert {p.name for p in (bag / "data" / "evidence").iterdir()} == set(sample_case.item_ids)
    # The other case's item is not in this case's bag, nor in its custody files.
    assert sample_case.other_item_id not in (bag / "data" / "case.json").read_text()
    for custody in (bag / "data" / "custody").iterdir():
        assert sample_case.other_item_id not in custody.read_text()
    # No partial folder is left beside it.
    assert [p.name for p in dest.iterdir()] == [bag.name]


def test_every_item_export_is_a_custody_event_in_the_bag(sample_case: SampleCase, tmp_path):
    vault = sample_case.vault
    result = export_bag(vault, sample_case.case_id, tmp_path / "bag")
    for item_id in sample_case.item_ids:
        actions = [e.action for e in vault.evidence.custody(item_id)]
        assert actions == ["intake", "export"]
        events = json.loads((result.path / "data" / "custody" / f"{item_id}.json").read_text())
        bodies = [json.loads(base64.b64decode(e["signed"])) for e in events]
        assert [b["action"] for b in bodies] == ["intake", "export"]
        assert all(b["evidence"] == item_id for b in bodies)
    assert [e.action for e in vault.evidence.custody(sample_case.other_item_id)] == ["intake"]


VERIFY_SCRIPT = """
import base64, hashlib, json, sys
from pathlib import Path
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

bag, expected_device = Path(sys.argv[1]), sys.argv[2]
signed = (bag / "data" / "export-manifest.json").read_bytes()
signature = base64.b64decode((bag / "data" / "export-manifest.sig").read_bytes())
manifest = json.loads(signed)
key = base64.b64decode(manifest["key"])
assert json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() == signed
assert hashlib.sha256(key).digest()[:16].hex() == manifest["device"] == expected_device
Ed25519PublicKey.from_public_bytes(key).verify(signature, b"fieldvault-export-v1\\x00" + signed)
for entry in manifest["files"]:
    data = (bag / entry["path"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"], entry["path"]
print("OK", len(manifest["files"]))
"""


def test_the_signature_verifies_with_cryptography_and_the_doc_alone(sample_case: SampleCase, tmp_path):
    vault = sample_case.vault
    result = export_bag(vault, sample_case.case_id, tmp_path / "bag", strip_metadata=True)
    script = tmp_path / "check_export.py"
    script.write_text(VERIFY_SCRIPT)
    checked = subprocess.run(
        [sys.executable, str(script), str(result.path), vault.device_id], capture_output=True, text=True
    )
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stderr
    manifest = json.loads((result.path / "data" / "export-manifest.json").read_bytes())
    assert {e["sha256"] for e in manifest["evidence"]} == {
        vault.evidence.get(i).sha256 for i in sample_case.item_ids
    }
    # The same check with another device id expected fails: the id is part of the check.
    other = subprocess.run(
        [sys.executable, str(script), str(result.path), "0" * 32], capture_output=True, text=True
    )
    assert other.returncode != 0


def test_a_flipped_byte_fails_validation_and_a_changed_manifest_fails_the_signature(
    sample_case: SampleCase, tmp_path
):
    result = export_bag(sample_case.vault, sample_case.case_id, tmp_path / "bag")
    original = next(p for p in (result.path / "data" / "evidence").rglob("*.jpg"))
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01
    original.write_bytes(bytes(data))
    checked = validate(result.path)
    assert checked.returncode != 0
    assert "checksum" in checked.stderr.lower() or "invalid" in checked.stderr.lower()
    signed = (result.path / "data" / "export-manifest.json").read_bytes()
    signature = base64.b64decode((result.path / "data" / "export-manifest.sig").read_bytes())
    verify_manifest(signed, signature)
    tampered = signed.replace(b'"kind":"bagit"', b'"kind":"bagix"')
    with pytest.raises(ManifestInvalid):
        verify_manifest(tampered, signature)


def test_stripped_copies_hold_no_gps_while_the_originals_keep_theirs(sample_case: SampleCase, tmp_path):
    from PIL import Image

    result = export_bag(sample_case.vault, sample_case.case_id, tmp_path / "bag", strip_metadata=True)
    assert result.stripped == 1  # the photo; the recording is not an image
    copies = list((result.path / "data" / "stripped").rglob("*"))
    copy = next(p for p in copies if p.is_file())
    assert copy.suffix == ".png"
    with Image.open(copy) as picture:
        assert not picture.getexif() and "exif" not in picture.info and picture.size == (64, 48)
    assert b"Canon" not in copy.read_bytes()
    original = next(p for p in (result.path / "data" / "evidence").rglob("*.jpg"))
    assert sha256sum(original) == sha256sum(sample_case.photo)
    with Image.open(original) as picture:
        assert picture.getexif().get_ifd(0x8825)  # GPS is still in the original
    assert validate(result.path).returncode == 0


def test_pseudonymised_bag_names_no_witness(sample_case: SampleCase, tmp_path):
    result = export_bag(sample_case.vault, sample_case.case_id, tmp_path / "bag", pseudonymise_witnesses=True)
    text = "".join(p.read_text(errors="replace") for p in (result.path / "data").rglob("*.json"))
    assert WITNESS_NAME not in text and "+380" not in text
    assert "W-1" in text


def test_a_cancel_leaves_nothing_and_records_what_was_exported_before(sample_case: SampleCase, tmp_path):
    dest = tmp_path / "usb"
    dest.mkdir()
    cancel = CancelToken()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done > 1000:
            cancel.cancel()

    with pytest.raises(OperationCancelled):
        export_bag(sample_case.vault, sample_case.case_id, dest, progress=progress, cancel=cancel)
    assert list(dest.iterdir()) == []


def test_an_existing_target_is_never_replaced(sample_case: SampleCase, tmp_path):
    target = tmp_path / "bag"
    target.mkdir()
    (target / "mine.txt").write_text("the user's")
    result = export_bag(sample_case.vault, sample_case.case_id, target)  # a folder: the bag goes inside
    assert result.path.parent == target and (target / "mine.txt").read_text() == "the user's"
    existing = tmp_path / "notes.txt"
    existing.write_text("the user's file")
    with pytest.raises(InvalidInput) as refused:
        export_bag(sample_case.vault, sample_case.case_id, existing)
    assert refused.value.code == "export-target-exists"
    assert existing.read_text() == "the user's file"
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InvalidInput) as refused:
        export_bag(sample_case.vault, sample_case.case_id, tmp_path / "link")
    assert refused.value.code == "export-target-symlink"


def test_a_damaged_item_stops_the_bag_and_removes_the_plaintext_already_written(
    sample_case: SampleCase, tmp_path
):
    """The recording's stored copy is damaged: the photo, exported first, was
    already decrypted into the partial bag; the failure removes it all."""
    vault = sample_case.vault
    blobs = sorted((vault.folder / "blobs").rglob("*"), key=lambda p: p.stat().st_size if p.is_file() else 0)
    largest = blobs[-1]  # the 300 kB recording
    data = bytearray(largest.read_bytes())
    data[len(data) // 2] ^= 0x40
    largest.write_bytes(bytes(data))
    dest = tmp_path / "usb"
    dest.mkdir()
    with pytest.raises(FieldvaultError):
        export_bag(vault, sample_case.case_id, dest)
    assert list(dest.iterdir()) == []
    photo, recording = sample_case.item_ids
    # What was decrypted is on record, even though the package was removed.
    assert [e.action for e in vault.evidence.custody(photo)] == ["intake", "export"]
    assert [e.action for e in vault.evidence.custody(recording)] == ["intake"]
