"""The organisation (sync/org.py, sync/org_vault.py): profiles signed by the
organisation key and refused when signed by any other, versions that only
grow, tokens good once and until they expire, and a fingerprint and a
verification code that are the same for the same keys everywhere."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.api import OrgProfileOutdated, Vault
from db.keyring_store import NoKeyring
from sync import org, org_vault
from sync.org import Coordinator, OrgRefused
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

# Fixed keys (RFC 8032 test 1's secret key and a second seed), so that the
# fingerprint and verification code below are checked byte for byte.
ORG_SEED = bytes.fromhex("9d61b19d effd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60".replace(" ", ""))
DEVICE_SEED = bytes(range(32))
HOUR_MS = 3_600_000


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Vault]:
    created = Vault.create(tmp_path / "worker", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2)
    yield created.vault
    created.vault.lock()


def _coordinator(key: Ed25519PrivateKey) -> Coordinator:
    public = org.public_bytes(key)
    return Coordinator(org.device_id_of(public), public, "age1" + "q" * 58, "desk")


def test_fingerprint_and_verification_code_are_stable_for_fixed_keys() -> None:
    org_key = org.public_bytes(Ed25519PrivateKey.from_private_bytes(ORG_SEED))
    device_key = org.public_bytes(Ed25519PrivateKey.from_private_bytes(DEVICE_SEED))
    assert org_key.hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    assert org.fingerprint(org_key) == "EH7D-DX5B-KSRG-CYTL-7BKA-I36S-E4NX-X3KL"
    assert org.verification_code(org_key, device_key) == "52276 40078 37201 73215 63197 37820"
    # The order of the keys is part of the derivation: the roles differ.
    assert org.verification_code(device_key, org_key) != org.verification_code(org_key, device_key)
    assert org.normalise_fingerprint("eh7d dx5b ksrgcytl-7bka-i36s-e4nx-x3kl") == org.fingerprint(org_key)
    with pytest.raises(OrgRefused) as err:
        org.normalise_fingerprint("EH7D-DX5B-KSRG-CYTL-7BKA-I36S-E4NX-X3K1")  # 1 is not base32
    assert err.value.code == "org-fingerprint-form"


def test_a_signed_profile_reads_back_and_any_change_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    profile = org.new_profile("Kharkiv documentation group", key, _coordinator(key))
    signed = org.sign_profile(profile, key)
    assert org.read_profile(signed.signed, expected_fingerprint=profile.fingerprint) == profile
    # A changed name under the same signature: the signature fails.
    envelope = json.loads(signed.signed)
    envelope["profile"]["name"] = "Someone else"
    altered = org.canonical(envelope)
    with pytest.raises(OrgRefused) as err:
        org.read_profile(altered, expected_fingerprint=profile.fingerprint)
    assert err.value.code == "org-profile-signature"
    # Not canonical, a duplicated member, extra members: the form is refused.
    for bad in (
        signed.signed.replace(b'{"profile"', b'{ "profile"'),
        signed.signed[:-1] + b',"signature":"x"}',
        signed.signed[:-1] + b',"extra":1}',
        b"\xff",
        b"[]",
    ):
        with pytest.raises(OrgRefused) as err:
            org.read_profile(bad)
        assert err.value.code == "org-profile-form"


def test_a_profile_signed_by_another_key_is_refused_against_the_fingerprint() -> None:
    """An attacker makes a perfectly signed profile with the real org id and
    name but their own key (so that bundles would go to their coordinator):
    the fingerprint received out of band does not match."""
    real = Ed25519PrivateKey.generate()
    real_profile = org.new_profile("Field group", real, _coordinator(real))
    forger = Ed25519PrivateKey.generate()
    forged = org.sign_profile(
        org.Profile(
            **{
                **real_profile.__dict__,
                "org_key": org.public_bytes(forger),
                "coordinators": (_coordinator(forger),),
            }
        ),
        forger,
    )
    with pytest.raises(OrgRefused) as err:
        org.read_profile(forged.signed, expected_fingerprint=real_profile.fingerprint)
    assert err.value.code == "org-fingerprint-mismatch"
    assert err.value.params == {
        "expected": real_profile.fingerprint,
        "actual": org.fingerprint(org.public_bytes(forger)),
    }
    # Nor does it pass as an update of a vault holding the real key.
    with pytest.raises(OrgRefused) as err:
        org.read_profile(forged.signed, org_key=real_profile.org_key)
    assert err.value.code == "org-key-changed"


def test_create_enrol_and_revoke_between_two_vaults(vault: Vault, worker: Vault) -> None:
    created = org_vault.create_organisation(vault, "Kharkiv documentation group", label="coordinator desk")
    profile = created.profile
    assert profile.version == 1 and profile.coordinators[0].device_id == vault.device_id
    assert profile.coordinators[0].age_recipient == vault.vault_keys.age_recipient()
    with pytest.raises(OrgRefused) as err:
        org_vault.create_organisation(vault, "A second one")
    assert err.value.code == "org-exists"

    enrolled = org_vault.enrol(worker, created.signed, fingerprint_given=profile.fingerprint)
    assert enrolled.org_id == profile.org_id
    coordinator = worker.sync.device(vault.device_id)
    assert coordinator is not None
    assert (coordinator.role, coordinator.status) == ("coordinator", "enrolled")
    assert coordinator.age_recipient == vault.vault_keys.age_recipient()
    # Both sides compute the same verification code from the keys they hold.
    assert org_vault.status(worker).verification_code == org.verification_code(
        profile.org_key, worker.device_public_key
    )
    assert not org_vault.status(worker).is_coordinator and org_vault.status(vault).is_coordinator
    # A worker cannot sign for the organisation.
    with pytest.raises(OrgRefused) as err:
        org_vault.revoke_device(worker, vault.device_id)
    assert err.value.code == "org-not-coordinator"

    revoked = org_vault.revoke_device(vault, worker.device_id)
    assert revoked.profile.version == 2 and revoked.profile.revoked == (worker.device_id,)
    assert org_vault.revoke_device(vault, worker.device_id).profile.version == 2  # already revoked
    with pytest.raises(OrgRefused) as err:
        org_vault.revoke_device(vault, vault.device_id)
    assert err.value.code == "org-revoke-self"
    server = org_vault.set_server(vault, "https://sync.example.org", "AB" * 32)
    assert server.profile.version == 3 and server.profile.server == org.Server(
        "https://sync.example.org", "ab" * 32
    )
    assert server.profile.revoked == (worker.device_id,)

    # Versions only grow: the newer profile is taken, the older one never replaces it.
    assert org_vault.update_profile(worker, server.signed).version == 3
    with pytest.raises(OrgProfileOutdated):
        org_vault.update_profile(worker, revoked.signed)
    held = worker.sync.org_profile()
    assert held is not None and held.version == 3


def test_enrol_refuses_another_organisation_and_a_forged_profile(
    vault: Vault, worker: Vault, tmp_path: Path
) -> None:
    first = org_vault.create_organisation(vault, "First")
    org_vault.enrol(worker, first.signed, fingerprint_given=first.profile.fingerprint)
    other_key = Ed25519PrivateKey.generate()
    other = org.sign_profile(org.new_profile("Other", other_key, _coordinator(other_key)), other_key)
    with pytest.raises(OrgRefused) as err:
        org_vault.enrol(worker, other.signed, fingerprint_given=other.profile.fingerprint)
    assert err.value.code == "org-other-organisation"
    # A forged next version with the same org id, signed by an outsider.
    forged = org.sign_profile(
        org.Profile(**{**first.profile.__dict__, "version": 9, "org_key": org.public_bytes(other_key)}),
        other_key,
    )
    with pytest.raises(OrgRefused) as err:
        org_vault.update_profile(worker, forged.signed)
    assert err.value.code == "org-key-changed"
    held = worker.sync.org_profile()
    assert held is not None and held.version == 1


def test_tokens_are_signed_expire_and_are_accepted_once(vault: Vault, worker: Vault) -> None:
    created = org_vault.create_organisation(vault, "Tokens")
    now = 1_800_000_000_000
    token = org_vault.issue_token(vault, hours=2, now_ms=now)
    assert token.expires_ms == now + 2 * HOUR_MS
    # Anyone with the profile checks it with no call (a server, the worker at enrol).
    checked = org.read_token(
        token.text, created.profile.org_key, created.profile.org_id, now_ms=now + HOUR_MS
    )
    assert checked.token_id == token.token_id
    with pytest.raises(OrgRefused) as err:
        org.read_token(token.text, created.profile.org_key, created.profile.org_id, now_ms=now + 2 * HOUR_MS)
    assert err.value.code == "token-expired"
    with pytest.raises(OrgRefused) as err:
        org.read_token(
            token.text, org.public_bytes(Ed25519PrivateKey.generate()), created.profile.org_id, now_ms=now
        )
    assert err.value.code == "token-signature"
    # A token whose payload was changed (a later expiry) no longer verifies.
    prefix, payload, signature = token.text.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["expires_ms"] += 1000 * HOUR_MS
    stretched = base64.urlsafe_b64encode(org.canonical(body)).decode().rstrip("=")
    with pytest.raises(OrgRefused) as err:
        org.read_token(
            f"{prefix}.{stretched}.{signature}", created.profile.org_key, created.profile.org_id, now_ms=now
        )
    assert err.value.code == "token-signature"

    # The coordinator's bookkeeping: once, by one device, before expiry.
    first_device, second_device = worker.device_id, "f" * 32
    assert org_vault.accept_token(vault, token.text, first_device, now_ms=now + 1).token_id == token.token_id
    assert org_vault.accept_token(vault, token.text, first_device, now_ms=now + 2).token_id == token.token_id
    with pytest.raises(OrgRefused) as err:
        org_vault.accept_token(vault, token.text, second_device, now_ms=now + 3)
    assert err.value.code == "token-used"
    late = org_vault.issue_token(vault, hours=1, now_ms=now)
    with pytest.raises(OrgRefused) as err:
        org_vault.accept_token(vault, late.text, second_device, now_ms=now + HOUR_MS)
    assert err.value.code == "token-expired"
    # A token validly signed by the organisation key but not recorded here.
    key = vault.vault_keys.org_signing_key()
    assert key is not None
    stray = org.make_token(key, created.profile.org_id, now + HOUR_MS)
    with pytest.raises(OrgRefused) as err:
        org_vault.accept_token(vault, stray.text, second_device, now_ms=now)
    assert err.value.code == "token-unknown"
    # The worker's enrol checks a token it is given.
    with pytest.raises(OrgRefused) as err:
        org_vault.enrol(
            worker,
            created.signed,
            fingerprint_given=created.profile.fingerprint,
            token=late.text,
            now_ms=now + HOUR_MS,
        )
    assert err.value.code == "token-expired"
    assert worker.sync.org_profile() is None


def test_the_server_side_module_loads_no_database_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys, sync.org\n"
        "bad = [m for m in ('sqlalchemy', 'sqlcipher3', 'db.vault', 'PySide6') if m in sys.modules]\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert out.stdout.strip() == "[]"


def test_a_coordinator_adds_a_device_from_its_card(vault: Vault, worker: Vault) -> None:
    created = org_vault.create_organisation(vault, "Cards")
    org_vault.enrol(worker, created.signed, fingerprint_given=created.profile.fingerprint)
    card = org_vault.own_device_card(worker)
    assert org.read_device_card(card.text) == card
    with pytest.raises(OrgRefused) as err:
        org_vault.add_device(worker, card.text)  # a worker cannot
    assert err.value.code == "org-not-coordinator"
    for bad in ("", "fvd1.xx.age1", card.text.replace("fvd1", "fvd2"), card.text[:-1]):
        with pytest.raises(OrgRefused) as err:
            org_vault.add_device(vault, bad)
        assert err.value.code == "org-device-card-form"
    token = org_vault.issue_token(vault, hours=1)
    device = org_vault.add_device(vault, card.text, token=token.text, label="K-7")
    assert device.device_id == worker.device_id
    held = vault.sync.device(worker.device_id)
    assert held is not None and (held.status, held.role, held.label) == ("enrolled", "device", "K-7")
    assert held.age_recipient == worker.vault_keys.age_recipient()
    # Both screens: the coordinator's code for this device is the worker's own.
    assert (
        org.verification_code(created.profile.org_key, held.public_key)
        == org_vault.status(worker).verification_code
    )
    assert [t.used_by for t in vault.enrolment_tokens.issued()] == [worker.device_id]
    org_vault.revoke_device(vault, worker.device_id)
    with pytest.raises(OrgRefused) as err:
        org_vault.add_device(vault, card.text)
    assert err.value.code == "org-device-revoked"
    revoked = vault.sync.device(worker.device_id)
    assert revoked is not None and revoked.status == "revoked"


def test_coordinators_are_added_and_removed_with_new_versions(
    vault: Vault, worker: Vault, tmp_path: Path
) -> None:
    created = org_vault.create_organisation(vault, "Two desks")
    second = Vault.create(tmp_path / "second", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    try:
        added = org_vault.add_coordinator(vault, org_vault.own_device_card(second).text, label="Lviv desk")
        assert added.profile.version == 2
        assert [c.device_id for c in added.profile.coordinators] == [vault.device_id, second.device_id]
        assert added.profile.coordinators[1].age_recipient == second.vault_keys.age_recipient()
        org_vault.enrol(worker, added.signed, fingerprint_given=created.profile.fingerprint)
        known = worker.sync.device(second.device_id)
        assert known is not None and (known.role, known.status) == ("coordinator", "enrolled")
        # The second coordinator does not hold the organisation key.
        org_vault.enrol(second, added.signed, fingerprint_given=created.profile.fingerprint)
        with pytest.raises(OrgRefused) as err:
            org_vault.issue_token(second, hours=1)
        assert err.value.code == "org-not-key-holder"

        removed = org_vault.remove_coordinator(vault, second.device_id)
        assert removed.profile.version == 3
        assert [c.device_id for c in removed.profile.coordinators] == [vault.device_id]
        org_vault.update_profile(worker, removed.signed)
        known = worker.sync.device(second.device_id)
        assert known is not None and (known.role, known.status) == ("device", "enrolled")
        with pytest.raises(OrgRefused) as err:
            org_vault.remove_coordinator(vault, vault.device_id)
        assert err.value.code == "org-revoke-self"
    finally:
        second.lock()
