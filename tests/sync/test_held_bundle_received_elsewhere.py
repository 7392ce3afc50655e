"""A bundle held in quarantine that this desk has since counted as received
on another bundle's word (review 22, "Noticed, not reproduced", first
bullet; docs/bundle-format.md §5 step 5, §10).

The scene, real vaults and real signed bundles by USB: Odesa vouches for
field worker X (a vault with cases, no evidence, so no custody chain) at
Kyiv and Lviv; Kyiv takes X's second bundle while Odesa's word stands, and
makes Lviv a history hand-over, whose ``received`` names that bundle. Then
Kyiv removes Odesa: Lviv takes the new profile, so X is ``pending`` there
(its vouch lapsed). X's second bundle reaches Lviv by USB: held, as from an
unknown device. Then Lviv takes the hand-over (made under the older
profile: its word does not enrol X again, §8): X's revisions are kept
aside and the bundle counts as received.

Found with this test, before the fix: the hand-over marked the held row
``approved`` though nobody approved X; and approving it by X's verification
code answered a replay and enrolled nothing, while ``bundle approve`` said
"approved and enrolled": X stayed pending and its case kept aside."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import HeldBundle, Vault
from sync import org_vault
from sync.bundle.quarantine import QuarantineRefused, approve_bundle, held_states
from sync.bundle.vault_io import ExportedBundle
from tests.cli_helpers import Cli, child_env
from tests.sync.desk_world import UsbDesks, assert_verified, handed_over_then_lapsed, usb_desks
from tests.vault_helpers import PASSPHRASE, open_vault

desks = usb_desks
__all__ = ["desks"]
LATER = "X's case recorded while Odesa's word stood"


@dataclass
class Scene:
    x: Vault
    second: ExportedBundle  # X's bundle 2: held at Lviv, then received there on the hand-over's word


def _titles(vault: Vault) -> set[str]:
    return {case.title for case in vault.cases.list()}


def _row(vault: Vault, bundle_id: str) -> HeldBundle:
    row = vault.sync.held_bundle(bundle_id)
    assert row is not None  # kept for the record, never deleted
    return row


def _held_then_received_on_word(desks: UsbDesks, tmp_path: Path) -> Scene:
    built = handed_over_then_lapsed(desks, tmp_path, LATER)
    x, second, made = built.vouched.x, built.second, built.made
    assert built.vouched.vouched_at_lviv == (x.device_id,)
    assert built.vouched.vouched_at_kyiv == (x.device_id,)
    assert second.custody_events == 0  # no chain of X to take: the hand-over's entry is recorded
    assert desks.hold_at_lviv(second.path).reason == "device-unknown"
    assert _row(desks.lviv, second.bundle_id).status == "held"

    taken = desks.to_lviv(made.path)
    assert taken.signer_pending  # X's revisions kept aside, X still pending
    assert desks.lviv.sync.received_bundle(second.bundle_id) is not None
    assert desks.lviv.sync.device(x.device_id).status == "pending"  # type: ignore[union-attr]
    assert LATER not in _titles(desks.lviv)
    return Scene(x, second)


def test_a_hand_over_resolves_a_held_bundle_as_received_and_approving_it_enrols_the_device(
    desks: UsbDesks, tmp_path: Path
) -> None:
    scene = _held_then_received_on_word(desks, tmp_path)
    lviv, x_id, bundle_id = desks.lviv, scene.x.device_id, scene.second.bundle_id

    # Resolved, kept for the record: not "approved" (nobody approved X; before
    # the fix it said so), and not listed as waiting in quarantine.
    row = _row(lviv, bundle_id)
    assert (row.status, row.decided_ms is not None) == ("received", True)
    assert lviv.sync.held_bundles() == []
    # Listed for the devices view as awaiting its code (review 23 F1): the
    # approval is what enrols X.
    assert [(s.state, s.held.bundle_id) for s in held_states(lviv)] == [
        ("received-awaiting-verification", bundle_id)
    ]

    # A misheard code changes nothing: X stays pending, the row received.
    with pytest.raises(QuarantineRefused) as refused:
        approve_bundle(lviv, bundle_id, "00000 00000 00000 00000 00000 00000", lviv.vault_keys.age_identity())
    assert refused.value.code == "quarantine-code-mismatch"
    assert lviv.sync.device(x_id).status == "pending"  # type: ignore[union-attr]
    assert _row(lviv, bundle_id).status == "received"

    # X's code, compared: the coordinator's act of trust. Before the fix: a
    # replay, X pending, its case kept aside, while the command said approved.
    code = org_vault.status(scene.x).verification_code
    approved = approve_bundle(lviv, bundle_id, code, lviv.vault_keys.age_identity())
    assert approved.replay  # its content was not read again: it is here
    known = lviv.sync.device(x_id)
    assert known is not None and (known.status, known.vouched_by) == ("enrolled", None)
    assert approved.unparked_revisions  # X's revisions kept aside, stored now
    assert LATER in _titles(lviv)
    row = _row(lviv, bundle_id)
    assert (row.status, row.decided_ms is not None) == ("approved", True)
    assert lviv.sync.held_bundles() == []
    assert held_states(lviv) == []
    assert_verified(lviv)


def test_bundle_approve_says_what_it_did_and_did_it(desks: UsbDesks, tmp_path: Path) -> None:
    """The command's word: before the fix it printed "approved and enrolled"
    over a replay that enrolled nothing."""
    scene = _held_then_received_on_word(desks, tmp_path)
    code = org_vault.status(scene.x).verification_code
    folder = desks.lviv.folder
    desks.lviv.lock()
    said = Cli(folder, child_env(tmp_path)).run(
        "bundle", "approve", scene.second.bundle_id, "--code", code, secrets=[PASSPHRASE]
    )
    assert f"Device {scene.x.device_id} approved and enrolled." in said.stdout
    assert "already imported" in said.stdout and "kept aside stored now" in said.stdout
    desks.lviv = open_vault(folder)
    known = desks.lviv.sync.device(scene.x.device_id)
    assert known is not None and known.status == "enrolled"
    assert LATER in _titles(desks.lviv)
    assert _row(desks.lviv, scene.second.bundle_id).status == "approved"


def test_a_bundle_received_here_is_never_held_afresh(desks: UsbDesks) -> None:
    """What an import that read "not received" and then held the bundle
    would write, after another import recorded it received meanwhile: no
    row (it would wait for nothing, listed as held for good)."""
    worker = desks.worker("w")
    bundle = desks.org.export(worker.vault)
    desks.org.import_(bundle.path)
    header_key = worker.vault.sync.signing_key().public_key().public_bytes_raw()
    late = HeldBundle(
        bundle_id=bundle.bundle_id,
        device_id=worker.vault.device_id,
        device_key=header_key,
        age_recipient=None,
        sequence=bundle.sequence,
        reason="device-unknown",
        token_id=None,
        path=str(bundle.path),
        received_ms=1,
    )
    assert desks.kyiv.sync.hold_bundle(late) is False
    assert desks.kyiv.sync.held_bundle(bundle.bundle_id) is None
    # A bundle not received is held as before.
    other = desks.worker("v")
    made = desks.org.export(other.vault)
    fresh = HeldBundle(**{**late.__dict__, "bundle_id": made.bundle_id, "device_id": other.vault.device_id})
    assert desks.kyiv.sync.hold_bundle(fresh) is True
    assert _row(desks.kyiv, made.bundle_id).status == "held"
