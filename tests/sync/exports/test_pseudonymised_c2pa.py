"""A pseudonymised or public-anonymised export names no one through a
photo's Content Credentials (review 6, F3; docs/exports.md, "Witnesses by
pseudonym"): the C2PA author, the signing certificate's subject and the GPS
position a file claims are withheld from every record the export writes
(``claimed``, in JSON, CSV, the PDF's content.json, the bag's case.json and
metadata) and the bag's custody file gives the intake event that carries
them by its hash alone. The original file in a bag is the evidence itself,
unchanged: its own manifest still says them (the stripped copy does not).
Before, they went out unchanged in every format.

The photo is signed here as tests/db/test_c2pa_intake.py signs it: a test
CA, a leaf certificate, an author and GPS in the manifest."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest

from db.api import Vault
from sync.exports.run import ExportFormat, ExportRequest, run_export
from tests.db.test_c2pa_intake import AUTHOR, LATITUDE, SIGNER_NAME, signed_jpeg, signer_material  # noqa: F401
from tests.factory import make_case

WITHHELD = "withheld: pseudonymised export"
FORMATS: tuple[ExportFormat, ...] = ("json", "csv", "pdf", "bagit")


def _texts(path: Path, tmp_path: Path) -> dict[str, str]:
    """Every file an export wrote, as text (a PDF: its attachments, as
    ``pdfdetach`` takes them out), but a bag's original evidence files."""
    if path.suffix == ".pdf":
        out = tmp_path / f"attached-{path.stem}"
        out.mkdir()
        subprocess.run(["pdfdetach", "-saveall", "-o", str(out), str(path)], check=True)
        path = out
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return {
        str(p): p.read_bytes().decode("utf-8", "replace")
        for p in files
        if "evidence" not in p.relative_to(path).parts[:2] or p.suffix == ".json"
    }


@pytest.fixture
def photo_case(vault: Vault, tmp_path: Path, signer_material: tuple[bytes, bytes]) -> tuple[str, str]:  # noqa: F811
    case_id = make_case(vault).id
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(signed_jpeg(signer_material))
    item = vault.evidence.ingest(photo, case_id).item
    assert item.claimed["c2pa_author"] == AUTHOR  # the control: the file does claim them
    return case_id, item.id


@pytest.mark.parametrize(("purpose", "pseudonymise"), [("ngo-internal", True), ("public-anonymised", False)])
def test_no_export_for_anonymity_carries_the_files_author_signer_or_gps(
    vault: Vault, tmp_path: Path, photo_case: tuple[str, str], purpose: str, pseudonymise: bool
) -> None:
    case_id, item_id = photo_case
    for export_format in FORMATS:
        out = tmp_path / f"{purpose}-{export_format}"
        out.mkdir()
        request = ExportRequest(
            export_format, case_id, out, purpose=purpose, pseudonymise=pseudonymise, strip_metadata=True
        )
        outcome = run_export(vault, request)
        texts = _texts(outcome.path, tmp_path)
        assert texts
        for name, text in texts.items():
            for secret in (AUTHOR, SIGNER_NAME, LATITUDE):
                assert secret not in text, (export_format, name, secret)
        assert any(WITHHELD in text for text in texts.values()), export_format  # said, not silently dropped
    bag = next((tmp_path / f"{purpose}-bagit").iterdir())
    metadata = json.loads((bag / "data" / "metadata" / f"{item_id}.json").read_text(encoding="utf-8"))
    assert {metadata["claimed"][k] for k in ("c2pa_author", "c2pa_signer", "c2pa_location")} == {WITHHELD}
    assert metadata["claimed"]["c2pa_state"] == "valid"  # the verdict stays
    (intake, *later) = json.loads((bag / "data" / "custody" / f"{item_id}.json").read_text(encoding="utf-8"))
    assert set(intake) == {"hash", "withheld"} and later  # by its hash; the export event whole
    assert json.loads(base64.b64decode(later[-1]["signed"]))["action"] == "export"
    # The original is the file as taken in: its own manifest is unchanged.
    (original,) = (bag / "data" / "evidence" / item_id).iterdir()
    assert AUTHOR.encode() in original.read_bytes()


def test_an_export_that_names_witnesses_keeps_what_the_file_claims(
    vault: Vault, tmp_path: Path, photo_case: tuple[str, str]
) -> None:
    case_id, item_id = photo_case
    out = tmp_path / "internal"
    out.mkdir()
    outcome = run_export(vault, ExportRequest("bagit", case_id, out))
    metadata = json.loads(
        (outcome.path / "data" / "metadata" / f"{item_id}.json").read_text(encoding="utf-8")
    )
    assert metadata["claimed"]["c2pa_author"] == AUTHOR
    (intake, *_rest) = json.loads(
        (outcome.path / "data" / "custody" / f"{item_id}.json").read_text(encoding="utf-8")
    )
    assert set(intake) == {"hash", "signed", "signature"}
