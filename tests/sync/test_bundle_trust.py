"""A bundle from a device the coordinator does not know yet (issue 11,
docs/bundle-format.md §2.1, §8): accepted only with a valid, unused
enrolment-token proof; otherwise held in quarantine with its reason, nothing
applied, until a coordinator approves the device with the verification code
the worker reads out. Adversarial: forged, expired, reused and foreign
tokens, and a genuine proof lifted into an outsider's bundle."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from db.api import FieldvaultError, Vault
from sync import org_vault
from sync.bundle import BundleContents, BundleRejected, check_bundle, write_bundle
from sync.bundle.admission import BundleQuarantined
from sync.bundle.format import HeaderEnrolment, device_id_of, parse_header
from sync.bundle.quarantine import QuarantineRefused, approve_bundle
from sync.bundle.vault_io import import_bundle
from sync.bundle.writer import DeviceIdentity
from sync.enrolment_proof import held_token, make_proof, proof_holds
from sync.org import TOKEN_DOMAIN, TOKEN_FORMAT, OrgRefused
from tests.sync.trust_fixtures import HOUR_MS, Organisation, make_organisation, now_ms


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Organisation]:
    made = make_organisation(tmp_path)
    yield made
    made.close()


def count(vault: Vault, table: str) -> int:
    with vault.services.context.sessions() as session:
        return cast(int, session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def token_users(org: Organisation) -> dict[str, str | None]:
    return {t.token_id: t.used_by for t in org.coordinator.enrolment_tokens.issued()}


def quarantined(org: Organisation, path: Path) -> BundleQuarantined:
    before = {t: count(org.coordinator, t) for t in ("revisions", "received_bundles", "custody_events")}
    with pytest.raises(BundleQuarantined) as refused:
        org.import_(path)
    # Nothing of it applied; the file left where it was; the device still unknown.
    assert {t: count(org.coordinator, t) for t in before} == before
    assert path.is_file()
    assert org.coordinator.sync.device(refused.value.device_id) is None
    held = org.coordinator.sync.held_bundle(refused.value.bundle_id)
    assert held is not None and held.reason == refused.value.reason and held.status == "held"
    assert held.path == str(path.absolute())
    return refused.value


def test_a_first_bundle_proving_its_token_enrols_the_device(org: Organisation) -> None:
    token = org.token()
    work = org.worker("field", token=token)
    made = org.export(work.vault)
    header = check_bundle(made.path).header
    # The header names the token and proves it; it never carries the token itself.
    assert header.enrolment is not None and header.enrolment.token_id == held_token(token).token_id  # type: ignore[union-attr]
    assert header.enrolment.age_recipient == work.vault.vault_keys.age_recipient()
    assert token.split(".")[2] not in made.path.read_bytes().decode("latin-1")

    result = org.import_(made.path)
    assert result.revisions > 0 and result.blobs == 1
    device = org.coordinator.sync.device(work.vault.device_id)
    assert device is not None and device.status == "enrolled" and device.role == "device"
    assert device.age_recipient == work.vault.vault_keys.age_recipient()
    assert token_users(org) == {header.enrolment.token_id: work.vault.device_id}
    assert org.coordinator.sync.held_bundles() == []
    # Custody on both sides of the transfer.
    sent = [e for e in work.vault.evidence.custody(work.evidence_id) if e.action == "transfer"]
    got = [e for e in org.coordinator.evidence.custody(work.evidence_id) if e.action == "transfer"]
    assert [e.details["direction"] for e in sent] == ["sent"] and sent[0].details["bundle"] == made.bundle_id
    assert [e.details["direction"] for e in got] == ["received"] and got[0].details[
        "bundle"
    ] == made.bundle_id
    # The same bundle again is a replay; the device's next bundle needs no token.
    assert org.import_(made.path).replay
    assert org.import_(org.export(work.vault).path).sequence == 2
    assert org.coordinator.verify().ok


def test_an_unknown_device_without_a_token_is_held_until_approved_with_its_code(
    org: Organisation,
) -> None:
    work = org.worker("field")  # enrolled without a token
    made = org.export(work.vault)
    refused = quarantined(org, made.path)
    assert (refused.reason, refused.code) == ("device-unknown", "bundle-quarantined")
    assert refused.params == {"bundle_id": made.bundle_id, "device_id": work.vault.device_id}
    # Importing it again holds it again (one record).
    quarantined(org, made.path)
    assert [h.bundle_id for h in org.coordinator.sync.held_bundles()] == [made.bundle_id]
    # A dry run (bundle verify) answers the same and records nothing new.
    other = org.worker("other")
    checked = org.export(other.vault)
    with pytest.raises(BundleQuarantined) as dry:
        org.import_(checked.path, dry_run=True)
    assert dry.value.reason == "device-unknown" and not dry.value.held
    assert org.coordinator.sync.held_bundle(checked.bundle_id) is None

    identity = org.coordinator.vault_keys.age_identity()
    worker_code = org_vault.status(work.vault).verification_code
    wrong = " ".join(f"{(int(g) + 1) % 100000:05d}" for g in worker_code.split())
    with pytest.raises(QuarantineRefused) as mismatch:
        approve_bundle(org.coordinator, made.bundle_id, wrong, identity)
    assert mismatch.value.code == "quarantine-code-mismatch"
    assert org.coordinator.sync.device(work.vault.device_id) is None
    assert count(org.coordinator, "received_bundles") == 0
    with pytest.raises(QuarantineRefused) as form:
        approve_bundle(org.coordinator, made.bundle_id, "12345", identity)
    assert form.value.code == "quarantine-code-form"

    # The code the worker reads out, typed with other spacing, by file name.
    typed = worker_code.replace(" ", "")
    result = approve_bundle(org.coordinator, str(made.path), typed, identity)
    assert result.bundle_id == made.bundle_id and result.revisions > 0
    device = org.coordinator.sync.device(work.vault.device_id)
    assert device is not None and device.status == "enrolled"
    assert org.coordinator.sync.held_bundles() == []
    [approved] = org.coordinator.sync.held_bundles(include_approved=True)
    assert approved.status == "approved" and approved.decided_ms is not None
    got = [e for e in org.coordinator.evidence.custody(work.evidence_id) if e.action == "transfer"]
    assert got and got[0].details == {
        "direction": "received",
        "bundle": made.bundle_id,
        "device": device.device_id,
    }
    assert org.coordinator.verify().ok


def test_only_a_coordinator_may_approve_a_held_bundle(org: Organisation) -> None:
    """A field worker's vault holds a stranger's bundle like a coordinator's
    does, but approving (enrolling) that device is a coordinator's decision."""
    stranger = org.worker("stranger")
    made = org.export(stranger.vault)
    colleague = org.worker("colleague", token=org.token(hours=1))
    with pytest.raises(FieldvaultError):
        import_bundle(
            colleague.vault, made.path, colleague.vault.vault_keys.age_identity(), org_id=org.org_id
        )
    assert [h.bundle_id for h in colleague.vault.sync.held_bundles()] == [made.bundle_id]
    code = org_vault.status(stranger.vault).verification_code
    with pytest.raises(OrgRefused) as refused:
        approve_bundle(colleague.vault, made.bundle_id, code, colleague.vault.vault_keys.age_identity())
    assert refused.value.code == "org-not-coordinator"
    assert colleague.vault.sync.device(stranger.vault.device_id) is None


def test_approval_needs_the_held_file_unchanged(org: Organisation, tmp_path: Path) -> None:
    work = org.worker("field")
    made = org.export(work.vault)
    quarantined(org, made.path)
    moved = tmp_path / "elsewhere.fvbundle"
    made.path.rename(moved)
    code = org_vault.status(work.vault).verification_code
    identity = org.coordinator.vault_keys.age_identity()
    with pytest.raises(QuarantineRefused) as gone:
        approve_bundle(org.coordinator, made.bundle_id, code, identity)
    assert gone.value.code == "quarantine-file-changed"
    with pytest.raises(QuarantineRefused) as unknown:
        approve_bundle(org.coordinator, "0" * 64, code, identity)
    assert unknown.value.code == "quarantine-not-found"
    # Given where the file is now, it is approved.
    assert approve_bundle(org.coordinator, str(moved), code, identity).revisions > 0


def test_an_expired_token_is_held_as_expired(org: Organisation) -> None:
    issued = now_ms() - 3 * HOUR_MS
    token = org.token(hours=1, issued_ms=issued)
    work = org.worker("field", token=token, enrol_ms=issued + 60_000)  # valid when it enrolled
    refused = quarantined(org, org.export(work.vault).path)
    assert (refused.reason, refused.code) == ("token-expired", "bundle-token-expired")
    assert refused.params["token_id"] == held_token(token).token_id  # type: ignore[union-attr]
    assert set(token_users(org).values()) == {None}


def test_a_token_used_by_one_device_is_refused_to_another(org: Organisation) -> None:
    token = org.token()
    first, second = org.worker("first", token=token), org.worker("second", token=token)
    org.import_(org.export(first.vault).path)
    refused = quarantined(org, org.export(second.vault).path)
    assert refused.reason == "token-used"
    assert set(token_users(org).values()) == {first.vault.device_id}


def test_a_token_of_another_organisation_is_unknown_here(org: Organisation, tmp_path: Path) -> None:
    other = make_organisation(tmp_path / "other")
    try:
        foreign = other.token()
        work = org.worker("field")
        work.vault.sync.set_enrolment_token(foreign)  # enrol would refuse it: held as if it had
        refused = quarantined(org, org.export(work.vault).path)
        assert refused.reason == "token-unknown"
    finally:
        other.close()


def forged_token(token_id: str, expires_ms: int, org_id: str) -> str:
    """A token of the right form for an issued id, signed by a key that is not the organisation's."""
    payload = rfc8785.dumps(
        {"format": TOKEN_FORMAT, "org_id": org_id, "token_id": token_id, "expires_ms": expires_ms}
    )
    signature = Ed25519PrivateKey.generate().sign(TOKEN_DOMAIN + payload)

    def b64url(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")

    return f"fvt1.{b64url(payload)}.{b64url(signature)}"


def test_a_forged_token_for_an_issued_id_fails_its_proof(org: Organisation) -> None:
    # The outsider read a genuine token's id off a bundle header on a copied stick.
    genuine = held_token(org.token())
    assert genuine is not None
    [issued] = org.coordinator.enrolment_tokens.issued()
    outsider = org.worker("outsider")
    outsider.vault.sync.set_enrolment_token(forged_token(genuine.token_id, issued.expires_ms, org.org_id))
    refused = quarantined(org, org.export(outsider.vault).path)
    assert (refused.reason, refused.code) == ("token-proof", "bundle-token-proof")
    assert token_users(org) == {genuine.token_id: None}  # the genuine token is still good


def test_a_genuine_proof_lifted_into_another_key_s_bundle_fails(org: Organisation, tmp_path: Path) -> None:
    token = org.token()
    work = org.worker("field", token=token)
    genuine = check_bundle(org.export(work.vault).path).header.enrolment
    assert genuine is not None and genuine.proof is not None
    # An outsider copies token id, proof and recipient into a bundle signed by its own key.
    key = Ed25519PrivateKey.generate()
    outsider = DeviceIdentity(key, device_id_of(key.public_key().public_bytes_raw()))
    lifted = write_bundle(
        tmp_path / "lifted.fvbundle",
        BundleContents(
            org_id=org.org_id,
            profile_version=1,
            sequence=1,
            previous=None,
            custody_head=None,
            enrolment=genuine,
        ),
        outsider,
        [org.coordinator.vault_keys.age_recipient()],
    )
    refused = quarantined(org, lifted.path)
    assert refused.reason == "token-proof"
    # The same proof recomputed for the outsider's key would need the token's signature.
    held = held_token(token)
    assert held is not None
    assert (
        make_proof(held, org.org_id, key.public_key().public_bytes_raw(), genuine.age_recipient)
        != genuine.proof
    )
    # The genuine device's bundle still enrols it with its token.
    org.import_(org.export(work.vault).path)
    assert set(token_users(org).values()) == {work.vault.device_id}


def test_a_device_revoked_by_the_profile_is_refused_not_held(org: Organisation) -> None:
    work = org.worker("field", token=org.token())
    made = org.export(work.vault)
    org_vault.revoke_device(org.coordinator, work.vault.device_id)
    with pytest.raises(BundleRejected) as refused:
        org.import_(made.path)
    assert refused.value.reason == "device-revoked" and not isinstance(refused.value, BundleQuarantined)
    assert org.coordinator.sync.held_bundles() == []


def test_the_enrolment_member_is_strict_and_optional() -> None:
    base: dict[str, Any] = {
        "format": "fieldvault-bundle", "version": 1, "org_id": "0193f6e4-8a00-7000-8000-000000000042",
        "profile_version": 1, "device_id": "0" * 32, "device_key": base64.b64encode(bytes(32)).decode(),
        "sequence": 1, "previous": None, "created_ms": 0, "custody_head": None,
        "payload_size": 0, "payload_sha256": "0" * 64,
    }  # fmt: skip
    recipient = "age1" + "q" * 58
    assert parse_header(rfc8785.dumps(base)).enrolment is None
    ok = base | {"enrolment": {"age_recipient": recipient, "token_id": "a" * 32, "proof": "b" * 64}}
    assert parse_header(rfc8785.dumps(ok)).enrolment == HeaderEnrolment(recipient, "a" * 32, "b" * 64)
    alone = base | {"enrolment": {"age_recipient": recipient, "token_id": None, "proof": None}}
    assert parse_header(rfc8785.dumps(alone)).enrolment == HeaderEnrolment(recipient)
    for bad in (
        {"age_recipient": recipient, "token_id": "a" * 32, "proof": None},  # half a proof
        {"age_recipient": recipient, "token_id": None},  # a member missing
        {"age_recipient": "age1nope", "token_id": None, "proof": None},
        {"age_recipient": recipient, "token_id": "A" * 32, "proof": "b" * 64},
        {"age_recipient": recipient, "token_id": "a" * 32, "proof": "b" * 64, "token": "fvt1.x.y"},
        None,
    ):
        with pytest.raises(BundleRejected) as refused:
            parse_header(rfc8785.dumps(base | {"enrolment": bad}))
        assert refused.value.reason == "header-form", json.dumps(bad)


def test_the_token_proof_is_the_specified_mac_for_fixed_values() -> None:
    """docs/bundle-format.md §2.1, test values: rebuilt here from the spec
    with hashlib/hmac alone, and by sync/enrolment_proof.py."""
    import hashlib
    import hmac

    org_key = Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    )
    device_key = Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key().public_bytes_raw()
    org_id, token_id, expires = (
        "0193f6e4-8a00-7000-8000-000000000042",
        "000102030405060708090a0b0c0d0e0f",
        1764400000000,
    )
    recipient = "age1" + "q" * 58
    payload = (
        b'{"expires_ms":1764400000000,"format":"fieldvault-enrolment-token",'
        b'"org_id":"0193f6e4-8a00-7000-8000-000000000042","token_id":"000102030405060708090a0b0c0d0e0f"}'
    )
    signature = org_key.sign(b"fieldvault-enrolment-token/1\n" + payload)
    message = (
        b"fieldvault-enrolment-proof/1\n"
        + (
            '{"age_recipient":"'
            + recipient
            + '","device_key":"A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=",'
            '"org_id":"' + org_id + '","token_id":"' + token_id + '"}'
        ).encode()
    )
    expected = "9d9b3d2c85cd4d706a9c46ccc22f7f2138b9f37c55f2a56d929512e5f4085933"
    assert hmac.new(signature, message, hashlib.sha256).hexdigest() == expected
    enrolment = HeaderEnrolment(recipient, token_id, expected)
    assert proof_holds(enrolment, org_key=org_key, org_id=org_id, expires_ms=expires, device_key=device_key)
    assert not proof_holds(
        enrolment, org_key=org_key, org_id=org_id, expires_ms=expires + 1, device_key=device_key
    )
