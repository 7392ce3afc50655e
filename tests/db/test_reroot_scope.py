"""A re-root hides only a revoked device's line (review 19 F4; db/derive.py;
threat-model.md §2.8), in real vaults with real bundles by USB.

Before the fix, the importer took any coordinator's re-root and hid
whatever it superseded: a compromised coordinator hid an honest worker's
edit, and that worker's next edit, with no conflict shown. Now a desk hides
a superseded revision only while the profile it holds revokes its line's
signer, so such a re-root is one more head, a conflict a person sees; and a
genuine re-root that reaches a desk before the profile revoking the line
shows as a conflict there until that profile arrives, when the record
derives afresh and the desks converge."""

from __future__ import annotations

import pytest

from db.api import Vault
from db.revisions import Reroot
from sync import org, org_vault
from sync.merge.frozen_records import frozen_records, reroot
from tests.db.revocation_world import KYIV_TITLE, build_before_revocation
from tests.sync.desk_world import UsbDesks, add_desk, assert_verified, import_by_usb, revoke, usb_desks

desks = usb_desks  # the fixture, under the name the tests ask for


def _heads(vault: Vault, entity_id: str) -> frozenset[str]:
    return vault.revisions.heads()[entity_id]


def _frozen_ids(vault: Vault) -> set[str]:
    return {record.entity_id for record in frozen_records(vault).records}


def _revision_ids(vault: Vault, entity_id: str) -> set[str]:
    return {rev.revision_id for rev in vault.revisions.all() if rev.entity_id == entity_id}


def _forged_reroot(desk: Vault, entity_id: str, parent: str, superseded: str) -> str:
    """What a compromised coordinator's modified app signs: a re-root of a
    record no revocation froze, superseding an honest edit (the desk's own
    ``reroot`` refuses it as reroot-not-frozen)."""
    held = desk.cases.get(entity_id)
    ctx = desk.services.context
    with ctx.write_transaction("a forged re-root") as session:
        rev = ctx.commit_local(
            session,
            {
                "entity_id": entity_id,
                "entity_type": "case",
                "op": "put",
                "body": {"title": "rewritten", "description": held.description, "notes": held.notes},
                "parents": [parent],
                "reroot": Reroot("as-before", (superseded,)),
            },
        )
    return rev.revision_id


def test_a_re_root_of_an_unrevoked_workers_edit_leaves_it_and_later_edits_as_a_conflict(
    desks: UsbDesks,
) -> None:
    worker = desks.worker("honest")
    desks.org.import_(desks.org.export(worker.vault).path)
    case = worker.case_id
    created = _revision_ids(worker.vault, case)
    worker.vault.cases.edit(case, title="the worker's honest correction")
    (edit,) = _revision_ids(worker.vault, case) - created
    desks.org.import_(desks.org.export(worker.vault).path)
    desks.to_lviv(desks.kyiv_bundle())  # Lviv learns the worker and its edit from Kyiv
    assert _heads(desks.lviv, case) == {edit}

    (root,) = sorted(created)
    forged = _forged_reroot(desks.lviv, case, root, edit)
    # Even at the desk that signed it, nothing is hidden: nobody is revoked.
    assert _heads(desks.lviv, case) == {edit, forged}
    desks.org.import_(desks.org.export(desks.lviv).path)
    assert _heads(desks.kyiv, case) == {edit, forged}
    assert desks.kyiv.cases.get(case).conflicted

    # The worker, not holding the re-root, edits again below its own edit:
    # a head at Kyiv too, beside the re-root.
    worker.vault.cases.edit(case, title="the worker's next detail")
    (later,) = _revision_ids(worker.vault, case) - created - {edit}
    desks.org.import_(desks.org.export(worker.vault).path)
    assert _heads(desks.kyiv, case) == {later, forged}
    assert desks.kyiv.cases.get(case).conflicted
    assert_verified(desks.kyiv, desks.lviv)


def test_a_re_root_arriving_before_the_revoking_profile_is_a_conflict_until_the_profile_comes(
    desks: UsbDesks,
) -> None:
    field, case, _control, stale = build_before_revocation(desks)
    desks.to_lviv(stale)  # Lviv takes the worker's edit before anyone revokes it
    (field_edit,) = _heads(desks.lviv, case)
    # Kyiv revokes the worker and re-roots; Lviv does not have the new profile yet.
    signed = revoke(desks.kyiv, field.vault.device_id)
    done = reroot(desks.kyiv, case, "as-before")
    desks.to_lviv(desks.kyiv_bundle())
    assert _heads(desks.lviv, case) == {field_edit, done.revision_id}
    assert desks.lviv.cases.get(case).conflicted
    assert_verified(desks.lviv)

    org_vault.update_profile(desks.lviv, signed.signed)
    # The profile re-derives the record in the same step: the desks agree.
    assert _heads(desks.lviv, case) == _heads(desks.kyiv, case) == {done.revision_id}
    assert desks.lviv.cases.get(case).title == desks.kyiv.cases.get(case).title == KYIV_TITLE
    assert not desks.lviv.cases.get(case).conflicted
    assert_verified(desks.kyiv, desks.lviv)


def test_an_edit_made_knowing_the_re_root_is_never_hidden_by_it(desks: UsbDesks) -> None:
    """Review 20 F1: a person at Lviv resolves the conflict the re-root shows
    before the revoking profile arrives; the resolution descends from the
    superseded edit and from the re-root. It stays the head at both desks,
    frozen (it descends from the revoked edit) for a person to re-root again,
    never hidden without a trace."""
    field, case, _control, stale = build_before_revocation(desks)
    desks.to_lviv(stale)
    signed = revoke(desks.kyiv, field.vault.device_id)
    first = reroot(desks.kyiv, case, "as-before")
    desks.to_lviv(desks.kyiv_bundle())
    assert desks.lviv.cases.get(case).conflicted

    desks.lviv.cases.edit(case, title="Lviv's resolution after a phone call")
    (resolution,) = _heads(desks.lviv, case)
    desks.org.import_(desks.org.export(desks.lviv).path)
    org_vault.update_profile(desks.lviv, signed.signed)

    assert _heads(desks.lviv, case) == _heads(desks.kyiv, case) == {resolution}
    assert (
        desks.kyiv.cases.get(case).title
        == desks.lviv.cases.get(case).title
        == ("Lviv's resolution after a phone call")
    )
    assert case in _frozen_ids(desks.kyiv) and case in _frozen_ids(desks.lviv)
    assert_verified(desks.kyiv, desks.lviv)

    # Re-rooted again, keeping the resolution: both desks end on that re-root.
    second = reroot(desks.kyiv, case, "as-held")
    assert resolution in second.supersedes and first.revision_id in second.parents
    desks.to_lviv(desks.kyiv_bundle())
    assert _heads(desks.lviv, case) == _heads(desks.kyiv, case) == {second.revision_id}
    assert desks.lviv.cases.get(case).title == "Lviv's resolution after a phone call"
    assert case not in _frozen_ids(desks.kyiv) and case not in _frozen_ids(desks.lviv)
    assert_verified(desks.kyiv, desks.lviv)


def test_a_re_root_after_the_first_re_roots_desk_is_revoked_names_what_that_one_hid(
    desks: UsbDesks,
) -> None:
    """Review 20 F2: Lviv re-roots the worker's edit it left out; then Lviv's
    desk is revoked, so its re-root is in the revoked line and withheld from
    Odesa, which holds the worker's edit and never took Lviv's re-root.
    Kyiv's re-root names the worker's edit again, so Odesa converges."""
    odesa = add_desk(desks.kyiv, desks.tmp_path / "desk3", label="Odesa desk")
    desks.others.append(odesa)
    org_vault.update_profile(desks.lviv, org_vault.current_signed(desks.kyiv).signed)
    field, case, _control, stale = build_before_revocation(desks)
    org_vault.update_profile(odesa, org_vault.current_signed(desks.kyiv).signed)
    # Odesa's first bundle (empty), taken at both desks: it reads a re-root (db/reroot.py ``old_readers``).
    odesa_first = desks.org.export(odesa).path
    desks.org.import_(odesa_first)
    desks.to_lviv(odesa_first)
    import_by_usb(odesa, stale, desks.org.org_id)  # Odesa takes the worker's edit first
    (field_edit,) = _heads(odesa, case)

    revoke(desks.kyiv, field.vault.device_id, tell=[desks.lviv, odesa])
    desks.to_lviv(stale)  # left out at Lviv
    desks.to_lviv(desks.kyiv_bundle())
    first = reroot(desks.lviv, case, "as-before")
    desks.org.import_(desks.org.export(desks.lviv).path)
    assert _heads(desks.kyiv, case) == {first.revision_id}

    revoke(desks.kyiv, desks.lviv.device_id, tell=[odesa])
    assert case in _frozen_ids(desks.kyiv)
    second = reroot(desks.kyiv, case, "as-before")
    assert field_edit in second.supersedes and first.revision_id in second.supersedes
    import_by_usb(odesa, desks.kyiv_bundle(), desks.org.org_id)

    assert _heads(desks.kyiv, case) == _heads(odesa, case) == {second.revision_id}
    assert not odesa.cases.get(case).conflicted
    assert case not in _frozen_ids(odesa) and case not in _frozen_ids(desks.kyiv)
    assert_verified(desks.kyiv, odesa)


def test_a_newer_profile_that_drops_a_revocation_is_refused_and_changes_nothing(desks: UsbDesks) -> None:
    """Review 20 F4: a revocation is for good. A version that no longer
    revokes the worker (only a faulty signer makes one) would have Kyiv show
    the worker's line again beside the re-root while Lviv, which left the
    line out, does not. Every desk refuses it, the key desk its own too."""
    field, case, _control, stale = build_before_revocation(desks)
    revoke(desks.kyiv, field.vault.device_id, tell=[desks.lviv])
    desks.to_lviv(stale)
    done = reroot(desks.kyiv, case, "as-before")
    desks.to_lviv(desks.kyiv_bundle())
    held = org_vault.current_signed(desks.kyiv)
    key = desks.kyiv.vault_keys.org_signing_key()
    assert key is not None
    unrevoking = org.sign_profile(org.next_version(held.profile, revoked=()), key)

    for desk in (desks.lviv, desks.kyiv):
        with pytest.raises(org.OrgRefused) as refused:
            org_vault.update_profile(desk, unrevoking.signed)
        assert refused.value.code == "org-profile-form"
        assert field.vault.device_id in str(refused.value)
        assert org_vault.current_signed(desk).profile.version == held.profile.version
        assert _heads(desk, case) == {done.revision_id}
    assert_verified(desks.kyiv, desks.lviv)
