"""One case's records, read through the vault's public API, as the plain
dictionaries every export writes (docs/exports.md, docs/export-schema.json)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from db.api import Case, Consent, EvidenceItem, Incident, Link, Person, Record, Testimony, Vault

FORMAT = "fieldvault-case-export"
# 2: consent records, the export's purpose and what it withheld (sync/exports/consent.py).
VERSION = 2
# The record types, in the order the exports list them: (key, record class).
RECORD_TYPES: tuple[tuple[str, type[Record]], ...] = (
    ("incidents", Incident),
    ("persons", Person),
    ("testimonies", Testimony),
    ("evidence", EvidenceItem),
    ("links", Link),
    ("consents", Consent),
)
BOOKKEEPING = ("id", "revision", "conflicted", "created_ms", "updated_ms")
# What a file's Content Credentials (db/c2pa_read.py) may say of a person or
# a place: the author's name, the signing certificate's subject (a personal
# certificate's CN is its holder's name) and GPS. A pseudonymised export
# carries none of them (docs/exports.md, "Witnesses by pseudonym").
PERSONAL_CREDENTIALS = ("author", "signer", "location")  # as in the intake custody event
PERSONAL_CLAIMS = tuple(f"c2pa_{name}" for name in PERSONAL_CREDENTIALS)  # as in ``claimed``
CLAIM_WITHHELD = "withheld: pseudonymised export"


@dataclass(frozen=True)
class CaseData:
    case: Case
    incidents: list[Incident]
    persons: list[Person]
    testimonies: list[Testimony]
    evidence: list[EvidenceItem]
    links: list[Link]
    consents: list[Consent] = field(default_factory=list)
    pseudonymised: bool = False
    # Set by sync/exports/consent.py: the export's purpose (a consent scope)
    # and the records it left out, by type, id and reason only.
    purpose: str = ""
    withheld: list[dict[str, Any]] = field(default_factory=list)
    # Set by ``pseudonymise``: PERSONAL_CLAIMS are withheld from the items'
    # claims, and from the intake events a bag carries (sync/exports/bag.py).
    personal_claims_withheld: bool = False

    def records(self, key: str) -> list[Record]:
        return list(getattr(self, key))


def load_case(vault: Vault, case_id: str) -> CaseData:
    """The case and its live records (NotFound if the case is not there), as
    stored: an export goes through sync/exports/consent.py's ``prepare``."""
    return CaseData(
        case=vault.cases.get(case_id),
        incidents=vault.incidents.list(case_id),
        persons=vault.persons.list(case_id),
        testimonies=vault.testimonies.list(case_id),
        evidence=vault.evidence.list(case_id),
        links=vault.links.list(case_id),
        consents=vault.consents.list(case_id),
    )


def field_names(record_type: type[Record]) -> list[str]:
    """Bookkeeping first, then the record's own fields in their declared order."""
    own = [f.name for f in dataclasses.fields(record_type) if f.name not in BOOKKEEPING]
    return [*BOOKKEEPING, *own]


def record_dict(record: Record) -> dict[str, Any]:
    return (
        {
            "id": record.id,
            "revision": record.revision,
            "conflicted": record.conflicted,
            "created_ms": record.created_ms,
            "updated_ms": record.updated_ms,
        }
        | {name: getattr(record, name) for name in record.omitted_when_default}
        | record.body()
    )


def is_witness(person: Person, witness_ids: set[str]) -> bool:
    return "witness" in person.roles or person.id in witness_ids


def pseudonymise(data: CaseData, only: set[str] | None = None) -> CaseData:
    """Witnesses by pseudonym only: a witness (a person with the witness role,
    or named as the witness of a testimony) loses name and sensitive fields;
    one with no pseudonym becomes "Witness N"; the evidence items' Content
    Credentials claims that may name a person or place are withheld
    (``without_personal_claims``). Narratives and notes are kept as
    written: a name inside them stays (docs/exports.md). With
    ``only``, just those persons (witnesses whose consent asks for anonymity),
    and the export is not marked pseudonymised as a whole."""
    witness_ids = {t.witness_id for t in data.testimonies if t.witness_id}
    persons: list[Person] = []
    number = 0
    for person in data.persons:
        if person.id in only if only is not None else is_witness(person, witness_ids):
            number += 1
            persons.append(
                replace(person, name="", sensitive={}, pseudonym=person.pseudonym or f"Witness {number}")
            )
        else:
            persons.append(person)
    return replace(
        data,
        persons=persons,
        pseudonymised=True if only is None else data.pseudonymised,
        # Whose name a file's Content Credentials give is not known: any
        # pseudonymised witness may be its author or signer, so none is kept.
        evidence=[without_personal_claims(item) for item in data.evidence],
        personal_claims_withheld=True,
    )


def without_personal_claims(item: EvidenceItem) -> EvidenceItem:
    """``item`` with the Content Credentials claims that may name a person or
    place replaced by CLAIM_WITHHELD (the key stays: the export says that
    something was left out, not that the file claimed nothing)."""
    if not any(key in item.claimed for key in PERSONAL_CLAIMS):
        return item
    claimed = {
        key: CLAIM_WITHHELD if key in PERSONAL_CLAIMS else value for key, value in item.claimed.items()
    }
    return replace(item, claimed=claimed)


def document(data: CaseData, device_id: str, exported_at: str | None = None) -> dict[str, Any]:
    """The JSON export's document (docs/export-schema.json)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": exported_at or utc_now(),
        "device_id": device_id,
        "pseudonymised": data.pseudonymised,
        "purpose": data.purpose,
        "withheld": [dict(w) for w in data.withheld],
        "case": record_dict(data.case),
        **{key: [record_dict(r) for r in data.records(key)] for key, _type in RECORD_TYPES},
    }


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
