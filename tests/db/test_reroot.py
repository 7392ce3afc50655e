"""Re-rooting a record a revocation froze (review 11 F2; db/reroot.py;
docs/sync.md §2.3 "Re-rooting a frozen record"), in real vaults with real
bundles by USB (tests/db/revocation_world.py): Kyiv took the revoked
worker's edit of its case and checked the case after it; Lviv left the
edit out. Kyiv re-roots the case, as before the revoked edit or as it holds
it; after the bundles, in either order, both desks hold the same heads and
the same record, neither lists it as frozen, both verify, and later edits
travel both ways. A re-root signed by anyone but a coordinator is refused."""

from __future__ import annotations

import base64
import hashlib

import pytest
from sqlalchemy import select

from db.api import RerootRefused, Vault, revocation_impact
from db.device import DeviceIdentity
from db.entities import ENTITY_TYPES
from db.errors import RevisionRejected
from db.hlc import Timestamp
from db.model import Head
from db.revisions import SIGNATURE_DOMAIN, Reroot, canonical_json, create_revision, verify_revision
from sync.bundle.errors import BundleRejected
from sync.merge.frozen_records import frozen_records, reroot
from tests.db.revocation_world import (
    FIELD_EDIT,
    KYIV_CHECK,
    KYIV_TITLE,
    FrozenWorld,
    build,
    build_before_revocation,
    revoked_here,
)
from tests.sync.desk_world import UsbDesks, assert_verified, usb_desks

desks = usb_desks  # the fixture, under the name the tests ask for


def _heads(vault: Vault, entity_id: str) -> frozenset[str]:
    return vault.revisions.heads()[entity_id]


def _frozen_ids(vault: Vault) -> set[str]:
    return {record.entity_id for record in frozen_records(vault).records}


def _converged(world: FrozenWorld, entity_id: str) -> None:
    """Both desks: the same heads, one of them, the same record; neither lists it as frozen; both verify."""
    kyiv, lviv = world.kyiv, world.lviv
    assert _heads(kyiv, entity_id) == _heads(lviv, entity_id)
    assert len(_heads(kyiv, entity_id)) == 1
    assert kyiv.cases.get(entity_id) == lviv.cases.get(entity_id)
    assert entity_id not in _frozen_ids(kyiv) and entity_id not in _frozen_ids(lviv)
    assert_verified(kyiv, lviv)


@pytest.mark.parametrize(("choice", "title"), [("as-before", KYIV_TITLE), ("as-held", KYIV_CHECK)])
def test_kyiv_re_roots_its_case_and_lviv_converges(desks: UsbDesks, choice: str, title: str) -> None:
    world = build(desks)
    case = world.kyiv_case
    assert world.lviv.cases.get(case).title == KYIV_TITLE  # frozen as it was
    before_heads = _heads(world.kyiv, case)

    done = reroot(world.kyiv, case, choice)

    # Kyiv: the re-root is the one head; the revoked line is no head any more.
    assert _heads(world.kyiv, case) == {done.revision_id}
    assert not before_heads & _heads(world.kyiv, case)
    assert world.kyiv.cases.get(case).title == title
    assert not world.kyiv.cases.get(case).conflicted
    # Parents outside the revoked line: Kyiv's creation of the case, which Lviv holds.
    assert len(done.parents) == 1 and done.parents[0] in {r.revision_id for r in world.lviv.revisions.all()}
    # It supersedes the worker's edit and Kyiv's check after it.
    assert len(done.supersedes) == 2
    assert case not in _frozen_ids(world.kyiv)
    # Signed by the desk, saying which choice: the custody of the decision.
    signed = next(r for r in world.kyiv.revisions.all() if r.revision_id == done.revision_id)
    again = verify_revision(signed.signed, signed.signature, signed.revision_id, ENTITY_TYPES)
    assert again.device_id == world.kyiv.device_id
    assert again.reroot == Reroot(choice, done.supersedes)

    desks.to_lviv(desks.kyiv_bundle())
    _converged(world, case)
    assert world.lviv.cases.get(case).title == title
    # The records the worker wrote and nobody re-rooted are still frozen at both.
    others = world.worker_records - {case}
    assert others <= _frozen_ids(world.kyiv) and others <= _frozen_ids(world.lviv)


def test_later_edits_travel_both_ways_after_a_re_root(desks: UsbDesks) -> None:
    world = build(desks)
    case = world.kyiv_case
    reroot(world.kyiv, case, "as-before")
    desks.to_lviv(desks.kyiv_bundle())

    world.lviv.cases.edit(case, title="edited at Lviv after the re-root")
    desks.org.import_(desks.org.export(world.lviv).path)  # Lviv's bundle, to Kyiv by USB
    _converged(world, case)
    assert world.kyiv.cases.get(case).title == "edited at Lviv after the re-root"

    world.kyiv.cases.edit(case, title="edited at Kyiv after that")
    desks.to_lviv(desks.kyiv_bundle())
    _converged(world, case)
    assert world.lviv.cases.get(case).title == "edited at Kyiv after that"


def test_the_re_root_arriving_before_the_bundle_that_froze_the_record(desks: UsbDesks) -> None:
    """The other order: Lviv reads Kyiv's bundle carrying the re-root
    before the stale bundle that carries the worker's edit; the stale
    bundle's revoked edit is then left out, and Lviv ends where the first
    order ends."""
    _field, case, _control, stale = build_before_revocation(desks)
    desks.revoke(_field.vault.device_id)
    done = reroot(desks.kyiv, case, "as-held")
    desks.to_lviv(desks.kyiv_bundle())
    again = desks.to_lviv(stale)  # its revoked edit is left out, the rest held already
    assert again.withheld_revisions
    assert _heads(desks.kyiv, case) == _heads(desks.lviv, case) == {done.revision_id}
    assert desks.lviv.cases.get(case).title == KYIV_CHECK == desks.kyiv.cases.get(case).title
    assert case not in _frozen_ids(desks.kyiv) and case not in _frozen_ids(desks.lviv)
    assert_verified(desks.kyiv, desks.lviv)


def test_a_record_the_revoked_device_created_is_re_rooted_as_held_only(desks: UsbDesks) -> None:
    world = build(desks)
    own = world.field.case_id  # the worker's own case: no state before its revisions
    with pytest.raises(RerootRefused) as refused:
        reroot(world.kyiv, own, "as-before")
    assert refused.value.code == "reroot-nothing-before"
    done = reroot(world.kyiv, own, "as-held")
    assert done.parents == ()  # a new root of the record, by the desk
    desks.to_lviv(desks.kyiv_bundle())
    _converged(world, own)
    assert world.lviv.cases.get(own).title == world.kyiv.cases.get(own).title


def test_lviv_re_roots_as_before_what_it_left_out_and_kyiv_converges(desks: UsbDesks) -> None:
    """The desk that left the line out may re-root as before it (it cannot
    keep what it never held): Kyiv, which holds the line, takes the re-root
    and its old heads stop being heads."""
    world = build(desks)
    case = world.kyiv_case
    with pytest.raises(RerootRefused) as refused:
        reroot(world.lviv, case, "as-held")
    assert refused.value.code == "reroot-line-not-held"
    done = reroot(world.lviv, case, "as-before")
    desks.org.import_(desks.org.export(world.lviv).path)
    assert _heads(world.kyiv, case) == {done.revision_id}
    _converged(world, case)
    assert world.kyiv.cases.get(case).title == KYIV_TITLE


def test_a_record_not_frozen_is_refused_and_nothing_is_signed(desks: UsbDesks) -> None:
    world = build(desks)
    count = len(world.kyiv.revisions.all())
    for choice in ("as-before", "as-held"):
        with pytest.raises(RerootRefused) as refused:
            reroot(world.kyiv, world.control_case, choice)
        assert refused.value.code == "reroot-not-frozen"
    case = world.kyiv_case
    reroot(world.kyiv, case, "as-before")
    with pytest.raises(RerootRefused) as again:
        reroot(world.kyiv, case, "as-before")  # re-rooted already: nothing left to cover
    assert again.value.code == "reroot-not-frozen"
    assert len(world.kyiv.revisions.all()) == count + 1


def test_a_field_device_cannot_re_root(desks: UsbDesks) -> None:
    """Adversarial: an enrolled (not revoked) field device signs a re-root
    of a frozen record with its own key, superseding the desk's heads; its
    bundle is refused at the desk and nothing of it is applied. And the
    command refuses at a vault that is no coordinator's."""
    world = build(desks)
    case = world.kyiv_case
    other = desks.worker("other")
    desks.org.import_(desks.org.export(other.vault).path)
    heads = sorted(_heads(world.kyiv, case))
    ctx = other.vault.services.context
    with ctx.write_transaction("a forged re-root") as session:
        ctx.commit_local(
            session,
            {
                "entity_id": case,
                "entity_type": "case",
                "op": "put",
                "body": {"title": "forged", "description": "", "notes": ""},
                "parents": [],
                "reroot": Reroot("as-before", tuple(heads)),
            },
        )
    bundle = desks.org.export(other.vault).path
    before = _heads(world.kyiv, case)
    with pytest.raises(BundleRejected) as refused:
        desks.org.import_(bundle)
    assert refused.value.code == "bundle-revision"
    assert _heads(world.kyiv, case) == before
    assert world.kyiv.cases.get(case).title == KYIV_CHECK
    with pytest.raises(RerootRefused) as not_desk:
        reroot(other.vault, case, "as-before")
    assert not_desk.value.code == "reroot-not-coordinator"


def test_revocation_impact_counts_what_a_re_root_covers(desks: UsbDesks) -> None:
    world = build(desks)
    before = {r.entity_id: r for r in revocation_impact(world.kyiv, revoked_here(world.kyiv)).records}
    assert before[world.kyiv_case].held_back == 2
    reroot(world.kyiv, world.kyiv_case, "as-held")
    after = {r.entity_id: r for r in revocation_impact(world.kyiv, revoked_here(world.kyiv)).records}
    assert world.kyiv_case not in after
    assert set(after) == set(before) - {world.kyiv_case}
    # The heads table agrees with the signed revisions (verify rebuilds it).
    with world.kyiv.services.context.sessions() as session:
        stored = set(session.scalars(select(Head.revision_id).where(Head.entity_id == world.kyiv_case)))
    assert stored == set(_heads(world.kyiv, world.kyiv_case))
    assert FIELD_EDIT not in repr([r.to_json() for r in after.values()])


# -- the signed member, checked as hostile input --------------------------------------------


def _signed_reroot(member: object, parents: list[str]) -> tuple[bytes, bytes, str]:
    """A version-2 revision with ``member`` as its "reroot", signed by a fresh key."""
    identity = DeviceIdentity.generate()
    envelope = {
        "v": 2,
        "entity": "01900000-0000-7000-8000-000000000001",
        "type": "case",
        "op": "put",
        "body": {"title": "t", "description": "", "notes": ""},
        "parents": parents,
        "hlc": [1_700_000_000_000, 0],
        "device": identity.device_id,
        "key": base64.b64encode(identity.public_key).decode("ascii"),
        "reroot": member,
    }
    signed = canonical_json(envelope)
    return signed, identity.sign(SIGNATURE_DOMAIN + signed), hashlib.sha256(signed).hexdigest()


A, B = "a" * 64, "b" * 64


@pytest.mark.parametrize(
    ("member", "parents", "reason"),
    [
        ({"choice": "sideways", "supersedes": [A]}, [], "unknown re-root choice"),
        ({"choice": "as-before", "supersedes": []}, [], "bad re-root supersedes list"),
        ({"choice": "as-before", "supersedes": [B, A]}, [], "bad re-root supersedes list"),
        ({"choice": "as-before", "supersedes": [A, A]}, [], "bad re-root supersedes list"),
        ({"choice": "as-before", "supersedes": ["zz"]}, [], "bad re-root supersedes list"),
        ({"choice": "as-before", "supersedes": [A]}, [A], "bad re-root supersedes list"),
        ({"choice": "as-before", "supersedes": [A] * 2 + [B]}, [], "bad re-root supersedes list"),
        ({"choice": "as-before", "supersedes": [A], "more": 1}, [], "bad re-root member"),
        ([A], [], "bad re-root member"),
    ],
)
def test_a_malformed_re_root_member_is_refused(member: object, parents: list[str], reason: str) -> None:
    signed, signature, revision_id = _signed_reroot(member, parents)
    with pytest.raises(RevisionRejected) as refused:
        verify_revision(signed, signature, revision_id, ENTITY_TYPES)
    assert refused.value.reason == reason


def test_a_well_formed_re_root_verifies_and_version_1_stays_byte_for_byte() -> None:
    signed, signature, revision_id = _signed_reroot({"choice": "as-held", "supersedes": [A, B]}, [])
    checked = verify_revision(signed, signature, revision_id, ENTITY_TYPES)
    assert checked.reroot == Reroot("as-held", (A, B)) and checked.supersedes == (A, B)
    plain = create_revision(
        DeviceIdentity.generate(),
        entity_id="01900000-0000-7000-8000-000000000002",
        entity_type="case",
        op="put",
        body={"title": "t", "description": "", "notes": ""},
        parents=[],
        hlc=Timestamp(1, 0),
    )
    assert b'"v":1}' in plain.signed and b"reroot" not in plain.signed and plain.reroot is None
