"""A history hand-over carrying the evidence of a worker whose vouch lapsed
at the new desk (session 15, H1's "noticed": docs/bundle-format.md §10
"Lapsed since it was made").

The scene, real vaults and real signed bundles by USB (H1's scene of
tests/sync/test_held_bundle_received_elsewhere.py, with a photo): Odesa
vouches for field worker X at Kyiv and Lviv; X records a photo, so it has
a custody chain; Kyiv takes X's bundle and makes Lviv a history hand-over.
Then Kyiv removes Odesa from the coordinators: Lviv takes the new profile,
so X is ``pending`` there (its vouch lapsed, not revoked), and then the
hand-over, made under the older profile (its word does not enrol X again).

Before: Lviv refused the whole hand-over, ``custody:<hash>`` (the pending
device's chain events were not accepted), so the new desk held none of
the history (3 of these 4 tests fail at 4b6f19c). Now it is taken:
X's case and photo kept aside with the photo's bytes, X's chain events
verified with X's key and not stored, X's bundle not counted received, so
X's own file brings the chain when X is approved by its code (or after X
is enrolled by card); everything else applied. A flipped bit in one of X's
events still refuses the whole hand-over."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from db.api import Vault
from sync import org_vault
from sync.bundle import hand_over as hand_over_module
from sync.bundle.errors import BundleRejected
from sync.bundle.hand_over import HandedOver, hand_over
from sync.bundle.quarantine import approve_bundle
from sync.bundle.vault_io import ExportedBundle, ImportedBundle, _event_device
from tests.factory import make_case
from tests.sync.desk_world import (
    UsbDesks,
    add_desk,
    assert_verified,
    import_by_usb,
    odesa_vouches_for_x,
    usb_desks,
)

desks = usb_desks
__all__ = ["desks"]
PHOTO = b"\xff\xd8\xff\xe0 X's photo of the burnt granary " * 64
PHOTO_SHA256 = hashlib.sha256(PHOTO).hexdigest()
KYIV_CASE = "Kyiv's own case"
LATER = "X's case recorded while Odesa's word stood"


@dataclass
class Scene:
    x: Vault
    bundle: ExportedBundle  # X's bundle with the photo: taken at Kyiv, carried by the hand-over
    made: HandedOver


def _titles(vault: Vault) -> set[str]:
    return {case.title for case in vault.cases.list()}


def _photo_at(vault: Vault) -> bytes | None:
    try:
        with vault.sync.open_blob(PHOTO_SHA256) as reader:
            return reader.read()
    except Exception:  # noqa: BLE001 - any refusal means: not held
        return None


def _x_chain(vault: Vault, x_id: str) -> list[str]:
    return [event.event_hash for event in vault.sync.received_custody_since(x_id, 0, 1000)]


def _flip_x_events(x_id: str) -> Callable[[hand_over_module._Split, Any], Iterable[dict[str, Any]]]:
    """Kyiv's real writer, each of X's custody events with one bit of its
    signature flipped (its hash still that of its signed bytes)."""
    lines = hand_over_module._Split.custody_lines

    def flipped(self: hand_over_module._Split, part: Any) -> Iterable[dict[str, Any]]:
        def walk() -> Iterator[dict[str, Any]]:
            for wire in lines(self, part):
                if _event_device(wire) == x_id:
                    signature = bytearray(base64.b64decode(wire["signature"]))
                    signature[0] ^= 1
                    wire = {**wire, "signature": base64.b64encode(bytes(signature)).decode()}
                yield wire

        return hand_over_module._Walk(walk)

    return flipped


def _lapsed_at_lviv(desks: UsbDesks, tmp_path: Path, *, flip: bool = False) -> Scene:
    vouched = odesa_vouches_for_x(desks, tmp_path)
    odesa, x, case = vouched.odesa, vouched.x, vouched.first_case
    assert vouched.vouched_at_lviv == (x.device_id,)
    assert vouched.vouched_at_kyiv == (x.device_id,)
    # Recorded while Odesa's word stands; Lviv learns of it by the hand-over only.
    make_case(x, title=LATER)
    source = tmp_path / "granary.jpg"
    source.write_bytes(PHOTO)
    x.evidence.ingest(source, case.id)
    source.unlink()
    bundle = desks.org.export(x)
    assert bundle.custody_events > 0  # X's chain: the photo's intake
    desks.org.import_(bundle.path)  # Kyiv received it
    assert _photo_at(desks.kyiv) == PHOTO
    make_case(desks.kyiv, title=KYIV_CASE)
    stick = tmp_path / "stick"
    stick.mkdir()
    with pytest.MonkeyPatch.context() as patched:
        if flip:
            patched.setattr(hand_over_module._Split, "custody_lines", _flip_x_events(x.device_id))
        made = hand_over(desks.kyiv, stick, desks.lviv.device_id)

    org_vault.update_profile(desks.lviv, org_vault.remove_coordinator(desks.kyiv, odesa.device_id).signed)
    assert desks.lviv.sync.device(x.device_id).status == "pending"  # type: ignore[union-attr]
    return Scene(x, bundle, made)


def _taken(desks: UsbDesks, scene: Scene) -> ImportedBundle:
    """Lviv takes the hand-over. Before: refused whole, BundleRejected
    ``custody:<hash>`` ("it holds a custody event that does not match its
    manifest or chain ... Nothing of it was applied"): the coordinator at
    Lviv held none of the history, Kyiv's own case neither."""
    taken = desks.to_lviv(scene.made.path)
    lviv, x_id = desks.lviv, scene.x.device_id
    assert KYIV_CASE in _titles(lviv)  # the rest of the hand-over is applied
    assert taken.signer_pending  # X's case and photo kept aside, as X's vouch lapsed
    assert lviv.sync.device(x_id).status == "pending"  # type: ignore[union-attr]
    assert LATER not in _titles(lviv)
    assert _x_chain(lviv, x_id) == []  # X's chain not taken
    # X's bundle is not counted received on the hand-over's word: X's own
    # file brings the chain when X is approved.
    assert lviv.sync.received_bundle(scene.bundle.bundle_id) is None
    assert_verified(lviv)
    return taken


def test_the_hand_over_is_taken_with_the_lapsed_workers_part_kept_aside(
    desks: UsbDesks, tmp_path: Path
) -> None:
    scene = _lapsed_at_lviv(desks, tmp_path)
    _taken(desks, scene)


def test_approving_x_by_its_code_stores_its_case_photo_and_chain(desks: UsbDesks, tmp_path: Path) -> None:
    scene = _lapsed_at_lviv(desks, tmp_path)
    _taken(desks, scene)
    lviv, x_id = desks.lviv, scene.x.device_id
    # X's own file of that bundle reaches Lviv: held, as from an unknown device.
    assert desks.hold_at_lviv(scene.bundle.path).reason == "device-unknown"
    code = org_vault.status(scene.x).verification_code
    approved = approve_bundle(lviv, scene.bundle.bundle_id, code, lviv.vault_keys.age_identity())
    assert not approved.replay  # read whole: its chain checked now, with X's key
    known = lviv.sync.device(x_id)
    assert known is not None and known.status == "enrolled"
    assert LATER in _titles(lviv)
    assert _photo_at(lviv) == PHOTO
    assert _x_chain(lviv, x_id) == _x_chain(desks.kyiv, x_id) != []
    assert_verified(lviv)


def test_enrolling_x_by_card_then_its_bundle_brings_the_chain(desks: UsbDesks, tmp_path: Path) -> None:
    scene = _lapsed_at_lviv(desks, tmp_path)
    _taken(desks, scene)
    lviv, x_id = desks.lviv, scene.x.device_id
    org_vault.add_device(lviv, org_vault.own_device_card(scene.x).text, label="X")
    assert LATER in _titles(lviv)  # kept aside, stored at the enrolment
    assert _photo_at(lviv) == PHOTO  # the bytes the hand-over brought, kept for this day
    assert _x_chain(lviv, x_id) == []
    assert_verified(lviv)
    imported = desks.to_lviv(scene.bundle.path)
    assert not imported.replay
    assert _photo_at(lviv) == PHOTO
    assert _x_chain(lviv, x_id) == _x_chain(desks.kyiv, x_id) != []
    assert_verified(lviv)


def test_a_flipped_bit_in_the_lapsed_workers_chain_still_refuses_the_hand_over(
    desks: UsbDesks, tmp_path: Path
) -> None:
    scene = _lapsed_at_lviv(desks, tmp_path, flip=True)
    with pytest.raises(BundleRejected) as refused:
        desks.to_lviv(scene.made.path)
    assert refused.value.kind == "custody"
    assert KYIV_CASE not in _titles(desks.lviv)  # nothing of it applied


def test_a_desk_added_after_the_lapse_takes_the_hand_over_naming_x_lapsed(
    desks: UsbDesks, tmp_path: Path
) -> None:
    """The lapse before the hand-over is made (tests/sync/test_lapsed_signer_handed_over.py,
    with a photo): Kyiv removes Odesa, then adds Rivne and hands over to it.
    The maker leaves X's chain and received entries out itself
    (sync/bundle/hand_over.py ``leave_out``); Rivne ends as Lviv does above
    (this passed before too: the rule Lviv now follows is the maker's)."""
    scene = _lapsed_at_lviv(desks, tmp_path)  # Kyiv took X's photo; Odesa removed
    kyiv, x_id = desks.kyiv, scene.x.device_id
    assert kyiv.sync.device(x_id).status == "pending"  # type: ignore[union-attr]
    rivne = add_desk(kyiv, tmp_path / "rivne", label="Rivne desk")
    desks.others.append(rivne)
    stick = tmp_path / "stick-rivne"
    stick.mkdir()
    made = hand_over(kyiv, stick, rivne.device_id)
    taken = import_by_usb(rivne, made.path, desks.org.org_id)
    assert KYIV_CASE in _titles(rivne)
    assert taken.signer_pending and LATER not in _titles(rivne)
    assert rivne.sync.device(x_id).status == "pending"  # type: ignore[union-attr]
    assert _x_chain(rivne, x_id) == []
    assert_verified(rivne)
