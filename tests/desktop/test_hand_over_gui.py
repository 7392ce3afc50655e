"""Coordinator → Hand over history… (desktop/hand_over_dialog.py), by USB
with real vaults and no server: Kyiv took a field worker's bundle and
acknowledged it; Lviv was added as a coordinator since and holds none of
the worker's records (docs/sync.md §2.3, "A desk added later").

Kyiv's window writes the hand-over by clicks; Lviv's import of that file
leaves it with Kyiv's heads, the worker's testimony and its evidence bytes.
A Cancel while the bundle is being written leaves the stick empty and
Kyiv's records of sent bundles unchanged. The dialog lists Lviv with its
verification code, in English and in Ukrainian."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from pytestqt.qtbot import QtBot

from db.api import Vault
from desktop.hand_over_dialog import HandOverDialog
from desktop.item_lists import row_texts
from desktop.window import FieldvaultWindow
from sync import org_vault
from tests.factory import make_case
from tests.gui_helpers import all_texts, in_ukrainian, screenshot, unlocked_window
from tests.sync.desk_world import (
    ack_by_usb,
    add_desk,
    assert_verified,
    heads_hash,
    import_by_usb,
    narratives,
    stored_bytes,
)
from tests.sync.trust_fixtures import make_organisation

WAIT_MS = 120_000
UKRAINIAN = re.compile("[А-Яа-яІіЇїЄєҐґ]")


@dataclass
class LateDesk:
    kyiv_folder: Path  # locked: the window opens it
    lviv: Vault
    org_id: str
    worker_narratives: set[str]
    worker_file: bytes
    stick: Path


def _build(tmp_path: Path, *, big_file_mib: int = 0) -> LateDesk:
    org = make_organisation(tmp_path)
    worker = org.worker("field", token=org.token())
    made = org.export(worker.vault)
    org.import_(made.path)
    ack_by_usb(org.coordinator, worker.vault, made.bundle_id)
    lviv = add_desk(org.coordinator, tmp_path / "lviv", label="Lviv desk")
    if big_file_mib:  # large enough that the write still runs when Cancel is clicked
        video = tmp_path / "video.mp4"
        with video.open("wb") as file:
            for _ in range(big_file_mib):
                file.write(os.urandom(1 << 20))
        org.coordinator.evidence.ingest(video, make_case(org.coordinator).id)
    assert heads_hash(lviv) != heads_hash(org.coordinator)  # Lviv holds none of the worker's work
    stick = tmp_path / "stick"
    stick.mkdir()
    world = LateDesk(org.coordinator.folder, lviv, org.org_id, narratives(worker.vault), worker.data, stick)
    org.close()  # the window opens Kyiv's vault itself
    return world


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[LateDesk]:
    world = _build(tmp_path)
    yield world
    world.lviv.lock()


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def open_hand_over(window: FieldvaultWindow) -> HandOverDialog:
    """Coordinator → Hand over history…, as a click on the menu entry does."""
    menu = window.coordinator_menu
    assert menu.menuAction().isVisible()
    title = QCoreApplication.translate("HandOverDialog", "Hand over &history…")
    (entry,) = [a for a in menu.actions() if a.text() == title]
    assert entry.isEnabled()  # a desk without the organisation key hands over too
    entry.trigger()
    dialog = menu.dialog
    assert isinstance(dialog, HandOverDialog)
    return dialog


def _write(qtbot: QtBot, dialog: HandOverDialog, stick: Path) -> None:
    dialog.folder_field.setText(str(stick))
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)


def test_the_new_desk_imports_the_hand_over_written_by_clicks(qtbot: QtBot, desk: LateDesk) -> None:
    window = unlocked_window(qtbot, desk.kyiv_folder)
    dialog = open_hand_over(window)
    code = org_vault.status(desk.lviv).verification_code  # what Lviv's own screen shows
    assert row_texts(dialog.desks) == [["Lviv desk", desk.lviv.device_id, code]]
    _write(qtbot, dialog, desk.stick)
    handed = dialog.handed
    assert handed is not None, dialog.status.text()
    assert handed.to_device == desk.lviv.device_id and handed.chains == 1 and handed.blobs == 1
    assert os.listdir(desk.stick) == [handed.path.name]
    status = dialog.status.text()
    assert handed.path.name in status and "Import bundles" in status
    assert f"Lviv desk ({desk.lviv.device_id})" in status
    screenshot(dialog, "coordinator-hand-over.png")

    taken = import_by_usb(desk.lviv, handed.path, desk.org_id)
    assert not taken.replay
    kyiv = window.vault
    assert kyiv is not None
    assert heads_hash(desk.lviv) == heads_hash(kyiv)  # Lviv's records equal Kyiv's
    assert desk.worker_narratives <= narratives(desk.lviv)
    assert stored_bytes(desk.lviv, desk.worker_file) == desk.worker_file
    assert_verified(kyiv, desk.lviv)
    window.lock()
    assert window.coordinator_menu.dialog is None


def test_cancel_leaves_no_bundle_file(qtbot: QtBot, tmp_path: Path) -> None:
    desk = _build(tmp_path, big_file_mib=96)
    try:
        window = unlocked_window(qtbot, desk.kyiv_folder)
        kyiv = window.vault
        assert kyiv is not None
        before = (kyiv.sync.outgoing(), kyiv.sync.sent_bundles())
        dialog = open_hand_over(window)
        dialog.folder_field.setText(str(desk.stick))
        qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: dialog.progress.maximum() > 0 and dialog.progress.value() > 0, timeout=WAIT_MS
        )
        assert dialog.busy, "the write ended before it could be cancelled"
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
        assert dialog.handed is None
        assert "Cancelled" in dialog.status.text()
        assert os.listdir(desk.stick) == []  # no bundle, no partial file
        assert (kyiv.sync.outgoing(), kyiv.sync.sent_bundles()) == before
        assert dialog.write_button.isEnabled() and dialog.close_button.isEnabled()
        screenshot(dialog, "coordinator-hand-over-cancelled.png")
        window.lock()
    finally:
        desk.lviv.lock()


def test_a_desk_alone_is_told_to_add_the_new_desk_first(qtbot: QtBot, tmp_path: Path) -> None:
    org = make_organisation(tmp_path)
    folder = org.coordinator.folder
    org.close()
    window = unlocked_window(qtbot, folder)
    dialog = open_hand_over(window)
    assert row_texts(dialog.desks) == []
    assert not dialog.write_button.isEnabled()
    assert "no other coordinator desk" in dialog.status.text()
    window.lock()


def test_a_desk_removed_meanwhile_is_refused_in_plain_words(qtbot: QtBot, desk: LateDesk) -> None:
    """Lviv leaves the profile while the dialog is open: nothing is written,
    and the dialog says why (not 'record not in the vault')."""
    window = unlocked_window(qtbot, desk.kyiv_folder)
    kyiv = window.vault
    assert kyiv is not None
    dialog = open_hand_over(window)
    before = (kyiv.sync.outgoing(), kyiv.sync.sent_bundles())
    org_vault.remove_coordinator(kyiv, desk.lviv.device_id)
    _write(qtbot, dialog, desk.stick)
    assert dialog.handed is None
    status = dialog.status.text()
    assert f"Device {desk.lviv.device_id} is not another coordinator desk" in status
    assert "No hand-over was written" in status
    assert os.listdir(desk.stick) == []
    assert (kyiv.sync.outgoing(), kyiv.sync.sent_bundles()) == before
    window.lock()


def test_the_dialog_in_ukrainian(qtbot: QtBot, desk: LateDesk, ukrainian: None) -> None:
    window = unlocked_window(qtbot, desk.kyiv_folder)
    dialog = open_hand_over(window)
    assert UKRAINIAN.search(dialog.windowTitle())
    _write(qtbot, dialog, desk.stick)
    assert dialog.handed is not None
    status = dialog.status.text()
    assert UKRAINIAN.search(status) and dialog.handed.path.name in status
    assert "Hand-over written" not in all_texts(dialog)
    screenshot(dialog, "coordinator-hand-over-uk.png")
    window.lock()
