"""The window's Coordinator menu: the screens of coordinator mode (issue 14).

A vault is in coordinator mode when it is a coordinator of the profile it
holds (``sync.org_vault.require_coordinator``): the desk that created the
organisation and holds its key, or a desk added since as a coordinator. The
menu is shown only then, after unlock; a field worker's window never shows
it. Entries that need the organisation key (issuing a token) are shown but
disabled at a desk without it. Each entry opens one dialog at a time, closed when the vault
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
    """Is this vault a coordinator of its organisation's profile, or does it
    hold the organisation key (coordinator mode)?"""
    from sync.org_vault import held_profile, holds_org_key

    profile = held_profile(vault)
    if profile is None:
        return False
    return profile.coordinator(vault.device_id) is not None or holds_org_key(vault, profile)


def holds_key(vault: Vault) -> bool:
    """Does this vault hold its organisation's key (changes the profile,
    issues tokens)?"""
    from sync.org_vault import held_profile, holds_org_key

    profile = held_profile(vault)
    return profile is not None and holds_org_key(vault, profile)


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
        self._key_entries: list[QAction] = []  # enabled only where the organisation key is
        self.retranslate()
        self.set_unlocked(False)

    def add_entry(
        self, title: Callable[[], str], make: DialogMaker, icon_name: str = "", *, needs_key: bool = False
    ) -> QAction:
        """An entry whose ``title`` is read again at each language change and
        whose dialog ``make`` builds for the open vault; with ``needs_key``,
        disabled at a desk without the organisation key."""
        from desktop.icons import icon

        action = self.addAction(icon(icon_name), "") if icon_name else self.addAction("")
        action.triggered.connect(lambda: self.open(make))
        self._entries.append((action, title))
        if needs_key:
            self._key_entries.append(action)
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
        keyed = vault is not None and holds_key(vault)
        for action, _title in self._entries:
            action.setEnabled(vault is not None and (keyed or action not in self._key_entries))

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
