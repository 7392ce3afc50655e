"""The PDF case report (docs/exports.md, "PDF case report").

Sections: summary, incidents, persons (witnesses optionally by pseudonym
only), testimonies, evidence with SHA-256 and a custody summary, and on the
last page the export's signature. Page numbers in every footer.

What is signed: the report's **content manifest**, the JSON document of the
case that the report shows (``casedata.document``, the same form as the JSON
export), in RFC 8785 canonical form. The report embeds it as the PDF
attachment ``content.json``, beside ``export-manifest.json`` (the signed
export manifest, whose ``content_sha256`` is that file's SHA-256) and
``export-manifest.sig``: `pdfdetach -saveall report.pdf` takes them out and
the check of docs/exports.md needs ``cryptography`` alone. The last page
prints the manifest's SHA-256 and the signature. The PDF file's own SHA-256
is printed by the command (``--json``: ``sha256``); it cannot be inside the
file it hashes.

Text is set in a TrueType font with Cyrillic, embedded (subset) in the PDF:
DejaVu Sans (Debian's fonts-dejavu-core) or Arial, or the file named by
``FIELDVAULT_REPORT_FONT``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import os
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from db.api import CancelToken, Person, Testimony, Vault, violation_types
from sync.exports import staging
from sync.exports.bag import MANIFEST_FORMAT
from sync.exports.casedata import CaseData, document, is_witness, utc_now
from sync.exports.consent import DEFAULT_PURPOSE, prepare, purpose_words, withheld_summary
from sync.exports.custody_events import record_metadata_export
from sync.exports.errors import font_missing
from sync.exports.signing import public_key_b64, sign_manifest

FONT_ENV = "FIELDVAULT_REPORT_FONT"
# (regular, bold) candidates, in order; the first whose regular file exists wins.
FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    (
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf",
    ),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
    ("/System/Library/Fonts/Supplemental/Arial.ttf", "/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
)


@dataclass(frozen=True)
class ReportResult:
    path: Path
    sha256: str  # of the PDF file
    manifest_sha256: str  # of the signed export manifest (printed on the last page)
    pages: int


def find_font() -> tuple[Path, Path]:
    chosen = os.environ.get(FONT_ENV, "")
    if chosen:
        if not Path(chosen).is_file():
            raise font_missing()
        return Path(chosen), Path(chosen)
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file():
            return Path(regular), Path(bold) if Path(bold).is_file() else Path(regular)
    raise font_missing()


def export_pdf(
    vault: Vault,
    case_id: str,
    destination: Path,
    *,
    purpose: str = DEFAULT_PURPOSE,
    pseudonymise_witnesses: bool = False,
    cancel: CancelToken | None = None,
) -> ReportResult:
    fonts = find_font()
    data = prepare(vault, case_id, purpose=purpose, pseudonymise_witnesses=pseudonymise_witnesses)
    target = staging.choose_target(destination, staging.default_name(case_id, "report", ".pdf"))
    custody = {item.id: vault.evidence.custody(item.id) for item in data.evidence}
    staging.check_cancel(cancel)
    created = utc_now()
    content = rfc8785.dumps(document(data, vault.device_id, created))
    key = vault.sync.signing_key()
    manifest = {
        "format": MANIFEST_FORMAT,
        "v": 1,
        "kind": "pdf-report",
        "case_id": data.case.id,
        "created": created,
        "device": vault.device_id,
        "key": public_key_b64(key),
        "pseudonymised": data.pseudonymised,
        "purpose": data.purpose,
        "withheld": [dict(w) for w in data.withheld],
        "content_sha256": hashlib.sha256(content).hexdigest(),
    }
    signed, signature = sign_manifest(key, manifest)
    manifest_sha256 = hashlib.sha256(signed).hexdigest()
    with _silenced_fpdf():
        pdf = _Report(fonts)
        _write(pdf, data, custody, created)
        _signature_page(pdf, manifest, manifest_sha256, signature)
        body = _finish(pdf, content, signed, signature)
    staging.check_cancel(cancel)
    with staging.partial_file(target, vault.exports_in_progress) as partial:
        partial.write_bytes(body)
        staging.check_cancel(cancel)
        record_metadata_export(vault, data, "pdf-report", target)
        staging.commit_file(partial, target)
    return ReportResult(target, hashlib.sha256(body).hexdigest(), manifest_sha256, pdf.pages_count)


@contextlib.contextmanager
def _silenced_fpdf() -> Iterator[None]:
    """fpdf2 logs the characters a font lacks ("missing the following glyphs:
    '…'"), and Python prints an unhandled warning to stderr: witness text must
    reach neither. Those characters are left blank in the pages; content.json
    holds them exactly."""
    logger = logging.getLogger("fpdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _finish(pdf: FPDF, content: bytes, signed: bytes, signature: bytes) -> bytes:
    for name, body in (
        ("content.json", content),
        ("export-manifest.json", signed),
        ("export-manifest.sig", base64.b64encode(signature) + b"\n"),
    ):
        pdf.embed_file(
            bytes=body,
            basename=name,
            mime_type="application/json" if name.endswith(".json") else "text/plain",
        )
    return bytes(pdf.output())


class _Report(FPDF):
    def __init__(self, fonts: tuple[Path, Path]) -> None:
        super().__init__(format="A4")
        self.add_font("body", fname=str(fonts[0]))
        self.add_font("body", style="B", fname=str(fonts[1]))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)
        self.set_font("body", size=10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("body", size=8)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")

    def heading(self, text: str, size: int = 14) -> None:
        self.set_font("body", style="B", size=size)
        self.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        self.set_font("body", size=10)

    def para(self, text: str, size: int = 10) -> None:
        if not text:
            return
        self.set_font("body", size=size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
        self.set_font("body", size=10)

    def fields(self, rows: list[tuple[str, str]]) -> None:
        for label, value in rows:
            if value:
                self.para(f"{label}: {value}")
        self.ln(2)


def _labels(codes: list[str]) -> str:
    names = {v.code: f"{v.label('en')} / {v.label('uk')}" for v in violation_types()}
    return "; ".join(names.get(code, code) for code in codes)


def _person_label(person: Person, pseudonymised: bool, witness_ids: set[str]) -> str:
    if pseudonymised and is_witness(person, witness_ids):
        return person.pseudonym
    if person.name and person.pseudonym:
        return f"{person.name} ({person.pseudonym})"
    return person.name or person.pseudonym or f"person {person.id[:8]}"


def _consent_lines(testimony: Testimony, data: CaseData) -> list[str]:
    """Per consent record: the scopes agreed, withdrawn and when; the legacy
    choice when the testimony has no record."""
    records = [c for c in data.consents if c.testimony_id == testimony.id]
    if not records:
        legacy = purpose_words(testimony.consent_scope) if testimony.consent_scope else "none recorded"
        return [f"Consent (the testimony's own choice, no consent record): {legacy}"]
    lines = []
    for record in records:
        given = ", ".join(x for x in (record.given_on, record.given_to and f"to {record.given_to}") if x)
        line = f"Consent {record.id}: agreed: {_words(record.scopes) or 'nothing'}"
        if given:
            line += f" (given {given})"
        if record.withdrawn_scopes:
            line += f"; withdrawn: {_words(record.withdrawn_scopes)}"
            line += f" on {record.withdrawn_on}" if record.withdrawn_on else " (date not recorded)"
        conditions = [c for c, on in (("anonymity", record.anonymity), ("no photos", record.no_photos)) if on]
        if conditions:
            line += f"; conditions: {', '.join(conditions)}"
        lines.append(line)
    return lines


def _words(scopes: list[str]) -> str:
    return ", ".join(purpose_words(s) for s in scopes)


def _write(pdf: _Report, data: CaseData, custody: dict[str, list[Any]], created: str) -> None:
    witness_ids = {t.witness_id for t in data.testimonies if t.witness_id}
    persons = {p.id: _person_label(p, data.pseudonymised, witness_ids) for p in data.persons}
    incidents = {i.id: i.title or f"incident {i.id[:8]}" for i in data.incidents}
    pdf.add_page()
    pdf.heading("Case report", 18)
    pdf.heading(data.case.title, 14)
    pdf.para(data.case.description)
    pdf.ln(2)
    pdf.fields(
        [
            ("Case id", data.case.id),
            ("Exported", created + " (UTC, by the exporting device's clock)"),
            ("Incidents", str(len(data.incidents))),
            ("Persons", str(len(data.persons))),
            ("Testimonies", str(len(data.testimonies))),
            ("Evidence items", str(len(data.evidence))),
            ("Witnesses", "by pseudonym only" if data.pseudonymised else "named"),
            ("Purpose of this export", purpose_words(data.purpose)),
            ("Withheld by consent", withheld_summary(data.withheld)),
        ]
    )
    if data.withheld:
        # Ids only: what a withheld record holds stays out of the report.
        pdf.para(
            "Records whose witness did not agree to this purpose, or withdrew it, are left out "
            "(docs/exports.md, 'Consent and purpose'): "
            + "; ".join(f"{w['type']} {w['id']} ({w['reason']})" for w in data.withheld),
            9,
        )
        pdf.ln(2)
    pdf.heading("Incidents")
    for incident in data.incidents:
        pdf.heading(incidents[incident.id], 11)
        place = incident.place + (
            f" ({incident.latitude}, {incident.longitude})" if incident.latitude is not None else ""
        )
        pdf.fields(
            [
                ("Date", f"{incident.date} ({incident.date_precision})" if incident.date else ""),
                ("Place", f"{place} ({incident.place_precision})" if place else ""),
                ("Violations", _labels(incident.violation_types)),
                ("Description", incident.description),
                ("Notes", incident.notes),
            ]
        )
    pdf.heading("Persons")
    for person in data.persons:
        pdf.heading(persons[person.id], 11)
        sensitive = (
            ""
            if data.pseudonymised and is_witness(person, witness_ids)
            else "; ".join(f"{k}: {v}" for k, v in sorted(person.sensitive.items()))
        )
        pdf.fields([("Roles", ", ".join(person.roles)), ("Sensitive", sensitive), ("Notes", person.notes)])
    pdf.heading("Testimonies")
    for testimony in data.testimonies:
        pdf.heading(testimony.title or f"testimony {testimony.id[:8]}", 11)
        pdf.fields(
            [
                ("Witness", persons.get(testimony.witness_id, "")),
                ("Incident", incidents.get(testimony.incident_id, "")),
                ("Interviewer", testimony.interviewer),
                ("Interpreter", testimony.interpreter),
                ("Language", testimony.language),
                ("Date of interview", testimony.interview_date),
                ("Place of interview", testimony.interview_place),
                ("Violations", _labels(testimony.violation_types)),
            ]
        )
        for line in _consent_lines(testimony, data):
            pdf.para(line)
        pdf.para(testimony.narrative)
        pdf.ln(3)
    pdf.heading("Evidence")
    for item in data.evidence:
        events = custody.get(item.id, [])
        counts = Counter(e.action for e in events)
        intake = next((e for e in events if e.action == "intake"), None)
        pdf.heading(item.original_name or f"evidence {item.id[:8]}", 11)
        pdf.fields(
            [
                ("Id", item.id),
                ("Type, size", f"{item.mime_type}, {item.size} bytes"),
                ("Source", item.source),
                ("Stated date and place", " ".join(x for x in (item.stated_date, item.stated_place) if x)),
                ("Description", item.description),
                (
                    "Intake",
                    f"{intake.wall} by device {intake.device_id}" if intake else "not in this vault's log",
                ),
                ("Custody events", ", ".join(f"{a} ×{n}" for a, n in sorted(counts.items()))),
                ("Last event", f"{events[-1].wall}, hash {events[-1].event_hash}" if events else ""),
            ]
        )
        pdf.para(f"SHA-256: {item.sha256}", 9)
        pdf.ln(2)


def _signature_page(pdf: _Report, manifest: dict[str, Any], manifest_sha256: str, signature: bytes) -> None:
    pdf.add_page()
    pdf.heading("Signature of this export")
    pdf.para(
        "This report's content (the case's records as shown) is attached to this PDF as content.json, "
        "with the signed export manifest (export-manifest.json, export-manifest.sig). The manifest holds "
        "the SHA-256 of content.json; its signature is Ed25519 by the exporting device's key over "
        "'fieldvault-export-v1', a zero byte and the manifest's bytes. docs/exports.md shows how to "
        "check it (pdfdetach -saveall, then a short Python script with the cryptography package)."
    )
    pdf.ln(2)
    pdf.fields(
        [
            ("Device", str(manifest["device"])),
            ("Device public key (base64)", str(manifest["key"])),
            ("Created", str(manifest["created"])),
        ]
    )
    pdf.para(f"SHA-256 of content.json: {manifest['content_sha256']}", 9)
    pdf.para(f"SHA-256 of export-manifest.json: {manifest_sha256}", 9)
    pdf.para(f"Signature (base64): {base64.b64encode(signature).decode('ascii')}", 9)
