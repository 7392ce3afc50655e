"""A desk learns what each worker reads from a history hand-over
(docs/bundle-format.md §10 "What a worker reads"; docs/sync.md §2.3 "Old
readers"): a ``received`` entry's carried manifest, signed by the worker and
verified here with its key (sync/bundle/hand_over_manifests.py
``check_carried``), declares what the worker reads (§4 ``reads``; 1 when it
has none), kept when that bundle is the newest this desk records of the
worker. So a desk that took its history by hand-over is not held back from
a re-root (db/reroot.py ``old_readers``) until every worker sends it a
bundle. A carried manifest that does not verify, or an entry without one,
declares nothing; a newer bundle's value is never lowered.

Real vaults, real signed bundles by USB (tests/sync/desk_world.py): Kyiv
takes the worker's bundles and hands its history over to the Lviv desk,
which took no bundle of the worker itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from db.api import Case, Vault
from db.reroot import old_readers
from db.revisions import REROOT_VERSION
from sync.bundle import hand_over as hand_over_module
from sync.bundle import hand_over_manifests
from sync.bundle.format import ReceivedEntry
from sync.bundle.hand_over import hand_over
from sync.bundle.vault_io import import_bundle
from sync.org import Profile
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_device_reads import export_declaring, reads_at

desks = usb_desks  # the fixture, under the name the tests ask for


def _hand_over_to_lviv(desks: UsbDesks, *, first: Callable[[Path], None] | None = None) -> None:
    """Kyiv's history hand-over, made now and taken at Lviv (``first`` is
    called with its path before Lviv takes it)."""
    stick = desks.tmp_path / "hand-over"
    stick.mkdir(exist_ok=True)
    made = hand_over(desks.kyiv, stick, desks.lviv.device_id)
    if first is not None:
        first(made.path)
    taken = desks.to_lviv(made.path)
    assert not taken.replay


def _dry_run_at_lviv(desks: UsbDesks, path: Path) -> None:
    """Lviv's dry run of the hand-over: every check, its transaction rolled back."""
    import_bundle(
        desks.lviv, path, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id, dry_run=True
    )


def _behind_at(desk: Vault) -> list[str]:
    """The devices ``desk`` counts as not reading a re-root (none revoked)."""
    with desk.services.context.sessions() as session:
        return old_readers(session, ())


def _editing_carried(monkeypatch: pytest.MonkeyPatch, edit: Callable[[ReceivedEntry], ReceivedEntry]) -> None:
    """Kyiv's hand-over writer with each carried worker manifest passed through ``edit``."""
    real = hand_over_manifests.with_worker_manifests

    def edited(
        vault: Vault, profile: Profile, entries: Sequence[ReceivedEntry], budget: int
    ) -> hand_over_manifests.CarriedManifests:
        carried = real(vault, profile, entries, budget)
        assert carried.carried  # the scene's worker manifest goes with its entry
        entries = [edit(e) if e.worker_manifest is not None else e for e in carried.entries]
        return replace(carried, entries=entries)

    monkeypatch.setattr(hand_over_module, "with_worker_manifests", edited)


@pytest.mark.parametrize("reads", [REROOT_VERSION, None], ids=["declares-2", "old-app"])
def test_a_verified_carried_manifest_says_what_the_worker_reads(desks: UsbDesks, reads: int | None) -> None:
    field = desks.worker("field")
    worker = field.vault.device_id
    desks.org.import_(export_declaring(field.vault, desks.org.usb, reads).path)

    desks.to_lviv(desks.kyiv_bundle())  # Kyiv vouches for the worker: known at Lviv, not declared
    assert reads_at(desks.lviv, worker) is None

    def dry_run_first(path: Path) -> None:
        _dry_run_at_lviv(desks, path)
        assert reads_at(desks.lviv, worker) is None  # rolled back with the import: nothing kept

    _hand_over_to_lviv(desks, first=dry_run_first)
    expected = 1 if reads is None else reads
    assert reads_at(desks.lviv, worker) == expected
    # Kyiv's hand-over is its own bundle: it declared what Kyiv reads.
    assert reads_at(desks.lviv, desks.kyiv.device_id) == REROOT_VERSION
    assert (worker in _behind_at(desks.lviv)) is (expected < REROOT_VERSION)


def test_the_newest_entry_counts_not_an_older_one(desks: UsbDesks) -> None:
    """Bundle 1 from an old app, bundle 2 declaring 2, both at Kyiv: the
    hand-over carries both manifests; bundle 2's is the newest."""
    field = desks.worker("field")
    worker = field.vault.device_id
    desks.org.import_(export_declaring(field.vault, desks.org.usb, REROOT_VERSION).path)
    field.vault.cases.create(Case(title="second bundle"))
    desks.org.import_(export_declaring(field.vault, desks.org.usb, None).path)
    _hand_over_to_lviv(desks)
    assert reads_at(desks.lviv, worker) == 1  # bundle 2 made without the member (a downgrade)


@pytest.mark.parametrize("how", ["tampered", "stripped"])
def test_an_unverified_or_absent_manifest_declares_nothing(
    desks: UsbDesks, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    field = desks.worker("field")
    worker = field.vault.device_id
    desks.org.import_(export_declaring(field.vault, desks.org.usb, REROOT_VERSION).path)

    def edit(entry: ReceivedEntry) -> ReceivedEntry:
        assert entry.worker_manifest is not None
        if how == "stripped":
            return replace(entry, worker_manifest=None)
        data, signature = entry.worker_manifest
        return replace(entry, worker_manifest=(data, bytes([signature[0] ^ 1]) + signature[1:]))

    _editing_carried(monkeypatch, edit)
    _hand_over_to_lviv(desks)
    assert desks.lviv.sync.device(worker) is not None  # known at Lviv by the hand-over
    assert reads_at(desks.lviv, worker) is None
    assert worker in _behind_at(desks.lviv)


def test_a_newer_bundle_applied_here_is_not_lowered(desks: UsbDesks) -> None:
    """Kyiv takes the worker's bundle 1 (an old app's) and vouches for the
    worker to Lviv; Lviv takes bundle 2 (declaring 2) from the worker
    itself; then Kyiv's hand-over, naming bundle 1 only, carries its
    verified manifest (reads 1): Lviv keeps 2."""
    field = desks.worker("field")
    worker = field.vault.device_id
    desks.org.import_(export_declaring(field.vault, desks.org.usb, None).path)
    desks.to_lviv(desks.kyiv_bundle())
    field.vault.cases.create(Case(title="second bundle"))
    second = export_declaring(field.vault, Path(desks.tmp_path / "worker-stick"), REROOT_VERSION)
    desks.to_lviv(second.path)
    assert reads_at(desks.lviv, worker) == REROOT_VERSION
    _hand_over_to_lviv(desks)
    assert desks.lviv.sync.device(worker).last_sequence == 2  # type: ignore[union-attr]
    assert reads_at(desks.lviv, worker) == REROOT_VERSION
    assert worker not in _behind_at(desks.lviv)
