"""The history hand-over (docs/bundle-format.md §10) while the maker's other
lane works, by USB with real vaults (review 17 F5, F6): Kyiv took a field
worker's bundle 1 and acknowledged it; Lviv was added since.

- F6: the sync lane imports the worker's bundle 2 at Kyiv while the
  hand-over is being written (before its plan, or after it, while the files
  are placed). Lviv takes every part of it, then bundle 2 and 3 of the
  worker, and verifies (before the fix, ``received`` was read after the
  plan and named bundle 2 whose revisions and events no part carried: Lviv
  refused the whole hand-over as ``bundle-custody``).
- F5: Kyiv's own bundle exported while a split hand-over is written takes
  the number after the hand-over's last part, never one of its numbers
  (before: the hand-over failed with an uncoded ValueError)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.api import Case
from sync import org_vault
from sync.bundle import hand_over as hand_over_module
from sync.bundle.hand_over import hand_over
from sync.bundle.vault_io import ExportedBundle
from tests.db.sync_fixtures import FieldWork
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, ack_by_usb, assert_verified, heads_hash
from tests.sync.usb_world import SavedUsbOrg, built_once, save, usb_desks_of


def _build(folder: Path) -> tuple[SavedUsbOrg, None]:
    made = UsbDesks(folder)
    worker = made.worker("field-a")
    first = made.org.export(worker.vault)
    made.org.import_(first.path)
    ack_by_usb(made.kyiv, worker.vault, first.bundle_id)
    org_vault.update_profile(worker.vault, org_vault.current_signed(made.kyiv).signed)
    return save(made.org, {"desk2": made.lviv}), None


@pytest.fixture
def desks(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[UsbDesks, FieldWork]]:
    """Kyiv, Lviv and the worker, built once per test process (tests/sync/usb_world.py): this test's own copy."""
    saved, _ = built_once("hand-over-concurrent", tmp_path_factory, _build)
    with saved.copy(tmp_path) as (org, desks):
        made = usb_desks_of(org, desks["desk2"])
        try:
            yield made, org.workers[0]
        finally:
            made.close()


def _second_bundle(desks: UsbDesks, worker: FieldWork) -> ExportedBundle:
    """The worker's bundle 2: an edit and new evidence (custody events after bundle 1's)."""
    worker.vault.cases.edit(worker.case_id, title="the worker's second bundle")
    source = desks.tmp_path / "second.jpg"
    source.write_bytes(b"second photo " * 3000)
    worker.vault.evidence.ingest(source, worker.case_id)
    return desks.org.export(worker.vault)


@pytest.mark.parametrize(
    ("where", "lines"),
    [("before-plan", 4), ("after-plan", 4), ("after-plan", hand_over_module.MAX_PART_LINES)],
)
def test_an_import_at_the_maker_during_the_hand_over_leaves_it_whole(
    desks: tuple[UsbDesks, FieldWork], monkeypatch: pytest.MonkeyPatch, where: str, lines: int
) -> None:
    usb, worker = desks
    second = _second_bundle(usb, worker)
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", lines)
    hook = "plan" if where == "before-plan" else "place_blobs"
    original = getattr(hand_over_module._Split, hook)
    imported: list[str] = []

    def with_a_pull_meanwhile(self: object, *args: object) -> object:
        if not imported:  # the sync lane imports the worker's bundle 2 now
            imported.append(usb.org.import_(second.path).bundle_id)
        return original(self, *args)

    monkeypatch.setattr(hand_over_module._Split, hook, with_a_pull_meanwhile)
    stick = usb.tmp_path / "stick"
    stick.mkdir()
    handed = hand_over(usb.kyiv, stick, usb.lviv.device_id)
    monkeypatch.undo()
    assert imported == [second.bundle_id]
    assert (len(handed.parts) > 1) == (lines == 4)
    ack_by_usb(usb.kyiv, worker.vault, second.bundle_id)
    for part in handed.parts:
        assert not usb.to_lviv(part.path).replay
    again = usb.to_lviv(second.path)  # carried or not, never refused
    assert again.replay or not again.gaps
    assert heads_hash(usb.lviv) == heads_hash(usb.kyiv)
    worker.vault.cases.create(Case(title="third"))
    third = usb.org.export(worker.vault)
    taken = usb.to_lviv(third.path)
    assert taken.revisions >= 1 and not taken.gaps
    assert_verified(usb.lviv)


def test_an_export_while_a_split_hand_over_is_written_takes_the_next_free_number(
    desks: tuple[UsbDesks, FieldWork], monkeypatch: pytest.MonkeyPatch
) -> None:
    usb, _worker = desks
    make_case(usb.kyiv)
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 4)
    exported: list[ExportedBundle] = []
    # The sync lane's round, on its own thread, exports Kyiv's own bundle
    # while the export lane writes the hand-over's part 2.
    lane = threading.Thread(target=lambda: exported.append(usb.org.export(usb.kyiv)))

    def export_meanwhile(number: int, _of: int) -> None:
        if number == 2:
            lane.start()

    stick = usb.tmp_path / "stick"
    stick.mkdir()
    handed = hand_over(usb.kyiv, stick, usb.lviv.device_id, on_part=export_meanwhile)
    lane.join(timeout=60)
    numbers = [p.sequence for p in handed.parts]
    assert len(numbers) >= 2 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert [e.sequence for e in exported] == [numbers[-1] + 1]
    sent = {s.sequence: s for s in usb.kyiv.sync.sent_bundles()}
    assert [sent[n].bundle_id for n in numbers] == [p.bundle_id for p in handed.parts]
    assert sent[exported[0].sequence].bundle_id == exported[0].bundle_id
    assert all(p.path.is_file() for p in handed.parts) and exported[0].path.is_file()
    for part in handed.parts:
        usb.to_lviv(part.path)
    taken = usb.to_lviv(exported[0].path)  # Kyiv's own bundle follows the hand-over
    assert not taken.replay and not taken.gaps
    assert_verified(usb.lviv)
