"""A re-root waits for the devices that read it (docs/sync.md §2.3 "Old
readers"; db/reroot.py ``old_readers``): a re-root is revision format
version 2, which an app before it refuses with the whole bundle carrying it,
and, through the server, every later bundle of the desk. So the desk signs
one only once every device it counts as enrolled and not revoked (field
devices, the other coordinator desks) has declared, in the newest bundle
applied here, that it reads version 2 (bundle-format.md §4 ``reads``); a
device with no bundle applied counts as not declared. Real vaults, real
bundles by USB (tests/db/revocation_world.py: Kyiv holds the revoked
worker's edit of its case, frozen)."""

from __future__ import annotations

import pytest

from db.api import Case, RerootRefused
from db.reroot import NAMED_READERS, readers_behind
from db.revisions import REROOT_VERSION
from sync.merge.frozen_records import reroot
from tests.db.revocation_world import FrozenWorld, build
from tests.sync.desk_world import UsbDesks, know_worker, usb_desks
from tests.sync.test_device_reads import export_declaring, reads_at

desks = usb_desks  # the fixture, under the name the tests ask for


def _refused(world: FrozenWorld) -> RerootRefused:
    """Kyiv's re-root of its frozen case, refused; nothing signed."""
    before = len(world.kyiv.revisions.all())
    with pytest.raises(RerootRefused) as refused:
        reroot(world.kyiv, world.kyiv_case, "as-before")
    assert len(world.kyiv.revisions.all()) == before
    assert world.kyiv_case in {r.entity_id for r in world.kyiv.revisions.all()}
    return refused.value


def _old_worker(world: FrozenWorld, desks: UsbDesks, name: str) -> str:
    """A worker whose app predates ``reads``: its first bundle, without the
    member, applied at Kyiv. Its device id."""
    late = desks.worker(name)
    desks.org.import_(export_declaring(late.vault, desks.org.usb, None).path)
    assert reads_at(world.kyiv, late.vault.device_id) == 1
    return late.vault.device_id


def test_refused_while_a_device_reads_version_1_then_signed_after_its_next_bundle(desks: UsbDesks) -> None:
    world = build(desks)
    late = desks.worker("late")
    desks.org.import_(export_declaring(late.vault, desks.org.usb, None).path)
    silent = desks.worker("silent")
    know_worker(world.kyiv, silent.vault)  # enrolled from its card here, no bundle yet: not declared
    assert reads_at(world.kyiv, silent.vault.device_id) is None

    refused = _refused(world)
    assert refused.code == "reroot-readers-behind"
    behind = tuple(sorted([late.vault.device_id, silent.vault.device_id]))
    assert refused.device_ids == behind
    assert refused.params == {"count": 2, "devices": ", ".join(behind)}
    assert all(device_id in str(refused) for device_id in behind)
    assert world.worker_id not in refused.device_ids  # revoked: it counts for nothing
    assert world.lviv.device_id not in refused.device_ids  # the other desk declared with its bundle

    desks.revoke(silent.vault.device_id)  # a revoked device does not count
    assert _refused(world).device_ids == (late.vault.device_id,)

    late.vault.cases.create(Case(title="after the upgrade"))
    desks.org.import_(desks.org.export(late.vault).path)  # this app's bundle: declares version 2
    assert reads_at(world.kyiv, late.vault.device_id) == REROOT_VERSION
    done = reroot(world.kyiv, world.kyiv_case, "as-before")
    assert world.kyiv.revisions.heads()[world.kyiv_case] == {done.revision_id}


def test_signed_despite_the_old_readers_when_asked(desks: UsbDesks) -> None:
    world = build(desks)
    late = _old_worker(world, desks, "late")
    assert _refused(world).device_ids == (late,)
    done = reroot(world.kyiv, world.kyiv_case, "as-held", despite_old_readers=True)
    assert world.kyiv.revisions.heads()[world.kyiv_case] == {done.revision_id}
    desks.to_lviv(desks.kyiv_bundle())  # the desks that read it converge
    assert world.lviv.revisions.heads()[world.kyiv_case] == {done.revision_id}


def test_a_record_that_cannot_be_re_rooted_says_so_first(desks: UsbDesks) -> None:
    """The old readers are named only when a re-root would be signed: a
    record not frozen is refused for that, as before."""
    world = build(desks)
    _old_worker(world, desks, "late")
    with pytest.raises(RerootRefused) as refused:
        reroot(world.kyiv, world.control_case, "as-before")
    assert refused.value.code == "reroot-not-frozen"


def test_the_message_names_a_count_and_the_first_few_ids_the_error_all() -> None:
    ids = [f"{n:032x}" for n in range(7, 0, -1)]
    refused = readers_behind(ids)
    assert refused.device_ids == tuple(sorted(ids))
    shown = sorted(ids)[:NAMED_READERS]
    assert refused.params == {"count": 7, "devices": ", ".join(shown) + ", …"}
    assert str(refused).startswith("7 device(s)")
    assert all(device_id in str(refused) for device_id in shown)
    assert not any(device_id in str(refused) for device_id in sorted(ids)[NAMED_READERS:])
