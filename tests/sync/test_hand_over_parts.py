"""A history hand-over split over several bundles (docs/bundle-format.md
§10, "Size"), by USB with real vaults: Kyiv took two field workers'
bundles and acknowledged them, recorded evidence of its own, and Lviv was
added as a coordinator since. The part limit is lowered (``MAX_PART_LINES``)
so that this small history needs three parts or more.

- taken in order, the parts give Lviv what one bundle gives: Kyiv's heads,
  a vault that verifies after every part, the workers' bundles counted as
  received only with the last part, and a worker's next bundle taken;
- taken again, every part is a replay;
- a later part before the one before it is refused (``hand-over-part``,
  naming the missing number), nothing applied; taken after it, it completes;
- a part with one byte flipped is refused, nothing applied;
- a cancel between parts leaves no file (its numbers stay used), and the
  next hand-over completes; the byte limit cuts parts as the line limit does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from db.api import CancelToken
from sync import org_vault
from sync.bundle import hand_over as hand_over_module
from sync.bundle.errors import BundleRejected
from sync.bundle.hand_over import HandedOver, hand_over
from sync.bundle.vault_io import BundleCancelled, ExportedBundle, ImportedBundle
from tests.db.sync_fixtures import FieldWork
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, ack_by_usb, assert_verified, heads_hash, stored_bytes
from tests.sync.usb_world import SavedUsbOrg, built_once, rebased, save, usb_desks_of


@dataclass
class Split:
    desks: UsbDesks
    workers: list[FieldWork]
    carried: list[ExportedBundle]  # the workers' bundles Kyiv took before Lviv joined
    kyiv_data: bytes  # evidence Kyiv recorded itself

    def hand_over(self) -> HandedOver:
        stick = self.desks.tmp_path / "stick"
        stick.mkdir(exist_ok=True)
        return hand_over(self.desks.kyiv, stick, self.desks.lviv.device_id)

    def take(self, path: Path) -> ImportedBundle:
        return self.desks.to_lviv(path)


def _build(folder: Path) -> tuple[SavedUsbOrg, tuple[list[ExportedBundle], bytes]]:
    desks = UsbDesks(folder)
    carried = []
    for name in ("field-a", "field-b"):
        worker = desks.worker(name)
        made = desks.org.export(worker.vault)
        desks.org.import_(made.path)
        ack_by_usb(desks.kyiv, worker.vault, made.bundle_id)
        carried.append(made)
    # Kyiv's own evidence: its item's first revision and its file must
    # arrive in the same part (an item of the maker's without its file is refused).
    data = b"kyiv's own photo " * 4000
    source = folder / "kyiv-photo.jpg"
    source.write_bytes(data)
    desks.kyiv.evidence.ingest(source, make_case(desks.kyiv).id)
    return save(desks.org, {"desk2": desks.lviv}), (carried, data)


@pytest.fixture
def split(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Split]:
    """The desks, built once per test process (tests/sync/usb_world.py): this test's own copy."""
    saved, (carried, data) = built_once("hand-over-parts", tmp_path_factory, _build)
    with saved.copy(tmp_path) as (org, made):
        desks = usb_desks_of(org, made["desk2"])
        moved = rebased(saved.folder, tmp_path)
        try:
            monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 4)
            yield Split(desks, org.workers, [replace(b, path=moved(b.path)) for b in carried], data)
        finally:
            desks.close()


def test_parts_taken_in_order_give_what_one_bundle_gives(split: Split) -> None:
    desks = split.desks
    desks.kyiv_bundle()  # Kyiv's own bundle 1 to the coordinators, which Lviv never gets
    handed = split.hand_over()
    assert len(handed.parts) >= 3 and handed.parts[0].sequence == 2
    numbers = [p.sequence for p in handed.parts]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert (handed.path, handed.sequence) == (handed.parts[-1].path, numbers[-1])
    assert sum(p.revisions for p in handed.parts) == handed.revisions == len(desks.kyiv.revisions.all())

    for part in handed.parts[:-1]:
        taken = split.take(part.path)
        assert not taken.replay
        assert taken.gaps == ()  # the maker's earlier numbers: recorded by the last part, no alarm
        # A part taken alone leaves a sound vault: every revision with its
        # parents, every item with its file, every chain unbroken...
        assert_verified(desks.lviv)
        # ...and nothing counts as received before the last part.
        assert all(desks.lviv.sync.received_bundle(b.bundle_id) is None for b in split.carried)
    assert split.take(handed.parts[-1].path).gaps == ()

    assert heads_hash(desks.lviv) == heads_hash(desks.kyiv)
    assert_verified(desks.kyiv, desks.lviv)
    assert all(desks.lviv.sync.received_bundle(b.bundle_id) is not None for b in split.carried)
    assert stored_bytes(desks.lviv, split.kyiv_data) == split.kyiv_data
    assert all(stored_bytes(desks.lviv, w.data) == w.data for w in split.workers)

    # Each part again: a replay, nothing changed.
    held = heads_hash(desks.lviv)
    assert all(split.take(p.path).replay for p in handed.parts)
    assert heads_hash(desks.lviv) == held

    # A worker's next bundle (to both desks now) follows at Lviv: not
    # refused, no gap.
    worker = split.workers[0]
    org_vault.update_profile(worker.vault, org_vault.current_signed(desks.kyiv).signed)
    make_case(worker.vault)
    following = desks.org.export(worker.vault)
    imported = desks.to_lviv(following.path)
    assert not imported.replay and imported.revisions >= 1 and imported.gaps == ()
    assert_verified(desks.lviv)


def test_a_missing_middle_part_holds_the_later_ones(split: Split) -> None:
    desks = split.desks
    handed = split.hand_over()
    first, middle, *later = handed.parts
    split.take(first.path)
    after_first = heads_hash(desks.lviv)
    for part in later:
        with pytest.raises(BundleRejected) as refused:
            split.take(part.path)
        assert refused.value.kind == "hand-over-part"
        assert refused.value.subject == str(part.sequence - 1)  # the number to take first
        assert heads_hash(desks.lviv) == after_first
        assert desks.lviv.sync.received_bundle(part.bundle_id) is None
    # The missing one comes; the later ones are taken when they come again.
    split.take(middle.path)
    for part in later:
        assert not split.take(part.path).replay
    assert heads_hash(desks.lviv) == heads_hash(desks.kyiv)
    assert_verified(desks.lviv)


def test_a_damaged_part_is_refused_and_nothing_applied(split: Split) -> None:
    desks = split.desks
    handed = split.hand_over()
    first, middle = handed.parts[0], handed.parts[1]
    split.take(first.path)
    before = heads_hash(desks.lviv)
    sound = middle.path.read_bytes()
    damaged = bytearray(sound)
    damaged[len(damaged) // 2] ^= 0x01
    middle.path.write_bytes(bytes(damaged))
    with pytest.raises(BundleRejected):
        split.take(middle.path)
    assert heads_hash(desks.lviv) == before
    assert desks.lviv.sync.received_bundle(middle.bundle_id) is None
    # The sound copy is taken, and the rest after it.
    middle.path.write_bytes(sound)
    for part in handed.parts[1:]:
        split.take(part.path)
    assert heads_hash(desks.lviv) == heads_hash(desks.kyiv)
    assert_verified(desks.lviv)


def test_a_small_history_is_still_one_bundle(split: Split, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 600_000)
    handed = split.hand_over()
    assert len(handed.parts) == 1 and handed.parts[0].path == handed.path
    split.take(handed.path)
    assert heads_hash(split.desks.lviv) == heads_hash(split.desks.kyiv)


def test_a_cancel_between_parts_leaves_no_file_and_the_next_hand_over_completes(split: Split) -> None:
    desks = split.desks
    stick = desks.tmp_path / "stick"
    stick.mkdir()
    cancel = CancelToken()

    def cancel_at_the_second(number: int, _of: int) -> None:
        if number == 2:
            cancel.cancel()

    before = desks.kyiv.sync.outgoing().bundle_sequence
    with pytest.raises(BundleCancelled):
        hand_over(desks.kyiv, stick, desks.lviv.device_id, cancel=cancel, on_part=cancel_at_the_second)
    assert list(stick.iterdir()) == []  # the first part's file too: it never completes alone
    # Its number stays used (counted as made, to the new desk): none is used twice.
    used = desks.kyiv.sync.outgoing().bundle_sequence
    assert used == before + 1
    again = split.hand_over()
    assert again.parts[0].sequence == used + 1
    for part in again.parts:
        split.take(part.path)
    assert heads_hash(desks.lviv) == heads_hash(desks.kyiv)
    assert_verified(desks.lviv)


def test_a_part_holds_revisions_up_to_the_byte_limit(split: Split, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 600_000)
    monkeypatch.setattr(hand_over_module, "MAX_PART_REVISION_BYTES", 1)  # one revision a part
    handed = split.hand_over()
    with_revisions = [p for p in handed.parts if p.revisions]
    assert len(with_revisions) == handed.revisions and all(p.revisions == 1 for p in with_revisions)
    for part in handed.parts:
        split.take(part.path)
    assert heads_hash(split.desks.lviv) == heads_hash(split.desks.kyiv)
    assert_verified(split.desks.lviv)
