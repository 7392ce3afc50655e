"""The Coordinator menu at a desk WITHOUT the organisation key (the Lviv
desk, added with ``org add-coordinator``; docs/org-profile.md §6,
docs/merge.md): Review…, Possible duplicates…, Conflicts…, Send back to
field workers… and Write acknowledgements to USB… are offered there, and
each does its job on what the desk merged; what needs the key is not
offered (Issue enrolment token… disabled, no Revoke… in Devices, no token
field in Add a device…). Before, every coordinator-menu test ran at the
desk holding the key.

The scene, real vaults and bundle files through a folder: two workers
enrolled with Kyiv's tokens record work (one the man "Олександр Петренко",
the other "Oleksandr Petrenko"); Kyiv imports both bundles and edits the
first worker's testimony while that worker edits it too; Lviv imports
Kyiv's bundle (its vouch makes the workers known there, and it carries
their records), then both workers' bundles: the testimony is in conflict
at Lviv. The window opens Lviv's vault as a user does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from db.api import Person
from desktop.conflicts_view import ConflictsDialog
from desktop.devices_view import DevicesDialog
from desktop.duplicates_view import DuplicatesDialog
from desktop.org_acks import WriteAcksDialog
from desktop.org_add_device import AddDeviceDialog
from desktop.review_view import ReviewDialog
from desktop.send_back_dialog import SendBackDialog
from desktop.window import FieldvaultWindow
from sync.acks import take_ack
from sync.bundle import read_bundle
from sync.merge.same_as import linked_pairs
from tests.db.sync_fixtures import FieldWork
from tests.desktop.test_conflicts_view import choose, column_of, wait_for_versions
from tests.gui_helpers import screenshot, unlocked_window
from tests.sync.desk_world import UsbDesks

WAIT_MS = 60_000


@dataclass
class Lviv:
    desks: UsbDesks
    first: FieldWork
    second: FieldWork
    testimony_id: str  # the first worker's, in conflict at Lviv
    cyrillic: str  # person ids: one man, recorded by each worker
    latin: str
    bundles: dict[str, int]  # worker device id -> its newest bundle's number Lviv imported

    @property
    def folder(self) -> Path:
        return self.desks.lviv.folder


@pytest.fixture
def lviv(tmp_path: Path) -> Iterator[Lviv]:
    desks = UsbDesks(tmp_path)
    first, second = desks.worker("kupiansk"), desks.worker("izium")
    cyrillic = first.vault.persons.create(
        Person(
            case_id=first.case_id,
            name="Олександр Петренко",
            pseudonym="W-17",
            sensitive={"Дата народження": "1975"},
        )
    ).id
    latin = second.vault.persons.create(
        Person(
            case_id=second.case_id,
            name="Oleksandr Petrenko",
            pseudonym="V-3",
            sensitive={"Date of birth": "12.03.1975"},
        )
    ).id
    [testimony] = first.vault.testimonies.list(first.case_id)
    first_bundle, second_bundle = desks.org.export(first.vault), desks.org.export(second.vault)
    desks.org.import_(first_bundle.path)  # Kyiv: the tokens check out
    desks.org.import_(second_bundle.path)
    desks.kyiv.testimonies.edit(testimony.id, title="Statement of W-17 (Kyiv's reading)")
    first.vault.testimonies.edit(testimony.id, interviewer="Mariia Koval")
    later = desks.org.export(first.vault)

    assert desks.to_lviv(desks.kyiv_bundle()).vouched  # the workers become known at Lviv
    for path in (first_bundle.path, second_bundle.path, later.path):
        assert not desks.to_lviv(path).replay
    assert [c.entity_id for c in desks.lviv.revisions.conflicts()] == [testimony.id]
    desks.lviv.lock()  # the window opens it
    scene = Lviv(
        desks,
        first,
        second,
        testimony.id,
        cyrillic,
        latin,
        {first.vault.device_id: later.sequence, second.vault.device_id: second_bundle.sequence},
    )
    yield scene
    desks.close()


def _entry(window: FieldvaultWindow, context: str, title: str) -> QAction:
    [found] = [
        a for a in window.coordinator_menu.actions() if a.text() == QCoreApplication.translate(context, title)
    ]
    return found


def _open(qtbot: QtBot, window: FieldvaultWindow, context: str, title: str) -> QDialog:
    entry = _entry(window, context, title)
    assert entry.isVisible() and entry.isEnabled(), title
    entry.trigger()
    dialog = window.coordinator_menu.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return dialog


def test_review_at_a_desk_without_the_key_lists_the_merged_records(qtbot: QtBot, lviv: Lviv) -> None:
    window = unlocked_window(qtbot, lviv.folder)
    dialog = _open(qtbot, window, "ReviewDialog", "&Review…")
    assert isinstance(dialog, ReviewDialog)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.status.text() == "", timeout=WAIT_MS)
    vault = window.vault
    assert vault is not None
    testimonies = {t.id for t in vault.testimonies.list()}
    [second_testimony] = lviv.second.vault.testimonies.list(lviv.second.case_id)
    assert {lviv.testimony_id, second_testimony.id} <= testimonies
    shown = set(dialog.shown_ids())
    # Both workers' testimonies and evidence items, merged from their bundles and Kyiv's.
    assert {lviv.testimony_id, second_testimony.id, lviv.first.evidence_id, lviv.second.evidence_id} <= shown
    screenshot(dialog, "desk-without-key-review.png")
    # A filter works there too: the second worker's device alone.
    box = dialog.device_box
    index = box.findData(lviv.second.vault.device_id)
    assert index >= 0
    box.setCurrentIndex(index)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.status.text() == "", timeout=WAIT_MS)
    assert set(dialog.shown_ids()) == {second_testimony.id, lviv.second.evidence_id}
    window.lock()


def test_duplicates_at_a_desk_without_the_key_suggests_and_links(qtbot: QtBot, lviv: Lviv) -> None:
    window = unlocked_window(qtbot, lviv.folder)
    dialog = _open(qtbot, window, "DuplicatesDialog", "Possible &duplicates…")
    assert isinstance(dialog, DuplicatesDialog)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    pair = tuple(sorted((lviv.cyrillic, lviv.latin)))
    assert pair in dialog.shown_pairs()
    dialog.choose_pair(*pair)
    assert set(dialog.compare_texts()["name"]) == {"Олександр Петренко", "Oleksandr Petrenko"}
    screenshot(dialog, "desk-without-key-duplicates.png")
    qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    vault = window.vault
    assert vault is not None
    assert linked_pairs(vault) == {pair}
    [link_id] = dialog.decision_ids()
    [made] = vault.links.history(link_id)
    assert made.device_id == vault.device_id  # signed by the Lviv desk's own device key
    assert vault.verify().ok
    window.lock()


def test_conflicts_at_a_desk_without_the_key_shows_and_resolves_it(qtbot: QtBot, lviv: Lviv) -> None:
    window = unlocked_window(qtbot, lviv.folder)
    entry = _entry(window, "ConflictsDialog", "Conflicts…")
    assert entry.isEnabled()
    entry.trigger()
    dialog = window.coordinator_menu.dialog
    assert isinstance(dialog, ConflictsDialog)
    wait_for_versions(qtbot, dialog)
    vault = window.vault
    assert vault is not None
    heads_before = set(vault.revisions.heads()[lviv.testimony_id])
    assert dialog.conflict_list.topLevelItemCount() == 1
    assert sorted(dialog.choices) == ["interviewer", "title"]
    # Kyiv's title, the worker's interviewer.
    choose(qtbot, dialog.choices["title"].heads[column_of(dialog, lviv.desks.kyiv.device_id)])
    choose(qtbot, dialog.choices["interviewer"].heads[column_of(dialog, lviv.first.vault.device_id)])
    screenshot(dialog, "desk-without-key-conflicts.png")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and not dialog.loading, timeout=WAIT_MS)
    assert dialog.conflict_list.topLevelItemCount() == 0 and "Resolved" in dialog.status.text()
    assert vault.revisions.conflicts() == []
    merged = vault.testimonies.get(lviv.testimony_id)
    assert (merged.title, merged.interviewer) == ("Statement of W-17 (Kyiv's reading)", "Mariia Koval")
    (merge,) = [h for h in vault.testimonies.history(lviv.testimony_id) if h.is_head]
    assert set(merge.parents) == heads_before and merge.device_id == vault.device_id
    assert vault.verify().ok
    window.lock()


def test_send_back_at_a_desk_without_the_key_writes_the_workers_bundle(
    qtbot: QtBot, lviv: Lviv, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    window = unlocked_window(qtbot, lviv.folder)
    dialog = _open(qtbot, window, "SendBackDialog", "Send back to field workers…")
    assert isinstance(dialog, SendBackDialog)
    qtbot.waitUntil(lambda: dialog.plan is not None and not dialog.busy, timeout=WAIT_MS)
    first_id = lviv.first.vault.device_id
    # Kyiv's edit of the first worker's testimony is due to it (the policy: records it holds).
    assert dialog.write_button.isEnabled()
    qtbot.keyClicks(dialog.folder_field, str(stick))
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    by_worker = {sent.device_id: sent for sent in dialog.written}
    assert first_id in by_worker, dialog.status.text()
    sent = by_worker[first_id]
    assert sent.path.parent == stick and sent.path.is_file() and sent.revisions > 0
    screenshot(dialog, "desk-without-key-send-back.png")
    window.lock()
    # The worker reads it: encrypted to it alone, made by the Lviv desk.
    opened = read_bundle(sent.path, lviv.first.vault.vault_keys.age_identity(), org_id=lviv.desks.org.org_id)
    assert opened.header.device_id == lviv.desks.lviv.device_id


def test_acknowledgements_at_a_desk_without_the_key_are_taken_by_the_worker(
    qtbot: QtBot, lviv: Lviv, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    window = unlocked_window(qtbot, lviv.folder)
    dialog = _open(qtbot, window, "OrgAdmin", "&Write acknowledgements to USB…")
    assert isinstance(dialog, WriteAcksDialog)
    dialog._chooser = lambda _parent, _caption: str(stick)  # the folder dialog's answer
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    texts = dialog.result_texts()
    for device_id, sequence in lviv.bundles.items():
        assert any(device_id in t and f"bundle {sequence} acknowledged" in t for t in texts), texts
    screenshot(dialog, "desk-without-key-acks.png")
    window.lock()
    # The first worker's vault takes Lviv's acknowledgement of its newest bundle.
    worker = lviv.first.vault
    [ack] = [p for p in stick.iterdir() if worker.device_id in p.name]
    ack_taken, sent = take_ack(worker, ack.read_bytes())
    assert (ack_taken.coordinator_id, sent.sequence) == (
        lviv.desks.lviv.device_id,
        lviv.bundles[worker.device_id],
    )
    assert sent.acked_ms is not None


def test_what_needs_the_key_is_not_offered_at_a_desk_without_it(qtbot: QtBot, lviv: Lviv) -> None:
    window = unlocked_window(qtbot, lviv.folder)
    assert window.coordinator_menu.menuAction().isVisible()
    for context, title in (
        ("ReviewDialog", "&Review…"),
        ("DuplicatesDialog", "Possible &duplicates…"),
        ("ConflictsDialog", "Conflicts…"),
        ("SendBackDialog", "Send back to field workers…"),
        ("OrgAdmin", "&Write acknowledgements to USB…"),
        ("DevicesDialog", "&Devices…"),
        ("OrgAdmin", "&Add a device…"),
    ):
        assert _entry(window, context, title).isEnabled(), title
    assert not _entry(window, "OrgAdmin", "Issue enrolment &token…").isEnabled()
    devices = _open(qtbot, window, "DevicesDialog", "&Devices…")
    assert isinstance(devices, DevicesDialog)
    assert not devices.revoke_button.isVisible()
    adding = _open(qtbot, window, "OrgAdmin", "&Add a device…")
    assert isinstance(adding, AddDeviceDialog)
    assert not adding.token_field.isVisible() and not adding.coordinator_box.isVisible()
    window.lock()
