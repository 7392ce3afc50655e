"""What an export may carry, by the witnesses' consent (docs/exports.md,
"Consent and purpose").

Every export states its purpose, one of the consent scopes
(``documentation-only``, ``ngo-internal``, ``prosecution``,
``public-anonymised``; ``ngo-internal`` unless chosen). A testimony goes
into the export only when its consent includes that purpose:

- with consent records (db/consent.py): the purpose is among the scopes some
  live record still agrees to (``vault.consents.of_testimony``'s rule: a
  later consent can grant again a scope an earlier one withdrew);
- with none: the legacy ``consent_scope`` of the testimony, a single choice,
  allows exactly that scope; an empty one allows nothing.

Scopes do not imply one another: "prosecution" does not include "the NGO
internally". What a testimony withholds goes with it: the evidence items
linked to it (``evidence-of``), its witness when that person is the witness
of no exported testimony, and the evidence linked to that witness, the links that name any withheld record, and its
consent records. A consent with the "no photos" condition withholds the
images and videos linked as evidence of its testimony, and those whose
type was never read (a photo whose reader timed out at intake is one). Each withheld record is listed by id and reason in the
export (``withheld``); nothing else of it is written. A purpose of
``public-anonymised`` also pseudonymises every witness; a witness whose
consent record asks for anonymity is by pseudonym in every export.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from db.api import (
    CONSENT_RECORD_SCOPES,
    EVIDENCE_OF,
    SCOPE_WORDS,
    Consent,
    EvidenceItem,
    Testimony,
    Vault,
    type_never_read,
)
from sync.exports.casedata import CaseData, load_case, pseudonymise
from sync.exports.errors import purpose_unknown

PURPOSES = CONSENT_RECORD_SCOPES
DEFAULT_PURPOSE = "ngo-internal"
# Why a record is withheld (docs/exports.md lists them).
WITHDRAWN = "consent-withdrawn"
NOT_AGREED = "consent-not-given"
NO_CONSENT = "no-consent-recorded"
OF_WITHHELD = "of-withheld-testimony"
NO_PHOTOS = "consent-no-photos"


def may_be_a_picture(item: EvidenceItem) -> bool:
    """Whether "no photos" withholds ``item``: an image or a video by its
    stored type, or an item whose type was never read (its reader timed out
    or crashed at intake: a photo of the witness may be one). The type is a
    parser's answer, not checked against the bytes (docs/threat-model.md
    2.5.1); a file libmagic read and did not know stays exported."""
    if item.mime_type.startswith(("image/", "video/")):
        return True
    return type_never_read(item.mime_type, item.claimed)


def check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise purpose_unknown(purpose, PURPOSES)


def purpose_words(purpose: str) -> str:
    return SCOPE_WORDS.get(purpose, purpose)


def prepare(vault: Vault, case_id: str, *, purpose: str, pseudonymise_witnesses: bool) -> CaseData:
    """The case as an export for ``purpose`` may carry it (the module's rule)."""
    check_purpose(purpose)
    data = honour_consent(load_case(vault, case_id), purpose)
    if pseudonymise_witnesses or purpose == "public-anonymised":
        return pseudonymise(data)
    # A witness who asked for anonymity (a consent condition) is by
    # pseudonym in every export, whatever the coordinator chose.
    anonymous = {c.witness_id for c in data.consents if c.anonymity and c.witness_id}
    return pseudonymise(data, only=anonymous) if anonymous else data


def testimony_scopes(testimony: Testimony, consents: list[Consent]) -> tuple[set[str], set[str]]:
    """(agreed, withdrawn) scopes of a testimony; withdrawn excludes what a
    live record still agrees to."""
    mine = [c for c in consents if c.testimony_id == testimony.id]
    if not mine:
        return ({testimony.consent_scope} if testimony.consent_scope else set()), set()
    agreed = {s for c in mine for s in c.scopes}
    return agreed, {s for c in mine for s in c.withdrawn_scopes} - agreed


def withheld_reason(testimony: Testimony, consents: list[Consent], purpose: str) -> str | None:
    agreed, withdrawn = testimony_scopes(testimony, consents)
    if purpose in agreed:
        return None
    if purpose in withdrawn:
        return WITHDRAWN
    if not agreed and not any(c.testimony_id == testimony.id for c in consents):
        return NO_CONSENT
    return NOT_AGREED


def honour_consent(data: CaseData, purpose: str) -> CaseData:
    withheld: list[dict[str, Any]] = []
    kept: list[Testimony] = []
    for testimony in data.testimonies:
        reason = withheld_reason(testimony, data.consents, purpose)
        if reason is None:
            kept.append(testimony)
        else:
            withheld.append({"type": "testimony", "id": testimony.id, "reason": reason})
    gone = {w["id"] for w in withheld}
    kept_witnesses = {t.witness_id for t in kept if t.witness_id}
    gone_witnesses = {
        t.witness_id
        for t in data.testimonies
        if t.id in gone and t.witness_id and t.witness_id not in kept_witnesses
    }
    # Evidence of a withheld testimony or of its withheld witness (an
    # interview's recording, a photo of the signed form or of the witness)
    # carries the witness's words or face: it stays too.
    of_gone = {
        link.from_id
        for link in data.links
        if link.relation == EVIDENCE_OF and link.to_id in gone | gone_witnesses
    }
    # "No photos": the pictures and films linked as evidence of an exported
    # testimony whose consent sets that condition (they may show the witness).
    no_photos = {c.testimony_id for c in data.consents if c.no_photos and c.testimony_id not in gone}
    pictures = {
        link.from_id for link in data.links if link.relation == EVIDENCE_OF and link.to_id in no_photos
    } & {e.id for e in data.evidence if may_be_a_picture(e)}
    pictures -= of_gone
    evidence = [e for e in data.evidence if e.id not in of_gone | pictures]
    withheld += [
        {"type": "evidence", "id": e.id, "reason": OF_WITHHELD} for e in data.evidence if e.id in of_gone
    ]
    withheld += [
        {"type": "evidence", "id": e.id, "reason": NO_PHOTOS} for e in data.evidence if e.id in pictures
    ]
    of_gone |= pictures
    persons = [p for p in data.persons if p.id not in gone_witnesses]
    withheld += [
        {"type": "person", "id": p.id, "reason": OF_WITHHELD} for p in data.persons if p.id in gone_witnesses
    ]
    gone |= of_gone | gone_witnesses
    links = [link for link in data.links if link.from_id not in gone and link.to_id not in gone]
    withheld += [
        {"type": "link", "id": link.id, "reason": OF_WITHHELD}
        for link in data.links
        if link.from_id in gone or link.to_id in gone
    ]
    kept_ids = {t.id for t in kept}
    return replace(
        data,
        testimonies=kept,
        evidence=evidence,
        persons=persons,
        links=links,
        consents=[c for c in data.consents if c.testimony_id in kept_ids],
        purpose=purpose,
        withheld=withheld,
    )


def withheld_summary(withheld: list[dict[str, Any]]) -> str:
    """One line for the report and the bag: how many of each type, and why."""
    if not withheld:
        return "nothing withheld"
    counts: dict[tuple[str, str], int] = {}
    for entry in withheld:
        key = (str(entry["type"]), str(entry["reason"]))
        counts[key] = counts.get(key, 0) + 1
    return "; ".join(f"{n} {kind} ({reason})" for (kind, reason), n in sorted(counts.items()))
