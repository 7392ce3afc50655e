"""A history hand-over read after a revocation its maker had not made yet
(review 16 F2; docs/bundle-format.md §5 step 11 and §10), and the gaps a
hand-over's import reports (review 16 F3). Real vaults, USB (a folder).

F2: Kyiv holds the work of two field workers, W and K, and an edit of its
own of W's case; it makes the hand-over for Lviv. Then the organisation
revokes W, and Lviv takes that profile before it imports the hand-over.
Before, Lviv refused the whole hand-over (``signer:<W's revision>``): a
revoked signer was left out of unaddressed bundles only. Through the
server the key desk never makes another, so Lviv then held none of the
history and refused every worker's next bundle. Now the hand-over is
taken as a bundle to coordinators is: W's revisions and Kyiv's edit of
W's case are left out (listed), W's chain and bundles are not recorded,
K's work and Kyiv's own are taken, and Lviv verifies. A send-back to a
field worker keeps refusing a revoked signer (merge.md "Sending back").
The same through a real server: the key desk's round delivered the
hand-over, the revocation is published, and Lviv's next round (the newer
profile at its login, then its inbox) takes it.

F3: a hand-over's import reported its maker's own earlier bundles 1..S-1
as missing, although its ``received`` member records them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.api import NotFound, SyncClientState, Vault, withheld_revision_ids
from sync import org_vault
from sync.bundle.hand_over import hand_over
from sync.client.hand_over_sync import HAND_OVER_STATE
from sync.client.worker import SyncWorker
from sync.merge.devices import devices_view
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, add_desk, assert_verified, revoke, usb_desks
from tests.sync.test_desk_hand_over import desk_added_after_three_bundles

desks = usb_desks  # the fixture, under the name the tests ask for


def _signed_by(vault: Vault, device_id: str) -> set[str]:
    return {r.revision_id for r in vault.revisions.since(0, 10_000) if r.device_id == device_id}


def _stick(desks: UsbDesks, name: str) -> Path:
    folder = desks.tmp_path / name
    folder.mkdir(exist_ok=True)
    return folder


def test_a_hand_over_read_after_a_revocation_is_taken_without_the_revoked_workers_lineage(
    desks: UsbDesks,
) -> None:
    seized, kept = desks.worker("seized"), desks.worker("kept")
    for work in (seized, kept):
        desks.org.import_(desks.org.export(work.vault).path)
    # Kyiv's own edit of the seized worker's case: a descendant of its revision.
    desks.kyiv.cases.edit(seized.case_id, title="Kyiv's edit of the seized worker's case")
    seized_id = seized.vault.device_id
    lineage = _signed_by(desks.kyiv, seized_id)
    edit = set(desks.kyiv.revisions.heads()[seized.case_id])
    assert lineage and len(edit) == 1 and not edit & lineage

    handed = hand_over(desks.kyiv, _stick(desks, "stick"), desks.lviv.device_id)
    assert handed.withheld == ()  # nobody revoked when it was made
    desks.revoke(seized_id)  # Lviv takes the profile revoking W before the hand-over arrives

    taken = desks.to_lviv(handed.path)  # before: BundleRejected signer:<W's revision>

    assert not taken.replay
    assert set(taken.withheld_revisions) == lineage | edit
    at_lviv = {r.revision_id for r in desks.lviv.revisions.since(0, 10_000)}
    assert not at_lviv & (lineage | edit)
    # K's work and the rest of Kyiv's are there: K's case, testimony and evidence bytes.
    assert _signed_by(desks.kyiv, kept.vault.device_id) <= at_lviv
    assert desks.lviv.cases.get(kept.case_id).id == kept.case_id
    assert desks.lviv.evidence.get(kept.evidence_id).sha256 == kept.sha256
    with pytest.raises(NotFound):
        desks.lviv.evidence.get(seized.evidence_id)
    # W's chain and bundles are not recorded; K's are, so K's next bundle follows.
    recorded = {r.device_id for r in desks.lviv.sync.received_bundles()}
    assert kept.vault.device_id in recorded and seized_id not in recorded
    assert_verified(desks.lviv)

    # K's next bundle follows the bundle the hand-over recorded: taken, no gap.
    later = make_case(kept.vault, title="K's next case")
    following = desks.to_lviv(desks.org.export(kept.vault).path)
    assert (following.replay, following.sequence, following.gaps) == (False, 2, ())
    assert desks.lviv.cases.get(later.id).title == "K's next case"


def test_a_hand_over_reports_no_gap_for_its_makers_bundles_it_records(desks: UsbDesks) -> None:
    """Kyiv made bundles 1 and 2 to the coordinators, a hand-over for Odesa
    (3), bundle 4 to the coordinators, then the hand-over for Lviv (5); Lviv
    imported none of them. The hand-over records 1, 2 and 4 (and 3 as
    addressed): its import reports no gap (before: 1..4 missing), and the
    devices view agrees."""
    for title in ("first", "second"):
        make_case(desks.kyiv, title=f"Kyiv, {title}")
        desks.kyiv_bundle()
    odesa = add_desk(desks.kyiv, desks.tmp_path / "odesa", label="Odesa desk")
    desks.others.append(odesa)  # closed with the world
    hand_over(desks.kyiv, _stick(desks, "odesa"), odesa.device_id)
    make_case(desks.kyiv, title="Kyiv, fourth")
    desks.kyiv_bundle()

    handed = hand_over(desks.kyiv, _stick(desks, "lviv"), desks.lviv.device_id)
    assert handed.sequence == 5
    taken = desks.to_lviv(handed.path)
    assert (taken.sequence, taken.gaps) == (5, ())  # before: Gap(kyiv, 1, 4)
    [row] = [r for r in devices_view(desks.lviv) if r.device_id == desks.kyiv.device_id]
    assert row.gaps == ()
    assert_verified(desks.lviv)


def test_through_the_server_the_new_desk_takes_a_hand_over_made_before_a_revocation(tmp_path: Path) -> None:
    """The key desk's round made the hand-over for Lviv and delivered it to
    Lviv's inbox; then Kyiv revokes the worker and publishes the profile.
    Lviv's round takes that profile at its login, before its inbox: the
    hand-over is taken, the worker's revisions left out and kept as left
    out (before: refused at every round, then set aside, and Kyiv never
    made another)."""
    with desk_added_after_three_bundles(tmp_path) as late:
        kyiv, lviv, worker = late.kyiv, late.lviv, late.worker
        made = json.loads(SyncClientState.of(kyiv).value(HAND_OVER_STATE) or "{}")
        assert list(made["made"]) == [lviv.device_id]
        lineage = _signed_by(kyiv, worker.device_id)
        assert lineage
        revoke(kyiv, worker.device_id, publish=True)

        status = SyncWorker(lviv, proxy=False).run_once()

        [handed] = [s.bundle_id for s in kyiv.sync.sent_bundles() if s.addressee == lviv.device_id]
        assert status.last_error is None
        # The revoked worker's own bundles in the feed are refused, as ever; the hand-over is not.
        assert {reason for _bundle, reason in status.refused} <= {"bundle-device-revoked"}
        assert handed not in {bundle for bundle, _reason in status.refused}
        held = org_vault.held_profile(lviv)
        assert held is not None and worker.device_id in held.revoked
        assert lviv.sync.received_bundle(handed) is not None
        assert lineage <= withheld_revision_ids(lviv)
        assert not lineage & {r.revision_id for r in lviv.revisions.since(0, 10_000)}
        assert worker.device_id not in {r.device_id for r in lviv.sync.received_bundles()}
        assert_verified(lviv)
