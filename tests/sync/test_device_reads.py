"""What each device reads, as the importing desk records it (migration 0031
``known_devices.reads_revision``; docs/bundle-format.md §4 ``reads``;
docs/sync.md §2.3 "Old readers"), in real vaults with real bundles by USB
(tests/sync/desk_world.py): the value of the newest bundle applied from the
device, 1 for a bundle made without the member; a replay, an older bundle
filling a gap, a dry run and a bundle held in quarantine change nothing; a
desk's own bundle to the other desks declares it as a field device's does."""

from __future__ import annotations

from pathlib import Path

from db.api import Case, Vault
from db.model import KnownDevice
from db.revisions import REROOT_VERSION
from sync.bundle.vault_io import ExportedBundle, export_bundle
from sync.org_vault import held_profile
from tests.sync.desk_world import UsbDesks, usb_desks

desks = usb_desks  # the fixture, under the name the tests ask for


def reads_at(desk: Vault, device_id: str) -> int | None:
    """What ``desk`` holds as the revision format ``device_id`` reads (None: not declared)."""
    with desk.services.context.sessions() as session:
        row = session.get(KnownDevice, device_id)
        return None if row is None else row.reads_revision


def export_declaring(vault: Vault, stick: Path, reads: int | None) -> ExportedBundle:
    """``vault``'s next bundle to the coordinators (as ``bundle export``),
    its manifest declaring ``reads``; None: made as by an app before the member."""
    stick.mkdir(exist_ok=True)
    profile = held_profile(vault)
    assert profile is not None
    recipients = [c.age_recipient for c in profile.coordinators]
    return export_bundle(vault, stick, recipients, profile.org_id, profile.version, reads_revision=reads)


def test_the_newest_bundle_applied_says_what_its_device_reads(desks: UsbDesks) -> None:
    field = desks.worker("field")
    worker = field.vault.device_id
    old = export_declaring(field.vault, desks.org.usb, None)  # bundle 1, as an old app made it
    assert reads_at(desks.kyiv, worker) is None  # enrolled, no bundle yet: not declared
    desks.org.import_(old.path, dry_run=True)
    assert reads_at(desks.kyiv, worker) is None  # a dry run keeps nothing
    desks.org.import_(old.path)
    assert reads_at(desks.kyiv, worker) == 1  # no member: reads version 1 only
    field.vault.cases.create(Case(title="after the upgrade"))
    new = export_declaring(field.vault, desks.org.usb, REROOT_VERSION)
    desks.org.import_(new.path)
    assert reads_at(desks.kyiv, worker) == REROOT_VERSION
    assert desks.org.import_(old.path).replay
    assert reads_at(desks.kyiv, worker) == REROOT_VERSION  # a replay changes nothing


def test_an_older_bundle_filling_a_gap_does_not_lower_it(desks: UsbDesks) -> None:
    field = desks.worker("field")
    worker = field.vault.device_id
    first = export_declaring(field.vault, desks.org.usb, None)
    field.vault.cases.create(Case(title="second bundle"))
    second = export_declaring(field.vault, desks.org.usb, REROOT_VERSION)
    desks.org.import_(second.path)
    assert reads_at(desks.kyiv, worker) == REROOT_VERSION
    desks.org.import_(first.path)  # number 1, after number 2: not the newest
    assert reads_at(desks.kyiv, worker) == REROOT_VERSION


def test_a_held_bundle_counts_once_released_and_a_desk_declares_too(desks: UsbDesks) -> None:
    """Lviv did not issue the worker's token: its bundle is held there until
    Kyiv's bundle vouches for the device. Held, it declares nothing; Kyiv's
    own bundle (a coordinator desk's, to the coordinators) declares what
    Kyiv reads; released, the held bundle's value is kept."""
    field = desks.worker("field")
    worker = field.vault.device_id
    bundle = desks.org.export(field.vault)  # this app's writer: declares what it reads
    desks.hold_at_lviv(bundle.path)
    assert reads_at(desks.lviv, worker) is None
    desks.org.import_(bundle.path)
    assert reads_at(desks.kyiv, worker) == REROOT_VERSION
    desks.to_lviv(desks.kyiv_bundle())
    assert reads_at(desks.lviv, desks.kyiv.device_id) == REROOT_VERSION
    assert reads_at(desks.lviv, worker) is None  # vouched for, still no bundle of its own applied
    desks.release_at_lviv()
    assert reads_at(desks.lviv, worker) == REROOT_VERSION
