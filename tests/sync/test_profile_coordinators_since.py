"""The profile's ``coordinators_since`` (docs/org-profile.md §1): the version
at which its coordinators — the bundle recipients — last changed. The key
holder works it out with each new version (kept by a revocation, a server,
a policy; the new version when a coordinator is added, removed or revoked),
it is signed with the rest, and a reader refuses a value that cannot be
true. A coordinator desk counts a bundle made under any version since then
as readable by every coordinator (org_held.every_coordinator_reads; the
end-to-end tests are in tests/sync/client/test_relay_faults.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.api import OrgProfileOutdated, Vault
from sync import org, org_vault
from sync.org import OrgRefused, SignedProfile
from tests.sync.client.sync_helpers import new_vault


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[tuple[Vault, Vault, Vault]]:
    """Kyiv (it creates the organisation and holds its key), Lviv (a
    second desk, not yet a coordinator) and a field worker."""
    vaults = [new_vault(tmp_path / name) for name in ("kyiv", "lviv", "worker")]
    try:
        yield vaults[0], vaults[1], vaults[2]
    finally:
        for vault in vaults:
            vault.lock()


def _as_read(signed: SignedProfile) -> dict[str, Any]:
    """The profile member of the file, as a reader sees it."""
    body: dict[str, Any] = json.loads(signed.signed)["profile"]
    return body


def _signed_body(body: dict[str, Any], key: Ed25519PrivateKey) -> bytes:
    """A profile file signed by the organisation key as it is, checked by
    nobody: what a faulty or older key holder could publish."""
    signature = key.sign(org.PROFILE_DOMAIN + org.canonical(body))
    return org.canonical({"profile": body, "signature": org._b64(signature)})


def test_a_revocation_keeps_it_and_a_change_of_coordinators_moves_it(
    desks: tuple[Vault, Vault, Vault],
) -> None:
    kyiv, lviv, worker = desks
    created = org_vault.create_organisation(kyiv, "Two desks")
    assert (created.profile.version, created.profile.coordinators_since) == (1, 1)
    assert "coordinators_since" not in _as_read(created)  # changed at this version: not written
    fp = created.profile.fingerprint
    org_vault.enrol(worker, created.signed, fingerprint_given=fp)
    org_vault.enrol(lviv, created.signed, fingerprint_given=fp)
    card = org_vault.own_device_card(lviv).text

    added = org_vault.add_coordinator(kyiv, card, label="Lviv")
    assert (added.profile.version, added.profile.coordinators_since) == (2, 2)
    assert "coordinators_since" not in _as_read(added)

    # A field device revoked, a server, a policy: the coordinators are the
    # same, so the member keeps the version they were set at.
    revoked = org_vault.revoke_device(kyiv, "f" * 32)  # a lost laptop
    assert (revoked.profile.version, revoked.profile.coordinators_since) == (3, 2)
    assert _as_read(revoked)["coordinators_since"] == 2  # in the signed file
    served = org_vault.set_server(kyiv, "https://sync.example.org", "ab" * 32)
    assert (served.profile.version, served.profile.coordinators_since) == (4, 2)
    policy = org_vault.set_policy(kyiv, send_to_workers="all")
    assert (policy.profile.version, policy.profile.coordinators_since) == (5, 2)
    # A label is no change of recipients; neither is taking the same card again.
    assert org_vault.add_coordinator(kyiv, card, label="Lviv again").profile.version == 5

    # What every vault that takes it reads back: the worker and Lviv.
    for vault in (worker, lviv):
        taken = org_vault.update_profile(vault, policy.signed)
        assert taken.coordinators_since == 2
        held = org_vault.held_profile(vault)
        assert held is not None and held == policy.profile

    removed = org_vault.remove_coordinator(kyiv, lviv.device_id)
    assert (removed.profile.version, removed.profile.coordinators_since) == (6, 6)
    assert "coordinators_since" not in _as_read(removed)
    again = org_vault.add_coordinator(kyiv, card, label="Lviv")
    assert (again.profile.version, again.profile.coordinators_since) == (7, 7)
    # Revoking a coordinator takes it out of the coordinators: a change.
    gone = org_vault.revoke_device(kyiv, lviv.device_id)
    assert (gone.profile.version, gone.profile.coordinators_since) == (8, 8)
    served = org_vault.set_server(kyiv, "https://sync2.example.org", "cd" * 32)
    assert (served.profile.version, served.profile.coordinators_since) == (9, 8)


def test_a_coordinators_new_recipient_moves_it() -> None:
    """The key holder's function itself: the same device with another age
    recipient is another set of recipients."""
    key = Ed25519PrivateKey.generate()
    desk = org.Coordinator(
        org.device_id_of(org.public_bytes(key)), org.public_bytes(key), "age1" + "q" * 58, "desk"
    )
    first = org.new_profile("Group", key, desk)
    kept = org.next_version(first, revoked=("0" * 32,))
    assert (kept.version, kept.coordinators_since) == (2, 1)
    relabelled = org.next_version(kept, coordinators=(replace(desk, label="Kyiv"),))
    assert (relabelled.version, relabelled.coordinators_since) == (3, 1)
    rekeyed = org.next_version(relabelled, coordinators=(replace(desk, age_recipient="age1" + "p" * 58),))
    assert (rekeyed.version, rekeyed.coordinators_since) == (4, 4)
    # Never taken from the caller: a wrong value would have a desk hold
    # what a coordinator cannot read.
    with pytest.raises(ValueError):
        org.next_version(rekeyed, coordinators_since=1)
    for profile in (kept, relabelled, rekeyed):
        assert org.read_profile(org.sign_profile(profile, key).signed) == profile


def test_a_value_that_cannot_be_true_is_refused(desks: tuple[Vault, Vault, Vault]) -> None:
    kyiv, _lviv, worker = desks
    created = org_vault.create_organisation(kyiv, "Group")
    org_vault.enrol(worker, created.signed, fingerprint_given=created.profile.fingerprint)
    key = kyiv.vault_keys.org_signing_key()
    assert key is not None
    body = {**created.profile.to_json(), "version": 3}
    # Well formed: an older version than the profile's own, 1 or more.
    for since in (1, 2):
        profile = org.read_profile(_signed_body({**body, "coordinators_since": since}, key))
        assert (profile.version, profile.coordinators_since) == (3, since)
    # Absent (a profile made before the member): its own version, the rule before it.
    assert org.read_profile(_signed_body(body, key)).coordinators_since == 3
    # Above its version, below 1, not an integer, or present though it is
    # the default (one content, one canonical form): refused, signed or not.
    for bad in (4, 10, 0, -1, "2", 2.5, True, None, [2], 3):
        signed = _signed_body({**body, "coordinators_since": bad}, key)
        with pytest.raises(OrgRefused) as err:
            org.read_profile(signed)
        assert err.value.code == "org-profile-form", bad
        with pytest.raises(OrgRefused) as err:
            org_vault.update_profile(worker, signed)
        assert err.value.code == "org-profile-form"
    held = org_vault.held_profile(worker)
    assert held is not None and held.version == 1  # nothing was taken
    # The key holder's code never signs one either.
    with pytest.raises(OrgRefused):
        org.sign_profile(replace(created.profile, version=3, coordinators_since=4), key)


def test_it_is_signed_and_an_older_version_never_replaces_a_newer(desks: tuple[Vault, Vault, Vault]) -> None:
    kyiv, lviv, worker = desks
    created = org_vault.create_organisation(kyiv, "Group")
    org_vault.enrol(worker, created.signed, fingerprint_given=created.profile.fingerprint)
    added = org_vault.add_coordinator(kyiv, org_vault.own_device_card(lviv).text, label="Lviv")
    revoked = org_vault.revoke_device(kyiv, "f" * 32)
    assert revoked.profile.coordinators_since == 2
    # Changed on its way (to make an older bundle count as readable by the
    # desk added at version 2): the signature no longer verifies.
    envelope = json.loads(revoked.signed)
    envelope["profile"]["coordinators_since"] = 1
    with pytest.raises(OrgRefused) as err:
        org_vault.update_profile(worker, org.canonical(envelope))
    assert err.value.code == "org-profile-signature"
    org_vault.update_profile(worker, revoked.signed)
    with pytest.raises(OrgProfileOutdated):
        org_vault.update_profile(worker, added.signed)
    held = org_vault.held_profile(worker)
    assert held is not None and (held.version, held.coordinators_since) == (3, 2)
