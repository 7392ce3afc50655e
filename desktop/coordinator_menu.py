"""The window's Coordinator menu: the screens of coordinator mode (issue 14).

A vault is in coordinator mode when it holds its organisation's key (it
created the organisation, or was given the key): ``sync.org_vault.status``
says so. The menu is shown only then, after unlock; a field worker's window
never shows it. Each entry opens one dialog at a time, closed when the vault
locks (the runner has already cancelled and waited for its work).

Each screen lives in its own module and adds its entry here with
``add_entry``: the menu only holds them and opens their dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMenu, QWidget

from desktop.tasks import TaskRunner

if TYPE_CHECKING:
    from db.api import Vault

DialogMaker = Callable[["Vault", QWidget, TaskRunner], QDialog]


def is_coordinator(vault: Vault) -> bool:
    """Does this vault hold its organisation's key (coordinator mode)?"""
    from sync.org_vault import held_profile

    profile = held_profile(vault)
    if profile is None:
        return False
    key = vault.vault_keys.org_signing_key()
    return key is not None and key.public_key().public_bytes_raw() == profile.org_key


class CoordinatorMenu(QMenu):
    """Coordinator: the entries added by the coordinator screens. ``vault``
    gives the open vault (None when locked). ``changed`` tells the window to
    reload what it shows after a screen wrote to the vault (a merge, a link)."""

    changed = Signal()

    def __init__(self, parent: QWidget, vault: Callable[[], Vault | None], tasks: TaskRunner) -> None:
        super().__init__(parent)
        self._window = parent
        self._vault = vault
        self._tasks = tasks
        self.dialog: QDialog | None = None
        self._entries: list[tuple[QAction, Callable[[], str]]] = []
        self.retranslate()
        self.set_unlocked(False)

    def add_entry(self, title: Callable[[], str], make: DialogMaker, icon_name: str = "") -> QAction:
        """An entry whose ``title`` is read again at each language change and
        whose dialog ``make`` builds for the open vault."""
        from desktop.icons import icon

        action = self.addAction(icon(icon_name), "") if icon_name else self.addAction("")
        action.triggered.connect(lambda: self.open(make))
        self._entries.append((action, title))
        action.setText(title())
        return action

    def retranslate(self) -> None:
        self.setTitle(self.tr("&Coordinator"))
        for action, title in self._entries:
            action.setText(title())

    def set_unlocked(self, unlocked: bool) -> None:
        """Shown only for a coordinator's unlocked vault."""
        vault = self._vault() if unlocked else None
        self.menuAction().setVisible(vault is not None and is_coordinator(vault))
        for action, _title in self._entries:
            action.setEnabled(vault is not None)

    def open(self, make: DialogMaker) -> QDialog | None:
        vault = self._vault()
        if vault is None:
            return None
        self.close_dialog()
        dialog = make(vault, self._window, self._tasks)
        self.dialog = dialog
        dialog.open()
        return dialog

    def close_dialog(self) -> None:
        """At lock (the runner already cancelled and waited for the work)."""
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.done(QDialog.DialogCode.Rejected)
            dialog.deleteLater()
