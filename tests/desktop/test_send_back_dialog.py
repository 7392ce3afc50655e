"""Coordinator → Send back to field workers… (desktop/send_back_dialog.py)
and the worker's Organisation → Import bundles… taking what it wrote
(docs/merge.md, "Sending back to the field").

Real vaults of one organisation and real bundle files: two workers edit one
testimony, the coordinator imports both bundles and resolves the conflict
(tests/sync/merge/conflict_fixtures.py). The coordinator writes the
workers' bundles by clicks in the real window; each worker imports its own
in its import dialog and ends with the coordinator's heads for the
testimony. Policy ``none`` shows nothing due; a cancel leaves no file; a
bundle forged by a worker is refused in plain words.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from pytestqt.qtbot import QtBot

from db.api import Vault
from desktop.bundle_actions import BundleImportDialog
from desktop.send_back_dialog import SendBackDialog
from desktop.window import FieldvaultWindow
from sync import org_vault
from sync.bundle.format import VouchedDevice
from sync.bundle.send_back import send_back
from sync.bundle.vault_io import _revision_wire
from sync.bundle.writer import BundleContents, DeviceIdentity, write_bundle
from tests.factory import make_case
from tests.gui_helpers import in_ukrainian, screenshot, unlocked_window
from tests.sync.merge.conflict_fixtures import ConflictScene, build_conflict
from tests.vault_helpers import open_vault

WAIT_MS = 60_000
UKRAINIAN = re.compile("[А-Яа-яІіЇїЄєҐґ]")


@dataclass
class Folders:
    coordinator: Path
    first: Path
    second: Path
    usb: Path
    testimony_id: str


def _resolve(scene: ConflictScene) -> None:
    """The coordinator's merge revision: one edit over both heads."""
    coordinator = scene.coordinator
    current = coordinator.testimonies.get(scene.testimony_id)
    coordinator.testimonies.save(replace(current, interviewer="Mariia Koval"))
    assert coordinator.revisions.conflicts() == []


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[ConflictScene]:
    built = build_conflict(tmp_path)
    _resolve(built)
    yield built
    built.close()


def _folders(scene: ConflictScene, tmp_path: Path) -> Folders:
    usb = tmp_path / "stick"
    usb.mkdir()
    folders = Folders(
        scene.coordinator.folder, scene.first.folder, scene.second.folder, usb, scene.testimony_id
    )
    scene.close()  # the window and dialogs open the vaults themselves
    return folders


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def open_send_back(qtbot: QtBot, window: FieldvaultWindow) -> SendBackDialog:
    """Coordinator → Send back to field workers…, as a click on the menu entry does."""
    menu = window.coordinator_menu
    assert menu.menuAction().isVisible()
    title = QCoreApplication.translate("SendBackDialog", "Send back to field workers…")
    (entry,) = [a for a in menu.actions() if a.text() == title]
    entry.trigger()
    dialog = menu.dialog
    assert isinstance(dialog, SendBackDialog)
    qtbot.waitUntil(lambda: dialog.plan is not None and not dialog.busy, timeout=WAIT_MS)
    return dialog


def _click(qtbot: QtBot, dialog: SendBackDialog, button_name: str) -> None:
    qtbot.mouseClick(getattr(dialog, button_name), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)


def _row_texts(dialog: SendBackDialog) -> list[tuple[str, str]]:
    tree = dialog.workers
    rows = []
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        assert item is not None
        rows.append((item.toolTip(0), item.text(1)))
    return rows


def _import_in_dialog(qtbot: QtBot, vault: Vault, paths: list[Path]) -> BundleImportDialog:
    dialog = BundleImportDialog(vault)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_files(paths)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    return dialog


def test_the_coordinator_sends_back_by_clicks_and_the_workers_converge(
    qtbot: QtBot, scene: ConflictScene, tmp_path: Path
) -> None:
    first_id, second_id = scene.first.device_id, scene.second.device_id
    folders = _folders(scene, tmp_path)
    window = unlocked_window(qtbot, folders.coordinator)
    dialog = open_send_back(qtbot, window)
    coordinator = window.vault
    assert coordinator is not None

    # The policy in plain words, and both workers with the resolved testimony due.
    assert "only the changes to records it already holds" in dialog.policy_label.text()
    rows = dict(_row_texts(dialog))
    assert set(rows) == {first_id, second_id}
    for text in rows.values():
        assert text.startswith("1 record(s) due"), text
    assert "2 field worker(s) have something due" in dialog.status.text()
    assert dialog.write_button.isEnabled()

    # No folder yet: nothing is written, the dialog says what to do.
    _click(qtbot, dialog, "write_button")
    assert "Choose a folder" in dialog.status.text() and os.listdir(folders.usb) == []

    qtbot.keyClicks(dialog.folder_field, str(folders.usb))
    _click(qtbot, dialog, "write_button")
    assert len(dialog.written) == 2, dialog.status.text()
    assert "2 bundle(s) written" in dialog.status.text()
    by_worker = {sent.device_id: sent for sent in dialog.written}
    assert sorted(p.name for p in folders.usb.iterdir()) == sorted(s.path.name for s in dialog.written)
    for device_id, text in _row_texts(dialog):
        sent = by_worker[device_id]
        assert text.startswith("written, 1 records (") and text.endswith(f": {sent.path.name}"), text
        assert "1 device(s) vouched for" in text
        # Counts only: no word of the testimony shows.
        assert "Свідок" not in text and "Mariia" not in text
    screenshot(dialog, "send-back.png")
    coordinator_heads = set(coordinator.revisions.heads()[folders.testimony_id])
    coordinator_record = coordinator.testimonies.get(folders.testimony_id)
    window.lock()

    # Each worker imports its own bundle in its import dialog and converges.
    for device_id, folder in ((first_id, folders.first), (second_id, folders.second)):
        worker = open_vault(folder)
        try:
            imported = _import_in_dialog(qtbot, worker, [by_worker[device_id].path])
            (text,) = imported.result_texts()
            assert text.startswith("imported from your coordinator"), text
            assert "1 other device(s) vouched for" in text
            assert "have not arrived" not in text  # the coordinator's numbers are no gap here
            assert set(worker.revisions.heads()[folders.testimony_id]) == coordinator_heads
            assert worker.revisions.conflicts() == []
            assert worker.testimonies.get(folders.testimony_id) == coordinator_record
            assert worker.verify().ok
            if device_id == second_id:
                screenshot(imported, "send-back-imported.png")
        finally:
            worker.lock()

    # Nothing more is due; the worker's bundle is written again only on request (a lost stick).
    window2 = unlocked_window(qtbot, folders.coordinator)
    again = open_send_back(qtbot, window2)
    assert [text for _id, text in _row_texts(again)] == ["nothing due", "nothing due"]
    assert "Nothing is due" in again.status.text() and not again.write_button.isEnabled()
    lost = folders.usb / "lost"
    lost.mkdir()
    again.folder_field.setText(str(lost))
    again.workers.topLevelItem(0).setSelected(True)  # type: ignore[union-attr]
    _click(qtbot, again, "resend_button")
    assert len(again.written) == 1 and again.written[0].revisions > 0
    assert [p.name for p in lost.iterdir()] == [again.written[0].path.name]
    window2.lock()


def test_policy_none_says_nothing_is_due(qtbot: QtBot, scene: ConflictScene, tmp_path: Path) -> None:
    org_vault.set_policy(scene.coordinator, send_to_workers="none")
    folders = _folders(scene, tmp_path)
    window = unlocked_window(qtbot, folders.coordinator)
    dialog = open_send_back(qtbot, window)
    assert "sends nothing of other devices" in dialog.policy_label.text()
    assert [text for _id, text in _row_texts(dialog)] == ["nothing due", "nothing due"]
    assert "Nothing is due" in dialog.status.text()
    assert not dialog.write_button.isEnabled() and not dialog.resend_button.isEnabled()
    window.lock()


def test_cancel_leaves_no_bundle_file(qtbot: QtBot, scene: ConflictScene, tmp_path: Path) -> None:
    """Under ``all`` the coordinator's large evidence file travels: Cancel mid-write."""
    org_vault.set_policy(scene.coordinator, send_to_workers="all")
    video = tmp_path / "video.mp4"
    with video.open("wb") as file:  # large enough that the write is still running when Cancel is clicked
        for _ in range(96):
            file.write(os.urandom(1 << 20))
    scene.coordinator.evidence.ingest(video, make_case(scene.coordinator).id)
    before = scene.coordinator.sync.outgoing()
    folders = _folders(scene, tmp_path)
    window = unlocked_window(qtbot, folders.coordinator)
    dialog = open_send_back(qtbot, window)
    dialog.folder_field.setText(str(folders.usb))
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=WAIT_MS)
    assert dialog.busy, "the write ended before it could be cancelled"
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert dialog.written == []
    assert "Stopped" in dialog.status.text()
    assert os.listdir(folders.usb) == []  # no bundle, no partial file
    assert all("not written (stopped)" in text for _id, text in _row_texts(dialog))
    vault = window.vault
    assert vault is not None and vault.sync.outgoing() == before
    screenshot(dialog, "send-back-cancelled.png")
    window.lock()


def test_a_worker_takes_no_forged_send_back(qtbot: QtBot, scene: ConflictScene, tmp_path: Path) -> None:
    """The second worker writes a bundle for the first that vouches for itself,
    as if it were the coordinator: nothing of it is stored and the dialog says
    so. A genuine send-back altered on the stick: refused with its reason."""
    second, first = scene.second, scene.first
    forged = write_bundle(
        scene.org.usb / "forged.fvbundle",
        BundleContents(
            org_id=scene.org.org_id,
            profile_version=1,
            sequence=1,
            previous=None,
            custody_head=None,
            revisions=[_revision_wire(rev) for rev in second.revisions.since(0, 10_000)],
            devices=[VouchedDevice(second.device_public_key, second.vault_keys.age_recipient())],
            addressee=first.device_id,
        ),
        DeviceIdentity(second.sync.signing_key(), second.device_id),
        [first.vault_keys.age_recipient()],
    )
    genuine = send_back(scene.coordinator, tmp_path, first.device_id)
    assert genuine is not None
    altered = bytearray(genuine.path.read_bytes())
    altered[len(altered) // 2] ^= 0x01
    tampered = scene.org.usb / "altered.fvbundle"
    tampered.write_bytes(bytes(altered))
    before = first.revisions.heads()

    dialog = _import_in_dialog(qtbot, first, [forged.path, tampered])
    self_vouched, altered_text = dialog.result_texts()
    assert self_vouched.startswith("not taken: it does not come from your organisation's coordinator")
    assert not dialog.approve_box.isVisible()  # a field worker approves no device
    assert altered_text.startswith("refused: "), altered_text
    assert first.revisions.heads() == before
    assert first.sync.device(second.device_id) is None
    screenshot(dialog, "send-back-forged.png")


def test_the_send_back_dialog_in_ukrainian(
    qtbot: QtBot, scene: ConflictScene, tmp_path: Path, ukrainian: None
) -> None:
    folders = _folders(scene, tmp_path)
    window = unlocked_window(qtbot, folders.coordinator)
    dialog = open_send_back(qtbot, window)
    for text in (
        dialog.windowTitle(),
        dialog.policy_label.text(),
        dialog.status.text(),
        dialog.write_button.text(),
        dialog.resend_button.text(),
        _row_texts(dialog)[0][1],
    ):
        assert UKRAINIAN.search(text), text
    dialog.folder_field.setText(str(folders.usb))
    _click(qtbot, dialog, "write_button")
    assert len(dialog.written) == 2
    for _id, text in _row_texts(dialog):
        assert UKRAINIAN.search(text), text
    screenshot(dialog, "send-back-uk.png")
    window.lock()
