"""Consent records and evidence links in the vault (issue 15): signed
revisions, a withdrawal that is a new revision with the original kept,
verify, the links read both ways, and a real bundle carrying both to a
coordinator."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.api import Consent, InvalidInput, NotFound, Vault
from db.entities import ENTITY_TYPES, check_body
from db.evidence_links import EVIDENCE_OF
from db.revisions import verify_revision
from sync.bundle.vault_io import import_bundle
from tests.factory import make_case, make_person, make_testimony
from tests.sync.trust_fixtures import make_organisation


def _consent(vault: Vault, **overrides: object) -> Consent:
    case = make_case(vault)
    witness = make_person(vault, case.id)
    testimony = make_testimony(vault, case.id, witness_id=witness.id)
    fields: dict[str, object] = {
        "case_id": "",
        "testimony_id": testimony.id,
        "scopes": ["prosecution", "documentation-only", "ngo-internal"],
        "given_how": "signed-paper-photographed",
        "given_on": "2026-11-28",
        "given_to": "Interviewer O.",
        "text_version": "consent-uk-v3",
        "anonymity": True,
        "no_photos": True,
        "conditions": "Не показувати обличчя",
    } | overrides
    return vault.consents.record(Consent(**fields))  # type: ignore[arg-type]


def test_a_consent_is_a_signed_revision_of_its_testimony_and_witness(vault: Vault):
    consent = _consent(vault)
    testimony = vault.testimonies.get(consent.testimony_id)
    assert consent.case_id == testimony.case_id
    assert consent.witness_id == testimony.witness_id  # taken from the testimony
    assert consent.scopes == ["documentation-only", "ngo-internal", "prosecution"]  # in the fixed order
    (stored,) = [r for r in vault.revisions.all() if r.entity_id == consent.id]
    assert stored.entity_type == "consent" and stored.op == "put"
    checked = verify_revision(stored.signed, stored.signature, stored.revision_id, ENTITY_TYPES)
    assert checked.body["conditions"] == "Не показувати обличчя"
    assert vault.consents.for_testimony(testimony.id) == [consent]
    assert vault.verify().ok


def test_withdrawal_is_a_new_revision_and_history_keeps_the_original(vault: Vault):
    consent = _consent(vault)
    narrowed = vault.consents.withdraw(consent.id, ["prosecution"], on="2026-11-29", note="by phone")
    assert narrowed.revision != consent.revision
    assert narrowed.scopes == ["documentation-only", "ngo-internal"]
    assert narrowed.withdrawn_scopes == ["prosecution"] and narrowed.withdrawn_on == "2026-11-29"
    first, second = vault.consents.history(consent.id)
    assert first.body["scopes"] == ["documentation-only", "ngo-internal", "prosecution"]
    assert first.body["withdrawn_scopes"] == []
    assert second.parents == (first.revision_id,) and second.is_head
    state = vault.consents.of_testimony(consent.testimony_id)
    assert state.agreed == ("documentation-only", "ngo-internal") and state.withdrawn == ("prosecution",)
    # Withdrawn entirely: no scope is agreed any longer.
    gone = vault.consents.withdraw(consent.id, ["documentation-only", "ngo-internal"])
    assert gone.scopes == [] and gone.withdrawn_scopes == [
        "documentation-only",
        "ngo-internal",
        "prosecution",
    ]
    assert len(vault.consents.history(consent.id)) == 3
    assert vault.verify().ok


def test_a_withdrawal_can_only_narrow(vault: Vault):
    consent = _consent(vault, scopes=["documentation-only"])
    for scopes in ([], ["prosecution"], ["documentation-only", "public-anonymised"]):
        with pytest.raises(InvalidInput) as refused:
            vault.consents.withdraw(consent.id, scopes)
        assert refused.value.code == "consent-not-narrowing"
    assert len(vault.consents.history(consent.id)) == 1


def test_bodies_from_elsewhere_are_checked(vault: Vault):
    consent = _consent(vault)
    body = vault.consents.history(consent.id)[0].body
    check_body("consent", "put", body)
    for bad, code in (
        ({"scopes": ["everything"]}, "consent-unknown-scope"),
        ({"scopes": ["prosecution", "prosecution"]}, "consent-unknown-scope"),
        ({"withdrawn_scopes": ["prosecution"]}, "consent-scope-both"),
        ({"scopes": [], "withdrawn_scopes": []}, "consent-no-scope"),
        ({"given_how": "nodded"}, "field-not-a-choice"),
        ({"anonymity": "yes"}, "field-wrong-type"),
        ({"testimony_id": ""}, "field-not-an-id"),
    ):
        with pytest.raises(InvalidInput) as refused:
            check_body("consent", "put", body | bad)
        assert refused.value.code == code


def test_consent_needs_a_live_testimony_and_a_scope(vault: Vault):
    case = make_case(vault)
    testimony = make_testimony(vault, case.id)
    with pytest.raises(InvalidInput):
        vault.consents.record(Consent(case_id="", testimony_id=testimony.id, scopes=[]))
    vault.testimonies.delete(testimony.id)
    with pytest.raises(NotFound):
        vault.consents.record(Consent(case_id="", testimony_id=testimony.id, scopes=["prosecution"]))


def test_consent_text_is_not_searchable(vault: Vault):
    _consent(vault, conditions="Zhytomyrska street only", given_to="Olena", text_version="uk-v3")
    for word in ("Zhytomyrska", "Olena", "uk-v3"):
        assert [hit for hit in vault.search.query(word) if hit.entity_type == "consent"] == []


def _evidence(vault: Vault, tmp_path: Path, case_id: str) -> str:
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"\xff\xd8\xff\xe0" + b"x" * 500)
    return vault.evidence.ingest(source, case_id).item.id


def test_evidence_links_read_both_ways_and_unlink_keeps_history(vault: Vault, tmp_path: Path):
    case = make_case(vault)
    person = make_person(vault, case.id, pseudonym="W-7")
    testimony = make_testimony(vault, case.id, title="Statement W-7")
    evidence_id = _evidence(vault, tmp_path, case.id)
    first = vault.evidence_links.link(evidence_id, testimony.id)
    assert vault.evidence_links.link(evidence_id, testimony.id).id == first.id  # no duplicate
    vault.evidence_links.link(evidence_id, person.id)
    assert first.relation == EVIDENCE_OF and first.from_id == evidence_id
    targets = vault.evidence_links.targets_of(evidence_id)
    assert [(t.entity_type, t.label) for t in targets] == [("testimony", "Statement W-7"), ("person", "W-7")]
    (back,) = vault.evidence_links.evidence_of(person.id)
    assert back.entity_id == evidence_id and back.label == "photo.jpg"
    assert vault.evidence_links.unlink(evidence_id, testimony.id) == 1
    assert vault.evidence_links.evidence_of(testimony.id) == []
    assert [r.op for r in vault.links.history(first.id)] == ["put", "delete"]
    assert vault.verify().ok


def test_evidence_links_refuse_other_types_and_cases(vault: Vault, tmp_path: Path):
    case, other = make_case(vault), make_case(vault, title="Other")
    evidence_id = _evidence(vault, tmp_path, case.id)
    with pytest.raises(InvalidInput) as refused:
        vault.evidence_links.link(evidence_id, other.id)
    assert refused.value.code == "link-target-type"
    with pytest.raises(InvalidInput) as refused:
        vault.evidence_links.link(evidence_id, make_testimony(vault, other.id).id)
    assert refused.value.code == "link-other-case"
    with pytest.raises(NotFound):
        vault.evidence_links.link(make_testimony(vault, case.id).id, evidence_id)


def test_a_bundle_carries_consent_and_links_to_the_coordinator(tmp_path: Path):
    org = make_organisation(tmp_path)
    try:
        work = org.worker("field", token=org.token())
        worker = work.vault
        testimony = worker.testimonies.list()[0]
        consent = worker.consents.record(
            Consent(case_id="", testimony_id=testimony.id, scopes=["documentation-only", "prosecution"])
        )
        worker.consents.withdraw(consent.id, ["prosecution"], on="2026-11-29")
        worker.evidence_links.link(work.evidence_id, testimony.id)
        bundle = org.export(worker)
        age_identity = str(org.coordinator.vault_keys.age_identity())
        org_id = org.signed.profile.org_id
        import_bundle(org.coordinator, bundle.path, age_identity, org_id=org_id)
        coordinator = org.coordinator
        received = coordinator.consents.get(consent.id)
        assert received.scopes == ["documentation-only"] and received.withdrawn_scopes == ["prosecution"]
        assert [h.body["scopes"] for h in coordinator.consents.history(consent.id)] == [
            ["documentation-only", "prosecution"],
            ["documentation-only"],
        ]
        assert coordinator.consents.of_testimony(testimony.id).withdrawn == ("prosecution",)
        (linked,) = coordinator.evidence_links.evidence_of(testimony.id)
        assert linked.entity_id == work.evidence_id
        assert coordinator.verify().ok
    finally:
        org.close()
