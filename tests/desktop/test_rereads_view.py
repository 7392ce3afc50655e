"""Coordinator → Kept re-reads… (desktop/rereads_view.py; issue 14, review
21 R4): the re-reads a coordinator desk kept (db/rereads.py), listed in the
app as ``fieldvault bundle rereads`` lists them. The world of
tests/sync/reread_world.py: a history hand-over whose maker dropped a
worker's testimony and photo, so the Rivne desk re-reads the worker's own
bundle file to store them. Real vaults, a real re-read, the real window:
the menu opened and the entry chosen by mouse clicks, a row clicked, and
the ids shown compared with the row the vault kept. Ids only: never the
testimony's title or the photo's file name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMenu, QMenuBar
from pytestqt.qtbot import QtBot

from db.api import Reread, Vault
from desktop.rereads_view import KeptRereadsDialog, rereads_title
from desktop.window import FieldvaultWindow
from sync.bundle.reread import reread_bundle
from tests.gui_helpers import all_texts, click_row, in_ukrainian, screenshot, unlocked_window
from tests.sync.reread_world import Scene, scene

WAIT_MS = 60_000

__all__ = ["scene"]  # the fixture


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _rivne_window(qtbot: QtBot, scene: Scene) -> tuple[FieldvaultWindow, Vault]:
    """Rivne's window, unlocked by typing the passphrase (the scene's own
    handle on the vault locked first, as a second unlock needs)."""
    scene.rivne.lock()
    window = unlocked_window(qtbot, scene.rivne.folder)
    vault = window.vault
    assert vault is not None
    return window, vault


def _reread(scene: Scene, vault: Vault) -> None:
    """Import bundles… → Re-read of the worker's own file, as the dialog's task does it."""
    reread_bundle(vault, scene.bundle.path, vault.vault_keys.age_identity(), org_id=scene.org.org_id)


def _open_by_clicks(qtbot: QtBot, window: FieldvaultWindow) -> KeptRereadsDialog:
    """Coordinator (the menu bar clicked) → Kept re-reads… (its entry clicked)."""
    menu = window.coordinator_menu
    bar = window.menuBar()
    assert isinstance(bar, QMenuBar) and isinstance(menu, QMenu)
    assert menu.menuAction().isVisible()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(menu.menuAction()).center())
    qtbot.waitUntil(menu.isVisible, timeout=WAIT_MS)
    [entry] = [action for action in menu.actions() if action.text() == rereads_title()]
    assert entry.isVisible() and entry.isEnabled()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(entry).center())
    dialog = menu.dialog
    assert isinstance(dialog, KeptRereadsDialog), dialog
    qtbot.waitUntil(lambda: dialog.isVisible() and not dialog.busy, timeout=WAIT_MS)
    return dialog


def _shown_ids(dialog: KeptRereadsDialog) -> list[list[str]]:
    """The ids the details box shows, per section (applied, unparked, evidence)."""
    sections = dialog.ids.toPlainText().split("\n\n")[:3]
    return [
        [line.strip() for line in section.splitlines()[1:] if line.startswith("  ")] for section in sections
    ]


def _ids(values: tuple[str, ...]) -> list[str]:
    return list(values) or [QCoreApplication.translate("KeptRereadsDialog", "none")]


def test_the_kept_rereads_are_listed_with_their_ids(qtbot: QtBot, scene: Scene) -> None:
    window, vault = _rivne_window(qtbot, scene)
    dialog = _open_by_clicks(qtbot, window)
    # None yet: the list gives way to a sentence saying what a re-read is.
    assert dialog.row_texts() == [] and not dialog.table.isVisible() and dialog.empty.isVisible()
    assert dialog.empty.text().startswith(
        "No re-read is kept at this desk. A re-read is a bundle this desk had received already, read "
        "again in full"
    )
    assert dialog.ids.toPlainText() == "" and not dialog.ids.isVisible()
    screenshot(dialog, "coordinator-rereads-empty.png")

    vault.settings.set("user_label", "Coordinator O.")
    _reread(scene, vault)  # stores the testimony and the photo the hand-over dropped
    vault.settings.set("user_label", "Coordinator M.")
    _reread(scene, vault)  # nothing new: kept too
    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and len(dialog.row_texts()) == 2, timeout=WAIT_MS)
    newest, kept = vault.sync.rereads()
    assert kept.applied == tuple(sorted(scene.dropped)) and kept.evidence == (scene.photo_item,)
    assert dialog.table.isVisible() and dialog.ids.isVisible() and not dialog.empty.isVisible()

    worker = scene.worker.vault.device_id
    rows = dialog.row_texts()
    assert [row[dialog.BY_COLUMN] for row in rows] == ["Coordinator M.", "Coordinator O."]
    for row, reread in zip(rows, (newest, kept), strict=True):
        assert row[dialog.BY_COLUMN] == reread.user_label
        assert row[dialog.BUNDLE_COLUMN] == f"#2 of {worker[:12]}…"
        assert row[dialog.WHEN_COLUMN].endswith(" UTC")
    assert [row[dialog.APPLIED_COLUMN :] for row in rows] == [["0", "0", "0"], ["2", "0", "1"]]
    # The newest is chosen first: it stored nothing, and says so.
    assert dialog.chosen_reread() == newest
    assert _shown_ids(dialog) == [[_ids(())[0]]] * 3
    assert "Nothing was new" in dialog.ids.toPlainText()

    # The older one, clicked: its ids in full, as the vault kept them.
    click_row(qtbot, dialog.table, 1)
    assert dialog.chosen_reread() == kept
    assert _shown_ids(dialog) == [list(kept.applied), _ids(kept.unparked), list(kept.evidence)]
    assert _shown_ids(dialog)[0] == sorted(scene.dropped) and _shown_ids(dialog)[2] == [scene.photo_item]
    summary = dialog.summary.text()
    assert f"Re-read {kept.reread_id} " in summary
    assert scene.bundle.bundle_id in summary and f"number 2 of device {worker}" in summary
    assert "Nothing was new" not in dialog.ids.toPlainText()
    screenshot(dialog, "coordinator-rereads.png")
    # Ids only: not the testimony's title, the photo's file name or its bytes.
    shown = all_texts(dialog)
    for secret in ("W-3", "Statement of witness", "school", "shelled"):
        assert secret not in shown, secret

    # A refresh keeps the chosen re-read chosen.
    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert dialog.chosen_reread() == kept

    window.lock()
    assert window.coordinator_menu.dialog is None
    assert dialog.row_texts() == [] and dialog.ids.toPlainText() == "" and dialog.summary.text() == ""
    assert kept.bundle_id not in all_texts(dialog) and scene.photo_item not in all_texts(dialog)


def test_kept_rereads_in_ukrainian(qtbot: QtBot, scene: Scene, ukrainian: None) -> None:
    window, vault = _rivne_window(qtbot, scene)
    assert rereads_title() == "&Збережені перечитування…"
    _reread(scene, vault)
    dialog = _open_by_clicks(qtbot, window)
    assert dialog.windowTitle() == "Збережені перечитування"
    [kept] = vault.sync.rereads()
    assert isinstance(kept, Reread)
    [row] = dialog.row_texts()
    assert row[dialog.BUNDLE_COLUMN].startswith("№2 від ")
    text = dialog.ids.toPlainText()
    assert text.startswith("Зміни записів пакета, які воно зберегло (2):")
    assert _shown_ids(dialog) == [sorted(scene.dropped), ["немає"], [scene.photo_item]]
    screenshot(dialog, "coordinator-rereads-uk.png")


def test_an_empty_vault_says_what_a_reread_is_in_ukrainian(
    qtbot: QtBot, scene: Scene, ukrainian: None
) -> None:
    window, _vault = _rivne_window(qtbot, scene)
    dialog = _open_by_clicks(qtbot, window)
    assert dialog.empty.isVisible()
    assert dialog.empty.text().startswith("Цей стіл не зберігає жодного перечитування.")
