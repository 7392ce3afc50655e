"""A coordinator desk without the organisation key (added with ``org
add-coordinator``) approves a held bundle by its verification code and adds
a device by its card (docs/org-profile.md §6): it is a coordinator of the
signed profile, and the devices it enrols reach the desk with the key in
its vouches (docs/bundle-format.md §8). Tokens stay with the key holder; a
field worker's vault is still refused.

Real vaults, bundles through a folder standing for a USB stick."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from sync import org_vault
from sync.bundle.quarantine import QuarantineRefused, approve_bundle
from sync.org import OrgRefused
from tests.sync.desk_world import UsbDesks, usb_desks

desks = usb_desks  # the fixture, under the name the tests ask for


@dataclass(frozen=True)
class Held:
    device_id: str
    code: str  # the verification code the worker's vault shows
    bundle_id: str
    path: Path


def _held_at_lviv(desks: UsbDesks, name: str) -> Held:
    """A worker enrolled with no token; its first bundle held at Lviv."""
    field = desks.org.worker(name)
    made = desks.org.export(field.vault)
    desks.hold_at_lviv(made.path)
    code = org_vault.status(field.vault).verification_code
    return Held(field.vault.device_id, code, made.bundle_id, made.path)


def test_a_desk_without_the_key_approves_by_code_and_its_vouch_enrols_the_device_at_the_key_desk(
    desks: UsbDesks,
) -> None:
    assert not org_vault.status(desks.lviv).is_coordinator  # no key here
    held = _held_at_lviv(desks, "field")
    imported = approve_bundle(desks.lviv, held.bundle_id, held.code, desks.lviv.vault_keys.age_identity())
    assert (imported.bundle_id, imported.replay) == (held.bundle_id, False)
    known = desks.lviv.sync.device(held.device_id)
    assert known is not None and (known.status, known.role) == ("enrolled", "device")
    assert desks.lviv.sync.held_bundles() == []
    assert desks.lviv.sync.received_bundle(held.bundle_id) is not None

    # Kyiv never saw the worker; Lviv's next bundle to coordinators vouches for it.
    assert desks.kyiv.sync.device(held.device_id) is None
    lviv_bundle = desks.org.export(desks.lviv)
    assert desks.org.import_(lviv_bundle.path).vouched == (held.device_id,)
    at_kyiv = desks.kyiv.sync.device(held.device_id)
    assert at_kyiv is not None
    assert (at_kyiv.status, at_kyiv.vouched_by) == ("enrolled", desks.lviv.device_id)
    assert at_kyiv.public_key == known.public_key
    # ... and the worker's bundle goes straight in there.
    assert not desks.org.import_(held.path).replay
    assert desks.kyiv.verify().ok and desks.lviv.verify().ok


def test_a_wrong_code_at_a_desk_without_the_key_changes_nothing(desks: UsbDesks) -> None:
    held = _held_at_lviv(desks, "field")
    other = _held_at_lviv(desks, "other")
    identity = desks.lviv.vault_keys.age_identity()
    with pytest.raises(QuarantineRefused) as refused:
        # Another device's code: a real code, not this one's.
        approve_bundle(desks.lviv, held.bundle_id, other.code, identity)
    assert refused.value.code == "quarantine-code-mismatch"
    assert desks.lviv.sync.device(held.device_id) is None
    assert {h.bundle_id for h in desks.lviv.sync.held_bundles()} == {held.bundle_id, other.bundle_id}
    assert desks.lviv.sync.received_bundle(held.bundle_id) is None


def test_a_desk_without_the_key_adds_a_device_by_its_card_but_takes_no_token(desks: UsbDesks) -> None:
    field = desks.org.worker("field")
    card = org_vault.own_device_card(field.vault).text
    with pytest.raises(OrgRefused) as refused:
        org_vault.add_device(desks.lviv, card, token=desks.org.token())
    assert refused.value.code == "org-token-needs-key"
    assert "key" in str(refused.value)
    assert desks.lviv.sync.device(field.vault.device_id) is None  # nothing changed

    device = org_vault.add_device(desks.lviv, card, label="Field laptop")
    assert (device.device_id, device.status, device.role) == (field.vault.device_id, "enrolled", "device")
    assert desks.lviv.sync.device(field.vault.device_id) == device
    # Its bundles now go straight in at Lviv.
    made = desks.org.export(field.vault)
    assert not desks.to_lviv(made.path).replay


def test_a_field_worker_still_may_not_add_a_device(desks: UsbDesks) -> None:
    field = desks.org.worker("field")
    other = desks.org.worker("other")
    with pytest.raises(OrgRefused) as refused:
        org_vault.add_device(field.vault, org_vault.own_device_card(other.vault).text)
    assert refused.value.code == "org-not-coordinator"
    assert field.vault.sync.device(other.vault.device_id) is None


def test_a_desk_without_the_key_is_told_only_the_key_desk_changes_the_profile(desks: UsbDesks) -> None:
    """Lviv is a coordinator, so "not a coordinator" would be false there: it
    is told that only the desk that created the organisation (its key) may,
    and nothing changes at Lviv."""
    field = desks.org.worker("field")
    card = org_vault.own_device_card(field.vault).text
    before = desks.lviv.sync.org_profile()
    for change in (
        lambda: org_vault.issue_token(desks.lviv, hours=1),
        lambda: org_vault.revoke_device(desks.lviv, field.vault.device_id),
        lambda: org_vault.add_coordinator(desks.lviv, card),
        lambda: org_vault.remove_coordinator(desks.lviv, desks.kyiv.device_id),
        lambda: org_vault.set_policy(desks.lviv, purge_after_delivery=True),
        lambda: org_vault.set_server(desks.lviv, "https://sync.example.org", "ab" * 32),
    ):
        with pytest.raises(OrgRefused) as refused:
            change()
        assert refused.value.code == "org-not-key-holder"
        assert refused.value.params == {"org_id": desks.org.org_id}
        assert "created organisation" in str(refused.value) and "Ask that desk" in str(refused.value)
    assert desks.lviv.sync.org_profile() == before  # no new version
    assert desks.lviv.enrolment_tokens.issued() == []
    known = desks.lviv.sync.device(field.vault.device_id)
    assert known is None or known.status != "revoked"


def test_a_field_worker_is_still_told_it_is_not_a_coordinator(desks: UsbDesks) -> None:
    field = desks.org.worker("field")
    other = desks.org.worker("other")
    card = org_vault.own_device_card(other.vault).text
    before = field.vault.sync.org_profile()
    for change in (
        lambda: org_vault.issue_token(field.vault, hours=1),
        lambda: org_vault.revoke_device(field.vault, other.vault.device_id),
        lambda: org_vault.add_coordinator(field.vault, card),
    ):
        with pytest.raises(OrgRefused) as refused:
            change()
        assert refused.value.code == "org-not-coordinator"
    assert field.vault.sync.org_profile() == before
