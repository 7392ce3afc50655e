"""A field worker's bundle that reaches the new desk while a split history
hand-over is taken in part (docs/bundle-format.md §10 "Size", review 17
F3). By USB with real vaults: Kyiv took the bundles 1 of two workers and
acknowledged them; worker A then made bundle 2 with new evidence (custody
events after bundle 1's); Lviv was added, and Kyiv's hand-over to it needs
several parts (``MAX_PART_LINES`` lowered).

Between the first part (which vouches for A) and the last (which brings
``received``; A's chain comes after every revision), A's bundle 2 was
refused ``bundle-custody`` at Lviv (a pull passes that for good) or taken
with a false gap alarm. Now it is held in quarantine, as before any
hand-over, and not released until the last part is taken; then the release
imports it, following bundle 1, and Lviv holds what Kyiv holds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from sync import org_vault
from sync.bundle import hand_over as hand_over_module
from sync.bundle.hand_over import HandedOver, hand_over
from sync.bundle.quarantine import approve_bundle
from sync.bundle.vault_io import ExportedBundle
from tests.db.sync_fixtures import FieldWork
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, ack_by_usb, assert_verified, heads_hash
from tests.sync.usb_world import SavedUsbOrg, built_once, rebased, save, usb_desks_of


@dataclass
class Window:
    desks: UsbDesks
    worker: FieldWork
    second: ExportedBundle  # A's bundle 2, made before the hand-over
    handed: HandedOver


def _build(folder: Path) -> tuple[SavedUsbOrg, tuple[ExportedBundle, HandedOver]]:
    desks = UsbDesks(folder)
    workers = []
    for name in ("field-a", "field-b"):
        worker = desks.worker(name)
        made = desks.org.export(worker.vault)
        desks.org.import_(made.path)
        ack_by_usb(desks.kyiv, worker.vault, made.bundle_id)
        workers.append(worker)
    worker = workers[0]
    org_vault.update_profile(worker.vault, org_vault.current_signed(desks.kyiv).signed)
    source = folder / "second.jpg"
    source.write_bytes(b"second photo " * 3000)
    worker.vault.evidence.ingest(source, worker.case_id)
    second = desks.org.export(worker.vault)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hand_over_module, "MAX_PART_LINES", 4)
        stick = folder / "stick"
        stick.mkdir()
        handed = hand_over(desks.kyiv, stick, desks.lviv.device_id)
    assert len(handed.parts) >= 3
    return save(desks.org, {"desk2": desks.lviv}), (second, handed)


@pytest.fixture
def window(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Window]:
    """The window, built once per test process (usb_world): this test's own
    copy (the parts' limit still lowered, as when the hand-over was made)."""
    saved, (second, handed) = built_once("hand-over-parts-window", tmp_path_factory, _build)
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 4)
    with saved.copy(tmp_path) as (org, made):
        desks = usb_desks_of(org, made["desk2"])
        moved = rebased(saved.folder, tmp_path)
        handed = replace(
            handed, path=moved(handed.path), parts=tuple(replace(p, path=moved(p.path)) for p in handed.parts)
        )
        try:
            yield Window(desks, org.workers[0], replace(second, path=moved(second.path)), handed)
        finally:
            desks.close()


def _complete(window: Window) -> None:
    """Kyiv takes bundle 2 too; both desks hold the same and verify."""
    window.desks.org.import_(window.second.path)
    assert heads_hash(window.desks.lviv) == heads_hash(window.desks.kyiv)
    assert_verified(window.desks.lviv)


@pytest.mark.parametrize("taken", ["first", "all-but-last"])
def test_a_workers_bundle_between_the_parts_waits_in_quarantine_and_follows_the_last(
    window: Window, taken: str
) -> None:
    desks, parts = window.desks, window.handed.parts
    cut = 1 if taken == "first" else len(parts) - 1
    for part in parts[:cut]:
        assert not desks.to_lviv(part.path).replay
    held = desks.hold_at_lviv(window.second.path)  # before: refused bundle-custody, or a gap
    assert held.bundle_id == window.second.bundle_id and held.device_id == window.worker.vault.device_id
    assert desks.release_at_lviv() == []  # not while the series is incomplete
    assert desks.lviv.sync.received_bundle(window.second.bundle_id) is None
    for part in parts[cut:]:
        assert not desks.to_lviv(part.path).replay
    (released,) = desks.release_at_lviv()
    assert released.bundle_id == window.second.bundle_id and not released.replay
    assert released.gaps == ()  # it follows bundle 1, recorded by the last part
    _complete(window)


def test_a_bundle_held_before_the_first_part_is_not_released_inside_the_window(window: Window) -> None:
    desks, parts = window.desks, window.handed.parts
    desks.hold_at_lviv(window.second.path)  # A unknown at Lviv: held, as before any hand-over
    assert not desks.to_lviv(parts[0].path).replay  # vouches for A
    assert desks.release_at_lviv() == []  # before: imported here and refused bundle-custody
    for part in parts[1:]:
        desks.to_lviv(part.path)
    (released,) = desks.release_at_lviv()
    assert released.bundle_id == window.second.bundle_id and released.gaps == ()
    _complete(window)


def test_a_hand_over_in_one_bundle_after_an_unfinished_series_ends_the_wait(
    window: Window, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts 1..k of a series that never completes (its maker was killed
    while writing it), then a fresh hand-over: A's bundles wait for it, and
    are released once it is taken."""
    desks, parts = window.desks, window.handed.parts
    desks.to_lviv(parts[0].path)
    desks.hold_at_lviv(window.second.path)
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 600_000)
    fresh = hand_over(desks.kyiv, desks.tmp_path / "stick", desks.lviv.device_id)
    assert len(fresh.parts) == 1
    assert desks.release_at_lviv() == []
    assert not desks.to_lviv(fresh.path).replay
    (released,) = desks.release_at_lviv()
    assert released.bundle_id == window.second.bundle_id and released.gaps == ()
    _complete(window)


def test_a_device_whose_bundles_the_new_desk_took_itself_is_not_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the devices the new desk took no bundle of wait: one it enrolled
    itself (its code compared) goes on being taken between the parts."""
    desks = UsbDesks(tmp_path)
    try:
        late = desks.worker("field-late")
        org_vault.update_profile(late.vault, org_vault.current_signed(desks.kyiv).signed)
        first = desks.org.export(late.vault)
        desks.org.import_(first.path)
        desks.hold_at_lviv(first.path)  # its token is Kyiv's: Lviv compares its code
        code = org_vault.status(late.vault).verification_code
        approve_bundle(desks.lviv, first.bundle_id, code, desks.lviv.vault_keys.age_identity())
        for title in ("one", "two", "three"):
            make_case(desks.kyiv, title=title)
        source = tmp_path / "second.jpg"
        source.write_bytes(b"second photo " * 3000)
        late.vault.evidence.ingest(source, late.case_id)
        second = desks.org.export(late.vault)
        monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 4)
        stick = tmp_path / "stick"
        stick.mkdir()
        parts = hand_over(desks.kyiv, stick, desks.lviv.device_id).parts
        assert len(parts) >= 2
        desks.to_lviv(parts[0].path)
        taken = desks.to_lviv(second.path)  # not held: Lviv holds its chain and bundle 1
        assert not taken.replay and taken.gaps == ()
        for part in parts[1:]:
            desks.to_lviv(part.path)
        desks.org.import_(second.path)
        assert heads_hash(desks.lviv) == heads_hash(desks.kyiv)
        assert_verified(desks.lviv)
    finally:
        desks.close()
