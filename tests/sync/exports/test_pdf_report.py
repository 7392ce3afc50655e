"""The PDF case report: Cyrillic intact (pdftotext), pages that render
(pdftoppm, saved as screenshots for the docs), page numbers, and a
signature a third party checks from the attachments alone."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import shutil
import subprocess
import sys

import pytest

from sync.exports.errors import ExportFailed
from sync.exports.report import FONT_ENV, export_pdf
from tests.screenshots import SCREENSHOTS
from tests.sync.exports.samples import CASE_TITLE, NARRATIVE, WITNESS_NAME, SampleCase


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def squeeze(text: str) -> str:
    return " ".join(text.split())


def test_the_report_holds_the_ukrainian_text_and_numbers_its_pages(sample_case: SampleCase, tmp_path):
    result = export_pdf(sample_case.vault, sample_case.case_id, tmp_path / "report.pdf")
    assert result.path == tmp_path / "report.pdf"
    assert result.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    text = squeeze(pdf_text(result.path))
    for words in (CASE_TITLE, NARRATIVE, WITNESS_NAME, "Затримання біля школи", "Умисне вбивство"):
        assert words in text, words
    for item_id in sample_case.item_ids:
        assert sample_case.vault.evidence.get(item_id).sha256 in text.replace(" ", "")
    assert f"Page 1 of {result.pages}" in text and f"Page {result.pages} of {result.pages}" in text
    assert "intake ×1" in text
    assert result.manifest_sha256 in text.replace(" ", "")  # a long hash may wrap


def test_the_pages_render_and_are_kept_as_screenshots(sample_case: SampleCase, tmp_path):
    result = export_pdf(sample_case.vault, sample_case.case_id, tmp_path / "report.pdf")
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(result.path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == result.pages >= 2
    assert all(p.stat().st_size > 5000 for p in pages)  # drawn, not blank
    shutil.copy(pages[0], SCREENSHOTS / "export-report-first-page.png")
    shutil.copy(pages[-1], SCREENSHOTS / "export-report-signature-page.png")


def test_pseudonymised_report_names_no_witness(sample_case: SampleCase, tmp_path):
    result = export_pdf(sample_case.vault, sample_case.case_id, tmp_path, pseudonymise_witnesses=True)
    text = squeeze(pdf_text(result.path))
    assert WITNESS_NAME not in text and "+380" not in text
    assert "W-1" in text and "Іван Коваль" in text  # the victim stays named
    assert WITNESS_NAME.encode("utf-16-be") not in result.path.read_bytes()


CHECK = """
import base64, hashlib, json, sys
from pathlib import Path
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

folder, expected_device = Path(sys.argv[1]), sys.argv[2]
signed = (folder / "export-manifest.json").read_bytes()
signature = base64.b64decode((folder / "export-manifest.sig").read_bytes())
manifest = json.loads(signed)
key = base64.b64decode(manifest["key"])
assert json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() == signed
assert hashlib.sha256(key).digest()[:16].hex() == manifest["device"] == expected_device
Ed25519PublicKey.from_public_bytes(key).verify(signature, b"fieldvault-export-v1\\x00" + signed)
assert hashlib.sha256((folder / "content.json").read_bytes()).hexdigest() == manifest["content_sha256"]
print("OK", hashlib.sha256(signed).hexdigest())
"""


def test_the_signature_verifies_from_the_attachments_alone(sample_case: SampleCase, tmp_path):
    vault = sample_case.vault
    result = export_pdf(vault, sample_case.case_id, tmp_path / "report.pdf")
    out = tmp_path / "attached"
    out.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(out), str(result.path)], check=True)
    script = tmp_path / "check.py"
    script.write_text(CHECK)
    checked = subprocess.run(
        [sys.executable, str(script), str(out), vault.device_id], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.split() == ["OK", result.manifest_sha256]
    content = json.loads((out / "content.json").read_bytes())
    assert content["testimonies"][0]["narrative"] == NARRATIVE
    # A changed content.json no longer matches the signed manifest.
    (out / "content.json").write_bytes(
        (out / "content.json").read_bytes().replace("Свідок".encode(), "Свідки".encode())
    )
    assert (
        subprocess.run(
            [sys.executable, str(script), str(out), vault.device_id], capture_output=True
        ).returncode
        != 0
    )
    signature = base64.b64decode((out / "export-manifest.sig").read_bytes())
    assert base64.b64encode(signature).decode() in squeeze(pdf_text(result.path)).replace(" ", "")


def test_no_font_with_cyrillic_is_a_clear_refusal_and_writes_nothing(sample_case, tmp_path, monkeypatch):
    monkeypatch.setenv(FONT_ENV, str(tmp_path / "missing.ttf"))
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(ExportFailed) as refused:
        export_pdf(sample_case.vault, sample_case.case_id, dest)
    assert refused.value.code == "export-font-missing"
    assert list(dest.iterdir()) == []


def test_characters_the_font_lacks_are_not_printed_or_logged(sample_case, tmp_path, capfd, caplog):
    """fpdf2 names the glyphs a font lacks in a warning: for a narrative in
    Chinese that would print witness text to stderr."""
    from db.api import Testimony

    vault = sample_case.vault
    vault.testimonies.create(
        Testimony(case_id=sample_case.case_id, title="Свідчення 2", narrative="证人看见了囚犯")
    )
    caplog.set_level(logging.DEBUG)
    result = export_pdf(vault, sample_case.case_id, tmp_path / "report.pdf")
    out, err = capfd.readouterr()
    assert "证" not in out + err and "\\u8bc1" not in out + err
    assert not [r for r in caplog.records if "证" in r.getMessage() or "8bc1" in r.getMessage()]
    assert result.pages >= 2
